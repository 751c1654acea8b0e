"""The batch overview over built runs: several years, agencies of one name in two regions, 2,000 agencies.

A run folder is what the overview reads (summary.json and findings.parquet). The multi-year run is made
by the batch's own functions (batch_contexts → summary_entries) from built reports, without notebooks;
the 2,000-agency run is written directly.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

import polars as pl
import pytest
from builders import make_tables
from builders import render as render_report

from auditlib import render, widgets
from auditlib.audit import Outcome, check_report
from auditlib.batch.files import output_key
from auditlib.batch.outputs import summary_entries
from auditlib.findings import FINDINGS_SCHEMA, SEVERITY_LABELS
from auditlib.parse import parse_text
from auditlib.render.context import batch_contexts
from auditlib.review.records import when
from auditlib.rules import REGISTRY
from auditlib.score import score_outcomes, scores_frame

GENERATED = "2026-12-02T06:35:10"


def write_run(folder: Path, agencies: list[dict[str, Any]], findings: list[dict[str, Any]]) -> Path:
    """A run folder as the batch leaves it, for the overview to read."""
    folder.mkdir(parents=True, exist_ok=True)
    summary = {"generated": GENERATED, "grades": [{"grade": "优秀", "min": 90}, {"grade": "良好", "min": 80},
                                                  {"grade": "合格", "min": 60}, {"grade": "不合格", "min": 0}],
               "agencies": agencies}
    (folder / "summary.json").write_text(json.dumps(summary, ensure_ascii=False), encoding="utf-8")
    schema = {"key": pl.String, "page": pl.String, **FINDINGS_SCHEMA}
    pl.DataFrame(findings, schema=schema).write_parquet(folder / "findings.parquet")
    return folder


def _outcome(path: Path, agency: str, year: int, new: int, fee: bool = True) -> Outcome:
    t = make_tables(zero=True)
    for row in ("1", "3.1", "3.7"):
        t["applications"][row].update(natural_person=new, total=new)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = render_report(t, agency=agency, year=year)
    if not fee:
        text = text.replace("本年度未收取信息处理费。", "")
    path.write_text(text, encoding="utf-8")
    report = parse_text(text, path=str(path))
    return Outcome(str(path), report, check_report(report))


@pytest.fixture(scope="module")
def years_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, Any]]]:
    """Three years of 东区's 石桥镇, 西区's 石桥镇 of 2024 (same file name), a bureau and a street office."""
    base = tmp_path_factory.mktemp("years")
    inputs = base / "reports"
    outcomes = [
        _outcome(inputs / "东区" / "石桥镇人民政府2022.txt", "石桥镇人民政府", 2022, 3),
        _outcome(inputs / "东区" / "石桥镇人民政府2023.txt", "石桥镇人民政府", 2023, 4),
        _outcome(inputs / "东区" / "石桥镇人民政府2024.txt", "石桥镇人民政府", 2024, 5),
        _outcome(inputs / "西区" / "石桥镇人民政府2024.txt", "石桥镇人民政府", 2024, 6, fee=False),
        _outcome(inputs / "城关区财政局2023.txt", "城关区财政局", 2023, 7),
        _outcome(inputs / "城关区财政局2024.txt", "城关区财政局", 2024, 8),
        _outcome(inputs / "红星街道办事处2024.txt", "红星街道办事处", 2024, 9, fee=False),
    ]
    assert outcomes[3].report is not None
    scores = score_outcomes(outcomes)
    keys = [output_key(o.report.agency if o.report else None, o.report.year if o.report else None, o.path)
            for o in outcomes]
    contexts = batch_contexts(outcomes, scores, [f"{k}.html" for k in keys])
    records = []
    findings = []
    for o, key in zip(outcomes, keys, strict=True):
        assert o.report is not None
        counts = {s: sum(str(f.severity) == s for f in o.findings) for s in ("error", "warning", "info")}
        records.append({"key": key, "agency": o.report.agency, "year": o.report.year, "report": o.path,
                        "page": f"agencies/{key}.html", "notebook": "", "status": "ok", "error": None,
                        "errors": counts["error"], "warnings": counts["warning"], "infos": counts["info"],
                        "worst_rule": o.findings[0].rule if o.findings else None})
        findings += [{"key": key, "page": f"agencies/{key}.html", "report": o.path, "agency": o.report.agency,
                      "year": o.report.year, "rule": f.rule, "severity": str(f.severity),
                      "severity_label": SEVERITY_LABELS[str(f.severity)], "message": f.message, "cells": [],
                      "lines": []} for f in o.findings]
    entries = summary_entries(records, scores_frame(scores), {o.path: c for o, c in zip(outcomes, contexts, strict=True)})
    return write_run(base / "out", entries, findings), entries


def _visible_rows(table: str) -> list[str]:
    return [r for r in re.findall(r"<tr data-agency=[^>]*>", table) if "display:none" not in r]


def test_summary_carries_level_and_last_years_report(years_run) -> None:
    _, entries = years_run
    by = {(Path(e["report"]).parent.name, e["agency"], e["year"]): e for e in entries}
    east24, east23 = by[("东区", "石桥镇人民政府", 2024)], by[("东区", "石桥镇人民政府", 2023)]
    assert east24["level"] == "乡镇/街道" and by[("reports", "城关区财政局", 2024)]["level"] == "部门"
    # the pairing CARRY-OVER-MISMATCH and YOY-CHANGE use; the page relative to the run folder, like `page`
    # two 石桥镇 of 2024 in different folders: the name does not tell whose 2023 report 东区's is, so only
    # 东区's own 2024 report is paired with it; 西区's has none (no 2023 report in its folder)
    paired = [e for e in entries if e["prior_page"] == east23["page"]]
    assert [(Path(e["report"]).parent.name, e["year"], e["prior_name"]) for e in paired] == [
        ("东区", 2024, "石桥镇人民政府2023.txt")]
    assert by[("西区", "石桥镇人民政府", 2024)]["prior_page"] is None
    assert by[("东区", "石桥镇人民政府", 2022)]["prior_page"] is None
    assert by[("reports", "城关区财政局", 2024)]["prior_page"] == by[("reports", "城关区财政局", 2023)]["page"]


def test_year_selector_defaults_to_the_latest_year_and_counts_within_it(years_run) -> None:
    out, _ = years_run
    run = render.load_run(str(out))
    assert render.run_years(run) == [2024, 2023, 2022]
    table = render.overview_table_html(run)
    options = re.findall(r'<option value="(\d{4})"( selected)?>', table)
    assert options == [("2024", " selected"), ("2023", ""), ("2022", "")]
    visible = _visible_rows(table)
    assert len(visible) == 4 and all('data-year="2024"' in r for r in visible)
    assert "2024 年度：共 4 个机关" in table
    assert sorted(int(re.search(r'data-rank="(\d+)"', r).group(1)) for r in visible)[0] == 1  # type: ignore[union-attr]
    heading = render.overview_heading_html(run)
    assert "2024 年度共 4 个机关" in heading and "本批次共 7 份报告" in heading
    assert "生成于 2026-12-02 06:35" in heading and "T06" not in heading
    # one year, one level: counted and ranked there
    towns = render.overview_table_html(run, year=2023, level="乡镇/街道", script=False)
    assert [r for r in re.findall(r'<tr data-agency="([^"]*)"', towns)] == ["石桥镇人民政府"]
    assert "2023 年度 · 乡镇/街道：共 1 个机关" in towns and "<td class='rank' style='" in towns
    assert re.search(r"<td class='rank'[^>]*>1</td>", towns)
    every = render.overview_table_html(run, year=render.ALL_YEARS, script=False)
    assert every.count("<tr data-agency") == 7 and "全部年度：共 7 个机关" in every


def test_same_name_same_year_rows_say_which_file_or_region(years_run) -> None:
    out, _ = years_run
    run = render.load_run(str(out))
    table = render.overview_table_html(run)
    who = re.findall(r"<span class='who'[^>]*>([^<]*)</span>", table)
    assert sorted(who) == ["东区/石桥镇人民政府2024.txt", "西区/石桥镇人民政府2024.txt"]  # the file names agree
    # a region read from the report wins over the file name
    region = run.agencies.with_columns(
        pl.when(pl.col("report").str.contains("西区")).then(pl.lit("西区")).otherwise(pl.col("region")).alias("region"))
    table = render.overview_table_html(render.RunData(run.run_dir, region, run.findings, run.generated, run.grades))
    assert sorted(re.findall(r"<span class='who'[^>]*>([^<]*)</span>", table)) == ["石桥镇人民政府2024.txt", "西区"]


def test_links_open_pages_in_a_new_tab_and_show_last_years_report(years_run) -> None:
    out, entries = years_run
    table = render.overview_table_html(render.load_run(str(out)))
    links = re.findall(r"<a [^>]*>", table)
    assert links and all("target='_blank' rel='noopener'" in a and "href='agencies/" in a for a in links)
    assert all(re.search(r"href='agencies/[^']+\.html'", a) for a in links)
    east23 = next(e for e in entries if e["year"] == 2023 and e["agency"] == "石桥镇人民政府")
    prior = re.findall(r"<td class='prior'[^>]*><a href='([^']*)'[^>]*>([^<]*)</a>", table)
    assert (quote(east23["page"]), "石桥镇人民政府2023.txt") in prior


def test_widget_filters_by_year_and_level(years_run) -> None:
    out, _ = years_run
    w = widgets.build_overview(render.load_run(str(out)))
    assert w.year.value == 2024 and w.table.value.count("<tr data-agency") == 4
    w.year.value = 2023
    assert w.table.value.count("<tr data-agency") == 2
    w.level.value = "部门"
    assert re.findall(r'<tr data-agency="([^"]*)"', w.table.value) == ["城关区财政局"]
    w.year.value, w.level.value, w.agency.value = 2024, "", "西区"  # what tells a row apart is searched too
    assert re.findall(r"<span class='who'[^>]*>([^<]*)</span>", w.table.value) == ["西区/石桥镇人民政府2024.txt"]
    assert "<script" not in w.table.value


RULES = sorted(REGISTRY)[:30]


@pytest.fixture(scope="module")
def big_run(tmp_path_factory: pytest.TempPathFactory) -> render.RunData:
    """2,000 agencies of 2024 and 500 of 2023, each with 0–4 findings of 30 rules."""
    rng = random.Random(7)
    agencies, findings = [], []
    kinds = ["镇人民政府", "街道办事处", "区人民政府", "区财政局"]
    for n in range(2500):
        year = 2024 if n < 2000 else 2023
        key, name = f"a{n:04d}", f"第{n % 1700}{kinds[n % 4]}"
        picked = rng.sample(RULES, rng.randint(0, 4))
        sev = [str(REGISTRY[r].severity) for r in picked]
        score = float(100 - 5 * len(picked))
        agencies.append({"key": key, "agency": name, "year": year, "report": f"/r/{n % 3}/{name}.txt",
                         "page": f"agencies/{key}.html", "status": "ok", "errors": sev.count("error"),
                         "warnings": sev.count("warning"), "infos": sev.count("info"),
                         "worst_rule": picked[0] if picked else None, "score": score, "grade": "优秀", "rank": 1})
        findings += [{"key": key, "page": f"agencies/{key}.html", "report": f"/r/{n % 3}/{name}.txt", "agency": name,
                      "year": year, "rule": r, "severity": s, "severity_label": SEVERITY_LABELS[s], "message": "x",
                      "cells": [], "lines": []} for r, s in zip(picked, sev, strict=True)]
    return render.load_run(str(write_run(tmp_path_factory.mktemp("big"), agencies, findings)))


def test_two_thousand_agencies_render_as_one_grid_under_the_filters(big_run) -> None:
    run = big_run
    table = render.overview_table_html(run)
    with_findings = run.findings["key"].n_unique()
    rules = run.findings["rule"].n_unique()
    grid = table[table.index("<table class='heatmap'"):table.index("</table>")]
    assert grid.count("<tr class='hm'") == with_findings  # one row per agency with findings, every year
    assert grid.count("<th class='rule'") == rules and grid.count("<td") == with_findings * rules
    assert "position:sticky;top:0" in grid  # the rule labels stay in view
    hidden = len(re.findall(r"<tr class='hm'[^>]*display:none", grid))
    assert hidden == run.findings.filter(pl.col("year") == 2023)["key"].n_unique()  # the default year shrinks it
    # the filters come first, then the grid, then the table
    filters = table.index("<div class='filters'")
    assert filters < table.index("<table class='heatmap'") < table.index("<table class='overview'")
    assert table.count("<tr data-agency") == 2500 and len(_visible_rows(table)) == 2000
    assert "2024 年度：共 2000 个机关" in table
    assert "<img" not in table and "vega" not in table and "http" not in table
    assert len(table) < 2500 * 3000  # characters per agency, not a picture per agency
    # rule short names first in the filter and the grid
    rule = RULES[0]
    assert f'<option value="{rule}">{REGISTRY[rule].name}（{rule}）</option>' in table
    assert re.search(rf'data-rule="{re.escape(rule)}"[^>]*>{re.escape(REGISTRY[rule].name)}<span', grid)


def test_times_are_printed_without_t() -> None:
    assert when("2026-12-02T06:35:10") == "2026-12-02 06:35"
    assert when("") == ""
