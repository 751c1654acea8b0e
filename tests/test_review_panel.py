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
