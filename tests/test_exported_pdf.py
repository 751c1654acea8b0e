"""The national template filled in with six cells left empty and saved as PDF by LibreOffice
(tests/exported/, made by scripts/export_template.py): the PDF's text prints nothing for an empty
cell, so its rows cannot place their numbers; the tables' ruling lines can (ingest/pdf_grid.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from exported_fixtures import EXPORTED, assert_reads_the_template, truth

from auditlib import ingest
from auditlib.model import CellStatus
from auditlib.parse import parse_document, parse_file

PDFS = sorted(EXPORTED.glob("*.pdf"))


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
    assert_reads_the_template(report, pdf, "pdf")
    assert any("按表格线重新读取" in n for n in report.notes)
    where = report.cells["applications.1.total"].where
    assert where.startswith("第2页表") and where.endswith("行"), where


def test_a_pdf_whose_text_reads_every_cell_is_not_read_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """The agencies' own PDFs (tests/real) read every cell from their text: the second reading is not made."""
    from auditlib import ingest

    def fail(data: bytes) -> None:
        raise AssertionError("read again")

    monkeypatch.setitem(ingest.GRID_READERS, "pdf", fail)
    report = parse_file(Path(__file__).parent / "real" / "huaian-2024.pdf")
    assert not any("表格线" in n for n in report.notes)
