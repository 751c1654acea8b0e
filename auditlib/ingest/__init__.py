"""Bytes → a `Document` of text lines. Only this package knows file formats."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from auditlib.ingest.docx import read_doc, read_docx
from auditlib.ingest.errors import UnreadableError
from auditlib.ingest.html import read_html
from auditlib.ingest.pdf import read_pdf
from auditlib.ingest.text import decode_text, read_text
from auditlib.model import Document

__all__ = ["READERS", "UnreadableError", "decode_text", "read_document", "supported_suffixes"]

MAX_BYTES = 50 * 1024 * 1024  # a report is a few hundred KB; anything this big is not one

Reader = Callable[[Path, bytes], Document]

# suffix → reader; a file with another suffix is read as text when named explicitly.
READERS: dict[str, Reader] = {
    ".txt": read_text, ".md": read_text, ".markdown": read_text, ".text": read_text,
    ".docx": read_docx, ".doc": read_doc,  # .doc: refused with advice, unless it is really a .docx or a web page
    ".html": read_html, ".htm": read_html, ".shtml": read_html,
    ".pdf": read_pdf,
}


def supported_suffixes() -> tuple[str, ...]:
    return tuple(sorted(READERS))


def read_document(path: str | Path) -> Document:
    """Read any supported file into text lines; raises UnreadableError with a Chinese reason."""
    p = Path(path)
    if not p.exists():
        raise UnreadableError(f"文件不存在：{p}")
    if p.is_dir():
        raise UnreadableError(f"这是文件夹，不是报告文件：{p}")
    try:
        size = p.stat().st_size
        if size > MAX_BYTES:
            raise UnreadableError(f"文件过大（{size / 1024 / 1024:.0f} MB），超过 {MAX_BYTES // 1024 // 1024} MB 上限，不像一份年度报告")
        data = p.read_bytes()
    except OSError as exc:
        raise UnreadableError(f"无法读取文件：{exc.strerror or exc}") from exc
    if not data.strip():
        raise UnreadableError("文件为空")
    reader = READERS.get(p.suffix.lower(), read_text)
    return reader(p, data)
