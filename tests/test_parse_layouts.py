"""Layouts no seed shows: other values, agencies and years, blanks, padding, headings, encodings."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
from builders import LAYOUTS, build, flatten, make_tables, render, with_cell
from mutate import replace_cell

from auditlib import parse_file, parse_text
from auditlib.findings import Severity
from auditlib.model import CellStatus
from auditlib.rules import check_report
from auditlib.template import REVIEW_LITIGATION

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "examples" / "reports").glob("*.txt"))
SUM_RULES = {"APP-ROW-TOTAL", "APP-RESULT-TOTAL", "APP-BALANCE", "RL-TOTAL"}


def assert_cells(report, tables) -> None:
    want = flatten(tables)
    got = {p: report.cells[p].value for p in want}
    assert {p: (got[p], v) for p, v in want.items() if got[p] != v} == {}


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("seed", range(4))
def test_every_layout_reads_every_cell(layout: str, seed: int) -> None:
    tables = make_tables(random.Random(seed))
    report = build(tables, layout=layout, agency="淮安市清江浦区人民政府", year=2022 + seed % 3)
    assert_cells(report, tables)
    assert report.agency == "清江浦区人民政府" and report.year == 2022 + seed % 3 and report.template == "2021"
    assert not [f for f in check_report(report) if f.severity is Severity.ERROR]


BLANK_PATHS = [
    "applications.1.natural_person", "applications.1.total", "applications.3.3.2.research", "applications.3.6.3.total",
    "applications.4.natural_person", "active_disclosure.rules.issued", "active_disclosure.licensing.decisions",
    "active_disclosure.fees.amount", "review_litigation.review.upheld", "review_litigation.litigation_after_review.total",
]


# A bare empty cell vanishes from PDF text without trace: test_vanished_pdf_cell_… covers that case.
BLANK_CASES = [(layout, mark) for layout in LAYOUTS for mark in ("", "/", "—", "无") if (layout, mark) != ("pdf", "")]


@pytest.mark.parametrize(("layout", "mark"), BLANK_CASES)
@pytest.mark.parametrize("path", BLANK_PATHS)
def test_blank_cell_is_unknown_not_zero(layout: str, mark: str, path: str) -> None:
    tables = with_cell(make_tables(random.Random(3)), path, None)
    report = build(tables, layout=layout, blank=mark)
    assert report.cells[path].status is CellStatus.BLANK and report.cells[path].value is None
    assert_cells(report, tables)
    rules = {f.rule for f in check_report(report)}
    assert "CELL-BLANK" in rules
    assert ("SUM-NOT-ASSESSED" in rules) == (not path.startswith("active_disclosure"))
    assert not rules & SUM_RULES  # no sum is judged over an unknown cell


def test_vanished_pdf_cell_leaves_row_unplaced_not_shifted() -> None:
    tables = make_tables(random.Random(3))
    text = render(tables, layout="pdf")
    row = next(line for line in text.split("\n") if line.startswith("一、本年新收"))
    text = text.replace(row, row.rsplit(" ", 1)[0])  # the total vanished
    report = parse_text(text)
    statuses = {report.cells[f"applications.1.{c}"].status for c in ("natural_person", "total")}
    assert statuses == {CellStatus.UNPLACED}
    findings = check_report(report)
    assert any(f.rule == "CELL-MISSING" and "无法确定" in f.message for f in findings)
    assert not {f.rule for f in findings} & SUM_RULES


def test_full_width_digits_and_thousands_separators() -> None:
    tables = with_cell(make_tables(random.Random(5)), "active_disclosure.licensing.decisions", 6935)
    text = render(tables).replace("\t6935", "\t6,935")
    text = re.sub(r"(?<=\t)(\d+)(?=\t|$)", lambda m: m.group(1).translate(str.maketrans("0123456789", "０１２３４５６７８９")),
                  text, flags=re.M)
    assert "６" in text or "１" in text
    assert_cells(parse_text(text), tables)


@pytest.mark.parametrize("pad", ["\u00a0", "\u3000", " ", "\u00a0 "])
def test_cells_padded_with_odd_spaces(pad: str) -> None:
    tables = make_tables(random.Random(9))
    text = "\n".join("\t".join(f"{pad}{c}{pad}" if c.strip() else c for c in line.split("\t"))
                     for line in render(tables).split("\n"))
    assert_cells(parse_text(text), tables)


def test_leading_empty_cells_dropped_or_shifted() -> None:
    tables = make_tables(random.Random(11))
    shifted = "\n".join(line.lstrip("\t") if i % 2 else "\t" + line for i, line in enumerate(render(tables).split("\n")))
    assert_cells(parse_text(shifted), tables)


@pytest.mark.parametrize("prefix", ["# ", "## ", "#### ", "**", ""])
def test_headings_at_any_markdown_level_or_none(prefix: str) -> None:
    tables = make_tables(random.Random(2))
    text = render(tables, heading_prefix=prefix)
    if prefix == "**":
        text = re.sub(r"^\*\*(.+)$", r"**\1**", text, flags=re.M)
    report = parse_text(text)
    assert all(report.sections[k].present for k in "123456")
    assert_cells(report, tables)


def test_half_width_and_full_width_brackets_alike() -> None:
    tables = make_tables(random.Random(4))
    text = render(tables).replace("（", "(").replace("）", ")")
    assert_cells(parse_text(text), tables)


def test_label_typos_and_garbled_labels_are_matched_or_placed_by_order() -> None:
    tables = make_tables(random.Random(6))
    text = (render(tables).replace("其他法律行政法规禁止公开", "其他法律行政止公开")
            .replace("本机关不掌握相关政府信息", "本机关不掌捤相关政府倍息")
            .replace("属于四类过程性信息", "属于囗类过租牲信息"))
    assert_cells(parse_text(text), tables)


def test_other_disposals_printed_as_one_row() -> None:
    """The 2021 table with （六） printed as one row: kept as 3.6, 3.6.1–3.6.3 not reported missing."""
    tables = make_tables(random.Random(8))
    lines = render(tables).split("\n")
    app = tables["applications"]
    merged = {c: sum(app[k][c] for k in ("3.6.1", "3.6.2", "3.6.3")) for c in app["3.7"]}
    start = next(i for i, line in enumerate(lines) if "逾期不补正" in line)
    lines[start:start + 3] = ["\t（六）其他处理\t" + "\t".join(str(merged[c]) for c in app["3.7"])]
    report = parse_text("\n".join(lines))
    assert report.other_single_row
    assert report.to_dict()["tables"]["applications"]["3.6"] == merged
    assert "3.6.1" not in report.to_dict()["tables"]["applications"] or all(
        v is None for v in report.to_dict()["tables"]["applications"]["3.6.1"].values())
    rules = {f.rule for f in check_report(report)}
    assert "TEMPLATE-OUTDATED" in rules
    assert not rules & (SUM_RULES | {"CELL-MISSING"})


def test_eight_column_variant_drops_the_subtotal_by_its_sum() -> None:
    tables = make_tables(random.Random(12))
    lines = []
    for line in render(tables).split("\n"):
        cells = line.split("\t")
        labelled = any(re.search(r"[\u4e00-\u9fff]", c) for c in cells[:3])
        if labelled and len(cells) >= 9 and all(re.fullmatch(r"\d+", c) for c in cells[-7:]):
            nums = [int(c) for c in cells[-7:]]
            cells = cells[:-7] + [str(n) for n in nums[:6]] + [str(sum(nums[1:6])), str(nums[6])]
        lines.append("\t".join(cells))
    assert sum("\t" in line and line.count("\t") >= 9 for line in lines) >= 20  # the rows did get 8 columns
    assert_cells(parse_text("\n".join(lines)), tables)


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.stem[:3])
def test_planted_values_in_real_layouts(seed: Path) -> None:
    """Every tenth cell of a real report, replaced by a number, a blank or a negative, reads back as printed."""
    text = seed.read_text(encoding="utf-8")
    base = parse_text(text, str(seed))
    rng = random.Random(seed.stem)
    for path in list(base.cells)[rng.randrange(10)::10]:
        for new, status in (("12", CellStatus.OK), ("/", CellStatus.BLANK), ("-3", CellStatus.INVALID), ("—", CellStatus.BLANK)):
            report = parse_text(replace_cell(text, base, path, new), str(seed))
            assert report.cells[path].status is status, (path, new)
            if new == "12":
                assert report.cells[path].value == 12
            changed = [p for p in base.cells if p != path and report.cells[p].value != base.cells[p].value]
            assert changed == [], (path, new)


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.stem[:3])
def test_bare_empty_cells_in_real_layouts(seed: Path) -> None:
    """A cell printed as nothing at all. Where a shifted all-zero row reads two ways (the empty cell
    first or last), the blank may land on the other end of its row: it never leaves the row, nothing
    else moves, and no sum is judged over it."""
    text = seed.read_text(encoding="utf-8")
    base = parse_text(text, str(seed))
    exact = 0
    paths = list(base.cells)
    for path in paths[random.Random(seed.stem).randrange(5)::5]:
        report = parse_text(replace_cell(text, base, path, ""), str(seed))
        row = path.rsplit(".", 1)[0] + "."
        blanks = [p for p, c in report.cells.items() if c.status is CellStatus.BLANK]
        assert len(blanks) == 1 and blanks[0].startswith(row), (path, blanks)
        exact += blanks[0] == path
        assert [p for p in base.cells if not p.startswith(row) and report.cells[p].value != base.cells[p].value] == []
        assert not {f.rule for f in check_report(report) if f.severity is Severity.ERROR}
    assert exact >= len(paths[::5]) - 2


def test_planted_arithmetic_error_in_a_real_layout_is_found() -> None:
    seed = ROOT / "examples/reports/003_4ea7538dec090386.txt"
    text = seed.read_text(encoding="utf-8")
    base = parse_text(text, str(seed))
    report = parse_text(replace_cell(text, base, "applications.3.1.natural_person", "7"))
    rules = {f.rule for f in check_report(report)}
    assert {"APP-ROW-TOTAL", "APP-RESULT-TOTAL"} <= rules


def test_other_agencies_and_years_in_seed_layouts() -> None:
    for seed in SEEDS:
        text = seed.read_text(encoding="utf-8")
        report = parse_file(seed)
        name = report.agency.removesuffix("人民政府")
        other = text.replace(name, "青龙湾街道").replace("2024", "2022").replace("郟县", "")
        again = parse_text(other)
        assert again.year == 2022
        assert again.agency in ("青龙湾街道人民政府", "青龙湾街道办事处"), (seed.stem, again.agency)


def test_review_table_printed_with_every_cell_empty_is_blank_not_missing() -> None:
    lines = render(make_tables(random.Random(1))).split("\n")
    value_row = max(i for i, line in enumerate(lines) if line.count("\t") == 14)
    lines[value_row] = "\t" * 14
    report = parse_text("\n".join(lines))
    assert {report.cells[p].status for p in report.cells if p.startswith("review_litigation.")} == {CellStatus.BLANK}
    assert "CELL-MISSING" not in {f.rule for f in check_report(report)}


def _review_table_as(style: str, rl: dict[str, dict[str, int]]) -> list[str]:
    """Table 四 as three labelled rows of five (行政复议, then the two kinds of 行政诉讼), as some agencies
    print it to fit a portrait page, instead of the template's one row of fifteen."""
    columns = REVIEW_LITIGATION.columns
    labels = {"review": "行政复议", "litigation_direct": "行政诉讼（未经复议直接起诉）",
              "litigation_after_review": "行政诉讼（复议后起诉）"}
    rows = [["类别", *(c.label for c in columns)]] + [[labels[key], *(str(rl[key][c.key]) for c in columns)]
                                                     for key in labels]
    if style == "pipes":
        return ["| " + " | ".join(rows[0]) + " |", "|---|---|---|---|---|---|"] + ["| " + " | ".join(r) + " |" for r in rows[1:]]
    if style == "cells":
        return [line for r in rows for line in [*(f"\t{c}" for c in r), ""]]
    return [(" " if style == "pdf" else "\t").join(r) for r in rows]


