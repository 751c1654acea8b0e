"""Word (.docx): body paragraphs and tables, in document order, as text lines.

Tables become one line per row, cells joined by tabs, on the table's grid: a cell spanning several
grid columns (gridSpan) prints its text once and empty cells for the rest; a vertically merged
cell (vMerge) prints its text in its first row only. Rows and cells are walked once from the XML
(python-docx's `Table.cell(i, j)` rebuilds the grid on every call, which is quadratic).
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import NoReturn

from lxml import etree

from auditlib.ingest.doc import read_word97
from auditlib.ingest.errors import UnreadableError
from auditlib.ingest.sniff import (
    describe,
    is_ole,
    is_ole_encrypted_package,
    is_rtf,
    is_zip,
    looks_like_html,
    sha256_of,
)
from auditlib.model import Document, SourceLine

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"

MAX_UNCOMPRESSED = 100 * 1024 * 1024  # a Word report unpacks to a few MB at most
MAX_RATIO = 200  # Word XML compresses ~5–30:1; far beyond that is a zip bomb
RATIO_FLOOR = 1024 * 1024  # below 1 MB unpacked, a high ratio cannot hurt
MAX_MEMBERS = 5000


def _w(name: str) -> str:
    return f"{{{W_NS}}}{name}"


P, TBL, TR, TC, SDT, SDT_CONTENT, CUSTOM_XML = (_w(n) for n in ("p", "tbl", "tr", "tc", "sdt", "sdtContent", "customXml"))
T, TAB, BR, CR, R, RPR, PPR, VANISH = (_w(n) for n in ("t", "tab", "br", "cr", "r", "rPr", "pPr", "vanish"))
NO_BREAK_HYPHEN, MOVE_FROM, DEL = (_w(n) for n in ("noBreakHyphen", "moveFrom", "del"))
TC_PR, TR_PR, GRID_SPAN, V_MERGE, GRID_BEFORE, GRID_AFTER, VAL = (
    _w(n) for n in ("tcPr", "trPr", "gridSpan", "vMerge", "gridBefore", "gridAfter", "val"))
MC_FALLBACK = f"{{{MC_NS}}}Fallback"
_SKIP = {PPR, RPR, MOVE_FROM, DEL, MC_FALLBACK, TC_PR, TR_PR}
_WRAPPERS = {SDT, SDT_CONTENT, CUSTOM_XML, _w("smartTag"), _w("ins"), _w("moveTo")}
_MAX_SPAN = 64  # a sane upper bound for gridSpan / gridBefore (the template's widest table has 15 columns)

# ---------------------------------------------------------------------------------------------
# Refusing what is not a .docx before anything is inflated
# ---------------------------------------------------------------------------------------------


def check_zip(data: bytes, kind: str = "Word 文档（.docx）") -> zipfile.ZipFile:
    """Open the zip's directory and refuse zip bombs; UnreadableError otherwise.

    The declared sizes are checked first (nothing inflated); then every member is inflated with its
    bytes counted as they come out, output discarded, and refused at the cap whatever its header says.
    Only then do python-docx and lxml read it: `ZipFile.read` trusts the header and would inflate a
    member declared as 1 KB in one call to its real size, up to 2 GB, before cutting it short.
    `kind` names the format in the messages (the review's .xlsx import uses the same check).
    """
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise UnreadableError(f"不是有效的 {kind}：压缩包结构损坏（{exc}）") from exc
    if len(infos) > MAX_MEMBERS:
        raise UnreadableError(f"不是有效的 {kind}：压缩包内有 {len(infos)} 个文件，远超正常文档")
    unpacked = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos)
    if unpacked > MAX_UNCOMPRESSED:
        raise _bomb_by_size(unpacked)
    if unpacked > RATIO_FLOOR and unpacked > MAX_RATIO * max(packed, 1):
        raise _bomb_by_ratio(unpacked, packed)
    inflate_all(data, infos, limit=min(MAX_UNCOMPRESSED, max(RATIO_FLOOR, MAX_RATIO * len(data))), kind=kind)
    return zf


def _bomb_by_size(unpacked: int) -> UnreadableError:
    return UnreadableError(
        f"文件看起来是压缩炸弹：解压后超过 {unpacked / 1024 / 1024:.0f} MB，超过 {MAX_UNCOMPRESSED // 1024 // 1024} MB 上限，已拒绝读取")


def _bomb_by_ratio(unpacked: int, packed: int) -> UnreadableError:
    return UnreadableError(
        f"文件看起来是压缩炸弹：压缩比约 {unpacked / max(packed, 1):.0f}:1，超过 {MAX_RATIO}:1 上限，已拒绝读取")


_INFLATE_CHUNK = 1 << 16


def _member_start(data: bytes, info: zipfile.ZipInfo, kind: str) -> int:
    """Where a member's compressed bytes begin: after its local header (whose lengths are its own)."""
    off = info.header_offset
    head = data[off:off + 30]
    if len(head) < 30 or head[:4] != b"PK\x03\x04":
        raise UnreadableError(f"不是有效的 {kind}：压缩包中 {info.filename} 的文件头损坏")
    return off + 30 + int.from_bytes(head[26:28], "little") + int.from_bytes(head[28:30], "little")


def inflate_all(data: bytes, infos: list[zipfile.ZipInfo], limit: int, kind: str = "Word 文档（.docx）") -> int:
    """Inflate every member (output discarded), counting real bytes; refuse past `limit` or on a forged size.

    Returns the real unpacked total. A member whose real size or CRC differs from its declared one is
    refused: that is how a zip bomb hides from a check of the directory.
    """
    total = 0
    view = memoryview(data)
    for info in infos:
        if info.flag_bits & 0x1:
            raise UnreadableError(f"{kind}已加密（压缩包中的部件设有密码），无法读取；请去掉密码后另存")
        start = _member_start(data, info, kind)
        crc = 0
        size = 0
        if info.compress_type == zipfile.ZIP_STORED:
            stored = view[start:start + info.compress_size]
            size, crc = len(stored), zlib.crc32(stored)
            total += size
        elif info.compress_type == zipfile.ZIP_DEFLATED:
            inflater = zlib.decompressobj(-zlib.MAX_WBITS)
            pos = start
            try:
                while not inflater.eof:
                    pending: bytes | memoryview = inflater.unconsumed_tail
                    if not pending:
                        pending = view[pos:pos + _INFLATE_CHUNK]
                        pos += len(pending)
                        if not pending:
                            break  # the stream stops short: the CRC check below says so
                    out = inflater.decompress(pending, _INFLATE_CHUNK)
                    size += len(out)
                    crc = zlib.crc32(out, crc)
                    if total + size > limit:
                        raise (_bomb_by_size(total + size) if limit >= MAX_UNCOMPRESSED
                               else _bomb_by_ratio(total + size, len(data)))
            except zlib.error as exc:
                raise UnreadableError(f"不是有效的 {kind}：压缩包中 {info.filename} 的数据损坏") from exc
            total += size
        else:
            raise UnreadableError(f"不是有效的 {kind}：压缩包中 {info.filename} 使用了不支持的压缩方式")
        if size != info.file_size or crc != info.CRC:
            raise UnreadableError(
                f"文件看起来是伪造的压缩包：其中 {info.filename} 记录的大小为 {info.file_size} 字节，"
                f"实际解压为 {size} 字节（或校验值不符），已拒绝读取")
    return total


def parse_xml(data: bytes, kind: str, name: str) -> etree._Element:
    """A package's XML member, parsed without entities, network access or huge trees (OFD, ODT); a
    broken one is UnreadableError naming the member."""
    try:
        return etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False))
    except etree.XMLSyntaxError as exc:
        raise UnreadableError(f"{kind}已损坏：{name} 不是有效的 XML") from exc


