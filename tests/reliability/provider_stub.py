"""A stand-in MMG and Firetext, in a thread: accepts, fails (503) or holds each request, and records what it took.

A held request is answered only when the test releases it; if the worker that sent it has died by then (its
socket is closed), the request is dropped as never accepted, the way a provider never takes a message whose
request was cut off before the answer.
"""

from __future__ import annotations

import json
import select
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

ACCEPT = "accept"
FAIL = "fail"
HOLD = "hold"


class ProviderStub:
    def __init__(self) -> None:
        self.accepted: list[tuple[str, str]] = []
        self.refused: list[tuple[str, str]] = []
        self.dropped: list[tuple[str, str]] = []
        self._modes = {"mmg": ACCEPT, "firetext": ACCEPT}
        self._held = 0
        self._lock = threading.Condition()
        self._released = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> ProviderStub:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._released.set()
        self._server.shutdown()
        self._server.server_close()

    def set_mode(self, provider: str, mode: str) -> None:
        with self._lock:
            self._modes[provider] = mode
            if mode == HOLD:
                self._released.clear()

    def release_held_requests(self) -> None:
        self._released.set()

    def wait_for_held_requests(self, count: int, timeout_seconds: float = 10.0) -> None:
        with self._lock:
            if not self._lock.wait_for(lambda: self._held >= count, timeout=timeout_seconds):
                raise TimeoutError(f"{self._held} requests held, expected {count}")

    def accepted_by(self, provider: str) -> list[str]:
        with self._lock:
            return [reference for name, reference in self.accepted if name == provider]

    def accepted_references(self) -> list[str]:
        with self._lock:
            return [reference for _name, reference in self.accepted]

    def _handle(self, provider: str, reference: str, connection: socket.socket) -> int:
        with self._lock:
            mode = self._modes[provider]
            if mode == HOLD:
                self._held += 1
                self._lock.notify_all()
        if mode == HOLD:
            self._released.wait()
            with self._lock:
                self._held -= 1
                mode = self._modes[provider] if self._modes[provider] != HOLD else ACCEPT
            if _client_hung_up(connection):
                with self._lock:
                    self.dropped.append((provider, reference))
                return 0
        with self._lock:
            if mode == FAIL:
                self.refused.append((provider, reference))
                return 503
            self.accepted.append((provider, reference))
            return 200


def _client_hung_up(connection: socket.socket) -> bool:
    readable, _, _ = select.select([connection], [], [], 0)
    if not readable:
        return False
    try:
        return connection.recv(1, socket.MSG_PEEK) == b""
    except OSError:
        return True


def _handler_for(stub: ProviderStub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # named by http.server
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            provider, reference, answer = _parse(self.path, body)
            status = stub._handle(provider, reference, self.connection)
            if status == 0:
                self.close_connection = True
                return
            payload = json.dumps(answer if status == 200 else {"error": "unavailable"}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            return

    return Handler


def _parse(path: str, body: bytes) -> tuple[str, str, dict[str, Any]]:
    if path.startswith("/mmg"):
        request = json.loads(body)
        return "mmg", str(request["cid"]), {"Reference": 12345678}
    form = {key: values[0] for key, values in parse_qs(body.decode()).items()}
    return "firetext", form["reference"], {"code": 0, "description": "SMS successfully queued", "data": []}