@pytest.mark.parametrize("layout", LAYOUTS)
def test_review_table_printed_as_three_labelled_rows_is_read_by_row(layout: str) -> None:
    tables = make_tables(random.Random(7))
    rl = tables["review_litigation"]
    lines = render(tables, layout=layout).split("\n")
    start, end = lines.index("四、政府信息公开行政复议、行政诉讼情况"), lines.index("五、存在的主要问题及改进情况")
    report = parse_text("\n".join(lines[:start + 1] + _review_table_as(layout, rl) + [""] + lines[end:]))
    assert_cells(report, {"review_litigation": rl})
    # One cell per line, the numbers run in the template's order of fifteen: read as that row, no note.
    assert any("三行各五列" in n for n in report.notes) is (layout != "cells")
    assert not {f.rule for f in check_report(report)} & {"CELL-MISSING", "RL-TOTAL"}
    wrong = with_cell(tables, "review_litigation.litigation_direct.total", rl["litigation_direct"]["total"] + 1)
    lines[start + 1:end] = _review_table_as(layout, wrong["review_litigation"]) + [""]
    found = [f for f in check_report(parse_text("\n".join(lines))) if f.rule == "RL-TOTAL"]
    assert len(found) == 1 and "review_litigation.litigation_direct.total" in found[0].cells


