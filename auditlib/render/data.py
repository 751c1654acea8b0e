"""The data the pages show: the findings frame, which findings a page selects, counts, drill-down records."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from auditlib.audit import UNREADABLE
from auditlib.findings import SEVERITY_ORDER, Finding, Severity, to_frame
from auditlib.model import Cell, CellStatus, Report, SourceLine
from auditlib.render.reviewed import FindingReview
from auditlib.review.apply import correction_text
from auditlib.rules import REGISTRY
from auditlib.score import Score
from auditlib.template import SECTIONS, cell_label

SEVERITIES = tuple(str(s) for s in Severity)  # error, warning, info: the reading order
_RANK = {str(s): rank for s, rank in SEVERITY_ORDER.items()}
SEVERITY_RANK = pl.col("severity").replace_strict(_RANK, return_dtype=pl.Int64)  # 0 for an error, … (sorts worst first)
# background, border/text colour per severity
SEVERITY_COLORS = {"error": ("#fde2e1", "#c0392b"), "warning": ("#fff3d1", "#b7791f"), "info": ("#e6f0fb", "#2b6cb0")}
UNSCORED = "未评分"


def severity_label(severity: str | Severity) -> str:
    return Severity(severity).label


def points(x: float) -> str:
    """86.0 → "86", -4.0 → "−4", 2.5 → "2.5": how a score or a deduction is printed."""
    text = str(int(x)) if float(x).is_integer() else f"{x:.2f}".rstrip("0").rstrip(".")
    return text.replace("-", "−")


def score_text(score: Score | None, why: str = "") -> str:
    """The score line of a page heading: 「评分：86 分（良好）」, or 「评分：未评分」 and why."""
    if score is None:
        return f"评分：{UNSCORED}" + (f"（{why}）" if why else "")
    return f"评分：{points(score.score)} 分（{score.grade}）"



def rule_doc(rule_id: str) -> str:
    """What a rule checks, in Chinese: its declared doc (the docstring), for every scope of rule."""
    r = REGISTRY.get(rule_id)
    return (r.doc or r.message) if r is not None else ""


def rule_name(rule_id: str) -> str:
    """A rule's Chinese short name (结转不衔接 for CARRY-OVER-MISMATCH), or "" for an unknown ID."""
    r = REGISTRY.get(rule_id)
    return r.name if r is not None else ""


def rule_label(rule_id: str) -> str:
    """The rule as plain text names it: 「结转不衔接（CARRY-OVER-MISMATCH）」, the short name first."""
    name = rule_name(rule_id)
    return f"{name}（{rule_id}）" if name else rule_id


# ---------------------------------------------------------------------------------------------
# Findings: selection by the notebook's parameters, and the frame the views and charts read
# ---------------------------------------------------------------------------------------------


def selected_indices(findings: Sequence[Finding], rules: Collection[str] = (), exclude_rules: Collection[str] = (),
                     min_severity: str = "info") -> list[int]:
    """Which findings (their indices) a page shows: only `rules` (empty = all), minus `exclude_rules`, at
    `min_severity` or worse. UNREADABLE is always kept: a page must say why it has nothing else to show.
    """
    threshold = SEVERITY_ORDER[Severity(min_severity)]
    keep = []
    for k, f in enumerate(findings):
        if f.rule == UNREADABLE:
            keep.append(k)
            continue
        if rules and f.rule not in rules:
            continue
        if f.rule in exclude_rules or SEVERITY_ORDER[f.severity] > threshold:
            continue
        keep.append(k)
    return keep


def select_findings(findings: Iterable[Finding], rules: Collection[str] = (), exclude_rules: Collection[str] = (),
                    min_severity: str = "info") -> list[Finding]:
    """The findings a page shows (see `selected_indices`)."""
    found = list(findings)
    return [found[k] for k in selected_indices(found, rules, exclude_rules, min_severity)]


def findings_frame(findings: Iterable[Finding], index: Sequence[int] | None = None) -> pl.DataFrame:
    """`findings.to_frame` in reading order (severity, then rule), with a stable `id` per finding.

    `index` is where each finding stands in the report's full list of findings (what a score's
    deductions refer to); by default its position in `findings`.
    """
    frame = to_frame(findings).with_row_index("_pos")
    positions = list(index) if index is not None else list(range(frame.height))
    if len(positions) != frame.height:
        raise ValueError("index 的长度应与问题条数相同")
    frame = frame.with_columns(pl.Series("index", positions, dtype=pl.Int64))
    frame = frame.with_columns(SEVERITY_RANK.alias("_sev"))
    frame = frame.sort(["_sev", "rule", "_pos"]).drop("_sev", "_pos")
    return frame.with_row_index("id", offset=1).with_columns(pl.col("id").cast(pl.Int64))


def worst_rule(frame: pl.DataFrame) -> str | None:
    """The rule to look at first: the most severe, then the most frequent, then by ID."""
    if frame.is_empty():
        return None
    counts = (frame.group_by("rule", "severity").len()
              .with_columns(SEVERITY_RANK.alias("_sev"))
              .sort(["_sev", "len", "rule"], descending=[False, True, False]))
    return str(counts["rule"][0])


