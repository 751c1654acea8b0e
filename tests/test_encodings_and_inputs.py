"""Encodings decided by content; files that are not reports give one clear UNREADABLE finding."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from auditlib.audit import audit_paths
from auditlib.ingest import UnreadableError, decode_text
from auditlib.parse import parse_file

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "examples/reports/004_d65aec0ee04b8f9a.txt"  # has 郟, a character outside GB2312


@pytest.mark.parametrize(
    ("encoding", "prefix"),
    [("utf-8", b""), ("utf-8", codecs.BOM_UTF8), ("utf-16-le", codecs.BOM_UTF16_LE), ("utf-16-be", codecs.BOM_UTF16_BE),
     ("gb18030", b""), ("gbk", b"")],
)
def test_same_report_in_every_encoding(tmp_path: Path, encoding: str, prefix: bytes) -> None:
    text = SEED.read_text(encoding="utf-8")
    path = tmp_path / f"report-{encoding}.txt"
    path.write_bytes(prefix + text.encode(encoding))
    report, reference = parse_file(path), parse_file(SEED)
    assert report.agency == reference.agency == "王集乡人民政府"
    assert {p: c.value for p, c in report.cells.items()} == {p: c.value for p, c in reference.cells.items()}
    assert report.sections["6"].text == reference.sections["6"].text


def test_utf8_is_tried_before_gb18030() -> None:
    """GB18030 accepts most UTF-8 byte sequences and garbles them silently; UTF-8 must win."""
    data = "政府信息公开工作年度报告".encode()
    assert data.decode("gb18030").startswith("鏀垮簻")  # it would decode, to mojibake
    assert decode_text(data) == ("政府信息公开工作年度报告", "utf-8")


def test_gbk_text_is_not_mistaken_for_utf8() -> None:
    assert decode_text("政府信息公开工作年度报告".encode("gbk")) == ("政府信息公开工作年度报告", "gb18030")


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.txt", b"", "文件为空"),
        ("spaces.txt", b"  \n\n \t ", "文件为空"),
        ("binary.txt", bytes(range(256)) * 40, "二进制"),
        ("png.txt", b"\x89PNG\r\n\x1a\n" + b"\x00\x01\x02" * 500, "二进制"),
        ("notes.txt", "今天开会，讨论了明年的工作计划。\n会议纪要如下。".encode(), "不像政府信息公开工作年度报告"),
        ("latin1.txt", "Caf\xe9 cr\xe8me br\xfbl\xe9e \xff\xfe\xfd".encode("latin-1") * 50, "编码"),
    ],
)
def test_unreadable_files_say_why(tmp_path: Path, name: str, data: bytes, reason: str) -> None:
    path = _write(tmp_path, name, data)
    with pytest.raises(UnreadableError, match=reason):
        parse_file(path)


def test_huge_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as fh:
        fh.truncate(60 * 1024 * 1024)  # sparse: no 60 MB written
    with pytest.raises(UnreadableError, match="文件过大"):
        parse_file(path)


def test_a_bad_file_does_not_stop_the_run(tmp_path: Path) -> None:
    bad = _write(tmp_path, "bad.txt", b"\x00\x01" * 100)
    outcomes = audit_paths([bad, SEED, tmp_path / "missing.txt"])
    assert [o.report is not None for o in outcomes] == [False, True, False]
    assert [f.rule for f in outcomes[0].findings] == ["UNREADABLE"]
    assert "文件不存在" in outcomes[2].findings[0].message
