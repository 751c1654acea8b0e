"""The three statistics tables as the template prints them: Python lays out the grid, `table.html.j2` prints it.

Every label comes from `auditlib.template` (row and column labels, header groups, the one-row （六）).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

import polars as pl

from auditlib.model import CellStatus, Report
from auditlib.render.data import CELL_STATUS_LABELS, SEVERITY_COLORS, cell_highlights, cell_text
from auditlib.render.env import TD, TH, HtmlFragment, render
from auditlib.render.reviewed import correction_line, corrections
from auditlib.review.apply import correction_text
from auditlib.template import (
    ACTIVE_DISCLOSURE_ARTICLES,
    APPLICANT_COLUMNS,
    APPLICANT_GROUP,
    APPLICANT_HEAD,
    BALANCE_NOTE,
    CONTENT_HEAD,
    DISPOSAL_HEAD,
    LITIGATION_GROUP,
    LITIGATION_SUBHEADS,
    REVIEW_LITIGATION,
    TABLE_KEYS,
    TOTAL,
    Row,
    cell_label,
    table_rows,
    table_spec,
)


@dataclass(frozen=True)
class GridCell:
    """One `<th>` or `<td>`: its text (escaped by the template) and attributes in print order."""

    tag: str
    text: str
    attrs: tuple[tuple[str, str], ...]


def _th(label: str, rowspan: int = 1, colspan: int = 1, align: str = "center", style: str = "") -> GridCell:
    spans = (("rowspan", str(rowspan)),) * (rowspan > 1) + (("colspan", str(colspan)),) * (colspan > 1)
    return GridCell("th", label, (*spans, ("style", style or f"{TH}text-align:{align};")))


def _td(report: Report, path: str, highlight: Mapping[str, str], anchors: bool, colspan: int = 1) -> GridCell:
    cell = report.cell(path)
    style = TD + "text-align:right;min-width:2.2em;"
    if cell.status is not CellStatus.OK:
        style += "color:#888;font-style:italic;"
    sev = highlight.get(path)
    cls = "cell"
    if sev:
        bg, fg = SEVERITY_COLORS[sev]
        style += f"background:{bg};box-shadow:inset 0 0 0 2px {fg};font-weight:700;"
        cls += f" hl hl-{sev}"
    title = cell_label(path)
    if CELL_STATUS_LABELS[cell.status]:
        title += f"（{CELL_STATUS_LABELS[cell.status]}）"
    if cell.lines:
        title += f" · 原文第 {'、'.join(str(n) for n in cell.lines[:3])} 行"
    corrected = correction_text(report, path)
    if corrected:
        title += f"；{corrected}"
        style += "outline:2px dashed #6b46c1;outline-offset:-3px;"
        cls += " corrected"
    attrs = ((("id", f"cell-{path}"),) if anchors else ()) + (
        ("class", cls), ("data-path", path), ("title", title), ("style", style))
    return GridCell("td", cell_text(cell), attrs + ((("colspan", str(colspan)),) if colspan > 1 else ()))


def _split_label(row: Row) -> tuple[str, str]:
    """「（三）不予公开 1.属于国家秘密」 → (group, item); rows without an item give ("", label)."""
    if row.key.count(".") == 2:
        group, _, item = row.label.partition(" ")
        return group, item
    return "", row.label


Grid = list[list[GridCell]]


def _active_disclosure(report: Report, hl: Mapping[str, str], rows: Collection[str] | None, anchors: bool) -> Grid:
    spec = table_spec(report.template, "active_disclosure")
    width = 1 + max(len(spec.columns_of(r)) for r in spec.rows)
    body: Grid = []
    prev_columns: tuple[str, ...] | None = None
    for row in spec.rows:
        columns = spec.columns_of(row)
        signature = tuple(c.key for c in columns)
        if rows is not None and row.key not in rows:
            prev_columns = None
            continue
        group = ACTIVE_DISCLOSURE_ARTICLES.get(row.key) if report.template != "2019" else None
        if group or signature != prev_columns:
            if group:
                body.append([_th(group, colspan=width, align="left")])
            span = width - len(columns)
            body.append([_th(CONTENT_HEAD)] + [_th(c.label, colspan=(1 + span if i == len(columns) - 1 else 1))
                                               for i, c in enumerate(columns)])
        prev_columns = signature
        span = width - 1 - len(columns)
        body.append([GridCell("th", row.label, (("style", f"{TH}text-align:left;"),))] + [
            _td(report, f"active_disclosure.{row.key}.{c.key}", hl, anchors,
                1 + span if i == len(columns) - 1 and span else 1)
            for i, c in enumerate(columns)])
    return body


def _applications(report: Report, hl: Mapping[str, str], rows: Collection[str] | None,
                  anchors: bool) -> tuple[Grid, Grid]:
    spec = table_spec(report.template, "applications")
    head: Grid = [
        [_th(BALANCE_NOTE, rowspan=3, colspan=3), _th(APPLICANT_HEAD, colspan=7)],
        [_th(APPLICANT_COLUMNS[0].label, rowspan=2), _th(APPLICANT_GROUP, colspan=5), _th(TOTAL.label, rowspan=2)],
        [_th(c.label) for c in spec.columns[1:6]],
    ]
    shown = [r for r in table_rows(report.template, "applications", report.other_single_row)
             if rows is None or r.key in rows]
    disposal = [r for r in shown if r.key.startswith("3.")]
    groups: dict[str, int] = {}
    for r in disposal:
        group, _ = _split_label(r)
        if group:
            groups[group] = groups.get(group, 0) + 1
    label_style = f"{TH}text-align:left;font-weight:400;"
    group_style = label_style + "white-space:nowrap;"
    body: Grid = []
    done_groups: set[str] = set()
    first_disposal = True
    for row in shown:
        cells = [_td(report, f"applications.{row.key}.{c.key}", hl, anchors) for c in spec.columns]
        if not row.key.startswith("3."):
            body.append([_th(row.label, colspan=3, style=label_style), *cells])
            continue
        lead: list[GridCell] = []
        if first_disposal:
            lead = [_th(DISPOSAL_HEAD, rowspan=len(disposal), style=group_style)]
            first_disposal = False
        group, item = _split_label(row)
        if not group:
            body.append([*lead, _th(item, colspan=2, style=label_style), *cells])
            continue
        group_th: list[GridCell] = []
        if group not in done_groups:
            done_groups.add(group)
            group_th = [_th(group, rowspan=groups[group], style=group_style)]
        body.append([*lead, *group_th, _th(item, style=label_style), *cells])
    return head, body


def _review_litigation(report: Report, hl: Mapping[str, str], anchors: bool) -> tuple[Grid, Grid]:
    spec = table_spec(report.template, "review_litigation")
    labels = [c.label for c in spec.columns]
    head: Grid = [
        [_th(REVIEW_LITIGATION.rows[0].label, colspan=5), _th(LITIGATION_GROUP, colspan=10)],
        [_th(label, rowspan=2) for label in labels] + [_th(sub, colspan=5) for sub in LITIGATION_SUBHEADS.values()],
        [_th(label) for label in labels] * 2,
    ]
    cells = [_td(report, f"review_litigation.{row.key}.{c.key}", hl, anchors) for row in spec.rows for c in spec.columns]
    return head, [cells]


def table_html(report: Report, key: str, highlight: Mapping[str, str] | None = None,
               rows: Collection[str] | None = None, anchors: bool = True) -> str:
    """One of the three tables as the template prints it; `highlight` maps cell paths to a severity.

    `rows` limits the table to those row keys (a drill-down shows only the rows involved);
    `anchors` gives each cell an `id="cell-<path>"` to link to (only on the page's main tables).
    """
    hl = highlight or {}
    head: Grid | None = None
    if key == "active_disclosure":
        body = _active_disclosure(report, hl, rows, anchors)
    elif key == "applications":
        head, body = _applications(report, hl, rows, anchors)
    elif key == "review_litigation":
        head, body = _review_litigation(report, hl, anchors)
    else:
        raise KeyError(key)
    return str(render("table.html.j2", key=key, anchors=anchors, title=table_spec("2021", key).title,
                      head=head, body=body))


def tables_html(report: Report | None, frame: pl.DataFrame) -> HtmlFragment:
    """The three tables, every cell a finding implicates highlighted by the finding's severity."""
    if report is None:
        return HtmlFragment("<p>报告无法读取，没有可显示的统计表。</p>")
    hl = cell_highlights(frame)
    tables = [table_html(report, key, hl) for key in TABLE_KEYS]
    fixed = [{"path": c.cell, "label": c.label, "line": correction_line(c), "lines": "、".join(map(str, c.lines)),
              "source": c.source} for c in corrections(report)]
    return render("tables.html.j2", colors=SEVERITY_COLORS, tables=tables, corrections=fixed)