def _body_from_xml(zf: zipfile.ZipFile) -> etree._Element | None:
    """w:body of word/document.xml, parsed without entities or network access; None when absent or broken."""
    try:
        xml = zf.read("word/document.xml")
        parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_blank_text=True)
        root = etree.fromstring(xml, parser)
    except (KeyError, zipfile.BadZipFile, etree.XMLSyntaxError, OSError, ValueError, EOFError):
        return None
    return root.find(_w("body"))


def _not_word_reason(zf: zipfile.ZipFile) -> str:
    names = set(zf.namelist())
    if "xl/workbook.xml" in names:
        return "这是 Excel 表格（.xlsx），不是 Word 文档"
    if "ppt/presentation.xml" in names:
        return "这是 PowerPoint 演示文稿（.pptx），不是 Word 文档"
    if "[Content_Types].xml" not in names:
        return "压缩包中没有 Office 文档结构（[Content_Types].xml）"
    if "word/document.xml" not in names:
        return "压缩包中没有 Word 正文（word/document.xml）"
    return "Word 正文无法解析"


def _refuse_non_zip(data: bytes) -> NoReturn:
    """What a Word file that is no zip, no readable .doc and no RTF is (callers read those first)."""
    if is_ole_encrypted_package(data):
        raise UnreadableError("Word 文档已加密（设置了打开密码），无法读取；请去掉密码后另存为 .docx")
    raise UnreadableError(f"不是有效的 Word 文档（.docx）：文件内容是{describe(data)}，不是 Word 的压缩包格式")


