"""The review on the pages: each finding's status and note, corrected cells, the score's exclusions, the overview."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import SEEDS

from auditlib import render, widgets
from auditlib.review import STORE_NAME, finding_key, open_store, record_correction

HONGQI = next(s for s in SEEDS if s.name.startswith("003"))  # 红旗区: real numbers in every table
LIUJIATA = next(s for s in SEEDS if s.name.startswith("002"))


def _deducted(page: render.AgencyPage) -> tuple[int, int]:
    """A finding the score deducts for alone, and another finding (their indices)."""
    assert page.score is not None
    for d in page.score.deductions:
        if len(d.findings) == 1:
            other = next(k for k in range(len(page.outcome.findings)) if k != d.findings[0])
            return d.findings[0], other
    raise AssertionError(f"{page.outcome.path}: no deduction with one finding")


@pytest.fixture(scope="module")
def reviewed(tmp_path_factory: pytest.TempPathFactory) -> tuple[render.AgencyPage, render.AgencyPage, Path]:
    run_dir = tmp_path_factory.mktemp("run")
    before = render.agency_page(str(LIUJIATA))
    dismissed, confirmed = _deducted(before)
    findings = before.outcome.findings
    with open_store(run_dir) as store:
        store.set_decision(finding_key(findings[confirmed]), "确认问题", "已电话核实", "张三", finding=findings[confirmed])
        store.set_decision(finding_key(findings[dismissed]), "排除（误报）", "原文另有说明", "李四",
                           finding=findings[dismissed])
    return before, render.agency_page(str(LIUJIATA), run_dir=str(run_dir)), run_dir


def test_each_finding_shows_its_status_and_the_reviewers_note(reviewed) -> None:
    before, page, _ = reviewed
    dismissed, confirmed = _deducted(before)
    html = page.findings()
    assert html.count("data-status=\"confirmed\"") == 2  # the badge and the line in the drill-down
    assert "确认问题（张三，" in html and "）：已电话核实" in html
    assert "排除（误报）（李四，" in html and "）：原文另有说明" in html
    undecided = len(page.frame) - 2
    assert html.count("<span class='review-status' data-status=\"pending\"") == undecided > 0
    assert "待复核" in html


def test_a_dismissed_finding_deducts_nothing_and_the_score_says_why(reviewed) -> None:
    before, page, _ = reviewed
    dismissed, _ = _deducted(before)
    assert page.score is not None and before.score is not None and page.score.score > before.score.score
    assert all(dismissed not in d.findings for d in page.score.deductions)
    section = page.score_section()
    assert "已排除（误报），不扣分" in section
    message = page.outcome.findings[dismissed].message
    assert f"「{render.esc(message)}」经复核排除（误报），不扣分（李四，" in section


def test_without_a_store_every_finding_is_pending_and_nothing_is_created(tmp_path: Path) -> None:
    page = render.agency_page(str(LIUJIATA), run_dir=str(tmp_path))
    html = page.findings()
    assert html.count("<span class='review-status' data-status=\"pending\"") == len(page.frame) > 0
    assert "已排除" not in page.score_section()
    assert not (tmp_path / STORE_NAME).exists()  # read-only: a page never makes the store


def test_a_corrected_cell_shows_what_was_printed_and_its_source_line(tmp_path: Path) -> None:
    plain = render.agency_page(str(HONGQI))
    assert plain.report is not None
    path = "applications.1.natural_person"
    cell = plain.report.cell(path)
    with open_store(tmp_path) as store:
        record_correction(store, plain.report, path, (cell.value or 0) + 1, "据原始登记簿", "王五")
    page = render.agency_page(str(HONGQI), run_dir=str(tmp_path))
    tables = page.tables()
    text = f"原文 {render.cell_text(cell)}，人工更正为 {int((cell.value or 0) + 1)}"
    assert f"{text}（王五，" in tables and "：据原始登记簿）" in tables
    assert f"原文第 {cell.lines[0]} 行：" in tables and render.esc(cell.source.strip()) in tables
    assert f'data-path="{path}"' in tables and "corrected" in tables
    assert page.report is not None and page.report.cell(path).value == (cell.value or 0) + 1  # rules saw it


@pytest.fixture()
def run_copy(batch_run, tmp_path: Path) -> Path:
    for name in ("summary.json", "findings.parquet"):
        shutil.copy(Path(batch_run.out_dir) / name, tmp_path / name)
    return tmp_path


def test_overview_counts_pending_per_agency_and_filters_by_status(run_copy: Path) -> None:
    run = render.load_run(str(run_copy))
    pending_before = dict(run.agencies.select("report", "pending").iter_rows())
    names = run.agencies["agency"].to_list()
    row = next(r for r in run.findings.iter_rows(named=True) if names.count(r["agency"]) == 1)  # one report of it
    with open_store(run_copy) as store:
        store.set_decision(_key(row), "排除（误报）", "", "李四")
    run = render.load_run(str(run_copy))
    pending = dict(run.agencies.select("report", "pending").iter_rows())
    assert pending[row["report"]] == pending_before[row["report"]] - 1
    assert all(pending[r] == n for r, n in pending_before.items() if r != row["report"])
    table = render.overview_table_html(run)
    assert '<th data-key="pending" data-type="num"' in table and ">待复核<" in table
    assert "class='pending' style=" in table
    only = render.overview_table_html(run, review="dismissed")
    assert only.count("class='agency-link'") == 1 and render.esc(row["agency"]) in only
    assert render.overview_table_html(run, review="confirmed").count("class='agency-link'") == 0
    assert "<option value=\"dismissed\">有排除（误报）</option>" in table
    box = widgets.build_overview(run)
    box.review.value = "dismissed"
    assert box.table.value.count("class='agency-link'") == 1


def test_the_generation_status_column_says_what_it_means(run_copy: Path) -> None:
    run = render.load_run(str(run_copy))
    table = render.overview_table_html(run)
    assert ">生成状态<" in table and ">已生成<" in table and "已审核" not in table
    assert "生成失败" in table or "无法读取" in table  # the seeds' run holds a broken input


def _key(row: dict) -> str:
    from auditlib.review import key_of

    return key_of(row["agency"], row["year"], row["rule"], list(row["cells"] or ()), row["message"], row["report"])
