"""The pooled session reuses connections, enables TCP keepalive and never retries a request by itself."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from app.clients.sms.http_session import create_pooled_session


class _CountingServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _OkHandler)
        self.connection_count = 0

    def process_request(self, request: socket.socket, client_address: tuple[str, int]) -> None:  # type: ignore[override]
        self.connection_count += 1
        super().process_request(request, client_address)


class _OkHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep the connection open between requests

    def do_POST(self) -> None:  # named by http.server
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture
def counting_server() -> Iterator[_CountingServer]:
    server = _CountingServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def hanging_up_listener() -> Iterator[tuple[str, list[int]]]:
    """A TCP listener that accepts each connection and closes it at once, counting them."""
    listener = socket.create_server(("127.0.0.1", 0))
    accepted: list[int] = []

    def accept_and_hang_up() -> None:
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            accepted.append(1)
            connection.close()

    threading.Thread(target=accept_and_hang_up, daemon=True).start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/", accepted
    listener.close()


def test_a_session_reuses_one_connection_for_consecutive_requests(counting_server: _CountingServer):
    url = f"http://127.0.0.1:{counting_server.server_address[1]}/"
    with create_pooled_session() as session:
        for _ in range(3):
            session.post(url, data={"a": "b"}, timeout=5)

    assert counting_server.connection_count == 1


def test_a_session_does_not_retry_a_request_the_server_hung_up_on(hanging_up_listener: tuple[str, list[int]]):
    url, accepted = hanging_up_listener

    with create_pooled_session() as session, pytest.raises(requests.ConnectionError):
        session.post(url, data={"a": "b"}, timeout=5)

    assert len(accepted) == 1


def test_a_session_keeps_as_many_connections_per_host_as_asked():
    with create_pooled_session(pool_connections=2, pool_maxsize=7) as session:
        pool_settings = session.get_adapter("https://api.example/").poolmanager.connection_pool_kw

    assert pool_settings["maxsize"] == 7


def test_a_session_enables_tcp_keepalive():
    with create_pooled_session() as session:
        pool_settings = session.get_adapter("https://api.example/").poolmanager.connection_pool_kw

    assert (socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1) in pool_settings["socket_options"]


def test_a_session_allows_no_retries_of_any_kind():
    with create_pooled_session() as session:
        retry_policy = session.get_adapter("https://api.example/").max_retries

    assert retry_policy.total == 0