def test_review_table_by_rows_keeps_what_it_decided_about_glued_numbers() -> None:
    """A row of 行政复议 printed with its five digits run together (31015) is split by its own sum, and
    the note saying so is kept with the reading by rows."""
    tables = make_tables(random.Random(7))
    review = dict(zip([c.key for c in REVIEW_LITIGATION.columns], (3, 1, 0, 1, 5), strict=True))
    rl = {**tables["review_litigation"], "review": review}
    lines = render(tables).split("\n")
    start, end = lines.index("四、政府信息公开行政复议、行政诉讼情况"), lines.index("五、存在的主要问题及改进情况")
    table = _review_table_as("tabs", rl)
    table[1] = "行政复议\t31015"
    report = parse_text("\n".join(lines[:start + 1] + table + [""] + lines[end:]))
    assert [report.cells[f"review_litigation.review.{c.key}"].value for c in REVIEW_LITIGATION.columns] == [3, 1, 0, 1, 5]
    assert any("31015" in n for n in report.notes) and any("三行各五列" in n for n in report.notes)


def test_review_table_row_of_fifteen_after_a_stub_label_is_read() -> None:
    """`数量` (or 件数) printed in a stub cell before the fifteen numbers names no header: still the row."""
    tables = make_tables(random.Random(8))
    lines = render(tables).split("\n")
    value_row = max(i for i, line in enumerate(lines) if line.count("\t") == 14)
    lines[value_row] = "数量\t" + lines[value_row]
    assert_cells(parse_text("\n".join(lines)), {"review_litigation": tables["review_litigation"]})


