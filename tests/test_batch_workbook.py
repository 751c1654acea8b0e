"""findings.xlsx as an inspector hands it on (issue 10), read back with openpyxl from a real batch:
frozen header, widths, wrapped text, filter, rule short names, cells in the template's words, relative
links to the pages, one column per rubric item, worst findings first, times without the ISO T.
"""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path
from typing import Any

import polars as pl
import pytest
import xlsxwriter
from conftest import SEEDS
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from auditlib.audit import audit_file
from auditlib.batch import run_batch, workbook
from auditlib.batch.workbook import (
    CELLS_SHOWN,
    FIT_MAX,
    Column,
    cells_text,
    lines_text,
    sort_findings,
    write_sheet,
)
from auditlib.findings import SEVERITY_ORDER
from auditlib.review import Status, annotate_findings_xlsx, finding_key, import_review_xlsx, open_store
from auditlib.rules.registry import REGISTRY
from auditlib.score import load_rubric
from auditlib.template import path_label

ZUOLONG, LIUJIATA, HONGQI = SEEDS[1], SEEDS[2], SEEDS[3]
ISO_T = re.compile(r"\d{4}-\d{2}-\d{2}T\d")


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three seeds and an empty file (UNREADABLE, an error) through the batch; 佐龙镇's TITLE-FORM dismissed."""
    base = tmp_path_factory.mktemp("workbook")
    (base / "in").mkdir()
    for seed in (ZUOLONG, LIUJIATA, HONGQI):
        shutil.copy(seed, base / "in" / seed.name)
    (base / "in" / "empty.txt").write_bytes(b"")
    out = base / "run"
    out.mkdir()
    title = next(f for f in audit_file(base / "in" / ZUOLONG.name).findings if f.rule == "TITLE-FORM")
    with open_store(out) as store:
        store.set_decision(finding_key(title), Status.DISMISSED, "县里统一的标题写法", "张三", finding=title)
    assert run_batch([base / "in"], out, workers=1, progress=False).failed == 0
    return out


def _sheet(path: Path, name: str) -> tuple[Any, list[str], list[tuple[Any, ...]]]:
    sheet = load_workbook(path)[name]
    rows = list(sheet.iter_rows(values_only=True))
    return sheet, [str(h) for h in rows[0]], rows[1:]


def _column(header: list[str], title: str) -> str:
    return get_column_letter(header.index(title) + 1)


def test_both_sheets_freeze_the_header_row_and_filter(out: Path) -> None:
    book = load_workbook(out / "findings.xlsx")
    for name in ("问题清单", "评分"):
        sheet = book[name]
        assert sheet.freeze_panes == "A2", name
        [table] = sheet.tables.values()
        assert table.autoFilter is not None and table.autoFilter.ref == table.ref == sheet.dimensions, name
        assert all(c.font.bold for c in sheet[1]), name


def test_widths_fit_and_long_text_wraps(out: Path) -> None:
    sheet, header, rows = _sheet(out / "findings.xlsx", "问题清单")
    width = {h: sheet.column_dimensions[_column(header, h)].width for h in header}
    assert 55 <= width["问题说明"] <= 65 and 35 <= width["涉及单元格"] <= 45
    longest = max(len(str(r[header.index("机关")])) for r in rows)  # 机关 fits its longest name, CJK counted twice
    assert 2 * longest <= width["机关"] <= FIT_MAX + 1
    assert width["级别"] < 10 and width["年度"] < 10
    assert sheet.column_dimensions[_column(header, "单元格编号")].hidden
    assert not sheet.column_dimensions[_column(header, "问题说明")].hidden
    for title, wraps in (("问题说明", True), ("涉及单元格", True), ("复核意见", True), ("机关", False), ("规则", False)):
        cells = sheet[_column(header, title)][1:]
        assert {bool(c.alignment.wrap_text) for c in cells} == {wraps}, title
    years = sheet[_column(header, "年度")][1:]
    assert {c.number_format for c in years} == {"0"}  # 2024, not 2,024


def test_rules_by_short_name_then_id(out: Path) -> None:
    _, header, rows = _sheet(out / "findings.xlsx", "问题清单")
    assert header.index("规则名称") + 1 == header.index("规则")
    for r in rows:
        rule = r[header.index("规则")]
        assert r[header.index("规则名称")] == REGISTRY[rule].name and REGISTRY[rule].name
    assert ("无法读取", "UNREADABLE") in {(r[header.index("规则名称")], r[header.index("规则")]) for r in rows}


