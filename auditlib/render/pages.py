"""One agency's page parts as HTML: heading, score, summary, the findings list and each finding's drill-down."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from auditlib.audit import Outcome
from auditlib.findings import Finding
from auditlib.model import Report, SourceLine
from auditlib.render.data import (
    SEVERITIES,
    SEVERITY_COLORS,
    SEVERITY_RANK,
    UNSCORED,
    FindingDetail,
    points,
    rule_doc,
    rule_name,
    score_text,
    section_name,
    severity_counts,
)
from auditlib.render.env import HtmlFragment, render, script
from auditlib.render.tables import table_html
from auditlib.score import Deduction, Score
from auditlib.template import TABLE_KEYS, TABLE_TITLES

# the colour of each review status beside a finding: undecided grey, confirmed red, dismissed green
REVIEW_COLORS = {"pending": "#777", "confirmed": "#c0392b", "dismissed": "#2f855a", "needs_material": "#b7791f"}
_WHOLE_TABLE_ROWS = 10  # beyond this many rows, a drill-down links to the main table instead of repeating it
_TEMPLATE_NAMES = {"2021": "2021 年版模板", "2019": "2019 年试行模板"}


def source_lines_html(lines: Sequence[SourceLine], omitted: int = 0) -> str:
    """Original report lines with their numbers, escaped; tabs kept as the report printed them."""
    return str(render("source_lines.html.j2", lines=lines, omitted=omitted, marked=()))


def finding_detail_html(detail: FindingDetail, report: Report | None, link_cells: bool = True) -> str:
    """What the drill-down shows for one finding: what the rule checks, its cells in their table, the source."""
    bg, fg = SEVERITY_COLORS[detail.severity]
    tables: list[dict[str, object]] = []
    cells = detail.cells if report is not None else ()
    if cells and report is not None:
        hl = {c.path: detail.severity for c in cells}
        for table in TABLE_KEYS:
            paths = [c.path for c in cells if c.table == table]
            if not paths:
                continue
            row_keys = {p[len(table) + 1:].rsplit(".", 1)[0] for p in paths}
            if len(row_keys) > _WHOLE_TABLE_ROWS:
                tables.append({"html": "", "key": table, "title": TABLE_TITLES[table], "rows": len(row_keys)})
            else:
                tables.append({"html": table_html(report, table, hl, rows=row_keys, anchors=False)})
    return str(render(
        "finding_detail.html.j2", d=detail, bg=bg, fg=fg, link_cells=link_cells, tables=tables,
        sections="、".join(section_name(s) for s in detail.sections), cells=cells[:12],
        more=len(cells) if len(cells) > 12 else 0, source=source_lines_html(detail.lines, detail.omitted_lines)))


def findings_html(report: Report | None, details: Sequence[FindingDetail]) -> HtmlFragment:
    """The static drill-down: findings grouped by severity and rule, each a `<details>` that opens on click."""
    by_rule: dict[str, int] = {}
    for d in details:
        by_rule[d.rule] = by_rule.get(d.rule, 0) + 1
    groups = []
    for sev in SEVERITIES:
        seen: set[str] = set()
        items = []
        for d in details:
            if d.severity != sev:
                continue
            items.append({"d": d, "first_of_rule": d.rule not in seen, "body": finding_detail_html(d, report)})
            seen.add(d.rule)
        if items:
            bg, fg = SEVERITY_COLORS[sev]
            groups.append({"severity": sev, "bg": bg, "fg": fg, "entries": items})
    return render("findings.html.j2", by_rule=list(by_rule.items()), groups=groups, review_colors=REVIEW_COLORS)


def summary_html(frame: pl.DataFrame) -> HtmlFragment:
    """Findings by severity, and the rules behind them, as a small table."""
    counts = severity_counts(frame)
    rows = []
    if not frame.is_empty():
        ordered = (frame.group_by("rule", "severity").len()
                   .with_columns(SEVERITY_RANK.alias("_o"))
                   .sort(["_o", "len", "rule"], descending=[False, True, False]))  # ties by ID, as before
        rows = [(rule, sev, n, rule_doc(rule)) for rule, sev, n, _ in ordered.iter_rows()]
    return render("summary.html.j2", counts=[(s, counts[s]) for s in SEVERITIES], colors=SEVERITY_COLORS,
                  rows=rows, heads=("规则", "级别", "条数", "检查内容"))


def heading_html(outcome: Outcome, index_href: str = "", score: Score | None = None, unscored: str = "") -> HtmlFragment:
    """The page heading: agency, year, file, template, the score line; the reason when unreadable."""
    report = outcome.report
    bg, fg = SEVERITY_COLORS["error"]
    # the file name only: a batch passes absolute paths, which say nothing to a reader of the page
    context: dict[str, object] = {"index_href": index_href, "report": report, "path": Path(outcome.path).name,
                                  "score_line": score_text(score, unscored), "bg": bg, "fg": fg}
    if report is None:
        context.update(name=Path(outcome.path).name, error=outcome.error or "未知原因")
    else:
        context.update(agency=report.agency or "（未识别机关名称）",
                       year=f"{report.year} 年度" if report.year else "年度未识别",
                       title=report.title or "（无标题）",
                       template=_TEMPLATE_NAMES.get(report.template, "模板未识别"))
    return render("heading.html.j2", **context)


def _short(text: str, n: int = 60) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


@dataclass(frozen=True)
class _Behind:
    """A finding behind a deduction: `id` in the page's list (None: not listed); no label: not found."""

    id: int | None
    rule: str = ""
    message: str = ""
    label: str | None = None


