"""YOY-CHANGE: a key figure of an agency's report changed abruptly from its previous-year report.

Info only (not scored): a jump can be real (a new 征收 project brings many applications), but it is the
first thing a reviewer checks, and a figure falling from many to 0 often means a table copied blank.
Last year's report is found as CARRY-OVER-MISMATCH finds it (`previous_year_index`: same `agency_key`,
year − 1, the first such report given).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from auditlib.findings import Severity
from auditlib.model import Report
from auditlib.rules.cross_report import _REPORT_PARTS, _title, previous_year_index
from auditlib.rules.registry import Violation, corpus_rule, listing, part, violation
from auditlib.template import APPLICATIONS, REVIEW_LITIGATION

__all__ = ["KEY_FIGURES", "RATIO", "SUBSTANTIAL", "YOY_CHANGE", "key_figures", "year_on_year_changes"]

YOY_CHANGE = "YOY-CHANGE"
RATIO = 5  # ×5 or more, either way (QR-004 of KIROGOVCOMPARE: > 5× or < 0.2×)
SUBSTANTIAL = 10  # the larger figure must be at least this: 1 → 5 件 is noise, so is 3 → 0


def _label(table: str, row: str) -> str:
    t = {"applications": APPLICATIONS, "review_litigation": REVIEW_LITIGATION}[table]
    r = next(x for x in t.rows if x.key == row)
    return r.short or r.label


# cell path → label: the figures a year-on-year comparison reads (template keys, auditlib/template.py).
KEY_FIGURES: dict[str, str] = {
    "applications.1.total": _label("applications", "1"),  # 本年新收
    "applications.3.7.total": "办理结果" + _label("applications", "3.7"),  # （七）总计
    "review_litigation.review.total": _label("review_litigation", "review") + "总计",
    "review_litigation.litigation_direct.total": _label("review_litigation", "litigation_direct") + "总计",
    "review_litigation.litigation_after_review.total": _label("review_litigation", "litigation_after_review") + "总计",
}


def key_figures(report: Report) -> dict[str, int | float | None]:
    """The report's key figures (None where the cell is unknown), in KEY_FIGURES order."""
    return {path: report.value(path) for path in KEY_FIGURES}


def abrupt(before: float, now: float, ratio: float = RATIO, substantial: float = SUBSTANTIAL) -> bool:
    """×ratio or more either way, or from/to 0, with the larger figure at least `substantial`."""
    low, high = sorted((before, now))
    if high < substantial:
        return False
    return low == 0 or high >= ratio * low


def year_on_year_changes(report: Report, prior: Report) -> list[tuple[str, int | float, int | float]]:
    """(cell path, last year's value, this year's value) for every key figure that changed abruptly."""
    out = []
    for path in KEY_FIGURES:
        now, before = report.value(path), prior.value(path)
        if now is not None and before is not None and abrupt(before, now):
            out.append((path, before, now))
    return out


@corpus_rule(YOY_CHANGE, Severity.INFO, "与{prior}相比，关键数字变化较大，请核实：{changes}", name="同比突变",
             parts={**_REPORT_PARTS, "change": "{label} 上年 {before}（{prior_year}年）、本年 {now}（{year}年）"})
def key_figures_steady_from_prior_year(reports: Sequence[Report]) -> Iterator[tuple[int, Violation]]:
    """本年与本机关上一年度报告相比，新收申请、办理结果总计、复议诉讼总计变化 5 倍以上或由多变为 0。"""
    for i, j in sorted(previous_year_index(reports).items()):
        changes = year_on_year_changes(reports[i], reports[j])
        if changes:
            text = listing((part(YOY_CHANGE, "change", label=KEY_FIGURES[p], before=b, now=n,
                                 prior_year=reports[j].year, year=reports[i].year) for p, b, n in changes), "clauses")
            yield i, violation([p for p, _, _ in changes], prior=_title(YOY_CHANGE, reports[j]), changes=text)
