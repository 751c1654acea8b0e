"""What a file's bytes look like, whatever its name says (for readers' error messages)."""

from __future__ import annotations

import codecs
import hashlib
import re

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old binary Office files (.doc/.xls), and encrypted .docx
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_HTML_START = re.compile(rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta|title|div|p|table)\b",
                         re.IGNORECASE | re.DOTALL)


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def is_pdf(data: bytes) -> bool:
    return b"%PDF-" in data[:1024]


def is_zip(data: bytes) -> bool:
    return data.startswith(ZIP_MAGIC)


def is_ole(data: bytes) -> bool:
    return data.startswith(OLE_MAGIC)


def is_ole_encrypted_package(data: bytes) -> bool:
    """A password-protected .docx/.xlsx is an OLE container holding an `EncryptedPackage` stream."""
    return is_ole(data) and "EncryptedPackage".encode("utf-16-le") in data


def is_rtf(data: bytes) -> bool:
    return data.lstrip()[:5] == b"{\\rtf"


def looks_like_html(data: bytes) -> bool:
    head = data[:2048]
    for bom in (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"):
        if head.startswith(bom):
            head = head[len(bom):]
            break
    if head[:2] in (b"<\x00", b"\x00<"):  # UTF-16 without BOM
        head = head.replace(b"\x00", b"")
    return bool(_HTML_START.match(head))


def describe(data: bytes) -> str:
    """A short Chinese description of what the bytes are, for 'the name says X but it is Y' messages."""
    if is_pdf(data):
        return "PDF 文件"
    if is_ole_encrypted_package(data):
        return "加密的 Office 文档"
    if is_ole(data):
        return "旧版 Office 二进制文件（如 .doc）"
    if is_zip(data):
        return "ZIP 压缩包（如 .docx）"
    if is_rtf(data):
        return "RTF 文档"
    if looks_like_html(data):
        return "网页（HTML）"
    if data[:8].startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8")):
        return "图片"
    sample = data[:4096]
    for codec in ("utf-8", "gb18030"):
        try:
            text = codecs.getincrementaldecoder(codec)().decode(sample, final=False)  # may end mid-character
        except UnicodeDecodeError:
            continue
        if sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\r\n") <= len(text) // 100:
            return "纯文本"
    return "无法识别的二进制数据"
