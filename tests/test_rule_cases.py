"""Each rule on reports built in code: the exact list of (rule, cells) it yields, and a quiet near twin.

A firing case and its twin differ in one cell (or one sentence); both assert every finding the report
gets, so a rule that fires too widely, too narrowly, or names other cells fails here. The cells the
template's sums implicate are written out below from the template's own wording (not computed by
template.identities(), so that a sum that loses a cell cannot change its own expectation).
"""

from __future__ import annotations

import random
from typing import Any

import pytest
from builders import NARRATIVE, build, make_tables, render, render_2019, with_cell

from auditlib.parse import parse_text
from auditlib.rules import run_rules

APP = "applications"
APPLICANTS = ("natural_person", "commercial", "research", "social_welfare", "legal_service", "other")
DISPOSALS = ("3.1", "3.2", "3.3.1", "3.3.2", "3.3.3", "3.3.4", "3.3.5", "3.3.6", "3.3.7", "3.3.8", "3.4.1", "3.4.2",
             "3.4.3", "3.5.1", "3.5.2", "3.5.3", "3.5.4", "3.5.5", "3.6.1", "3.6.2", "3.6.3")


def row_total(row: str) -> tuple[str, ...]:
    """总计 = 六类申请人之和, for one row of table 三."""
    return (*(f"{APP}.{row}.{c}" for c in APPLICANTS), f"{APP}.{row}.total")


def result_total(col: str) -> tuple[str, ...]:
    """（七）总计 = （一）至（六）之和, for one column."""
    return (*(f"{APP}.{r}.{col}" for r in DISPOSALS), f"{APP}.3.7.{col}")


def balance(col: str) -> tuple[str, ...]:
    """一 + 二 = 三（七） + 四, for one column."""
    return (f"{APP}.1.{col}", f"{APP}.2.{col}", f"{APP}.3.7.{col}", f"{APP}.4.{col}")


def group_total(group: str) -> tuple[str, ...]:
    base = f"review_litigation.{group}"
    return (f"{base}.upheld", f"{base}.corrected", f"{base}.other", f"{base}.pending", f"{base}.total")


def base() -> dict:
    return make_tables(random.Random(21))


def bump(tables: dict, *paths: str, by: int = 1) -> dict:
    for path in paths:
        t, rest = path.split(".", 1)
        row, col = rest.rsplit(".", 1)
        tables = with_cell(tables, path, tables[t][row][col] + by)
    return tables


def found(report: Any) -> list[tuple[str, tuple[str, ...]]]:
    return [(f.rule, f.cells) for f in run_rules(report)]


def messages(report: Any, rule_id: str) -> list[str]:
    return [f.message for f in run_rules(report) if f.rule == rule_id]


def with_narrative(**changes: list[str]) -> dict[str, list[str]]:
    return {**NARRATIVE, **changes}


def test_the_base_report_is_clean() -> None:
    assert found(build(base())) == []


# --- the template's sums -------------------------------------------------------------------------------

def test_row_total() -> None:
    fires = bump(base(), f"{APP}.3.1.natural_person", f"{APP}.3.7.natural_person", f"{APP}.3.7.total",
                 f"{APP}.1.natural_person", f"{APP}.1.total")
    assert found(build(fires)) == [("APP-ROW-TOTAL", row_total("3.1")), ("APP-RESULT-TOTAL", result_total("total"))]
    assert found(build(bump(fires, f"{APP}.3.1.total"))) == []


def test_row_total_of_the_first_column() -> None:
    """Only 自然人 differs from the total: a row sum that forgot 自然人 would not see it."""
    fires = with_cell(base(), f"{APP}.2.natural_person", 4)  # was 3
    fires = bump(fires, f"{APP}.4.natural_person")
    assert found(build(fires)) == [("APP-ROW-TOTAL", row_total("2")), ("APP-ROW-TOTAL", row_total("4"))]
    assert found(build(bump(fires, f"{APP}.2.total", f"{APP}.4.total"))) == []


