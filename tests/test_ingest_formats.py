"""Word, web-page and PDF reports read cell for cell like the text ones; hostile files are refused."""

from __future__ import annotations

import io
import os
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest
from format_builders import (
    docx_bytes,
    encrypted_pdf_bytes,
    expected,
    html_bytes,
    html_page,
    pdf_bytes,
    report_blocks,
    report_pdf_bytes,
    scanned_pdf_bytes,
    write_zip_bomb,
)

from auditlib.ingest import READERS, UnreadableError, read_document
from auditlib.ingest.docx import table_rows
from auditlib.ingest.html import table_grid
from auditlib.ingest.html_encoding import decode_html
from auditlib.model import CellStatus, Report
from auditlib.parse import parse_file

EXPECTED = expected()


def flat_cells(tables: dict[str, Any]) -> dict[str, Any]:
    return {f"{t}.{r}.{c}": v for t, rows in tables.items() for r, cols in rows.items() for c, v in cols.items()}


def assert_cells(report: Report, overrides: dict[str, Any] | None = None) -> None:
    """Every template cell equals the expected JSON (overrides for cells a test printed differently)."""
    want = flat_cells(EXPECTED["tables"]) | (overrides or {})
    got = flat_cells(report.to_dict(provenance=False)["tables"])
    wrong = {path: (value, got.get(path, "absent")) for path, value in want.items() if got.get(path, "absent") != value}
    assert not wrong, f"{len(wrong)} of {len(want)} cells wrong (expected, got): {wrong}"
    assert len(want) == 200
    assert report.agency == EXPECTED["agency"]
    assert report.year == EXPECTED["year"]
    assert report.template == EXPECTED["template"]
    assert all(s.present for s in report.sections.values())
    assert not [n for n in report.notes if "无法确定" in n]


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_readers_registered() -> None:
    for suffix in (".docx", ".doc", ".html", ".htm", ".shtml", ".pdf", ".txt"):
        assert suffix in READERS


# ---------------------------------------------------------------------------------------------
# .docx
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def docx_report(tmp_path_factory: pytest.TempPathFactory) -> Report:
    path = tmp_path_factory.mktemp("docx") / "report.docx"
    path.write_bytes(docx_bytes(report_blocks()))
    return parse_file(path)


def test_docx_every_cell(docx_report: Report) -> None:
    assert docx_report.format == "docx"
    assert docx_report.encoding is None
    assert len(docx_report.sha256) == 64
    assert_cells(docx_report)


def test_docx_provenance_names_table_and_row(docx_report: Report) -> None:
    # Table 2 is 申请: three header rows, then 一、二、（一）、（二）, so 1.属于国家秘密 is its 8th row.
    cell = docx_report.cell("applications.3.3.1.natural_person")
    assert cell.where == "表2第8行"
    assert "属于国家秘密" in cell.source
    assert docx_report.cell("applications.1.total").where == "表2第4行"
    assert docx_report.cell("active_disclosure.licensing.decisions").where == "表1第7行"
    assert docx_report.cell("review_litigation.review.total").where == "表3第4行"
    heading = docx_report.lines[docx_report.sections["1"].line - 1]  # type: ignore[operator]
    assert heading.where.startswith("第") and heading.where.endswith("段")


def test_docx_merged_cells_are_printed_once(docx_report: Report) -> None:
    table2 = [line.text.split("\t") for line in docx_report.lines if line.where.startswith("表2第")]
    assert len(table2) == 3 + 25
    assert all(len(row) == 10 for row in table2)  # the template's grid: 3 label columns + 7 values
    assert table2[0][:4] == ["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", "", "", "申请人情况"]
    assert table2[0][4:] == [""] * 6  # 申请人情况 spans 7 columns
    assert table2[1][:4] == ["", "", "", "自然人"]  # the note's vertical merge continues: blank
    assert table2[2][3] == "" and table2[2][9] == ""  # 自然人 and 总计 merged downwards
    assert table2[2][4] == "商业 企业"  # a cell's paragraphs joined by a space
    assert table2[4][0] == "二、上年结转政府信息公开申请数量"
    assert table2[5][0] == "三、本年度办理结果" and table2[6][0] == ""
    assert table2[7][1] == "（三）不予公开" and table2[8][1] == ""
    assert table2[3][3:] == ["16", "0", "0", "0", "0", "4", "20"]  # stray spaces and NBSP collapsed
    table3 = [line.text.split("\t") for line in docx_report.lines if line.where.startswith("表3第")]
    assert table3[0] == ["行政复议", "", "", "", "", "行政诉讼"] + [""] * 9


