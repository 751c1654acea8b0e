"""Web pages saved as one file (.mht / .mhtml: IE, Edge and Chrome's 「网页，单个文件」, Word and WPS's
单个文件网页): the page in a MIME message, quoted-printable or base64, in GB2312 or UTF-8; read as the
same page saved as .html."""

from __future__ import annotations

import base64
import quopri
from pathlib import Path

import pytest
from format_builders import html_page, report_blocks

from auditlib.ingest import UnreadableError, read_document
from auditlib.parse import parse_file

PAGE = html_page(report_blocks(), "gb2312")


def _mht(body: bytes, transfer: str, charset: str | None, boundary: str = "----=_NextPart_01DA") -> bytes:
    encoded = quopri.encodestring(body) if transfer == "quoted-printable" else base64.encodebytes(body)
    declared = f'; charset="{charset}"' if charset else ""
    return (f'MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary="{boundary}"; type="text/html"\r\n\r\n'
            f"--{boundary}\r\nContent-Type: text/html{declared}\r\nContent-Transfer-Encoding: {transfer}\r\n"
            "Content-Location: file:///C:/report.htm\r\n\r\n").encode() + encoded + (
            f"\r\n--{boundary}\r\nContent-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=\r\n"
            f"--{boundary}--\r\n").encode()


@pytest.mark.parametrize(("transfer", "charset", "suffix"), [
    ("quoted-printable", "gb2312", ".mht"),   # IE / Word
    ("quoted-printable", "utf-8", ".mhtml"),  # Chrome
    ("base64", "gb2312", ".mht"),
    ("base64", None, ".mht"),                 # no charset in the part header: the page's own <meta>
])
def test_a_page_saved_as_one_file_reads_as_the_page(tmp_path: Path, transfer: str, charset: str | None,
                                                    suffix: str) -> None:
    page = tmp_path / "report.html"
    page.write_bytes(PAGE.encode("gb18030"))
    body = PAGE.encode("utf-8" if charset == "utf-8" else "gb18030")  # Chrome saves UTF-8, the <meta> unchanged
    saved = tmp_path / f"report{suffix}"
    saved.write_bytes(_mht(body, transfer, charset))
    want, got = parse_file(page), parse_file(saved)
    assert got.format == "html" and got.agency == want.agency and got.year == want.year
    assert {p: c.value for p, c in got.cells.items()} == {p: c.value for p, c in want.cells.items()}
    assert [s.text for s in got.sections.values()] == [s.text for s in want.sections.values()]
    assert got.sha256 != want.sha256  # the saved file's own hash
    assert not [n for n in got.notes if "编码" in n]  # the part header's charset is taken, nothing guessed


def test_a_plain_page_named_mht_is_read(tmp_path: Path) -> None:
    saved = tmp_path / "report.mht"
    saved.write_bytes(PAGE.encode("gb18030"))
    assert parse_file(saved).agency is not None


@pytest.mark.parametrize(("data", "reason"), [
    (b"MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary=b\r\n\r\n--b\r\nContent-Type: image/png\r\n\r\nxx\r\n--b--\r\n",
     "没有网页"),
    (b"MIME-Version: 1.0\r\nContent-Type: text/html\r\n\r\n   \r\n", "是空的"),
])
def test_a_saved_page_without_a_page_says_so(tmp_path: Path, data: bytes, reason: str) -> None:
    path = tmp_path / "x.mht"
    path.write_bytes(data)
    with pytest.raises(UnreadableError, match=reason):
        read_document(path)
