"""The helpers of auditlib.safety that the batch and score wire in (issue 11), on real files and processes."""

from __future__ import annotations

import csv
import errno
import io
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import polars as pl
import pytest

from auditlib.safety import (
    UserError,
    excel_safe,
    excel_safe_frame,
    oserror_message,
    read_yaml_file,
    safe_filename,
    terminal_safe,
    validate_min_severity,
    validate_rule_ids,
)

ROOT = Path(__file__).resolve().parent.parent

# ---------------------------------------------------------------------------------------------
# Excel and CSV
# ---------------------------------------------------------------------------------------------

HOSTILE = ["=HYPERLINK(\"http://x\",\"点我\")", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A2)", "\t=1", "\r=1"]


def test_excel_safe_neutralises_formula_starts_and_leaves_numbers() -> None:
    assert [excel_safe(v) for v in HOSTILE] == ["'" + v for v in HOSTILE]
    assert [excel_safe(v) for v in (3, -3, 2.5, None, "-3", "+4.5", "1e3", "红旗区人民政府", "")] == \
        [3, -3, 2.5, None, "-3", "+4.5", "1e3", "红旗区人民政府", ""]


def test_no_formula_in_xlsx_or_csv_written_from_a_safe_frame(tmp_path: Path) -> None:
    import openpyxl
    import xlsxwriter

    frame = pl.DataFrame({"agency": HOSTILE + ["红旗区人民政府"], "score": list(range(len(HOSTILE) + 1)),
                          "cells": [["=A1", "3.1"]] * (len(HOSTILE) + 1)})
    unsafe_book = tmp_path / "unsafe.xlsx"
    with xlsxwriter.Workbook(unsafe_book) as book:
        frame.drop("cells").write_excel(book, worksheet="s")
    assert any(c.data_type == "f" for c in openpyxl.load_workbook(unsafe_book).active["A"])  # the defect

    safe = excel_safe_frame(frame)
    book_path = tmp_path / "safe.xlsx"
    with xlsxwriter.Workbook(book_path) as book:
        safe.drop("cells").write_excel(book, worksheet="s")
    column = list(openpyxl.load_workbook(book_path).active["A"])[1:]
    assert all(c.data_type == "s" for c in column)
    # (xlsx stores a CR as _x000D_, which openpyxl hands back as is)
    assert [c.value.replace("_x000D_", "\r") for c in column] == [excel_safe(v) for v in frame["agency"]]
    assert safe["score"].to_list() == frame["score"].to_list()
    assert safe["cells"][0].to_list() == ["'=A1", "3.1"]
    buf = io.BytesIO()
    safe.drop("cells").write_csv(buf)
    rows = list(csv.reader(io.StringIO(buf.getvalue().decode(), newline="")))[1:]
    assert [row[0] for row in rows] == [excel_safe(v) for v in frame["agency"]]
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for row in rows for cell in row[:1])


# ---------------------------------------------------------------------------------------------
# YAML files
# ---------------------------------------------------------------------------------------------

YAML_TEXT = "# 规则集\nrules: [APP-BALANCE]\nmin_severity: warning\nrubric: 细则.yaml\n"


def test_yaml_utf8_and_gbk(tmp_path: Path) -> None:
    utf8 = tmp_path / "u.yaml"
    utf8.write_bytes(b"\xef\xbb\xbf" + YAML_TEXT.encode())
    gbk = tmp_path / "g.yaml"
    gbk.write_bytes(YAML_TEXT.encode("gbk"))
    notes: list[str] = []
    assert read_yaml_file(utf8, "参数文件", notes) == read_yaml_file(gbk, "参数文件", notes) == \
        {"rules": ["APP-BALANCE"], "min_severity": "warning", "rubric": "细则.yaml"}
    assert len(notes) == 1 and "g.yaml" in notes[0] and "GB18030" in notes[0]


@pytest.mark.parametrize(("text", "line", "words"), [
    ("rules: [APP-BALANCE\nmin_severity: info\n", None, ("方括号",)),
    ("a: 1\nb: c: d\n", 2, ("冒号",)),
    ("a: 1\n\tb: 2\n", 2, ("制表符",)),
])
def test_bad_yaml_is_one_chinese_line_naming_file_and_line(tmp_path: Path, text: str, line: int | None,
                                                           words: tuple[str, ...]) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(UserError) as caught:
        read_yaml_file(path, "参数文件")
    message = str(caught.value)
    assert "\n" not in message and "参数文件" in message and "bad.yaml" in message
    if line is not None:
        assert f"第 {line} 行" in message
    for word in words:
        assert word in message, message


def test_yaml_that_is_neither_utf8_nor_gbk_or_missing_or_a_folder(tmp_path: Path) -> None:
    binary = tmp_path / "b.yaml"
    binary.write_bytes(bytes(range(128, 256)) * 4)
    with pytest.raises(UserError, match="编码无法识别"):
        read_yaml_file(binary)
    with pytest.raises(UserError, match="找不到"):
        read_yaml_file(tmp_path / "none.yaml")
    with pytest.raises(UserError, match="文件夹"):
        read_yaml_file(tmp_path)


# ---------------------------------------------------------------------------------------------
# File names
# ---------------------------------------------------------------------------------------------


