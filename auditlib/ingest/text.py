"""Plain and Markdown text: encodings decided by content, not by name."""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from auditlib.ingest.errors import UnreadableError
from auditlib.ingest.sniff import sha256_of
from auditlib.model import Document, SourceLine

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode bytes to text: BOM, then strict UTF-8, then strict GB18030 (never the other way round).

    Returns (text, encoding name). Raises UnreadableError for binary content.
    """
    for bom, name in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(name.removesuffix("-sig") if name == "utf-8-sig" else name), name
            except UnicodeDecodeError as exc:
                raise UnreadableError(f"文件以 {name} 标记开头，但内容无法按该编码解码") from exc
    sample = data[:4096]
    # UTF-16 without a BOM: every other byte of ASCII/CJK text is NUL-heavy in a regular pattern.
    if sample.count(b"\x00") > len(sample) // 4:
        return _first_text(data, ("utf-16-le", "utf-16-be"), "文件是二进制内容（含大量空字节），不是文本报告")
    return _first_text(data, ("utf-8", "gb18030"),
                       "无法识别文件编码（既不是 UTF-8，也不是 GB18030/GBK），或文件是二进制内容")


def _first_text(data: bytes, encodings: tuple[str, ...], reason: str) -> tuple[str, str]:
    """The first encoding, in order, that decodes strictly to something that looks like text."""
    for name in encodings:
        try:
            text = data.decode(name)
        except UnicodeDecodeError:
            continue
        if _looks_like_text(text):
            return text, name
    raise UnreadableError(reason)


_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f]")  # control characters other than \t \n \v \f \r


def _looks_like_text(text: str) -> bool:
    if not text:
        return False
    head = text[:20000]
    return len(_CONTROL.findall(head)) <= len(head) // 100


def split_lines(text: str, where: str = "") -> tuple[SourceLine, ...]:
    """Text → numbered lines (1-based); \\r\\n, \\r and Unicode line separators all end a line."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n")
    return tuple([SourceLine(i, line, where) for i, line in enumerate(text.split("\n"), start=1)])


def read_text(path: Path, data: bytes) -> Document:
    text, encoding = decode_text(data)
    return Document(
        path=str(path), format="text", encoding=encoding, sha256=sha256_of(data),
        lines=split_lines(text),
    )
