"""The parser's column choice: where a row's numbers read two ways, the template's sums decide.

A row whose last cell is blank, printed after a stray empty cell, reads two ways (the blank is the
last column, or the stray cell is the first). The way the other rows were printed cannot tell when
they were printed differently (here with a trailing tab); only the sums can. Each case asserts every
cell of the table against the values printed.
"""

from __future__ import annotations

import random

from builders import flatten, make_tables, render, with_cell

from auditlib.model import CellStatus
from auditlib.parse import parse_text

APP_ROWS = {"一、本年新收": "1", "二、上年结转": "2", "（七）总计": "3.7", "四、结转下年度": "4"}


def _read_as_printed(text: str, tables: dict, table: str) -> dict[str, tuple[object, CellStatus]]:
    """Cells of `table` that were not read as printed: path → (value read, status)."""
    report = parse_text(text)
    truth = {p: v for p, v in flatten(tables).items() if p.startswith(table + ".")}
    assert set(truth) <= set(report.cells)
    return {p: (report.cells[p].value, report.cells[p].status) for p, v in truth.items()
            if report.cells[p].value != v or (v is None) != (report.cells[p].status is CellStatus.BLANK)}


def test_applications_row_with_blank_total_is_placed_by_the_sums() -> None:
    tables = with_cell(make_tables(random.Random(21)), "applications.1.total", None)
    assert any(tables["applications"]["1"][c] for c in ("natural_person", "commercial")), "the row must print numbers"
    lines = render(tables).split("\n")
    for n, line in enumerate(lines):
        key = next((k for label, k in APP_ROWS.items() if line.startswith(label)), None)
        if key is not None and key != "1":
            lines[n] = line + "\t"  # the other single-width rows end with a stray tab: no habit to copy
    assert _read_as_printed("\n".join(lines), tables, "applications") == {}


def test_review_row_with_blank_last_cell_after_a_stray_tab_is_placed_by_the_group_totals() -> None:
    tables = with_cell(make_tables(random.Random(21)), "review_litigation.litigation_after_review.total", None)
    lines = render(tables).split("\n")
    n = max(i for i, line in enumerate(lines) if line.count("\t") >= 14)  # table 四's one printed row
    lines[n] = "\t" + lines[n]
    assert _read_as_printed("\n".join(lines), tables, "review_litigation") == {}
    report = parse_text("\n".join(lines))
    assert report.cells["review_litigation.litigation_after_review.total"].status is CellStatus.BLANK


def test_two_ambiguous_rows_are_placed_together() -> None:
    """Rows 一 and （七） each read two ways and only their sums together tell which: judged one at a time,
    row 一 was judged while （七） still stood in its wrong first reading. They start from the reading that
    drops as many leading empties in both (choose_readings), which the sums confirm."""
    tables = make_tables(random.Random(21))
    for row in ("1", "3.7"):
        tables = with_cell(tables, f"applications.{row}.total", None)
    lines = render(tables).split("\n")
    for n, line in enumerate(lines):
        key = next((k for label, k in APP_ROWS.items() if line.startswith(label)), None)
        if key in ("2", "4"):
            lines[n] = line + "\t"
    assert _read_as_printed("\n".join(lines), tables, "applications") == {}
