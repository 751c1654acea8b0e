"""The review store: append-only history, latest wins, two writers at once, and kill -9 mid-write."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from auditlib.review.records import STATUS_LABELS, ReportIdentity, Status, parse_status
from auditlib.review.store import SCHEMA_VERSION, STORE_NAME, StoreError, open_store


def test_latest_decision_wins_and_every_earlier_one_is_kept(tmp_path: Path) -> None:
    with open_store(tmp_path) as store:
        store.set_decision("k1", "确认问题", "表内合计不符", "张三")
        store.set_decision("k1", Status.DISMISSED, "原件第3页印为16，解析误读", "李四", source="excel")
        store.set_decision("k2", "需补充材料", "", "张三")
        current = store.decisions()
        assert {k: d.status for k, d in current.items()} == {"k1": Status.DISMISSED, "k2": Status.NEEDS_MATERIAL}
        assert [(d.status, d.reviewer) for d in store.history("k1")] == [
            (Status.CONFIRMED, "张三"), (Status.DISMISSED, "李四")]
    with open_store(tmp_path) as again:  # it is on disk, not in memory
        assert again.decisions()["k1"].note == "原件第3页印为16，解析误读"


def test_history_cannot_be_rewritten_even_with_sql(tmp_path: Path) -> None:
    with open_store(tmp_path) as store:
        store.set_decision("k1", "确认问题", "", "张三")
        store.set_correction(ReportIdentity("红旗区人民政府", 2024), "applications.1.total", 21, "原件", "张三")
    conn = sqlite3.connect(tmp_path / STORE_NAME)
    for sql in ("UPDATE decisions SET status = 'dismissed'", "DELETE FROM decisions",
                "UPDATE corrections SET value = '1'", "DELETE FROM corrections"):
        with pytest.raises(sqlite3.IntegrityError, match="只能追加"):
            conn.execute(sql)
    conn.close()


def test_the_store_is_wal_with_a_schema_version(tmp_path: Path) -> None:
    open_store(tmp_path).close()
    conn = sqlite3.connect(tmp_path / STORE_NAME)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("SELECT MAX(version) FROM schema_version").fetchone()[0] == SCHEMA_VERSION
    conn.execute("INSERT INTO schema_version VALUES (99, 'later')")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="较新版本"):
        open_store(tmp_path)


def test_a_file_that_is_not_a_database_is_named_in_chinese(tmp_path: Path) -> None:
    (tmp_path / STORE_NAME).write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="不是有效的 SQLite 数据库"):
        open_store(tmp_path)
    with pytest.raises(StoreError, match="不存在"):
        open_store(tmp_path / "no-such-folder")


def test_bad_input_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    with open_store(tmp_path) as store:
        with pytest.raises(ValueError, match="复核人"):
            store.set_decision("k1", "确认问题", "", "  ")
        with pytest.raises(ValueError, match="无效"):
            store.set_decision("k1", "通过", "", "张三")
        with pytest.raises(ValueError, match="不是数字"):
            store.set_correction(ReportIdentity("x", 2024), "applications.1.total", float("nan"), "", "张三")
        assert store.history() == [] and store.correction_history() == []


def test_status_labels_are_defined_once_and_parse_back() -> None:
    assert list(STATUS_LABELS.values()) == ["待复核", "确认问题", "排除（误报）", "需补充材料"]
    for status, label in STATUS_LABELS.items():
        assert parse_status(label) is status and parse_status(status.value) is status
    assert parse_status("排除(误报)") is Status.DISMISSED  # half-width brackets typed by hand


def test_a_withdrawn_correction_no_longer_applies_but_stays_in_the_history(tmp_path: Path) -> None:
    report = ReportIdentity("红旗区人民政府", 2024)
    with open_store(tmp_path) as store:
        store.set_correction(report, "applications.1.total", 21, "原件为21", "张三", printed="20")
        assert store.corrections_for(report)["applications.1.total"].value == 21
        store.set_correction(report, "applications.1.total", None, "改错了", "张三")
        assert store.corrections_for(report) == {}
        assert [c.value for c in store.correction_history(report)] == [21, None]
        assert store.corrections_for(ReportIdentity("红旗区人民政府", 2023)) == {}


# ---------------------------------------------------------------------------------------------
# Two processes, and kill -9
# ---------------------------------------------------------------------------------------------

WRITER = textwrap.dedent("""
    import sys
    from auditlib.review.store import open_store
    out, who, n, batch = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    store = open_store(out)
    print("ready", flush=True)
    sys.stdin.readline()  # both start at once
    for start in range(0, n, batch):
        with store.transaction():  # `batch` decisions per transaction: the other writer has to wait
            for i in range(start, min(n, start + batch)):
                store.set_decision(f"{who}-{i:03d}", "确认问题", f"第{i}条", who, source="cli")
    print("done", flush=True)
