"""The Excel round trip: findings.xlsx carries 复核编号/复核结论/复核意见/复核人/复核时间, and an inspector's
filled-in sheet is read back into the store — all rows, or (if any row is wrong) none of them.

Two ways to put the columns in: `add_review_validation` for the xlsxwriter worksheet the batch is
writing (add `review_columns(...)` to the frame first), or `annotate_findings_xlsx` to post-process a
findings.xlsx already written. Both give 复核结论 a drop-down of the four statuses.
"""

from __future__ import annotations

import io
import os
import shutil
import tempfile
import zipfile
from collections.abc import Container, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from auditlib.review.apply import REVIEW_HEADERS, review_columns
from auditlib.review.folder import folder_findings
from auditlib.review.identity import key_of
from auditlib.review.records import STATUS_LABELS, Decision, Status, now, parse_status
from auditlib.review.store import ReviewStore, decisions_of, open_store
from auditlib.safety import excel_safe, excel_text

MAX_XLSX_BYTES = 50 * 1024 * 1024  # a findings.xlsx of 100,000 findings is a few MB

__all__ = [
    "CELL_PATHS_HEADER",
    "FINDINGS_SHEET",
    "ImportResult",
    "ReviewImportError",
    "add_review_validation",
    "annotate_findings_xlsx",
    "import_review_xlsx",
    "keep_unimported",
    "read_review_sheet",
]

FINDINGS_SHEET = "问题清单"
STATUS_HEADER = REVIEW_HEADERS["review_status"]
KEY_HEADER = REVIEW_HEADERS["review_key"]
NOTE_HEADER = REVIEW_HEADERS["review_note"]
REVIEWER_HEADER = REVIEW_HEADERS["reviewer"]
# The findings sheet's own columns the key is computed from when 复核编号 is absent (batch.EXCEL_HEADERS).
IDENTITY_HEADERS = {"agency": "机关", "year": "年度", "rule": "规则", "cells": "涉及单元格", "message": "问题说明",
                    "report": "报告文件"}
# The batch's sheet shows 涉及单元格 in the template's words (capped) and keeps the cell paths, ";"-joined,
# in this hidden column; a sheet without it (older, or made by hand) has the paths in 涉及单元格.
CELL_PATHS_HEADER = "单元格编号"


def _cells_header(header: Sequence[Any]) -> str:
    """The header of the column holding the cell paths the key is computed from."""
    return CELL_PATHS_HEADER if CELL_PATHS_HEADER in header else IDENTITY_HEADERS["cells"]
_PROMPT = {"validate": "list", "source": list(STATUS_LABELS.values()), "input_title": "复核结论",
           "input_message": "请选择：" + "、".join(STATUS_LABELS.values()), "error_title": "复核结论无效",
           "error_message": "请从下拉列表中选择：" + "、".join(STATUS_LABELS.values())}


def add_review_validation(worksheet: Any, headers: Sequence[str], rows: int) -> None:
    """xlsxwriter: give the 复核结论 column of `worksheet` (data rows 1..rows under the header) a drop-down."""
    if STATUS_HEADER not in headers or rows <= 0:
        return
    col = list(headers).index(STATUS_HEADER)
    worksheet.data_validation(1, col, rows, col, dict(_PROMPT))


def _openpyxl_validation() -> Any:
    from openpyxl.worksheet.datavalidation import DataValidation

    return DataValidation(type="list", formula1='"' + ",".join(STATUS_LABELS.values()) + '"', allow_blank=True,
                          showErrorMessage=True, showInputMessage=True, promptTitle=_PROMPT["input_title"],
                          prompt=_PROMPT["input_message"], errorTitle=_PROMPT["error_title"],
                          error=_PROMPT["error_message"])


def checked_xlsx(path: Path) -> io.BytesIO:
    """The bytes of an .xlsx, read only if it is a regular file whose members inflate to their declared sizes.

    openpyxl trusts the zip's size fields: a sheet forged to say 1 KB would inflate to gigabytes.
    The bytes are the ones checked (the file is not opened a second time). UnreadableError otherwise.
    """
    from auditlib.ingest.docx import check_zip
    from auditlib.ingest.files import read_regular

    data = read_regular(path, MAX_XLSX_BYTES)
    check_zip(data, "Excel 文件（.xlsx）").close()
    return io.BytesIO(data)


