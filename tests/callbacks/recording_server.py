"""A real HTTP server on a free local port that records what it is sent and answers from a script."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from werkzeug.serving import BaseWSGIServer, make_server
from werkzeug.wrappers import Request, Response


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Answer:
    status_code: int = 200
    delay_seconds: float = 0.0


@dataclass
class RecordingServer:
    """Answers each request with the next scripted Answer (200 once the script runs out) and records it."""

    answers: list[Answer] = field(default_factory=list)
    requests: list[RecordedRequest] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)
    _server: BaseWSGIServer | None = None
    _thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_port}"

    def script(self, answers: Iterable[Answer]) -> None:
        self.answers.extend(answers)

    def serve_file(self, path: str, content: bytes) -> str:
        """Answer GET ``path`` with ``content`` (200, unscripted, unrecorded); returns its URL."""
        self.files[path] = content
        return f"{self.url}{path}"

    def start(self) -> RecordingServer:
        self._server = make_server("127.0.0.1", 0, self._application, threaded=True)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def _application(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        if request.method == "GET" and request.path in self.files:
            return Response(self.files[request.path], content_type="application/x-pem-file")(environ, start_response)
        self.requests.append(
            RecordedRequest(request.method, request.full_path.rstrip("?"), dict(request.headers), request.get_data())
        )
        answer = self.answers.pop(0) if self.answers else Answer()
        if answer.delay_seconds:
            time.sleep(answer.delay_seconds)
        return Response("{}", status=answer.status_code, content_type="application/json")(environ, start_response)
