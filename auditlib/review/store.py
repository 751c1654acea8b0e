"""The review store: every decision and correction an inspector makes, in `<out>/review.sqlite`.

SQLite in WAL mode with a busy timeout, so the batch, a notebook and the command line can read and
write the same folder at once; every write is one `BEGIN IMMEDIATE` transaction (a writer waits for
the other instead of failing half-way, and a process killed mid-write leaves the last committed
state). Both tables are append-only (triggers refuse UPDATE and DELETE): the current state is the
latest row per finding key (decisions) or per report and cell (corrections), and the history is
every row. Nothing is ever overwritten; a correction is withdrawn by appending a row without value.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from auditlib.findings import Finding
from auditlib.model import Report
from auditlib.review.identity import agency_identity
from auditlib.review.records import (
    Correction,
    Decision,
    ReportIdentity,
    Status,
    now,
    parse_status,
    report_identity,
)

__all__ = [
    "SCHEMA_VERSION",
    "STORE_NAME",
    "ReviewStore",
    "StoreError",
    "decisions_of",
    "open_store",
    "read_store",
    "settle_store",
]

STORE_NAME = "review.sqlite"
SCHEMA_VERSION = 1
BUSY_TIMEOUT_MS = 60_000


class StoreError(RuntimeError):
    """The store cannot be used (the message is Chinese and names the file)."""


_STATUS_VALUES = ", ".join(f"'{s.value}'" for s in Status)
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL, applied_at TEXT NOT NULL)",
    f"""CREATE TABLE IF NOT EXISTS decisions (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        key TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ({_STATUS_VALUES})),
        note TEXT NOT NULL DEFAULT '',
        reviewer TEXT NOT NULL CHECK (reviewer <> ''),
        at TEXT NOT NULL,
        source TEXT NOT NULL,
        agency_key TEXT NOT NULL DEFAULT '',
        agency TEXT,
        year INTEGER,
        rule TEXT,
        cells TEXT NOT NULL DEFAULT '[]',
        message TEXT,
        report TEXT)""",
    "CREATE INDEX IF NOT EXISTS decisions_by_key ON decisions (key, id)",
    "CREATE INDEX IF NOT EXISTS decisions_by_agency ON decisions (agency_key, year)",
    """CREATE TABLE IF NOT EXISTS corrections (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        agency_key TEXT NOT NULL,
        year INTEGER,
        cell TEXT NOT NULL,
        value TEXT,
        printed TEXT,
        printed_status TEXT NOT NULL DEFAULT '',
        note TEXT NOT NULL DEFAULT '',
        reviewer TEXT NOT NULL CHECK (reviewer <> ''),
        at TEXT NOT NULL,
        source TEXT NOT NULL,
        report_path TEXT NOT NULL DEFAULT '')""",
    "CREATE INDEX IF NOT EXISTS corrections_by_report ON corrections (agency_key, year, cell, id)",
    *(f"CREATE TRIGGER IF NOT EXISTS {table}_no_{op} BEFORE {op.upper()} ON {table} "
      f"BEGIN SELECT RAISE(ABORT, '{what}只能追加，不能{verb}'); END"
      for table, what in (("decisions", "复核记录"), ("corrections", "更正记录"))
      for op, verb in (("update", "修改"), ("delete", "删除"))),
)


def _number(text: str | None) -> int | float | None:
    if text is None:
        return None
    value = json.loads(text)
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


class ReviewStore:
    """The decisions and corrections of one output folder. Open with `open_store(out_dir)`."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._depth = 0
        try:
            self._conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
            self._conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            mode = self._conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            self._conn.execute("PRAGMA synchronous = FULL")
            with self.transaction():
                self._migrate()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"复核记录库 {self.path} 无法打开：{_why(exc)}") from exc
        if str(mode).lower() != "wal":
            raise StoreError(f"复核记录库 {self.path} 无法启用 WAL 模式（{mode}），请把输出文件夹放在本地磁盘上")

    def _migrate(self) -> None:
        version = 0
        if self._conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'schema_version'").fetchone():
            row = self._conn.execute("SELECT MAX(version) FROM schema_version").fetchone()
            version = row[0] or 0
        if version > SCHEMA_VERSION:
            raise StoreError(f"复核记录库 {self.path} 由较新版本的程序建立（格式版本 {version}），请升级 auditlib")
        if version < SCHEMA_VERSION:
            for statement in _SCHEMA:
                self._conn.execute(statement)
            self._conn.execute("INSERT INTO schema_version VALUES (?, ?)", (SCHEMA_VERSION, now()))

    @classmethod
    def read_only(cls, path: str | Path) -> ReviewStore:
        """The store at `path` opened for reading only (pages show it; they never create or migrate it)."""
        store = cls.__new__(cls)
        store.path, store._depth = Path(path), 0
        try:
            store._conn = sqlite3.connect(f"{store.path.resolve().as_uri()}?mode=ro", uri=True,
                                          timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
            store._conn.execute("SELECT 1 FROM decisions LIMIT 1")
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"复核记录库 {store.path} 无法读取：{_why(exc)}") from exc
        return store

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> ReviewStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (BEGIN IMMEDIATE); nested uses join the outer one. All or nothing."""
        if self._depth:
            self._depth += 1
            try:
                yield self._conn
            finally:
                self._depth -= 1
            return
        try:
            self._conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise StoreError(f"复核记录库 {self.path} 正被其他程序长时间占用，请稍后再试（{_why(exc)}）") from exc
        self._depth = 1
        try:
            try:
                yield self._conn
            except BaseException:
                if self._conn.in_transaction:  # SQLite may have rolled back itself (a full disk)
                    self._conn.execute("ROLLBACK")
                raise
            else:
                self._conn.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            if self._conn.in_transaction:
                with suppress(sqlite3.Error):
                    self._conn.execute("ROLLBACK")
            if _why(exc) != str(exc):  # a full disk and the like: one Chinese line naming the file
                raise StoreError(f"复核记录库 {self.path} 无法写入：{_why(exc)}") from exc
            raise
        finally:
            self._depth = 0

    # -- decisions --------------------------------------------------------------------------------

    def set_decision(self, key: str, status: Status | str, note: str, reviewer: str, *,
                     finding: Finding | None = None, source: str = "api", at: str | None = None) -> Decision:
        """Append a decision for the finding `key` (with what the finding said, for when it is gone)."""
        status = parse_status(status)
        reviewer = (reviewer or "").strip()
        if not reviewer:
            raise ValueError("请填写复核人")
        context: dict[str, Any] = {"agency_key": "", "agency": None, "year": None, "rule": None, "cells": "[]",
                                   "message": None, "report": None}
        if finding is not None:
            context = {"agency_key": agency_identity(finding.agency, finding.report), "agency": finding.agency,
                       "year": finding.year, "rule": finding.rule, "cells": json.dumps(list(finding.cells)),
                       "message": finding.message, "report": finding.report}
        with self.transaction() as conn:
            if finding is None:  # keep what the finding was from its earlier decisions
                row = conn.execute("SELECT agency_key, agency, year, rule, cells, message, report FROM decisions "
                                   "WHERE key = ? ORDER BY id DESC LIMIT 1", (key,)).fetchone()
                if row is not None:
                    context = dict(zip(context, row, strict=True))
            cur = conn.execute(
                "INSERT INTO decisions (key, status, note, reviewer, at, source, agency_key, agency, year, rule, "
                "cells, message, report) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (key, status.value, (note or "").strip(), reviewer, at or now(), source, context["agency_key"],
                 context["agency"], context["year"], context["rule"], context["cells"], context["message"],
                 context["report"]))
            row_id = cur.lastrowid
        return self._decision_by_id(int(row_id or 0))

    def _decision_by_id(self, row_id: int) -> Decision:
        row = self._conn.execute(f"SELECT {_DECISION_COLUMNS} FROM decisions WHERE id = ?", (row_id,)).fetchone()
        return _decision(row)

    def decisions(self) -> dict[str, Decision]:
        """The current decision of every finding that has one (latest row per key)."""
        rows = self._conn.execute(
            f"SELECT {_DECISION_COLUMNS} FROM decisions WHERE id IN (SELECT MAX(id) FROM decisions GROUP BY key) "
            "ORDER BY id").fetchall()
        return {d.key: d for d in map(_decision, rows)}

    def history(self, key: str | None = None) -> list[Decision]:
        """Every decision made on `key` (or on all findings), oldest first."""
        if key is None:
            rows = self._conn.execute(f"SELECT {_DECISION_COLUMNS} FROM decisions ORDER BY id").fetchall()
        else:
            rows = self._conn.execute(f"SELECT {_DECISION_COLUMNS} FROM decisions WHERE key = ? ORDER BY id",
                                      (key,)).fetchall()
        return [_decision(r) for r in rows]

    def keys(self) -> list[str]:
        """Every finding key that has a decision."""
        return [r[0] for r in self._conn.execute("SELECT DISTINCT key FROM decisions ORDER BY key")]

    # -- corrections ------------------------------------------------------------------------------

    def set_correction(self, report: ReportIdentity, cell: str, value: int | float | None, note: str,
                       reviewer: str, *, printed: str | None = None, printed_status: str = "",
                       report_path: str = "", source: str = "api", at: str | None = None) -> Correction:
        """Append a correction of `cell` in `report` (value None withdraws the earlier one)."""
        reviewer = (reviewer or "").strip()
        if not reviewer:
            raise ValueError("请填写复核人")
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)
                                  or value != value or value in (float("inf"), float("-inf"))):
            raise ValueError(f"更正值“{value}”不是数字")
        with self.transaction() as conn:
            cur = conn.execute(
                "INSERT INTO corrections (agency_key, year, cell, value, printed, printed_status, note, reviewer, "
                "at, source, report_path) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (report.agency, report.year, cell, None if value is None else json.dumps(value), printed,
                 printed_status, (note or "").strip(), reviewer, at or now(), source, report_path))
            row_id = cur.lastrowid
        row = self._conn.execute(f"SELECT {_CORRECTION_COLUMNS} FROM corrections WHERE id = ?", (row_id,)).fetchone()
        return _correction(row)

    def corrections_for(self, report: ReportIdentity | Report) -> dict[str, Correction]:
        """cell path → the report's current correction of it (withdrawn ones left out)."""
        ident = report_identity(report) if isinstance(report, Report) else report
        rows = self._conn.execute(
            f"SELECT {_CORRECTION_COLUMNS} FROM corrections WHERE id IN (SELECT MAX(id) FROM corrections "
            "WHERE agency_key = ? AND year IS ? GROUP BY cell) ORDER BY cell", (ident.agency, ident.year)).fetchall()
        return {c.cell: c for c in map(_correction, rows) if c.value is not None}

    def correction_history(self, report: ReportIdentity | None = None) -> list[Correction]:
        """Every correction (of one report, or of all), oldest first."""
        if report is None:
            rows = self._conn.execute(f"SELECT {_CORRECTION_COLUMNS} FROM corrections ORDER BY id").fetchall()
        else:
            rows = self._conn.execute(f"SELECT {_CORRECTION_COLUMNS} FROM corrections WHERE agency_key = ? AND "
                                      "year IS ? ORDER BY id", (report.agency, report.year)).fetchall()
        return [_correction(r) for r in rows]

    # -- for the batch's skip check ---------------------------------------------------------------

    def fingerprint(self, report: ReportIdentity | Report | None = None) -> str:
        """Changes whenever a decision on one of the report's findings, or one of its corrections, is added
        (report None: any decision or correction at all, for the overview)."""
        if report is None:
            d = self._conn.execute("SELECT COUNT(*), MAX(id) FROM decisions").fetchone()
            c = self._conn.execute("SELECT COUNT(*), MAX(id) FROM corrections").fetchone()
            return f"d{d[0]}:{d[1] or 0}-c{c[0]}:{c[1] or 0}"
        ident = report_identity(report) if isinstance(report, Report) else report
        agency = agency_identity(report.agency, report.path) if isinstance(report, Report) else ident.agency
        d = self._conn.execute("SELECT COUNT(*), MAX(id) FROM decisions WHERE agency_key = ? AND year IS ?",
                               (agency, ident.year)).fetchone()
        c = self._conn.execute("SELECT COUNT(*), MAX(id) FROM corrections WHERE agency_key = ? AND year IS ?",
                               (ident.agency, ident.year)).fetchone()
        return f"d{d[0]}:{d[1] or 0}-c{c[0]}:{c[1] or 0}"


