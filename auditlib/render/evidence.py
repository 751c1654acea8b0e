"""What a finding's drill-down shows beyond its cells: the evidence an inspector judges it on.

- COPY-PEER / COPY-PRIOR: every report it was matched with (linked to its page) and, for each, the
  matching passages side by side (`cross_report.matching_passages`);
- CARRY-OVER-MISMATCH: last year's 「四、结转下年度继续办理」 beside this year's 「二、上年结转」;
- YOY-CHANGE: each key figure last year and this year;
- a finding on a section (FEE-NOT-REPORTED, OVERVIEW-ASPECTS, SEC5-…): the section's text, with its lines;
- a finding that names lines of its own (TEXT-TABLE-MISMATCH's sentence): those lines in context.

The other reports come from the batch (`context.BatchContext`); a page made alone says it has none.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from auditlib.model import Report, SourceLine
from auditlib.render.context import BatchContext, RelatedReport
from auditlib.render.data import FindingDetail, cell_text, section_name
from auditlib.render.env import HtmlFragment, render
from auditlib.rules.cross_report import matching_passages
from auditlib.rules.year_on_year import KEY_FIGURES
from auditlib.template import APPLICATIONS

__all__ = ["COPY_RULES", "Evidence", "evidence", "section_lines"]

COPY_RULES = ("COPY-PEER", "COPY-PRIOR")
CARRY, YOY = "CARRY-OVER-MISMATCH", "YOY-CHANGE"
MAX_PASSAGES = 40  # per pair of reports; more are counted, not shown
MAX_SECTION_LINES = 200
CONTEXT_LINES = 1  # lines shown above and below a sentence a finding names

Loader = Callable[[str], Report | None]  # a related report's path → its (corrected) report


@dataclass(frozen=True)
class Evidence:
    """The drill-down's evidence block, and whether it replaces the plain 「原文」 lines (it holds them)."""

    html: HtmlFragment
    replaces_source: bool = False


def section_lines(report: Report, key: str, limit: int = MAX_SECTION_LINES) -> tuple[list[SourceLine], int]:
    """A section's lines, its heading to the line before the next section's heading; and how many were cut."""
    section = report.sections.get(key)
    if section is None or not section.present or not section.line:
        return [], 0
    starts = sorted(s.line for s in report.sections.values() if s.line and s.line > section.line)
    end = starts[0] - 1 if starts else max((ln.number for ln in report.lines), default=section.line)
    lines = [ln for ln in report.lines if section.line <= ln.number <= end]
    return lines[:limit], max(0, len(lines) - limit)


def _who(k: RelatedReport) -> str:
    year = f"{k.year} 年度" if k.year is not None else "年度未识别"
    return f"{k.agency or '（机关未识别）'} {year}"


def _copy(detail: FindingDetail, report: Report, context: BatchContext, load: Loader) -> Evidence:
    others = context.related(detail.rule)
    pairs = []
    for n, k in enumerate(others):
        other = load(k.report)
        passages = matching_passages(report, other) if other is not None else []
        pairs.append({"k": k, "who": _who(k), "loaded": other is not None, "open": n == 0,
                      "passages": passages[:MAX_PASSAGES], "more": max(0, len(passages) - MAX_PASSAGES)})
    return Evidence(render("copy_evidence.html.j2", rule=detail.rule, pairs=pairs, alone=context.empty), True)


def _carry(report: Report, context: BatchContext, load: Loader) -> Evidence | None:
    prior_k = next(iter(context.related(CARRY)), None)
    prior = load(prior_k.report) if prior_k is not None else None
    if prior_k is None or prior is None:
        return Evidence(render("carry_evidence.html.j2", prior=None, alone=context.empty))
    columns, now_row, before_row = [], [], []
    for col in APPLICATIONS.columns:
        now, before = report.cell(f"applications.2.{col.key}"), prior.cell(f"applications.4.{col.key}")
        differ = now.value is not None and before.value is not None and now.value != before.value
        columns.append(col.label)
        now_row.append({"text": cell_text(now), "differ": differ})
        before_row.append({"text": cell_text(before), "differ": differ})
    rows = {r.key: r.label for r in APPLICATIONS.rows}
    return Evidence(render("carry_evidence.html.j2", prior=prior_k, who=_who(prior_k), columns=columns,
                           now_label=rows["2"], before_label=rows["4"], now_short=APPLICATIONS.row("2").name,
                           before_short=APPLICATIONS.row("4").name, now_row=now_row, before_row=before_row,
                           alone=False))


def _yoy(report: Report, context: BatchContext, load: Loader) -> Evidence | None:
    prior_k = next(iter(context.related(YOY)), None)
    prior = load(prior_k.report) if prior_k is not None else None
    if prior_k is None or prior is None:
        return None
    rows = [{"label": label, "before": cell_text(prior.cell(path)), "now": cell_text(report.cell(path))}
            for path, label in KEY_FIGURES.items()]
    return Evidence(render("yoy_evidence.html.j2", prior=prior_k, who=_who(prior_k), rows=rows,
                           year=report.year, prior_year=prior_k.year))


def _sections(detail: FindingDetail, report: Report) -> Evidence | None:
    blocks = []
    for path in detail.sections:
        lines, cut = section_lines(report, path.split(".", 1)[1])
        if lines:
            blocks.append({"name": section_name(path), "first": lines[0].number, "last": lines[-1].number,
                           "html": render("source_lines.html.j2", lines=lines, omitted=cut, marked=())})
    if not blocks:
        return None
    return Evidence(render("section_evidence.html.j2", blocks=blocks), True)


def _sentences(detail: FindingDetail, report: Report) -> Evidence | None:
    """The lines the finding itself names (a sentence), each with a line above and below."""
    own = set(detail.marked) - {n for c in detail.cells for n in c.lines}
    own -= {s.line for s in report.sections.values() if s.line}  # a section's heading is not a sentence
    if not own:
        return None
    by_number = {ln.number: ln for ln in report.lines}
    wanted = sorted({n + d for n in own for d in range(-CONTEXT_LINES, CONTEXT_LINES + 1)})
    lines = [by_number[n] for n in wanted if n in by_number]
    if not lines:
        return None
    html = render("source_lines.html.j2", lines=lines, omitted=0, marked=tuple(sorted(own)))
    return Evidence(render("sentence_evidence.html.j2", lines=sorted(own), html=html))


def evidence(detail: FindingDetail, report: Report | None, context: BatchContext, load: Loader) -> Evidence | None:
    """The evidence block of one finding, or None when its cells and source lines say it all."""
    if report is None:
        return None
    if detail.rule in COPY_RULES:
        return _copy(detail, report, context, load)
    if detail.rule == CARRY:
        return _carry(report, context, load)
    if detail.rule == YOY:
        return _yoy(report, context, load)
    if detail.sections:
        return _sections(detail, report)
    return _sentences(detail, report)


def with_evidence(details: Sequence[FindingDetail], report: Report | None, context: BatchContext,
                  load: Loader) -> list[FindingDetail]:
    """Each finding with its evidence block (see `evidence`)."""
    from dataclasses import replace

    out = []
    for d in details:
        e = evidence(d, report, context, load)
        out.append(d if e is None else replace(d, evidence=e.html, evidence_replaces_source=e.replaces_source))
    return out