def _docx_with_body(xml: str) -> bytes:
    """A python-docx document whose body is replaced by `xml` (w: prefixed)."""
    import docx
    from lxml import etree

    document = docx.Document()
    body = document.element.body
    for child in list(body):
        if not child.tag.endswith("sectPr"):
            body.remove(child)
    ns = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    wrapper = etree.fromstring(f"<w:body {ns}>{xml}</w:body>")
    for i, child in enumerate(wrapper):
        body.insert(i, child)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def test_docx_nested_table_grid_before_and_line_breaks(tmp_path: Path) -> None:
    nested = "<w:tbl><w:tr><w:tc><w:p><w:r><w:t>甲</w:t></w:r></w:p></w:tc>" \
             "<w:tc><w:p><w:r><w:t>乙</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"
    xml = (
        "<w:p><w:r><w:t>第一行</w:t><w:br/><w:t>第二行</w:t></w:r></w:p>"
        "<w:p><w:r><w:rPr><w:vanish/></w:rPr><w:t>隐藏文字</w:t></w:r><w:r><w:t>可见</w:t></w:r>"
        "<w:del><w:r><w:delText>删除</w:delText></w:r></w:del></w:p>"
        "<w:tbl><w:tblGrid><w:gridCol/><w:gridCol/><w:gridCol/></w:tblGrid>"
        f"<w:tr><w:tc><w:p><w:r><w:t>外</w:t></w:r></w:p>{nested}<w:p/></w:tc>"
        "<w:tc><w:tcPr><w:gridSpan w:val=\"2\"/></w:tcPr><w:p><w:r><w:t xml:space=\"preserve\">  7 </w:t></w:r></w:p></w:tc></w:tr>"
        "<w:tr><w:trPr><w:gridBefore w:val=\"1\"/></w:trPr><w:tc><w:p><w:r><w:t>8</w:t></w:r></w:p></w:tc>"
        "<w:tc><w:p><w:r><w:t>\u00a0</w:t></w:r></w:p></w:tc></w:tr>"
        "<w:sdt><w:sdtContent><w:tr><w:tc><w:p><w:r><w:t>控件</w:t></w:r></w:p></w:tc></w:tr></w:sdtContent></w:sdt>"
        "</w:tbl>"
    )
    doc = read_document(write(tmp_path, "x.docx", _docx_with_body(xml)))
    lines = [(line.text, line.where) for line in doc.lines]
    assert lines[:3] == [("第一行", "第1段"), ("第二行", "第1段"), ("可见", "第2段")]
    assert lines[3:6] == [("外 甲 乙\t7\t", "表1第1行"), ("\t8\t", "表1第2行"), ("控件", "表1第3行")]


def test_docx_vmerge_rows_from_xml() -> None:
    from lxml import etree

    ns = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    xml = (f'<w:tbl xmlns:w="{ns}">'
           '<w:tr><w:tc><w:tcPr><w:vMerge w:val="restart"/></w:tcPr><w:p><w:r><w:t>组</w:t></w:r></w:p></w:tc>'
           '<w:tc><w:p><w:r><w:t>1</w:t></w:r></w:p></w:tc></w:tr>'
           '<w:tr><w:tc><w:tcPr><w:vMerge/></w:tcPr><w:p><w:r><w:t>组</w:t></w:r></w:p></w:tc>'
           '<w:tc><w:p><w:r><w:t>2</w:t></w:r></w:p></w:tc></w:tr></w:tbl>')
    assert table_rows(etree.fromstring(xml)) == [["组", "1"], ["", "2"]]


def test_docx_zip_bomb_refused_without_inflating(tmp_path: Path) -> None:
    path = tmp_path / "bomb.docx"
    write_zip_bomb(path, megabytes=150)
    assert path.stat().st_size < 2 * 1024 * 1024
    start = time.perf_counter()
    with pytest.raises(UnreadableError, match="压缩炸弹"):
        read_document(path)
    assert time.perf_counter() - start < 1.0