_DECISION_COLUMNS = "id, key, status, note, reviewer, at, source, agency, year, rule, cells, message, report"
_CORRECTION_COLUMNS = ("id, agency_key, year, cell, value, printed, printed_status, note, reviewer, at, source, "
                       "report_path")


def _decision(row: tuple[Any, ...]) -> Decision:
    (row_id, key, status, note, reviewer, at, source, agency, year, rule, cells, message, report) = row
    return Decision(row_id, key, Status(status), note, reviewer, at, source, agency, year, rule,
                    tuple(json.loads(cells or "[]")), message, report)


def _correction(row: tuple[Any, ...]) -> Correction:
    (row_id, agency, year, cell, value, printed, printed_status, note, reviewer, at, source, path) = row
    return Correction(row_id, ReportIdentity(agency, year), cell, _number(value), printed, printed_status, note,
                      reviewer, at, source, path)


def _why(exc: Exception) -> str:
    text = str(exc)
    if getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL or "disk is full" in text:
        return "磁盘已满，请腾出空间后再试"
    if "not a database" in text or "malformed" in text:
        return "文件不是有效的 SQLite 数据库或已损坏"
    if "locked" in text or "busy" in text:
        return "数据库被占用"
    if "unable to open" in text or "readonly" in text:
        return "无法写入该文件（请检查文件夹是否存在、是否有写权限）"
    return text


def open_store(out_dir: str | Path) -> ReviewStore:
    """The review store of an output folder (`<out>/review.sqlite`), created on first use."""
    out = Path(out_dir)
    if not out.is_dir():
        raise StoreError(f"输出文件夹 {out} 不存在")
    return ReviewStore(out / STORE_NAME)


def settle_store(out_dir: str | Path) -> None:
    """Fold the write-ahead log back into `<out>/review.sqlite` once nobody else has the store open: the
    last read-write connection to close checkpoints it and removes review.sqlite-wal and -shm (the
    pages' read-only connections cannot). Nothing happens when the folder has no store yet."""
    path = Path(out_dir) / STORE_NAME
    if path.is_file():
        ReviewStore(path).close()


def read_store(out_dir: str | Path) -> ReviewStore | None:
    """The review store of an output folder opened read-only, or None when the folder has none yet."""
    path = Path(out_dir) / STORE_NAME
    return ReviewStore.read_only(path) if path.is_file() else None


def decisions_of(store: ReviewStore | Mapping[str, Decision] | None) -> Mapping[str, Decision]:
    """A store's current decisions, or the mapping itself (so callers may pass either, or nothing)."""
    if store is None:
        return {}
    return store.decisions() if isinstance(store, ReviewStore) else store