_PREFACE = "本年度报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）的要求编制，全文包括总体情况等六部分。"


def test_a_preface_sentence_is_no_title_and_names_no_agency() -> None:
    """A page whose title was lost (kept only in the browser's <title>, or dropped by a converter) opens with
    the preface sentence, which names the 报告 too: it is not taken for the title, nor its words for the agency."""
    report = parse_text(render(make_tables(random.Random(3)), title=_PREFACE))
    assert (report.title, report.agency) == ("", None)
    assert "TITLE-FORM" in {f.rule for f in check_report(report)}
    titled = parse_text(render(make_tables(random.Random(3)), title=_PREFACE + "\n\n青山镇人民政府2024年政府信息公开工作年度报告"))
    assert (titled.agency, titled.year) == ("青山镇人民政府", 2024)


@pytest.mark.parametrize(
    ("title", "agency", "year"),
    [
        ("青山镇人民政府2024年政府信息公开工作年度报告", "青山镇人民政府", 2024),
        ("某某县青山镇人民政府 2023 年度政府信息公开工作年度 报告", "青山镇人民政府", 2023),
        ("2022年青山镇政府信息公开工作年度报告", "青山镇人民政府", 2022),
        ("青山镇人民政府关于2024年度政府信息公开工作年度报告", "青山镇人民政府", 2024),
        ("青山镇人民政府二〇二一年政府信息公开工作年度报告", "青山镇人民政府", 2021),
        ("# 淮安市生态环境局2024年政府信息公开工作年度报告", "淮安市生态环境局", 2024),
    ],
)
def test_agency_and_year_from_title(title: str, agency: str, year: int) -> None:
    report = parse_text(render(make_tables(), title=title, year=year))
    assert (report.agency, report.year) == (agency, year)


