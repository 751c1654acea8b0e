"""Peers and history of a batch: pure functions from outcomes (and scores) to polars frames.

- `peers_frame`: for each year and level (乡镇/街道, 县区政府, 部门: `score.agency_kind`), each key figure's
  quartiles among the reports of that year and level, and which quartile each report falls in.
- `history_frame`: for each agency across years: score, grade, key figures, finding counts and the report
  counted as its last year's (`previous_year_index`, the pairing CARRY-OVER-MISMATCH and YOY-CHANGE use).
  `history_key` says which reports are one agency's history: those of one `agency_key`, or for a name
  several agencies share (`shared_names`: two 石桥镇 of different districts), those of one place printed
  before the name, or without one, those of one folder.

The key figures are `rules.year_on_year.KEY_FIGURES` (template cells); a figure that is unknown (blank,
missing) is null and takes no part in the quartiles.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

import polars as pl

from auditlib.findings import Severity
from auditlib.rules.cross_report import agency_key, agency_place, previous_year_index, shared_names
from auditlib.rules.year_on_year import KEY_FIGURES
from auditlib.score import Score, agency_kind

if TYPE_CHECKING:
    from auditlib.audit import Outcome
    from auditlib.model import Report

__all__ = ["FIGURE_COLUMNS", "HISTORY_SCHEMA", "LEVELS", "PEERS_SCHEMA", "history_frame", "level", "peers_frame"]

LEVELS = {"township": "乡镇/街道", "government": "县区政府", "department": "部门"}

# cell path → column name of history_frame (and `figure` of peers_frame), in KEY_FIGURES order.
FIGURE_COLUMNS = {
    "applications.1.total": "new_applications",
    "applications.3.7.total": "results_total",
    "review_litigation.review.total": "review_total",
    "review_litigation.litigation_direct.total": "litigation_direct_total",
    "review_litigation.litigation_after_review.total": "litigation_after_review_total",
}
assert list(FIGURE_COLUMNS) == list(KEY_FIGURES), "FIGURE_COLUMNS must follow KEY_FIGURES"


def level(agency: str | None) -> str:
    """乡镇/街道, 县区政府 or 部门 (by the name, as the publication deadline is chosen)."""
    return LEVELS[agency_kind(agency)]


PEERS_SCHEMA: dict[str, Any] = {
    "report": pl.String,
    "agency": pl.String,
    "year": pl.Int64,
    "level": pl.String,
    "figure": pl.String,  # FIGURE_COLUMNS value
    "label": pl.String,  # KEY_FIGURES label (Chinese)
    "value": pl.Float64,
    "peers": pl.Int64,  # reports of the year and level with this figure known (the report included)
    "q1": pl.Float64,
    "median": pl.Float64,
    "q3": pl.Float64,
    "quartile": pl.Int64,  # 1 = lowest quarter … 4 = highest; null when the value is unknown
}


def _readable(outcomes: Sequence[Outcome]) -> list[Outcome]:
    return [o for o in outcomes if o.report is not None]


def peers_frame(outcomes: Sequence[Outcome]) -> pl.DataFrame:
    """One row per readable report with a year × key figure: the figure's place among its year and level."""
    rows = []
    for o in _readable(outcomes):
        r = o.report
        assert r is not None
        if r.year is None:
            continue
        for path, name in FIGURE_COLUMNS.items():
            v = r.value(path)
            rows.append({"report": o.path, "agency": r.agency, "year": r.year, "level": level(r.agency),
                         "figure": name, "label": KEY_FIGURES[path], "value": None if v is None else float(v)})
    base = pl.DataFrame(rows, schema={k: PEERS_SCHEMA[k] for k in list(PEERS_SCHEMA)[:7]})
    group = ["year", "level", "figure"]
    val = pl.col("value")
    out = base.with_columns(
        val.count().over(group).cast(pl.Int64).alias("peers"),
        val.quantile(0.25, "linear").over(group).alias("q1"),
        val.quantile(0.5, "linear").over(group).alias("median"),
        val.quantile(0.75, "linear").over(group).alias("q3"),
    ).with_columns(
        pl.when(val.is_null()).then(None)
        .when(val <= pl.col("q1")).then(1)
        .when(val <= pl.col("median")).then(2)
        .when(val <= pl.col("q3")).then(3)
        .otherwise(4).cast(pl.Int64).alias("quartile"),
    )
    return out.select(list(PEERS_SCHEMA)).cast(pl.Schema(PEERS_SCHEMA))


HISTORY_SCHEMA: dict[str, Any] = {
    "agency_key": pl.String,
    "history_key": pl.String,  # reports of one history share it (agency_key; agency_key@place or #n for a shared name)
    "agency": pl.String,
    "year": pl.Int64,
    "report": pl.String,
    "score": pl.Float64,  # null when no scores were given
    "grade": pl.String,
    **{name: pl.Float64 for name in FIGURE_COLUMNS.values()},
    "findings": pl.Int64,
    "errors": pl.Int64,
    "warnings": pl.Int64,
    "prior_report": pl.String,  # the report counted as the agency's previous year's; null if none
}


def history_frame(outcomes: Sequence[Outcome], scores: Sequence[Score] | None = None) -> pl.DataFrame:
    """One row per readable report with a recognised agency, sorted by agency key, then year, then input order.

    `scores` (aligned with `outcomes`, e.g. `score_outcomes(outcomes)`) fills score and grade.
    """
    if scores is not None and len(scores) != len(outcomes):
        raise ValueError("scores must be aligned with outcomes")
    readable = [(k, o) for k, o in enumerate(outcomes) if o.report is not None]
    reports = [o.report for _, o in readable if o.report is not None]
    prior = previous_year_index(reports)
    histories = _history_keys(reports)
    rows = []
    for n, (k, o) in enumerate(readable):
        r = reports[n]
        key = agency_key(r.agency)
        if key is None:
            continue
        s = scores[k] if scores is not None else None
        rows.append({
            "agency_key": key, "history_key": histories[n], "agency": r.agency, "year": r.year, "report": o.path,
            "score": s.score if s is not None else None, "grade": s.grade if s is not None else None,
            **{name: _float(r.value(path)) for path, name in FIGURE_COLUMNS.items()},
            "findings": len(o.findings),
            "errors": sum(f.severity is Severity.ERROR for f in o.findings),
            "warnings": sum(f.severity is Severity.WARNING for f in o.findings),
            "prior_report": readable[prior[n]][1].path if n in prior else None,
            "_order": n,
        })
    frame = pl.DataFrame(rows, schema={**HISTORY_SCHEMA, "_order": pl.Int64})
    return frame.sort(["agency_key", "year", "_order"], nulls_last=True).drop("_order")


def _history_keys(reports: Sequence[Report]) -> list[str | None]:
    """For each report, the key of the history it belongs to: its `agency_key`, or for a name several
    agencies share, that key and its place (`agency_place`) or, without one, its folder's number (None
    without a recognised agency)."""
    shared = shared_names(reports)
    number: dict[tuple[str, PurePath], int] = {}
    out: list[str | None] = []
    for r in reports:
        key = agency_key(r.agency)
        if key is not None and key in shared:
            place = agency_place(r)
            key = f"{key}@{place}" if place else f"{key}#{number.setdefault((key, PurePath(r.path).parent), len(number) + 1)}"
        out.append(key)
    return out


def _float(v: int | float | None) -> float | None:
    return None if v is None else float(v)
