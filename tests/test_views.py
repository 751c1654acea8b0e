"""The page pieces as pure functions: template-shaped tables, the drill-down, charts and widgets."""

from __future__ import annotations

import json
import re
from pathlib import Path

import altair as alt
import polars as pl
import pytest
from conftest import EVIL_AGENCY, SEEDS, write_inputs

from auditlib import charts, render, widgets
from auditlib.audit import audit_file
from auditlib.findings import Finding, Severity
from auditlib.template import TABLE_KEYS, table_spec

HONGQI = next(s for s in SEEDS if s.name.startswith("003"))  # 红旗区: real numbers in every table
ZUOLONG = next(s for s in SEEDS if s.name.startswith("001"))  # 佐龙镇: a warning and all-zero tables


@pytest.fixture(scope="module")
def evil(tmp_path_factory: pytest.TempPathFactory) -> render.AgencyPage:
    folder = write_inputs(tmp_path_factory.mktemp("inputs"))
    return render.agency_page(str(folder / "evil.txt"))


def finding(rule: str, severity: Severity, cells: tuple[str, ...] = ()) -> Finding:
    return Finding("r.txt", "某机关", rule, severity, f"{rule} 的说明", cells)


# --- tables -----------------------------------------------------------------------------------


def test_tables_follow_the_template() -> None:
    page = render.agency_page(str(HONGQI))
    html = page.tables()
    for key in TABLE_KEYS:
        assert f'id="table-{key}"' in html
    for path in page.report.cells:  # type: ignore[union-attr]
        assert f'id="cell-{path}"' in html
    apps = render.table_html(page.report, "applications")  # type: ignore[arg-type]
    assert apps.count("<tr>") == 3 + len(table_spec("2021", "applications").rows)
    assert 'rowspan="22"' in apps  # 三、本年度办理结果 spans （一）…（七）
    assert 'rowspan="8"' in apps and "（三）不予公开" in apps
    assert re.search(r'id="cell-applications\.1\.natural_person"[^>]*>16<', apps)
    ad = render.table_html(page.report, "active_disclosure")  # type: ignore[arg-type]
    assert "第二十条第（八）项" in ad and re.search(r'id="cell-active_disclosure\.licensing\.decisions"[^>]*>6935<', ad)
    rl = render.table_html(page.report, "review_litigation")  # type: ignore[arg-type]
    assert "未经复议直接起诉" in rl and re.search(r'review_litigation\.review\.total"[^>]*>11<', rl)


def test_cells_of_findings_are_highlighted_by_their_worst_severity() -> None:
    frame = render.findings_frame([
        finding("A", Severity.INFO, ("applications.1.total", "applications.2.total")),
        finding("B", Severity.ERROR, ("applications.1.total",)),
    ])
    assert render.cell_highlights(frame) == {"applications.1.total": "error", "applications.2.total": "info"}
    html = render.tables_html(audit_file(HONGQI).report, frame)
    assert re.search(r'id="cell-applications\.1\.total" class="cell hl hl-error"', html)
    assert re.search(r'id="cell-applications\.2\.total" class="cell hl hl-info"', html)
    assert len(re.findall(r'class="cell hl ', html)) == 2


def test_report_text_is_escaped_everywhere(evil: render.AgencyPage) -> None:
    assert evil.report is not None and evil.report.agency == EVIL_AGENCY
    everything = evil.heading() + evil.summary() + evil.tables() + evil.findings()
    assert "<script>" not in everything and "<img" not in everything
    assert "&lt;script&gt;alert(1)&lt;/script&gt;红旗区人民政府" in evil.heading()
    assert "&lt;script&gt;alert(3)&lt;/script&gt;" in evil.findings()


# --- findings and the drill-down ---------------------------------------------------------------


def test_select_findings_by_rule_and_severity() -> None:
    found = [finding("A", Severity.ERROR), finding("B", Severity.WARNING), finding("C", Severity.INFO),
             Finding("x", None, "UNREADABLE", Severity.ERROR, "无法读取")]
    assert [f.rule for f in render.select_findings(found)] == ["A", "B", "C", "UNREADABLE"]
    assert [f.rule for f in render.select_findings(found, min_severity="warning")] == ["A", "B", "UNREADABLE"]
    assert [f.rule for f in render.select_findings(found, rules=["C"])] == ["C", "UNREADABLE"]
    assert [f.rule for f in render.select_findings(found, exclude_rules=["A", "C"])] == ["B", "UNREADABLE"]


