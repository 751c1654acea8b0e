"""Readings shared by several rules (registry.per_report) belong to one report: checking reports in
turn, or the same report again, gives each report its own findings."""

from __future__ import annotations

from pathlib import Path

from auditlib import parse_file
from auditlib.model import Report
from auditlib.rules import check_report
from auditlib.rules.registry import per_report
from auditlib.rules.tables import assessments

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "examples" / "reports").glob("*.txt"))


def test_interleaved_reports_keep_their_own_findings() -> None:
    reports = [parse_file(p) for p in SEEDS[:3]]
    alone = [check_report(parse_file(p)) for p in SEEDS[:3]]
    assert len({tuple(f.message for f in found) for found in alone}) == 3  # the seeds differ
    for _ in range(2):
        assert [check_report(r) for r in reports] == alone
    assert check_report(reports[1]) == alone[1]


def test_a_shared_reading_is_computed_once_per_report() -> None:
    calls: list[str] = []

    @per_report
    def path_of(report: Report) -> str:
        calls.append(report.path)
        return report.path

    a, b = (parse_file(p) for p in SEEDS[:2])
    assert [path_of(a), path_of(a), path_of(b), path_of(a)] == [a.path, a.path, b.path, a.path]
    assert calls == [a.path, b.path, a.path]
    assert assessments(a) is assessments(a)