def test_cells_are_named_as_the_template_names_them(out: Path) -> None:
    _, header, rows = _sheet(out / "findings.xlsx", "问题清单")
    parquet = pl.read_parquet(out / "findings.parquet")
    labels = [str(r[header.index("涉及单元格")] or "") for r in rows]
    assert not [t for t in labels if re.search(r"applications\.|review_litigation|active_disclosure|section\.", t)]
    assert max(len(t) for t in labels) < 400  # was 5,098 characters of keys
    by_rule = {(r[header.index("机关")], r[header.index("规则")], r[header.index("问题说明")]): t
               for r, t in zip(rows, labels, strict=True)}
    zero = by_rule[("佐龙镇人民政府", "TABLE-ALL-ZERO", "「收到和处理政府信息公开申请情况表」全部为0，请核实是否如实填报")]
    assert zero.startswith("本年新收·自然人；本年新收·商业企业") and zero.endswith(" 等 175 项")
    assert zero.count("；") == CELLS_SHOWN - 1
    fee = next(t for (a, rule, _), t in by_rule.items() if a == "刘家塔镇人民政府" and rule == "FEE-NOT-REPORTED")
    assert fee == "六、其他需要报告的事项"  # one cell: listed whole, no 「等」
    # the paths stay in the hidden column, so a row keeps its key when 复核编号 is cleared
    assert sorted(str(r[header.index("单元格编号")] or "") for r in rows) == sorted(
        ";".join(c) for c in parquet["cells"].to_list())


def test_pages_are_relative_links_that_survive_a_move(out: Path, tmp_path: Path) -> None:
    moved = tmp_path / "elsewhere" / "run"
    shutil.copytree(out, moved)
    for name, title in (("问题清单", "审核页面"), ("评分", "审核页面")):
        sheet, header, rows = _sheet(moved / "findings.xlsx", name)
        cells = sheet[_column(header, title)][1:]
        assert len(cells) == len(rows) > 0
        for cell in cells:
            target = cell.hyperlink.target
            assert not Path(target).is_absolute() and ":" not in target and str(out) not in target
            assert (moved / target.replace("\\", "/")).is_file(), target
            assert cell.value == target.replace("\\", "/")
        assert all(c.hyperlink is None for c in sheet[_column(header, "报告文件")][1:])  # a path, not a link


def test_the_score_sheet_has_one_column_per_rubric_item(out: Path) -> None:
    _, header, rows = _sheet(out / "findings.xlsx", "评分")
    rubric = load_rubric()
    items = [f"{i.name}（{i.points:g}分）" for i in rubric.items]
    assert header[:5] == ["名次", "机关", "年度", "得分", "等级"] and header[5:5 + len(items)] == items
    assert "扣分" not in header
    by_agency = {r[1]: dict(zip(header, r, strict=True)) for r in rows}
    liujiata = by_agency["刘家塔镇人民政府"]
    assert (liujiata["格式规范（15分）"], liujiata["问题整改与原创（15分）"], liujiata["信息处理费（5分）"]) == (-5, -4, -5)
    assert liujiata["表格勾稽（25分）"] == 0
    assert by_agency["佐龙镇人民政府"]["格式规范（15分）"] == 0  # its TITLE-FORM was dismissed
    for r in by_agency.values():
        if not str(r["等级封顶"] or "").startswith("−"):  # no cap took points: the items add up to the score
            assert rubric.total + sum(r[i] for i in items) == r["得分"], r["机关"]


def test_rows_run_worst_first_then_by_agency_and_rule(out: Path) -> None:
    _, header, rows = _sheet(out / "findings.xlsx", "问题清单")
    labels = {"错误": 0, "警告": 1, "提示": 2}
    keys = [(labels[r[header.index("级别")]], r[header.index("机关")] or "\U0010ffff", r[header.index("规则")])
            for r in rows]
    assert keys == sorted(keys) and len({k[0] for k in keys}) == 3
    with (out / "findings.csv").open(encoding="utf-8-sig") as f:
        listed = [(r["agency"], r["rule"], r["message"]) for r in csv.DictReader(f)]
    assert listed == [(r[header.index("机关")] or "", r[header.index("规则")], r[header.index("问题说明")]) for r in rows]


