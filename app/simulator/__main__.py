"""`python -m app.simulator [flags]`: run the provider simulator until SIGTERM or Ctrl-C."""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
from collections.abc import Sequence
from urllib.parse import urlsplit, urlunsplit

from app.simulator.server import SimulatorServer
from app.simulator.settings import parse_settings

logger = logging.getLogger("app.simulator")


def main(argv: Sequence[str] | None = None) -> int:
    settings = parse_settings(argv, os.environ)
    logging.basicConfig(
        level=settings.log_level, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    server = SimulatorServer(settings)
    stopping = threading.Event()
    for signal_number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signal_number, lambda *_: stopping.set())
    server.start()
    herald_url = _without_credentials(settings.herald_url)
    logger.info(
        "Simulator listening on %s, sending receipts to %s",
        server.url,
        herald_url,
        extra={"simulator_url": server.url, "herald_url": herald_url},
    )
    stopping.wait()
    logger.info("Simulator stopping")
    server.stop()
    return 0


def _without_credentials(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))


if __name__ == "__main__":
    sys.exit(main())
