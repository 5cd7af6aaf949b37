"""`make run`: embedded PostgreSQL and Redis (unless configured), migrate, seed, then the whole stack.

Starts the API (gunicorn), the Celery workers, Celery beat and the provider simulator as child processes, points
Herald's providers at the simulator, starts again a child that exits (within limits), and stops everything on
Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import signal
import subprocess
import sys

from devstack import ROOT, processes
from devstack.embedded import ensure_services
from devstack.processes import BIN, WorkerSettings
from devstack.stack import LocalStack

logger = logging.getLogger(__name__)
DATA_DIR = ROOT / ".data"
STARTUP_TIMEOUT_SECONDS = 60.0


def main() -> int:
    services = ensure_services(postgres_dir=DATA_DIR / "postgres", redis_dir=DATA_DIR / "redis", environ=os.environ)
    stack = LocalStack(
        database_url=services.database_url or "",
        redis_url=services.redis_url or "",
        api_port=os.environ.get("PORT", "6011"),
        simulator_port=os.environ.get("SIMULATOR_PORT", "6030"),
        # Not the public development password: set INBOUND_SMS_BASIC_AUTH_PASSWORD to post inbound texts yourself.
        base={"INBOUND_SMS_BASIC_AUTH_PASSWORD": secrets.token_urlsafe(24)},
        settings=os.environ,  # what the developer sets wins over the wiring
    )
    stopping = False

    def request_stop(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    try:
        prepare_database(stack.environment)
        workers = processes.workers(WorkerSettings.from_environ(os.environ))
        stack.group.start(stack.api(), *workers, stack.beat(), stack.simulator(), is_waiting=False)
        stack.group.wait_until_ready(["api", "simulator"], timeout_seconds=STARTUP_TIMEOUT_SECONDS)
        print_welcome(stack)
        stack.group.supervise(lambda: stopping)
    except (RuntimeError, TimeoutError) as error:
        logger.error("Herald did not start: %s", error)
        return 1
    finally:
        stack.stop()
        services.stop()
    return 0


def prepare_database(environment: dict[str, str]) -> None:
    """Bring the schema up to date and seed the demo service (its credentials go to .data/demo.json) and the
    service the official clients' own integration tests use (.data/functional-test-service.json)."""
    flask = [str(BIN / "flask"), "--app", "application"]
    for command in ("db", "upgrade"), ("seed-demo",), ("seed-functional-test-service",):
        subprocess.run([*flask, *command], env=environment, cwd=ROOT, check=True)


def ops_sign_in_link(environment: dict[str, str]) -> str:
    """A fresh one-time link to the operator console (the CLI's output; never logged)."""
    flask = [str(BIN / "flask"), "--app", "application", "ops", "sign-in-link", "--operator", "make run"]
    done = subprocess.run(flask, env=environment, cwd=ROOT, check=True, capture_output=True, text=True)
    return done.stdout.strip()


def print_welcome(stack: LocalStack) -> None:
    demo = json.loads((DATA_DIR / "demo.json").read_text())
    print(
        f"""
Herald is running at {stack.environment["API_HOST_NAME"]} (providers: simulator on port {stack.simulator_port})
Demo service {demo["service_id"]}; credentials in .data/demo.json
  live key: {demo["api_keys"]["normal"]}
  test key: {demo["api_keys"]["test"]}

Try it (another terminal):
  .venv/bin/python examples/send_demo.py

Operator console (the link works once, for a few minutes; `make ops-link` prints another):
  {ops_sign_in_link(stack.environment)}

Ctrl-C stops everything.
""",
        flush=True,
    )


if __name__ == "__main__":
    sys.exit(main())
