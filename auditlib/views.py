"""What an inspector reads: template-shaped tables, findings and their drill-down, as escaped HTML.

Pure functions from a `Report` and a findings frame to HTML strings. Every piece of report text
goes through `esc()`; styling is inline (JupyterLab's sanitizer drops `<style>` in untrusted
notebooks but keeps `style=""`), so a fragment looks the same in the lab and in the exported page.
"""

from __future__ import annotations

import html
import json
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import polars as pl

from auditlib.audit import UNREADABLE, Outcome, audit_file
from auditlib.findings import SEVERITY_LABELS, SEVERITY_ORDER, Finding, Severity, to_frame
from auditlib.model import Cell, CellStatus, Report, SourceLine
from auditlib.rules import RULES
from auditlib.score import Deduction, Rubric, RubricError, Score, json_number, load_rubric, score_report
from auditlib.score import grade_counts as _grade_counts
from auditlib.template import (
    APPLICANT_COLUMNS,
    APPLICANT_GROUP,
    LITIGATION_GROUP,
    REVIEW_LITIGATION,
    SECTIONS,
    TABLE_KEYS,
    TABLE_TITLES,
    TOTAL,
    Row,
    cell_label,
    table_rows,
    table_spec,
)

__all__ = [
    "AgencyPage",
    "CellInfo",
    "FindingDetail",
    "HtmlFragment",
    "RunData",
    "agency_page",
    "cell_text",
    "esc",
    "finding_detail_html",
    "finding_details",
    "findings_frame",
    "finding_from_dict",
    "findings_html",
    "grade_counts",
    "heading_html",
    "load_run",
    "overview_heading_html",
    "overview_table_html",
    "rule_doc",
    "rules_html",
    "score_from_param",
    "score_html",
    "score_param",
    "score_text",
    "select_findings",
    "selected_indices",
    "summary_html",
    "table_html",
    "tables_html",
    "worst_rule",
]

SEVERITIES = tuple(str(s) for s in Severity)  # error, warning, info: the reading order
_RANK = {str(s): rank for s, rank in SEVERITY_ORDER.items()}
# background, border/text colour per severity
SEVERITY_COLORS = {"error": ("#fde2e1", "#c0392b"), "warning": ("#fff3d1", "#b7791f"), "info": ("#e6f0fb", "#2b6cb0")}
UNSCORED = "未评分"

_TD = "border:1px solid #bfbfbf;padding:2px 6px;text-align:left;"  # JupyterLab right-aligns cells by default
_TH = _TD + "background:#f3f3f3;font-weight:600;text-align:center;"
_TABLE = "border-collapse:collapse;font-size:13px;margin:6px 0 14px 0;"
_SRC = ("margin:4px 0;padding:4px 6px;background:#fafafa;border:1px solid #e2e2e2;font-size:12.5px;"
        "white-space:pre-wrap;tab-size:4;font-family:inherit;line-height:1.6;")


class HtmlFragment(str):
    """An HTML string that Jupyter displays as HTML (and keeps its plain repr short)."""

    def _repr_html_(self) -> str:
        return str(self)

    def __repr__(self) -> str:
        return f"<HTML 片段，{len(self)} 字符>"


def esc(text: object) -> str:
    """Report text made inert: `<script>` shows as text, quotes are safe inside attributes."""
    return html.escape("" if text is None else str(text), quote=True)


def severity_label(severity: str | Severity) -> str:
    return Severity(severity).label


def _points(x: float) -> str:
    """86.0 → "86", -4.0 → "−4", 2.5 → "2.5": how a score or a deduction is printed."""
    text = str(int(x)) if float(x).is_integer() else f"{x:.2f}".rstrip("0").rstrip(".")
    return text.replace("-", "−")


def score_text(score: Score | None, why: str = "") -> str:
    """The score line of a page heading: 「评分：86 分（良好）」, or 「评分：未评分」 and why."""
    if score is None:
        return f"评分：{UNSCORED}" + (f"（{why}）" if why else "")
    return f"评分：{_points(score.score)} 分（{score.grade}）"


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
    return Score(report, agency, year, float(data["score"]), str(data["grade"]), deductions, unassessed,
                 total=float(data.get("total", 100)))


def rule_doc(rule_id: str) -> str:
    """What a rule checks, in Chinese (its docstring), or a note for the engine's own findings."""
    r = RULES.get(rule_id)
    if r is not None:
        return r.doc or r.message
    if rule_id == UNREADABLE:
        return "报告文件无法读取或解析，其他规则均未执行。"
    if rule_id == "RULE-FAILED":
        return "某条规则执行时出错，该项检查未完成；其他规则照常执行。"
    return ""


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
    frame = frame.with_columns(pl.col("severity").replace_strict(_RANK, return_dtype=pl.Int64).alias("_sev"))
    frame = frame.sort(["_sev", "rule", "_pos"]).drop("_sev", "_pos")
    return frame.with_row_index("id", offset=1).with_columns(pl.col("id").cast(pl.Int64))


