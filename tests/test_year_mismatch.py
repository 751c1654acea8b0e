"""YEAR-MISMATCH over the whole body (issue 12): the year the opening text and sections 一–五 state
as the year of the work, against the title's.

Positives are the seeds and a real report with only the title's year changed; quiet near twins state
the next year's plans, compare with last year, or cite dated documents, as real reports do.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from builders import NARRATIVE, build, make_tables, render

from auditlib.audit import audit_file
from auditlib.parse import parse_text
from auditlib.report_years import stated_years
from auditlib.rules import run_rules

ROOT = Path(__file__).resolve().parents[1]
SEEDS = sorted((ROOT / "examples" / "reports").glob("*.txt"))
REAL = sorted((ROOT / "tests" / "real").glob("*.md")) + sorted((ROOT / "tests" / "real").glob("*.txt"))
OVERVIEW_NO_YEAR = [p.replace("{year}年，", "") for p in NARRATIVE["1"]]


def year_findings(report: object) -> list[tuple[tuple[str, ...], str, tuple[int, ...]]]:
    return [(f.cells, f.message, f.lines) for f in run_rules(report) if f.rule == "YEAR-MISMATCH"]


def with_sections(**changes: list[str]) -> dict[str, list[str]]:
    return {**NARRATIVE, "1": OVERVIEW_NO_YEAR, **changes}


def retitled(path: Path, year: int) -> tuple[str, int]:
    """The report's text with only its title's year changed; and the title's line number."""
    report = audit_file(path).report
    assert report is not None and report.title_line is not None and report.title_year is not None
    lines = path.read_text(encoding="utf-8").split("\n")
    n = report.title_line - 1
    lines[n] = re.sub(r"\s*".join(str(report.title_year)), str(year), lines[n], count=1)
    return "\n".join(lines), report.title_line


@pytest.mark.parametrize("path", [*SEEDS, *REAL], ids=lambda p: p.name)
def test_seeds_and_real_reports_are_quiet(path: Path) -> None:
    outcome = audit_file(path)
    assert outcome.report is not None
    assert [f for f in outcome.findings if f.rule == "YEAR-MISMATCH"] == []


@pytest.mark.parametrize("name", ["001_8b82d1f9e6f02d87.txt", "002_cfd767a677591b8e.txt", "003_4ea7538dec090386.txt",
                                  "004_d65aec0ee04b8f9a.txt"])
def test_seed_with_the_title_year_changed_fires_naming_both_years_and_the_lines(name: str) -> None:
    text, title_line = retitled(ROOT / "examples" / "reports" / name, 2023)
    report = parse_text(text, path=name)
    assert report.title_year == 2023
    (cells, message, lines), = year_findings(report)
    assert message.startswith("标题年份（2023年）与正文所述年份（2024年）不一致：正文")
    assert "述及2023年 0 处" in message and "section.1" in cells
    assert title_line in lines
    body_lines = [m.line for m in stated_years(report) if m.year == 2024]
    assert len(body_lines) >= 3 and set(body_lines) <= set(lines)
    assert all("2024" in report.line_text(n).replace(" ", "") for n in body_lines if n is not None)


def test_real_report_with_the_title_year_changed_fires() -> None:
    text, _ = retitled(ROOT / "tests" / "real" / "kewei-2024.md", 2023)
    (cells, message, _), = year_findings(parse_text(text, path="kewei"))
    assert cells == ("section.1",)
    assert re.search(r"述及2024年工作 \d+ 处，述及2023年 1 处$", message)


def test_body_beyond_section_one_counts() -> None:
    """Section 一 names no year; section 五 speaks of 2024 three times under a 2023 title."""
    five = ["2024年，我镇政务公开工作取得一定成效，但仍存在不足。",
            "一是2024年部分栏目更新不及时。二是2024年政策解读形式单一。",
            "针对上年度存在的问题，我们建立台账、每月检查，逐条整改落实。"]
    report = build(make_tables(), year=2023, narrative=with_sections(**{"5": five}))
    (cells, message, lines), = year_findings(report)
    assert cells == ("section.5",)
    assert message == ("标题年份（2023年）与正文所述年份（2024年）不一致：正文第五部分述及2024年工作 3 处，"
                       "述及2023年 0 处")
    assert report.title_line in lines and len(lines) >= 3


def test_the_next_years_plans_are_not_the_year_of_the_work() -> None:
    five = ["2025年，我镇将进一步加强政务公开队伍建设。", "下一步，2025年重点做好政策解读工作。",
            "2025年工作计划已经制定。明年（2025年）还将开展专项培训。", "2025年力争实现公开目录全覆盖。",
            "2025年拟新增解读栏目。", "针对上年度存在的问题，我们建立台账、每月检查，逐条整改落实。"]
    report = build(make_tables(), year=2024, narrative=with_sections(**{"5": five}))
    assert [m.year for m in stated_years(report)] == []
    assert year_findings(report) == []


