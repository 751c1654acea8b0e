"""Corrections applied to a report, decisions to the score and to exports, and what the pages are told."""

from __future__ import annotations

from pathlib import Path

import polars as pl
from mutate import replace_cell

from auditlib.audit import audit_file
from auditlib.findings import to_frame
from auditlib.model import CellStatus
from auditlib.parse import parse_file, parse_text
from auditlib.review import (
    REVIEW_HEADERS,
    Status,
    apply_corrections,
    correct_outcome,
    correction_text,
    effective_findings,
    exclusions,
    finding_key,
    open_store,
    record_correction,
    report_identity,
    review_columns,
    review_state,
    score_reviewed,
)
from auditlib.review.apply import STALE
from auditlib.rubric import load_rubric
from auditlib.rules import check_report
from auditlib.score import score_report

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "examples" / "reports"
HONGQI = SEEDS / "003_4ea7538dec090386.txt"  # 红旗区人民政府: a real table, no arithmetic errors
ZUOLONG = SEEDS / "001_8b82d1f9e6f02d87.txt"  # 佐龙镇人民政府: a nonstandard title (TITLE-FORM)
CELL = "applications.1.natural_person"  # printed 16


def _misread(tmp_path: Path, value: str = "1") -> Path:
    """Seed 003 as if the parser had read 16 as `value` (the text printed there is `value`)."""
    text = HONGQI.read_text(encoding="utf-8")
    path = tmp_path / "红旗区.txt"
    path.write_text(replace_cell(text, parse_text(text), CELL, value), encoding="utf-8")
    return path


def test_a_corrected_cell_keeps_what_was_printed_and_the_rules_run_on_the_correction(tmp_path: Path) -> None:
    report = parse_file(_misread(tmp_path))
    assert {"APP-ROW-TOTAL", "APP-BALANCE"} <= {f.rule for f in check_report(report)}
    with open_store(tmp_path) as store:
        record_correction(store, report, CELL, 16, "原件第 2 页印为 16", "张三")
        corrected = apply_corrections(report, store.corrections_for(report))
    cell, printed = corrected.cells[CELL], report.cells[CELL]
    assert (cell.value, cell.status) == (16, CellStatus.OK)
    assert (cell.raw, cell.lines, cell.source) == (printed.raw, printed.lines, printed.source) == (
        "1", printed.lines, printed.source)
    assert "\t1\t" in cell.source  # the printed source line is still the one shown
    assert correction_text(corrected, CELL) == "原文 1，人工更正为 16"
    assert correction_text(corrected, "applications.1.total") is None and correction_text(report, CELL) is None
    assert not {"APP-ROW-TOTAL", "APP-BALANCE"} & {f.rule for f in check_report(corrected)}
    assert report.value(CELL) == 1  # the parsed report itself is untouched


def test_a_blank_cell_corrected_is_assessed_again(tmp_path: Path) -> None:
    report = parse_file(_misread(tmp_path, ""))
    assert report.cells[CELL].status is CellStatus.BLANK
    assert "SUM-NOT-ASSESSED" in {f.rule for f in check_report(report)}
    with open_store(tmp_path) as store:
        record_correction(store, report, CELL, 16, "原件为 16", "张三")
        corrected = apply_corrections(report, store.corrections_for(report))
    assert correction_text(corrected, CELL) == "原文 空白，人工更正为 16"
    assert not {"SUM-NOT-ASSESSED", "CELL-BLANK"} & {f.rule for f in check_report(corrected)}


def test_a_correction_is_not_applied_over_a_different_printed_value(tmp_path: Path) -> None:
    misread = parse_file(_misread(tmp_path))
    with open_store(tmp_path) as store:
        record_correction(store, misread, CELL, 16, "原件为 16", "张三")
        republished = parse_file(_misread(tmp_path, "15"))  # same agency and year, now printing 15
        assert report_identity(republished) == report_identity(misread)
        applied = apply_corrections(republished, store.corrections_for(republished))
    assert applied.value(CELL) == 15 and correction_text(applied, CELL) is None
    assert [c.cell for c in applied.extra[STALE]] == [CELL]


