"""PDF tables read on their ruling lines: a second reading for a PDF whose text left cells unknown.

A PDF's text layer prints nothing for an empty cell, so `0 3 0 0 0 14` under seven columns cannot say
which cell was left empty and the row stays unknown. A table drawn with ruling lines (Word and WPS export
their tables so) still knows: pdfplumber finds the table's grid, and each row becomes one tab-separated
line as a .docx row does — an empty cell is an empty field, a merged one is printed once. Text outside
the tables is read as it lies, band by band between them, so the document keeps its order. Each table
line is located as 第{page}页表{n}第{r}行.
"""

from __future__ import annotations

import io
from typing import Any

from auditlib.ingest.docx import row_line
from auditlib.model import SourceLine

__all__ = ["MAX_GRID_PAGES", "grid_lines"]

MAX_GRID_PAGES = 40  # a report's tables lie on a handful of pages; finding tables costs ~0.2 s a page


def _cell(text: str | None) -> str:
    return "" if text is None else "".join(text.split("\n")).strip()


def _page_lines(page: Any, page_no: int, tables: list[Any]) -> list[tuple[str, str]]:
    """(text, where) of one page: bands of text between its tables (sorted top down), and each table row."""
    out: list[tuple[str, str]] = []
    top = 0.0
    n_line = 0

    def band(bottom: float) -> None:
        nonlocal n_line
        if bottom - top < 1:
            return
        text = page.crop((0, top, page.width, bottom)).extract_text() or ""
        for line in text.splitlines():
            n_line += 1
            out.append((line, f"第{page_no}页第{n_line}行"))

    for n, table in enumerate(tables, start=1):
        x0, y0, x1, y1 = table.bbox
        band(max(top, y0))
        for r, row in enumerate(table.extract(), start=1):
            out.append((row_line([_cell(c) for c in row]), f"第{page_no}页表{n}第{r}行"))
        top = max(top, y1)
    band(page.height)
    return out


def grid_lines(data: bytes) -> list[SourceLine] | None:
    """The PDF's lines with its ruled tables as tab-separated rows; None when it has no ruled table, more
    than MAX_GRID_PAGES pages, or pdfplumber cannot read it (the first reading then stands)."""
    try:
        import pdfplumber

        texts: list[tuple[str, str]] = []
        found = False
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            if len(pdf.pages) > MAX_GRID_PAGES:
                return None
            for i, page in enumerate(pdf.pages, start=1):
                tables = sorted(page.find_tables(), key=lambda t: t.bbox[1])
                found = found or bool(tables)
                texts += _page_lines(page, i, tables)
    except Exception:  # a second reading is best effort: the first one has been made already
        return None
    if not found:
        return None
    return [SourceLine(i, text, where) for i, (text, where) in enumerate(texts, start=1)]
