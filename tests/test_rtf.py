"""RTF documents (ingest/rtf.py), as Word writes them (\\uN escapes) and as WPS does (GBK bytes as \\'hh):
the same report as the .docx built from it, every cell; the national template saved as RTF by LibreOffice
(tests/exported), every cell; what is not body text is skipped; damaged files give one Chinese reason."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from exported_fixtures import EXPORTED, assert_reads_the_template
from format_builders import docx_bytes, report_blocks, rtf_bytes

from auditlib.ingest import UnreadableError, read_document
from auditlib.ingest.rtf import rtf_lines
from auditlib.parse import parse_file

BLOCKS = report_blocks()


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.fixture(scope="module")
def docx_cells(tmp_path_factory: pytest.TempPathFactory) -> dict[str, int | float | None]:
    report = parse_file(write(tmp_path_factory.mktemp("docx"), "r.docx", docx_bytes(BLOCKS)))
    return {p: c.value for p, c in report.cells.items()}


@pytest.mark.parametrize("escapes", ["u", "hex"], ids=["word-unicode", "wps-gbk-bytes"])
def test_an_rtf_reads_as_the_same_report_as_its_docx(tmp_path: Path, escapes: str,
                                                     docx_cells: dict[str, int | float | None]) -> None:
    report = parse_file(write(tmp_path, "r.rtf", rtf_bytes(BLOCKS, escapes)))
    assert report.format == "rtf" and report.agency == "红旗区人民政府" and report.year == 2024
    assert all(s.present for s in report.sections.values())
    assert {p: c.value for p, c in report.cells.items()} == docx_cells
    cell = report.cells["applications.1.total"]
    assert cell.where.startswith("表") and cell.source.startswith("一、本年新收政府信息公开申请数量\t")


@pytest.mark.parametrize("rtf", sorted(EXPORTED.glob("*.rtf")), ids=lambda p: p.stem)
def test_the_template_saved_as_rtf_by_libreoffice_reads_every_cell(rtf: Path) -> None:
    assert_reads_the_template(parse_file(rtf), rtf, "rtf")


def test_an_rtf_saved_as_doc_is_read_with_a_note(tmp_path: Path) -> None:
    doc = read_document(write(tmp_path, "r.doc", rtf_bytes(BLOCKS)))
    assert doc.format == "rtf" and any("内容是 RTF" in n for n in doc.notes)


def test_what_is_not_body_text_is_skipped() -> None:
    data = (b"{\\rtf1\\ansi\\ansicpg936{\\fonttbl{\\f0\\fcharset134 \\'cb\\'ce\\'cc\\'e5;}}{\\*\\userprops secret}"
            b"{\\header \\'d2\\'b3\\'c3\\'bc}\\uc2 \\u20108\\'a1\\'a1\\u-28820??"  # 二 转 (a negative N is N + 65536), each with two fallback bytes
            b"{\\field{\\*\\fldinst HYPERLINK \"x\"}{\\fldrslt \\'c1\\'b4\\'bd\\'d3}}\\par "
            b"\\trowd\\cellx600\\cellx1200\\pard\\intbl a\\cell \\cell\\row}")
    assert rtf_lines(data) == [("二转链接", False), ("a\t", True)]


@pytest.mark.parametrize(("data", "reason"), [
    (b"{\\rtf1\\ansi{\\fonttbl{\\f0 x;}}}", "没有文字"),
    (b"{\\rtf1 " + b"{" * 600 + b"x" + b"}" * 600 + b"}", "嵌套过深"),
])
def test_an_rtf_without_text_or_too_deep_says_so(tmp_path: Path, data: bytes, reason: str) -> None:
    with pytest.raises(UnreadableError, match=reason):
        read_document(write(tmp_path, "r.rtf", data))


def test_damaged_rtf_files_give_one_reason_never_a_traceback(tmp_path: Path) -> None:
    data = rtf_bytes(BLOCKS, "hex")
    rng = random.Random(2)
    for n in range(60):
        damaged = bytearray(data)
        for _ in range(rng.choice((1, 16, 64))):
            damaged[rng.randrange(8, len(damaged))] = rng.choice(b"{}\\'x0 \x00\xff")
        try:
            parse_file(write(tmp_path, f"d{n}.rtf", bytes(damaged)))
        except UnreadableError as exc:
            assert any("\u4e00" <= ch <= "\u9fff" for ch in str(exc))
