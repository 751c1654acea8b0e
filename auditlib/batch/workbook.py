"""findings.xlsx as an inspector hands it on: Chinese headers, rules by their short name, cells in the
template's words, links to the pages relative to the workbook's folder, one column per rubric item; and
the layout of every sheet (frozen header row, widths, wrapped text, filter) in one place, `write_sheet`.

The review import reads the findings sheet back by header (`auditlib.review.excel`): 规则 stays the rule
ID, and the hidden 单元格编号 column keeps the cell paths the finding's key is computed from.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

from auditlib.review.apply import REVIEW_HEADERS
from auditlib.review.excel import CELL_PATHS_HEADER
from auditlib.template import path_label

__all__ = [
    "CELLS_SHOWN",
    "FINDINGS_LAYOUT",
    "LINK_LIMIT",
    "SCORES_LAYOUT",
    "Column",
    "cells_text",
    "findings_sheet",
    "item_key",
    "lines_text",
    "scores_sheet",
    "sort_findings",
    "write_sheet",
]

CELLS_SHOWN = 10  # labels 涉及单元格 lists before 「等 N 项」
LINK_LIMIT = 65_530  # hyperlinks Excel allows in one worksheet; rows beyond keep the page as text
FIT_MAX = 30  # a fitted column is never wider than this (Excel characters)
TABLE_STYLE = "Table Style Light 9"


@dataclass(frozen=True)
class Column:
    """How a sheet shows one field: its Chinese header, width (Excel characters; None fits the content)
    and whether it wraps, links to a page, hides, or needs a number format."""

    header: str
    width: int | None = None
    wrap: bool = False
    link: bool = False
    hidden: bool = False
    number: str | None = None


_REVIEW_WIDTHS = {"review_key": 14, "review_status": 14, "review_note": 30, "reviewer": 10, "reviewed_at": 20}
_REVIEW_LAYOUT = {k: Column(h, _REVIEW_WIDTHS[k], wrap=k == "review_note") for k, h in REVIEW_HEADERS.items()}

# The findings sheet, in its column order. The headers of 机关, 年度, 规则, 问题说明, 报告文件 and the
# review columns are what `auditlib review import` reads: keep them (review.excel.IDENTITY_HEADERS).
FINDINGS_LAYOUT: dict[str, Column] = {
    "severity_label": Column("级别", 6),
    "agency": Column("机关"),
    "year": Column("年度", 6, number="0"),
    "rule_name": Column("规则名称"),
    "rule": Column("规则"),
    "message": Column("问题说明", 60, wrap=True),
    "cell_labels": Column("涉及单元格", 40, wrap=True),
    "line_ranges": Column("原文行号", 12, wrap=True),
    "score": Column("得分", 6, number="General"),
    "grade": Column("等级", 7),
    "page": Column("审核页面", 28, link=True),
    "report": Column("报告文件", 30),
    "cells": Column(CELL_PATHS_HEADER, 12, hidden=True),  # the paths, ";"-joined: the key's, not for reading
    **_REVIEW_LAYOUT,
}

SCORES_LAYOUT: dict[str, Column] = {
    "rank": Column("名次", 6, number="0"),
    "agency": Column("机关"),
    "year": Column("年度", 6, number="0"),
    "score": Column("得分", 6, number="General"),
    "grade": Column("等级", 7),
    "deductions": Column("扣分", 40, wrap=True),  # only when the per-item columns are not given
    "cap": Column("等级封顶", 30, wrap=True),
    "unassessed": Column("未评项目（不扣分）", 40, wrap=True),
    "report": Column("报告文件", 30),
    "page": Column("审核页面", 28, link=True),
}


def item_key(item: str) -> str:
    """The column of a rubric item's points in the frame `scores_sheet` takes (outputs.deduction_items)."""
    return f"item:{item}"


def cells_text(cells: Iterable[str], shown: int = CELLS_SHOWN) -> str:
    """The cells a finding names, in the template's words, the first `shown` of them, then 「等 N 项」."""
    labels = [path_label(c) for c in cells]
    if len(labels) <= shown:
        return "；".join(labels)
    return "；".join(labels[:shown]) + f" 等 {len(labels)} 项"


def lines_text(lines: Iterable[int]) -> str:
    """Source line numbers with runs shortened: 49–66、80."""
    numbers = sorted(set(lines))
    runs: list[list[int]] = []
    for n in numbers:
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    return "、".join(f"{r[0]}–{r[-1]}" if len(r) > 2 else "、".join(map(str, r)) for r in runs)