def test_comparisons_with_last_year_are_not_the_year_of_the_work() -> None:
    one = [*OVERVIEW_NO_YEAR, "全年主动公开信息1200条，较2023年增长12%。", "与2023年相比，依申请公开数量有所下降。",
           "对照2023年评估意见逐项整改。", "受理申请数同比2023年减少3件。", "自2023年以来，持续推进目录建设。"]
    five = ["针对2023年存在问题，我们做了如下改进：一是加强培训；二是丰富解读形式；三是建立台账每月检查。"]
    report = build(make_tables(), year=2024, narrative=with_sections(**{"1": one, "5": five}))
    assert [m.year for m in stated_years(report)] == []
    assert year_findings(report) == []


def test_dates_document_numbers_and_citations_are_not_the_year_of_the_work() -> None:
    one = [*OVERVIEW_NO_YEAR, "按照《2023年政务公开工作要点》（国办发〔2023〕12号）要求开展工作。",
           "本报告于2023年1月20日起草，统计期限自2023年1月1日至2023年12月31日。",
           "贯彻2019年修订的《中华人民共和国政府信息公开条例》。", "落实“2023年度政务公开示范点”创建要求。",
           "编制《规划（2021-2023年）》。"]
    report = build(make_tables(), year=2024, narrative=with_sections(**{"1": one}))
    assert [m.year for m in stated_years(report)] == []
    assert year_findings(report) == []


def test_no_clear_dominance_is_quiet() -> None:
    """2024 and 2023 are each stated as the year of work twice: neither clearly dominates."""
    one = [*OVERVIEW_NO_YEAR, "2023年，我镇完成政务公开专栏改版。", "2023年，全镇开展培训3次。",
           "2024年，我镇主动公开信息1200条。", "2024年，全镇受理申请12件。"]
    report = build(make_tables(), year=2022, narrative=with_sections(**{"1": one}))
    assert sorted(m.year for m in stated_years(report)) == [2023, 2023, 2024, 2024]
    assert year_findings(report) == []


def test_three_mentions_of_another_year_against_one_of_the_title_year_fire() -> None:
    one = [*OVERVIEW_NO_YEAR, "2024年，我镇完成政务公开专栏改版。", "2024年，全镇开展培训3次。",
           "2024年，我镇主动公开信息1200条。", "2023年，全镇受理申请12件。"]
    report = build(make_tables(), year=2023, narrative=with_sections(**{"1": one}))
    (_, message, _), = year_findings(report)
    assert message.endswith("正文第一部分述及2024年工作 3 处，述及2023年 1 处")


def test_the_title_repeated_in_a_breadcrumb_is_not_a_body_year() -> None:
    """A crawled page prints its title again in the header and breadcrumb: that is the title's year."""
    title = "青山镇人民政府2023年政府信息公开工作年度报告"
    header = f"标题: {title}\n当前位置： 首页 {title}\n{title}\n{title}\n"
    report = parse_text(header + "\n".join(render(make_tables(), year=2023).split("\n")[2:]))
    assert [m.year for m in stated_years(report)] == [2023]
    assert year_findings(report) == []


def test_years_written_in_chinese_numerals_count() -> None:
    one = [*OVERVIEW_NO_YEAR, "二〇二四年，我镇完成政务公开专栏改版。", "二〇二四年，全镇开展培训3次。",
           "二〇二四年，我镇主动公开信息1200条。", "二〇二五年，我镇将继续推进。"]
    report = build(make_tables(), year=2023, narrative=with_sections(**{"1": one}))
    assert [m.year for m in stated_years(report)] == [2024, 2024, 2024]
    (_, message, _), = year_findings(report)
    assert "正文所述年份（2024年）" in message


@pytest.mark.parametrize("path", SEEDS + REAL, ids=lambda p: p.stem[:8])
def test_line_lookup_over_the_joined_lines_matches_the_line_by_line_one(path: Path) -> None:
    """_Lines.line_of (one search over the lines laid end to end) finds the line the line-by-line scan
    finds, for every year-like position in the body and from every starting line."""
    from auditlib.report_years import _line_of, _Lines, _texts

    report = parse_text(path.read_text(encoding="utf-8"), path=str(path))
    index = _Lines(report)
    assert index.in_order
    checked = 0
    for _, heading, text in _texts(report):
        for m in re.finditer(r"\d{4}年|年", text):
            for start in (0, heading, heading + 40):
                assert index.line_of(text, m.start(), start) == _line_of(index.lines, text, m.start(), start)
                checked += 1
    assert checked > 30
