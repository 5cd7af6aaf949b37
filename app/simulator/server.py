"""The simulator's Flask app and the threaded werkzeug server it runs on, startable in-process (tests) or from
`python -m app.simulator`."""

from __future__ import annotations

import threading

from flask import Flask
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from app.simulator.control import control, sns_certificate
from app.simulator.dvla import dvla
from app.simulator.firetext import firetext
from app.simulator.mmg import mmg
from app.simulator.runtime import EXTENSION_KEY, SimulatorRuntime
from app.simulator.ses import ses
from app.simulator.settings import SimulatorSettings

WILDCARD_HOSTS = frozenset({"0.0.0.0", "::", ""})


class QuietRequestHandler(WSGIRequestHandler):
    """werkzeug's handler without its access log: the endpoints log one line per provider request themselves."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return None


def create_simulator_app(runtime: SimulatorRuntime) -> Flask:
    app = Flask("app.simulator")
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.extensions[EXTENSION_KEY] = runtime
    for blueprint in (mmg, firetext, ses, dvla, control, sns_certificate):
        app.register_blueprint(blueprint)
    return app


class SimulatorServer:
    """Binds at construction (so port 0 gets a real port at once); ``start()`` serves in a background thread."""

    def __init__(self, settings: SimulatorSettings) -> None:
        self.runtime = SimulatorRuntime.from_settings(settings)
        self.app = create_simulator_app(self.runtime)
        self._server: BaseWSGIServer = make_server(
            settings.host, settings.port, self.app, threaded=True, request_handler=QuietRequestHandler
        )
        reachable_host = "127.0.0.1" if settings.host in WILDCARD_HOSTS else settings.host
        self.url = f"http://{reachable_host}:{self._server.server_port}"
        self.runtime.public_url = (settings.public_url or self.url).rstrip("/")
        self._thread: threading.Thread | None = None

    def start(self) -> SimulatorServer:
        self.runtime.receipts.start()
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.1}, name="simulator-http", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop answering and drop receipts not yet sent."""
        self._server.shutdown()
        self._server.server_close()
        self.runtime.receipts.stop()