def test_result_total() -> None:
    fires = bump(base(), f"{APP}.3.1.natural_person", f"{APP}.3.1.total", f"{APP}.1.natural_person", f"{APP}.1.total")
    assert found(build(fires)) == [
        ("APP-RESULT-TOTAL", result_total("natural_person")), ("APP-RESULT-TOTAL", result_total("total")),
        ("APP-BALANCE", balance("natural_person")), ("APP-BALANCE", balance("total"))]
    assert found(build(bump(fires, f"{APP}.3.7.natural_person"))) == [
        ("APP-ROW-TOTAL", row_total("3.7")), ("APP-RESULT-TOTAL", result_total("total")), ("APP-BALANCE", balance("total"))]


def test_balance() -> None:
    fires = bump(base(), f"{APP}.1.natural_person", f"{APP}.1.total")
    assert found(build(fires)) == [("APP-BALANCE", balance("natural_person")), ("APP-BALANCE", balance("total"))]
    assert found(build(bump(fires, f"{APP}.4.natural_person"))) == [
        ("APP-ROW-TOTAL", row_total("4")), ("APP-BALANCE", balance("total"))]
    assert found(build(bump(fires, f"{APP}.4.natural_person", f"{APP}.4.total"))) == []


def test_balance_counts_the_carry_in() -> None:
    """二、上年结转 is on the left: moving one application from 一 to 二 keeps the balance."""
    moved = bump(bump(base(), f"{APP}.1.other", f"{APP}.1.total", by=-1), f"{APP}.2.other", f"{APP}.2.total")
    assert found(build(moved)) == []
    assert found(build(bump(moved, f"{APP}.2.other", f"{APP}.2.total"))) == [
        ("APP-BALANCE", balance("other")), ("APP-BALANCE", balance("total"))]


def test_balance_counts_the_carry_out() -> None:
    fires = bump(base(), f"{APP}.4.research", f"{APP}.4.total")
    assert found(build(fires)) == [("APP-BALANCE", balance("research")), ("APP-BALANCE", balance("total"))]
    assert messages(build(fires), "APP-BALANCE")[0] == "第一项加第二项之和（68）不等于第三项加第四项之和（69）：科研机构"


def test_review_total() -> None:
    fires = bump(base(), "review_litigation.litigation_direct.total")
    assert found(build(fires)) == [("RL-TOTAL", group_total("litigation_direct"))]
    assert found(build(bump(fires, "review_litigation.litigation_direct.pending"))) == []


def test_review_total_counts_each_outcome() -> None:
    for outcome in ("upheld", "corrected", "other", "pending"):
        fires = bump(base(), f"review_litigation.review.{outcome}")
        assert found(build(fires)) == [("RL-TOTAL", group_total("review"))], outcome


def test_each_disposal_counts_in_the_result_total() -> None:
    for row in ("3.1", "3.3.8", "3.6.3"):
        fires = bump(base(), f"{APP}.{row}.legal_service", f"{APP}.{row}.total")
        assert found(build(fires))[:2] == [("APP-RESULT-TOTAL", result_total("legal_service")),
                                           ("APP-RESULT-TOTAL", result_total("total"))], row


def test_a_blank_cell_leaves_its_sums_unassessed() -> None:
    tables = base()
    assert tables[APP]["2"]["other"] == 2, "a blank read as 0 would break two sums"
    blank = with_cell(tables, f"{APP}.2.other", None)
    report = build(blank, blank="/")
    assert found(report) == [("CELL-BLANK", (f"{APP}.2.other",)), ("SUM-NOT-ASSESSED", (f"{APP}.2.other",))]
    assert messages(report, "SUM-NOT-ASSESSED") == [
        "以下 2 处勾稽关系涉及空白或缺失的单元格，未核验：行合计（「上年结转」行）；收支平衡（其他）"]
    assert found(build(with_cell(tables, "active_disclosure.licensing.decisions", None), blank="/")) == [
        ("CELL-BLANK", ("active_disclosure.licensing.decisions",))]


def test_many_unassessed_sums_are_counted_beyond_twelve() -> None:
    tables = base()
    for row in DISPOSALS:
        tables = with_cell(tables, f"{APP}.{row}.other", None)
    (message,) = messages(build(tables, blank="/"), "SUM-NOT-ASSESSED")
    # 21 row totals and the 其他 column's result total; the balance of 其他 reads no disposal row
    assert message.startswith("以下 22 处勾稽关系") and message.endswith("；等共 22 处") and message.count("行合计") == 12


# --- table 二 ---------------------------------------------------------------------------------------------

