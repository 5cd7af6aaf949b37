"""Scan bytes for viruses: ClamAV's clamd over TCP (`zINSTREAM`), or, in development and test, a scanner that
finds only the EICAR test file (so a test can still see a virus found).

clamd's INSTREAM: the command `zINSTREAM\\0`, then the data in chunks each prefixed by its length (4 bytes, big
endian), then a zero length. The answer is one NUL-terminated line: `stream: OK`, `stream: <signature> FOUND`, or
`... ERROR` (e.g. `INSTREAM size limit exceeded. ERROR`). Every socket call has the timeout; an answer that is none
of these, or longer than MAX_ANSWER_BYTES, is a VirusScanError (the caller retries, then gives up).
"""

from __future__ import annotations

import socket
import struct
from dataclasses import dataclass
from typing import Any, Protocol

CHUNK_BYTES = 64 * 1024
MAX_ANSWER_BYTES = 4096
# The EICAR anti-virus test file (https://www.eicar.org), which every scanner reports as a virus.
EICAR_SIGNATURE = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
EICAR_NAME = "Eicar-Test-Signature"


class VirusScanError(Exception):
    """The scanner could not give an answer (unreachable, timed out, an error or an answer it cannot read)."""


@dataclass(frozen=True)
class ScanResult:
    """`virus` is the signature found, or None for a clean file."""

    virus: str | None = None

    @property
    def is_clean(self) -> bool:
        return self.virus is None


class VirusScanner(Protocol):
    def scan(self, data: bytes) -> ScanResult: ...


class ClamdScanner:
    def __init__(self, host: str, port: int, *, timeout_seconds: float) -> None:
        self.host = host
        self.port = port
        self.timeout_seconds = timeout_seconds

    def scan(self, data: bytes) -> ScanResult:
        try:
            with socket.create_connection((self.host, self.port), timeout=self.timeout_seconds) as connection:
                connection.sendall(b"zINSTREAM\0")
                for start in range(0, len(data), CHUNK_BYTES):
                    chunk = data[start : start + CHUNK_BYTES]
                    connection.sendall(struct.pack(">I", len(chunk)) + chunk)
                connection.sendall(struct.pack(">I", 0))
                answer = _read_answer(connection)
        except OSError as error:  # refused, reset, timed out (socket.timeout is an OSError)
            raise VirusScanError(f"clamd at {self.host}:{self.port} did not answer: {type(error).__name__}") from error
        return parse_answer(answer)


def _read_answer(connection: socket.socket) -> bytes:
    answer = b""
    while b"\0" not in answer:
        part = connection.recv(MAX_ANSWER_BYTES)
        if not part:
            break
        answer += part
        if len(answer) > MAX_ANSWER_BYTES:
            raise VirusScanError("clamd's answer is too long")
    return answer.split(b"\0", 1)[0]


def parse_answer(answer: bytes) -> ScanResult:
    """Read clamd's answer to INSTREAM (without its NUL)."""
    text = answer.decode("ascii", errors="replace").strip()
    if text == "stream: OK":
        return ScanResult()
    if text.startswith("stream: ") and text.endswith(" FOUND"):
        virus = text[len("stream: ") : -len(" FOUND")].strip()
        if virus:
            return ScanResult(virus=virus)
    if text.endswith("ERROR"):
        raise VirusScanError(f"clamd reported an error: {text[:200]}")
    raise VirusScanError(f"clamd's answer is not one it gives: {text[:200]!r}")


class DevelopmentScanner:
    """Development and test only: finds nothing but the EICAR test file."""

    def scan(self, data: bytes) -> ScanResult:
        return ScanResult(virus=EICAR_NAME) if EICAR_SIGNATURE in data else ScanResult()


def virus_scanner(config: Any) -> VirusScanner:
    """clamd when VIRUS_SCANNER is `clamd`, or unset with CLAMD_HOST set; otherwise the development scanner
    (`check_deployed_settings` refuses that outside development and test unless VIRUS_SCANNER is `development`)."""
    scanner = config["VIRUS_SCANNER"]
    if scanner == "clamd" or (scanner is None and config["CLAMD_HOST"]):
        return ClamdScanner(config["CLAMD_HOST"], config["CLAMD_PORT"], timeout_seconds=config["CLAMD_TIMEOUT_SECONDS"])
    return DevelopmentScanner()
