"""Running Herald's processes side by side on one machine (`make run`, `make bench`, the whole-stack tests): the
environment that wires Herald and the provider simulator to each other, a free port to give each process, and
waiting until one answers HTTP."""

from __future__ import annotations

import socket
import time
import urllib.error
import urllib.request


def simulator_wiring(*, api_url: str, simulator_port: int | str) -> dict[str, str]:
    """Environment that sends Herald's MMG, Firetext and SES calls to the simulator on ``simulator_port`` (trusting
    its SNS certificate) and the simulator's receipts to the API at ``api_url``."""
    simulator_url = f"http://127.0.0.1:{simulator_port}"
    return {
        "API_HOST_NAME": api_url,
        "MMG_URL": f"{simulator_url}/mmg",
        "FIRETEXT_URL": f"{simulator_url}/firetext",
        "SES_ENDPOINT_URL": f"{simulator_url}/ses",
        "AWS_ACCESS_KEY_ID": "simulator",
        "AWS_SECRET_ACCESS_KEY": "simulator",
        "SNS_TRUSTED_CERT_URL_PREFIXES": f"{simulator_url}/",
        "SIMULATOR_PORT": str(simulator_port),
        "SIMULATOR_HERALD_URL": api_url,
    }


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody is listening on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_http(url: str, timeout_seconds: float = 30.0) -> None:
    """Return once a GET of ``url`` gets any answer below 500; raise TimeoutError if none comes in time."""
    deadline = time.monotonic() + timeout_seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status < 500:
                    return
        except urllib.error.HTTPError as error:
            if error.code < 500:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise TimeoutError(f"{url} did not answer within {timeout_seconds} s")
