"""What the overview reads from a batch run's folder: summary.json and findings.parquet (never the reports)."""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from auditlib.findings import SEVERITY_ORDER, Severity
from auditlib.history import level
from auditlib.render.data import SEVERITIES, UNSCORED, points
from auditlib.review.apply import COUNT_COLUMNS, review_counts
from auditlib.review.store import read_store
from auditlib.rubric import Rubric, load_rubric
from auditlib.score import grade_counts as _grade_counts

SUMMARY_SCHEMA = {
    "key": pl.String, "agency": pl.String, "year": pl.Int64, "report": pl.String, "page": pl.String,
    "status": pl.String, "error": pl.String, "errors": pl.Int64, "warnings": pl.Int64, "infos": pl.Int64,
    "worst_rule": pl.String, "score": pl.Float64, "grade": pl.String, "rank": pl.Int64, "deductions": pl.String,
    # from the page's batch_context (`render.context.summary_facts`); a summary.json of an older run lacks them
    "level": pl.String, "region": pl.String, "prior_name": pl.String, "prior_page": pl.String,
}
# whether the batch made the agency's page (not the inspector's review: see REVIEW_COLUMNS)
STATUS_LABELS = {"ok": "已生成", "unreadable": "无法读取", "failed": "生成失败"}
REVIEW_COLUMNS = COUNT_COLUMNS  # pending … gone → 待复核 …: how many of an agency's findings have each status


@dataclass
class RunData:
    """What the overview reads from a batch run's folder (never the reports themselves)."""

    run_dir: str
    agencies: pl.DataFrame  # one row per agency: SUMMARY_SCHEMA, then the REVIEW_COLUMNS counts
    findings: pl.DataFrame  # every finding, with `key` and `page` of its agency
    generated: str = ""
    grades: list[tuple[str, float]] = field(default_factory=list)  # the rubric's grades (name, minimum), best first

    @property
    def empty(self) -> bool:
        return self.agencies.is_empty()


def load_run(run_dir: str, min_severity: str = "info", exclude_rules: Collection[str] = ()) -> RunData:
    """The batch's `summary.json` and `findings.parquet`; empty frames when the folder holds no run yet.

    Each agency gets its findings' review counts (REVIEW_COLUMNS) from the folder's review store,
    opened read-only; without one, every finding counts as 待复核.
    """
    base = Path(run_dir)
    summary_path, findings_path = base / "summary.json", base / "findings.parquet"
    if not summary_path.exists():
        return RunData(str(base), pl.DataFrame(schema=SUMMARY_SCHEMA), pl.DataFrame())
    summary = json.loads(summary_path.read_text(encoding="utf-8"))
    agencies = pl.DataFrame([{k: a.get(k) for k in SUMMARY_SCHEMA} for a in summary.get("agencies", [])],
                            schema=SUMMARY_SCHEMA)
    agencies = agencies.with_columns(  # an older summary.json: the level by the name, as the batch chooses it
        pl.when(pl.col("level").is_null() & pl.col("agency").is_not_null())
        .then(pl.col("agency").map_elements(level, return_dtype=pl.String)).otherwise(pl.col("level")).alias("level"))
    findings = pl.read_parquet(findings_path) if findings_path.exists() else pl.DataFrame()
    if not findings.is_empty():
        threshold = SEVERITY_ORDER[Severity(min_severity)]
        allowed = [s for s in SEVERITIES if SEVERITY_ORDER[Severity(s)] <= threshold]
        findings = findings.filter(pl.col("severity").is_in(allowed) & ~pl.col("rule").is_in(list(exclude_rules)))
    grades = [(str(g["grade"]), float(g["min"])) for g in summary.get("grades") or []]
    agencies = _with_review_counts(agencies, findings, base)
    return RunData(str(base), agencies, findings, str(summary.get("generated", "")), grades)



def _with_review_counts(agencies: pl.DataFrame, findings: pl.DataFrame, base: Path) -> pl.DataFrame:
    zero = [pl.col(c).fill_null(0).cast(pl.Int64) for c in REVIEW_COLUMNS]
    if findings.is_empty():
        return agencies.with_columns(pl.lit(0, pl.Int64).alias(c) for c in REVIEW_COLUMNS)
    store = read_store(base)
    try:
        counts = review_counts(findings, store).select("report", *REVIEW_COLUMNS)
    finally:
        if store is not None:
            store.close()
    return agencies.join(counts, on="report", how="left").with_columns(zero)


def grade_counts(run: RunData) -> pl.DataFrame:
    """How many agencies of a run got each grade, every grade of the run's rubric in order (for the chart)."""
    return _grade_counts(run.agencies, Rubric((), tuple(run.grades)) if run.grades else load_rubric())



def score_line(run: RunData) -> str:
    """评分：平均 93.3 分；优秀 4 个，良好 1 个，合格 0 个，不合格 0 个"""
    scored = run.agencies.filter(pl.col("score").is_not_null())
    if scored.is_empty():
        return f"评分：{UNSCORED}"
    counts = grade_counts(run)
    mean = float(scored["score"].mean())  # type: ignore[arg-type]
    grades = "，".join(f"{g} {n} 个" for g, n in counts.iter_rows())
    return f"评分：平均 {points(round(mean, 1))} 分；{grades}"



GRADE_COLORS = ("#2f855a", "#2b6cb0", "#b7791f", "#c0392b")  # best grade first; the worst is always red


def grade_color(grade: str | None, grades: Sequence[str]) -> str:
    """The colour of a grade: green for the best, red for the worst, in between by rank."""
    if grade is None or grade not in grades:
        return "#777"
    n, i = len(grades), list(grades).index(grade)
    if i == n - 1:
        return GRADE_COLORS[-1]
    return GRADE_COLORS[min(i, len(GRADE_COLORS) - 2)]


def grade_names(run: RunData) -> list[str]:
    return [g for g, _ in run.grades] or [g for g, _ in load_rubric().grades]