NORMATIVE = "active_disclosure.normative_documents"


def test_in_force_below_issued() -> None:
    fires = with_cell(with_cell(base(), f"{NORMATIVE}.issued", 9), f"{NORMATIVE}.in_force", 8)
    assert found(build(fires)) == [("AD-IN-FORCE", (f"{NORMATIVE}.issued", f"{NORMATIVE}.in_force"))]
    assert found(build(with_cell(fires, f"{NORMATIVE}.in_force", 9))) == []  # equal is fine


def test_rules_made_by_a_township() -> None:
    fires = with_cell(base(), "active_disclosure.rules.in_force", 2)
    assert found(build(fires)) == [("AD-RULES-LEVEL", ("active_disclosure.rules.in_force",))]
    assert found(build(fires, agency="淮安市人民政府")) == []
    assert found(build(with_cell(fires, "active_disclosure.rules.in_force", 0))) == []


# --- what the report contains ----------------------------------------------------------------------------

def test_invalid_values_by_column_kind() -> None:
    assert found(build(with_cell(base(), "active_disclosure.fees.amount", -1.5))) == [
        ("VALUE-INVALID", ("active_disclosure.fees.amount",))]
    assert found(build(with_cell(base(), "active_disclosure.fees.amount", 1.5))) == []
    decimal_count = build(with_cell(base(), "active_disclosure.licensing.decisions", 2.5))
    assert found(decimal_count) == [("VALUE-INVALID", ("active_disclosure.licensing.decisions",))]
    assert messages(decimal_count, "VALUE-INVALID") == ["「行政许可·本年处理决定数量」填报的“2.5”不是有效的件数（应为非负整数）"]


def test_a_missing_row() -> None:
    text = render(base())
    row = next(line for line in text.split("\n") if "重复申请" in line)
    report = parse_text(text.replace(row + "\n", ""))
    cells = tuple(f"{APP}.3.5.2.{c}" for c in (*APPLICANTS, "total"))
    assert found(report) == [("CELL-MISSING", cells), ("SUM-NOT-ASSESSED", tuple(sorted(cells)))]
    assert messages(report, "CELL-MISSING") == ["「（五）不予处理 2.重复申请」行缺少：自然人、商业企业、科研机构、社会公益组织、法律服务机构、其他、总计"]


AD_ROWS = ("规章", "行政规范性文件", "行政许可", "行政处罚", "行政强制", "行政事业性收费")


def _without_ad_rows(names: tuple[str, ...]) -> Any:
    lines = render(base()).split("\n")
    return parse_text("\n".join(line for line in lines if line.split("\t")[0] not in names))


def test_a_table_with_one_cell_left_is_rows_missing_not_the_table() -> None:
    report = _without_ad_rows(AD_ROWS[:-1])
    rows = [tuple(f"active_disclosure.{r}.{c}" for c in cols) for r, cols in (
        ("rules", ("issued", "repealed", "in_force")), ("normative_documents", ("issued", "repealed", "in_force")),
        ("licensing", ("decisions",)), ("punishment", ("decisions",)), ("enforcement", ("decisions",)))]
    assert found(report) == [("CELL-MISSING", cells) for cells in rows]
    whole = _without_ad_rows(AD_ROWS)
    assert found(whole) == [("CELL-MISSING", (*(c for cells in rows for c in cells), "active_disclosure.fees.amount"))]
    assert messages(whole, "CELL-MISSING") == ["未找到「主动公开政府信息情况表」（10 个单元格全部缺失）"]


def test_a_missing_section() -> None:
    assert found(build(base(), drop_sections=("6",))) == [("SECTION-MISSING", ("section.6",))]
    assert messages(build(base(), drop_sections=("6",)), "SECTION-MISSING") == ["缺少第六部分「六、其他需要报告的事项」"]


def test_the_2019_format_after_2021() -> None:
    assert found(parse_text(render_2019(year=2021))) == [("TEMPLATE-OUTDATED", ())]
    assert found(parse_text(render_2019(year=2020))) == []