""")


def _spawn(code: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", code, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def test_two_writers_at_once_both_land(tmp_path: Path) -> None:
    open_store(tmp_path).close()
    n = 60
    procs = [_spawn(WRITER, str(tmp_path), "甲", str(n), "10"), _spawn(WRITER, str(tmp_path), "乙", str(n), "1")]
    for p in procs:
        assert p.stdout is not None and p.stdout.readline().strip() == "ready"
    for p in procs:
        assert p.stdin is not None
        p.stdin.write("go\n")
        p.stdin.flush()
    results = [p.communicate(timeout=300) for p in procs]
    for p, (out, err) in zip(procs, results, strict=True):
        assert p.returncode == 0 and out.strip() == "done", err
        assert "Traceback" not in err and "locked" not in err
    with open_store(tmp_path) as store:
        keys = {d.key for d in store.history()}
    assert keys == {f"{who}-{i:03d}" for who in ("甲", "乙") for i in range(n)}  # no lost write


KILLED_IN_TRANSACTION = textwrap.dedent("""
    import sys, time
    from auditlib.review.store import open_store
    store = open_store(sys.argv[1])
    store.set_decision("committed", "确认问题", "已提交", "张三")
    print("committed", flush=True)
    with store.transaction():
        for i in range(300):
            store.set_decision(f"uncommitted-{i}", "排除（误报）", "未提交", "张三")
        print("inside", flush=True)
        time.sleep(600)  # killed here, inside the transaction
""")


def test_a_writer_killed_mid_transaction_leaves_the_last_committed_state(tmp_path: Path) -> None:
    proc = _spawn(KILLED_IN_TRANSACTION, str(tmp_path))
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "committed"
    assert proc.stdout.readline().strip() == "inside"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    with open_store(tmp_path) as store:
        assert store._conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert [d.key for d in store.history()] == ["committed"]
        store.set_decision("after", "确认问题", "", "李四")  # no lock left behind
        assert set(store.decisions()) == {"committed", "after"}


KILLED_WHILE_COMMITTING = textwrap.dedent("""
    import sys
    from auditlib.review.store import open_store
    store = open_store(sys.argv[1])
    i = 0
    while True:
        store.set_decision(f"k-{i:05d}", "确认问题", "x" * 200, "张三")
        print(i, flush=True)
        i += 1
""")


def test_a_writer_killed_between_commits_loses_nothing_it_committed(tmp_path: Path) -> None:
    proc = _spawn(KILLED_WHILE_COMMITTING, str(tmp_path))
    assert proc.stdout is not None
    acked = [proc.stdout.readline() for _ in range(40)]
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=60)
    with open_store(tmp_path) as store:
        assert store._conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        keys = [d.key for d in store.history()]
    assert len(keys) >= len(acked)  # every acknowledged commit is there …
    assert keys == [f"k-{i:05d}" for i in range(len(keys))]  # … each one whole, none half-written