@pytest.mark.parametrize(
    ("name", "normalised"),
    [("淮安市洪泽区人民政府", "洪泽区人民政府"), ("青岛市市南区人民政府", "市南区人民政府"),
     ("广西壮族自治区南宁市人民政府", "南宁市人民政府"), ("北京市东城区东华门街道办事处", "东华门街道办事处"),
     ("江苏省淮安市生态环境局", "淮安市生态环境局"), ("国家统计局", "国家统计局"), ("淮安市人民政府", "淮安市人民政府")],
)
def test_agency_keeps_the_innermost_administrative_unit(name: str, normalised: str) -> None:
    from auditlib.agency import normalize_agency

    assert normalize_agency(name) == normalised


@pytest.mark.parametrize(
    ("old", "new"),
    [("一、总体情况", "第一部分 总体情况"), ("五、存在的主要问题及改进情况", "五 存在的主要问题及改进情况"),
     ("三、收到和处理政府信息公开申请情况", "三．收到和处理政府信息公开申请情况"), ("六、其他需要报告的事项", "**六、其他需要报告的事项**")],
)
def test_heading_spellings(old: str, new: str) -> None:
    tables = make_tables(random.Random(14))
    report = parse_text(render(tables).replace(old, new))
    assert all(report.sections[k].present for k in "123456")
    assert_cells(report, tables)


@pytest.mark.parametrize("number", ["{i}、", "{i}.", "{i}. ", "{i}．", "（{n}）", "({n})"])
def test_headings_numbered_as_items(number: str) -> None:
    """`1、总体情况` or `（一）总体情况` … for all six headings; the table's numbered rows (1.属于国家秘密) stay rows."""
    tables = make_tables(random.Random(14))
    text = render(tables)
    for i, numeral in enumerate("一二三四五六", 1):
        text = text.replace(f"\n{numeral}、", "\n" + number.format(i=i, n=numeral))
    report = parse_text(text)
    assert all(report.sections[k].present for k in "123456")
    title = report.sections["4"].title
    assert title is not None and title.endswith("政府信息公开行政复议、行政诉讼情况")
    assert_cells(report, tables)


def test_an_item_numbered_like_a_heading_does_not_displace_it() -> None:
    from builders import NARRATIVE

    tables = make_tables(random.Random(15))
    report = build(tables, narrative={**NARRATIVE, "1": ["2、主动公开情况", "（二）主动公开政府信息情况", *NARRATIVE["1"]]})
    assert report.sections["2"].title == "二、主动公开政府信息情况"
    assert "2、主动公开情况" in report.sections["1"].text and "（二）主动公开政府信息情况" in report.sections["1"].text
    assert_cells(report, tables)