def test_findings_frame_orders_by_severity_with_stable_ids() -> None:
    frame = render.findings_frame([finding("Z", Severity.INFO), finding("B", Severity.ERROR), finding("A", Severity.WARNING)])
    assert frame["rule"].to_list() == ["B", "A", "Z"] and frame["id"].to_list() == [1, 2, 3]
    assert render.worst_rule(frame) == "B" and render.worst_rule(frame.head(0)) is None


def test_a_finding_drills_down_to_its_cells_and_source_lines() -> None:
    page = render.agency_page(str(ZUOLONG))
    details = {d.rule: d for d in page.details()}
    zero = next(d for d in page.details() if d.rule == "TABLE-ALL-ZERO" and d.cells[0].table == "review_litigation")
    assert zero.doc and {c.table for c in zero.cells} == {"review_litigation"}
    assert zero.lines and all(ln.number in {n for c in zero.cells for n in c.lines} for ln in zero.lines)
    html = render.finding_detail_html(zero, page.report)
    assert "本规则检查" in html and 'data-table="review_litigation"' in html and "hl-info" in html
    assert f'data-line="{zero.lines[0].number}"' in html
    section = details["SEC5-NO-RECTIFY"]
    assert section.sections == ("section.5",) and section.lines[0].number == page.report.sections["5"].line  # type: ignore[union-attr]
    capped = render.agency_page(str(ZUOLONG), max_source_lines=3).details()
    assert all(len(d.lines) <= 3 for d in capped) and any(d.omitted_lines for d in capped)


def test_static_drilldown_is_details_grouped_by_severity_and_rule() -> None:
    page = render.agency_page(str(ZUOLONG))
    html = page.findings()
    assert html.count('<details class="finding"') == page.frame.height
    assert 'data-severity="warning"' in html and 'id="rule-TITLE-FORM"' in html and 'href="#rule-TITLE-FORM"' in html
    assert html.index('data-severity="warning"') < html.index('data-severity="info"')


