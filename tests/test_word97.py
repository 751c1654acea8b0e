"""Word 97–2003 .doc files (ingest/doc.py): the national template filled in, six cells left empty, saved
as .doc by LibreOffice (tests/exported/, scripts/export_template.py), read cell by cell against the
values written in; damaged files give one Chinese reason, never a traceback."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from exported_fixtures import EXPORTED, assert_reads_the_template, truth

from auditlib.audit import check_report
from auditlib.ingest import UnreadableError, read_document
from auditlib.parse import parse_file

DOCS = sorted(EXPORTED.glob("template-blank-cells-*.doc"))
TRACKED = EXPORTED / "template-tracked-changes.doc"


def test_the_fixtures_are_word_97_files() -> None:
    assert len(DOCS) == 2
    assert all(p.read_bytes()[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" for p in DOCS)


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.stem)
def test_every_value_of_a_doc_is_read_and_empty_cells_are_blank(doc: Path) -> None:
    report = parse_file(doc)
    assert_reads_the_template(report, doc, "doc")
    cell = report.cells["applications.1.total"]
    assert cell.where == "表2第4行" and cell.source.startswith("一、本年新收政府信息公开申请数量\t")


def test_paragraphs_and_rows_are_lines_in_document_order() -> None:
    lines = read_document(DOCS[0]).lines
    texts = [line.text for line in lines]
    assert texts.index("一、总体情况") < texts.index("二、主动公开政府信息情况") < texts.index("规章\t0\t0\t0")
    assert texts[texts.index("规章\t0\t0\t0") + 4].startswith("行政许可\t")
    assert not any("\r" in t or "\x07" in t or "\n" in t for t in texts)
    assert lines[1].where == "第2段" and lines[1].text.endswith("年度报告")


def test_a_doc_saved_under_docx_is_read_with_a_note(tmp_path: Path) -> None:
    path = tmp_path / "report.docx"
    path.write_bytes(DOCS[0].read_bytes())
    doc = read_document(path)
    assert doc.format == "doc" and any("旧版 Word" in n for n in doc.notes)


def test_damaged_doc_files_give_one_reason_never_a_traceback(tmp_path: Path) -> None:
    """Bytes changed at random over the whole file (its FIB, piece table, FKPs and text): each copy is
    read or refused with UnreadableError, whatever the damage."""
    data = DOCS[1].read_bytes()
    rng = random.Random(0)
    outcomes: dict[str, int] = {}
    for n in range(150):
        damaged = bytearray(data)
        for _ in range(rng.choice((1, 4, 32))):
            damaged[rng.randrange(512 if n % 3 else 0, len(damaged))] = rng.randrange(256)
        path = tmp_path / f"d{n}.doc"
        path.write_bytes(bytes(damaged))
        try:
            read_document(path)
            outcomes["read"] = outcomes.get("read", 0) + 1
        except UnreadableError as exc:
            assert any("\u4e00" <= ch <= "\u9fff" for ch in str(exc))
            outcomes["refused"] = outcomes.get("refused", 0) + 1
    assert sum(outcomes.values()) == 150 and outcomes.get("read", 0) > 0


def test_an_excel_file_named_doc_is_named_for_what_it_is(tmp_path: Path) -> None:
    import olefile

    assert olefile.isOleFile(DOCS[0])
    data = DOCS[0].read_bytes()
    # The same container with its WordDocument stream renamed: a directory entry starts with its name
    # (64 bytes of UTF-16) and then the name's length in bytes, its terminator counted.
    at = data.index("WordDocument".encode("utf-16-le"))
    name = "Workbook".encode("utf-16-le") + b"\0\0"
    renamed = data[:at] + name.ljust(64, b"\0") + len(name).to_bytes(2, "little") + data[at + 66:]
    path = tmp_path / "sheet.doc"
    path.write_bytes(renamed)
    with pytest.raises(UnreadableError, match=r"Excel 工作簿（\.xls）"):
        read_document(path)


def test_an_encrypted_doc_asks_for_the_password_to_be_removed(tmp_path: Path) -> None:
    data = bytearray(DOCS[0].read_bytes())
    fib = data.index(b"\xec\xa5")  # the FIB opens the WordDocument stream (wIdent 0xA5EC)
    assert fib % 512 == 0
    data[fib + 0x0B] |= 0x01  # FibBase.fEncrypted (bit 8 of the flags at 0x0A)
    path = tmp_path / "locked.doc"
    path.write_bytes(bytes(data))
    with pytest.raises(UnreadableError, match="已加密"):
        read_document(path)


def test_tracked_deletions_are_left_out_as_word_shows_the_accepted_text() -> None:
    """Saved with its changes not accepted, the .doc still holds the old figures (9999 before three totals,
    one new figure a tracked insertion) and a deleted sentence claiming 8888 applications: they are not
    read, so no cell reads 99999 and no sentence disagrees with the tables."""
    report = parse_file(TRACKED)
    assert {p: report.cells[p].value for p in truth(TRACKED)} == truth(TRACKED)
    assert not any("9999" in line.text or "8888" in line.text for line in report.lines)
    assert "本年度未收取信息处理费。" in report.sections["1"].text
    assert not [f for f in check_report(report) if f.rule == "TEXT-TABLE-MISMATCH"]


def test_a_wps_file_in_the_word_97_format_is_read_as_one(tmp_path: Path) -> None:
    path = tmp_path / "青山镇.wps"  # WPS 文字 saves .wps files in the Word 97–2003 binary format
    path.write_bytes(DOCS[0].read_bytes())
    report = parse_file(path)
    assert report.format == "doc"
    assert {p: report.cells[p].value for p in truth(DOCS[0])} == truth(DOCS[0])


def test_an_early_wps_file_asks_to_be_saved_as_docx(tmp_path: Path) -> None:
    path = tmp_path / "青山镇.wps"  # WPS 2000's own binary format: neither OLE nor a zip
    path.write_bytes(b"\xff\x00WPS2000" + bytes(range(256)) * 4)
    with pytest.raises(UnreadableError, match="早期 WPS 文字格式.*另存为” .docx"):
        read_document(path)


def test_a_folder_lists_report_formats_it_cannot_read_with_what_to_do(tmp_path: Path) -> None:
    from auditlib.audit import audit_paths

    (tmp_path / "a.wps").write_bytes(DOCS[0].read_bytes())
    (tmp_path / "b.7z").write_bytes(b"7z\xbc\xaf\x27\x1c")
    (tmp_path / "c.zip").write_bytes(b"PK\x05\x06" + bytes(18))
    (tmp_path / "d.RAR").write_bytes(b"Rar!\x1a\x07\x00")
    (tmp_path / "统计.xlsx").write_bytes(b"PK\x03\x04 an inspector's own sheet")  # not a report format: not listed
    outcomes = {Path(o.path).name: o for o in audit_paths([tmp_path])}
    assert sorted(outcomes) == ["a.wps", "b.7z", "c.zip", "d.RAR"]
    assert outcomes["a.wps"].report is not None
    reasons = {name: [f.message for f in o.findings if f.rule == "UNREADABLE"] for name, o in outcomes.items()}
    assert all("解压" in reasons[name][0] for name in ("b.7z", "c.zip", "d.RAR"))
    assert not reasons["a.wps"]