def test_safe_filename_counts_bytes_and_never_cuts_a_character(tmp_path: Path) -> None:
    from auditlib.batch import safe_name

    for name in ("红旗区人民政府", "郏县 王集乡/人民政府", "..\\..\\etc", "", "\u202e反转", "A" * 100, "红" * 70):
        assert safe_filename(name) == safe_name(name), name  # same as today's names wherever those fit
    wide = "𠀀" * 60  # CJK Extension B: 4 bytes each in UTF-8
    assert len(safe_name(wide).encode()) == 240  # today's cap counts characters
    name = safe_filename(wide)
    assert len(name.encode()) <= 180 and name == "𠀀" * 45
    assert safe_filename("红" * 59 + "𠀀", max_bytes=179) == "红" * 59  # the 4-byte character is dropped whole
    # the longest key and its temp file fit in NAME_MAX (255 bytes)
    key = f"{name}-2024-1a2b3c4d"
    tempfile.mkstemp(prefix=f".tmp-{key}.ipynb.", dir=tmp_path)
    (tmp_path / f"{key}.ipynb").write_text("{}")


# ---------------------------------------------------------------------------------------------
# Parameter values
# ---------------------------------------------------------------------------------------------

KNOWN = {"APP-BALANCE", "APP-ROW-TOTAL", "CELL-MISSING", "CELL-BLANK", "COPY-PEER"}


def test_unknown_rule_ids_are_refused_with_suggestions() -> None:
    assert validate_rule_ids(["APP-BALANCE", "COPY-PEER"], KNOWN) == ["APP-BALANCE", "COPY-PEER"]
    assert validate_rule_ids(None, KNOWN) == [] and validate_rule_ids([], KNOWN) == []
    with pytest.raises(UserError) as caught:
        validate_rule_ids(["APP-BALANCE", "app-balance", "CELL-MISSNG", "NO-SUCH-THING"], KNOWN, "exclude_rules")
    message = str(caught.value)
    assert "exclude_rules" in message and "app-balance（是不是 APP-BALANCE" in message
    assert "CELL-MISSNG（是不是 CELL-MISSING" in message and "NO-SUCH-THING" in message
    with pytest.raises(UserError, match="列表"):
        validate_rule_ids("APP-BALANCE", KNOWN)


def test_min_severity() -> None:
    assert [validate_min_severity(v) for v in ("error", "WARNING", " info ", "错误", "提示")] == \
        ["error", "warning", "info", "error", "info"]
    for bad in ("fatal", 3, None, ""):
        with pytest.raises(UserError, match="min_severity.*error（错误）"):
            validate_min_severity(bad)


def test_oserror_messages_are_chinese_and_name_the_path(tmp_path: Path) -> None:
    blocker = tmp_path / "out.txt"
    blocker.write_text("x")
    try:
        (blocker / "agencies").mkdir(parents=True)
    except OSError as exc:
        message = oserror_message(exc)
    assert str(blocker) in message and "是文件，不是文件夹" in message
    assert "磁盘已满" in oserror_message(OSError(errno.ENOSPC, "No space"), "/data/out")
    assert "/data/out" in oserror_message(OSError(errno.ENOSPC, "No space"), "/data/out")
    assert "只读" in oserror_message(OSError(errno.EROFS, "Read-only", "/ro/x"))


def test_terminal_safe() -> None:
    assert terminal_safe("a\x1b]0;title\x07b\x1b[2Jc\x1b[1;31md\x9b2Je\x1bcf\u202eg\x00h\ti\nj") == "abcdefgh i\nj"
    assert terminal_safe("a\x1b]0;unterminated\nnext") == "a\nnext"  # never swallows the next line


# ---------------------------------------------------------------------------------------------
# Orphans
# ---------------------------------------------------------------------------------------------

CHILD = """
import sys, time
from auditlib.safety import die_with_parent, parent_watchdog
how = die_with_parent() if sys.argv[1] == "auto" else (parent_watchdog(interval=0.2), "watchdog")[1]
print("ready", how, flush=True)
time.sleep(600)
"""
PARENT = """
import subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c", sys.argv[1], sys.argv[2]])
print(child.pid, flush=True)
time.sleep(600)
"""


def _alive(pid: int) -> bool:
    """Running (a zombie no longer runs; nobody may reap it in a container)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    except OSError:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True
    return state not in ("Z", "X")


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize(("mode", "how"), [("auto", "prctl" if sys.platform.startswith("linux") else "watchdog"),
                                           ("watchdog", "watchdog")])
def test_child_ends_when_its_parent_is_killed(mode: str, how: str) -> None:
    parent = subprocess.Popen([sys.executable, "-c", PARENT, CHILD, mode], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    assert parent.stdout is not None
    child_pid = 0
    try:
        child_pid = int(parent.stdout.readline())
        assert parent.stdout.readline().split() == ["ready", how]
        assert _alive(child_pid)
        os.kill(parent.pid, signal.SIGKILL)  # no cleanup of any kind in the parent
        parent.wait(timeout=30)
        deadline = time.monotonic() + 20
        while _alive(child_pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _alive(child_pid), "the child outlived its killed parent"
    finally:
        if parent.poll() is None:
            parent.kill()
        if child_pid and _alive(child_pid):
            os.kill(child_pid, signal.SIGKILL)
        parent.stdout.close()
