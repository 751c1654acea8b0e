"""The overview's 机关 × 规则 grid as an HTML table: one row per agency with findings, one column per rule.

An HTML table, not a chart: at 2,000 agencies an Altair heatmap is a picture thousands of pixels tall
with all its data inlined twice; the table's header stays in view (sticky), its rows carry the same
`data-*` attributes as the agencies table, so the overview's filters hide rows of both at once, and a
hidden row takes no room. The cost is one cell per agency and rule of the run, with nothing in an empty one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import polars as pl

from auditlib.render.data import _RANK, SEVERITIES, SEVERITY_COLORS, SEVERITY_RANK, rule_name

__all__ = ["HeatmapColumn", "heatmap_columns", "heatmap_cells"]


@dataclass(frozen=True)
class HeatmapColumn:
    """A rule of the grid: its ID, its Chinese short name (shown first) and severity."""

    rule: str
    name: str
    severity: str


def heatmap_columns(findings: pl.DataFrame) -> list[HeatmapColumn]:
    """The rules that fired, errors first, then warnings, then hints; by ID within a severity."""
    if findings.is_empty():
        return []
    worst = (findings.with_columns(SEVERITY_RANK.alias("_o"))
             .group_by("rule").agg(pl.col("_o").min()).sort("_o", "rule"))
    return [HeatmapColumn(rule, rule_name(rule), _BY_RANK.get(o, "info")) for rule, o in worst.iter_rows()]


def heatmap_cells(findings: pl.DataFrame, columns: Sequence[HeatmapColumn]) -> Mapping[str, list[tuple[int, str]]]:
    """For each agency key with findings: one (count, background colour) per column; (0, "") when none.

    The colour is the worst severity of the agency's findings of that rule.
    """
    if findings.is_empty() or not columns:
        return {}
    at = {c.rule: i for i, c in enumerate(columns)}
    counts = (findings.with_columns(SEVERITY_RANK.alias("_o"))
              .group_by("key", "rule").agg(pl.len().alias("n"), pl.col("_o").min()))
    out: dict[str, list[tuple[int, str]]] = {}
    for key, rule, n, o in counts.iter_rows():
        row = out.setdefault(key, [(0, "")] * len(columns))
        row[at[rule]] = (int(n), _STRONG[_BY_RANK.get(o, "info")])
    return out


_BY_RANK = {rank: s for s, rank in _RANK.items()}
_STRONG = {s: SEVERITY_COLORS[s][1] for s in SEVERITIES}  # the severity's text colour, as the cell's background