def severity_counts(frame: pl.DataFrame) -> dict[str, int]:
    counts = dict.fromkeys(SEVERITIES, 0)
    for sev, n in frame.group_by("severity").len().iter_rows():
        counts[sev] = int(n)
    return counts


# ---------------------------------------------------------------------------------------------
# Cells and the template-shaped tables
# ---------------------------------------------------------------------------------------------


def _number(value: int | float) -> str:
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:f}".rstrip("0").rstrip(".")
    return str(value)


def cell_text(cell: Cell) -> str:
    """What a cell shows: its number, or how it was printed when it is not a number."""
    if cell.status is CellStatus.OK and cell.value is not None:
        return _number(cell.value)
    if cell.status is CellStatus.MISSING:
        return "缺失"
    if cell.status is CellStatus.BLANK:
        return (cell.raw or "").strip() or "空白"
    return (cell.raw or "").strip() or "？"


CELL_STATUS_LABELS = {
    CellStatus.OK: "", CellStatus.BLANK: "印为空白", CellStatus.MISSING: "报告中未找到",
    CellStatus.UNPLACED: "本行数字少于栏目数，无法对应", CellStatus.INVALID: "不是有效数字",
    CellStatus.AMBIGUOUS: "数字粘连，有多种拆分均符合合计，未予采用",
}


def cell_highlights(frame: pl.DataFrame) -> dict[str, str]:
    """cell path → the worst severity of the findings that implicate it."""
    out: dict[str, str] = {}
    for sev, cells in frame.select("severity", "cells").iter_rows():
        for path in cells or ():
            if path not in out or SEVERITY_ORDER[Severity(sev)] < SEVERITY_ORDER[Severity(out[path])]:
                out[path] = sev
    return out


@dataclass(frozen=True)
class CellInfo:
    path: str
    label: str
    table: str
    text: str  # what the cell shows
    status: str
    lines: tuple[int, ...]
    correction: str = ""  # 「原文 X，人工更正为 Y」 when an inspector corrected the cell


@dataclass(frozen=True)
class FindingDetail:
    id: int
    rule: str
    severity: str
    message: str
    doc: str
    cells: tuple[CellInfo, ...]
    sections: tuple[str, ...]  # "section.N" paths the finding names
    lines: tuple[SourceLine, ...]  # the source lines behind the cells (capped)
    marked: frozenset[int] = field(default_factory=frozenset)  # lines the finding itself names
    omitted_lines: int = 0  # lines left out by the cap
    review: FindingReview | None = None  # the inspector's decision (None: the page shows no review)
    evidence: str = ""  # HTML: what the finding is judged on beyond its cells (render.evidence)
    evidence_replaces_source: bool = False  # the evidence holds the source lines (a section's text, passages)

    @property
    def severity_label(self) -> str:
        return severity_label(self.severity)


def _line_numbers(report: Report, row: Mapping[str, Any]) -> list[int]:
    numbers: set[int] = set(row.get("lines") or ())
    for path in row.get("cells") or ():
        cell = report.cells.get(path)
        if cell is not None:
            numbers.update(cell.lines)
        elif path.startswith("section."):
            section = report.sections.get(path.split(".", 1)[1])
            if section is not None and section.line:
                numbers.add(section.line)
    return sorted(numbers)


def finding_detail(report: Report | None, row: Mapping[str, Any], max_source_lines: int = 40,
                   review: FindingReview | None = None) -> FindingDetail:
    """One finding (a row of the findings frame) with its cells and source lines resolved."""
    cells: list[CellInfo] = []
    sections: list[str] = []
    lines: list[SourceLine] = []
    numbers: list[int] = []
    for path in row.get("cells") or ():
        if path.startswith("section."):
            sections.append(path)
            continue
        if report is None:
            continue
        cell = report.cell(path)
        cells.append(CellInfo(path, cell_label(path), cell.table, cell_text(cell), str(cell.status), cell.lines,
                              correction_text(report, path) or ""))
    if report is not None:
        numbers = _line_numbers(report, row)
        by_number = {ln.number: ln for ln in report.lines}
        lines = [by_number[n] for n in numbers[:max_source_lines] if n in by_number]
    return FindingDetail(
        id=int(row.get("id") or 0), rule=str(row["rule"]), severity=str(row["severity"]),
        message=str(row["message"]), doc=rule_doc(str(row["rule"])), cells=tuple(cells), sections=tuple(sections),
        lines=tuple(lines), marked=frozenset(row.get("lines") or ()), omitted_lines=max(0, len(numbers) - max_source_lines),
        review=review,
    )


def finding_details(report: Report | None, frame: pl.DataFrame, max_source_lines: int = 40,
                    reviews: Mapping[int, FindingReview] | None = None) -> list[FindingDetail]:
    """Every finding of the frame, resolved for the drill-down (static page and widget alike).

    `reviews` maps a finding's `index` (its place in the report's findings) to its review.
    """
    return [finding_detail(report, row, max_source_lines, (reviews or {}).get(int(row.get("index") or 0)))
            if reviews else finding_detail(report, row, max_source_lines) for row in frame.iter_rows(named=True)]


def section_name(path: str) -> str:
    key = path.split(".", 1)[-1]
    for s in SECTIONS:
        if s.key == key:
            return f"{s.numeral}、{s.title}"
    return path
