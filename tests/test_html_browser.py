"""The exported pages in a real browser with the network cut: headless Debian Chromium driven by Playwright.

Never downloads a browser: it uses /usr/bin/chromium (`.ci/run` installs Debian's package first) and
skips elsewhere. Every request that is not a `file:` URL is blocked and counted.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from chromium import skip_without_chromium
from test_overview import big_run, years_run  # noqa: F401 - the fixtures: three years; 2,500 agencies

from auditlib import render

playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright (Python) is not installed")

skip_without_chromium()



class Page:
    """A browser tab that blocks and counts every outside request and records console errors and dialogs."""

    def __init__(self, context: Any) -> None:
        self.page = context.new_page()
        self.outside: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.page.route("**/*", self._route)
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", self._dialog)

    def _route(self, route: Any) -> None:
        url = route.request.url
        if url.startswith("file:"):
            route.continue_()
        else:
            self.outside.append(url)
            route.abort()

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def open(self, path: Path) -> Any:
        self.page.goto(path.as_uri())
        self.page.wait_for_load_state("load")
        return self.page

    def assert_clean(self) -> None:
        assert self.outside == [], f"requests outside the page: {self.outside}"
        assert self.errors == [], f"console errors: {self.errors}"
        assert self.dialogs == [], f"report text ran as script: {self.dialogs}"


@pytest.fixture
def tab(browser: Any) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, service_workers="block")
    yield Page(context)
    context.close()


def charts_drawn(page: Any, expected: int) -> None:
    page.wait_for_function(
        f"document.querySelectorAll('.vega-chart svg, .vega-chart canvas').length >= {expected}", timeout=15000)
    assert page.locator(".vega-chart").count() == expected
    for i in range(expected):
        assert page.locator(".vega-chart").nth(i).locator("svg, canvas").count() >= 1


def test_index_works_offline(batch_run, tab: Page) -> None:
    page = tab.open(batch_run.out_dir / "index.html")
    assert page.evaluate("typeof window.vegaEmbed") == "function"
    assert page.get_attribute("html", "lang") == "zh"
    charts_drawn(page, 1)  # 二、评分等级分布; the 机关 × 规则 grid is an HTML table under the table's filters
    grades = page.locator(".vega-chart").first
    assert grades.locator("svg").count() >= 1 and "评分等级分布" in grades.inner_text()
    assert grades.locator("g.mark-rect path").count() == 4  # 优秀, 良好, 合格 (0), 不合格
    rows = page.locator("table.overview tbody tr")
    assert rows.count() == len(batch_run.agencies)
    # ranked by default; 名次 sorts best first, 得分 highest first
    assert rows.first.locator("td.rank").inner_text() == "1" and rows.last.locator("td.grade").inner_text() == "不合格"
    page.locator("table.overview th[data-key=score]").click()
    # 89: the all-zero townships are capped at 良好 (red 红旗区 and its copy lose 10 for COPY-PEER)
    assert rows.first.locator("td.score").inner_text() == "89"
    page.locator("table.overview th[data-key=rank]").click()
    assert rows.first.locator("td.rank").inner_text() == "1"
    # sort by 警告 (descending on first click): 刘家塔镇 has the most warnings
    page.locator("table.overview th[data-key=warnings]").click()
    assert rows.first.get_attribute("data-agency") == "刘家塔镇人民政府"
    # filter by rule, then by agency name
    page.select_option("select[name=rule]", "FEE-NOT-REPORTED")
    assert page.locator("table.overview tbody tr:visible").count() == 1
    page.select_option("select[name=rule]", "")
    page.fill("input[name=agency]", "红花集")
    assert page.locator("table.overview tbody tr:visible").count() == 2
    # the grid's rows follow the same filters
    assert page.locator("table.heatmap tbody tr:visible").count() == 2
    # an agency link opens that agency's page, from disk, in a new tab
    page.fill("input[name=agency]", "")
    with page.context.expect_page() as opened:
        page.locator("a.agency-link", has_text=re.compile("^红旗区人民政府$")).click()
    agency = opened.value
    agency.wait_for_load_state("load")
    assert agency.url.endswith(".html") and "/agencies/" in agency.url
    assert agency.locator("h1.agency").inner_text() == "红旗区人民政府"
    tab.assert_clean()


def test_overview_year_and_level_filter_rows_of_grid_and_table(years_run, tab: Page) -> None:  # noqa: F811
    out, _ = years_run
    run = render.load_run(str(out))
    index = out / "overview.html"
    index.write_text("<!DOCTYPE html><html lang='zh'><head><meta charset='utf-8'></head><body>"
                     + render.overview_heading_html(run) + render.overview_table_html(run) + "</body></html>",
                     encoding="utf-8")
    page = tab.open(index)
    rows, grid = page.locator("table.overview tbody tr:visible"), page.locator("table.heatmap tbody tr:visible")
    assert page.locator("select[name=year]").input_value() == "2024"  # the latest year by default
    assert rows.count() == 4 and page.locator(".shown").inner_text() == "2024 年度：共 4 个机关（全部 7 份报告）"
    assert all(rows.nth(i).get_attribute("data-year") == "2024" for i in range(4))
    assert sorted(rows.nth(i).locator("td.rank").inner_text() for i in range(4))[0] == "1"
    def in_grid(year: int) -> int:
        return page.locator(f"table.heatmap tbody tr[data-year='{year}']").count()

    assert grid.count() == in_grid(2024) > 0
    page.select_option("select[name=year]", "2023")
    assert rows.count() == 2 and page.locator(".shown").inner_text().startswith("2023 年度：共 2 个机关")
    assert grid.count() == in_grid(2023) < in_grid(2024)  # the grid shrinks with the table
    page.select_option("select[name=level]", "部门")
    assert rows.count() == 1 and rows.first.get_attribute("data-agency") == "城关区财政局"
    assert rows.first.locator("td.rank").inner_text() == "1"  # ranked among the year's departments
    page.select_option("select[name=year]", "")
    assert rows.count() == 2 and page.locator(".shown").inner_text().startswith("全部年度 · 部门：共 2 个机关")
    page.select_option("select[name=level]", "")
    assert rows.count() == 7
    tab.assert_clean()


def test_agency_page_works_offline_and_drills_down(batch_run, tab: Page) -> None:
    record = next(a for a in batch_run.agencies if a["agency"] == "刘家塔镇人民政府")
    page = tab.open(batch_run.out_dir / record["page"])
    charts_drawn(page, 2)
    assert page.locator("table.audit-table[id^=table-]").count() == 3
    finding = page.locator("details.finding[data-rule=FEE-NOT-REPORTED]")
    source = finding.locator(".src-line").first
    assert not source.is_visible()
    finding.locator("summary").click()
    assert source.is_visible()
    assert "其他需要报告的事项" in finding.locator(".source").inner_text()
    # a cell-level finding: its rows are shown, highlighted, and link to the cell in the main table
    zero = page.locator("details.finding[data-rule=TABLE-ALL-ZERO]").last  # 主动公开: its rows, repeated
    zero.locator("summary").click()
    assert zero.locator(".src-line").first.is_visible()
    assert zero.locator("table.audit-table td.hl-info").count() == 10
    zero.locator("a[href='#cell-active_disclosure.fees.amount']").click()
    assert page.url.endswith("#cell-active_disclosure.fees.amount")
    assert page.locator("[id='cell-active_disclosure.fees.amount']").is_visible()
    tab.assert_clean()


def test_deduction_links_open_their_findings(batch_run, tab: Page) -> None:
    record = next(a for a in batch_run.agencies if a["agency"] == "刘家塔镇人民政府")
    page = tab.open(batch_run.out_dir / record["page"])
    assert page.locator("p.score").inner_text() == "评分：86 分（良好）"
    link = page.locator("tr.deduction[data-item=信息处理费] a.deduction-link")
    target = link.get_attribute("href")
    assert target and target.startswith("#finding-")
    finding = page.locator(f"details.finding[id='{target[1:]}']")
    assert finding.get_attribute("data-rule") == "FEE-NOT-REPORTED" and finding.get_attribute("open") is None
    link.click()
    assert page.url.endswith(target) and finding.get_attribute("open") is not None
    assert finding.locator(".src-line").first.is_visible()
    tab.assert_clean()


def test_findings_chart_click_filters_its_list(batch_run, tab: Page) -> None:
    record = next(a for a in batch_run.agencies if a["agency"] == "刘家塔镇人民政府")
    page = tab.open(batch_run.out_dir / record["page"])
    charts_drawn(page, 2)
    chart = page.locator(".vega-chart").first
    before = chart.locator("g.mark-text text").count()
    chart.locator("g.mark-rect path").first.click()
    page.wait_for_timeout(300)
    after = chart.locator("g.mark-text text").count()
    assert 0 < after < before
    tab.assert_clean()


def test_injected_script_shows_as_text(batch_run, tab: Page) -> None:
    record = next(a for a in batch_run.agencies if Path(a["report"]).name == "evil.txt")
    page = tab.open(batch_run.out_dir / record["page"])
    charts_drawn(page, 2)
    assert page.locator("h1.agency").inner_text() == "<script>alert(1)</script>红旗区人民政府"
    assert page.locator("img[src=x]").count() == 0
    blank = page.locator("details.finding[data-rule=CELL-BLANK]").first
    blank.locator("summary").click()
    assert "<script>alert(3)</script>" in blank.locator(".source").inner_text()
    tab.assert_clean()
    index = tab.open(batch_run.out_dir / "index.html")
    charts_drawn(index, 1)
    assert index.locator("a.agency-link", has_text="<script>alert(1)</script>").count() == 1
    tab.assert_clean()


def test_page_copied_alone_says_the_chart_script_is_missing(batch_run, tab: Page, tmp_path: Path) -> None:
    record = batch_run.agencies[0]
    lone = tmp_path / "agencies" / "page.html"
    lone.parent.mkdir()
    shutil.copy(batch_run.out_dir / record["page"], lone)
    page = tab.open(lone)
    page.wait_for_timeout(200)
    assert "图表脚本未能加载" in page.locator(".vega-chart").first.inner_text()
    assert tab.outside == [] and tab.dialogs == []


def test_printing_opens_every_finding_and_copies_link_to_each_other(batch_run, tab: Page) -> None:
    record = next(a for a in batch_run.agencies if a["agency"] == "红旗区人民政府")
    page = tab.open(batch_run.out_dir / record["page"])
    closed = page.locator("details.finding:not([open])").count()
    assert closed > 0  # on screen a finding opens on click
    copy = page.locator("details.finding[data-rule=COPY-PEER]").first
    href = copy.locator("a.related-page").first.get_attribute("href")
    other = (batch_run.out_dir / record["page"]).parent / str(href)
    assert other.is_file() and "红旗区人民政府" in other.read_text(encoding="utf-8")
    back = re.escape(Path(record["page"]).name)
    assert re.search(f"href=[\"']{back}[\"']", other.read_text(encoding="utf-8"))  # and back
    page.emulate_media(media="print")
    page.wait_for_function("document.querySelectorAll('details:not([open])').length === 0", timeout=5000)
    assert copy.locator("table.side-by-side tr.passage").first.is_visible()
    page.emulate_media(media="screen")
    page.wait_for_function(f"document.querySelectorAll('details.finding:not([open])').length === {closed}")
    tab.assert_clean()


def test_overview_filters_two_thousand_agencies(big_run, tab: Page, tmp_path: Path) -> None:  # noqa: F811
    index = tmp_path / "overview.html"
    index.write_text("<!DOCTYPE html><html lang='zh'><head><meta charset='utf-8'></head><body>"
                     + render.overview_table_html(big_run) + "</body></html>", encoding="utf-8")
    page = tab.open(index)
    rows, grid = page.locator("table.overview tbody tr:visible"), page.locator("table.heatmap tbody tr:visible")
    assert rows.count() == 2000 and page.locator(".shown").inner_text().startswith("2024 年度：共 2000 个机关")
    assert grid.count() == page.locator("table.heatmap tbody tr[data-year='2024']").count()
    page.select_option("select[name=year]", "2023")
    assert rows.count() == 500 and grid.count() == page.locator("table.heatmap tbody tr[data-year='2023']").count()
    rule = big_run.findings.filter(pl.col("year") == 2023)["rule"].sort()[0]
    page.select_option("select[name=rule]", rule)
    with_rule = big_run.findings.filter((pl.col("year") == 2023) & (pl.col("rule") == rule))["key"].n_unique()
    assert rows.count() == with_rule and grid.count() == with_rule
    assert page.locator("table.heatmap th.rule:visible").count() == 1  # the grid keeps the chosen rule's column
    tab.assert_clean()
