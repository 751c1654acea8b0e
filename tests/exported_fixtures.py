"""The national template filled in with six cells left empty (tests/exported, made by
scripts/export_template.py): the values written in, and what reading any of its exports must give."""

from __future__ import annotations

import json
from pathlib import Path

from auditlib.audit import check_report
from auditlib.model import CellStatus, Report

EXPORTED = Path(__file__).parent / "exported"


def truth(fixture: Path) -> dict[str, int | float | None]:
    """The values written into the template that `fixture` (any of its exports) was saved from."""
    return json.loads(fixture.with_suffix(".truth.json").read_text(encoding="utf-8"))


def assert_reads_the_template(report: Report, fixture: Path, fmt: str) -> None:
    """Every value as written, the six empty cells blank (CELL-BLANK on exactly those), nothing missing."""
    want = truth(fixture)
    assert report.format == fmt
    assert (report.agency, report.year, report.template) == ("青山镇人民政府", 2024, "2021")
    assert all(report.sections[k].present for k in "123456")
    assert {p: report.cells[p].value for p in want} == want
    blank = sorted(p for p, v in want.items() if v is None)
    assert len(blank) == 6 and {report.cells[p].status for p in blank} == {CellStatus.BLANK}
    findings = check_report(report)
    assert sorted({c for f in findings if f.rule == "CELL-BLANK" for c in f.cells}) == blank
    assert not [f for f in findings if f.rule in ("CELL-MISSING", "UNREADABLE")]