def test_times_are_printed_without_t(out: Path) -> None:
    book = load_workbook(out / "findings.xlsx")
    texts = [str(c.value) for s in book.worksheets for row in s.iter_rows() for c in row if c.value is not None]
    texts += (out / "findings.csv").read_text(encoding="utf-8-sig").splitlines()
    texts += (out / "scores.csv").read_text(encoding="utf-8-sig").splitlines()
    assert not [t for t in texts if ISO_T.search(t)]
    _, header, rows = _sheet(out / "findings.xlsx", "问题清单")
    [at] = [r[header.index("复核时间")] for r in rows if r[header.index("复核结论")] == "排除（误报）"]
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}", at)
    assert {r[header.index("复核时间")] for r in rows if r[header.index("复核结论")] == "待复核"} == {None}


def test_review_export_keeps_the_layout_and_import_finds_each_row(out: Path, tmp_path: Path) -> None:
    path = tmp_path / "findings.xlsx"
    shutil.copy(out / "findings.xlsx", path)
    with open_store(out) as store:
        annotate_findings_xlsx(path, store)
    sheet, header, rows = _sheet(path, "问题清单")
    assert sheet.freeze_panes == "A2" and sheet[_column(header, "审核页面")][1].hyperlink is not None
    row = next(i for i, r in enumerate(rows, start=2)
               if r[header.index("机关")] == "红旗区人民政府" and r[header.index("规则")] == "SEC5-NO-RECTIFY")
    book = load_workbook(path)
    for title, value in (("复核结论", "确认问题"), ("复核人", "赵六"), ("复核编号", None)):  # key from the columns
        book["问题清单"].cell(row=row, column=header.index(title) + 1, value=value)
    book.save(path)
    assert [d.agency for d in import_review_xlsx(path, out).applied] == ["红旗区人民政府"]


# --- the pieces, on small inputs -------------------------------------------------------------


def test_cells_text_caps_long_lists_and_names_sections() -> None:
    cells = [f"applications.1.{c}" for c in ("natural_person", "commercial", "total")]
    assert cells_text(cells) == "本年新收·自然人；本年新收·商业企业；本年新收·总计"
    many = cells * 4  # twelve paths
    assert cells_text(many).endswith(" 等 12 项") and cells_text(many).count("；") == CELLS_SHOWN - 1
    assert cells_text(many[:CELLS_SHOWN]).count("等") == 0
    assert cells_text([]) == ""
    assert path_label("section.5") == "五、存在的主要问题及改进情况" and path_label("applications.4") == "结转下年度继续办理"
    assert path_label("no.such.path") == "no.such.path"


def test_lines_text_shortens_runs() -> None:
    assert lines_text([7, 5, 1, 2, 3, 8]) == "1–3、5、7、8"
    assert lines_text([]) == "" and lines_text([4]) == "4"


def test_sort_uses_the_severity_order_then_agency_and_rule() -> None:
    frame = pl.DataFrame({"severity": ["info", "error", "warning", "error", "error"],
                          "agency": ["甲", "乙", "甲", None, "乙"], "rule": ["R1", "R2", "R1", "R1", "R1"],
                          "year": [2024] * 5, "report": ["a"] * 5})
    got = sort_findings(frame)
    assert got.rows() == [("error", "乙", "R1", 2024, "a"), ("error", "乙", "R2", 2024, "a"),
                          ("error", None, "R1", 2024, "a"), ("warning", "甲", "R1", 2024, "a"),
                          ("info", "甲", "R1", 2024, "a")]
    assert [str(s) for s in sorted(SEVERITY_ORDER, key=SEVERITY_ORDER.__getitem__)] == ["error", "warning", "info"]


def test_links_stop_at_excels_limit_and_the_rest_stay_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workbook, "LINK_LIMIT", 2)
    frame = pl.DataFrame({"page": ["agencies/a.html", "agencies/b.html", "agencies/c.html"]})
    path = tmp_path / "links.xlsx"
    with xlsxwriter.Workbook(path) as book:
        write_sheet(book, "s", frame, {"page": Column("审核页面", 20, link=True)})
    cells = load_workbook(path)["s"]["A"][1:]
    assert [c.value for c in cells] == frame["page"].to_list()
    assert [c.hyperlink.target if c.hyperlink else None for c in cells] == ["agencies\\a.html", "agencies\\b.html", None]
