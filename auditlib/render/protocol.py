"""The batch ↔ agency-notebook protocol: the `score` and `corpus_findings` parameters, and the page object.

The batch passes JSON primitives as papermill parameters; these functions turn them back into a
`Score` and `Finding`s, and `agency_page` is the agency notebook's one library call.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from auditlib.audit import Outcome, audit_file
from auditlib.findings import Finding, Severity
from auditlib.model import Report
from auditlib.render.context import BatchContext, context_from_param
from auditlib.render.data import FindingDetail, finding_details, findings_frame, selected_indices
from auditlib.render.env import HtmlFragment
from auditlib.render.evidence import with_evidence
from auditlib.render.history import history_html
from auditlib.render.pages import findings_html, heading_html, score_html, summary_html
from auditlib.render.reviewed import finding_reviews, reviewed_outcome
from auditlib.render.tables import tables_html
from auditlib.review.apply import ReviewState, exclusions, score_reviewed
from auditlib.rubric import RubricError, load_rubric
from auditlib.score import AppliedCap, Deduction, Score, json_number
from auditlib.template import APPLICATIONS


def score_param(score: Score) -> dict[str, Any]:
    """A score as the agency notebook's `score` parameter: JSON primitives only (the batch passes it).

    `deductions[].findings` are indices into the report's findings in audit order: `audit_file`'s own
    findings, then the cross-report ones — the order in which the notebook rebuilds them.
    """
    return {
        "score": json_number(score.score), "grade": score.grade, "total": json_number(score.total),
        "deductions": [{"item": d.item, "points": json_number(d.points), "rules": list(d.rules),
                        "findings": list(d.findings), "note": d.note} for d in score.deductions],
        "unassessed": [{"item": item, "reason": why} for item, why in score.unassessed],
        "caps": [{**c.to_dict(), "findings": list(c.findings)} for c in score.caps],
        "summary": score.summary,
    }


def score_from_param(data: Mapping[str, Any], report: str = "", agency: str | None = None,
                     year: int | None = None) -> Score:
    """The `score` parameter back as a Score (the inverse of `score_param`)."""
    deductions = tuple(
        Deduction(str(d["item"]), float(d["points"]), tuple(str(r) for r in d.get("rules") or ()),
                  tuple(int(k) for k in d.get("findings") or ()), str(d.get("note") or ""))
        for d in data.get("deductions") or ())
    unassessed = tuple((str(u["item"]), str(u.get("reason") or "")) for u in data.get("unassessed") or ())
    caps = tuple(AppliedCap(tuple(str(r) for r in c.get("rules") or ()), str(c["max_grade"]), str(c.get("reason") or ""),
                            float(c.get("points") or 0), tuple(int(k) for k in c.get("findings") or ()))
                 for c in data.get("caps") or ())
    return Score(report, agency, year, float(data["score"]), str(data["grade"]), deductions, unassessed,
                 total=float(data.get("total", 100)), caps=caps)



@dataclass
class AgencyPage:
    """A report's audit, ready to display: the notebook calls one method per cell."""

    outcome: Outcome
    frame: pl.DataFrame
    max_source_lines: int = 40
    index_href: str = ""
    score: Score | None = None
    score_note: str = ""  # how the score was made, when not by the batch
    unscored: str = ""  # why there is no score
    review: ReviewState | None = None  # each finding's decision (None: the page shows no review)
    context: BatchContext = field(default_factory=BatchContext)  # what the batch knows across reports
    run_dir: str = ""  # the batch's folder: the related reports are read with its corrections
    _related: dict[str, Report | None] = field(default_factory=dict, repr=False)

    def related_report(self, path: str) -> Report | None:
        """Another report of the batch (a copy's source, last year's), read once, with its corrections."""
        if path not in self._related:
            outcome, _ = reviewed_outcome(audit_file(path), self.run_dir)
            self._related[path] = outcome.report
        return self._related[path]

    @property
    def report(self) -> Report | None:
        return self.outcome.report

    def heading(self) -> HtmlFragment:
        return heading_html(self.outcome, self.index_href, self.score, self.unscored)

    def score_section(self) -> HtmlFragment:
        excluded = exclusions(self.review.findings) if self.review is not None else []
        return score_html(self.score, self.frame, self.outcome.findings, self.score_note, self.unscored, excluded)

    def summary(self) -> HtmlFragment:
        return summary_html(self.frame)

    def tables(self) -> HtmlFragment:
        return tables_html(self.report, self.frame)

    def details(self) -> list[FindingDetail]:
        found = finding_details(self.report, self.frame, self.max_source_lines, finding_reviews(self.review))
        return with_evidence(found, self.report, self.context, self.related_report)

    def history(self) -> HtmlFragment:
        """The agency across the batch's years, its place among same-level peers, its links to other reports."""
        return history_html(self.report, self.context)

    def findings(self) -> HtmlFragment:
        return findings_html(self.report, self.details())