def annotate_findings_xlsx(path: str | Path, decisions: ReviewStore | Mapping[str, Decision] | None) -> int:
    """Add (or refresh) the review columns of a findings.xlsx in place, atomically; returns the rows written."""
    import polars as pl
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.table import TableColumn

    from auditlib.ingest.errors import UnreadableError

    path = Path(path)
    try:
        book = load_workbook(checked_xlsx(path))
    except UnreadableError as exc:
        raise ValueError(f"无法读取 {path}：{exc}") from None
    sheet = book[FINDINGS_SHEET] if FINDINGS_SHEET in book.sheetnames else book.worksheets[0]
    header = [c.value for c in sheet[1]]
    identity = {**IDENTITY_HEADERS, "cells": _cells_header(header)}
    missing = [h for h in identity.values() if h not in header]
    if missing:
        raise ValueError(f"{path.name} 的「{sheet.title}」工作表缺少列：{'、'.join(missing)}")
    data = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    frame = pl.DataFrame({eng: [str(excel_text(r[header.index(h)])) if r[header.index(h)] is not None else None for r in data]
                          for eng, h in identity.items()}, schema=dict.fromkeys(identity, pl.String))
    frame = frame.with_columns(pl.col("year").cast(pl.Float64, strict=False).cast(pl.Int64, strict=False))
    reviewed = review_columns(frame, decisions)
    for eng, title in REVIEW_HEADERS.items():
        if title in header:
            col = header.index(title) + 1
        else:
            header.append(title)
            col = len(header)
            sheet.cell(row=1, column=col, value=title)
        for i, value in enumerate(reviewed[eng].to_list(), start=2):  # a note "=…" would be a formula to openpyxl
            sheet.cell(row=i, column=col, value=excel_safe(value))
    last = get_column_letter(len(header))
    ref = f"A1:{last}{max(len(data) + 1, 2)}"
    for table in sheet.tables.values():
        names = [c.name for c in table.tableColumns]
        for title in header[len(names):]:
            table.tableColumns.append(TableColumn(id=len(table.tableColumns) + 1, name=title))
        table.ref = ref
        if table.autoFilter is not None:
            table.autoFilter.ref = ref
    status_col = get_column_letter(header.index(STATUS_HEADER) + 1)
    sheet.data_validations.dataValidation = [
        dv for dv in sheet.data_validations.dataValidation if status_col not in str(dv.sqref)]
    if data:
        dv = _openpyxl_validation()
        dv.add(f"{status_col}2:{status_col}{len(data) + 1}")
        sheet.add_data_validation(dv)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".xlsx", dir=path.parent)
    os.close(fd)
    try:
        book.save(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return len(data)


# ---------------------------------------------------------------------------------------------
# Reading a filled-in sheet back
# ---------------------------------------------------------------------------------------------


class ReviewImportError(ValueError):
    """The sheet has bad rows; `errors` holds one Chinese line per bad row (with its Excel row number)."""

    def __init__(self, path: Path, errors: Sequence[str], whole_file: bool = False) -> None:
        self.path = path
        self.errors = list(errors)
        self.whole_file = whole_file  # the file itself is unusable (one error, no row numbers)
        super().__init__(self.errors[0] if whole_file else f"{path.name}：{len(self.errors)} 处错误，整个文件未导入")


@dataclass(frozen=True)
class SheetRow:
    """One data row of the sheet as the import reads it."""

    row: int  # the Excel row number
    key: str
    status: Status
    note: str
    reviewer: str


@dataclass
class ImportResult:
    """What an import did: the decisions it appended and how many rows it found unchanged."""

    path: Path
    applied: list[Decision] = field(default_factory=list)
    unchanged: int = 0
    rows: int = 0


def _text(value: Any) -> str:
    """A cell as text, without the quote `excel_safe` put before a formula-like name (the key needs the name)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(excel_text(value)).strip()


def _year(value: Any) -> int | None:
    text = _text(value)
    try:
        return int(float(text)) if text else None
    except ValueError:
        return None


def read_review_sheet(path: str | Path) -> tuple[list[SheetRow], list[str]]:
    """The sheet's rows with a parsed status, and one Chinese line per row whose content is invalid."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    from auditlib.ingest.errors import UnreadableError

    path = Path(path)
    if not os.path.lexists(path):
        raise ReviewImportError(path, [f"找不到文件 {path}"], whole_file=True)
    try:
        book = load_workbook(checked_xlsx(path), read_only=True, data_only=True)
    except UnreadableError as exc:
        raise ReviewImportError(path, [f"无法导入 {path}：{exc}"], whole_file=True) from None
    except (InvalidFileException, zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        raise ReviewImportError(path, [f"{path.name} 不是有效的 Excel（.xlsx）文件：{type(exc).__name__}"], whole_file=True) from None
    try:
        sheet = next((book[n] for n in book.sheetnames if n == FINDINGS_SHEET), None)
        if sheet is None:
            sheet = next((s for s in book.worksheets if STATUS_HEADER in [c.value for c in next(s.iter_rows(max_row=1), ())]),
                         None)
        if sheet is None:
            raise ReviewImportError(path, [f"{path.name} 中没有「{FINDINGS_SHEET}」工作表，也没有带「{STATUS_HEADER}」列的工作表"], whole_file=True)
        rows = sheet.iter_rows(values_only=True)
        header = [_text(h) for h in next(rows, ())]
        if STATUS_HEADER not in header:
            raise ReviewImportError(path, [f"{path.name} 的「{sheet.title}」工作表第 1 行没有「{STATUS_HEADER}」列"], whole_file=True)
        has_key = KEY_HEADER in header
        lacking = [h for h in ("机关", "年度", "规则", "问题说明") if h not in header]
        if not has_key and lacking:
            raise ReviewImportError(path, [f"{path.name} 的「{sheet.title}」工作表既没有「{KEY_HEADER}」列，"
                                           f"也没有识别问题所需的列：{'、'.join(lacking)}"], whole_file=True)
        col = {h: i for i, h in enumerate(header) if h}
        cells_header = _cells_header(header)
        out: list[SheetRow] = []
        errors: list[str] = []
        for number, values in enumerate(rows, start=2):
            cells = list(values) + [None] * (len(header) - len(values))
            if all(_text(v) == "" for v in cells):
                continue

            def get(title: str, cells: list[Any] = cells) -> Any:
                return cells[col[title]] if title in col else None

            where = f"{path.name} 第 {number} 行"
            key = _text(get(KEY_HEADER)).lower() if has_key else ""
            if not key:
                if lacking:
                    errors.append(f"{where}：没有「{KEY_HEADER}」，无法确定是哪一条问题")
                    continue
                key = key_of(_text(get("机关")) or None, _year(get("年度")), _text(get("规则")),
                             [c for c in _text(get(cells_header)).split(";") if c], _text(get("问题说明")),
                             _text(get("报告文件")))
            raw_status = _text(get(STATUS_HEADER))
            try:
                status = parse_status(raw_status) if raw_status else Status.PENDING
            except ValueError as exc:
                errors.append(f"{where}：{exc}")
                continue
            out.append(SheetRow(number, key, status, _text(get(NOTE_HEADER)), _text(get(REVIEWER_HEADER))))
        return out, errors
    finally:
        book.close()


def _plan(path: Path, rows: Sequence[SheetRow], findings: Container[str] | None,
          current: Mapping[str, Decision]) -> tuple[list[SheetRow], list[str], int]:
    """The rows that change a decision, every bad row (Chinese, with its row number), and the unchanged count.

    `findings` is the keys a changed row may name (None: any key)."""
    changes: list[SheetRow] = []
    errors: list[str] = []
    unchanged = 0
    seen: dict[str, SheetRow] = {}
    for r in rows:
        where = f"{path.name} 第 {r.row} 行"
        before = seen.get(r.key)
        if before is not None:
            if (before.status, before.note, before.reviewer) != (r.status, r.note, r.reviewer):
                errors.append(f"{where}：与第 {before.row} 行是同一条问题（复核编号 {r.key}），但复核结论、意见或复核人不同")
            continue
        seen[r.key] = r
        d = current.get(r.key)
        old = (d.status, d.note) if d is not None else (Status.PENDING, "")
        changed = (r.status, r.note) != old
        if r.status is not Status.PENDING and not r.reviewer:
            errors.append(f"{where}：复核结论为“{r.status.label}”，但没有填写复核人")
            continue
        if not changed:
            unchanged += 1
            continue
        if not r.reviewer:
            errors.append(f"{where}：修改了复核结论或复核意见，但没有填写复核人")
            continue
        if findings is not None and r.key not in findings:
            errors.append(f"{where}：本输出文件夹最近一次批量审核的结果中没有这条问题（复核编号 {r.key}），"
                          "可能是问题说明被改动，或报告已更新；请重新导出 findings.xlsx 后再填写")
            continue
        changes.append(r)
    return changes, errors, unchanged


def import_review_xlsx(path: str | Path, out_dir: str | Path, source: str = "excel") -> ImportResult:
    """Read a filled-in findings.xlsx back into `<out_dir>/review.sqlite`: every row checked first, then all
    changes in one transaction. Raises ReviewImportError (nothing applied) if any row is bad."""
    path = Path(path)
    findings = folder_findings(out_dir)
    rows, errors = read_review_sheet(path)
    with open_store(out_dir) as store:
        changes, more, unchanged = _plan(path, rows, findings, store.decisions())
        errors = sorted(errors + more, key=_row_number)
        if errors:
            raise ReviewImportError(path, errors)
        result = ImportResult(path, unchanged=unchanged, rows=len(rows))
        at = now()
        with store.transaction():
            for r in changes:
                result.applied.append(store.set_decision(r.key, r.status, r.note, r.reviewer, finding=findings[r.key],
                                                         source=f"{source}:{path.name}", at=at))
    return result


def _row_number(line: str) -> int:
    head = line.split("行", 1)[0]
    digits = "".join(ch for ch in head.rsplit("第", 1)[-1] if ch.isdigit())
    return int(digits) if digits else 0


def keep_unimported(out_dir: str | Path) -> Path | None:
    """Before the batch rewrites findings.xlsx: if it holds review entries not yet imported, copy it aside
    (findings.未导入复核-<time>.xlsx) and return the copy, so an inspector's work is never overwritten."""
    out = Path(out_dir)
    sheet = out / "findings.xlsx"
    if not sheet.is_file():
        return None
    try:
        rows, errors = read_review_sheet(sheet)
        with open_store(out) as store:
            current = decisions_of(store)
            _, bad, unchanged = _plan(sheet, rows, None, current)
    except (ReviewImportError, OSError):
        return None
    if not errors and not bad and unchanged == len(rows):
        return None
    stamp = now()[:19].replace(":", "").replace("-", "").replace("T", "-")
    copy = out / f"findings.未导入复核-{stamp}.xlsx"
    shutil.copy2(sheet, copy)
    return copy

