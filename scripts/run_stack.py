"""`make run`: embedded PostgreSQL and Redis (unless configured), migrate, seed, then the whole stack.

Starts the API (gunicorn), the Celery workers, Celery beat and the provider simulator as child processes, points
Herald's providers at the simulator, and stops everything on Ctrl-C.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.embedded_services import ensure_services  # noqa: E402
from app.local_processes import simulator_wiring  # noqa: E402

VENV_BIN = Path(sys.executable).parent


def stack_environment(database_url: str, redis_url: str) -> dict[str, str]:
    port = os.environ.get("PORT", "6011")
    simulator_port = os.environ.get("SIMULATOR_PORT", "6030")
    defaults = {
        "NOTIFY_ENVIRONMENT": "development",
        **simulator_wiring(api_url=f"http://127.0.0.1:{port}", simulator_port=simulator_port),
        "PYTHONUNBUFFERED": "1",
        # Not the public development password: set INBOUND_SMS_BASIC_AUTH_PASSWORD to post inbound texts yourself.
        "INBOUND_SMS_BASIC_AUTH_PASSWORD": secrets.token_urlsafe(24),
        # The worker settings `make bench` measured best on 2 cores (benchmarks/RESULTS.md): two worker processes
        # (one Python process cannot use more than one core) of 16 threads each, prefetching 8 tasks a thread.
        "CELERY_PREFETCH_MULTIPLIER": "8",
    }
    environment = {**defaults, **os.environ, "DATABASE_URL": database_url, "REDIS_URL": redis_url, "PORT": port}
    return environment


def run_once(command: list[str], environment: dict[str, str]) -> None:
    subprocess.run(command, env=environment, cwd=ROOT, check=True)


def child_commands() -> dict[str, list[str]]:
    """The children by name: the API, CELERY_WORKERS Celery workers (each its own node on every queue but the
    callbacks queue), one callback worker of its own, beat and the simulator."""
    from app.celery.queues import QueueNames

    commands = {"api": [str(VENV_BIN / "gunicorn"), "-c", "gunicorn_config.py", "application:app"]}
    for number in range(1, int(os.environ.get("CELERY_WORKERS", "2")) + 1):
        name = "worker" if number == 1 else f"worker-{number}"
        commands[name] = _worker(
            name,
            os.environ.get("CELERY_CONCURRENCY", "16"),
            os.environ.get("CELERY_QUEUES", ",".join(_queues_but_callbacks())),
        )
    # Callbacks wait on tenants' endpoints (up to SERVICE_CALLBACK_TIMEOUT_SECONDS each): their own process and
    # threads, so a slow tenant can hold up only other callbacks, never a delivery or a receipt.
    commands["callback-worker"] = _worker(
        "callback-worker", os.environ.get("CELERY_CALLBACK_CONCURRENCY", "16"), QueueNames.CALLBACKS.value
    )
    schedule = str(ROOT / ".data" / "celerybeat-schedule")
    commands["beat"] = _celery() + ["beat", "--loglevel", "INFO", "--schedule", schedule]
    commands["simulator"] = [str(VENV_BIN / "python"), "-m", "app.simulator"]
    return commands


def _celery() -> list[str]:
    return [str(VENV_BIN / "celery"), "-A", "run_celery"]


def _worker(name: str, concurrency: str, queues: str) -> list[str]:
    return _celery() + [
        "worker",
        "--loglevel",
        "INFO",
        "--hostname",
        f"{name}@%h",
        "--pool",
        os.environ.get("CELERY_POOL", "threads"),
        "--concurrency",
        concurrency,
        "--queues",
        queues,
    ]


def _queues_but_callbacks() -> list[str]:
    from app.celery.queues import QueueNames, all_queues

    return [queue for queue in all_queues() if queue != QueueNames.CALLBACKS]


def print_welcome(environment: dict[str, str]) -> None:
    demo = json.loads((ROOT / ".data" / "demo.json").read_text())
    print(
        f"""
Herald is running at {environment["API_HOST_NAME"]} (providers: simulator on port {environment["SIMULATOR_PORT"]})
Demo service {demo["service_id"]}; credentials in .data/demo.json
  live key: {demo["api_keys"]["normal"]}
  test key: {demo["api_keys"]["test"]}

Try it (another terminal):
  .venv/bin/python examples/send_demo.py

Ctrl-C stops everything.
""",
        flush=True,
    )


def wait_until_answering(url: str, children: dict[str, subprocess.Popen[bytes]], timeout_seconds: float = 60) -> bool:
    """True once ``url`` answers 200; False if a child exits first or it never does (the main loop then stops)."""
    import urllib.error
    import urllib.request

    deadline = time.monotonic() + timeout_seconds
    while time.monotonic() < deadline and all(process.poll() is None for process in children.values()):
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return True
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    print(f"{url} did not answer", file=sys.stderr)
    return False


RESTART_LIMIT = 5
RESTART_WINDOW_SECONDS = 60.0


def may_restart(restart_times: list[float]) -> bool:
    """A child that dies is started again (a worker can exit when its broker connection drops), but one that dies
    RESTART_LIMIT times within a minute is broken: then Herald stops rather than loop."""
    now = time.monotonic()
    restart_times[:] = [moment for moment in restart_times if now - moment < RESTART_WINDOW_SECONDS]
    if len(restart_times) >= RESTART_LIMIT:
        return False
    restart_times.append(now)
    return True


def stop_children(children: dict[str, subprocess.Popen[bytes]]) -> None:
    for process in children.values():
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 15
    for process in children.values():
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def main() -> int:
    data_dir = ROOT / ".data"
    services = ensure_services(data_dir)
    environment = stack_environment(services.database_url or "", services.redis_url or "")
    flask = [str(VENV_BIN / "flask"), "--app", "application"]
    children: dict[str, subprocess.Popen[bytes]] = {}
    stopping = False

    def request_stop(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    try:
        run_once(flask + ["db", "upgrade"], environment)
        run_once(flask + ["seed-demo"], environment)
        commands = child_commands()
        for name, command in commands.items():
            # Own process group: Ctrl-C reaches only us, and we stop the children in order.
            children[name] = subprocess.Popen(command, env=environment, cwd=ROOT, start_new_session=True)
        if wait_until_answering(f"{environment['API_HOST_NAME']}/_status", children) and wait_until_answering(
            f"http://127.0.0.1:{environment['SIMULATOR_PORT']}/_simulator/health", children
        ):
            print_welcome(environment)
        else:
            stopping = True
        restarts: dict[str, list[float]] = {name: [] for name in children}
        while not stopping:
            for name, process in list(children.items()):
                if process.poll() is None or stopping:
                    continue
                if not may_restart(restarts[name]):
                    print(f"{name} exited with status {process.returncode}; stopping Herald", file=sys.stderr)
                    stopping = True
                    continue
                print(f"{name} exited with status {process.returncode}; starting it again", file=sys.stderr)
                children[name] = subprocess.Popen(commands[name], env=environment, cwd=ROOT, start_new_session=True)
            time.sleep(0.5)
    finally:
        stop_children(children)
        services.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
