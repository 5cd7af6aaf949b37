"""Real HTTP endpoints on 127.0.0.1 that misbehave the way a hostile callback receiver would, written on raw sockets
so that each can drip, stream, redirect or set cookies exactly as scripted."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

ResponseWriter = Callable[[socket.socket, threading.Event], int]


@dataclass
class HostileServer:
    """Reads each request (recording its headers), then lets ``respond`` write the answer; counts the bytes written."""

    respond: ResponseWriter
    request_headers: list[dict[str, str]] = field(default_factory=list)
    bytes_written: list[int] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _listener: socket.socket | None = None
    _threads: list[threading.Thread] = field(default_factory=list)

    @property
    def port(self) -> int:
        assert self._listener is not None
        return int(self._listener.getsockname()[1])

    def url(self, path: str = "/callback", host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def start(self) -> HostileServer:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.05)
        self._start_thread(self._accept_loop)
        return self

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=10)
        if self._listener is not None:
            self._listener.close()

    def _start_thread(self, target: Callable[..., None], *args: object) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)
        self._threads.append(thread)
        thread.start()

    def _accept_loop(self) -> None:
        assert self._listener is not None
        while not self._stop.is_set():
            try:
                connection, _ = self._listener.accept()
            except TimeoutError:
                continue
            self._start_thread(self._serve, connection)

    def _serve(self, connection: socket.socket) -> None:
        with connection:
            connection.settimeout(5)
            try:
                self.request_headers.append(_read_request(connection))
                self.bytes_written.append(self.respond(connection, self._stop))
            except OSError:
                return


def _read_request(connection: socket.socket) -> dict[str, str]:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = connection.recv(65536)
        if not chunk:
            raise ConnectionError("request ended early")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")[1:]
    headers = {name.strip().lower(): value.strip() for name, _, value in (line.partition(":") for line in lines)}
    while len(body) < int(headers.get("content-length", "0")):
        body += connection.recv(65536)
    return headers


def drip(prefix: bytes, interval_seconds: float) -> ResponseWriter:
    """Write ``prefix`` at once, then one byte ("a") per interval until stopped or cut off: every read the client
    makes gets data well within any per-read timeout, and the answer never ends."""

    def respond(connection: socket.socket, stop: threading.Event) -> int:
        connection.sendall(prefix)
        written = len(prefix)
        while not stop.is_set():
            try:
                connection.sendall(b"a")
            except OSError:
                break
            written += 1
            time.sleep(interval_seconds)
        return written

    return respond


def stream(status_line: bytes, content_length: int, chunk_size: int = 65536) -> ResponseWriter:
    """Answer with ``content_length`` zero bytes, as fast as the client takes them."""

    def respond(connection: socket.socket, stop: threading.Event) -> int:
        connection.sendall(status_line + b"\r\nContent-Length: " + str(content_length).encode() + b"\r\n\r\n")
        chunk = bytes(chunk_size)
        written = 0
        while written < content_length and not stop.is_set():
            try:
                connection.sendall(chunk)
            except OSError:
                break
            written += chunk_size
        return written

    return respond


def answer(status_line: bytes, *headers: bytes) -> ResponseWriter:
    """Answer once, with the given status line and headers and an empty body."""

    def respond(connection: socket.socket, stop: threading.Event) -> int:
        message = b"\r\n".join([status_line, *headers, b"Content-Length: 0", b"", b""])
        connection.sendall(message)
        return len(message)

    return respond


@contextmanager
def hostile_server(respond: ResponseWriter) -> Iterator[HostileServer]:
    server = HostileServer(respond).start()
    try:
        yield server
    finally:
        server.stop()
