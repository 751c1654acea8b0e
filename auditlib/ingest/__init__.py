"""Bytes → a `Document` of text lines. Only this package knows file formats."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from auditlib.ingest.docx import read_doc, read_docx
from auditlib.ingest.errors import UnreadableError
from auditlib.ingest.files import read_regular, real_path, sha256_regular
from auditlib.ingest.html import read_html
from auditlib.ingest.pdf import read_pdf
from auditlib.ingest.text import decode_text, read_text
from auditlib.model import Document

__all__ = ["READERS", "UnreadableError", "decode_text", "read_document", "read_regular", "real_path", "sha256_regular",
           "supported_suffixes"]

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
    """Read any supported file into text lines; raises UnreadableError with a Chinese reason.

    Only a regular file is read (a FIFO, device, socket, folder or broken link is refused at once),
    and at most MAX_BYTES of it, counted while reading.
    """
    p = Path(path)
    data = read_regular(p, MAX_BYTES)
    if not data.strip():
        raise UnreadableError("文件为空")
    reader = READERS.get(p.suffix.lower(), read_text)
    return reader(p, data)