@pytest.mark.parametrize("sentence", ["行政复议和行政诉讼均为0。", "行政复议", "其他事项", "主动公开政府信息情况"])
def test_a_sentence_that_starts_like_a_heading_hides_no_section(sentence: str) -> None:
    from builders import NARRATIVE

    tables = make_tables(random.Random(15))
    report = build(tables, narrative={**NARRATIVE, "1": [sentence, *NARRATIVE["1"]]})
    assert all(report.sections[k].present for k in "123456")
    assert_cells(report, tables)


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.stem[:3])
def test_a_deleted_heading_is_reported_and_no_cell_is_lost(seed: Path) -> None:
    text = seed.read_text(encoding="utf-8")
    base = parse_text(text)
    lines = text.split("\n")
    for key in "123456":
        n = base.sections[key].line
        assert n is not None
        report = parse_text("\n".join(lines[: n - 1] + lines[n:]))
        assert [k for k, s in report.sections.items() if not s.present] == [key]
        assert [p for p in base.cells if report.cells[p].value != base.cells[p].value] == []
        assert any(f.rule == "SECTION-MISSING" and f.cells == (f"section.{key}",) for f in check_report(report))


def test_numbers_printed_above_their_labels() -> None:
    """PDF text (pdfplumber's, for one) may put a row's numbers on the line above a vertically centred
    label, and a group label (（五）不予处理) in a merged cell on a line of its own."""
    tables = make_tables(random.Random(16))
    app = tables["applications"]
    lines = render(tables, layout="pdf").split("\n")
    for key, group in (("3.3.1", ""), ("3.4.2", ""), ("3.5.4", "（五）不予处理")):
        i = next(n for n, line in enumerate(lines) if line.startswith(_item_label(key)))
        numbers = " ".join(str(app[key][c]) for c in app[key])
        lines[i:i + 1] = ([group] if group else []) + [numbers, _item_label(key)]
    report = parse_text("\n".join(lines))
    assert_cells(report, tables)


def _item_label(key: str) -> str:
    from auditlib.template import APPLICATIONS

    return APPLICATIONS.row(key).label.split(" ", 1)[1]


def test_a_stray_enumeration_comma_is_label_text_not_a_blank_cell() -> None:
    from auditlib.parse.tokens import Kind, analyse

    parts = analyse("、 2.其他法律行政止公开 0 0 0 0 0 0 0")
    assert "其他法律行政止公开" in parts.label
    assert [t.kind for t in parts.values] == [Kind.VALUE] * 7


def test_one_small_table_per_row_as_converters_write_them() -> None:
    """Some converters print every row as its own Markdown table under a heading naming the row,
    with a generic header (类别 | 数据1 … 数据6 | 总计), and the review table as three labelled tables."""
    from auditlib.template import APPLICATIONS, REVIEW_LITIGATION

    tables = make_tables(random.Random(17))
    app, rl = tables["applications"], tables["review_litigation"]
    text = render(tables, layout="pipes")
    head, rest = text.split("三、收到和处理政府信息公开申请情况", 1)
    tail = rest[rest.index("五、存在的主要问题"):]
    lines = ["三、收到和处理政府信息公开申请情况", ""]
    for row in APPLICATIONS.rows:
        label = row.label.split(" ", 1)[-1]
        lines += [f"### {row.label.split(' ')[0]}", "| 类别 | 数据1 | 数据2 | 数据3 | 数据4 | 数据5 | 数据6 | 总计 |",
                  "|---|---|---|---|---|---|---|---|", "| " + " | ".join([label, *(str(v) for v in app[row.key].values())]) + " |", ""]
    lines += ["四、政府信息公开行政复议、行政诉讼情况", ""]
    for row in REVIEW_LITIGATION.rows:
        lines += [f"### {row.name}", "| 结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 |", "|---|---|---|---|---|",
                  "| " + " | ".join(str(v) for v in rl[row.key].values()) + " |", ""]
    report = parse_text(head + "\n".join(lines) + "\n" + tail)
    assert_cells(report, tables)
    assert not [f for f in check_report(report) if f.severity is Severity.ERROR]


def test_a_label_glued_to_its_number_is_split_but_a_numbered_header_is_not() -> None:
    from auditlib.parse.tokens import Kind, analyse

    glued = analyse("行政许可6935")
    assert glued.label == "行政许可" and [t.value for t in glued.values] == [6935]
    header = analyse("| 类别 | 数据1 | 数据2 | 数据3 | 数据4 | 数据5 | 数据6 | 总计 |")
    assert not header.has_values and all(t.kind is Kind.EMPTY for t in header.values)
