"""`.doc` (Word 97–2003 binary, as Word and WPS still save by default): the main text and its tables.

The file is an OLE container (olefile). Its `WordDocument` stream starts with the FIB, which says where
the piece table lies in the table stream (`0Table` or `1Table`) and how many characters the main text
has; the pieces give that text (UTF-16 or 8-bit). In the text, `\\r` ends a paragraph and `\\x07` ends a
table cell; the `\\x07` that ends a table row is told from an empty cell's by its paragraph's properties
(sprmPFTtp in the paragraph FKPs), so each row becomes one tab-separated line as a .docx row does.
Fields keep their result, not their code; tracked deletions (sprmCFRMarkDel in the character FKPs) are
left out, as a .docx's w:del is. Specification: [MS-DOC] (Microsoft Open Specifications).
"""

from __future__ import annotations

import io
import struct
from bisect import bisect_right
from collections.abc import Iterator
from pathlib import Path

from auditlib.ingest.errors import UnreadableError
from auditlib.ingest.sniff import sha256_of
from auditlib.model import Document, SourceLine

__all__ = ["located", "read_word97"]

_FIB_IDENT = 0xA5EC
_PIECE = 8  # a Pcd's size in the piece table
_FKP = 512  # a paragraph FKP page
_TTP = (0x2417, 0x244C)  # sprmPFTtp, sprmPFInnerTtp: this paragraph mark ends a table row
_DROP = dict.fromkeys(map(ord, "\x01\x02\x05\x08\x1f"), None) | {0x0B: "\n", 0x0C: "\n", 0x1E: "-", 0xA0: " "}
_DEF_TABLE = 0xD608  # sprmTDefTable, in a row end's properties
_HUGE_PAPX = 0x6646  # sprmPHugePapx: the properties are in the Data stream
_MARK_DEL = 0x0800  # sprmCFRMarkDel: the characters are a tracked deletion
_OPERAND = {0: 1, 1: 1, 2: 2, 3: 4, 4: 2, 5: 2, 7: 3}  # sprm operand size by spra (6: variable)


_DAMAGED = "旧版 Word 文档（.doc）已损坏，无法读取；如能用 Word 或 WPS 打开，请“另存为” .docx 再上传"


class _Bad(Exception):
    """The streams do not hold what the FIB says."""


def _u16(b: bytes, at: int) -> int:
    return int(struct.unpack_from("<H", b, at)[0])


def _u32(b: bytes, at: int) -> int:
    return int(struct.unpack_from("<I", b, at)[0])


def _fc_lcb(word: bytes, index: int) -> tuple[int, int]:
    """The index-th (fc, lcb) pair of the FIB's FibRgFcLcb."""
    at = 32
    at += 2 + 2 * _u16(word, at)  # csw, fibRgW
    at += 2 + 4 * _u16(word, at)  # cslw, fibRgLw
    count = _u16(word, at)
    if index >= count:
        raise _Bad("FIB too short")
    return _u32(word, at + 2 + 8 * index), _u32(word, at + 6 + 8 * index)


