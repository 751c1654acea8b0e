"""The national template itself (tests/real/template-2021-empty.docx, as the State Council's office issues
it: merged header cells, the 申请人情况 heading spanning seven columns, 法人或其他组织 over five) filled
in with python-docx as an agency would, then read back."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import docx
import pytest
from builders import flatten, make_tables, render

from auditlib.audit import check_report
from auditlib.model import CellStatus
from auditlib.parse import parse_file, parse_text
from auditlib.template import APPLICATIONS, REVIEW_LITIGATION, table_spec

TEMPLATE = Path(__file__).parent / "real" / "template-2021-empty.docx"
# Where each data row sits in the template's three tables (row index; the first value column).
_AD_ROWS = {"rules": 2, "normative_documents": 3, "licensing": 6, "punishment": 9, "enforcement": 10, "fees": 13}
_APP_FIRST_ROW, _APP_FIRST_COLUMN, _RL_ROW = 3, 3, 3


def fill(tables: dict[str, Any], path: Path) -> Path:
    """The template with every cell of `tables` written in (None leaves the cell empty) and a short text."""
    document = docx.Document(str(TEMPLATE))
    active, applications, review = document.tables

    def put(cell: Any, value: object) -> None:
        cell.text = "" if value is None else str(value)

    ad = table_spec("2021", "active_disclosure")
    for row in ad.rows:
        for j, column in enumerate(ad.columns_of(row)):
            put(active.rows[_AD_ROWS[row.key]].cells[1 + j], tables["active_disclosure"][row.key][column.key])
    for n, row in enumerate(APPLICATIONS.rows):
        for j, column in enumerate(APPLICATIONS.columns):
            put(applications.rows[_APP_FIRST_ROW + n].cells[_APP_FIRST_COLUMN + j],
                tables["applications"][row.key][column.key])
    cells = [(g.key, c.key) for g in REVIEW_LITIGATION.rows for c in REVIEW_LITIGATION.columns]
    for j, (group, column) in enumerate(cells):
        put(review.rows[_RL_ROW].cells[j], tables["review_litigation"][group][column])
    for paragraph in document.paragraphs:
        if paragraph.text.strip().startswith("（文字描述"):
            paragraph.text = "本年度我镇认真贯彻落实《条例》，及时公开政府信息。本年度未收取信息处理费。"
        elif paragraph.text.strip() == "政府信息公开工作年度报告格式模板":
            paragraph.text = "青山镇人民政府2024年政府信息公开工作年度报告"
    document.save(str(path))
    return path


def test_the_template_is_what_fill_expects() -> None:
    """The positions above are the template's: a header cell of each table where fill assumes it."""
    active, applications, review = docx.Document(str(TEMPLATE)).tables
    assert active.rows[_AD_ROWS["fees"]].cells[0].text == "行政事业性收费"
    assert applications.rows[_APP_FIRST_ROW].cells[0].text.startswith("一、本年新收")
    assert applications.rows[_APP_FIRST_ROW - 1].cells[_APP_FIRST_COLUMN].text == "自然人"
    assert [c.text for c in review.rows[_RL_ROW].cells] == [""] * 15


@pytest.mark.parametrize("seed", range(8))
def test_filled_template_reads_every_value(seed: int, tmp_path: Path) -> None:
    tables = make_tables(random.Random(seed))
    report = parse_file(fill(tables, tmp_path / "filled.docx"))
    assert (report.agency, report.year, report.template) == ("青山镇人民政府", 2024, "2021")
    assert {p: report.cells[p].value for p in flatten(tables)} == flatten(tables)


@pytest.mark.parametrize("seed", range(8))
def test_cells_left_empty_in_the_template_are_blank_not_zero(seed: int, tmp_path: Path) -> None:
    rng = random.Random(100 + seed)
    tables = make_tables(rng)
    left = rng.sample(sorted(flatten(tables)), 6)
    for path in left:
        table, *row, column = path.split(".")
        tables[table][".".join(row)][column] = None
    report = parse_file(fill(tables, tmp_path / "filled.docx"))
    assert {p: report.cells[p].status for p in left} == dict.fromkeys(left, CellStatus.BLANK)
    assert {p: report.cells[p].value for p in flatten(tables)} == flatten(tables)
    blank = {p for f in check_report(report) if f.rule == "CELL-BLANK" for p in f.cells}
    assert set(left) <= blank


def _table_four_left_empty() -> dict[str, Any]:
    tables = make_tables(random.Random(7))
    for group in tables["review_litigation"].values():
        for column in group:
            group[column] = None
    return tables


def test_table_four_left_empty_is_blank_not_missing(tmp_path: Path) -> None:
    """Its one row of 15 cells printed and left empty (agencies without cases do): 15 blank cells, a
    warning (TABLE-ALL-BLANK); before, the empty row vanished when the .docx was read and the table counted as absent."""
    report = parse_file(fill(_table_four_left_empty(), tmp_path / "filled.docx"))
    rl = {p: c.status for p, c in report.cells.items() if p.startswith("review_litigation.")}
    assert len(rl) == 15 and set(rl.values()) == {CellStatus.BLANK}
    rules = {f.rule for f in check_report(report)}
    assert "TABLE-ALL-BLANK" in rules and "CELL-MISSING" not in rules


@pytest.mark.parametrize("layout", ["tabs", "pipes", "cells"])
def test_table_four_left_empty_in_text_layouts(layout: str) -> None:
    report = parse_text(render(_table_four_left_empty(), layout=layout))
    assert {c.status for p, c in report.cells.items() if p.startswith("review_litigation.")} == {CellStatus.BLANK}
