"""Reports as they arrive as text (issue 12): crawled pages with one-line bodies and glued cells.

The real reports (tests/real/: two texts, three PDFs as the agencies published them) are read against
their hand-labelled truth: no cell wrong, no error the truth does not allow, every error it requires.
The built cases plant each layout.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from builders import flatten, make_tables, render, with_cell
from real_truth import REAL, score

from auditlib.audit import check_report
from auditlib.model import CellStatus
from auditlib.parse import parse_file, parse_text
from auditlib.parse.glued import glued_splits, resolve
from auditlib.parse.tokens import Kind, Token

HEADER = ("标题: 青山镇人民政府2024年政府信息公开工作年度报告\n发布时间: 2025-01-20 09:00\n文号: \n"
          "栏目: 政府信息公开年报\n原文链接: https://example.gov.cn/x.htm\n==================== 正文 ====================\n"
          "当前位置： 首页政务公开年报 青山镇人民政府2024年政府信息公开工作年度报告 来源：青山镇 "
          "时间：2025-01-20 微信 微博 QQ空间 全真版 文字版 文件下载 相关链接： --> ")


def crawled(tables: dict, sep: str = "") -> str:
    """The report as a crawler saves it: header, breadcrumb, and the whole body on one line with
    the table cells printed `sep`-separated (glued when sep is empty)."""
    lines = render(tables).split("\n")[2:]  # the body; the title comes from the header
    body = "".join(line.replace("\t", sep) for line in lines if line.strip())
    return HEADER + body + " 附件下载\n"


@pytest.mark.parametrize("name", ["pingtan-2021", "kewei-2024"])
def test_real_text_report_cells_are_right_or_unknown(name: str) -> None:
    result, truth = score(name)
    assert result.wrong == []
    assert result.year == truth["year"]
    assert result.unknown == [] and result.false_errors == []


@pytest.mark.parametrize("name", ["hongze-2023", "hongze-2024", "huaian-2024"])
def test_real_pdf_report_gives_every_value_and_the_findings_it_must(name: str) -> None:
    """The agencies' own PDFs: every labelled cell read as printed, the errors the truth requires found."""
    result, truth = score(name)
    assert result.wrong == [] and result.unknown == []
    assert (result.agency, result.year) == (truth["agency"], truth["year"])
    assert {rule for rule, _ in result.false_errors} <= set(truth["must"])
    assert set(truth["must"]) <= result.rules


@pytest.mark.parametrize("text", sorted((REAL / "extracted").glob("*.txt")), ids=lambda p: p.name)
def test_text_other_tools_extract_from_the_real_pdfs_reads_the_same(text: Path) -> None:
    """The PDFs' text as pdfplumber (plain and layout) and pypdf's layout mode give it, as an inspector
    might paste it: pdfplumber prints a row's numbers above its wrapped label (（五）不予处理 / 0 0 0 /
    4.无正当理由大量反复 / 申请 / 5.要求…), which is not a stack of labels."""
    result, truth = score(text.name.split(".")[0], text)
    assert result.wrong == [] and result.unknown == []
    assert {rule for rule, _ in result.false_errors} <= set(truth["must"])
    assert set(truth["must"]) <= result.rules


def test_crawled_page_reads_header_sections_and_glued_cells() -> None:
    tables = make_tables(zero=True)
    report = parse_text(crawled(tables))
    assert report.agency == "青山镇人民政府" and report.year == 2024
    assert all(report.sections[k].present for k in "123456")
    assert "当前位置" not in report.preamble and "附件下载" not in report.sections["6"].text
    for path, want in flatten(tables).items():
        assert report.cells[path].value == want, path
    assert not [f for f in check_report(report) if f.severity == "error"]


def test_crawled_page_with_random_values_never_guesses() -> None:
    tables = make_tables(random.Random(5))
    report = parse_text(crawled(tables))
    values = flatten(tables)
    right = [p for p, v in values.items() if report.cells[p].value == v]
    wrong = [p for p, v in values.items() if report.cells[p].value not in (None, v)]
    assert wrong == []
    assert len(right) > len(values) * 0.8


