"""OFD files (GB/T 33190, ingest/ofd.py). No agency's OFD is at hand: the packages are built from the
national template as LibreOffice laid it out (tests/exported/*.pdf, six cells left empty), each glyph
at its place (tests/ofd_builder.py), and read cell by cell against the values written in."""

from __future__ import annotations

import io
import random
import zipfile
from pathlib import Path

import pytest
from exported_fixtures import EXPORTED, assert_reads_the_template, truth
from ofd_builder import NS, ofd_from_pdf

from auditlib.audit import audit_paths
from auditlib.ingest import UnreadableError, read_document
from auditlib.parse import parse_file

PDFS = sorted(EXPORTED.glob("*.pdf"))


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("how", [{}, {"per_char": True}, {"scale": 0.5}, {"per_line": True}],
                         ids=["word-objects", "char-objects", "scaled-by-ctm", "line-objects"])
@pytest.mark.parametrize("pdf", PDFS, ids=lambda p: p.stem)
def test_every_value_of_an_ofd_is_read_on_its_ruling_lines(tmp_path: Path, pdf: Path, how: dict) -> None:
    report = parse_file(write(tmp_path, "青山镇.ofd", ofd_from_pdf(pdf, **how)))
    assert_reads_the_template(report, pdf, "ofd")
    assert any(n.startswith("OFD 文字层中有") for n in report.notes)
    cell = report.cells["applications.1.total"]
    assert cell.where.startswith("第2页表") and cell.source.startswith("一、本年新收政府信息公开申请数量\t")


@pytest.mark.parametrize("pdf", PDFS, ids=lambda p: p.stem)
@pytest.mark.parametrize("per_line", [False, True], ids=["word-objects", "line-objects"])
def test_without_ruling_lines_the_text_reading_is_never_wrong(tmp_path: Path, pdf: Path, per_line: bool) -> None:
    """Text alone cannot place a row that lost an empty cell: such rows are unknown, no value is wrong."""
    report = parse_file(write(tmp_path, "r.ofd", ofd_from_pdf(pdf, ruled=False, per_line=per_line)))
    want = truth(pdf)
    known = {p for p in want if report.cells[p].value is not None}
    assert known and {p: report.cells[p].value for p in known} == {p: want[p] for p in known}
    assert len(known) < len(want) - 6  # the empty cells' rows stayed unknown
    assert not any(n.startswith("OFD 文字层中有") for n in report.notes)


def test_lines_are_read_in_drawing_order_and_template_pages_are_not(tmp_path: Path) -> None:
    lines = read_document(write(tmp_path, "r.ofd", ofd_from_pdf(PDFS[0]))).lines
    texts = [line.text for line in lines]
    assert texts[0] == "青山镇人民政府2024年政府信息公开工作年度报告" and lines[0].where == "第1页第1行"
    assert texts.index("一、总体情况") < texts.index("二、主动公开政府信息情况") < texts.index("规章\t0\t0\t0")
    assert "- 1 -" not in texts  # the template page's page number


def _package(members: dict[str, str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name, text in members.items():
            zf.writestr(name, text)
    return out.getvalue()


_ROOT = f'<ofd:OFD xmlns:ofd="{NS}"><ofd:DocBody><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>'
_DOC = (f'<ofd:Document xmlns:ofd="{NS}"><ofd:Pages><ofd:Page ID="1" BaseLoc="/Doc_0/Pages/Page_0/Content.xml"/>'
        "</ofd:Pages></ofd:Document>")


@pytest.mark.parametrize(("members", "reason"), [
    ({"Doc_0/Document.xml": _DOC}, "没有 OFD.xml"),
    ({"OFD.xml": _ROOT}, "缺少 Doc_0/Document.xml"),
    ({"OFD.xml": _ROOT, "Doc_0/Document.xml": "<ofd:Document"}, "不是有效的 XML"),
    ({"OFD.xml": _ROOT, "Doc_0/Document.xml": f'<ofd:Document xmlns:ofd="{NS}"/>'}, "没有页面"),
    ({"OFD.xml": _ROOT, "Doc_0/Document.xml": _DOC, "Doc_0/Pages/Page_0/Content.xml":
      f'<ofd:Page xmlns:ofd="{NS}"><ofd:Content><ofd:Layer><ofd:ImageObject ID="1" Boundary="0 0 210 297" '
      'ResourceID="9"/></ofd:Layer></ofd:Content></ofd:Page>'}, "扫描件"),
], ids=["no-root", "no-document", "broken-xml", "no-pages", "scanned"])
def test_a_broken_or_scanned_ofd_gives_one_reason(tmp_path: Path, members: dict[str, str], reason: str) -> None:
    with pytest.raises(UnreadableError, match=reason):
        read_document(write(tmp_path, "r.ofd", _package(members)))


def test_damaged_ofd_files_give_one_reason_never_a_traceback(tmp_path: Path) -> None:
    data = ofd_from_pdf(PDFS[1])
    rng = random.Random(1)
    read = refused = 0
    for n in range(60):
        damaged = bytearray(data)
        for _ in range(rng.choice((1, 8))):
            damaged[rng.randrange(len(damaged))] = rng.randrange(256)
        try:
            parse_file(write(tmp_path, f"d{n}.ofd", bytes(damaged)))
            read += 1
        except UnreadableError as exc:
            assert any("\u4e00" <= ch <= "\u9fff" for ch in str(exc))
            refused += 1
    assert read + refused == 60 and refused > 0


def test_an_ofd_in_a_folder_is_audited_and_a_zip_named_ofd_is_named_for_what_it_is(tmp_path: Path) -> None:
    write(tmp_path, "青山镇.ofd", ofd_from_pdf(PDFS[0]))
    write(tmp_path, "附件.ofd", _package({"readme.txt": "not an OFD"}))
    outcomes = {Path(o.path).name: o for o in audit_paths([tmp_path])}
    assert outcomes["青山镇.ofd"].report is not None
    assert "没有 OFD.xml" in (outcomes["附件.ofd"].error or "")
