"""Bytes → a `Document` of text lines. Only this package knows file formats."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from auditlib.ingest.docx import read_doc, read_docx
from auditlib.ingest.errors import UnreadableError
from auditlib.ingest.files import read_regular, real_path, sha256_regular
from auditlib.ingest.html import read_html
from auditlib.ingest.mht import read_mht
from auditlib.ingest.odt import read_odt
from auditlib.ingest.ofd import ofd_grid_lines, read_ofd
from auditlib.ingest.pdf import read_pdf
from auditlib.ingest.pdf_grid import grid_lines
from auditlib.ingest.rtf import read_rtf
from auditlib.ingest.text import decode_text, read_text
from auditlib.model import Document, SourceLine

__all__ = ["GRID_READERS", "NOT_READ", "READERS", "UnreadableError", "decode_text", "listed_suffixes", "read_document", "read_regular",
           "real_path", "sha256_regular", "supported_suffixes"]

MAX_BYTES = 50 * 1024 * 1024  # a report is a few hundred KB; anything this big is not one

Reader = Callable[[Path, bytes], Document]

# suffix → reader; a file with another suffix is read as text when named explicitly.
READERS: dict[str, Reader] = {
    ".txt": read_text, ".md": read_text, ".markdown": read_text, ".text": read_text,
    ".docx": read_docx, ".doc": read_doc, ".wps": read_doc,  # WPS 文字 saves .wps in the Word 97–2003 format
    ".html": read_html, ".htm": read_html, ".shtml": read_html, ".mht": read_mht, ".mhtml": read_mht,
    ".pdf": read_pdf, ".ofd": read_ofd, ".rtf": read_rtf, ".odt": read_odt,
}


# format → a second reader for a fixed-layout file whose text left cells unknown: its tables read on their
# ruling lines (parse.parse_file decides which reading stands).
GRID_READERS: dict[str, Callable[[bytes], list[SourceLine] | None]] = {"pdf": grid_lines, "ofd": ofd_grid_lines}


# Formats a report may come in that are not read: a folder lists them (never skipped unseen) and each
# gets its UNREADABLE finding saying what to do. Other files in a folder (spreadsheets, images) are ignored.
NOT_READ: dict[str, str] = {
    **dict.fromkeys((".zip", ".rar", ".7z"), "压缩包不能直接审核；请解压后审核其中的报告文件"),
}


def supported_suffixes() -> tuple[str, ...]:
    return tuple(sorted(READERS))


def listed_suffixes() -> tuple[str, ...]:
    """What a folder contributes: the formats read and the report formats refused with advice."""
    return tuple(sorted({*READERS, *NOT_READ}))


def read_document(path: str | Path) -> Document:
    """Read any supported file into text lines; raises UnreadableError with a Chinese reason.

    Only a regular file is read (a FIFO, device, socket, folder or broken link is refused at once),
    and at most MAX_BYTES of it, counted while reading.
    """
    p = Path(path)
    data = read_regular(p, MAX_BYTES)
    if not data.strip():
        raise UnreadableError("文件为空")
    suffix = p.suffix.lower()
    if suffix in NOT_READ:
        raise UnreadableError(NOT_READ[suffix])
    return READERS.get(suffix, read_text)(p, data)