def test_glued_row_with_two_valid_splits_is_unknown_with_candidates() -> None:
    tokens = [Token(Kind.VALUE, "110000011", 110000011)]
    splits = glued_splits(tokens, 7, lambda v: sum(v[:6]) == v[6])
    readings = {tuple(t.raw for t in s) for s in splits}
    assert readings == {("1", "10", "0", "0", "0", "0", "11"), ("11", "0", "0", "0", "0", "0", "11")}
    assert resolve({"1": splits}, {}, None) == {}
    tables = with_cell(make_tables(zero=True), "active_disclosure.normative_documents.issued", 69)
    tables = with_cell(tables, "active_disclosure.normative_documents.repealed", 3)
    tables = with_cell(tables, "active_disclosure.normative_documents.in_force", 665)
    report = parse_text(crawled(tables))
    cell = report.cells["active_disclosure.normative_documents.issued"]
    assert cell.value is None and cell.status is CellStatus.AMBIGUOUS and "6、93、665" in cell.readings
    assert any("693665" in n and "6、93、665" in n and "按未知处理" in n for n in report.notes)
    findings = [(f.rule, f.message) for f in check_report(report) if f.rule in ("GLUED-AMBIGUOUS", "CELL-MISSING")]
    assert findings == [("GLUED-AMBIGUOUS", "「行政规范性文件」行数字粘连（原文：行政规范性文件693665），本行没有合计关系可供核对，"
                                            "10 种拆分无从取舍：6、9、3665；6、93、665；6、936、65；6、9366、5……，未予采用，按未知处理")]


def test_glued_review_row_with_two_splits_lists_both_readings_and_is_not_missing() -> None:
    tables = make_tables(zero=True)
    for path, value in (("upheld", 1), ("corrected", 10), ("total", 11)):
        tables = with_cell(tables, f"review_litigation.review.{path}", value)
    report = parse_text(crawled(tables))
    assert {report.cells[p].status for p in report.cells if p.startswith("review_litigation.")} == {CellStatus.AMBIGUOUS}
    found = [f for f in check_report(report) if f.rule in ("GLUED-AMBIGUOUS", "CELL-MISSING")]
    assert [(f.rule, f.severity, len(f.cells)) for f in found] == [("GLUED-AMBIGUOUS", "info", 15)]
    assert "有 2 种拆分均符合表内合计：1、10、0、0、11、0、0、0、0、0、0、0、0、0、0；11、0、0、0、11、" in found[0].message
    twin = parse_text(crawled(tables, sep=" "))  # printed with separators: read as printed, nothing to flag
    assert twin.cells["review_litigation.review.corrected"].value == 10
    assert not [f for f in check_report(twin) if f.rule in ("GLUED-AMBIGUOUS", "CELL-MISSING")]


def test_pdf_row_short_of_an_empty_cell_is_unknown_never_split() -> None:
    """PDF text prints nothing for an empty cell: `0 3 0 0 0 14` for seven columns. Reading `14` as 1 and
    4 fits the row's sum (0+3+0+0+0+1 = 4) but invents two cells (seen in the national template filled
    in Word, left with an empty cell and saved as PDF). The row stays unknown; so does table 四 printed
    with 14 numbers, where `18` read as 1 and 8 would fit its group."""
    tables = make_tables(zero=True)
    for path, value in (("natural_person", None), ("research", 3), ("total", 14)):
        tables = with_cell(tables, f"applications.3.3.6.{path}", value)
    for path, value in (("upheld", 1), ("corrected", 3), ("other", None), ("pending", 3), ("total", 18)):
        tables = with_cell(tables, f"review_litigation.litigation_after_review.{path}", value)
    report = parse_text(render(tables, layout="pdf"))
    cells = [c for p, c in report.cells.items() if p.startswith(("applications.3.3.6.", "review_litigation."))]
    assert len(cells) == 22 and {c.value for c in cells} == {None}
    assert {c.status for c in cells} == {CellStatus.UNPLACED}
    assert not any("连写" in n for n in report.notes)


