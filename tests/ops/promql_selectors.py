"""The metric selectors in Herald's alert rules and dashboard: every `herald_*` series name with its label matchers.

Herald's exported metrics all start with `herald_` (ops/statsd_exporter/mapping.yml), and no function, keyword or
label name in the rules does, so a series name is any `herald_…` identifier outside a string; its matchers are the
`{…}` that follows it. Grafana's template variables (`$environment`, `${queue}`) stand for any value.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tests.ops.statsd_mapping import Series

SELECTOR = re.compile(r"\b(herald_[a-zA-Z0-9_:]*)\s*(\{[^}]*\})?")
MATCHER = re.compile(r"\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*\"((?:[^\"\\]|\\.)*)\"\s*,?")
VARIABLE = re.compile(r"\$\{?\w+\}?")


@dataclass(frozen=True)
class Selector:
    name: str
    matchers: tuple[tuple[str, str, str], ...]  # (label, operator, value)

    def __str__(self) -> str:
        inner = ", ".join(f'{label}{operator}"{value}"' for label, operator, value in self.matchers)
        return f"{self.name}{{{inner}}}" if inner else self.name

    def selects(self, series: Series) -> bool:
        return series.name == self.name and all(
            _matches(series.label(label) or "", operator, value) for label, operator, value in self.matchers
        )


def _matches(actual: str, operator: str, value: str) -> bool:
    if VARIABLE.search(value):
        operator = {"=": "=~", "!=": "!~"}.get(operator, operator)
        value = VARIABLE.sub(".*", value)
    if operator == "=":
        return actual == value
    if operator == "!=":
        return actual != value
    is_match = re.fullmatch(value, actual) is not None
    return is_match if operator == "=~" else not is_match


def selectors(expression: str) -> list[Selector]:
    """Every `herald_*` selector in a PromQL ``expression``. Raises ValueError on matchers it cannot read."""
    found = []
    for match in SELECTOR.finditer(expression):
        body = (match.group(2) or "{}")[1:-1]
        matchers = []
        position = 0
        while position < len(body.strip()):
            matcher = MATCHER.match(body, position)
            if matcher is None:
                raise ValueError(f"cannot read the matchers of {match.group(0)!r}")
            matchers.append((matcher.group(1), matcher.group(2), matcher.group(3)))
            position = matcher.end()
        found.append(Selector(match.group(1), tuple(matchers)))
    return found


def rules(path: Path) -> list[dict[str, Any]]:
    """Every rule (alert or record) of a Prometheus rules file."""
    document = yaml.safe_load(path.read_text())
    return [rule for group in document["groups"] for rule in group["rules"]]


def panels(dashboard: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every panel of a Grafana dashboard model, those inside collapsed rows included."""
    for panel in dashboard["panels"]:
        yield panel
        yield from panel.get("panels", [])


def dashboard_expressions(path: Path) -> list[str]:
    """The PromQL of every panel target and query variable of a Grafana dashboard JSON model."""
    dashboard = json.loads(path.read_text())
    expressions = [target["expr"] for panel in panels(dashboard) for target in panel.get("targets", [])]
    for variable in dashboard.get("templating", {}).get("list", []):
        if variable.get("type") == "query":
            query = variable["query"]
            expressions.append(query["query"] if isinstance(query, dict) else query)
    return expressions
