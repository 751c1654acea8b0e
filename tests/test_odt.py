"""OpenDocument text (.odt, ingest/odt.py): the national template saved by LibreOffice (tests/exported),
every cell; a package that is not a text document, or is damaged, gives one Chinese reason."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from exported_fixtures import EXPORTED, assert_reads_the_template

from auditlib.ingest import UnreadableError, read_document
from auditlib.parse import parse_file

ODTS = sorted(EXPORTED.glob("*.odt"))
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"


@pytest.mark.parametrize("odt", ODTS, ids=lambda p: p.stem)
def test_the_template_saved_as_odt_reads_every_cell(odt: Path) -> None:
    report = parse_file(odt)
    assert_reads_the_template(report, odt, "odt")
    assert report.cells["applications.1.total"].where.startswith("表")


def test_paragraphs_and_rows_are_lines_in_document_order() -> None:
    texts = [line.text for line in read_document(ODTS[0]).lines]
    assert texts.index("一、总体情况") < texts.index("二、主动公开政府信息情况") < texts.index("规章\t0\t0\t0")


def test_repeated_and_covered_cells_keep_their_places(tmp_path: Path) -> None:
    """`table:number-columns-repeated` prints one cell for several alike (LibreOffice and WPS write a run of
    empty cells so), and a merged cell's covered part is an empty field, as in a .docx row."""
    table, text = "urn:oasis:names:tc:opendocument:xmlns:table:1.0", "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
    row = ('<table:table-row><table:table-cell><text:p>规章</text:p></table:table-cell>'
           '<table:table-cell table:number-columns-repeated="2"/><table:covered-table-cell/>'
           '<table:table-cell><text:p>5</text:p></table:table-cell></table:table-row>')
    content = (f'<office:document-content xmlns:office="{_OFFICE}" xmlns:table="{table}" xmlns:text="{text}">'
               f"<office:body><office:text><text:p>标题</text:p><table:table>{row}</table:table></office:text>"
               "</office:body></office:document-content>")
    path = tmp_path / "r.odt"
    path.write_bytes(_package(content))
    assert [line.text for line in read_document(path).lines] == ["标题", "规章\t\t\t\t5"]


def _package(content: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        if content:
            zf.writestr("content.xml", content)
    return out.getvalue()


@pytest.mark.parametrize(("content", "reason"), [
    ("", "没有 content.xml"),
    ("<office:document-content", "不是有效的 XML"),
    (f'<office:document-content xmlns:office="{_OFFICE}"><office:body><office:spreadsheet/></office:body>'
     "</office:document-content>", "没有文本正文"),
    (f'<office:document-content xmlns:office="{_OFFICE}"><office:body><office:text/></office:body>'
     "</office:document-content>", "没有文字"),
], ids=["no-content", "broken-xml", "spreadsheet", "empty"])
def test_a_package_that_is_no_text_document_says_so(tmp_path: Path, content: str, reason: str) -> None:
    path = tmp_path / "r.odt"
    path.write_bytes(_package(content))
    with pytest.raises(UnreadableError, match=reason):
        read_document(path)
