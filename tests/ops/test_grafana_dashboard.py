"""The Grafana dashboard: an importable JSON model whose every query uses the `${DS_PROMETHEUS}` input and parses."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from tests.ops.conftest import DASHBOARD_FILE, run_promtool
from tests.ops.promql_selectors import dashboard_expressions, panels, selectors

DATASOURCE = {"type": "prometheus", "uid": "${DS_PROMETHEUS}"}
# Grafana's variables, as Prometheus would see them once Grafana has filled them in.
GRAFANA_VARIABLES = {"$__rate_interval": "5m", "$__range": "6h", "$environment": "production"}


def dashboard() -> dict[str, Any]:
    return json.loads(DASHBOARD_FILE.read_text())


def test_the_dashboard_asks_for_a_prometheus_datasource_on_import() -> None:
    model = dashboard()

    assert model["__inputs"] == [
        {
            "name": "DS_PROMETHEUS",
            "label": "Prometheus",
            "description": "The Prometheus that scrapes Herald's statsd_exporter",
            "type": "datasource",
            "pluginId": "prometheus",
            "pluginName": "Prometheus",
        }
    ]
    assert model["id"] is None
    assert model["uid"] == "herald-operations"


def test_every_panel_query_and_variable_reads_the_input_datasource() -> None:
    model = dashboard()
    graphs = [panel for panel in panels(model) if panel["type"] != "row"]

    assert graphs != []
    assert all(panel["datasource"] == DATASOURCE for panel in graphs)
    assert all(target["datasource"] == DATASOURCE for panel in graphs for target in panel["targets"])
    assert all(variable["datasource"] == DATASOURCE for variable in model["templating"]["list"])


def test_panel_ids_are_unique_and_every_panel_has_a_place() -> None:
    every_panel = list(panels(dashboard()))

    assert len({panel["id"] for panel in every_panel}) == len(every_panel)
    assert all({"h", "w", "x", "y"} <= set(panel["gridPos"]) for panel in every_panel)


def test_every_query_reads_herald_metrics() -> None:
    assert all(selectors(expression) != [] for expression in dashboard_expressions(DASHBOARD_FILE))


def test_every_panel_query_parses_as_promql(promtool: str, tmp_path: Path) -> None:
    expressions = [target["expr"] for panel in panels(dashboard()) for target in panel.get("targets", [])]
    for variable, value in GRAFANA_VARIABLES.items():
        expressions = [expression.replace(variable, value) for expression in expressions]
    # promtool parses PromQL only inside rules: each query becomes a recording rule of its own.
    records = [{"record": f"herald:dashboard_query_{index}", "expr": expr} for index, expr in enumerate(expressions)]
    rules_file = tmp_path / "dashboard_queries.yml"
    rules_file.write_text(yaml.safe_dump({"groups": [{"name": "dashboard", "rules": records}]}))

    result = run_promtool(promtool, "check", "rules", rules_file)

    assert result.returncode == 0, result.stdout + result.stderr
