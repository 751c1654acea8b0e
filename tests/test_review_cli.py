"""`auditlib review …` on an output folder made from the seeds' findings (as a batch writes findings.parquet)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import polars as pl
import pytest
from mutate import replace_cell

from auditlib.audit import audit_paths
from auditlib.cli import main
from auditlib.findings import to_frame
from auditlib.parse import parse_text

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "examples" / "reports"
HONGQI = SEEDS / "003_4ea7538dec090386.txt"


@pytest.fixture()
def out(tmp_path: Path) -> Path:
    """An output folder whose findings.parquet holds the findings of the five seeds."""
    folder = tmp_path / "out"
    folder.mkdir()
    outcomes = audit_paths([SEEDS])
    to_frame([f for o in outcomes for f in o.findings]).write_parquet(folder / "findings.parquet")
    return folder


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = main(["review", *argv])
    except SystemExit as exc:  # argparse's usage errors
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def listed(capsys: pytest.CaptureFixture[str], out: Path, *extra: str) -> list[dict]:
    code, text, err = run(capsys, "list", "--out", str(out), "--json", *extra)
    assert code == 0, err
    return [json.loads(line) for line in text.splitlines()]


def one_chinese_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("auditlib：") and "Traceback" not in err
    return lines[0]


def test_list_set_and_history(capsys: pytest.CaptureFixture[str], out: Path) -> None:
    rows = listed(capsys, out)
    assert len(rows) == pl.read_parquet(out / "findings.parquet").height
    assert {r["status_label"] for r in rows} == {"待复核"}
    target = next(r for r in rows if r["agency"] == "佐龙镇人民政府" and r["rule"] == "TITLE-FORM")
    code, text, err = run(capsys, "set", target["key"][:6], "排除（误报）", "--note", "县里统一的标题写法",
                          "--reviewer", "张三", "--out", str(out))
    assert code == 0, err
    assert "排除（误报）" in text and "张三" in text
    code, _, err = run(capsys, "set", target["key"], "确认问题", "--reviewer", "李四", "--out", str(out))
    assert code == 0, err
    now = {r["key"]: r for r in listed(capsys, out)}[target["key"]]
    assert (now["status_label"], now["reviewer"], now["note"]) == ("确认问题", "李四", "")
    assert [r["key"] for r in listed(capsys, out, "--status", "确认问题")] == [target["key"]]
    code, text, _ = run(capsys, "history", target["key"][:5], "--out", str(out), "--json")
    history = [json.loads(line) for line in text.splitlines()]
    assert [(h["status_label"], h["reviewer"], h["source"]) for h in history] == [
        ("排除（误报）", "张三", "cli"), ("确认问题", "李四", "cli")]
    code, text, _ = run(capsys, "history", "--out", str(out))
    assert code == 0 and "县里统一的标题写法" in text and "命令行" in text
    code, text, _ = run(capsys, "list", "--out", str(out))
    assert code == 0 and "确认问题 1" in text and "佐龙镇人民政府" in text


def test_a_decision_on_a_finding_that_is_gone_is_listed_as_gone(capsys: pytest.CaptureFixture[str],
                                                                out: Path) -> None:
    target = next(r for r in listed(capsys, out) if r["rule"] == "TITLE-FORM")
    assert run(capsys, "set", target["key"], "确认问题", "--reviewer", "张三", "--out", str(out))[0] == 0
    frame = pl.read_parquet(out / "findings.parquet")
    frame.filter(pl.col("rule") != "TITLE-FORM").write_parquet(out / "findings.parquet")  # the next run
    gone = [r for r in listed(capsys, out) if not r["exists"]]
    assert [(g["key"], g["status_label"], g["decision_label"]) for g in gone] == [(target["key"], "已不存在", "确认问题")]
    assert [r["key"] for r in listed(capsys, out, "--status", "已不存在")] == [target["key"]]
    code, text, _ = run(capsys, "list", "--out", str(out))
    assert "已不存在" in text and target["message"][:10] in text


def test_correct_shows_the_printed_and_the_corrected_value(capsys: pytest.CaptureFixture[str], out: Path,
                                                           tmp_path: Path) -> None:
    text = HONGQI.read_text(encoding="utf-8")
    report_path = tmp_path / "红旗区.txt"
    report_path.write_text(replace_cell(text, parse_text(text), "applications.1.natural_person", "1"), encoding="utf-8")
    code, shown, err = run(capsys, "correct", str(report_path), "applications.1.natural_person", "16",
                           "--note", "原件印为 16", "--reviewer", "王五", "--out", str(out))
    assert code == 0, err
    assert "原文 1，人工更正为 16" in shown and "本年新收·自然人" in shown
    assert "重新核验：1 条问题（此前 3 条）" in shown
    code, shown, _ = run(capsys, "history", "--out", str(out))
    assert "单元格更正" in shown and "原文 1，人工更正为 16" in shown
    code, shown, err = run(capsys, "correct", str(report_path), "applications.1.natural_person", "--withdraw",
                           "--reviewer", "王五", "--out", str(out))
    assert code == 0, err
    assert "已撤销" in shown and "重新核验：3 条问题（此前 1 条）" in shown


@pytest.mark.parametrize(("argv", "says"), [
    (["set", "0000", "确认问题", "--reviewer", "张三"], "找不到复核编号"),
    (["set", "ab", "确认问题", "--reviewer", "张三"], "太短"),
    (["set", "{key}", "通过", "--reviewer", "张三"], "复核结论“通过”无效"),
    (["set", "{key}", "确认问题"], "复核人"),
    (["correct", str(HONGQI), "applications.1.nobody", "3", "--note", "n", "--reviewer", "张三"], "不是该报告模板中的单元格"),
    (["correct", str(HONGQI), "applications.1.total", "二十", "--note", "n", "--reviewer", "张三"], "不是数字"),
    (["correct", str(HONGQI), "applications.1.total", "-3", "--note", "n", "--reviewer", "张三"], "负数"),
    (["correct", str(HONGQI), "applications.1.total", "21", "--reviewer", "张三"], "--note"),
    (["correct", "no/such/report.txt", "applications.1.total", "21", "--note", "n", "--reviewer", "张三"], "找不到报告文件"),
    (["export"], "没有 findings.xlsx"),
    (["import", "no-such.xlsx"], "找不到文件"),
    (["list", "--status", "好"], "无效"),
    (["set", "{key}"], "缺少必需的参数：结论"),
    (["frobnicate"], "无效"),
])
def test_every_user_error_is_one_chinese_line_and_exit_2(capsys: pytest.CaptureFixture[str], out: Path,
                                                          monkeypatch: pytest.MonkeyPatch, argv: list[str],
                                                          says: str) -> None:
    monkeypatch.delenv("AUDITLIB_REVIEWER", raising=False)
    key = listed(capsys, out)[0]["key"]
    argv = [a.replace("{key}", key) for a in argv]
    code, _, err = run(capsys, *argv, *(["--out", str(out)] if argv[0] != "frobnicate" else []))
    assert code == 2
    assert says in one_chinese_line(err)


def test_a_missing_output_folder_is_one_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "list", "--out", str(tmp_path / "nowhere"))
    assert code == 2 and "不存在" in one_chinese_line(err)
    empty = tmp_path / "empty"
    empty.mkdir()
    code, _, err = run(capsys, "list", "--out", str(empty))
    assert code == 2 and "请先运行 auditlib batch" in one_chinese_line(err)


def test_the_reviewer_may_come_from_the_environment(capsys: pytest.CaptureFixture[str], out: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUDITLIB_REVIEWER", "环境里的复核人")
    key = listed(capsys, out)[0]["key"]
    assert run(capsys, "set", key, "需补充材料", "--out", str(out))[0] == 0
    assert {r["key"]: r for r in listed(capsys, out)}[key]["reviewer"] == "环境里的复核人"


def test_export_then_import_from_the_command_line(capsys: pytest.CaptureFixture[str], out: Path) -> None:
    from openpyxl import Workbook, load_workbook

    # A findings.xlsx shaped like the batch's sheet (its 问题清单 columns), from the parquet.
    frame = pl.read_parquet(out / "findings.parquet")
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "问题清单"
    sheet.append(["机关", "年度", "级别", "规则", "问题说明", "涉及单元格", "报告文件"])
    for r in frame.iter_rows(named=True):
        sheet.append([r["agency"], r["year"], r["severity_label"], r["rule"], r["message"], ";".join(r["cells"]),
                      r["report"]])
    book.save(out / "findings.xlsx")
    code, text, err = run(capsys, "export", "--out", str(out))
    assert code == 0 and "复核列" in text, err
    book = load_workbook(out / "findings.xlsx")
    sheet = book["问题清单"]
    header = [c.value for c in sheet[1]]
    sheet.cell(row=3, column=header.index("复核结论") + 1, value="确认问题")
    sheet.cell(row=4, column=header.index("复核结论") + 1, value="排除")
    book.save(out / "bad.xlsx")
    code, _, err = run(capsys, "import", str(out / "bad.xlsx"), "--out", str(out))
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 3  # one line per bad row, then what happened
    assert "第 3 行" in lines[0] and "第 4 行" in lines[1] and "整个文件未导入" in lines[2]
    sheet.cell(row=3, column=header.index("复核人") + 1, value="吴十")
    sheet.cell(row=4, column=header.index("复核人") + 1, value="吴十")
    book.save(out / "good.xlsx")
    code, text, err = run(capsys, "import", str(out / "good.xlsx"), "--out", str(out))
    assert code == 0 and "2 条复核结论有变化" in text, err
    assert sorted(r["status_label"] for r in listed(capsys, out) if r["reviewer"] == "吴十") == ["排除（误报）", "确认问题"]
    shutil.rmtree(out)
