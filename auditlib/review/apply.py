"""Review decisions and corrections applied: to a report (corrected cells), to findings (what the score
skips), and to exports (the review columns). Pure functions over the store's rows.

A corrected cell carries the inspector's value (rules and the score run on it) while the printed text,
its source line and its locator stay as they were; what was printed, and who changed it, is kept in
`report.extra["corrections"]` (path → `AppliedCorrection`), so `auditlib.model` needs no new field.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import polars as pl

from auditlib.findings import Finding
from auditlib.model import CellStatus, Report
from auditlib.review.identity import finding_key, key_of
from auditlib.review.records import GONE_LABEL, Correction, Decision, Status, report_identity, when
from auditlib.review.store import ReviewStore, decisions_of
from auditlib.template import cell_label

if TYPE_CHECKING:
    from auditlib.audit import Outcome
    from auditlib.rubric import Rubric
    from auditlib.score import Score, ScoreContext

__all__ = [
    "COUNT_COLUMNS",
    "REVIEW_HEADERS",
    "AppliedCorrection",
    "ReviewState",
    "Reviewed",
    "apply_corrections",
    "correct_outcome",
    "correction_text",
    "effective_findings",
    "exclusions",
    "record_correction",
    "review_columns",
    "review_counts",
    "review_state",
    "score_outcomes_reviewed",
    "score_reviewed",
]

CORRECTIONS = "corrections"  # report.extra key: cell path → AppliedCorrection
STALE = "stale_corrections"  # report.extra key: corrections not applied because the printed text changed

_PRINTED = {CellStatus.BLANK: "空白", CellStatus.MISSING: "（未找到）", CellStatus.UNPLACED: "（无法确定所在列）",
            CellStatus.AMBIGUOUS: "（数字粘连，拆分不唯一）"}


def _show(value: int | float | None) -> str:
    if value is None:
        return "空白"
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


@dataclass(frozen=True)
class AppliedCorrection:
    """A cell as printed and as corrected, with who corrected it, when and why."""

    cell: str
    printed: str | None  # the text as printed
    printed_value: int | float | None  # what the parser read from it
    printed_status: CellStatus
    value: int | float
    note: str
    reviewer: str
    at: str
    lines: tuple[int, ...] = ()
    source: str = ""  # the printed source line(s)
    where: str = ""

    @property
    def text(self) -> str:
        """「原文 X，人工更正为 Y」, the words every page shows beside the cell."""
        if self.printed_status is CellStatus.OK or (self.printed and self.printed.strip()):
            original = (self.printed or "").strip() or _show(self.printed_value)
        else:
            original = _PRINTED.get(self.printed_status, "空白")
        return f"原文 {original}，人工更正为 {_show(self.value)}"

    @property
    def label(self) -> str:
        """The cell as the template names it, e.g. 申请情况表·一、本年新收…·自然人."""
        return cell_label(self.cell)


def _same_print(a: str | None, b: str | None) -> bool:
    return "".join((a or "").split()) == "".join((b or "").split())


def apply_corrections(report: Report, corrections: Mapping[str, Correction] | Iterable[Correction]) -> Report:
    """A new Report whose corrected cells hold the inspector's value (status ok), printed text and source kept.

    A correction made when the cell printed something else (the agency re-published a changed report)
    is not applied: it is listed in `report.extra["stale_corrections"]` for the page to show.
    """
    items = list(corrections.values()) if isinstance(corrections, Mapping) else list(corrections)
    cells = dict(report.cells)
    applied: dict[str, AppliedCorrection] = {}
    stale: list[Correction] = []
    for c in items:
        if c.value is None:
            continue
        cell = report.cell(c.cell)
        if c.printed is not None and not _same_print(c.printed, cell.raw):
            stale.append(c)
            continue
        applied[c.cell] = AppliedCorrection(c.cell, cell.raw, cell.value, cell.status, c.value, c.note, c.reviewer,
                                            c.at, cell.lines, cell.source, cell.where)
        cells[c.cell] = replace(cell, value=c.value, status=CellStatus.OK)
    if not applied and not stale:
        return report
    extra = {**report.extra, CORRECTIONS: applied, STALE: stale}
    return replace(report, cells=cells, extra=extra)


def correction_text(report: Report | None, cell: str) -> str | None:
    """「原文 X，人工更正为 Y」 for a corrected cell of `report`, None when the cell was not corrected."""
    if report is None:
        return None
    applied = report.extra.get(CORRECTIONS) or {}
    c = applied.get(cell)
    return c.text if isinstance(c, AppliedCorrection) else None


def record_correction(store: ReviewStore, report: Report, cell: str, value: int | float | None, note: str,
                      reviewer: str, source: str = "api") -> Correction:
    """Store a correction of `cell` in `report`, remembering what the report printed there (one call for every UI)."""
    if cell not in report.cells:
        raise ValueError(f"单元格“{cell}”不是模板中的单元格（应写作 表.行.列，如 applications.1.natural_person）")
    printed = report.cells[cell]
    return store.set_correction(report_identity(report), cell, value, note, reviewer, printed=printed.raw or "",
                                printed_status=str(printed.status), report_path=report.path, source=source)


def correct_outcome(outcome: Outcome, store: ReviewStore | Mapping[str, Correction] | None) -> Outcome:
    """The outcome re-checked on its corrected report (same object when nothing is corrected).

    Call it on each outcome before `add_corpus_findings`, so the rules across reports see the
    corrected values too.
    """
    from auditlib.audit import Outcome
    from auditlib.rules import check_report

    if outcome.report is None or store is None:
        return outcome
    corrections = store.corrections_for(outcome.report) if isinstance(store, ReviewStore) else store
    if not corrections:
        return outcome
    corrected = apply_corrections(outcome.report, corrections)
    if corrected is outcome.report:
        return outcome
    return Outcome(outcome.path, corrected, check_report(corrected), outcome.error)


# ---------------------------------------------------------------------------------------------
# Decisions on findings
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reviewed:
    """A finding with its key and its current decision (None: never reviewed, i.e. 待复核)."""

    finding: Finding
    key: str
    decision: Decision | None = None

    @property
    def status(self) -> Status:
        return self.decision.status if self.decision is not None else Status.PENDING

    @property
    def dismissed(self) -> bool:
        return self.status is Status.DISMISSED

    @property
    def label(self) -> str:
        return self.status.label


def effective_findings(findings: Sequence[Finding],
                       decisions: ReviewStore | Mapping[str, Decision] | None) -> list[Reviewed]:
    """Each finding with its current decision, in order; `.dismissed` marks the ones the score skips."""
    current = decisions_of(decisions)
    out = []
    for f in findings:
        key = finding_key(f)
        out.append(Reviewed(f, key, current.get(key)))
    return out


def score_reviewed(reviewed: Sequence[Reviewed], rubric: Rubric, report: Report | None = None,
                   context: ScoreContext | None = None) -> Score:
    """`auditlib.score.score_report` over the findings not dismissed; deduction indices point into `reviewed`.

    A finding of a rule that voids the score (the rubric's fatal_rules, e.g. UNREADABLE) is never
    skipped: a report that cannot be read cannot be scored, whatever the review says.
    """
    from auditlib.score import score_report

    kept = [i for i, r in enumerate(reviewed) if not r.dismissed or r.finding.rule in rubric.fatal_rules]
    score = score_report([reviewed[i].finding for i in kept], rubric, report, context)
    deductions = tuple(replace(d, findings=tuple(kept[k] for k in d.findings)) for d in score.deductions)
    return replace(score, deductions=deductions)


def score_outcomes_reviewed(outcomes: Sequence[Outcome], decisions: ReviewStore | Mapping[str, Decision] | None,
                            rubric: Rubric) -> list[Score]:
    """`auditlib.score.score_outcomes` with dismissed findings skipped: one score per outcome, in order."""
    from auditlib.score import contexts

    current = decisions_of(decisions)
    return [replace(score_reviewed(effective_findings(o.findings, current), rubric, o.report, ctx), report=o.path)
            for o, ctx in zip(outcomes, contexts(outcomes), strict=True)]


def exclusions(reviewed: Sequence[Reviewed]) -> list[str]:
    """For the score section: one Chinese line per dismissed finding saying why it deducts nothing."""
    out = []
    for r in reviewed:
        if r.dismissed and r.decision is not None:
            note = f"：{r.decision.note}" if r.decision.note else ""
            out.append(f"{r.finding.rule}「{r.finding.message}」经复核排除（误报），不扣分"
                       f"（{r.decision.reviewer}，{when(r.decision.at)}{note}）")
    return out


@dataclass(frozen=True)
class ReviewState:
    """What a page shows: each finding's decision, and the decisions whose finding no longer occurs."""

    findings: tuple[Reviewed, ...]
    orphans: tuple[Decision, ...]  # shown as 已不存在, with what the finding said when it was decided

    def counts(self) -> dict[str, int]:
        """Chinese status label → how many findings have it (every label listed; 已不存在 too)."""
        out = {s.label: 0 for s in Status}
        for r in self.findings:
            out[r.label] += 1
        out[GONE_LABEL] = len(self.orphans)
        return out


def review_state(findings: Sequence[Finding], store: ReviewStore | Mapping[str, Decision] | None,
                 scope: Iterable[tuple[str | None, int | None]] | None = None) -> ReviewState:
    """Per finding its decision, plus orphaned decisions (their finding is gone) of the same agencies and years.

    `scope` is the (agency, year) pairs whose orphans to report; by default those of `findings`
    (an agency page passes its report's pair, so a report without findings still shows its orphans).
    """
    from auditlib.review.identity import agency_identity

    current = decisions_of(store)
    reviewed = effective_findings(findings, current)
    present = {r.key for r in reviewed}
    pairs = list(scope) if scope is not None else [(f.agency, f.year) for f in findings]
    wanted = {(agency_identity(a), y) for a, y in pairs}
    orphans = tuple(d for k, d in current.items()
                    if k not in present and (agency_identity(d.agency, d.report or ""), d.year) in wanted)
    return ReviewState(tuple(reviewed), orphans)


# ---------------------------------------------------------------------------------------------
# Exports
# ---------------------------------------------------------------------------------------------

REVIEW_HEADERS = {"review_key": "复核编号", "review_status": "复核结论", "review_note": "复核意见",
                  "reviewer": "复核人", "reviewed_at": "复核时间"}


def review_columns(frame: pl.DataFrame, decisions: ReviewStore | Mapping[str, Decision] | None) -> pl.DataFrame:
    """The findings frame with review_key / review_status / review_note / reviewer / reviewed_at added.

    `frame` has the findings schema (report, agency, year, rule, cells, message); `cells` may be a
    list or already joined with ';' (as in the CSV and xlsx). Rename with REVIEW_HEADERS for people.
    """
    current = decisions_of(decisions)
    keys, statuses, notes, reviewers, times = [], [], [], [], []
    for row in frame.select("report", "agency", "year", "rule", "cells", "message").iter_rows():
        report, agency, year, rule, cells, message = row
        key = key_of(agency, year, rule, _cells(cells), message or "", report or "")
        d = current.get(key)
        keys.append(key)
        statuses.append(d.status.label if d else Status.PENDING.label)
        notes.append(d.note if d else "")
        reviewers.append(d.reviewer if d else "")
        times.append(when(d.at, seconds=True) if d else "")
    return frame.with_columns(pl.Series("review_key", keys, pl.String), pl.Series("review_status", statuses, pl.String),
                              pl.Series("review_note", notes, pl.String), pl.Series("reviewer", reviewers, pl.String),
                              pl.Series("reviewed_at", times, pl.String))


COUNT_COLUMNS = {"pending": Status.PENDING.label, "confirmed": Status.CONFIRMED.label,
                 "dismissed": Status.DISMISSED.label, "needs_material": Status.NEEDS_MATERIAL.label,
                 "gone": GONE_LABEL}


def review_counts(frame: pl.DataFrame, decisions: ReviewStore | Mapping[str, Decision] | None) -> pl.DataFrame:
    """For the overview: one row per report of `frame` (findings schema) with how many of its findings are
    pending / confirmed / dismissed / needs_material, and how many of its decisions are gone (已不存在).
    Column names are COUNT_COLUMNS' keys; a report without findings is absent (join and fill 0)."""
    from auditlib.review.identity import agency_identity

    current = decisions_of(decisions)
    reviewed = review_columns(frame, current)
    by_label = {label: name for name, label in COUNT_COLUMNS.items()}
    present = set(reviewed["review_key"].to_list())
    gone: dict[tuple[str, int | None], int] = {}
    for key, d in current.items():
        if key not in present:
            pair = (agency_identity(d.agency, d.report or ""), d.year)
            gone[pair] = gone.get(pair, 0) + 1
    rows: dict[str, dict[str, Any]] = {}
    for report, agency, year, label in reviewed.select("report", "agency", "year", "review_status").iter_rows():
        row = rows.setdefault(report, {"report": report, "agency": agency, "year": year,
                                       **dict.fromkeys(COUNT_COLUMNS, 0)})
        row[by_label[label]] += 1
    for row in rows.values():
        row["gone"] = gone.get((agency_identity(row["agency"], row["report"] or ""), row["year"]), 0)
    schema = {"report": pl.String, "agency": pl.String, "year": pl.Int64, **dict.fromkeys(COUNT_COLUMNS, pl.Int64)}
    return pl.DataFrame(list(rows.values()), schema=schema)


def _cells(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [c for c in value.split(";") if c]
    return [str(c) for c in value]
