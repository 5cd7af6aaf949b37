"""prometheus/statsd_exporter's glob mapping, for the subset ops/statsd_exporter/mapping.yml uses, to turn statsd
metric names into the Prometheus series names (and labels) the exporter would export.

As the exporter documents and implements it (pkg/mapper/fsm): the name is split on dots and a glob `*` matches any
one component, an empty one too; mappings are tried in file order and the first whose glob and `match_metric_type`
(counter, gauge, observer) fit wins; `$n` and `${n}` in a label take the n-th `*`'s text; counters and gauges keep
the mapped name; timers are observers, exported as a histogram (`_bucket`, `_sum`, `_count`) or a summary (the name
itself, `_sum`, `_count`) by `observer_type`, a summary when neither the mapping nor the defaults set it.
Anything the file uses beyond that (regex matches, drop actions, partial-component globs) is refused, not guessed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

STATSD_TYPES = {"c": "counter", "g": "gauge", "ms": "observer", "h": "observer", "d": "observer"}
OBSERVER_SUFFIXES = {"histogram": ("_bucket", "_sum", "_count"), "summary": ("", "_sum", "_count")}
SUPPORTED_KEYS = {"match", "match_metric_type", "name", "help", "labels", "observer_type", "histogram_options"}
CAPTURE = re.compile(r"\$(\d+)|\$\{(\d+)\}")


class UnsupportedMappingError(ValueError):
    """The mapping file uses a feature this reading of the exporter does not implement."""


@dataclass(frozen=True)
class Series:
    """One exported Prometheus series: its name and labels."""

    name: str
    labels: tuple[tuple[str, str], ...]

    def label(self, name: str) -> str | None:
        return dict(self.labels).get(name)


@dataclass(frozen=True)
class MetricMapping:
    components: tuple[str, ...]
    metric_type: str | None
    name: str
    labels: Mapping[str, str]
    observer_type: str

    def captures(self, statsd_name: str) -> list[str] | None:
        """The text each `*` matched, or None when the name does not match the glob."""
        parts = statsd_name.split(".")
        if len(parts) != len(self.components):
            return None
        captures = []
        for pattern, part in zip(self.components, parts, strict=True):
            if pattern == "*":
                captures.append(part)
            elif pattern != part:
                return None
        return captures


class StatsdMapper:
    def __init__(self, mappings: Sequence[MetricMapping]) -> None:
        self.mappings = list(mappings)

    @classmethod
    def from_file(cls, path: Path) -> StatsdMapper:
        document = yaml.safe_load(path.read_text())
        return cls.from_document(document)

    @classmethod
    def from_document(cls, document: Mapping[str, Any]) -> StatsdMapper:
        defaults = document.get("defaults") or {}
        if defaults.get("match_type", "glob") != "glob" or defaults.get("glob_disable_ordering", False):
            raise UnsupportedMappingError("only ordered glob matching is implemented")
        default_observer = defaults.get("observer_type", "summary")
        return cls([_mapping(entry, default_observer) for entry in document["mappings"]])

    def map(self, statsd_name: str, statsd_type: str) -> list[Series]:
        """The series one statsd metric (``statsd_type``: c, g, ms, h or d) is exported as; [] when unmapped."""
        metric_type = STATSD_TYPES[statsd_type]
        for mapping in self.mappings:
            if mapping.metric_type not in (None, metric_type):
                continue
            captures = mapping.captures(statsd_name)
            if captures is None:
                continue
            labels = tuple(sorted((key, _expand(value, captures)) for key, value in mapping.labels.items()))
            if metric_type != "observer":
                return [Series(mapping.name, labels)]
            suffixes = OBSERVER_SUFFIXES[mapping.observer_type]
            return [Series(mapping.name + suffix, labels) for suffix in suffixes]
        return []

    def map_all(self, metrics: Iterable[tuple[str, str]]) -> set[Series]:
        return {series for name, statsd_type in metrics for series in self.map(name, statsd_type)}


def _mapping(entry: Mapping[str, Any], default_observer: str) -> MetricMapping:
    unsupported = set(entry) - SUPPORTED_KEYS
    if unsupported:
        raise UnsupportedMappingError(f"{entry['match']}: unsupported keys {sorted(unsupported)}")
    components = tuple(entry["match"].split("."))
    if any("*" in part and part != "*" for part in components):
        raise UnsupportedMappingError(f"{entry['match']}: a `*` must be a whole component")
    observer_type = entry.get("observer_type", default_observer)
    if observer_type not in OBSERVER_SUFFIXES:
        raise UnsupportedMappingError(f"{entry['match']}: observer_type {observer_type!r}")
    metric_type = entry.get("match_metric_type")
    if metric_type not in (None, "counter", "gauge", "observer"):
        raise UnsupportedMappingError(f"{entry['match']}: match_metric_type {metric_type!r}")
    return MetricMapping(components, metric_type, entry["name"], entry.get("labels") or {}, observer_type)


def _expand(template: str, captures: Sequence[str]) -> str:
    def capture(match: re.Match[str]) -> str:
        index = int(match.group(1) or match.group(2))
        return captures[index - 1] if 0 < index <= len(captures) else ""

    return CAPTURE.sub(capture, template)