def test_docx_high_ratio_refused(tmp_path: Path) -> None:
    path = tmp_path / "ratio.docx"
    write_zip_bomb(path, megabytes=20)  # under the size cap, but ~1000:1
    with pytest.raises(UnreadableError, match="压缩炸弹"):
        read_document(path)


def test_docx_garbage_refused(tmp_path: Path) -> None:
    junk = os.urandom(4096)
    with pytest.raises(UnreadableError, match=r"不是有效的 Word 文档（\.docx）"):
        read_document(write(tmp_path, "junk.docx", junk))
    with pytest.raises(UnreadableError, match="不是有效的 Word 文档"):
        read_document(write(tmp_path, "trunc.docx", docx_bytes(report_blocks())[:3000]))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
    with pytest.raises(UnreadableError, match="Excel"):
        read_document(write(tmp_path, "sheet.docx", buf.getvalue()))


def test_old_doc_format_asks_for_docx(tmp_path: Path) -> None:
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4096)
    for name in ("old.doc", "old.docx"):
        with pytest.raises(UnreadableError, match=r"\.doc.*另存为.*\.docx"):
            read_document(write(tmp_path, name, ole))
    encrypted = ole + "EncryptedPackage".encode("utf-16-le")
    with pytest.raises(UnreadableError, match="已加密"):
        read_document(write(tmp_path, "locked.docx", encrypted))


def test_doc_that_is_really_docx_or_html(tmp_path: Path) -> None:
    doc = read_document(write(tmp_path, "real.doc", docx_bytes(report_blocks())))
    assert doc.format == "docx" and any(".docx" in n for n in doc.notes)
    page = read_document(write(tmp_path, "page.doc", html_bytes(report_blocks(), "utf-8")))
    assert page.format == "html"


# ---------------------------------------------------------------------------------------------
# .html
# ---------------------------------------------------------------------------------------------

BLANK = frozenset({"applications.2.commercial"})


@pytest.fixture(scope="module")
def html_gb(tmp_path_factory: pytest.TempPathFactory) -> tuple[Report, bytes]:
    data = html_bytes(report_blocks(blank=BLANK), charset="gb2312")
    path = tmp_path_factory.mktemp("html") / "report.html"
    path.write_bytes(data)
    return parse_file(path), data


def test_html_gb2312_page_every_cell(html_gb: tuple[Report, bytes]) -> None:
    report, data = html_gb
    assert b'<meta charset="gb2312">' in data
    assert report.format == "html"
    assert report.encoding == "gb18030"
    assert_cells(report, {"applications.2.commercial": None})
    blank = report.cell("applications.2.commercial")
    assert blank.status is CellStatus.BLANK  # &nbsp; is an empty cell: unknown, never 0
    assert blank.where == "表2第5行"


def test_html_drops_page_chrome(html_gb: tuple[Report, bytes]) -> None:
    report, _ = html_gb
    text = "\n".join(line.text for line in report.lines)
    for chrome in ("首页", "var menu", "版权所有", "访问量", "统计", "浏览次数", "99", "当前位置"):
        assert chrome not in text, chrome
    assert report.lines[0].text == "红旗区人民政府 2024 年政府信息公开工作年度报告"  # the <h1> beside the text
    assert report.sections["6"].text == "在依申请公开工作中，红旗区未收取申请人的任何费用。"
    assert all(line.where for line in report.lines)


def test_html_utf8_http_equiv(tmp_path: Path) -> None:
    data = html_bytes(report_blocks(), charset="utf-8", http_equiv=True)
    report = parse_file(write(tmp_path, "report.htm", data))
    assert report.encoding == "utf-8"
    assert_cells(report)
    assert report.cell("review_litigation.review.total").where == "表3第4行"


def test_html_without_article_block(tmp_path: Path) -> None:
    page = html_page(report_blocks(), "utf-8", flat=True)
    report = parse_file(write(tmp_path, "flat.html", page.encode("utf-8")))
    assert_cells(report)
    assert report.lines[0].text == "红旗区人民政府 2024 年政府信息公开工作年度报告"  # from <title>, site name cut
    assert any("<title>" in n for n in report.notes)


