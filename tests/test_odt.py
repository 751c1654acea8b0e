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