def finding_from_dict(d: Mapping[str, Any]) -> Finding:
    """A finding back from its JSON form (`Finding.to_dict`), e.g. as the batch passes cross-report findings."""
    return Finding(str(d.get("report") or ""), d.get("agency"), str(d["rule"]), Severity(d["severity"]),
                   str(d.get("message") or ""), tuple(d.get("cells") or ()), tuple(d.get("lines") or ()), d.get("year"))


SINGLE_REPORT_NOTE = (f"本页单独评分：只依据本报告，跨报告的核对（{APPLICATIONS.row('2').name}、与往年或其他机关雷同）未参与；"
                      "批量运行时按同批全部报告评分。")


def agency_page(report_path: str, rules: Collection[str] = (), exclude_rules: Collection[str] = (),
                min_severity: str = "info", max_source_lines: int = 40, index_href: str = "",
                corpus_findings: Iterable[Mapping[str, Any]] = (), score: Mapping[str, Any] | None = None,
                rubric: str = "", run_dir: str = "", batch_context: Mapping[str, Any] | None = None) -> AgencyPage:
    """Audit one report and keep what its page shows (the agency notebook's one library call).

    `corpus_findings` are what rules across reports (carry-over, copied text) found for this report
    when the batch checked all reports together; a single report cannot find them by itself. They
    are appended after the report's own findings, the order `audit_paths` gives and `score` refers to.
    `score` is the batch's score of this report (`score_param`); without it the report is scored on
    its own findings with `rubric` (a YAML path; empty: parameters/rubric.yaml), findings dismissed on
    review skipped. `run_dir` is the batch's output folder: its review store (read-only) gives each
    finding's decision and the corrected cells; without one every finding is 待复核. `batch_context`
    (`context.batch_contexts`) names the other reports the batch tied this one to, its history across
    years and its place among peers: the evidence of the rules across reports and the history section.
    """
    outcome, state = reviewed_outcome(audit_file(report_path), run_dir,
                                      [finding_from_dict(d) for d in corpus_findings])
    shown = selected_indices(outcome.findings, rules, exclude_rules, min_severity)
    frame = findings_frame([outcome.findings[k] for k in shown], shown)
    page = AgencyPage(outcome, frame, max_source_lines, index_href, review=state,
                      context=context_from_param(batch_context), run_dir=run_dir)
    report = outcome.report
    agency = report.agency if report is not None else None
    year = report.year if report is not None else None
    if score is not None:
        page.score = score_from_param(score, outcome.path, agency, year)
        return page
    try:
        page.score = score_reviewed(state.findings, load_rubric(rubric or None), report)
        page.score_note = SINGLE_REPORT_NOTE
    except RubricError as exc:
        page.unscored = str(exc)
    return page


# ---------------------------------------------------------------------------------------------
# The overview of a batch run
# ---------------------------------------------------------------------------------------------

