"""The JupyterLab review controls write the same store as the command line (clicked without a kernel)."""

from __future__ import annotations

from pathlib import Path

from mutate import replace_cell

from auditlib.parse import parse_file, parse_text
from auditlib.review import Status, finding_key, open_store
from auditlib.review.panel import ReviewPanel
from auditlib.rules import check_report

ROOT = Path(__file__).resolve().parent.parent
HONGQI = ROOT / "examples" / "reports" / "003_4ea7538dec090386.txt"
CELL = "applications.1.natural_person"


def _misread(tmp_path: Path):
    text = HONGQI.read_text(encoding="utf-8")
    path = tmp_path / "红旗区.txt"
    path.write_text(replace_cell(text, parse_text(text), CELL, "1"), encoding="utf-8")
    report = parse_file(path)
    return report, next(f for f in check_report(report) if f.rule == "APP-BALANCE")


def test_the_buttons_record_a_decision_with_note_and_reviewer(tmp_path: Path) -> None:
    report, finding = _misread(tmp_path)
    panel = ReviewPanel(tmp_path, report)
    panel.show(finding)
    assert "待复核" in panel.current.value
    panel.note.value = "解析误读"
    panel.buttons[Status.DISMISSED].click()
    assert "复核人" in panel.message.value  # no reviewer yet: refused, nothing written
    with open_store(tmp_path) as store:
        assert store.history() == []
    panel.reviewer.value = "张三"
    panel.buttons[Status.DISMISSED].click()
    assert "排除（误报）" in panel.current.value and "张三" in panel.current.value
    with open_store(tmp_path) as store:
        [d] = store.history(finding_key(finding))
    assert (d.status, d.note, d.reviewer, d.source) == (Status.DISMISSED, "解析误读", "张三", "widget")


def test_the_correction_field_records_the_value_and_shows_the_printed_one(tmp_path: Path) -> None:
    report, finding = _misread(tmp_path)
    panel = ReviewPanel(tmp_path, report, reviewer="李四")
    panel.show(finding)
    assert CELL in [value for _, value in panel.cell.options]
    panel.cell.value = CELL
    panel.value.value = "16"
    panel.correct_button.click()
    assert "依据" in panel.message.value  # a correction needs its reason
    panel.note.value = "原件印为 16"
    panel.value.value = "十六"
    panel.correct_button.click()
    assert "不是数字" in panel.message.value
    panel.value.value = "16"
    panel.correct_button.click()
    assert "原文 1，人工更正为 16" in panel.message.value
    with open_store(tmp_path) as store:
        assert store.corrections_for(report)[CELL].value == 16


def test_the_drilldown_embeds_the_panel_on_the_chosen_finding(tmp_path: Path) -> None:
    from auditlib import widgets
    from auditlib.render import agency_page

    page = agency_page(str(ROOT / "examples" / "reports" / "002_cfd767a677591b8e.txt"), run_dir=str(tmp_path))
    assert widgets.build_drilldown(page.frame, page.report).panel is None  # no run folder: nothing to record into
    drill = widgets.build_drilldown(page.frame, page.report, 40, page.outcome.findings, str(tmp_path), reviewer="王五")
    assert drill.panel is not None and drill.panel in drill.children
    drill.rule.value = "SEC5-NO-RECTIFY"
    chosen = drill.selected()
    assert chosen is not None and chosen.rule == "SEC5-NO-RECTIFY" and drill.panel.finding is chosen
    drill.panel.note.value = "第五部分已说明整改"
    drill.panel.buttons[Status.DISMISSED].click()
    with open_store(tmp_path) as store:
        [d] = store.history(finding_key(chosen))
    assert (d.status, d.reviewer) == (Status.DISMISSED, "王五")
    drill.rule.value = ""
    drill.finding.value = drill.finding.options[0][1]  # the most severe finding, not SEC5-NO-RECTIFY (an info)
    assert drill.panel.finding is drill.selected() and drill.panel.finding is not chosen
    assert "待复核" in drill.panel.current.value