def test_correct_outcome_rechecks_the_report(tmp_path: Path) -> None:
    outcome = audit_file(_misread(tmp_path))
    with open_store(tmp_path) as store:
        assert correct_outcome(outcome, store) is outcome  # nothing corrected: the same object
        assert outcome.report is not None
        record_correction(store, outcome.report, CELL, 16, "原件为 16", "张三")
        fixed = correct_outcome(outcome, store)
    assert "APP-BALANCE" in {f.rule for f in outcome.findings}
    assert "APP-BALANCE" not in {f.rule for f in fixed.findings}


def test_a_dismissed_finding_deducts_nothing_and_the_score_says_why(tmp_path: Path) -> None:
    rubric = load_rubric()
    outcome = audit_file(ZUOLONG)
    title = next(f for f in outcome.findings if f.rule == "TITLE-FORM")
    plain = score_report(outcome.findings, rubric, outcome.report)
    assert any("TITLE-FORM" in d.rules for d in plain.deductions)
    with open_store(tmp_path) as store:
        reviewed = effective_findings(outcome.findings, store)
        assert score_reviewed(reviewed, rubric, outcome.report) == plain  # nothing decided: the same score
        store.set_decision(finding_key(title), Status.DISMISSED, "该县统一要求的标题写法", "张三")
        reviewed = effective_findings(outcome.findings, store)
    scored = score_reviewed(reviewed, rubric, outcome.report)
    assert not any("TITLE-FORM" in d.rules for d in scored.deductions)
    # TITLE-FORM deducts 2 in parameters/rubric.yaml; 佐龙镇's tables are all 0, so its grade cap (89) holds
    assert scored.score == plain.score == 89 and scored.caps[0].points == plain.caps[0].points - 2
    for d in scored.deductions:  # indices still point into the page's full list of findings
        assert all(not reviewed[k].dismissed for k in d.findings)
        assert {reviewed[k].finding.rule for k in d.findings} <= set(d.rules)
    [why] = exclusions(reviewed)
    assert "TITLE-FORM" in why and "排除（误报）" in why and "张三" in why and "该县统一要求的标题写法" in why


def test_a_confirmed_finding_still_deducts(tmp_path: Path) -> None:
    rubric = load_rubric()
    outcome = audit_file(ZUOLONG)
    title = next(f for f in outcome.findings if f.rule == "TITLE-FORM")
    with open_store(tmp_path) as store:
        store.set_decision(finding_key(title), Status.CONFIRMED, "", "张三")
        reviewed = effective_findings(outcome.findings, store)
    assert score_reviewed(reviewed, rubric, outcome.report) == score_report(outcome.findings, rubric, outcome.report)
    assert exclusions(reviewed) == []


def test_review_state_reports_orphans_of_its_own_agency_only(tmp_path: Path) -> None:
    hongqi, zuolong = audit_file(HONGQI), audit_file(ZUOLONG)
    misread = audit_file(_misread(tmp_path))
    balance = next(f for f in misread.findings if f.rule == "APP-BALANCE")
    with open_store(tmp_path) as store:
        store.set_decision(finding_key(balance), Status.CONFIRMED, "合计不符", "张三", finding=balance)
        # The report is fixed and re-run: the finding is gone, its decision is not.
        state = review_state(hongqi.findings, store)
        assert [d.message for d in state.orphans] == [balance.message]
        assert state.counts()["已不存在"] == 1
        assert review_state(zuolong.findings, store).orphans == ()
        assert hongqi.report is not None
        scoped = review_state([], store, [(hongqi.report.agency, hongqi.report.year)])
        assert len(scoped.orphans) == 1  # a page with no findings still shows its orphans
        assert review_state(misread.findings, store).orphans == ()
        assert {r.status for r in review_state(misread.findings, store).findings} == {Status.PENDING,
                                                                                       Status.CONFIRMED}
    assert review_state(hongqi.findings, None).orphans == ()