def test_unreadable_report_page(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    page = render.agency_page(str(empty))
    assert page.report is None and page.frame["rule"].to_list() == ["UNREADABLE"]
    assert "文件为空" in page.heading() and "无法读取" in page.tables()
    assert "文件为空" in page.findings()
    assert charts.disposition_frame(None).is_empty()


def test_findings_from_other_reports_join_the_page() -> None:
    copied = Finding("x.txt", "红旗区人民政府", "COPY-PEER", Severity.WARNING, "自拟内容与某机关雷同", ("section.5",), (74,), 2024)
    page = render.agency_page(str(HONGQI), corpus_findings=[copied.to_dict()])
    assert "COPY-PEER" in page.frame["rule"].to_list() and "自拟内容与某机关雷同" in page.findings()
    assert render.finding_from_dict(copied.to_dict()) == copied


LIUJIATA = next(s for s in SEEDS if s.name.startswith("002"))  # 刘家塔镇: 86 (良好), three items deducted


def deduction_links(html: str) -> list[tuple[str, str, str]]:
    """(deduction item, link target id, rule of the link) for every link of the 「评分」 section."""
    out = []
    for row in re.findall(r"<tr class='deduction' data-item='([^']*)'>(.*?)</tr>", html, re.S):
        for href, rule in re.findall(r'<a class="deduction-link" href="#([^"]+)" data-rule="([^"]+)"', row[1]):
            out.append((row[0], href, rule))
    return out


def test_a_page_run_by_hand_scores_its_report_alone() -> None:
    page = render.agency_page(str(LIUJIATA))
    assert page.score is not None and (page.score.score, page.score.grade) == (86, "良好")
    assert "评分：86 分（良好）" in page.heading()
    html = page.score_section()
    assert render.SINGLE_REPORT_NOTE in html and "未评" in html and "发布及时：未取得发布日期" in html
    assert [(d.item, d.points) for d in page.score.deductions] == [("格式规范", -5), ("问题整改与原创", -4),
                                                                   ("信息处理费", -5)]
    assert "<td" in html and ">−5</td>" in html and ">−4</td>" in html


def test_each_deduction_links_to_a_finding_of_its_rule_in_the_list() -> None:
    page = render.agency_page(str(LIUJIATA))
    findings = page.findings()
    links = deduction_links(page.score_section())
    assert page.score is not None and {item for item, _, _ in links} == {d.item for d in page.score.deductions}
    for item, target, rule in links:
        deduction = next(d for d in page.score.deductions if d.item == item)
        assert rule in deduction.rules
        assert re.search(rf'<details class="finding" id="{target}" data-rule="{rule}"', findings), (item, target)


def test_findings_hidden_by_the_parameters_still_count_but_are_not_linked() -> None:
    page = render.agency_page(str(LIUJIATA), exclude_rules=["TITLE-FORM"], min_severity="warning")
    html = page.score_section()
    assert page.score is not None and page.score.score == 86  # the score does not depend on what the page lists
    assert "TITLE-FORM" not in page.frame["rule"].to_list() and "按本页参数未列出" in html
    assert 'href="#rule-TITLE-FORM"' not in html and 'href="#rule-OVERVIEW-ASPECTS"' in html
    assert all(rule != "TITLE-FORM" for _, _, rule in deduction_links(html))


def test_the_batch_score_parameter_round_trips_and_is_shown() -> None:
    from auditlib.audit import audit_file
    from auditlib.rubric import load_rubric
    from auditlib.score import score_report

    outcome = audit_file(LIUJIATA)
    score = score_report(outcome.findings, load_rubric(), outcome.report)
    param = render.score_param(score)
    assert json.loads(json.dumps(param)) == param  # JSON primitives only
    back = render.score_from_param(param, score.report, score.agency, score.year)
    assert back.deductions == score.deductions and back.unassessed == score.unassessed and back.score == score.score
    given = dict(param, score=70, grade="合格")
    page = render.agency_page(str(LIUJIATA), score=given)
    assert "评分：70 分（合格）" in page.heading() and render.SINGLE_REPORT_NOTE not in page.score_section()


def test_findings_frame_knows_where_each_finding_stands() -> None:
    found = [finding("Z", Severity.INFO), finding("B", Severity.ERROR), finding("A", Severity.WARNING)]
    assert render.selected_indices(found, min_severity="warning") == [1, 2]
    frame = render.findings_frame([found[1], found[2]], [1, 2])
    assert frame.select("id", "rule", "index").rows() == [(1, "B", 1), (2, "A", 2)]
    assert render.findings_frame(found)["index"].to_list() == [1, 2, 0]


def test_unreadable_or_unscorable_pages() -> None:
    page = render.agency_page(str(ZUOLONG), rubric="/nonexistent/rubric.yaml")
    assert page.score is None and "评分：未评分" in page.heading() and "找不到评分细则" in page.score_section()


def test_grade_chart_draws_every_grade() -> None:
    counts = pl.DataFrame({"grade": ["优秀", "良好", "合格", "不合格"], "count": [3, 1, 0, 1]})
    spec = charts.grade_chart(counts).to_dict()
    bars, labels = spec["layer"]
    assert bars["encoding"]["x"]["sort"] == ["优秀", "良好", "合格", "不合格"]
    assert bars["encoding"]["color"]["scale"]["range"][-1] == "#c0392b" and labels["mark"]["type"] == "text"
    assert "评分等级" in spec["title"] and "Noto Sans CJK SC" in spec["config"]["font"]
    assert charts.grade_chart(counts.with_columns(pl.lit(0).alias("count"))).to_dict()["mark"]["type"] == "text"


def test_html_fragments_display_as_html() -> None:
    frag = render.HtmlFragment("<b>x</b>")
    assert frag._repr_html_() == "<b>x</b>" and "<b>" not in repr(frag)


# --- charts -----------------------------------------------------------------------------------


def test_disposition_frame_and_chart() -> None:
    frame = charts.disposition_frame(audit_file(HONGQI).report)
    got = {(r["applicant"], r["disposal"]): r["count"] for r in frame.iter_rows(named=True)}
    assert got[("自然人", "予以公开")] == 6 and got[("自然人", "无法提供")] == 5 and got[("其他", "予以公开")] == 4
    spec = charts.disposition_chart(frame).to_dict()
    assert spec["$schema"].startswith("https://vega.github.io/schema/vega-lite/v5")
    assert "Noto Sans CJK SC" in spec["config"]["font"]
    assert spec["params"][0]["bind"] == "legend"


def test_findings_chart_filters_the_list_by_the_clicked_rule() -> None:
    spec = charts.findings_chart(render.agency_page(str(ZUOLONG)).frame).to_dict()
    _bars, listing = spec["vconcat"]
    assert [p["name"] for p in spec["params"]] == ["rule_pick"]
    assert {"param": "rule_pick"} in [t.get("filter") for t in listing["transform"]]


def test_empty_frames_give_a_message_not_an_error() -> None:
    for chart in (charts.findings_chart(render.findings_frame([])), charts.disposition_chart(charts.disposition_frame(None))):
        assert isinstance(chart, alt.TopLevelMixin) and chart.to_dict()["mark"]["type"] == "text"


# --- widgets ----------------------------------------------------------------------------------


def test_drilldown_widget_filters_and_shows_source() -> None:
    page = render.agency_page(str(ZUOLONG))
    w = widgets.build_drilldown(page.frame, page.report)
    assert len(w.finding.options) == page.frame.height
    w.severity.value = "warning"
    assert [label for label, _ in w.finding.options] == [o for o in (f"警告｜TITLE-FORM｜{m[:70]}" for m in page.frame.filter(
        pl.col("severity") == "warning")["message"])]
    assert "TITLE-FORM" in w.detail.value
    w.severity.value = ""
    w.rule.value = "TABLE-ALL-ZERO"
    assert len(w.finding.options) == 3
    w.finding.value = w.finding.options[1][1]
    assert "本规则检查" in w.detail.value and "src-line" in w.detail.value
    w.rule.value = "SEC5-NO-RECTIFY"
    w.severity.value = "error"
    assert w.finding.options == () and "没有符合" in w.detail.value


def test_overview_shows_scores_grades_and_ranks(batch_run) -> None:
    run = render.load_run(str(batch_run.out_dir))
    assert run.grades[0] == ("优秀", 90.0) and run.agencies["rank"].min() == 1
    table = render.overview_table_html(run)
    for head in ("名次", "得分", "等级"):
        assert f">{head}<span" in table
    rows = re.findall(r'<tr data-agency="([^"]*)"[^>]*data-rank="(\d+)" data-score="([\d.]+)"', table)
    assert [int(r[1]) for r in rows] == sorted(int(r[1]) for r in rows)  # ranked by default
    assert ("刘家塔镇人民政府", "86.0") in [(r[0], r[2]) for r in rows]
    assert "评分：平均" in render.overview_heading_html(run)
    counts = render.grade_counts(run)
    assert counts["grade"].to_list() == ["优秀", "良好", "合格", "不合格"]
    assert counts["count"].sum() == len(batch_run.agencies) and counts.filter(pl.col("grade") == "不合格")["count"][0] >= 1


def test_overview_filter_widget(batch_run) -> None:
    run = render.load_run(str(batch_run.out_dir))
    w = widgets.build_overview(run)
    assert w.table.value.count("<tr data-agency") == len(batch_run.agencies)
    w.rule.value = "FEE-NOT-REPORTED"
    assert w.table.value.count("<tr data-agency") == 1 and "刘家塔镇人民政府" in w.table.value
    w.rule.value = ""
    w.agency.value = "红花集"
    assert w.table.value.count("<tr data-agency") == 2
    assert "<script" not in w.table.value


def test_overview_without_a_run_says_what_to_do(tmp_path: Path) -> None:
    run = render.load_run(str(tmp_path / "nothing"))
    assert run.empty and "auditlib batch" in render.overview_heading_html(run)
    assert "没有" in render.overview_table_html(run)


def test_findings_chart_names_each_rule_in_chinese_first() -> None:
    spec = charts.findings_chart(render.agency_page(str(ZUOLONG)).frame).to_dict()
    bars, _listing = spec["vconcat"]
    assert bars["encoding"]["y"]["field"] == "rule_label"
    data = next(iter(spec["datasets"].values()))
    assert {row["rule_label"] for row in data} >= {"标题不规范（TITLE-FORM）"}
