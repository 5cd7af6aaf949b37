"""Pooled `requests` sessions for the SMS providers: kept-alive connections, and no retries of their own.

Retrying is the delivery task's job (it may switch provider first), so urllib3 never retries a request: a POST
retried under the hood could send the same text twice. TCP keepalive lets a pooled connection that a provider's
load balancer silently dropped be noticed instead of hanging until the read timeout.
"""

from __future__ import annotations

import socket
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection
from urllib3.util.retry import Retry

DEFAULT_POOL_CONNECTIONS = 4  # distinct hosts kept pooled; each provider has one
DEFAULT_POOL_MAXSIZE = 32  # connections kept per host: about the number of threads sending at once
# read=False re-raises a read timeout as itself (requests then raises ReadTimeout) instead of as MaxRetryError.
NO_RETRIES = Retry(total=0, read=False)


class KeepAliveHTTPAdapter(HTTPAdapter):
    """An HTTPAdapter whose connections enable TCP keepalive."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["socket_options"] = [*HTTPConnection.default_socket_options, *_keepalive_socket_options()]
        super().init_poolmanager(*args, **kwargs)


def create_pooled_session(
    *, pool_connections: int = DEFAULT_POOL_CONNECTIONS, pool_maxsize: int = DEFAULT_POOL_MAXSIZE
) -> requests.Session:
    """A session that keeps up to `pool_maxsize` connections per host and never retries a request itself.

    When more threads than `pool_maxsize` send at once, the extra connections are opened and then closed after
    use instead of blocking (`pool_block=False`).
    """
    session = requests.Session()
    adapter = KeepAliveHTTPAdapter(
        pool_connections=pool_connections, pool_maxsize=pool_maxsize, max_retries=NO_RETRIES, pool_block=False
    )
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


def _keepalive_socket_options() -> list[tuple[int, int, int]]:
    options = [(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)]
    # Linux names these; other platforms keep their system defaults.
    for name, value in (("TCP_KEEPIDLE", 60), ("TCP_KEEPINTVL", 10), ("TCP_KEEPCNT", 3)):
        if hasattr(socket, name):
            options.append((socket.IPPROTO_TCP, getattr(socket, name), value))
    return options
