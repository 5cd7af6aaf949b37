"""The clamd client against a small fake clamd on a real socket: INSTREAM chunks, answers, a timeout, bad answers."""

from __future__ import annotations

import socket
import struct
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest

from app.clients.antivirus import clamd
from app.clients.antivirus.clamd import (
    EICAR_SIGNATURE,
    ClamdScanner,
    DevelopmentScanner,
    ScanResult,
    VirusScanError,
    virus_scanner,
)

Answer = Callable[[bytes], bytes | None]  # the received stream -> the answer to send (None: say nothing)


class FakeClamd:
    """Accepts one connection at a time, reads `zINSTREAM\\0` and the chunks, and answers with ``answer``."""

    def __init__(self, answer: Answer) -> None:
        self.answer = answer
        self.commands: list[bytes] = []
        self.chunk_sizes: list[int] = []
        self.received = b""
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _read(self, connection: socket.socket, size: int) -> bytes:
        data = b""
        while len(data) < size:
            part = connection.recv(size - len(data))
            if not part:
                raise ConnectionError("closed")
            data += part
        return data

    def _serve(self) -> None:
        try:
            connection, _ = self.server.accept()
        except OSError:
            return
        with connection:
            self.commands.append(self._read(connection, len(b"zINSTREAM\0")))
            while (size := struct.unpack(">I", self._read(connection, 4))[0]) > 0:
                self.chunk_sizes.append(size)
                self.received += self._read(connection, size)
            answer = self.answer(self.received)
            if answer is None:
                threading.Event().wait(5)
                return
            connection.sendall(answer)

    def close(self) -> None:
        self.server.close()


@contextmanager
def fake_clamd(answer: Answer) -> Iterator[FakeClamd]:
    server = FakeClamd(answer)
    try:
        yield server
    finally:
        server.close()


def _scanner(port: int, timeout: float = 5) -> ClamdScanner:
    return ClamdScanner("127.0.0.1", port, timeout_seconds=timeout)


def test_a_clean_file_is_streamed_in_chunks_and_reported_clean(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clamd, "CHUNK_BYTES", 1000)
    data = bytes(range(256)) * 10
    with fake_clamd(lambda _: b"stream: OK\0") as server:
        result = _scanner(server.port).scan(data)
        server.thread.join(5)

    assert result == ScanResult()
    assert (server.commands, server.chunk_sizes, server.received) == ([b"zINSTREAM\0"], [1000, 1000, 560], data)


def test_a_virus_is_reported_with_its_signature() -> None:
    with fake_clamd(lambda _: b"stream: Eicar-Test-Signature FOUND\0") as server:
        result = _scanner(server.port).scan(EICAR_SIGNATURE)

    assert (result.is_clean, result.virus) == (False, "Eicar-Test-Signature")


@pytest.mark.parametrize(
    "answer",
    [b"INSTREAM size limit exceeded. ERROR\0", b"stream: FOUND\0", b"hello\0", b"", b"stream: OK" + b"x" * 5000],
    ids=["error", "found-without-name", "nonsense", "closed-without-answer", "too-long"],
)
def test_an_error_or_an_answer_clamd_never_gives_is_a_scan_error(answer: bytes) -> None:
    with fake_clamd(lambda _: answer) as server, pytest.raises(VirusScanError):
        _scanner(server.port).scan(b"%PDF-1.7")


def test_a_clamd_that_does_not_answer_in_time_is_a_scan_error() -> None:
    with fake_clamd(lambda _: None) as server, pytest.raises(VirusScanError, match="did not answer: TimeoutError"):
        _scanner(server.port, timeout=0.5).scan(b"%PDF-1.7")


def test_a_clamd_that_is_not_listening_is_a_scan_error() -> None:
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    listener.close()

    with pytest.raises(VirusScanError, match="did not answer"):
        _scanner(port).scan(b"%PDF-1.7")


def test_the_development_scanner_finds_only_the_eicar_test_file() -> None:
    scanner = DevelopmentScanner()

    assert (scanner.scan(b"%PDF-1.7 clean").is_clean, scanner.scan(b"%PDF " + EICAR_SIGNATURE).virus) == (
        True,
        "Eicar-Test-Signature",
    )


@pytest.mark.parametrize(
    ("scanner", "host", "expected"),
    [
        (None, None, DevelopmentScanner),
        (None, "clamd.internal", ClamdScanner),
        ("clamd", "clamd.internal", ClamdScanner),
        ("development", "clamd.internal", DevelopmentScanner),
    ],
)
def test_the_settings_choose_the_scanner(scanner: str | None, host: str | None, expected: type) -> None:
    config = {"VIRUS_SCANNER": scanner, "CLAMD_HOST": host, "CLAMD_PORT": 3310, "CLAMD_TIMEOUT_SECONDS": 60}

    assert isinstance(virus_scanner(config), expected)
