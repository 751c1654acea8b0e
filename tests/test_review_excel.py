"""findings.xlsx from a real `auditlib batch`: review columns with a drop-down, read back all or nothing.

One small batch (two seeds) for the whole module; it also shows that a batch run with --force keeps
the review store it finds in the output folder.
"""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import polars as pl
import pytest
from openpyxl import load_workbook

from auditlib.audit import audit_file
from auditlib.model import Report
from auditlib.review import (
    REVIEW_HEADERS,
    STATUS_LABELS,
    ReviewImportError,
    Status,
    add_review_validation,
    annotate_findings_xlsx,
    finding_key,
    import_review_xlsx,
    keep_unimported,
    open_store,
    record_correction,
    review_columns,
)

ROOT = Path(__file__).resolve().parent.parent
SEEDS = [ROOT / "examples" / "reports" / n for n in ("001_8b82d1f9e6f02d87.txt", "003_4ea7538dec090386.txt")]
STATUS_COL = "复核结论"


@pytest.fixture(scope="module")
def batch_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`auditlib batch --force` over two seeds, into a folder that already holds review decisions."""
    from auditlib.batch import run_batch

    base = tmp_path_factory.mktemp("review-batch")
    (base / "in").mkdir()
    for seed in SEEDS:
        shutil.copy(seed, base / "in" / seed.name)
    out = base / "out"
    out.mkdir()
    zuolong = audit_file(base / "in" / SEEDS[0].name)
    title = next(f for f in zuolong.findings if f.rule == "TITLE-FORM")
    assert isinstance(zuolong.report, Report)
    with open_store(out) as store:
        store.set_decision(finding_key(title), Status.DISMISSED, "县里统一的标题写法", "张三", finding=title)
        record_correction(store, zuolong.report, "applications.1.total", 0, "原件为 0", "张三")
    result = run_batch([base / "in"], out, workers=1, force=True, progress=False)
    assert result.failed == 0
    return out


def _sheet_copy(out: Path, name: str) -> Path:
    copy = out.parent / name
    shutil.copy(out / "findings.xlsx", copy)
    return copy


def _rows(path: Path) -> tuple[list[str], list[list[object]]]:
    sheet = load_workbook(path)["问题清单"]
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    return [str(h) for h in values[0]], values[1:]


def _fill(path: Path, edits: dict[int, dict[str, object]]) -> None:
    """Set cells of the findings sheet by Excel row number and header, as an inspector would."""
    book = load_workbook(path)
    sheet = book["问题清单"]
    header = [c.value for c in sheet[1]]
    for row, values in edits.items():
        for title, value in values.items():
            sheet.cell(row=row, column=header.index(title) + 1, value=value)
    book.save(path)


def _row_of(path: Path, agency: str, rule: str) -> int:
    header, rows = _rows(path)
    a, r = header.index("机关"), header.index("规则")
    return next(i for i, row in enumerate(rows, start=2) if row[a] == agency and row[r] == rule)


def test_a_forced_batch_run_keeps_the_review_store(batch_out: Path) -> None:
    with open_store(batch_out) as store:
        assert [d.status for d in store.decisions().values()] == [Status.DISMISSED]
        assert len(store.correction_history()) == 1


def test_the_batch_sheet_gets_review_columns_with_a_drop_down(batch_out: Path) -> None:
    path = _sheet_copy(batch_out, "annotated.xlsx")
    with open_store(batch_out) as store:
        rows = annotate_findings_xlsx(path, store)
    header, data = _rows(path)
    assert rows == len(data) == pl.read_parquet(batch_out / "findings.parquet").height
    assert header[-5:] == list(REVIEW_HEADERS.values())
    status = {(r[header.index("机关")], r[header.index("规则")]): r[header.index(STATUS_COL)] for r in data}
    assert status[("佐龙镇人民政府", "TITLE-FORM")] == "排除（误报）"
    assert status[("红旗区人民政府", "SEC5-NO-RECTIFY")] == "待复核"
    book = load_workbook(path)
    sheet = book["问题清单"]
    [dv] = sheet.data_validations.dataValidation
    col = chr(ord("A") + header.index(STATUS_COL))
    assert str(dv.sqref) == f"{col}2:{col}{len(data) + 1}"
    assert dv.formula1 == '"' + ",".join(STATUS_LABELS.values()) + '"'
    [table] = sheet.tables.values()
    assert table.ref.endswith(f"{len(data) + 1}") and [c.name for c in table.tableColumns] == header
    assert "评分" in book.sheetnames  # the other sheet is left alone


def test_a_filled_sheet_round_trips_into_the_store(batch_out: Path) -> None:
    path = _sheet_copy(batch_out, "filled.xlsx")
    with open_store(batch_out) as store:
        annotate_findings_xlsx(path, store)
    row = _row_of(path, "红旗区人民政府", "SEC5-NO-RECTIFY")
    other = _row_of(path, "佐龙镇人民政府", "SEC5-NO-RECTIFY")
    _fill(path, {row: {STATUS_COL: "确认问题", "复核意见": "第五部分只列问题", "复核人": "赵六"},
                 other: {STATUS_COL: "需补充材料", "复核人": "赵六", "复核编号": None}})  # key from the columns
    result = import_review_xlsx(path, batch_out)
    assert len(result.applied) == 2 and result.unchanged == result.rows - 2
    with open_store(batch_out) as store:
        current = store.decisions()
    by_agency = {(d.agency, d.rule): d for d in current.values()}
    d = by_agency[("红旗区人民政府", "SEC5-NO-RECTIFY")]
    assert (d.status, d.note, d.reviewer, d.source) == (Status.CONFIRMED, "第五部分只列问题", "赵六", "excel:filled.xlsx")
    assert by_agency[("佐龙镇人民政府", "SEC5-NO-RECTIFY")].status is Status.NEEDS_MATERIAL
    assert by_agency[("佐龙镇人民政府", "TITLE-FORM")].status is Status.DISMISSED  # untouched row, untouched
    again = import_review_xlsx(path, batch_out)
    assert again.applied == [] and again.unchanged == again.rows  # importing twice adds nothing


def test_one_bad_row_and_nothing_of_the_file_is_applied(batch_out: Path) -> None:
    path = _sheet_copy(batch_out, "bad.xlsx")
    with open_store(batch_out) as store:
        annotate_findings_xlsx(path, store)
        before = len(store.history())
    header, rows = _rows(path)
    good = _row_of(path, "佐龙镇人民政府", "SEC5-NO-RECTIFY")
    others = [n for n in range(2, len(rows) + 2) if n != good][:3]
    _fill(path, {good: {STATUS_COL: "确认问题", "复核人": "钱七", "复核意见": "此行本身无误"},
                 others[0]: {STATUS_COL: "通过"},
                 others[1]: {STATUS_COL: "确认问题", "复核人": "钱七", "复核编号": "ffffffffffff"},
                 others[2]: {STATUS_COL: "确认问题", "复核人": None, "复核意见": "没写复核人"}})
    with pytest.raises(ReviewImportError) as caught:
        import_review_xlsx(path, batch_out)
    errors = caught.value.errors
    assert len(errors) == 3
    assert f"bad.xlsx 第 {others[0]} 行" in errors[0] and "复核结论“通过”无效" in errors[0]
    assert f"第 {others[1]} 行" in errors[1] and "没有这条问题" in errors[1]
    assert f"第 {others[2]} 行" in errors[2] and "没有填写复核人" in errors[2]
    with open_store(batch_out) as store:
        assert len(store.history()) == before  # the good row was not applied either


def test_a_sheet_that_is_not_a_findings_sheet_is_refused(batch_out: Path, tmp_path: Path) -> None:
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"PK not really a zip")
    with pytest.raises(ReviewImportError, match="junk.xlsx"):
        import_review_xlsx(junk, batch_out)
    with pytest.raises(ReviewImportError) as caught:
        import_review_xlsx(batch_out / "findings.xlsx", batch_out)  # the batch's sheet before `review export`
    assert "复核结论" in caught.value.errors[0]


def test_the_batch_writer_can_add_the_columns_itself_with_xlsxwriter(batch_out: Path, tmp_path: Path) -> None:
    """What write_findings will do: review_columns on the frame, then add_review_validation on its worksheet."""
    import xlsxwriter

    frame = pl.read_parquet(batch_out / "findings.parquet")
    flat = frame.with_columns(pl.col("cells").list.join(";"), pl.col("lines").cast(pl.List(pl.String)).list.join(";"))
    with open_store(batch_out) as store:
        flat = review_columns(flat, store)
    headers = {"agency": "机关", "year": "年度", "rule": "规则", "message": "问题说明", "cells": "涉及单元格",
               "report": "报告文件", **REVIEW_HEADERS}
    buf = io.BytesIO()
    with xlsxwriter.Workbook(buf, {"in_memory": True}) as book:
        flat.select(list(headers)).rename(headers).write_excel(book, worksheet="问题清单", autofit=True,
                                                               table_style="Table Style Light 9")
        add_review_validation(book.get_worksheet_by_name("问题清单"), list(headers.values()), flat.height)
    path = tmp_path / "written.xlsx"
    path.write_bytes(buf.getvalue())
    sheet = load_workbook(path)["问题清单"]
    [dv] = sheet.data_validations.dataValidation
    assert dv.type == "list" and "排除（误报）" in str(dv.formula1)
    row = _row_of(path, "红旗区人民政府", "SEC5-NO-RECTIFY")
    _fill(path, {row: {STATUS_COL: "排除（误报）", "复核人": "孙八", "复核意见": "已在附件说明整改"}})
    assert len(import_review_xlsx(path, batch_out).applied) == 1


def test_unimported_entries_in_findings_xlsx_are_copied_aside_before_a_rewrite(batch_out: Path) -> None:
    original = (batch_out / "findings.xlsx").read_bytes()
    try:
        with open_store(batch_out) as store:
            annotate_findings_xlsx(batch_out / "findings.xlsx", store)
        assert keep_unimported(batch_out) is None  # as exported: nothing to keep
        row = _row_of(batch_out / "findings.xlsx", "佐龙镇人民政府", "TABLE-ALL-ZERO")
        _fill(batch_out / "findings.xlsx", {row: {STATUS_COL: "确认问题", "复核人": "周九"}})
        copy = keep_unimported(batch_out)
        assert copy is not None and copy.name.startswith("findings.未导入复核-")
        assert copy.read_bytes() == (batch_out / "findings.xlsx").read_bytes()
        copy.unlink()
    finally:
        (batch_out / "findings.xlsx").write_bytes(original)
