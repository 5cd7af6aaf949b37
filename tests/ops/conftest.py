"""Paths of the ops files and the promtool they are checked with."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

OPS = Path(__file__).resolve().parents[2] / "ops"
MAPPING_FILE = OPS / "statsd_exporter" / "mapping.yml"
RULES_FILE = OPS / "prometheus" / "rules" / "herald.rules.yml"
RULE_TESTS_DIRECTORY = OPS / "prometheus" / "tests"
DASHBOARD_FILE = OPS / "grafana" / "herald-operations.json"
RUNBOOK_FILE = OPS / "RUNBOOK.md"


@pytest.fixture
def promtool() -> str:
    """promtool's path; the test is skipped, saying why, where it is not installed."""
    path = shutil.which("promtool")
    if path is None:
        pytest.skip("promtool is not installed (Debian: apt-get install prometheus); the rules were not checked")
    return path


def run_promtool(promtool: str, *arguments: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([promtool, *map(str, arguments)], capture_output=True, text=True, timeout=60, check=False)
