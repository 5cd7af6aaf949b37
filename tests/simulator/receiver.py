"""A stand-in for Herald's receipt endpoints: a real HTTP server on a free local port that records each POST and
answers from a script (200 once the script runs out)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from werkzeug.datastructures import Authorization
from werkzeug.serving import BaseWSGIServer, make_server
from werkzeug.wrappers import Request, Response


@dataclass(frozen=True)
class ReceivedRequest:
    path: str
    headers: dict[str, str]
    body: bytes
    authorization: Authorization | None


class Receiver:
    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._requests: list[ReceivedRequest] = []
        self._answers: list[int] = []
        self._server: BaseWSGIServer = make_server("127.0.0.1", 0, self._application, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def start(self) -> Receiver:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def answer_with(self, status_codes: Iterable[int]) -> None:
        with self._condition:
            self._answers.extend(status_codes)

    def wait_for(self, count: int, timeout_seconds: float = 10.0) -> list[ReceivedRequest]:
        """The first ``count`` requests once they have arrived; raises TimeoutError if they don't."""
        with self._condition:
            if not self._condition.wait_for(lambda: len(self._requests) >= count, timeout=timeout_seconds):
                raise TimeoutError(f"{len(self._requests)} of {count} requests arrived")
            return self._requests[:count]

    def received_after(self, seconds: float) -> list[ReceivedRequest]:
        """Every request that has arrived ``seconds`` from now."""
        time.sleep(seconds)
        with self._condition:
            return list(self._requests)

    def _application(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        received = ReceivedRequest(request.path, dict(request.headers), request.get_data(), request.authorization)
        with self._condition:
            self._requests.append(received)
            status_code = self._answers.pop(0) if self._answers else 200
            self._condition.notify_all()
        return Response('{"result": "success"}', status=status_code, content_type="application/json")(
            environ, start_response
        )
