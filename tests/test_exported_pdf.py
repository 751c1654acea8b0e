"""The national template filled in with six cells left empty and saved as PDF by LibreOffice
(tests/exported/, made by scripts/export_template.py): the PDF's text prints nothing for an empty
cell, so its rows cannot place their numbers; the tables' ruling lines can (ingest/pdf_grid.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from auditlib import ingest
from auditlib.audit import check_report
from auditlib.model import CellStatus
from auditlib.parse import parse_document, parse_file

EXPORTED = Path(__file__).parent / "exported"
PDFS = sorted(EXPORTED.glob("*.pdf"))


def truth(pdf: Path) -> dict[str, int | float | None]:
    return json.loads(pdf.with_suffix(".truth.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("pdf", PDFS, ids=lambda p: p.stem)
def test_text_layer_alone_leaves_the_rows_with_an_empty_cell_unknown_never_guessed(pdf: Path) -> None:
    report = parse_document(ingest.read_document(pdf))
    want = truth(pdf)
    read = {p: report.cells[p] for p in want}
    assert [p for p, c in read.items() if c.value is not None and c.value != want[p]] == []
    assert {read[p].status for p, v in want.items() if v is None} == {CellStatus.UNPLACED}


@pytest.mark.parametrize("pdf", PDFS, ids=lambda p: p.stem)
def test_ruling_lines_place_every_number_and_the_empty_cells_are_blank(pdf: Path) -> None:
    report = parse_file(pdf)
    want = truth(pdf)
    assert {p: report.cells[p].value for p in want} == want
    blank = sorted(p for p, v in want.items() if v is None)
    assert len(blank) == 6 and {report.cells[p].status for p in blank} == {CellStatus.BLANK}
    assert any("按表格线重新读取" in n for n in report.notes)
    assert (report.agency, report.year, report.template) == ("青山镇人民政府", 2024, "2021")
    assert all(report.sections[k].present for k in "123456")
    where = report.cells["applications.1.total"].where
    assert where.startswith("第2页表") and where.endswith("行"), where
    findings = check_report(report)
    assert sorted({c for f in findings if f.rule == "CELL-BLANK" for c in f.cells}) == blank
    assert not [f for f in findings if f.rule == "CELL-MISSING"]


def test_a_pdf_whose_text_reads_every_cell_is_not_read_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """The agencies' own PDFs (tests/real) read every cell from their text: the second reading is not made."""
    from auditlib import ingest

    def fail(data: bytes) -> None:
        raise AssertionError("read again")

    monkeypatch.setitem(ingest.GRID_READERS, "pdf", fail)
    report = parse_file(Path(__file__).parent / "real" / "huaian-2024.pdf")
    assert not any("表格线" in n for n in report.notes)