def test_all_zero_tables_and_blank_is_not_zero() -> None:
    zero = make_tables(zero=True)
    report = build(zero)
    cells = {key: tuple(p for p in report.cells if p.startswith(key + ".")) for key in
             ("applications", "review_litigation", "active_disclosure")}
    assert found(report) == [("TABLE-ALL-ZERO", cells[k]) for k in ("applications", "review_litigation", "active_disclosure")]
    blank = build(with_cell(zero, "active_disclosure.licensing.decisions", None), blank="/")
    assert found(blank) == [("CELL-BLANK", ("active_disclosure.licensing.decisions",)),
                            ("TABLE-ALL-ZERO", cells["applications"]), ("TABLE-ALL-ZERO", cells["review_litigation"])]


# --- the text ---------------------------------------------------------------------------------------------

def test_a_figure_in_the_text_against_the_table() -> None:
    def said(n: int) -> dict[str, list[str]]:
        return with_narrative(**{"1": [*NARRATIVE["1"], f"2024年，全镇共收到政府信息公开申请{n}件。"]})

    assert found(build(base(), narrative=said(831))) == [("TEXT-TABLE-MISMATCH", (f"{APP}.1.total",))]
    assert found(build(base(), narrative=said(830))) == []


def test_fee_not_reported() -> None:
    assert found(build(base(), narrative=with_narrative(**{"6": ["本年度无其他需要报告的事项。"]}))) == [
        ("FEE-NOT-REPORTED", ("section.6",))]
    assert found(build(base(), narrative=with_narrative(**{"6": ["本年度无其他需要报告的事项，未收费。"]}))) == []


def _overview(year: str) -> list[str]:
    return [p.replace("{year}", year) for p in NARRATIVE["1"]]


def test_year_mismatch() -> None:
    fires = build(base(), year=2024, narrative=with_narrative(**{"1": [*_overview("2023"), "2023年，各项工作有序推进。",
                                                                      "2023年，全镇开展政务公开培训3次。"]}))
    assert found(fires) == [("YEAR-MISMATCH", ("section.1",))]
    assert found(build(base(), year=2024, narrative=with_narrative(**{"1": _overview("2024")}))) == []


def test_two_other_years_once_each_are_no_year_mismatch() -> None:
    """The body names 2022 and 2023 once each: neither is the year it reports on."""
    text = [*_overview(""), "对照2022年评估意见，巩固2023年整改成果。"]
    assert found(build(base(), year=2024, narrative=with_narrative(**{"1": text}))) == []


def test_title_form() -> None:
    assert found(build(base(), title="青山镇关于2024年度政务公开工作情况的报告")) == [("TITLE-FORM", ())]
    assert found(build(base(), title="青山镇人民政府2024年度政府信息公开工作年度报告")) == []


def test_overview_aspects() -> None:
    fires = build(base(), narrative=with_narrative(**{"1": NARRATIVE["1"][:-1]}))
    assert found(fires) == [("OVERVIEW-ASPECTS", ("section.1",))]
    assert messages(fires, "OVERVIEW-ASPECTS")[0].startswith("「总体情况」未涉及：监督保障（")


def test_section_five_rectification() -> None:
    text = "一是公开不够及时。二是解读形式单一。下一步将加强培训，丰富解读形式，逐项明确责任人和完成时限。" * 4
    assert found(build(base(), narrative=with_narrative(**{"5": [text]}))) == [("SEC5-NO-RECTIFY", ("section.5",))]
    assert found(build(base(), narrative=with_narrative(**{"5": ["针对上年度问题，" + text]}))) == []


@pytest.mark.parametrize("length, fires", [(149, True), (150, False)])
def test_section_five_length_boundary(length: int, fires: bool) -> None:
    head = "针对上年度存在的问题，我们开展了专项整改。"
    text = head + "改" * (length - len(head))
    report = build(base(), narrative=with_narrative(**{"5": [text]}))
    assert found(report) == ([("SEC5-THIN", ("section.5",))] if fires else [])
    if fires:
        assert messages(report, "SEC5-THIN") == [f"第五部分只有 {length} 字，问题和改进措施可能过于笼统"]


def test_template_residue() -> None:
    fires = build(base(), narrative=with_narrative(**{"6": ["本年度未收取信息处理费。（文字描述，在此处报告。）"]}))
    assert found(fires) == [("TEMPLATE-RESIDUE", ())]
    assert found(build(base(), narrative=with_narrative(**{"6": ["本年度未收取信息处理费。（无）"]}))) == []
