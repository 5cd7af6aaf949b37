"""Running Herald's processes side by side on one machine (`make run`, `make bench`, the whole-stack tests): the
environment that wires Herald and the provider simulator to each other, a free port to give each process, and
waiting until one answers HTTP."""

from __future__ import annotations

import secrets
import socket
import time
import urllib.error
import urllib.request

# The topic the simulator's SNS messages come from (its default), the only one Herald then hears.
SIMULATOR_SNS_TOPIC_ARN = "arn:aws:sns:eu-west-2:000000000000:herald-simulator-ses-events"


def simulator_wiring(*, api_url: str, simulator_port: int | str) -> dict[str, str]:
    """Environment that sends Herald's MMG, Firetext and SES calls to the simulator on ``simulator_port`` (trusting
    its SNS certificate and topic alone) and the simulator's receipts to the API at ``api_url``, with receipt
    credentials made up for this run, so that even a development stack takes receipts from the simulator only."""
    simulator_url = f"http://127.0.0.1:{simulator_port}"
    receipt_password = secrets.token_urlsafe(24)
    return {
        "API_HOST_NAME": api_url,
        "MMG_URL": f"{simulator_url}/mmg",
        "FIRETEXT_URL": f"{simulator_url}/firetext",
        "SES_ENDPOINT_URL": f"{simulator_url}/ses",
        "AWS_ACCESS_KEY_ID": "simulator",
        "AWS_SECRET_ACCESS_KEY": "simulator",
        "SNS_TRUSTED_CERT_URL_PREFIXES": f"{simulator_url}/",
        "SNS_TOPIC_ARNS": SIMULATOR_SNS_TOPIC_ARN,
        "SIMULATOR_SNS_TOPIC_ARN": SIMULATOR_SNS_TOPIC_ARN,
        "RECEIPT_BASIC_AUTH_USERNAME": "simulator",
        "RECEIPT_BASIC_AUTH_PASSWORD": receipt_password,
        "SIMULATOR_RECEIPT_USERNAME": "simulator",
        "SIMULATOR_RECEIPT_PASSWORD": receipt_password,
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
