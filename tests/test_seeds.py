"""The five bundled real reports parse to their hand-checked values and give exactly their findings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from auditlib import parse_file
from auditlib.findings import Severity
from auditlib.rules import check_report

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "examples" / "reports").glob("*.txt"))


def expected(seed: Path) -> dict:
    return json.loads((ROOT / "tests" / "expected" / f"{seed.stem}.json").read_text(encoding="utf-8"))


def test_all_five_seeds_are_bundled() -> None:
    assert len(SEEDS) == 5


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.stem[:3])
def test_seed_parses_cell_for_cell(seed: Path) -> None:
    want = expected(seed)
    got = parse_file(seed).to_dict()
    assert (got["agency"], got["year"], got["template"]) == (want["agency"], want["year"], want["template"])
    mismatches = [
        (f"{t}.{r}.{c}", got["tables"][t][r][c], v)
        for t, rows in want["tables"].items() for r, cols in rows.items() for c, v in cols.items()
        if got["tables"][t].get(r, {}).get(c, "absent") != v
    ]
    assert mismatches == []
    assert sum(len(cols) for rows in got["tables"].values() for cols in rows.values()) == 200
    assert all(got["sections"][k]["present"] for k in "123456")


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.stem[:3])
def test_seed_gives_its_findings(seed: Path) -> None:
    want = expected(seed)
    findings = check_report(parse_file(seed))
    rules = {f.rule for f in findings}
    assert set(want["must"]) <= rules
    errors = {f.rule for f in findings if f.severity is Severity.ERROR}
    assert errors <= set(want["allowed_errors"])
    assert "RULE-FAILED" not in rules


def test_fee_warning_only_where_section_six_is_silent() -> None:
    fired = {s.stem[:3] for s in SEEDS if "FEE-NOT-REPORTED" in {f.rule for f in check_report(parse_file(s))}}
    assert fired == {"002"}


def test_all_zero_tables_flagged_only_on_empty_reports() -> None:
    fired = {s.stem[:3] for s in SEEDS if "TABLE-ALL-ZERO" in {f.rule for f in check_report(parse_file(s))}}
    assert fired == {"000", "001", "002", "004"}


def test_provenance_points_at_the_printed_line() -> None:
    report = parse_file(ROOT / "examples/reports/003_4ea7538dec090386.txt")
    cell = report.cells["applications.1.total"]
    assert cell.value == 20 and cell.raw == "20"
    assert "本年新收" in cell.source and report.line_text(cell.lines[-1]).split("\t")[-2] == "20"
    review = report.cells["review_litigation.review.total"]
    assert review.value == 11 and "11" in report.line_text(review.lines[-1])


def test_provenance_in_one_cell_per_line_layout_spans_the_row() -> None:
    report = parse_file(ROOT / "examples/reports/001_8b82d1f9e6f02d87.txt")
    cell = report.cells["applications.3.3.1.total"]
    assert "国家秘密" in cell.source
    assert len(cell.lines) >= 8  # the label line and the seven value lines


def test_sections_keep_their_text_and_repair_broken_paragraphs() -> None:
    report = parse_file(ROOT / "examples/reports/002_cfd767a677591b8e.txt")
    assert "保障信息来源的准确性" in report.sections["1"].text  # "…来源的\n\n准确性" in the file
    assert "健全了监督考核" in report.sections["1"].text
    assert "对公开内容进行详细审核" in report.sections["5"].text
    assert "\n(二) 改进措施。\n" in report.sections["5"].text  # a short heading stays its own paragraph
    assert report.sections["6"].text.startswith("2024年")
