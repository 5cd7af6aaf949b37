"""A real UDP socket on 127.0.0.1 that collects the datagrams a statsd client sends, for tests."""

from __future__ import annotations

import socket

STATSD_PREFIX = "test.notifications.api"


class StatsdListener:
    def __init__(self) -> None:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._socket.bind(("127.0.0.1", 0))
        self.port: int = self._socket.getsockname()[1]

    def receive(self, count: int, timeout_seconds: float = 2.0) -> list[str]:
        """The next `count` datagrams, in arrival order; fails if they do not all arrive in time."""
        self._socket.settimeout(timeout_seconds)
        return [self._socket.recv(65535).decode() for _ in range(count)]

    def receive_all(self, quiet_seconds: float = 0.1) -> list[str]:
        """Every datagram that arrives until none has for `quiet_seconds`."""
        self._socket.settimeout(quiet_seconds)
        datagrams = []
        while True:
            try:
                datagrams.append(self._socket.recv(65535).decode())
            except TimeoutError:
                return datagrams

    def close(self) -> None:
        self._socket.close()
