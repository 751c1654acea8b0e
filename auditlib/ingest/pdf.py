"""PDF: the text layer, page by page, one SourceLine per text line ("第{page}页第{line}行").

Text comes from pypdf (BSD), which follows the content stream: on the three real reports (洪泽区
2023/2024, 淮安市 2024) it parses every cell right (558/558). pdfplumber's `extract_text()` sorts glyphs
by position and, where a row label is vertically centred in a taller cell, puts the row's numbers on
the line *above* its label; the parser reads that too (also 558/558), but pypdf's order is the plainer
one and it is faster. pdfplumber (MIT) is kept as a fallback for files or pages pypdf cannot decode
(it is more lenient with damaged files). Page markers (“- 4 -”) are passed through; the parser drops them.
A PDF whose text leaves cells unknown (an empty cell prints nothing) is read a second time on its tables'
ruling lines (pdf_grid.py; parse_file decides which reading stands).
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from auditlib.ingest.errors import UnreadableError
from auditlib.ingest.sniff import describe, is_pdf, sha256_of
from auditlib.model import Document, SourceLine

MAX_PAGES = 500  # a report has a handful of pages; thousands means something else
SCANNED = "PDF 没有文字层（扫描件），需要先做 OCR 识别"
ENCRYPTED = "PDF 已加密，无法读取"


class _Broken(Exception):
    """pypdf cannot open the file (not an encryption problem): worth a try with pdfplumber."""


def _open(data: bytes) -> Any:
    import pypdf
    from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError

    try:
        reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
    except FileNotDecryptedError as exc:
        raise UnreadableError(ENCRYPTED) from exc
    except Exception as exc:  # pypdf raises many kinds (PdfReadError, ValueError, KeyError …) for broken files
        raise _Broken(_reason(exc)) from exc
    if reader.is_encrypted:
        try:
            # Many reports are "encrypted" with only an owner password (no printing/copying): the empty
            # user password opens them.
            decrypted = reader.decrypt("")
        except (DependencyError, NotImplementedError, PdfReadError, ValueError, KeyError) as exc:
            raise UnreadableError(ENCRYPTED) from exc
        if not decrypted:
            raise UnreadableError(ENCRYPTED)
    return reader


def _reason(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text[:120]}" if text else type(exc).__name__


class _Plumber:
    """pdfplumber, opened once and only when pypdf fails (a broken page, or a file pypdf cannot open)."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pdf: Any = None
        self.failed = False

    def open(self) -> Any:
        if self.pdf is None and not self.failed:
            try:
                import pdfplumber

                self.pdf = pdfplumber.open(io.BytesIO(self.data))
                len(self.pdf.pages)
            except Exception:  # best effort: the caller reports what could not be read
                self.failed = True
                self.pdf = None
        return self.pdf

    def page_count(self) -> int | None:
        pdf = self.open()
        return len(pdf.pages) if pdf is not None else None

    def page(self, index: int) -> str | None:
        pdf = self.open()
        if pdf is None:
            return None
        try:
            return str(pdf.pages[index].extract_text() or "")
        except Exception:  # best effort, as above
            return None

    def close(self) -> None:
        if self.pdf is not None:
            self.pdf.close()


def page_texts(data: bytes) -> tuple[list[str], list[str]]:
    """Each page's text, and notes about pages that had to be skipped or read the second way."""
    from pypdf.errors import FileNotDecryptedError

    plumber = _Plumber(data)
    try:
        notes: list[str] = []
        reader: Any = None
        try:
            reader = _open(data)
            count = len(reader.pages)
        except FileNotDecryptedError as exc:
            raise UnreadableError(ENCRYPTED) from exc
        except UnreadableError:
            raise
        except Exception as exc:  # _Broken, or pypdf failing on the page tree
            fallback_count = plumber.page_count()
            if fallback_count is None:
                reason = str(exc) if isinstance(exc, _Broken) else _reason(exc)
                raise UnreadableError(f"PDF 文件已损坏，无法解析（{reason}）") from exc
            reader, count = None, fallback_count
            notes.append("PDF 文件结构有损坏，已改用备用方式（pdfplumber）读取，请核对内容")
        if count == 0:
            raise UnreadableError("PDF 中没有任何页面")
        if count > MAX_PAGES:
            raise UnreadableError(f"PDF 共 {count} 页，远超一份年度报告的篇幅，已拒绝读取")
        texts: list[str] = []
        failed: list[int] = []
        for i in range(count):
            text: str | None = None
            if reader is not None:
                try:
                    text = reader.pages[i].extract_text() or ""
                except Exception:  # a broken page stream: try the other library before giving up on the page
                    text = None
            if text is None:
                text = plumber.page(i)
            if text is None:
                failed.append(i + 1)
                text = ""
            texts.append(text)
    finally:
        plumber.close()
    if failed and len(failed) == count:
        raise UnreadableError("PDF 文件已损坏：所有页面都无法解析出文字")
    if failed:
        notes.append(f"第{_pages(failed)}页无法解析，其中内容未能读取")
    return texts, notes


def _pages(numbers: list[int]) -> str:
    return "、".join(str(n) for n in numbers)


def _has_cjk(text: str) -> bool:
    return any("\u3400" <= ch <= "\u9fff" or "\u2e80" <= ch <= "\u2fdf" for ch in text)


@contextmanager
def _quiet_pypdf() -> Iterator[None]:
    """pypdf logs a warning for every repair it makes to a sloppy file; the reader reports what matters."""
    logger = logging.getLogger("pypdf")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def read_pdf(path: Path, data: bytes) -> Document:
    if not is_pdf(data):
        raise UnreadableError(f"不是有效的 PDF 文件：文件开头没有 PDF 标记（内容是{describe(data)}）")
    truncated = b"%%EOF" not in data[-4096:]
    try:
        with _quiet_pypdf():
            texts, notes = page_texts(data)
    except UnreadableError as exc:
        if truncated and str(exc) != ENCRYPTED:
            raise UnreadableError("PDF 文件不完整（缺少结尾标记 %%EOF，可能下载或复制未完成），无法读取") from exc
        raise
    if truncated:
        notes.append("PDF 文件不完整（缺少结尾标记 %%EOF，可能下载或复制未完成），已尽量读取，请核对内容")
    empty = [i + 1 for i, text in enumerate(texts) if not text.strip()]
    if len(empty) == len(texts):
        raise UnreadableError(SCANNED)
    if not _has_cjk("".join(texts)) and sum(len(t.strip()) for t in texts) >= 100:
        raise UnreadableError("PDF 的文字层中没有任何汉字：字体缺少字符映射（提取出的是乱码），或不是中文报告；需要先做 OCR 识别")
    if empty:
        notes.append(f"第{_pages(empty)}页没有文字层（可能是扫描图片），这些页上的内容未能读取")
    lines: list[SourceLine] = []
    for page, text in enumerate(texts, start=1):
        for n, line in enumerate(text.splitlines(), start=1):
            lines.append(SourceLine(len(lines) + 1, line, f"第{page}页第{n}行"))
    return Document(path=str(path), format="pdf", encoding=None, sha256=sha256_of(data), lines=tuple(lines),
                    notes=tuple(notes))