def _deduction_findings(d: Deduction, findings: Sequence[Finding], ids: Mapping[int, int]) -> list[_Behind]:
    items = []
    for k in d.findings:
        f = findings[k] if 0 <= k < len(findings) else None
        if f is None or f.rule not in d.rules:  # cannot happen when the score and the page agree on the order
            items.append(_Behind(None))
            continue
        label = _short(f.message) if len(d.rules) == 1 else f"{rule_name(f.rule) or f.rule}：{_short(f.message)}"
        items.append(_Behind(ids.get(k), f.rule, f.message, label))
    return items


def score_html(score: Score | None, frame: pl.DataFrame, findings: Sequence[Finding] = (), note: str = "",
               unscored: str = "", excluded: Sequence[str] = ()) -> HtmlFragment:
    """The 「评分」 section: score and grade, each deduction (评分项, 扣分, 规则) linked to its findings, 未评 items.

    `findings` are the report's findings in the order the score's indices refer to; `frame` is what the
    page lists (its `index` column says which of them, its `id` where: `id="finding-<id>"`).
    In the exported page a deduction's link also opens the finding it jumps to (JupyterLab drops the
    script from untrusted output; there the link only jumps). `excluded` says, one line each, why a
    finding dismissed on review deducts nothing.
    """
    if score is None:
        return render("score.html.j2", score=None, unscored_label=UNSCORED, unscored=unscored)
    ids = {int(k): int(i) for k, i in frame.select("index", "id").iter_rows()} if "index" in frame.columns else {}
    shown_rules = set(frame["rule"].to_list()) if "rule" in frame.columns else set()
    notes = any(d.note for d in score.deductions)
    rows = []
    for d in score.deductions:
        behind = _deduction_findings(d, findings, ids)
        late = not behind and any(r == "PUBLISH-LATE" for r in d.rules)
        rows.append({"item": d.item, "points": points(d.points), "note": d.note, "findings": behind,
                     "text": d.note if late else "", "rules": [(r, r in shown_rules) for r in d.rules]})
    heads = ("评分项", "扣分", "规则", "依据的问题（点击跳到该问题）", *(("说明",) if notes else ()))
    caps = [{"reason": c.reason, "grade": c.max_grade, "points": points(-c.points) if c.points else "",
             "rules": c.rules} for c in score.caps]
    return render("score.html.j2", score=score, score_points=points(score.score), total_points=points(score.total),
                  note=note, rows=rows, heads=heads, notes=notes, caps=caps, excluded=list(excluded), red=SEVERITY_COLORS["error"][1],
                  script=script("open_finding.js"))