def worst_rule(frame: pl.DataFrame) -> str | None:
    """The rule to look at first: the most severe, then the most frequent, then by ID."""
    if frame.is_empty():
        return None
    counts = (frame.group_by("rule", "severity").len()
              .with_columns(pl.col("severity").replace_strict(_RANK, return_dtype=pl.Int64).alias("_sev"))
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


_STATUS_LABELS = {
    CellStatus.OK: "", CellStatus.BLANK: "印为空白", CellStatus.MISSING: "报告中未找到",
    CellStatus.UNPLACED: "本行数字少于栏目数，无法对应", CellStatus.INVALID: "不是有效数字",
}


def _cell_td(report: Report, path: str, highlight: Mapping[str, str], anchors: bool, extra: str = "") -> str:
    cell = report.cell(path)
    style = _TD + "text-align:right;min-width:2.2em;"
    if cell.status is not CellStatus.OK:
        style += "color:#888;font-style:italic;"
    sev = highlight.get(path)
    cls = "cell"
    if sev:
        bg, fg = SEVERITY_COLORS[sev]
        style += f"background:{bg};box-shadow:inset 0 0 0 2px {fg};font-weight:700;"
        cls += f" hl hl-{sev}"
    title = cell_label(path)
    if _STATUS_LABELS[cell.status]:
        title += f"（{_STATUS_LABELS[cell.status]}）"
    if cell.lines:
        title += f" · 原文第 {'、'.join(str(n) for n in cell.lines[:3])} 行"
    ident = f' id="cell-{esc(path)}"' if anchors else ""
    return (f'<td{ident} class="{cls}" data-path="{esc(path)}" title="{esc(title)}" style="{style}"{extra}>'
            f"{esc(cell_text(cell))}</td>")


def _th(label: str, rowspan: int = 1, colspan: int = 1, align: str = "center") -> str:
    span = (f' rowspan="{rowspan}"' if rowspan > 1 else "") + (f' colspan="{colspan}"' if colspan > 1 else "")
    return f'<th{span} style="{_TH}text-align:{align};">{esc(label)}</th>'


def _split_label(row: Row) -> tuple[str, str]:
    """「（三）不予公开 1.属于国家秘密」 → (group, item); rows without an item give ("", label)."""
    if row.key.count(".") == 2:
        group, _, item = row.label.partition(" ")
        return group, item
    return "", row.label


def _caption(key: str) -> str:
    title = table_spec("2021", key).title  # 二、主动公开政府信息情况 …
    return f'<caption style="caption-side:top;text-align:left;font-weight:700;padding:4px 0;">{esc(title)}</caption>'


_AD_GROUPS_2021 = {"rules": "第二十条第（一）项", "licensing": "第二十条第（五）项",
                   "punishment": "第二十条第（六）项", "fees": "第二十条第（八）项"}


def _active_disclosure(report: Report, hl: Mapping[str, str], rows: Collection[str] | None, anchors: bool) -> str:
    spec = table_spec(report.template, "active_disclosure")
    width = 1 + max(len(spec.columns_of(r)) for r in spec.rows)
    body: list[str] = []
    prev_columns: tuple[str, ...] | None = None
    for row in spec.rows:
        columns = spec.columns_of(row)
        signature = tuple(c.key for c in columns)
        if rows is not None and row.key not in rows:
            prev_columns = None
            continue
        group = _AD_GROUPS_2021.get(row.key) if report.template != "2019" else None
        if group or signature != prev_columns:
            if group:
                body.append(f"<tr>{_th(group, colspan=width, align='left')}</tr>")
            span = width - len(columns)
            heads = "".join(_th(c.label, colspan=(1 + span if i == len(columns) - 1 else 1))
                            for i, c in enumerate(columns))
            body.append(f"<tr>{_th('信息内容')}{heads}</tr>")
        prev_columns = signature
        span = width - 1 - len(columns)
        cells = "".join(
            _cell_td(report, f"active_disclosure.{row.key}.{c.key}", hl, anchors,
                     f' colspan="{1 + span}"' if i == len(columns) - 1 and span else "")
            for i, c in enumerate(columns))
        body.append(f'<tr><th style="{_TH}text-align:left;">{esc(row.label)}</th>{cells}</tr>')
    return "".join(body)


def _applications(report: Report, hl: Mapping[str, str], rows: Collection[str] | None, anchors: bool) -> str:
    spec = table_spec(report.template, "applications")
    head = (
        "<thead>"
        f"<tr>{_th('（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）', rowspan=3, colspan=3)}"
        f"{_th('申请人情况', colspan=7)}</tr>"
        f"<tr>{_th(APPLICANT_COLUMNS[0].label, rowspan=2)}{_th(APPLICANT_GROUP, colspan=5)}{_th(TOTAL.label, rowspan=2)}</tr>"
        "<tr>" + "".join(_th(c.label) for c in spec.columns[1:6]) + "</tr></thead>"
    )
    shown = [r for r in table_rows(report.template, "applications", report.other_single_row) if rows is None or r.key in rows]
    disposal = [r for r in shown if r.key.startswith("3.")]
    groups: dict[str, int] = {}
    for r in disposal:
        group, _ = _split_label(r)
        if group:
            groups[group] = groups.get(group, 0) + 1
    body: list[str] = []
    done_groups: set[str] = set()
    first_disposal = True
    for row in shown:
        cells = "".join(_cell_td(report, f"applications.{row.key}.{c.key}", hl, anchors) for c in spec.columns)
        label_style = f"{_TH}text-align:left;font-weight:400;"
        group_style = label_style + "white-space:nowrap;"
        if not row.key.startswith("3."):
            body.append(f'<tr><th colspan="3" style="{label_style}">{esc(row.label)}</th>{cells}</tr>')
            continue
        lead = ""
        if first_disposal:
            lead = f'<th rowspan="{len(disposal)}" style="{group_style}">三、本年度办理结果</th>'
            first_disposal = False
        group, item = _split_label(row)
        if not group:
            body.append(f'<tr>{lead}<th colspan="2" style="{label_style}">{esc(item)}</th>{cells}</tr>')
            continue
        group_th = ""
        if group not in done_groups:
            done_groups.add(group)
            group_th = f'<th rowspan="{groups[group]}" style="{group_style}">{esc(group)}</th>'
        body.append(f'<tr>{lead}{group_th}<th style="{label_style}">{esc(item)}</th>{cells}</tr>')
    return head + "<tbody>" + "".join(body) + "</tbody>"


def _review_litigation(report: Report, hl: Mapping[str, str], anchors: bool) -> str:
    spec = table_spec(report.template, "review_litigation")
    labels = [c.label for c in spec.columns]
    head = (
        f"<tr>{_th(REVIEW_LITIGATION.rows[0].label, colspan=5)}{_th(LITIGATION_GROUP, colspan=10)}</tr>"
        "<tr>" + "".join(_th(label, rowspan=2) for label in labels)
        + f"{_th('未经复议直接起诉', colspan=5)}{_th('复议后起诉', colspan=5)}</tr>"
        "<tr>" + "".join(_th(label) for label in labels) * 2 + "</tr>"
    )
    cells = "".join(_cell_td(report, f"review_litigation.{row.key}.{c.key}", hl, anchors)
                    for row in spec.rows for c in spec.columns)
    return f"<thead>{head}</thead><tbody><tr>{cells}</tr></tbody>"


def table_html(report: Report, key: str, highlight: Mapping[str, str] | None = None,
               rows: Collection[str] | None = None, anchors: bool = True) -> str:
    """One of the three tables as the template prints it; `highlight` maps cell paths to a severity.

    `rows` limits the table to those row keys (a drill-down shows only the rows involved);
    `anchors` gives each cell an `id="cell-<path>"` to link to (only on the page's main tables).
    """
    hl = highlight or {}
    if key == "active_disclosure":
        inner = _active_disclosure(report, hl, rows, anchors)
    elif key == "applications":
        inner = _applications(report, hl, rows, anchors)
    elif key == "review_litigation":
        inner = _review_litigation(report, hl, anchors)
    else:
        raise KeyError(key)
    ident = f' id="table-{key}"' if anchors else ""
    return (f'<div style="overflow-x:auto;"><table{ident} class="audit-table" data-table="{key}" style="{_TABLE}">'
            f"{_caption(key)}{inner}</table></div>")


def cell_highlights(frame: pl.DataFrame) -> dict[str, str]:
    """cell path → the worst severity of the findings that implicate it."""
    out: dict[str, str] = {}
    for sev, cells in frame.select("severity", "cells").iter_rows():
        for path in cells or ():
            if path not in out or SEVERITY_ORDER[Severity(sev)] < SEVERITY_ORDER[Severity(out[path])]:
                out[path] = sev
    return out


_LEGEND = ("<p style='font-size:12px;color:#555;margin:2px 0 8px 0;'>单元格底色表示涉及的问题："
           + "".join(f"<span style='background:{bg};box-shadow:inset 0 0 0 2px {fg};padding:0 6px;"
                     f"margin:0 4px;'>{SEVERITY_LABELS[Severity(s)]}</span>" for s, (bg, fg) in SEVERITY_COLORS.items())
           + "；灰色斜体为空白、缺失或无法识别的单元格。鼠标悬停可查看单元格名称和原文行号。</p>")


def tables_html(report: Report | None, frame: pl.DataFrame) -> HtmlFragment:
    """The three tables, every cell a finding implicates highlighted by the finding's severity."""
    if report is None:
        return HtmlFragment("<p>报告无法读取，没有可显示的统计表。</p>")
    hl = cell_highlights(frame)
    return HtmlFragment(_LEGEND + "".join(table_html(report, key, hl) for key in TABLE_KEYS))


# ---------------------------------------------------------------------------------------------
# Drill-down data: a finding → its cells → the source lines behind them
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CellInfo:
    path: str
    label: str
    table: str
    text: str  # what the cell shows
    status: str
    lines: tuple[int, ...]


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


def finding_detail(report: Report | None, row: Mapping[str, Any], max_source_lines: int = 40) -> FindingDetail:
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
        cells.append(CellInfo(path, cell_label(path), cell.table, cell_text(cell), str(cell.status), cell.lines))
    if report is not None:
        numbers = _line_numbers(report, row)
        by_number = {ln.number: ln for ln in report.lines}
        lines = [by_number[n] for n in numbers[:max_source_lines] if n in by_number]
    return FindingDetail(
        id=int(row.get("id") or 0), rule=str(row["rule"]), severity=str(row["severity"]),
        message=str(row["message"]), doc=rule_doc(str(row["rule"])), cells=tuple(cells), sections=tuple(sections),
        lines=tuple(lines), marked=frozenset(row.get("lines") or ()), omitted_lines=max(0, len(numbers) - max_source_lines),
    )


def finding_details(report: Report | None, frame: pl.DataFrame, max_source_lines: int = 40) -> list[FindingDetail]:
    """Every finding of the frame, resolved for the drill-down (static page and widget alike)."""
    return [finding_detail(report, row, max_source_lines) for row in frame.iter_rows(named=True)]


def source_lines_html(lines: Sequence[SourceLine], omitted: int = 0) -> str:
    """Original report lines with their numbers, escaped; tabs kept as the report printed them."""
    if not lines:
        return "<p style='color:#777;margin:4px 0;'>（该问题没有对应的原文行）</p>"
    rows = "".join(
        f'<div class="src-line" data-line="{ln.number}"><span style="color:#999;display:inline-block;'
        f'min-width:3.5em;text-align:right;margin-right:.8em;user-select:none;">{ln.number}</span>'
        f"{esc(ln.text) or '&nbsp;'}"
        + (f'<span style="color:#999;"> （{esc(ln.where)}）</span>' if ln.where else "") + "</div>"
        for ln in lines)
    more = f"<div style='color:#777;'>……另有 {omitted} 行未显示</div>" if omitted else ""
    return f'<div class="source" style="{_SRC}">{rows}{more}</div>'


_WHOLE_TABLE_ROWS = 10  # beyond this many rows, a drill-down links to the main table instead of repeating it


def finding_detail_html(detail: FindingDetail, report: Report | None, link_cells: bool = True) -> str:
    """What the drill-down shows for one finding: what the rule checks, its cells in their table, the source."""
    bg, fg = SEVERITY_COLORS[detail.severity]
    parts = [
        f"<p style='margin:4px 0;'><b>规则 {esc(detail.rule)}</b>"
        f"<span style='background:{bg};color:{fg};padding:0 6px;margin-left:6px;'>{esc(detail.severity_label)}</span></p>",
        f"<p style='margin:4px 0;'><b>问题：</b>{esc(detail.message)}</p>",
    ]
    if detail.doc:
        parts.append(f"<p style='margin:4px 0;'><b>本规则检查：</b>{esc(detail.doc)}</p>")
    if detail.sections:
        names = "、".join(_section_name(s) for s in detail.sections)
        parts.append(f"<p style='margin:4px 0;'><b>涉及部分：</b>{esc(names)}</p>")
    if detail.cells and report is not None:
        hl = {c.path: detail.severity for c in detail.cells}
        items = []
        for c in detail.cells[:12]:
            label = f"{c.label}＝{c.text}"
            items.append(f'<a href="#cell-{esc(c.path)}">{esc(label)}</a>' if link_cells else esc(label))
        more = f" 等共 {len(detail.cells)} 个单元格" if len(detail.cells) > 12 else ""
        parts.append(f"<p style='margin:4px 0;'><b>涉及单元格：</b>{'；'.join(items)}{more}</p>")
        for table in TABLE_KEYS:
            paths = [c.path for c in detail.cells if c.table == table]
            if not paths:
                continue
            row_keys = {p[len(table) + 1:].rsplit(".", 1)[0] for p in paths}
            if len(row_keys) > _WHOLE_TABLE_ROWS:
                target = f' <a href="#table-{table}">在上方表格中查看</a>' if link_cells else ""
                parts.append(f"<p style='margin:4px 0;'>涉及「{esc(TABLE_TITLES[table])}」的 {len(row_keys)} 行，"
                             f"已在统计表中高亮。{target}</p>")
            else:
                parts.append(table_html(report, table, hl, rows=row_keys, anchors=False))
    parts.append("<p style='margin:6px 0 2px 0;'><b>原文：</b></p>")
    parts.append(source_lines_html(detail.lines, detail.omitted_lines))
    return "".join(parts)


def _section_name(path: str) -> str:
    key = path.split(".", 1)[-1]
    for s in SECTIONS:
        if s.key == key:
            return f"{s.numeral}、{s.title}"
    return path


def findings_html(report: Report | None, details: Sequence[FindingDetail]) -> HtmlFragment:
    """The static drill-down: findings grouped by severity and rule, each a `<details>` that opens on click."""
    if not details:
        return HtmlFragment("<p>按当前参数未发现问题。</p>")
    by_rule: dict[str, list[FindingDetail]] = {}
    for d in details:
        by_rule.setdefault(d.rule, []).append(d)
    index = "；".join(f'<a href="#rule-{esc(rule)}">{esc(rule)}（{len(ds)}）</a>' for rule, ds in by_rule.items())
    out = [f"<p style='margin:4px 0 8px 0;'><b>按规则跳转：</b>{index}</p>"]
    for sev in SEVERITIES:
        group = [d for d in details if d.severity == sev]
        if not group:
            continue
        bg, fg = SEVERITY_COLORS[sev]
        out.append(f'<details open class="severity-group" data-severity="{sev}" style="margin:6px 0;">'
                   f"<summary style='cursor:pointer;font-weight:700;color:{fg};'>{severity_label(sev)}（{len(group)} 条）"
                   "</summary>")
        seen: set[str] = set()
        for d in group:
            if d.rule not in seen:
                seen.add(d.rule)
                out.append(f'<div id="rule-{esc(d.rule)}" style="margin:8px 0 2px 0;color:#444;font-size:13px;">'
                           f"<b>{esc(d.rule)}</b>：{esc(d.doc)}</div>")
            out.append(
                f'<details class="finding" id="finding-{d.id}" data-rule="{esc(d.rule)}" data-severity="{sev}" '
                f'style="margin:3px 0 3px 12px;border-left:4px solid {fg};background:{bg};padding:3px 8px;">'
                f"<summary style='cursor:pointer;'>{esc(d.message)}</summary>"
                f'<div class="finding-body" style="background:#fff;padding:4px 8px;margin:4px 0;">'
                f"{finding_detail_html(d, report)}</div></details>")
        out.append("</details>")
    return HtmlFragment("".join(out))


def summary_html(frame: pl.DataFrame) -> HtmlFragment:
    """Findings by severity, and the rules behind them, as a small table."""
    counts = severity_counts(frame)
    chips = "".join(
        f"<span style='background:{SEVERITY_COLORS[s][0]};color:{SEVERITY_COLORS[s][1]};padding:2px 10px;"
        f"margin-right:8px;font-weight:700;' class='count-{s}'>{severity_label(s)} {counts[s]} 条</span>"
        for s in SEVERITIES)
    if frame.is_empty():
        return HtmlFragment(f"<p>{chips}</p><p>按当前参数未发现问题。</p>")
    # group_by's order varies run to run and polars' sort is not stable: ties end on the rule ID
    rows = (frame.group_by("rule", "severity").len()
            .with_columns(pl.col("severity").replace_strict(_RANK,
                                                            return_dtype=pl.Int64).alias("_o"))
            .sort(["_o", "len", "rule"], descending=[False, True, False]))
    body = "".join(
        f"<tr><td style='{_TD}'><a href='#rule-{esc(rule)}'>{esc(rule)}</a></td>"
        f"<td style='{_TD}color:{SEVERITY_COLORS[sev][1]};'>{severity_label(sev)}</td>"
        f"<td style='{_TD}text-align:right;'>{n}</td><td style='{_TD}'>{esc(rule_doc(rule))}</td></tr>"
        for rule, sev, n, _ in rows.iter_rows())
    table = (f"<table style='{_TABLE}'><thead><tr>{_th('规则')}{_th('级别')}{_th('条数')}{_th('检查内容')}</tr></thead>"
             f"<tbody>{body}</tbody></table>")
    return HtmlFragment(f"<p>{chips}</p>{table}")


def heading_html(outcome: Outcome, index_href: str = "", score: Score | None = None, unscored: str = "") -> HtmlFragment:
    """The page heading: agency, year, file, template, the score line; the reason when unreadable."""
    report = outcome.report
    back = f"<p style='margin:0 0 6px 0;'><a href='{esc(index_href)}'>← 返回总览</a></p>" if index_href else ""
    name = Path(outcome.path).name
    if report is None:
        return HtmlFragment(
            f"{back}<h1 style='margin:4px 0;'>无法读取的报告：{esc(name)}</h1>"
            f"<p style='background:{SEVERITY_COLORS['error'][0]};color:{SEVERITY_COLORS['error'][1]};padding:6px 10px;'>"
            f"<b>无法读取该文件：</b>{esc(outcome.error or '未知原因')}</p>"
            f"<p>文件：{esc(outcome.path)}</p>"
            f"<p class='score' style='margin:6px 0;font-weight:700;'>{esc(score_text(score, unscored))}</p>")
    agency = report.agency or "（未识别机关名称）"
    year = f"{report.year} 年度" if report.year else "年度未识别"
    template = {"2021": "2021 年版模板", "2019": "2019 年试行模板"}.get(report.template, "模板未识别")
    notes = "".join(f"<li>{esc(n)}</li>" for n in report.notes)
    return HtmlFragment(
        f"{back}<h1 class='agency' style='margin:4px 0;'>{esc(agency)}</h1>"
        f"<p style='margin:2px 0;font-size:15px;'>{esc(year)} · 政府信息公开工作年度报告审核</p>"
        f"<p style='margin:2px 0;color:#555;'>报告标题：{esc(report.title or '（无标题）')}</p>"
        f"<p style='margin:2px 0;color:#555;'>文件：{esc(outcome.path)}（{esc(report.format)}，{esc(template)}）</p>"
        f"<p class='score' style='margin:6px 0;font-weight:700;'>{esc(score_text(score, unscored))}</p>"
        + (f"<p style='margin:2px 0;'>解析说明：</p><ul>{notes}</ul>" if notes else ""))


# ---------------------------------------------------------------------------------------------
# The score: every point lost, linked to the findings behind it
# ---------------------------------------------------------------------------------------------


def _short(text: str, n: int = 60) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _deduction_findings(d: Deduction, findings: Sequence[Finding], ids: Mapping[int, int]) -> str:
    """The findings behind a deduction: links to them in the page's findings list (`#finding-<id>`)."""
    items = []
    for k in d.findings:
        f = findings[k] if 0 <= k < len(findings) else None
        if f is None or f.rule not in d.rules:  # cannot happen when the score and the page agree on the order
            items.append("<span style='color:#777;'>（对应的问题未找到）</span>")
            continue
        label = _short(f.message) if len(d.rules) == 1 else f"{f.rule}：{_short(f.message)}"
        if k in ids:
            items.append(f'<a class="deduction-link" href="#finding-{ids[k]}" data-rule="{esc(f.rule)}" '
                         f'title="{esc(f.message)}">{esc(label)}</a>')
        else:
            items.append(f"<span title='{esc(f.message)}'>{esc(label)}"
                         "<span style='color:#777;'>（按本页参数未列出）</span></span>")
    if not items and any(r == "PUBLISH-LATE" for r in d.rules):
        return esc(d.note)
    return "<br>".join(items)


def _rule_links(rules: Iterable[str], shown: Collection[str]) -> str:
    """Rule IDs, each a link to its findings in the page when the page lists any."""
    return "<br>".join(f'<a href="#rule-{esc(r)}">{esc(r)}</a>' if r in shown else esc(r) for r in rules)


def score_html(score: Score | None, frame: pl.DataFrame, findings: Sequence[Finding] = (), note: str = "",
               unscored: str = "") -> HtmlFragment:
    """The 「评分」 section: score and grade, each deduction (评分项, 扣分, 规则) linked to its findings, 未评 items.

    `findings` are the report's findings in the order the score's indices refer to; `frame` is what the
    page lists (its `index` column says which of them, its `id` where: `id="finding-<id>"`).
    """
    if score is None:
        why = f"：{esc(unscored)}" if unscored else ""
        return HtmlFragment(f"<p class='score-total' style='margin:4px 0;'><b>{UNSCORED}</b>{why}</p>")
    ids = {int(k): int(i) for k, i in frame.select("index", "id").iter_rows()} if "index" in frame.columns else {}
    shown_rules = set(frame["rule"].to_list()) if "rule" in frame.columns else set()
    total = (f"<p class='score-total' style='margin:4px 0 8px 0;font-size:15px;'>得分 <b style='font-size:20px;'>"
             f"{_points(score.score)}</b> 分（满分 {_points(score.total)} 分），等级 <b>{esc(score.grade)}</b>。</p>")
    parts = [total]
    if note:
        parts.append(f"<p style='margin:2px 0 6px 0;color:#555;'>{esc(note)}</p>")
    if score.deductions:
        notes = any(d.note for d in score.deductions)
        rows = "".join(
            f"<tr class='deduction' data-item='{esc(d.item)}'><td style='{_TD}white-space:nowrap;'>{esc(d.item)}</td>"
            f"<td style='{_TD}text-align:right;white-space:nowrap;color:{SEVERITY_COLORS['error'][1]};font-weight:700;'>"
            f"{_points(d.points)}</td>"
            f"<td style='{_TD}white-space:nowrap;'>{_rule_links(d.rules, shown_rules)}</td>"
            f"<td style='{_TD}'>{_deduction_findings(d, findings, ids)}</td>"
            + (f"<td style='{_TD}color:#555;'>{esc(d.note)}</td>" if notes else "") + "</tr>"
            for d in score.deductions)
        heads = [f'<th style="{_TH}white-space:nowrap;">{h}</th>'
                 for h in ("评分项", "扣分", "规则", "依据的问题（点击跳到该问题）", *(("说明",) if notes else ()))]
        parts.append(f"<table class='deductions' style='{_TABLE}'><thead><tr>{''.join(heads)}</tr></thead>"
                     f"<tbody>{rows}</tbody></table>")
    else:
        parts.append("<p style='margin:4px 0;'>没有扣分。</p>")
    if score.unassessed:
        items = "".join(f"<li>{esc(item)}：{esc(why)}</li>" for item, why in score.unassessed)
        parts.append(f"<p style='margin:6px 0 2px 0;'><b>未评</b>（条件不具备，不扣分）：</p>"
                     f"<ul class='unassessed' style='margin:2px 0;'>{items}</ul>")
    return HtmlFragment(f"<div class='score-section'>{''.join(parts)}</div>{_OPEN_SCRIPT}")


# In the exported page, a deduction's link also opens the finding it jumps to (JupyterLab drops the
# script from untrusted output; there the link only jumps).
_OPEN_SCRIPT = """<script>
(function () {
  var box = document.currentScript.previousElementSibling;
  if (!box || !box.querySelectorAll) { return; }
  var links = box.querySelectorAll("a.deduction-link");
  for (var i = 0; i < links.length; i++) {
    links[i].addEventListener("click", function (e) {
      var target = document.getElementById(e.currentTarget.getAttribute("href").slice(1));
      if (target && target.tagName === "DETAILS") { target.open = true; }
    });
  }
})();
</script>"""


def grade_counts(run: RunData) -> pl.DataFrame:
    """How many agencies of a run got each grade, every grade of the run's rubric in order (for the chart)."""
    return _grade_counts(run.agencies, Rubric((), tuple(run.grades)) if run.grades else load_rubric())


# ---------------------------------------------------------------------------------------------
# One agency's page, as the notebook builds it
# ---------------------------------------------------------------------------------------------


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

    @property
    def report(self) -> Report | None:
        return self.outcome.report

    def heading(self) -> HtmlFragment:
        return heading_html(self.outcome, self.index_href, self.score, self.unscored)

    def score_section(self) -> HtmlFragment:
        return score_html(self.score, self.frame, self.outcome.findings, self.score_note, self.unscored)

    def summary(self) -> HtmlFragment:
        return summary_html(self.frame)

    def tables(self) -> HtmlFragment:
        return tables_html(self.report, self.frame)

    def details(self) -> list[FindingDetail]:
        return finding_details(self.report, self.frame, self.max_source_lines)

    def findings(self) -> HtmlFragment:
        return findings_html(self.report, self.details())


def finding_from_dict(d: Mapping[str, Any]) -> Finding:
    """A finding back from its JSON form (`Finding.to_dict`), e.g. as the batch passes cross-report findings."""
    return Finding(str(d.get("report") or ""), d.get("agency"), str(d["rule"]), Severity(d["severity"]),
                   str(d.get("message") or ""), tuple(d.get("cells") or ()), tuple(d.get("lines") or ()), d.get("year"))


SINGLE_REPORT_NOTE = "本页单独评分：只依据本报告，跨报告的核对（上年结转、与往年或其他机关雷同）未参与；批量运行时按同批全部报告评分。"


def agency_page(report_path: str, rules: Collection[str] = (), exclude_rules: Collection[str] = (),
                min_severity: str = "info", max_source_lines: int = 40, index_href: str = "",
                corpus_findings: Iterable[Mapping[str, Any]] = (), score: Mapping[str, Any] | None = None,
                rubric: str = "") -> AgencyPage:
    """Audit one report and keep what its page shows (the agency notebook's one library call).

    `corpus_findings` are what rules across reports (carry-over, copied text) found for this report
    when the batch checked all reports together; a single report cannot find them by itself. They
    are appended after the report's own findings, the order `audit_paths` gives and `score` refers to.
    `score` is the batch's score of this report (`score_param`); without it the report is scored on
    its own findings with `rubric` (a YAML path; empty: parameters/rubric.yaml).
    """
    outcome = audit_file(report_path)
    outcome.findings.extend(finding_from_dict(d) for d in corpus_findings)
    shown = selected_indices(outcome.findings, rules, exclude_rules, min_severity)
    frame = findings_frame([outcome.findings[k] for k in shown], shown)
    page = AgencyPage(outcome, frame, max_source_lines, index_href)
    report = outcome.report
    agency = report.agency if report is not None else None
    year = report.year if report is not None else None
    if score is not None:
        page.score = score_from_param(score, outcome.path, agency, year)
        return page
    try:
        page.score = score_report(outcome.findings, load_rubric(rubric or None), report)
        page.score_note = SINGLE_REPORT_NOTE
    except RubricError as exc:
        page.unscored = str(exc)
    return page


# ---------------------------------------------------------------------------------------------
# The overview of a batch run
# ---------------------------------------------------------------------------------------------

SUMMARY_SCHEMA = {
    "key": pl.String, "agency": pl.String, "year": pl.Int64, "report": pl.String, "page": pl.String,
    "status": pl.String, "error": pl.String, "errors": pl.Int64, "warnings": pl.Int64, "infos": pl.Int64,
    "worst_rule": pl.String, "score": pl.Float64, "grade": pl.String, "rank": pl.Int64, "deductions": pl.String,
}
STATUS_LABELS = {"ok": "已审核", "unreadable": "无法读取", "failed": "生成失败"}


@dataclass
class RunData:
    """What the overview reads from a batch run's folder (never the reports themselves)."""

    run_dir: str
    agencies: pl.DataFrame  # one row per agency: SUMMARY_SCHEMA
    findings: pl.DataFrame  # every finding, with `key` and `page` of its agency
    generated: str = ""  # when the batch wrote summary.json; not shown on the page (the page is reproducible)
    grades: list[tuple[str, float]] = field(default_factory=list)  # the rubric's grades (name, minimum), best first

    @property
    def empty(self) -> bool:
        return self.agencies.is_empty()


def load_run(run_dir: str, min_severity: str = "info", exclude_rules: Collection[str] = ()) -> RunData:
    """The batch's `summary.json` and `findings.parquet`; empty frames when the folder holds no run yet."""
    base = Path(run_dir)
    summary_path, findings_path = base / "summary.json", base / "findings.parquet"
    if not summary_path.exists():
        return RunData(str(base), pl.DataFrame(schema=SUMMARY_SCHEMA), pl.DataFrame())
    summary = json.loads(summary_path.read_text(encoding="utf-8"))
    agencies = pl.DataFrame([{k: a.get(k) for k in SUMMARY_SCHEMA} for a in summary.get("agencies", [])],
                            schema=SUMMARY_SCHEMA)
    findings = pl.read_parquet(findings_path) if findings_path.exists() else pl.DataFrame()
    if not findings.is_empty():
        threshold = SEVERITY_ORDER[Severity(min_severity)]
        allowed = [s for s in SEVERITIES if SEVERITY_ORDER[Severity(s)] <= threshold]
        findings = findings.filter(pl.col("severity").is_in(allowed) & ~pl.col("rule").is_in(list(exclude_rules)))
    grades = [(str(g["grade"]), float(g["min"])) for g in summary.get("grades") or []]
    return RunData(str(base), agencies, findings, str(summary.get("generated", "")), grades)


def overview_heading_html(run: RunData) -> HtmlFragment:
    """Title block of the overview: how many agencies, how many could not be read or failed."""
    if run.empty:
        return HtmlFragment(f"<h1>审核总览</h1><p>在 {esc(run.run_dir)} 中没有找到批量审核结果（summary.json）。"
                            "请先运行 <code>auditlib batch 报告文件夹 --out 输出文件夹</code>（或 <code>make demo</code>）。</p>")
    a = run.agencies
    n_bad = a.filter(pl.col("status") == "unreadable").height
    n_failed = a.filter(pl.col("status") == "failed").height
    totals = {s: int(a[c].sum() or 0) for s, c in (("error", "errors"), ("warning", "warnings"), ("info", "infos"))}
    chips = "".join(f"<span style='background:{SEVERITY_COLORS[s][0]};color:{SEVERITY_COLORS[s][1]};padding:2px 10px;"
                    f"margin-right:8px;font-weight:700;'>{severity_label(s)} {totals[s]} 条</span>" for s in SEVERITIES)
    extra = ""
    if n_bad or n_failed:
        extra = f"<p style='color:{SEVERITY_COLORS['error'][1]};'>无法读取 {n_bad} 份，页面生成失败 {n_failed} 份（见下表“状态”列）。</p>"
    # no wall-clock time on the page (it stays in summary.json): two runs over the same input give the same bytes
    return HtmlFragment(f"<h1>政府信息公开工作年度报告审核总览</h1><p>共 {a.height} 个机关。</p>"
                        f"<p class='score-line'>{esc(_score_line(run))}</p><p>{chips}</p>{extra}")


def _score_line(run: RunData) -> str:
    """评分：平均 93.3 分；优秀 4 个，良好 1 个，合格 0 个，不合格 0 个"""
    scored = run.agencies.filter(pl.col("score").is_not_null())
    if scored.is_empty():
        return f"评分：{UNSCORED}"
    counts = grade_counts(run)
    mean = float(scored["score"].mean())  # type: ignore[arg-type]
    grades = "，".join(f"{g} {n} 个" for g, n in counts.iter_rows())
    return f"评分：平均 {_points(round(mean, 1))} 分；{grades}"


_SORT_SCRIPT = """<script>
(function () {
  var box = document.currentScript.previousElementSibling;
  if (!box || !box.querySelector) { return; }
  var table = box.querySelector("table.overview"), tbody = table.tBodies[0];
  var sev = box.querySelector("select[name=severity]"), rule = box.querySelector("select[name=rule]");
  var who = box.querySelector("input[name=agency]"), shown = box.querySelector(".shown");
  box.querySelector(".filters").style.display = "";
  var state = {key: null, dir: 1};
  function apply() {
    var n = 0, rows = tbody.rows;
    for (var i = 0; i < rows.length; i++) {
      var r = rows[i], ok = true;
      if (sev.value && Number(r.getAttribute("data-" + sev.value)) === 0) { ok = false; }
      if (rule.value && (" " + r.getAttribute("data-rules") + " ").indexOf(" " + rule.value + " ") < 0) { ok = false; }
      if (who.value && r.getAttribute("data-agency").indexOf(who.value.trim()) < 0) { ok = false; }
      r.style.display = ok ? "" : "none";
      if (ok) { n++; }
    }
    shown.textContent = "显示 " + n + " / " + rows.length + " 个机关";
  }
  function sortBy(th) {
    var key = th.getAttribute("data-key"), num = th.getAttribute("data-type") === "num";
    var first = th.getAttribute("data-first") === "asc" ? 1 : (num ? -1 : 1);
    state.dir = state.key === key ? -state.dir : first;
    state.key = key;
    var rows = Array.prototype.slice.call(tbody.rows);
    rows.sort(function (a, b) {
      var x = a.getAttribute("data-" + key), y = b.getAttribute("data-" + key);
      if (num) { return state.dir * (Number(x) - Number(y)); }
      return state.dir * x.localeCompare(y, "zh");
    });
    rows.forEach(function (r) { tbody.appendChild(r); });
    var heads = table.tHead.rows[0].cells;
    for (var i = 0; i < heads.length; i++) {
      var mark = heads[i].querySelector(".mark");
      if (mark) { mark.textContent = heads[i] === th ? (state.dir > 0 ? " ▲" : " ▼") : ""; }
    }
  }
  var heads = table.tHead.rows[0].cells;
  for (var i = 0; i < heads.length; i++) {
    if (heads[i].getAttribute("data-key")) {
      heads[i].style.cursor = "pointer";
      heads[i].addEventListener("click", function (e) { sortBy(e.currentTarget); });
    }
  }
  [sev, rule].forEach(function (el) { el.addEventListener("change", apply); });
  who.addEventListener("input", apply);
  apply();
})();
</script>"""


def _href(page: str | None) -> str:
    return esc(quote(page or "", safe="/#"))


def overview_table_html(run: RunData, sort_by: str = "rank", severity: str = "", rule: str = "",
                        agency: str = "", script: bool = True) -> HtmlFragment:
    """The agencies table: sortable (click a header) and filterable (severity, rule, agency) in the page.

    The sorting and filtering is a small inline script in the exported page (no fetch); JupyterLab drops
    scripts from untrusted output, so there the table is shown as sorted here and the widgets filter it.
    """
    if run.empty:
        return HtmlFragment("<p>没有可显示的机关。</p>")
    rules_by_key: dict[str, list[str]] = {}
    if not run.findings.is_empty():
        for key, rules in run.findings.group_by("key").agg(pl.col("rule").unique().sort()).iter_rows():
            rules_by_key[key] = list(rules)
    a = run.agencies
    if severity:
        a = a.filter(pl.col({"error": "errors", "warning": "warnings", "info": "infos"}[severity]) > 0)
    if rule:
        a = a.filter(pl.col("key").is_in([k for k, rs in rules_by_key.items() if rule in rs]))
    if agency:
        a = a.filter(pl.col("agency").fill_null("").str.contains(agency, literal=True))
    descending = sort_by in ("errors", "warnings", "infos", "year", "score")
    ties = [c for c in ("agency", "key") if c != sort_by and c in a.columns]  # the same order every run
    a = a.sort([sort_by, *ties], descending=[descending, *(False for _ in ties)], nulls_last=True)
    # the grade sorts by the score (grades are bands of it); the rank sorts 1, 2, 3… on the first click
    heads = [("agency", "text", "机关", ""), ("year", "num", "年度", ""), ("rank", "num", "名次", "asc"),
             ("score", "num", "得分", ""), ("grade", "num", "等级", ""), ("errors", "num", "错误", ""),
             ("warnings", "num", "警告", ""), ("infos", "num", "提示", ""), ("worst", "text", "最需关注的规则", ""),
             ("status", "text", "状态", "")]
    head = "".join(
        f'<th data-key="{k}" data-type="{t}"' + (f' data-first="{first}"' if first else "")
        + f' style="{_TH}">{label}<span class="mark"></span></th>' for k, t, label, first in heads)
    grade_names = _grade_names(run)
    body = []
    for row in a.iter_rows(named=True):
        name = row["agency"] or "（未识别机关）"
        worst = row["worst_rule"] or ""
        status = STATUS_LABELS.get(row["status"] or "", row["status"] or "")
        if row["error"]:
            status_html = f"<span style='color:{SEVERITY_COLORS['error'][1]};' title='{esc(row['error'])}'>{esc(status)}</span>"
        else:
            status_html = esc(status)
        counts = [row["errors"] or 0, row["warnings"] or 0, row["infos"] or 0]
        cells = "".join(
            f"<td style='{_TD}text-align:right;{'background:' + SEVERITY_COLORS[s][0] + ';' if n else ''}'>{n}</td>"
            for s, n in zip(SEVERITIES, counts, strict=True))
        score, grade, rank = row["score"], row["grade"], row["rank"]
        scored = score is not None
        score_cells = (
            f"<td class='rank' style='{_TD}text-align:right;'>{rank if rank is not None else '—'}</td>"
            f"<td class='score' style='{_TD}text-align:right;font-weight:700;' title='{esc(row['deductions'] or '')}'>"
            f"{_points(score) if scored else '—'}</td>"
            f"<td class='grade' style='{_TD}color:{grade_color(grade, grade_names)};font-weight:700;'>{esc(grade or '—')}</td>")
        body.append(
            f'<tr data-agency="{esc(name)}" data-year="{row["year"] or 0}" data-errors="{counts[0]}" '
            f'data-warnings="{counts[1]}" data-infos="{counts[2]}" data-worst="{esc(worst)}" data-status="{esc(status)}" '
            f'data-rank="{rank if rank is not None else 999999}" data-score="{score if scored else -1}" '
            f'data-grade="{score if scored else -1}" '
            f'data-error="{counts[0]}" data-warning="{counts[1]}" data-info="{counts[2]}" '
            f'data-rules="{esc(" ".join(rules_by_key.get(row["key"], [])))}">'
            f"<td style='{_TD}'><a class='agency-link' href='{_href(row['page'])}'>{esc(name)}</a></td>"
            f"<td style='{_TD}text-align:right;'>{row['year'] or '—'}</td>{score_cells}{cells}"
            f"<td style='{_TD}' title='{esc(rule_doc(worst))}'>{esc(worst) or '—'}</td>"
            f"<td style='{_TD}'>{status_html}</td></tr>")
    all_rules = sorted({r for rs in rules_by_key.values() for r in rs})
    options = "".join(f'<option value="{esc(r)}">{esc(r)}</option>' for r in all_rules)
    sev_options = "".join(f'<option value="{s}">有{severity_label(s)}</option>' for s in SEVERITIES)
    controls = (
        # hidden until the script shows them: JupyterLab strips scripts from untrusted output
        "<div class='filters' style='display:none;margin:6px 0;font-size:13px;'>"
        f"级别：<select name='severity'><option value=''>全部</option>{sev_options}</select> "
        f"规则：<select name='rule'><option value=''>全部</option>{options}</select> "
        "机关：<input name='agency' type='search' placeholder='输入机关名称' style='width:12em;'> "
        "<span class='shown' style='color:#555;margin-left:8px;'></span>"
        "<span style='color:#777;margin-left:8px;'>（点击表头排序）</span></div>"
    ) if script else ""
    table = (f"<div class='overview-box'>{controls}<div style='overflow-x:auto;'>"
             f"<table class='overview' style='{_TABLE}'><thead><tr>{head}</tr></thead>"
             f"<tbody>{''.join(body)}</tbody></table></div></div>")
    return HtmlFragment(table + (_SORT_SCRIPT if script else ""))


GRADE_COLORS = ("#2f855a", "#2b6cb0", "#b7791f", "#c0392b")  # best grade first; the worst is always red


def grade_color(grade: str | None, grades: Sequence[str]) -> str:
    """The colour of a grade: green for the best, red for the worst, in between by rank."""
    if grade is None or grade not in grades:
        return "#777"
    n, i = len(grades), list(grades).index(grade)
    if i == n - 1:
        return GRADE_COLORS[-1]
    return GRADE_COLORS[min(i, len(GRADE_COLORS) - 2)]


def _grade_names(run: RunData) -> list[str]:
    return [g for g, _ in run.grades] or [g for g, _ in load_rubric().grades]


def rules_html(findings: pl.DataFrame) -> HtmlFragment:
    """The rules that fired in a run: how many findings and agencies each, and what each checks."""
    if findings.is_empty():
        return HtmlFragment("<p>本次运行没有发现问题。</p>")
    rows = (findings.group_by("rule", "severity").agg(pl.len().alias("n"), pl.col("key").n_unique().alias("agencies"))
            .with_columns(pl.col("severity").replace_strict(_RANK, return_dtype=pl.Int64).alias("_o"))
            .sort(["_o", "n", "rule"], descending=[False, True, False]))  # ties by ID: the same page every run
    body = "".join(
        f"<tr><td style='{_TD}'>{esc(rule)}</td><td style='{_TD}color:{SEVERITY_COLORS[sev][1]};'>{severity_label(sev)}</td>"
        f"<td style='{_TD}text-align:right;'>{agencies}</td><td style='{_TD}text-align:right;'>{n}</td>"
        f"<td style='{_TD}'>{esc(rule_doc(rule))}</td></tr>"
        for rule, sev, n, agencies, _ in rows.iter_rows())
    return HtmlFragment(f"<table style='{_TABLE}'><thead><tr>{_th('规则')}{_th('级别')}{_th('涉及机关')}{_th('条数')}"
                        f"{_th('检查内容')}</tr></thead><tbody>{body}</tbody></table>")
