"""`.rtf` (Rich Text Format, as Word and WPS save it): paragraphs and table rows, like a .docx.

The text is read from the document's groups, skipping the destinations that are not body text (font,
colour and style tables, document info, pictures, objects, headers and footers, field instructions, any
`{\\*\\…}`). `\\par` and `\\line` end a line, `\\tab` is a tab, `\\cell` ends a table cell and `\\row` a
table row, which becomes one tab-separated line (row_line), an empty cell an empty field. Characters come
as `\\uN` (followed by `\\ucN` fallback characters, skipped) or as `\\'hh` bytes in the document's code
page (`\\ansicpg936` for Chinese text); a font declared GB2312 (`\\fcharset134`) decodes as GBK too.
"""

from __future__ import annotations

import re
from pathlib import Path

from auditlib.ingest.doc import located
from auditlib.ingest.docx import row_line
from auditlib.ingest.errors import UnreadableError
from auditlib.ingest.sniff import is_rtf, sha256_of
from auditlib.model import Document

__all__ = ["read_rtf"]

_TOKEN = re.compile(rb"\\([a-zA-Z]{1,32})(-?\d{1,10})? ?|\\'([0-9a-fA-F]{2})|\\(.)|([{}])|([^\\{}\r\n]+)|[\r\n]+",
                    re.S)
# Destinations whose text is not the body's.
_SKIP = {b"fonttbl", b"colortbl", b"stylesheet", b"info", b"pict", b"object", b"header", b"headerl", b"headerr",
         b"headerf", b"footer", b"footerl", b"footerr", b"footerf", b"fldinst", b"listtable", b"listoverridetable",
         b"themedata", b"colorschememapping", b"datastore", b"latentstyles", b"rsidtbl", b"generator",
         b"xmlnstbl", b"mmathPr", b"pgdsctbl", b"revtbl", b"filetbl", b"userprops", b"footnote", b"annotation"}
_CHARSET_CODEPAGES = {134: "gbk", 136: "big5", 128: "cp932", 129: "cp949", 0: "cp1252"}
_SYMBOLS = {b"~": "\u00a0", b"-": "", b"_": "-", b"\\": "\\", b"{": "{", b"}": "}"}
_MAX_DEPTH = 500


class _Reader:
    """The body's lines, built as the tokens come."""

    def __init__(self) -> None:
        self.lines: list[tuple[str, bool]] = []  # (text, is a table row)
        self.text: list[str] = []  # the current paragraph or cell
        self.cells: list[str] = []  # the current row's finished cells
        self.pending = bytearray()  # \'hh bytes not yet decoded

    def flush(self, codepage: str) -> None:
        if self.pending:
            self.text.append(self.pending.decode(codepage, "replace"))
            self.pending.clear()

    def end_paragraph(self, in_table: bool) -> None:
        if not in_table:
            self.lines.append(("".join(self.text), False))
            self.text = []
        else:
            self.text.append(" ")  # paragraphs of one cell, joined by a space as a .docx cell's

    def end_cell(self) -> None:
        self.cells.append(" ".join("".join(self.text).split()))
        self.text = []

    def end_row(self) -> None:
        if self.text and "".join(self.text).strip():
            self.end_cell()
        self.lines.append((row_line(self.cells), True))
        self.cells, self.text = [], []


def _codepages(data: bytes) -> tuple[str, dict[int, str]]:
    """The document's code page and each font's (from its \\fcharset)."""
    cpg = re.search(rb"\\ansicpg(\d+)", data[:4096])
    default = f"cp{int(cpg.group(1))}" if cpg else "cp1252"
    if default == "cp936":
        default = "gbk"
    fonts = {}
    for m in re.finditer(rb"\\f(\d+)[^{}]*?\\fcharset(\d+)", data[:65536]):
        page = _CHARSET_CODEPAGES.get(int(m.group(2)))
        if page:
            fonts[int(m.group(1))] = page
    try:
        "".encode(default)
    except LookupError:
        default = "cp1252"
    return default, fonts


def rtf_lines(data: bytes) -> list[tuple[str, bool]]:
    default, fonts = _codepages(data)
    out = _Reader()
    # Per group: (skipping?, \uc count, code page, in a table paragraph?)
    stack: list[tuple[bool, int, str, bool]] = []
    skip, uc, codepage, in_table = False, 1, default, False
    to_skip = 0  # fallback characters after a \uN still to drop
    star = False  # the group opened with \*: an optional destination
    for m in _TOKEN.finditer(data):
        word, arg, hexbyte, symbol, brace, text = m.groups()
        if brace == b"{":
            out.flush(codepage)
            stack.append((skip, uc, codepage, in_table))
            if len(stack) > _MAX_DEPTH:
                raise UnreadableError("RTF 文档嵌套过深，无法读取")
            star = False
            continue
        if brace == b"}":
            out.flush(codepage)
            if stack:
                skip, uc, codepage, in_table = stack.pop()
            continue
        if hexbyte is not None:
            if to_skip:
                to_skip -= 1
            elif not skip:
                out.pending.append(int(hexbyte, 16))
            continue
        out.flush(codepage)
        if symbol is not None:
            if symbol == b"*":
                star = True
            elif to_skip:
                to_skip -= 1
            elif not skip:
                out.text.append(_SYMBOLS.get(symbol, ""))
            continue
        if text is not None:
            if not skip:
                chunk = text.decode(codepage, "replace")
                drop = min(to_skip, len(chunk))
                out.text.append(chunk[drop:])
                to_skip -= drop
            else:
                to_skip = 0
            continue
        if word is None:
            continue  # a line break in the source: not text
        if star or word in _SKIP:
            skip, star = True, False
            continue
        if skip:
            continue
        n = int(arg) if arg else None
        if word == b"u" and n is not None:
            out.text.append(chr(n % 65536) if n >= -32768 else "?")
            to_skip = uc
        elif word == b"uc" and n is not None:
            uc = max(n, 0)
        elif word == b"f" and n is not None:
            codepage = fonts.get(n, default)
        elif word in (b"par", b"sect", b"page"):
            out.end_paragraph(in_table)
        elif word == b"line":
            out.text.append("\n")
        elif word == b"tab":
            out.text.append("\t")
        elif word == b"intbl":
            in_table = True
        elif word == b"pard":
            in_table = False
        elif word in (b"cell", b"nestcell"):
            out.end_cell()
        elif word in (b"row", b"nestrow"):
            out.end_row()
            in_table = False
    if out.text and "".join(out.text).strip():
        out.lines.append(("".join(out.text), False))
    return out.lines


def read_rtf(path: Path, data: bytes) -> Document:
    if not is_rtf(data):
        raise UnreadableError("不是有效的 RTF 文档：文件不以 {\\rtf 开头")
    lines = located(rtf_lines(data))
    if not any(line.text.strip() for line in lines):
        raise UnreadableError("RTF 文档中没有文字（正文可能是图片）")
    return Document(path=str(path), format="rtf", encoding=None, sha256=sha256_of(data), lines=lines)