def test_review_columns_give_each_finding_its_status_for_exports(tmp_path: Path) -> None:
    outcome = audit_file(ZUOLONG)
    frame = to_frame(outcome.findings)
    title = next(f for f in outcome.findings if f.rule == "TITLE-FORM")
    with open_store(tmp_path) as store:
        store.set_decision(finding_key(title), Status.NEEDS_MATERIAL, "请提供县里的通知", "李四")
        out = review_columns(frame, store)
        decisions = store.decisions()
    assert out.columns == [*frame.columns, *REVIEW_HEADERS]
    labels = dict(zip(out["rule"], out["review_status"], strict=False))
    assert labels["TITLE-FORM"] == "需补充材料" and labels["SEC5-NO-RECTIFY"] == "待复核"
    row = out.filter(pl.col("rule") == "TITLE-FORM").row(0, named=True)
    assert (row["review_note"], row["reviewer"], row["review_key"]) == ("请提供县里的通知", "李四", finding_key(title))
    flat = frame.with_columns(pl.col("cells").list.join(";"))  # as the CSV and xlsx carry them
    assert review_columns(flat, decisions)["review_key"].to_list() == out["review_key"].to_list()


def test_the_fingerprint_changes_with_this_reports_review_only(tmp_path: Path) -> None:
    """What the batch adds to its skip hash, so a changed decision regenerates that agency's page."""
    hongqi, zuolong = audit_file(HONGQI), audit_file(ZUOLONG)
    assert hongqi.report is not None and zuolong.report is not None
    with open_store(tmp_path) as store:
        first = store.fingerprint(hongqi.report), store.fingerprint(zuolong.report)
        finding = hongqi.findings[0]
        store.set_decision(finding_key(finding), Status.CONFIRMED, "", "张三", finding=finding)
        second = store.fingerprint(hongqi.report), store.fingerprint(zuolong.report)
        assert second[0] != first[0] and second[1] == first[1]
        record_correction(store, hongqi.report, CELL, 16, "原件为 16", "张三")
        third = store.fingerprint(hongqi.report), store.fingerprint(zuolong.report)
        assert third[0] != second[0] and third[1] == first[1]


def test_review_counts_give_the_overview_its_numbers_per_agency(tmp_path: Path) -> None:
    from auditlib.review import review_counts

    zuolong, hongqi = audit_file(ZUOLONG), audit_file(HONGQI)
    misread = audit_file(_misread(tmp_path))
    balance = next(f for f in misread.findings if f.rule == "APP-BALANCE")
    title = next(f for f in zuolong.findings if f.rule == "TITLE-FORM")
    frame = to_frame([*zuolong.findings, *hongqi.findings])
    with open_store(tmp_path) as store:
        store.set_decision(finding_key(title), Status.DISMISSED, "", "张三", finding=title)
        store.set_decision(finding_key(balance), Status.CONFIRMED, "", "张三", finding=balance)  # gone since
        counts = {r["agency"]: r for r in review_counts(frame, store).iter_rows(named=True)}
        assert store.fingerprint() != "d0:0-c0:0"
    assert (counts["佐龙镇人民政府"]["pending"], counts["佐龙镇人民政府"]["dismissed"]) == (len(zuolong.findings) - 1, 1)
    assert counts["佐龙镇人民政府"]["gone"] == 0
    assert (counts["红旗区人民政府"]["pending"], counts["红旗区人民政府"]["gone"]) == (len(hongqi.findings), 1)


def test_batch_scores_with_review_equal_the_plain_ones_until_something_is_dismissed(tmp_path: Path) -> None:
    from auditlib.audit import audit_paths
    from auditlib.review import score_outcomes_reviewed
    from auditlib.score import score_outcomes

    rubric = load_rubric()
    outcomes = audit_paths([SEEDS])
    plain = score_outcomes(outcomes, rubric)
    with open_store(tmp_path) as store:
        assert score_outcomes_reviewed(outcomes, store, rubric) == plain
        zuolong = next(o for o in outcomes if o.path.endswith(ZUOLONG.name))
        title = next(f for f in zuolong.findings if f.rule == "TITLE-FORM")
        store.set_decision(finding_key(title), Status.DISMISSED, "", "张三", finding=title)
        reviewed = score_outcomes_reviewed(outcomes, store, rubric)
    def uncapped(s):  # type: ignore[no-untyped-def]  # the score before 佐龙镇's all-zero grade cap
        return s.score - sum(c.points for c in s.caps)

    changed = [(a.report, uncapped(b) - uncapped(a)) for a, b in zip(plain, reviewed, strict=True) if a != b]
    assert changed == [(zuolong.path, 2)]
