"""What the batch writes is safe and reproducible (issue 11): the same input gives the same index.html
bytes; no cell of findings.xlsx / CSV becomes a formula; output names fit the file system."""

from __future__ import annotations

import random
from pathlib import Path

import polars as pl

from auditlib import render

# six rules with one warning each and two with two errors each: every count ties with another
TIED = ["TITLE-FORM", "CELL-BLANK", "FEE-NOT-REPORTED", "AD-IN-FORCE", "TABLE-ALL-ZERO", "CELL-MISSING"]


def _findings(seed: int) -> pl.DataFrame:
    rows = [{"rule": r, "severity": "warning", "key": f"k{i}"} for i, r in enumerate(TIED)]
    rows += [{"rule": r, "severity": "error", "key": k} for r in ("APP-BALANCE", "TEXT-TABLE-MISMATCH") for k in ("a", "b")]
    random.Random(seed).shuffle(rows)
    return pl.DataFrame(rows)


def _rule_order(html: str) -> list[str]:
    known = TIED + ["APP-BALANCE", "TEXT-TABLE-MISMATCH"]
    return sorted(known, key=lambda r: html.index(f">{r}<"))


def test_rule_tables_break_ties_by_rule_id_whatever_the_input_order() -> None:
    expected = ["APP-BALANCE", "TEXT-TABLE-MISMATCH", *sorted(TIED)]  # errors first, then by count, then by ID
    pages = {str(render.rules_html(_findings(seed))) for seed in range(8)}
    assert len(pages) == 1
    assert _rule_order(pages.pop()) == expected
    summaries = {str(render.summary_html(_findings(seed))) for seed in range(8)}
    assert len(summaries) == 1
    assert _rule_order(summaries.pop()) == expected


# ---------------------------------------------------------------------------------------------
# Spreadsheets: what excel_safe protects reads back as the original (the review keys depend on it)
# ---------------------------------------------------------------------------------------------

FORMULAS = ['=HYPERLINK("http://evil.example/","点此")红旗区人民政府', "+1红旗区人民政府", "-1+2区", "@SUM(A1)", "\tx",
            "'=already quoted", "''@twice", "'plain quote", "-3", "'-3", "红旗区人民政府", ""]


def test_excel_text_gives_back_what_excel_safe_protected() -> None:
    from auditlib.safety import excel_safe, excel_safe_frame, excel_text

    assert [excel_text(excel_safe(v)) for v in FORMULAS] == FORMULAS
    assert excel_safe_frame(pl.DataFrame({"a": FORMULAS}))["a"].to_list() == [excel_safe(v) for v in FORMULAS]
    assert all(not excel_safe(v).startswith(("=", "+", "@", "\t")) for v in FORMULAS)


def test_review_columns_in_the_sheet_are_never_formulas_and_keys_survive_the_quote(tmp_path: Path) -> None:
    import openpyxl
    import xlsxwriter

    from auditlib.review.excel import IDENTITY_HEADERS, annotate_findings_xlsx, read_review_sheet
    from auditlib.review.identity import key_of
    from auditlib.review.records import Decision, Status
    from auditlib.safety import excel_safe_frame

    agency = FORMULAS[0]
    row = {"agency": agency, "year": 2024, "rule": "TITLE-FORM", "cells": "", "message": "=标题不规范", "report": "r.txt"}
    key = key_of(agency, 2024, "TITLE-FORM", [], "=标题不规范", "r.txt")
    frame = excel_safe_frame(pl.DataFrame([row])).rename(IDENTITY_HEADERS)  # as the batch writes the sheet
    path = tmp_path / "findings.xlsx"
    with xlsxwriter.Workbook(path) as book:
        frame.write_excel(book, worksheet="问题清单")
    note = Decision(1, key, Status.DISMISSED, "=1+1 不是问题", "@张三", "2026-12-03T07:00:00+08:00", "cli")
    assert annotate_findings_xlsx(path, {key: note}) == 1
    sheet = openpyxl.load_workbook(path).worksheets[0]
    cells = [c for r in sheet.iter_rows() for c in r if c.value is not None]
    assert all(c.data_type in ("s", "n") for c in cells), [(c.coordinate, c.data_type, c.value) for c in cells if c.data_type not in ("s", "n")]
    assert not [c.value for c in cells if isinstance(c.value, str) and c.value.startswith(("=", "+", "@"))]
    (read,), errors = read_review_sheet(path)
    assert not errors and read.key == key
    assert (read.note, read.reviewer, read.status) == ("=1+1 不是问题", "@张三", Status.DISMISSED)