# ---------------------------------------------------------------------------------------------
# Text of paragraphs and cells
# ---------------------------------------------------------------------------------------------


def _is_on(el: etree._Element | None) -> bool:
    return el is not None and el.get(VAL, "true").lower() not in ("false", "0", "off", "none")


def _runs_text(el: etree._Element, out: list[str]) -> None:
    """Append the visible text under `el`; "\\n" marks a line break (w:br, w:cr, a text-box paragraph)."""
    for child in el:
        tag = child.tag
        if not isinstance(tag, str) or tag in _SKIP:
            continue
        if tag == T:
            out.append(child.text or "")
        elif tag == TAB:
            out.append("\t")
        elif tag in (BR, CR):
            out.append("\n")
        elif tag == NO_BREAK_HYPHEN:
            out.append("-")
        elif tag == R:
            rpr = child.find(RPR)
            if rpr is not None and _is_on(rpr.find(VANISH)):
                continue  # hidden text
            _runs_text(child, out)
        elif tag == P:  # a paragraph inside a text box
            out.append("\n")
            _runs_text(child, out)
            out.append("\n")
        else:
            _runs_text(child, out)


def paragraph_lines(p: etree._Element) -> list[str]:
    """A paragraph's visual lines (more than one when it contains manual line breaks)."""
    out: list[str] = []
    _runs_text(p, out)
    lines = "".join(out).split("\n")
    while len(lines) > 1 and not lines[-1].strip():
        lines.pop()
    while len(lines) > 1 and not lines[0].strip():
        lines.pop(0)
    return lines


def _block_children(el: etree._Element) -> Iterator[etree._Element]:
    """Paragraphs and tables under a body or cell, looking through content controls and custom XML."""
    for child in el:
        tag = child.tag
        if tag in (P, TBL, TC, TR):
            yield child
        elif tag in _WRAPPERS:
            yield from _block_children(child)


def _collapse(text: str) -> str:
    return " ".join(text.split())  # also NBSP, ideographic space, tabs and newlines


def cell_text(tc: etree._Element) -> str:
    """A cell's paragraphs joined by a space; a nested table's cells are flattened into the text."""
    parts: list[str] = []
    for child in _block_children(tc):
        if child.tag == P:
            parts.append(" ".join(paragraph_lines(child)))
        elif child.tag == TBL:
            parts.extend(cell_text(inner) for tr in _rows(child) for inner in _cells(tr))
    return _collapse(" ".join(parts))


# ---------------------------------------------------------------------------------------------
# Tables on their grid
# ---------------------------------------------------------------------------------------------


def _rows(tbl: etree._Element) -> Iterator[etree._Element]:
    return (el for el in _block_children(tbl) if el.tag == TR)


def _cells(tr: etree._Element) -> Iterator[etree._Element]:
    return (el for el in _block_children(tr) if el.tag == TC)


def _int_val(el: etree._Element | None, default: int) -> int:
    if el is None:
        return default
    try:
        return max(0, min(_MAX_SPAN, int(el.get(VAL, default))))
    except ValueError:
        return default


def table_rows(tbl: etree._Element) -> list[list[str]]:
    """The table's rows on its grid: spans expanded, merged cells' text printed once."""
    rows: list[list[str]] = []
    for tr in _rows(tbl):
        trpr = tr.find(TR_PR)
        row: list[str] = [""] * (_int_val(trpr.find(GRID_BEFORE), 0) if trpr is not None else 0)
        for tc in _cells(tr):
            tcpr = tc.find(TC_PR)
            span = max(1, _int_val(tcpr.find(GRID_SPAN), 1)) if tcpr is not None else 1
            vmerge = tcpr.find(V_MERGE) if tcpr is not None else None
            continued = vmerge is not None and vmerge.get(VAL, "continue") != "restart"
            row.append("" if continued else cell_text(tc))
            row.extend([""] * (span - 1))
        if trpr is not None:
            row.extend([""] * _int_val(trpr.find(GRID_AFTER), 0))
        rows.append(row)
    return rows


