"""The review as a page shows it: each finding's decision, the corrected cells, read from the run folder.

The store is opened read-only: a page never creates or changes `<out>/review.sqlite`; without one,
every finding is 待复核 and no cell is corrected.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from auditlib.audit import Outcome
from auditlib.findings import Finding
from auditlib.model import Report
from auditlib.review.apply import CORRECTIONS, AppliedCorrection, ReviewState, correct_outcome, review_state
from auditlib.review.records import Status, when
from auditlib.review.store import read_store


@dataclass(frozen=True)
class FindingReview:
    """One finding's review as shown beside it: the status label, and who decided it, when, and why."""

    status: str  # Status value: pending, confirmed, dismissed, needs_material
    label: str  # 待复核 / 确认问题 / 排除（误报） / 需补充材料
    reviewer: str = ""
    at: str = ""  # 2026-12-03 09:30
    note: str = ""

    @property
    def line(self) -> str:
        """「确认问题（张三，2026-12-03 09:30）：意见」, or 「待复核」."""
        who = "，".join(x for x in (self.reviewer, self.at) if x)
        return self.label + (f"（{who}）" if who else "") + (f"：{self.note}" if self.note else "")


PENDING = FindingReview(Status.PENDING.value, Status.PENDING.label)


def reviewed_outcome(outcome: Outcome, run_dir: str, corpus_findings: Iterable[Finding] = ()) -> tuple[Outcome, ReviewState]:
    """The outcome on its corrected report (rules re-run), corpus findings appended, and each finding's decision."""
    store = read_store(run_dir) if run_dir else None
    try:
        outcome = correct_outcome(outcome, store)
        outcome.findings.extend(corpus_findings)
        report = outcome.report
        scope = [(report.agency, report.year)] if report is not None else None
        return outcome, review_state(outcome.findings, store, scope)
    finally:
        if store is not None:
            store.close()


def finding_reviews(state: ReviewState | None) -> dict[int, FindingReview]:
    """Index of a finding in the report's list → its review (every finding; 待复核 when undecided)."""
    if state is None:
        return {}
    out = {}
    for k, r in enumerate(state.findings):
        d = r.decision
        out[k] = PENDING if d is None else FindingReview(d.status.value, d.status.label, d.reviewer,
                                                          when(d.at), d.note)
    return out


def corrections(report: Report | None) -> list[AppliedCorrection]:
    """The corrected cells of a report, in template order of their paths."""
    if report is None:
        return []
    applied: Mapping[str, AppliedCorrection] = report.extra.get(CORRECTIONS) or {}
    return [applied[p] for p in report.cells if p in applied]


def correction_line(c: AppliedCorrection) -> str:
    """「原文 X，人工更正为 Y（张三，2026-12-03 09:30：依据…）」."""
    who = "，".join(x for x in (c.reviewer, when(c.at)) if x)
    return c.text + (f"（{who}" + (f"：{c.note}" if c.note else "") + "）" if who or c.note else "")