def test_html_decoding() -> None:
    text = "<html><body><p>郟县2024年政府信息公开工作年度报告</p></body></html>"
    assert decode_html(("\ufeff" + text).encode("utf-8"))[:2] == (text, "utf-8-sig")
    gb = text.replace("<html>", '<html><meta http-equiv="Content-Type" content="text/html; charset=GBK">')
    assert decode_html(gb.encode("gb18030"))[:2] == (gb, "gb18030")  # 郟 is GBK, not GB2312
    assert decode_html(text.encode("gb18030"))[:2] == (text, "gb18030")  # undeclared: UTF-8 fails, GB18030
    assert decode_html(text.encode("utf-8"))[:2] == (text, "utf-8")
    wrong = text.replace("<html>", '<html><meta charset="gb2312">')
    decoded, encoding, notes = decode_html(wrong.encode("utf-8"))
    assert (decoded, encoding) == (wrong, "utf-8") and "UTF-8" in notes[0]  # the declaration lies
    xml = '<?xml version="1.0" encoding="gb2312"?>' + text
    assert decode_html(xml.encode("gb18030"))[:2] == (xml, "gb18030")


def test_html_rowspan_colspan_grid() -> None:
    from lxml import html as lxml_html

    table = lxml_html.fromstring(
        "<table><tr><td rowspan=2>组</td><td colspan=2>头</td><td rowspan=3>尾</td></tr>"
        "<tr><td><p>1</p><p>0</p></td><td>&nbsp;</td></tr>"
        "<tr><td>a</td><td>b<br>c</td><td colspan=99999>d</td></tr></table>")
    grid = table_grid(table)
    assert grid[0] == ["组", "头", "", "尾"]
    assert grid[1] == ["", "1 0", "", ""]  # paragraphs never glue into one number; &nbsp; → empty
    assert grid[2][:4] == ["a", "b c", "d", ""]
    assert len(grid[2]) <= 3 + 100  # a hostile colspan is clamped
    hostile = lxml_html.fromstring("<table>" + "<tr>" + "<td rowspan=1000 colspan=100>x</td>" * 50 + "</tr>" * 300
                                   + "</table>")
    start = time.perf_counter()
    rows = table_grid(hostile)
    assert max(len(r) for r in rows) <= 200 and time.perf_counter() - start < 2


def test_html_empty_or_script_only_page(tmp_path: Path) -> None:
    with pytest.raises(UnreadableError, match="网页"):
        read_document(write(tmp_path, "empty.html", b"<html><script>var a=1;</script></html>"))


# ---------------------------------------------------------------------------------------------
# .pdf
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pdf_data() -> bytes:
    return report_pdf_bytes(report_blocks())


def test_pdf_every_cell(tmp_path: Path, pdf_data: bytes) -> None:
    path = write(tmp_path, "report.pdf", pdf_data)
    doc = read_document(path)
    assert doc.format == "pdf" and doc.encoding is None and len(doc.sha256) == 64
    texts = [line.text for line in doc.lines]
    # The 申请 table is split over pages 2 and 3, with the page number between two of its rows.
    marker = texts.index("- 2 -")
    assert texts[marker - 1] == "（四）无法提供" and texts[marker + 1].startswith("1.本机关不掌握相关政府信息")
    # The long label wraps in its cell around the row's numbers.
    assert "（二）部分公开（区分处理的，只计这一" in texts
    report = parse_file(path)
    assert_cells(report)
    cell = report.cell("applications.3.4.1.natural_person")
    assert cell.value == 5 and cell.where.startswith("第3页第")
    assert report.cell("applications.3.2.total").value == 5


def test_pdf_where_is_page_and_line(tmp_path: Path, pdf_data: bytes) -> None:
    doc = read_document(write(tmp_path, "report.pdf", pdf_data))
    assert doc.lines[0].where == "第1页第1行"
    page2 = [line for line in doc.lines if line.where.startswith("第2页")]
    assert page2[0].where == "第2页第1行" and page2[-1].text == "- 2 -"


