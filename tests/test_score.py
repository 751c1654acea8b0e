"""Scores: the rubric's arithmetic, each deduction traceable to its findings, the CLI's JSON contract."""

from __future__ import annotations

import json
import random
from pathlib import Path

import polars as pl
import pytest
import yaml
from builders import build

from auditlib.audit import Outcome, audit_paths
from auditlib.cli import main
from auditlib.findings import Finding, Severity
from auditlib.rubric import DEFAULT_RUBRIC, RubricError, load_rubric, parse_rubric
from auditlib.rules import CORPUS_RULES, RULE_FAILED, RULES
from auditlib.rules.registry import PUBLISH_LATE
from auditlib.score import (
    ScoreContext,
    add_scores,
    deductions_frame,
    grade_counts,
    score_outcomes,
    score_report,
    scores_frame,
)

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "examples" / "reports"
RUBRIC = load_rubric()
ALL = ScoreContext(prior_year=True, peers=True)


def f(rule: str, severity: Severity = Severity.WARNING) -> Finding:
    return Finding("r.txt", "青山镇人民政府", rule, severity, f"{rule} 的说明", (), (), 2024)


def by_item(score) -> dict[str, float]:  # type: ignore[no-untyped-def]
    return {d.item: d.points for d in score.deductions}


# --- the rubric file -------------------------------------------------------------------------------

def test_rubric_items_and_points() -> None:
    assert {i.name: i.points for i in RUBRIC.items} == {
        "发布及时": 10, "格式规范": 15, "表格完整": 10, "表格勾稽": 25, "文表一致": 10, "跨年度衔接": 10,
        "问题整改与原创": 15, "信息处理费": 5}
    assert sum(i.points for i in RUBRIC.items) == RUBRIC.total == 100
    assert [g for g, _ in RUBRIC.grades] == ["优秀", "良好", "合格", "不合格"]


def test_every_rule_the_rubric_names_exists() -> None:
    known = set(RULES) | set(CORPUS_RULES) | {PUBLISH_LATE, "UNREADABLE", RULE_FAILED}
    named = set(RUBRIC.rules) | set(RUBRIC.not_scored) | set(RUBRIC.fatal_rules)
    assert named <= known, named - known


def test_the_rubric_explains_itself_in_chinese() -> None:
    text = DEFAULT_RUBRIC.read_text(encoding="utf-8")
    for basis in ("鲤城", "佳木斯", "domain.md §3", "第四十九条"):
        assert basis in text


@pytest.mark.parametrize("change, problem", [
    (lambda d: d["items"][0].update(points=11), "不等于总分"),
    (lambda d: d["items"][1]["rules"].update({"FEE-NOT-REPORTED": 1}), "同时出现在"),
    (lambda d: d["items"][1]["rules"].update({"TITLE-FORM": -2}), "非负数"),
    (lambda d: d.update(grades=[{"grade": "合格", "min": 60}, {"grade": "优秀", "min": 90}]), "从高到低"),
    (lambda d: d["items"][5].update(needs="moon"), "needs"),
])
def test_malformed_rubrics_are_refused(change, problem: str) -> None:  # type: ignore[no-untyped-def]
    data = yaml.safe_load(DEFAULT_RUBRIC.read_text(encoding="utf-8"))
    change(data)
    with pytest.raises(RubricError, match=problem):
        parse_rubric(data)


# --- arithmetic --------------------------------------------------------------------------------------

def test_no_findings_is_full_marks() -> None:
    s = score_report([], RUBRIC, context=ALL)
    assert (s.score, s.grade, s.deductions) == (100, "优秀", ())


def test_points_per_finding_and_item_cap() -> None:
    findings = [f("TITLE-FORM"), *(f("TEXT-TABLE-MISMATCH", Severity.ERROR) for _ in range(3)), f("FEE-NOT-REPORTED")]
    s = score_report(findings, RUBRIC, context=ALL)
    assert by_item(s) == {"格式规范": -2, "文表一致": -10, "信息处理费": -5}
    assert s.score == 83 and s.grade == "良好"
    text = next(d for d in s.deductions if d.item == "文表一致")
    assert text.findings == (1, 2, 3) and text.rules == ("TEXT-TABLE-MISMATCH",) and "为限" in text.note


def test_any_error_in_the_arithmetic_group_zeroes_it() -> None:
    s = score_report([f("AD-IN-FORCE"), f("APP-BALANCE", Severity.ERROR)], RUBRIC, context=ALL)
    (d,) = s.deductions
    assert (d.item, d.points, d.rules, d.findings) == ("表格勾稽", -25, ("APP-BALANCE", "AD-IN-FORCE"), (0, 1))
    assert "不得分" in d.note and s.score == 75
    only_warning = score_report([f("AD-IN-FORCE")], RUBRIC, context=ALL)
    assert by_item(only_warning) == {"表格勾稽": -3}


