"""The batch's bookkeeping files: manifest.json written at a bounded cadence without losing a finished
agency on a kill, the lock and the review store's WAL gone after a run, and a full disk inside SQLite
told in one Chinese line naming the file (exit code 2), as the other full-disk cases are."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from auditlib.batch import run_batch
from auditlib.batch.manifest import SAVE_EVERY, Manifest
from auditlib.review.store import StoreError, open_store

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "examples" / "reports" / "003_4ea7538dec090386.txt"


def test_the_manifest_is_saved_at_a_bounded_cadence_and_at_the_end(tmp_path: Path) -> None:
    manifest = Manifest(tmp_path / "manifest.json")
    records = [{"report": f"/r/{i}.txt", "key": f"k{i}", "status": "ok"} for i in range(2 * SAVE_EVERY + 20)]
    for record in records:
        manifest.note(record)
    assert manifest.saves <= 4  # the first record at once, then every SAVE_EVERY (one save per agency: 120)
    manifest.flush()
    saved = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert list(saved["agencies"]) == [r["report"] for r in records]
    saves = manifest.saves
    manifest.flush()  # nothing new: no rewrite
    assert manifest.saves == saves


def test_a_run_killed_before_its_manifest_save_is_resumed_and_leaves_no_lock_or_wal(tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = run_batch([SEED], out, progress=False)
    assert first.ran == 1
    leftovers = {".batch.lock", "review.sqlite-wal", "review.sqlite-shm"} & {p.name for p in out.iterdir()}
    assert not leftovers and (out / "review.sqlite").is_file()
    assert open_store(out).decisions() == {}  # the store is whole after its WAL was folded in

    # as if the run had been killed after the page was written but before the manifest was saved
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    (out / "manifest.json").write_text(json.dumps({**manifest, "agencies": {}}), encoding="utf-8")
    again = run_batch([SEED], out, progress=False)
    assert (again.ran, again.skipped) == (0, 1)  # the page's side file told the rerun it was done
    assert json.loads((out / "manifest.json").read_text(encoding="utf-8"))["agencies"] == manifest["agencies"]


def _full_store(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every new connection to a review.sqlite may not grow the file: SQLite says SQLITE_FULL, as on a full disk."""
    connect = sqlite3.connect

    def small(database: str, *args: Any, **kwargs: Any) -> sqlite3.Connection:
        conn = connect(database, *args, **kwargs)
        if str(database).endswith("review.sqlite"):
            conn.execute("PRAGMA max_page_count = 1")
        return conn

    monkeypatch.setattr(sqlite3, "connect", small)


def test_a_full_disk_inside_the_review_store_is_one_chinese_line_and_exit_2(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from auditlib import cli

    _full_store(monkeypatch)
    out = tmp_path / "out"
    assert cli.main(["batch", str(SEED), "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and "磁盘已满" in err[0] and str(out / "review.sqlite") in err[0], err
    assert "内部错误" not in err[0]


def test_a_write_that_fills_the_disk_names_the_store_and_keeps_what_was_there(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    store.set_decision("k1", "confirmed", "first", "张三")
    pages = store._conn.execute("PRAGMA page_count").fetchone()[0]
    store._conn.execute(f"PRAGMA max_page_count = {pages}")
    with pytest.raises(StoreError, match="磁盘已满") as caught:
        store.set_decision("k2", "confirmed", "很长的意见" * 20000, "张三")
    assert str(tmp_path / "review.sqlite") in str(caught.value)
    assert set(store.decisions()) == {"k1"}  # the failed write left nothing half done
    store.set_decision("k3", "dismissed", "", "李四")  # and the store is still usable
    assert set(store.decisions()) == {"k1", "k3"}
    store.close()


def test_a_run_that_opens_the_lock_as_the_previous_run_removes_it_takes_the_new_one(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The previous run unlinks .batch.lock while still holding it, then releases it: a run that had opened
    the old file locks a file no longer at the path. It opens the path again instead of reporting a run
    in progress (simulated: the path is gone when first looked at after the lock)."""
    import fcntl
    import os

    from auditlib.batch import run as run_module

    out = tmp_path / "out"
    out.mkdir()
    looks: list[str] = []
    real_stat = os.stat

    def stat(path: Any, *args: Any, **kwargs: Any) -> Any:
        if str(path).endswith(".batch.lock") and not looks:
            looks.append(str(path))
            os.unlink(path)  # the previous run, finishing
            raise FileNotFoundError(path)
        return real_stat(path, *args, **kwargs)

    monkeypatch.setattr(run_module.os, "stat", stat)
    with run_module._exclusive(out):
        held = out / ".batch.lock"
        assert looks and held.exists()
        with held.open("w") as other, pytest.raises(BlockingIOError):
            fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)  # the new file is really held
    assert not (out / ".batch.lock").exists()
