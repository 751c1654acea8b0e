"""Grade caps: a missing section or three all-zero tables cannot be 优秀, the bare template fails, and
the score says why."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from builders import build, make_tables

from auditlib.audit import check_report, load
from auditlib.findings import Finding, Severity
from auditlib.rubric import DEFAULT_RUBRIC, RubricError, load_rubric, parse_rubric
from auditlib.score import ScoreContext, score_report

RUBRIC = load_rubric()
ALL = ScoreContext(prior_year=True, peers=True)
RAW = yaml.safe_load(Path(DEFAULT_RUBRIC).read_text(encoding="utf-8"))


def f(rule: str, message: str = "", severity: Severity = Severity.INFO) -> Finding:
    return Finding("r.txt", "青山镇人民政府", rule, severity, message or f"{rule} 的说明", (), (), 2024)


def test_the_default_rubric_declares_both_caps() -> None:
    assert [(c.rules, c.max_grade, c.min_count) for c in RUBRIC.grade_caps] == [
        (("SECTION-MISSING",), "合格", 1), (("TABLE-ALL-ZERO",), "良好", 3), (("TABLE-ALL-BLANK",), "不合格", 3)]
    assert RUBRIC.ceiling("优秀") == 100 and RUBRIC.ceiling("良好") == 89 and RUBRIC.ceiling("合格") == 79


def test_a_missing_section_caps_at_合格_with_the_reason() -> None:
    s = score_report([f("SECTION-MISSING", "缺少第五部分「五、存在的主要问题及改进情况」", Severity.ERROR)],
                     RUBRIC, context=ALL)
    assert (s.score, s.grade) == (79, "合格")  # 100 − 5 = 95, capped at 合格's ceiling
    assert s.cap_reason == "缺少第五部分，等级不高于合格"
    assert s.to_dict()["caps"] == [{"rules": ["SECTION-MISSING"], "max_grade": "合格",
                                    "reason": "缺少第五部分，等级不高于合格", "points": -16}]
    assert "封顶：缺少第五部分，等级不高于合格" in s.summary


def test_a_cap_never_raises_a_lower_score() -> None:
    findings = [f("SECTION-MISSING", "缺少第五部分「五、…」", Severity.ERROR),
                f("SECTION-MISSING", "缺少第六部分「六、…」", Severity.ERROR),
                f("APP-BALANCE", severity=Severity.ERROR)]
    s = score_report(findings, RUBRIC, context=ALL)
    assert (s.score, s.grade) == (65, "合格")  # 100 − 10 (two sections) − 25 (arithmetic zeroed)
    assert s.cap_reason == "缺少第五、六部分，等级不高于合格"
    assert s.caps[0].points == 0


def test_two_all_zero_tables_are_not_capped_three_are() -> None:
    two = score_report([f("TABLE-ALL-ZERO")] * 2, RUBRIC, context=ALL)
    assert (two.score, two.grade, two.caps) == (100, "优秀", ())
    three = score_report([f("TABLE-ALL-ZERO")] * 3, RUBRIC, context=ALL)
    assert (three.score, three.grade) == (89, "良好")
    assert three.cap_reason == "三张表格全部为 0，数据无从核验，等级不高于良好"


def test_built_all_zero_report_no_longer_scores_100() -> None:
    report = build(make_tables(zero=True))
    findings = check_report(report)
    assert [x.rule for x in findings if x.rule == "TABLE-ALL-ZERO"] == ["TABLE-ALL-ZERO"] * 3
    s = score_report(findings, RUBRIC, report, ALL)
    assert (s.score, s.grade) == (89, "良好")
    normal = score_report(check_report(build()), RUBRIC, build(), ALL)
    assert normal.score > s.score and normal.caps == ()


def test_built_report_without_section_five() -> None:
    report = build(drop_sections=("5",))
    s = score_report(check_report(report), RUBRIC, report, ALL)
    assert s.grade == "合格" and s.score == 79
    assert s.cap_reason == "缺少第五部分，等级不高于合格"


def test_seeds_all_zero_townships_no_longer_outrank_红旗区() -> None:
    from auditlib.audit import audit_paths
    from auditlib.score import score_outcomes, scores_frame
    seeds = Path(__file__).resolve().parent.parent / "examples" / "reports"
    scores = score_outcomes(audit_paths([seeds]))
    # before the caps: 96, 94, 86, 96, 100 (王集乡, every table 0, ranked 1st with 100)
    assert [(s.agency, s.score, s.grade) for s in scores] == [
        ("红花集镇人民政府", 89, "良好"), ("佐龙镇人民政府", 89, "良好"), ("刘家塔镇人民政府", 86, "良好"),
        ("红旗区人民政府", 96, "优秀"), ("王集乡人民政府", 89, "良好")]
    assert [len(s.caps) for s in scores] == [1, 1, 1, 0, 1]
    assert [c["points"] for s in scores for c in s.to_dict()["caps"]] == [-7, -5, 0, -11]
    assert scores_frame(scores)["rank"].to_list() == [2, 2, 5, 1, 2]


@pytest.mark.parametrize(("cap", "message"), [
    ({"rules": [], "max_grade": "合格", "reason": "x"}, "rules 应为非空"),
    ({"rules": ["SECTION-MISSING"], "max_grade": "及格", "reason": "x"}, "max_grade 只能是"),
    ({"rules": ["SECTION-MISSING"], "max_grade": "合格"}, "缺少 reason"),
    ({"rules": ["SECTION-MISSING"], "max_grade": "合格", "reason": "x", "min_count": 0}, "min_count 应为正整数"),
    ("SECTION-MISSING", "应为映射"),
])
def test_bad_caps_are_rejected_in_chinese(cap: object, message: str) -> None:
    with pytest.raises(RubricError, match=message):
        parse_rubric({**RAW, "grade_caps": [cap]})


def test_grade_caps_must_be_a_list() -> None:
    with pytest.raises(RubricError, match="grade_caps 应为列表"):
        parse_rubric({**RAW, "grade_caps": {"rules": ["X"]}})


def test_no_caps_without_grade_caps() -> None:
    bare = parse_rubric({k: v for k, v in RAW.items() if k != "grade_caps"})
    s = score_report([f("TABLE-ALL-ZERO")] * 3, bare, context=ALL)
    assert (s.score, s.grade, s.caps) == (100, "优秀", ())


def test_the_bare_national_template_fails() -> None:
    """The State Council's empty .docx published as it is: three tables without a number, placeholder text."""
    report = load(Path(__file__).parent / "real" / "template-2021-empty.docx")[0]
    assert report is not None
    findings = check_report(report)
    blank = [x for x in findings if x.rule == "TABLE-ALL-BLANK"]
    assert [len(x.cells) for x in blank] == [175, 15, 10]
    assert "CELL-BLANK" not in {x.rule for x in findings}  # one finding a table, not one a row
    s = score_report(findings, RUBRIC, report, ALL)
    assert (s.score, s.grade) == (59, "不合格")
    assert s.cap_reason == "三张统计表均未填写，等级为不合格"


def test_one_table_left_blank_is_one_finding_and_no_cap() -> None:
    tables = make_tables()
    for group in tables["review_litigation"].values():
        for column in group:
            group[column] = None
    findings = check_report(build(tables))
    assert [(x.rule, len(x.cells)) for x in findings if x.rule in ("TABLE-ALL-BLANK", "CELL-BLANK")] == [
        ("TABLE-ALL-BLANK", 15)]
    s = score_report(findings, RUBRIC, context=ALL)
    assert s.caps == () and s.grade != "不合格"