def test_a_rule_can_have_its_own_cap() -> None:
    missing = f("CELL-MISSING", Severity.ERROR)
    assert by_item(score_report([missing] * 4 + [f("CELL-BLANK")], RUBRIC, context=ALL)) == {"表格完整": -9}
    assert by_item(score_report([missing] * 6, RUBRIC, context=ALL)) == {"表格完整": -10}  # the rule's max
    s = score_report([missing] * 6 + [f("CELL-BLANK")], RUBRIC, context=ALL)  # 10 + 1, the item's cap
    assert by_item(s) == {"表格完整": -10} and s.deductions[0].findings == tuple(range(7))


def test_a_rule_cap_below_the_item_cap_binds_first() -> None:
    data = yaml.safe_load(DEFAULT_RUBRIC.read_text(encoding="utf-8"))
    data["items"][2]["rules"]["CELL-MISSING"] = {"points": 2, "max": 4}
    rubric = parse_rubric(data)
    missing = f("CELL-MISSING", Severity.ERROR)
    assert by_item(score_report([missing] * 3, rubric, context=ALL)) == {"表格完整": -4}
    assert by_item(score_report([missing] * 3 + [f("CELL-BLANK")] * 2, rubric, context=ALL)) == {"表格完整": -6}
    assert by_item(score_report([missing], rubric, context=ALL)) == {"表格完整": -2}


def test_every_point_lost_is_listed() -> None:
    """score = 100 + Σ deductions, and each deduction names rules that were found, for random findings."""
    rng = random.Random(5)
    rules = [r.rule for item in RUBRIC.items for r in item.rules if r.rule != PUBLISH_LATE] + ["TABLE-ALL-ZERO"]
    for _ in range(300):
        findings = [f(rng.choice(rules), rng.choice(list(Severity))) for _ in range(rng.randint(0, 12))]
        s = score_report(findings, RUBRIC, context=ALL)
        assert s.score == pytest.approx(100 + sum(d.points for d in s.deductions) + sum(c.points for c in s.caps))
        for d in s.deductions:
            assert d.points < 0 and set(d.rules) == {findings[k].rule for k in d.findings}
            item = next(i for i in RUBRIC.items if i.name == d.item)
            assert -d.points <= item.points
        assert s.grade == RUBRIC.grade(s.score)


def test_info_rules_listed_as_not_scored_deduct_nothing() -> None:
    s = score_report([f("TABLE-ALL-ZERO", Severity.INFO), f("SUM-NOT-ASSESSED", Severity.INFO)], RUBRIC, context=ALL)
    assert s.score == 100 and s.unscored == ()
    assert score_report([f("SOME-NEW-RULE")], RUBRIC, context=ALL).unscored == ("SOME-NEW-RULE",)


@pytest.mark.parametrize("score, grade", [(100, "优秀"), (90, "优秀"), (89.5, "良好"), (80, "良好"),
                                          (79, "合格"), (60, "合格"), (59.5, "不合格"), (0, "不合格")])
def test_grade_bands(score: float, grade: str) -> None:
    assert RUBRIC.grade(score) == grade


def test_unreadable_scores_zero_with_every_item_listed() -> None:
    s = score_report([f("UNREADABLE", Severity.ERROR)], RUBRIC)
    assert s.score == 0 and s.grade == "不合格"
    assert sum(d.points for d in s.deductions) == -100 and all(d.rules == ("UNREADABLE",) for d in s.deductions)


# --- what cannot be assessed is not deducted, and the score says so ---------------------------------------

def test_cross_year_and_copy_checks_unassessed_without_the_other_reports() -> None:
    s = score_report([], RUBRIC)
    assert s.score == 100
    # a rule is named as the pages name it: the Chinese short name, then the ID
    assert s.unassessed == (("发布及时", "未取得发布日期"), ("跨年度衔接", "本批次没有该机关上一年度的报告"),
                            ("问题整改与原创·照搬上年（COPY-PRIOR）", "本批次没有该机关上一年度的报告"),
                            ("问题整改与原创·与他人雷同（COPY-PEER）", "本批次没有同年度其他机关的报告"))
    assert dict(score_report([], RUBRIC, context=ALL).unassessed).keys() == {"发布及时"}


