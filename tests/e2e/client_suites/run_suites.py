"""Run the official clients' own integration tests, unchanged, against a running Herald.

`python -m tests.e2e.client_suites.run_suites [environment.json]` (what `make client-suites` does) reads the
environment written by `flask seed-functional-test-service` (by default `.data/functional-test-service.json`, which
`make run` writes) and runs each client's suite with it, printing its output; it exits non-zero if either fails.
tests/e2e/test_client_integration_suites.py runs the same suites against a stack of its own.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

SUITES_DIRECTORY = Path(__file__).resolve().parent
PYTHON_SUITE_DIRECTORY = SUITES_DIRECTORY / "python"
NODE_SUITE_DIRECTORY = SUITES_DIRECTORY / "node"
DEFAULT_ENVIRONMENT_FILE = SUITES_DIRECTORY.parents[2] / ".data" / "functional-test-service.json"

# The suites poll up to two minutes for a letter's PDF; a whole run takes seconds when nothing waits.
SUITE_TIMEOUT_SECONDS = 300
NPM_TIMEOUT_SECONDS = 300


@dataclass(frozen=True)
class SuiteRun:
    name: str
    returncode: int
    output: str

    @property
    def passed(self) -> bool:
        return self.returncode == 0


def run_python_suite(environment: Mapping[str, str], python: str = sys.executable) -> SuiteRun:
    """notifications-python-client's `integration_test`, as its Makefile runs it (from the suite's directory: the
    test opens `integration_test/test_files/one_page_pdf.pdf` by a relative path)."""
    return _run(
        "notifications-python-client integration_test",
        [python, "-m", "integration_test.integration_tests"],
        cwd=PYTHON_SUITE_DIRECTORY,
        environment=environment,
    )


def node_is_available() -> bool:
    return shutil.which("node") is not None and shutil.which("npm") is not None


def install_node_suite() -> None:
    """Install the Node client and the suite's test tools from package-lock.json once. `client` in the suite's
    directory links to the installed client, where the unchanged test requires it (`../../client/notification.js`)."""
    with (NODE_SUITE_DIRECTORY / ".npm-install.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # pytest-xdist workers may share the directory
        if not (NODE_SUITE_DIRECTORY / "node_modules" / ".bin" / "mocha").exists():
            subprocess.run(
                ["npm", "ci", "--no-audit", "--no-fund"],
                cwd=NODE_SUITE_DIRECTORY,
                check=True,
                capture_output=True,
                timeout=NPM_TIMEOUT_SECONDS,
            )


def run_node_suite(environment: Mapping[str, str]) -> SuiteRun:
    """notifications-node-client's `spec/integration/test.js`, as `npm test --integration` runs it: the suite only
    runs when npm's `integration` flag is set, which npm passes on as `npm_config_integration`."""
    install_node_suite()
    return _run(
        "notifications-node-client spec/integration/test.js",
        [str(NODE_SUITE_DIRECTORY / "node_modules" / ".bin" / "mocha"), "spec/integration/test.js"],
        cwd=NODE_SUITE_DIRECTORY,
        environment={**environment, "npm_config_integration": "true"},
    )


def node_failed_tests(output: str) -> set[str]:
    """The titles of the tests mocha's spec reporter lists as failing (`  3) get a letter pdf`)."""
    return {match[1] for match in re.finditer(r"^ +\d+\) (.+?):?$", output, re.MULTILINE)} - {NODE_SUITE_TITLE}


NODE_SUITE_TITLE = "notification api with a live service"


def _run(name: str, command: list[str], *, cwd: Path, environment: Mapping[str, str]) -> SuiteRun:
    finished = subprocess.run(
        command,
        cwd=cwd,
        env={**os.environ, **environment},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=SUITE_TIMEOUT_SECONDS,
        check=False,
    )
    return SuiteRun(name=name, returncode=finished.returncode, output=finished.stdout)


def main(arguments: list[str]) -> int:
    environment_file = Path(arguments[0]) if arguments else DEFAULT_ENVIRONMENT_FILE
    environment = json.loads(environment_file.read_text())
    runs = [run_python_suite(environment)]
    if node_is_available():
        runs.append(run_node_suite(environment))
    else:
        print("node and npm are not installed: notifications-node-client's suite was not run")
    for run in runs:
        print(f"===== {run.name}: {'passed' if run.passed else f'FAILED (exit {run.returncode})'}\n{run.output}")
    return 0 if all(run.passed for run in runs) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
