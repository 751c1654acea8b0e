"""A web page's bytes → text: a BOM, then the page's own declaration (<meta charset>, http-equiv, an XML
declaration), then strict UTF-8, then GB18030. A declaration that is wrong is overruled, and says so.
"""

from __future__ import annotations

import codecs
import re

from auditlib.ingest.errors import UnreadableError
from auditlib.ingest.text import _BOMS, decode_text

__all__ = ["declared_charset", "decode_html"]

_META_CHARSET = re.compile(rb"""<meta\b[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_XML_DECL = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9_.:-]+)["']""", re.IGNORECASE)
_GB_NAMES = {"gb2312", "gbk", "gb18030", "x-gbk", "cp936", "ms936", "windows-936", "gb_2312-80", "euc-cn",
             "x-euc-cn", "csgb2312", "chinese", "iso-ir-58"}
_UTF8_NAMES = {"utf-8", "utf8", "unicode-1-1-utf-8", "unicode11utf8", "unicode20utf8", "x-unicode20utf8"}


def declared_charset(data: bytes) -> str | None:
    """The encoding the page declares (`<meta charset>`, http-equiv, or an XML declaration), lower-case."""
    head = data[:32768]
    m = _XML_DECL.match(head) or _META_CHARSET.search(head)
    return m.group(1).decode("ascii").lower() if m else None


def _codec_for(label: str) -> str | None:
    if label in _GB_NAMES:
        return "gb18030"  # GB18030 ⊃ GBK ⊃ GB2312: pages labelled gb2312 routinely use GBK characters
    if label in _UTF8_NAMES:
        return "utf-8"
    if label in ("utf-16", "utf-32", "unicode"):
        return None  # a UTF-16/32 page declares itself by its BOM; such a label in ASCII bytes is wrong
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def decode_html(data: bytes, charset: str | None = None) -> tuple[str, str, list[str]]:
    """Bytes → (text, encoding used, notes about what was guessed). `charset`: what the container says of
    the bytes (a .mht part's header), which goes before the page's own declaration."""
    notes: list[str] = []
    if any(data.startswith(bom) for bom, _ in _BOMS):
        text, name = decode_text(data)
        return text, name, notes
    label = charset or declared_charset(data)
    codec = _codec_for(label) if label else None
    if label and codec is None:
        notes.append(f"网页声明的编码“{label}”无法识别，已按内容判断编码")
    if codec is not None:
        if codec == "gb18030" and not data.isascii() and _strict(data, "utf-8") is not None:
            # Text in GB encodings is practically never valid UTF-8; this page's declaration is wrong.
            notes.append(f"网页声明编码为 {label}，但内容实为 UTF-8，已按 UTF-8 读取")
            return data.decode("utf-8"), "utf-8", notes
        declared_text = _strict(data, codec)
        if declared_text is not None:
            return declared_text, codec, notes
        notes.append(f"网页声明编码为 {label}，但内容无法按该编码解码，已按内容判断编码")
    try:
        text, name = decode_text(data)  # strict UTF-8, then GB18030, or UTF-16 without a BOM; raises for binary
    except UnreadableError as exc:
        raise UnreadableError(f"网页无法解码：{exc}") from exc
    return text, name, notes


def _strict(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None