def _pieces(table: bytes, fc_clx: int, lcb_clx: int) -> list[tuple[int, int, int, bool]]:
    """The piece table: (first cp, last cp + 1, fc of its first character, 8-bit?) per piece."""
    at, end = fc_clx, fc_clx + lcb_clx
    while at < end and table[at] == 0x01:  # Prc: property modifiers, skipped
        at += 3 + struct.unpack_from("<h", table, at + 1)[0]
    if at >= end or table[at] != 0x02:
        raise _Bad("no piece table")
    plc = table[at + 5:at + 5 + _u32(table, at + 1)]
    n = (len(plc) - 4) // (4 + _PIECE)
    cps = [_u32(plc, 4 * i) for i in range(n + 1)]
    out = []
    for i in range(n):
        fc = _u32(plc, 4 * (n + 1) + _PIECE * i + 2)
        compressed = bool(fc & 0x40000000)
        fc &= 0x3FFFFFFF
        out.append((cps[i], cps[i + 1], fc // 2 if compressed else fc, compressed))
    return out


def _fkp_runs(word: bytes, table: bytes, fc: int, lcb: int, paragraphs: bool) -> Iterator[tuple[int, int, bytes]]:
    """(start fc, end fc, grpprl) of each run of the FKPs a bin table lists: PlcBtePapx's paragraph
    FKPs (a BxPap of 13 bytes per run, a PapxInFkp) or PlcBteChpx's character FKPs (a byte per run, a Chpx)."""
    n = (min(lcb, len(table) - fc) - 4) // 8
    for i in range(max(n, 0)):
        page = (_u32(table, fc + 4 * (n + 1) + 4 * i) & 0x3FFFFF) * _FKP
        fkp = word[page:page + _FKP]
        if len(fkp) < _FKP:
            continue
        runs = fkp[-1]
        for r in range(runs):
            offset = fkp[4 * (runs + 1) + (13 if paragraphs else 1) * r] * 2
            if offset:
                grpprl = _papx_sprms(fkp, offset) if paragraphs else fkp[offset + 1:offset + 1 + fkp[offset]]
                yield _u32(fkp, 4 * r), _u32(fkp, 4 * (r + 1)), grpprl


def _row_ends(word: bytes, table: bytes, data: bytes, fc: int, lcb: int) -> list[tuple[int, int]]:
    """File ranges (start fc, end fc) of the paragraphs that end a table row."""
    return sorted((start, end) for start, end, grpprl in _fkp_runs(word, table, fc, lcb, True) if _ends_row(grpprl, data))


def _deleted(word: bytes, table: bytes, fc: int, lcb: int) -> list[tuple[int, int]]:
    """File ranges (start fc, end fc) of the characters marked as a tracked deletion (sprmCFRMarkDel in
    the character FKPs): a report saved with its changes not accepted still holds the old text."""
    return sorted((start, end) for start, end, grpprl in _fkp_runs(word, table, fc, lcb, False)
                  if _marks_deletion(grpprl))


def _sprms(grpprl: bytes) -> Iterator[tuple[int, int]]:
    """Each property modifier of a grpprl: (sprm, where its operand starts)."""
    at, end = 0, len(grpprl)
    while at + 2 <= end:
        sprm = _u16(grpprl, at)
        at += 2
        yield sprm, at
        if sprm == _DEF_TABLE:  # its operand's size takes two bytes (and counts itself and one more)
            at += 1 + _u16(grpprl, at) if at + 2 <= end else end
            continue
        spra = sprm >> 13
        at += _OPERAND[spra] if spra != 6 else 1 + grpprl[at] if at < end else 1


def _marks_deletion(grpprl: bytes) -> bool:
    """Whether character properties set sprmCFRMarkDel (a toggle: 1 on, 0x81 the style's opposite)."""
    for sprm, at in _sprms(grpprl):
        if sprm == _MARK_DEL:
            return at < len(grpprl) and grpprl[at] in (0x01, 0x81)
    return False


def _without_deletions(text: str, fcs: list[int], deleted: list[tuple[int, int]]) -> tuple[str, list[int]]:
    """The text as it reads with its tracked changes accepted; cell and row marks stay (the table's grid)."""
    if not deleted:
        return text, fcs
    starts = [s for s, _ in deleted]
    out: list[str] = []
    kept: list[int] = []
    for ch, fc in zip(text, fcs, strict=False):
        i = bisect_right(starts, fc) - 1
        if ch != "\x07" and i >= 0 and deleted[i][0] <= fc < deleted[i][1]:
            continue
        out.append(ch)
        kept.append(fc)
    return "".join(out), kept


def _papx_sprms(fkp: bytes, at: int) -> bytes:
    """A PapxInFkp's grpprl (its istd left out)."""
    cb = fkp[at]
    size, at = (2 * cb - 1, at + 1) if cb else (2 * fkp[at + 1], at + 2)
    return fkp[at + 2:at + size]


def _ends_row(grpprl: bytes, data: bytes) -> bool:
    """Whether the properties set sprmPFTtp; a row of many cells keeps them in the Data stream
    (sprmPHugePapx: the offset of its grpprl there)."""
    for sprm, at in _sprms(grpprl):
        if sprm in _TTP and at < len(grpprl) and grpprl[at]:
            return True
        if sprm == _HUGE_PAPX and at + 4 <= len(grpprl):
            where = _u32(grpprl, at)
            if where + 2 <= len(data):
                return _ends_row(data[where + 2:where + 2 + _u16(data, where)], b"")
            return False
    return False


def _text(word: bytes, pieces: list[tuple[int, int, int, bool]], count: int) -> tuple[str, list[int]]:
    """The first `count` characters of the main text and each character's file offset."""
    chars: list[str] = []
    fcs: list[int] = []
    for cp0, cp1, fc, compressed in pieces:
        n = min(cp1, count) - cp0
        if n <= 0:
            continue
        width = 1 if compressed else 2
        raw = word[fc:fc + n * width]
        n = len(raw) // width  # a piece that claims more than the stream holds is cut short
        raw = raw[:n * width]
        chars.append(raw.decode("cp1252", "replace") if compressed else raw.decode("utf-16-le", "replace"))
        fcs.extend(range(fc, fc + n * width, width))
    return "".join(chars), fcs


def _without_field_codes(text: str, fcs: list[int]) -> tuple[str, list[int]]:
    """A field prints its result (between \\x14 and \\x15), never its code (\\x13 … \\x14)."""
    out: list[str] = []
    kept: list[int] = []
    stack: list[bool] = []  # per open field: in its result yet?
    for ch, fc in zip(text, fcs, strict=False):
        if ch == "\x13":
            stack.append(False)
        elif ch == "\x14" and stack:
            stack[-1] = True
        elif ch == "\x15" and stack:
            stack.pop()
        elif all(stack):
            out.append(ch)
            kept.append(fc)
    return "".join(out), kept


def _lines(text: str, fcs: list[int], row_ends: list[tuple[int, int]]) -> list[tuple[str, bool]]:
    """(line, is a table row): paragraphs as they are, each table row as its cells joined by tabs."""
    starts = [s for s, _ in row_ends]

    def ends_row(fc: int) -> bool:
        i = bisect_right(starts, fc) - 1
        return i >= 0 and row_ends[i][0] <= fc < row_ends[i][1]

    lines: list[tuple[str, bool]] = []
    cells: list[str] = []
    current: list[str] = []
    for ch, fc in zip(text, fcs, strict=False):
        if ch == "\x07":
            if ends_row(fc):
                lines.append(("\t".join(cells), True))
                cells = []
            else:
                cells.append(" ".join("".join(current).replace("\x0b", "\r").split()))  # paragraphs joined by a space, as .docx cells
            current = []
        elif ch == "\r" and not cells:
            lines.append(("".join(current), False))
            current = []
        else:
            current.append(ch)
    if cells or current:
        lines.append(("\t".join([*cells, "".join(current)]), bool(cells)))
    return [(line.translate(_DROP), row) for line, row in lines]


def located(lines: list[tuple[str, bool]]) -> tuple[SourceLine, ...]:
    """Paragraphs located as 第n段, table rows as 表t第r行 (as the .docx reader does)."""
    out: list[SourceLine] = []
    n_par = n_tbl = r = 0
    previous_row = False
    for text, row in lines:
        if row:
            n_tbl, r = (n_tbl + 1, 1) if not previous_row else (n_tbl, r + 1)
            where = f"表{n_tbl}第{r}行"
        else:
            n_par += 1
            where = f"第{n_par}段"
        for part in text.split("\n") if not row else [text]:
            out.append(SourceLine(len(out) + 1, part, where))
        previous_row = row
    return tuple(out)


def word97_lines(data: bytes) -> list[tuple[str, bool]]:
    """The document's lines (and whether each is a table row); raises UnreadableError with the reason in Chinese."""
    import olefile

    try:
        ole = olefile.OleFileIO(io.BytesIO(data))
    except Exception as exc:  # olefile raises OSError and others for a damaged container
        raise UnreadableError(_DAMAGED) from exc
    with ole:
        if not ole.exists("WordDocument"):
            kind = ("旧版 Excel 工作簿（.xls）" if ole.exists("Workbook") or ole.exists("Book")
                    else "旧版 PowerPoint 演示文稿（.ppt）" if ole.exists("PowerPoint Document") else "OLE 复合文档")
            raise UnreadableError(f"这是{kind}，不是 Word 文档（没有 WordDocument 数据）")
        word = ole.openstream("WordDocument").read()
        if len(word) < 0x200 or _u16(word, 0) != _FIB_IDENT:
            raise UnreadableError(_DAMAGED)
        flags = _u16(word, 0x0A)
        if flags & 0x0100:
            raise UnreadableError("Word 文档已加密（设置了打开密码），无法读取；请去掉密码后另存为 .docx")
        table_name = "1Table" if flags & 0x0200 else "0Table"
        if not ole.exists(table_name):
            raise UnreadableError("旧版 Word 文档（.doc）缺少表格流，无法读取")
        table = ole.openstream(table_name).read()
        data_stream = ole.openstream("Data").read() if ole.exists("Data") else b""
    try:
        count = min(_u32(word, 0x4C), len(word))  # ccpText; a character takes a byte at least
        pieces = _pieces(table, *_fc_lcb(word, 33))
        text, fcs = _without_deletions(*_text(word, pieces, count), _deleted(word, table, *_fc_lcb(word, 12)))
        text, fcs = _without_field_codes(text, fcs)
        return _lines(text, fcs, _row_ends(word, table, data_stream, *_fc_lcb(word, 13)))
    except Exception as exc:  # _Bad, struct.error, IndexError …: a malformed file must not surface as a traceback
        raise UnreadableError(_DAMAGED) from exc


def read_word97(path: Path, data: bytes) -> Document:
    lines = located(word97_lines(data))
    if not any(line.text.strip() for line in lines):
        raise UnreadableError("Word 文档中没有文字（正文可能是图片，需要先做 OCR 识别）")
    return Document(path=str(path), format="doc", encoding=None, sha256=sha256_of(data), lines=lines)
