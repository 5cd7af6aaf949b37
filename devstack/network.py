"""Ports and HTTP readiness for processes started side by side on 127.0.0.1."""

from __future__ import annotations

import socket
import urllib.error
import urllib.request


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody is listening on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def is_answering(url: str) -> bool:
    """True if a GET of ``url`` gets any answer below 500 within a second."""
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return int(response.status) < 500
    except urllib.error.HTTPError as error:
        return error.code < 500
    except OSError:
        return False