def test_a_finding_proves_its_check_was_assessed() -> None:
    s = score_report([f("CARRY-OVER-MISMATCH")], RUBRIC)
    assert by_item(s) == {"跨年度衔接": -10} and "跨年度衔接" not in dict(s.unassessed)


def test_timeliness_from_a_publication_date() -> None:
    late = build(agency="青山镇人民政府", year=2024)
    late.extra["published"] = "2025-04-10"
    s = score_report([], RUBRIC, late, ALL)
    (d,) = s.deductions
    assert (d.item, d.points, d.rules, d.findings) == ("发布及时", -10, (PUBLISH_LATE,), ())
    assert "2025-03-31" in d.note and s.unassessed == ()
    on_time = build(agency="城关区财政局", year=2024)
    on_time.extra["published"] = "2025-01-20"
    assert score_report([], RUBRIC, on_time, ALL).deductions == ()
    department_late = build(agency="城关区财政局", year=2024)
    department_late.extra["published"] = "2025-02-03"
    assert by_item(score_report([], RUBRIC, department_late, ALL)) == {"发布及时": -10}


# --- the JSON contract, the CLI and the frames for notebooks -------------------------------------------------

def test_json_is_the_spec_shape() -> None:
    s = score_report([f("APP-BALANCE", Severity.ERROR)], RUBRIC, context=ALL)
    d = s.to_dict()
    assert list(d)[:6] == ["report", "agency", "year", "score", "grade", "deductions"]
    assert d["deductions"] == [{"item": "表格勾稽", "points": -25, "rules": ["APP-BALANCE"]}]
    assert d["score"] == 75 and isinstance(d["score"], int)


def test_cli_score_json_on_the_seeds(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["score", str(SEEDS), "--json"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [Path(d["report"]).name[:3] for d in lines] == ["000", "001", "002", "003", "004"]
    for d in lines:
        assert {"report", "agency", "year", "score", "grade", "deductions"} <= set(d)
        assert d["score"] == 100 + sum(x["points"] for x in d["deductions"]) + sum(c["points"] for c in d["caps"])
    seed002 = lines[2]
    assert {"item": "信息处理费", "points": -5, "rules": ["FEE-NOT-REPORTED"]} in seed002["deductions"]


def test_cli_score_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["score", str(SEEDS)]) == 0
    out = capsys.readouterr().out
    assert "名次" in out and "刘家塔镇人民政府" in out and "共评分 5 份" in out


def test_cli_score_refuses_a_bad_rubric(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "rubric.yaml"
    bad.write_text("items: []\ngrades: []\n", encoding="utf-8")
    assert main(["score", str(SEEDS), "--rubric", str(bad)]) == 2
    assert "不等于总分" in capsys.readouterr().err


def test_unreadable_file_in_a_batch(tmp_path: Path) -> None:
    (tmp_path / "x.txt").write_text("这不是年度报告。", encoding="utf-8")
    (score,) = score_outcomes(audit_paths([tmp_path]), RUBRIC)
    assert score.report.endswith("x.txt") and score.score == 0


@pytest.fixture(scope="module")
def outcomes() -> list[Outcome]:
    return audit_paths([SEEDS])


def test_scores_frame_ranks_and_grades(outcomes: list[Outcome]) -> None:
    frame = scores_frame(outcomes)
    assert frame.columns[:7] == ["report", "agency", "year", "score", "grade", "rank", "lost"]
    assert frame["rank"].min() == 1 and frame.sort("score", descending=True)["rank"].to_list() == [1, 2, 2, 2, 5]  # three all-zero townships capped at 89
    counts = grade_counts(frame)
    assert counts["grade"].to_list() == ["优秀", "良好", "合格", "不合格"] and counts["count"].sum() == 5


def test_deductions_link_to_their_findings(outcomes: list[Outcome]) -> None:
    frame = deductions_frame(outcomes)
    assert frame.height
    for row in frame.iter_rows(named=True):
        outcome = next(o for o in outcomes if o.path == row["report"])
        assert [outcome.findings[k].rule for k in row["findings"]] and \
            {outcome.findings[k].rule for k in row["findings"]} == set(row["rules"])
        assert row["messages"] == [outcome.findings[k].message for k in row["findings"]]


def test_add_scores_to_exported_findings(outcomes: list[Outcome]) -> None:
    from auditlib.findings import to_frame

    findings = to_frame(f for o in outcomes for f in o.findings)
    assert findings.height
    joined = add_scores(findings, scores_frame(outcomes))
    assert joined.height == findings.height and {"score", "grade"} <= set(joined.columns)
    assert joined.filter(pl.col("score").is_null()).height == 0