def row_line(cells: list[str]) -> str:
    """A table row as one tab-separated line; a row of empty cells keeps its tabs (a grid printed
    but left empty, as table 四's one row often is: its cells are blank, not missing)."""
    return "\t".join(cells) if any(cells) or len(cells) > 1 else ""


# ---------------------------------------------------------------------------------------------
# The reader
# ---------------------------------------------------------------------------------------------


def body_lines(body: etree._Element) -> list[SourceLine]:
    """Paragraphs (one line each, 第n段) and table rows (表t第r行), in document order."""
    lines: list[SourceLine] = []
    n_par = n_tbl = 0
    for el in _block_children(body):
        if el.tag == P:
            n_par += 1
            for text in paragraph_lines(el):
                lines.append(SourceLine(len(lines) + 1, text, f"第{n_par}段"))
        elif el.tag == TBL:
            n_tbl += 1
            for r, cells in enumerate(table_rows(el), start=1):
                lines.append(SourceLine(len(lines) + 1, row_line(cells), f"表{n_tbl}第{r}行"))
    return lines


def read_docx(path: Path, data: bytes) -> Document:
    if not is_zip(data):
        if is_ole(data) and not is_ole_encrypted_package(data):
            doc = read_word97(path, data)
            return replace(doc, notes=(*doc.notes, "文件扩展名为 .docx，但内容是旧版 Word（.doc）格式，已按 .doc 读取"))
        if is_rtf(data):
            return _as_rtf(path, data)
        _refuse_non_zip(data)
    zf = check_zip(data)
    import docx  # python-docx; imported here so that reading text files never pays for it

    notes: list[str] = []
    try:
        body = docx.Document(io.BytesIO(data)).element.body
    except Exception as exc:  # python-docx raises many kinds (PackageNotFoundError, ValueError, KeyError, XML errors)
        # python-docx insists on the package's content types (a .dotx/.docm, some converters' output);
        # the text is still in word/document.xml.
        fallback = _body_from_xml(zf)
        if fallback is None:
            raise UnreadableError(f"不是有效的 Word 文档（.docx）：{_not_word_reason(zf)}") from exc
        body = fallback
        notes.append("Word 文档的包结构不标准，已直接读取正文（word/document.xml），请核对内容")
    try:
        lines = body_lines(body)
    except Exception as exc:  # defensive: a malformed body must not surface as a traceback
        raise UnreadableError(f"Word 文档内容结构异常，无法读取（{type(exc).__name__}）") from exc
    if not any(line.text.strip() for line in lines):
        raise UnreadableError("Word 文档中没有文字（正文可能是图片，需要先做 OCR 识别）")
    return Document(path=str(path), format="docx", encoding=None, sha256=sha256_of(data), lines=tuple(lines),
                    notes=tuple(notes))


def _as_rtf(path: Path, data: bytes) -> Document:
    """An RTF document saved under a Word suffix (Word and WPS offer RTF in the same dialog)."""
    from auditlib.ingest.rtf import read_rtf

    doc = read_rtf(path, data)
    return replace(doc, notes=(*doc.notes, f"文件扩展名为 {path.suffix.lower()}，但内容是 RTF 格式，已按 RTF 读取"))


def read_doc(path: Path, data: bytes) -> Document:
    """`.doc` (and WPS 文字's `.wps`): the Word 97–2003 binary format (doc.py); a .docx, web page or RTF saved
    under that name is sniffed."""
    if is_zip(data):
        doc = read_docx(path, data)
        return Document(doc.path, doc.format, doc.encoding, doc.sha256, doc.lines,
                        doc.notes + (f"文件扩展名为 {path.suffix.lower()}，但内容是 .docx 格式，已按 .docx 读取",))
    if looks_like_html(data):
        from auditlib.ingest.html import read_html

        doc = read_html(path, data)
        return Document(doc.path, doc.format, doc.encoding, doc.sha256, doc.lines,
                        doc.notes + (f"文件扩展名为 {path.suffix.lower()}，但内容是网页（HTML），已按网页读取",))
    if is_ole(data) and not is_ole_encrypted_package(data):
        return read_word97(path, data)
    if is_rtf(data):
        return _as_rtf(path, data)
    if path.suffix.lower() == ".wps":
        raise UnreadableError(f"这是早期 WPS 文字格式的文件（文件内容是{describe(data)}），无法读取；"
                              "请用 WPS 打开后“另存为” .docx 再上传")
    _refuse_non_zip(data)
