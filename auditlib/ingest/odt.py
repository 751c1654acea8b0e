"""`.odt` (OpenDocument text, as LibreOffice and WPS save it): paragraphs and table rows, like a .docx.

The zip is checked for bombs first (docx.check_zip); content.xml's body is read in order: paragraphs and
headings (text:p, text:h, inside lists, sections and text boxes too) one line each, with text:s spaces,
text:tab tabs and text:line-break breaks; each table row one tab-separated line (row_line), a repeated
cell repeated, a covered (merged) cell an empty field. Tracked deletions, annotations and notes are not
body text and are skipped.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from auditlib.ingest.doc import located
from auditlib.ingest.docx import check_zip, parse_xml, row_line
from auditlib.ingest.errors import UnreadableError
from auditlib.ingest.sniff import sha256_of
from auditlib.model import Document

__all__ = ["read_odt"]

_KIND = "OpenDocument 文本（.odt）"
TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_P, _H, _S, _TAB, _BREAK = (f"{{{TEXT}}}{n}" for n in ("p", "h", "s", "tab", "line-break"))
_SKIP = {f"{{{TEXT}}}{n}" for n in ("tracked-changes", "note", "bookmark-start", "soft-page-break")} | {
    f"{{{OFFICE}}}annotation"}
_TABLE, _ROW, _CELL, _COVERED = (f"{{{TABLE}}}{n}" for n in ("table", "table-row", "table-cell", "covered-table-cell"))
_REPEAT = f"{{{TABLE}}}number-columns-repeated"
_COUNT = f"{{{TEXT}}}c"
_MAX_REPEAT = 64  # a row's trailing empty cells may be "repeated" a thousand times; none of ours is that wide


def _inline(el: Any, out: list[str]) -> None:
    """The text of a paragraph's content, spaces, tabs and breaks as printed."""
    if el.text:
        out.append(el.text)
    for child in el:
        tag = child.tag
        if tag == _S:
            out.append(" " * min(int(child.get(_COUNT, "1") or 1), 64))
        elif tag == _TAB:
            out.append("\t")
        elif tag == _BREAK:
            out.append("\n")
        elif tag not in _SKIP and isinstance(tag, str):
            _inline(child, out)
        if child.tail:
            out.append(child.tail)


def _paragraphs(el: Any) -> list[str]:
    """The paragraphs under `el` (a cell, a list, a section, a frame), in order."""
    out: list[str] = []
    for child in el.iter(_P, _H):
        parts: list[str] = []
        _inline(child, parts)
        out.append("".join(parts))
    return out


def _cells(row: Any) -> list[str]:
    cells: list[str] = []
    for cell in row:
        if cell.tag not in (_CELL, _COVERED):
            continue
        text = "" if cell.tag == _COVERED else " ".join(" ".join(_paragraphs(cell)).split())
        cells += [text] * min(int(cell.get(_REPEAT, "1") or 1), _MAX_REPEAT)
    return cells


def _blocks(el: Any, out: list[tuple[str, bool]]) -> None:
    """Paragraphs and table rows under `el`, in document order."""
    for child in el:
        tag = child.tag
        if tag in _SKIP or not isinstance(tag, str):
            continue
        if tag in (_P, _H):
            parts: list[str] = []
            _inline(child, parts)
            out.append(("".join(parts), False))
        elif tag == _TABLE:
            out += [(row_line(_cells(row)), True) for row in child.iter(_ROW)]
        else:  # lists, sections, frames, text boxes: their paragraphs and tables
            _blocks(child, out)


def read_odt(path: Path, data: bytes) -> Document:
    zf = check_zip(data, kind=_KIND)
    try:
        content = zf.read("content.xml")
    except KeyError as exc:
        raise UnreadableError(f"不是有效的 {_KIND}：压缩包中没有 content.xml") from exc
    root = parse_xml(content, _KIND, "content.xml")
    body = root.find(f"{{{OFFICE}}}body/{{{OFFICE}}}text")
    if body is None:
        raise UnreadableError(f"不是 {_KIND}：其中没有文本正文（可能是表格或演示文稿）")
    out: list[tuple[str, bool]] = []
    _blocks(body, out)
    lines = located(out)
    if not any(line.text.strip() for line in lines):
        raise UnreadableError(f"{_KIND}中没有文字（正文可能是图片）")
    return Document(path=str(path), format="odt", encoding=None, sha256=sha256_of(data), lines=lines)