def test_printed_arithmetic_error_is_not_repaired_by_the_splitter() -> None:
    tables = with_cell(make_tables(random.Random(5)), "applications.1.total", 999)
    report = parse_text(crawled(tables, sep=" "))
    assert report.cells["applications.1.total"].value == 999
    rules = {(f.rule, tuple(f.cells)) for f in check_report(report)}
    assert any(rule == "APP-ROW-TOTAL" and "applications.1.total" in cells for rule, cells in rules)
    glued = parse_text(crawled(tables))  # glued, no split adds up: unknown, not invented
    assert glued.cells["applications.1.total"].value in (None, 999)
    assert any("没有满足" in n or "按未知处理" in n for n in glued.notes) or glued.cells["applications.1.total"].value == 999


@pytest.mark.parametrize("title", [
    "江州市住房和城乡建设局2024年政府信息公开工作年度报告",
    "2024年江州市住房和城乡建设局政府信息公开工作年度报告",
    "2024 年江州市住房和城乡建设局政府信息公开工作\n年度报告",
    "2024年度江州市住房和城乡建设局\n政府信息公开工作年度报告",
    "江州市住房和城乡建设局2024年政府信息\n公开工作年度报告",
    "正文\n2024 年江州市住房和城乡建设局政府信息公开工作\n年度报告",
])
def test_title_year_first_and_wrapped_keeps_the_agency_region(title: str) -> None:
    report = parse_text(render(make_tables(), agency="江州市住房和城乡建设局", title=title))
    assert (report.agency, report.year, report.title_year) == ("江州市住房和城乡建设局", 2024, 2024)
    assert report.title == "".join(title.removeprefix("正文\n").split())  # a wrapped title is joined


@pytest.mark.parametrize("name", ["pingtan-2021", "kewei-2024"])
def test_real_text_report_agency_and_year(name: str) -> None:
    result, truth = score(name)
    assert (result.agency, result.year) == (truth["agency"], truth["year"])


def test_crawled_cells_quote_their_own_piece_and_keep_the_line_number() -> None:
    tables = with_cell(make_tables(zero=True), "applications.1.natural_person", 7)
    tables = with_cell(tables, "applications.1.total", 7)
    text = crawled(tables, sep=" ")
    report = parse_text(text)
    body_line = next(i for i, line in enumerate(text.split("\n"), 1) if len(line) > 600)
    first = report.cells["applications.1.total"]
    assert first.value == 7 and first.lines == (body_line,)
    assert first.source.startswith("一、本年新收") and "7" in first.source and len(first.source) < 80
    fee = report.cells["active_disclosure.fees.amount"]
    assert "行政事业性收费" in fee.source and "本年新收" not in fee.source
    review = report.cells["review_litigation.review.total"]
    assert review.lines == (body_line,) and len(review.source) < 120 and "处理费" not in review.source


def test_the_region_is_what_the_printed_name_prefixes() -> None:
    """`淮安市洪泽区人民政府` is 洪泽区人民政府 in 淮安市: the overview tells same-name agencies apart by it."""
    examples = REAL.parent.parent / "examples" / "reports"
    read = {name: parse_file(path) for name, path in [
        ("hongze", REAL / "hongze-2024.pdf"), ("huaian", REAL / "huaian-2024.pdf"),
        ("wangji", examples / "004_d65aec0ee04b8f9a.txt"), ("kewei", REAL / "kewei-2024.md")]}
    assert {k: (r.agency, r.extra.get("region")) for k, r in read.items()} == {
        "hongze": ("洪泽区人民政府", "淮安市"), "huaian": ("淮安市人民政府", None),
        "wangji": ("王集乡人民政府", "郟县"), "kewei": ("上海市科委", None)}
    assert {k: r.to_dict(provenance=False)["region"] for k, r in read.items()} == {  # parse --json prints it
        "hongze": "淮安市", "huaian": None, "wangji": "郟县", "kewei": None}
