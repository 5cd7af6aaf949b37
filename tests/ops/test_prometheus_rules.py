"""The alerting rules: valid for Prometheus, their unit tests pass, and each one has a severity and a runbook."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.ops.conftest import RULE_TESTS_DIRECTORY, RULES_FILE, RUNBOOK_FILE, run_promtool
from tests.ops.promql_selectors import rules, selectors

ALERTS = [rule for rule in rules(RULES_FILE) if "alert" in rule]


def runbook_anchors() -> set[str]:
    """GitHub's anchors for the runbook's `##` headings (lower case, spaces to dashes, punctuation dropped)."""
    headings = re.findall(r"^## (.+)$", RUNBOOK_FILE.read_text(), flags=re.MULTILINE)
    return {re.sub(r"[^a-z0-9 -]", "", heading.strip().lower()).replace(" ", "-") for heading in headings}


def test_promtool_finds_the_rules_valid(promtool: str) -> None:
    result = run_promtool(promtool, "check", "rules", RULES_FILE)

    assert result.returncode == 0, result.stdout + result.stderr
    assert f"SUCCESS: {len(rules(RULES_FILE))} rules found" in result.stdout


@pytest.mark.parametrize("test_file", sorted(RULE_TESTS_DIRECTORY.glob("*.yml")), ids=lambda path: path.name)
def test_the_alert_unit_tests_pass(promtool: str, test_file: Path) -> None:
    result = run_promtool(promtool, "test", "rules", test_file)

    assert result.returncode == 0, result.stdout + result.stderr


def test_there_are_alert_unit_tests() -> None:
    assert sorted(RULE_TESTS_DIRECTORY.glob("*.yml")) != []


@pytest.mark.parametrize("alert", ALERTS, ids=lambda alert: alert["alert"])
def test_every_alert_points_at_its_own_runbook_section(alert: dict[str, object]) -> None:
    anchor = str(alert["annotations"]["runbook"]).removeprefix("ops/RUNBOOK.md#")

    assert anchor == alert["alert"].lower()
    assert anchor in runbook_anchors()


@pytest.mark.parametrize("alert", ALERTS, ids=lambda alert: alert["alert"])
def test_every_alert_has_a_severity_a_summary_and_reads_herald_metrics(alert: dict[str, object]) -> None:
    assert alert["labels"]["severity"] in {"critical", "warning"}
    assert alert["annotations"]["summary"]
    assert selectors(str(alert["expr"])) != []


def test_every_runbook_section_belongs_to_an_alert() -> None:
    assert runbook_anchors() == {alert["alert"].lower() for alert in ALERTS}