def test_pdf_owner_password_only_is_readable(tmp_path: Path, pdf_data: bytes) -> None:
    data = encrypted_pdf_bytes(pdf_data, user_password="")
    assert_cells(parse_file(write(tmp_path, "owner.pdf", data)))


def test_pdf_encrypted_refused(tmp_path: Path, pdf_data: bytes) -> None:
    with pytest.raises(UnreadableError, match="已加密"):
        read_document(write(tmp_path, "locked.pdf", encrypted_pdf_bytes(pdf_data)))


def test_pdf_scanned_refused(tmp_path: Path) -> None:
    with pytest.raises(UnreadableError, match="扫描件") as err:
        read_document(write(tmp_path, "scan.pdf", scanned_pdf_bytes()))
    assert "OCR" in str(err.value)


def test_pdf_partly_scanned_is_noted(tmp_path: Path) -> None:
    from format_builders import _text_op

    data = pdf_bytes([_text_op(60, 700, "政府信息公开工作年度报告"), "0.5 g 50 50 495 742 re f"])
    doc = read_document(write(tmp_path, "half.pdf", data))
    assert [line.text for line in doc.lines] == ["政府信息公开工作年度报告"]
    assert any("第2页" in n and "文字层" in n for n in doc.notes)


def test_pdf_broken_files_refused(tmp_path: Path, pdf_data: bytes) -> None:
    cases = {
        "garbage.pdf": os.urandom(5000),
        "header-only.pdf": b"%PDF-1.7\n" + os.urandom(5000),
        "truncated.pdf": pdf_data[: len(pdf_data) // 3],
        "page.pdf": "<html><body>404 页面不存在</body></html>".encode(),
    }
    for name, data in cases.items():
        with pytest.raises(UnreadableError) as err:
            read_document(write(tmp_path, name, data))
        assert "PDF" in str(err.value), (name, str(err.value))
    with pytest.raises(UnreadableError, match="网页"):
        read_document(write(tmp_path, "page2.pdf", cases["page.pdf"]))



def test_pdf_page_pypdf_cannot_decode_falls_back_to_pdfplumber(
        tmp_path: Path, pdf_data: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    import pypdf

    original = pypdf.PageObject.extract_text

    def flaky(self: Any, *args: Any, **kwargs: Any) -> str:
        if "- 2 -" in original(self, *args, **kwargs):
            raise ValueError("broken content stream")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(pypdf.PageObject, "extract_text", flaky)
    doc = read_document(write(tmp_path, "flaky.pdf", pdf_data))
    page2 = [line.text for line in doc.lines if line.where.startswith("第2页")]
    assert "1.属于国家秘密 0 0 0 0 0 0 0" in page2 and "- 2 -" in page2


def test_pdf_without_eof_marker_is_read_with_a_note(tmp_path: Path, pdf_data: bytes) -> None:
    doc = read_document(write(tmp_path, "cut.pdf", pdf_data[:-6]))  # "%%EOF\n" cut off
    assert any("不完整" in n for n in doc.notes)
    assert doc.lines[0].text.startswith("红旗区人民政府")


def test_docx_with_odd_content_type_is_read_from_document_xml(tmp_path: Path) -> None:
    # A Word template (.dotx content type) that python-docx refuses: the body is still read.
    data = docx_bytes(report_blocks())
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            content = src.read(info)
            if info.filename == "[Content_Types].xml":
                content = content.replace(b"document.main+xml", b"template.main+xml")
            out.writestr(info, content)
    report = parse_file(write(tmp_path, "template.docx", buf.getvalue()))
    assert_cells(report)
    assert any("word/document.xml" in n for n in report.notes)


def test_html_in_utf16_without_a_bom_is_not_read_as_gb18030(tmp_path: Path) -> None:
    """Such bytes also decode 'successfully' as GB18030 — to mojibake; the NUL pattern says UTF-16."""
    from auditlib.ingest import read_document

    page = "<html><body><h1>青山镇人民政府2024年政府信息公开工作年度报告</h1><p>一、总体情况</p></body></html>"
    path = tmp_path / "utf16.html"
    path.write_bytes(page.encode("utf-16-le"))
    doc = read_document(path)
    assert doc.encoding == "utf-16-le"
    assert any("青山镇人民政府" in line.text for line in doc.lines)
