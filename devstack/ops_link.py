"""`make ops-link`: print a one-time sign-in link to the operator console of the Herald `make run` started.

Joins `make run`'s embedded PostgreSQL (or uses DATABASE_URL) and runs `flask ops sign-in-link` against it, with
the API's address (PORT, 6011 by default) as the link's base.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping

from devstack import ROOT
from devstack.embedded import EmbeddedServices
from devstack.processes import BIN

DATA_DIR = ROOT / ".data"


def print_sign_in_link(environment: Mapping[str, str], *, api_url: str) -> int:
    """Run `flask ops sign-in-link` (its output: the link) with ``environment``; returns its exit status."""
    command = [str(BIN / "flask"), "--app", "application", "ops", "sign-in-link", "--base-url", api_url]
    return subprocess.run(command, env=dict(environment), cwd=ROOT, check=False).returncode


def main() -> int:
    services = EmbeddedServices(database_url=os.environ.get("DATABASE_URL"))
    if not services.database_url:
        services.start_postgres(DATA_DIR / "postgres")
    environment = {
        **os.environ,
        "NOTIFY_ENVIRONMENT": os.environ.get("NOTIFY_ENVIRONMENT", "development"),
        "DATABASE_URL": services.database_url or "",
        "LOG_LEVEL": "WARNING",
    }
    return print_sign_in_link(environment, api_url=f"http://127.0.0.1:{os.environ.get('PORT', '6011')}")


if __name__ == "__main__":
    sys.exit(main())