def sort_findings(frame: pl.DataFrame) -> pl.DataFrame:
    """Worst first (the project's Severity order), then by agency, rule, year and report."""
    from auditlib.findings import SEVERITY_ORDER

    order = {str(k): v for k, v in SEVERITY_ORDER.items()}
    rank = pl.col("severity").replace_strict(order, default=len(order), return_dtype=pl.Int64)
    return (frame.with_columns(rank.alias("_severity"))
            .sort("_severity", "agency", "rule", "year", "report", nulls_last=True, maintain_order=True)
            .drop("_severity"))


def findings_sheet(frame: pl.DataFrame) -> pl.DataFrame:
    """The findings frame (cells and lines as lists, review columns added) as the sheet shows it."""
    from auditlib.render.data import rule_name

    shown = frame.with_columns(
        pl.col("rule").map_elements(rule_name, return_dtype=pl.String).alias("rule_name"),
        pl.col("cells").map_elements(cells_text, return_dtype=pl.String).alias("cell_labels"),
        pl.col("lines").map_elements(lines_text, return_dtype=pl.String).alias("line_ranges"),
        pl.col("cells").list.join(";"),
    )
    return sort_findings(shown).select([c for c in FINDINGS_LAYOUT if c in shown.columns])


def scores_sheet(ranked: pl.DataFrame, items: pl.DataFrame | None = None,
                 rubric_items: Sequence[tuple[str, float]] = ()) -> tuple[pl.DataFrame, dict[str, Column]]:
    """The 「评分」 sheet: one row per agency by rank; with `items` (outputs.deduction_items), one column
    per rubric item (`rubric_items`: name, points) holding the points it lost, instead of one 扣分 string."""
    layout = dict(SCORES_LAYOUT)
    if items is None:
        layout.pop("cap")
        return ranked.select([c for c in layout if c in ranked.columns]), layout
    layout.pop("deductions")
    joined = ranked.join(items, on="report", how="left", maintain_order="left")
    columns = {item_key(name): Column(f"{name}（{points:g}分）", number="General") for name, points in rubric_items}
    head = ("rank", "agency", "year", "score", "grade")
    layout = {**{k: layout[k] for k in head}, **columns, **{k: v for k, v in layout.items() if k not in head}}
    return joined.select([c for c in layout if c in joined.columns]), layout


def _display_width(text: str) -> int:
    """Excel characters a text needs: CJK (wide) characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _width(column: Column, values: pl.Series) -> int:
    if column.width is not None:
        return column.width
    longest = max((_display_width(str(v)) for v in values.drop_nulls().to_list()), default=0)
    return min(FIT_MAX, max(longest, _display_width(column.header)) + 2)


def write_sheet(book: Any, name: str, frame: pl.DataFrame, layout: Mapping[str, Column]) -> Any:
    """Write `frame` (fields named as in `layout`) as the worksheet `name` of the xlsxwriter `book`:
    Chinese headers, header row frozen, widths, wrapped text, a filter, and each page a relative hyperlink."""
    columns = {k: layout[k] for k in frame.columns}
    people = frame.rename({k: c.header for k, c in columns.items()})
    formats: dict[Any, Any] = {c.header: {"valign": "top", **({"text_wrap": True} if c.wrap else {}),
                          **({"num_format": c.number} if c.number else {})} for c in columns.values()}
    widths: dict[Any, Any] = {c.header: _width(c, frame[k]) * 7 + 5 for k, c in columns.items()}  # polars takes pixels
    people.write_excel(book, worksheet=name, column_formats=formats, column_widths=widths, freeze_panes="A2",
                       header_format={"bold": True, "valign": "top", "text_wrap": True}, table_style=TABLE_STYLE,
                       autofilter=True, hidden_columns=[c.header for c in columns.values() if c.hidden])
    sheet = book.get_worksheet_by_name(name)
    link = book.add_format({"font_color": "#0563C1", "underline": 1, "valign": "top"})
    for col, (key, column) in enumerate(columns.items()):
        if not column.link:
            continue
        for row, page in enumerate(frame[key].to_list()[:LINK_LIMIT], start=1):
            if page:  # "external:" + a relative path: Excel resolves it from the workbook's own folder
                sheet.write_url(row, col, "external:" + page, link, string=page, tip="打开该机关的审核页面")
    return sheet
