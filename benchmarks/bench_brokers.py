"""The brokers the scale-out phase measures Herald on: the bench's own Redis, and the machine's RabbitMQ in a vhost
made for the run (`rabbitmqctl add_vhost`, its user given every permission there, deleted after), so neither an
earlier run's messages nor a `make run` on the default vhost can be consumed by, or take, the bench's tasks."""

from __future__ import annotations

import secrets
import shutil
import socket
import subprocess
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit, urlunsplit

import psutil

DEFAULT_RABBITMQ_URL = "amqp://guest:guest@127.0.0.1:5672//"
RABBITMQCTL_TIMEOUT_SECONDS = 60


class BrokerUnavailable(Exception):
    """This broker cannot be measured here (not running, not reachable, no vhost could be made): the reason."""


@dataclass(frozen=True)
class Broker:
    """A broker to measure: its name in the table, the URL every process is given, servers to count the CPU of."""

    name: str
    url: str
    pids: Mapping[str, int]


def with_vhost(url: str, vhost: str) -> str:
    """``url`` with its virtual host (the path) replaced by ``vhost``."""
    return urlunsplit(urlsplit(url)._replace(path=f"/{vhost}"))


def _rabbitmqctl(*arguments: str) -> None:
    command = shutil.which("rabbitmqctl")
    if command is None:
        raise BrokerUnavailable("rabbitmqctl is not installed, so no vhost of its own can be made")
    try:
        subprocess.run(
            [command, *arguments], capture_output=True, text=True, check=True, timeout=RABBITMQCTL_TIMEOUT_SECONDS
        )
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as error:
        output = (getattr(error, "stderr", "") or "").strip().splitlines()
        raise BrokerUnavailable(f"rabbitmqctl {arguments[0]} failed: {output[-1] if output else error}") from error


def _rabbitmq_pids() -> dict[str, int]:
    """The RabbitMQ server on this machine (its Erlang VM), so its CPU is counted with the other processes'."""
    for process in psutil.process_iter(["name", "cmdline"]):
        if process.info["name"] == "beam.smp" and "rabbit" in " ".join(process.info["cmdline"] or []):
            return {"rabbitmq": process.pid}
    return {}


@contextmanager
def rabbitmq_broker(url: str) -> Iterator[Broker]:
    """A vhost made for this run on the RabbitMQ at ``url`` (its user given every permission there), deleted after."""
    parts = urlsplit(url)
    try:
        socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 5672), timeout=2).close()
    except OSError as error:
        where = f"{parts.hostname}:{parts.port or 5672}"
        raise BrokerUnavailable(f"RabbitMQ at {where} is unreachable ({error})") from error
    vhost = f"herald-bench-{secrets.token_hex(4)}"
    _rabbitmqctl("add_vhost", vhost)
    try:
        _rabbitmqctl("set_permissions", "-p", vhost, unquote(parts.username or "guest"), ".*", ".*", ".*")
        yield Broker(name="RabbitMQ", url=with_vhost(url, vhost), pids=_rabbitmq_pids())
    finally:
        _rabbitmqctl("delete_vhost", vhost)


@contextmanager
def redis_broker(celery_url: str) -> Iterator[Broker]:
    """The bench's own Redis (already among the stack's processes)."""
    yield Broker(name="Redis", url=celery_url, pids={})


def purge_queues(broker_url: str, queues: list[str]) -> None:
    """Empty ``queues`` on the broker (on Redis also the messages workers held unacknowledged when they stopped)."""
    from kombu import Connection
    from kombu import Queue as KombuQueue

    with Connection(broker_url) as connection:
        channel = connection.channel()
        for name in queues:
            try:
                KombuQueue(name, channel=channel).purge()
            except connection.channel_errors:  # not declared yet (a fresh vhost); RabbitMQ closes the channel
                channel = connection.channel()
        client = getattr(channel, "client", None)
        if broker_url.startswith(("redis", "rediss")) and client is not None:
            client.delete("unacked", "unacked_index")
