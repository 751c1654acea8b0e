"""DIR/manifest.json: what the last run did per report, and whether a report is up to date.

The manifest is written at a bounded cadence (`Manifest.note`: the first record at once, then after
SAVE_EVERY records or SAVE_SECONDS seconds, and at the end), not after every agency. Nothing is lost
when a run is killed between two saves: each agency's side file (agencies/<key>.json, written last and
atomically) holds the same record, and `current_entry` falls back on it, so a rerun skips that agency.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from auditlib.batch.common import MANIFEST_VERSION
from auditlib.batch.files import atomic_write, output_key
from auditlib.batch.jobs import AgencyJob

SAVE_EVERY = 50  # records between two saves of the manifest, at most
SAVE_SECONDS = 5.0  # seconds between two saves, at most (the save comes with the next record after that)


def read_json(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def up_to_date(entry: Mapping[str, Any] | None, job: AgencyJob, out_dir: Path) -> bool:
    """Whether the last run's page of `job`'s report can stay: it succeeded, nothing it hashes changed, files exist."""
    if not entry or entry.get("status") not in ("ok", "unreadable"):
        return False  # failed agencies are retried
    if entry.get("sha256") != job.sha256 or any(entry.get(k) != v for k, v in job.hashes.as_dict().items()):
        return False
    key = entry.get("key", "")
    return all((out_dir / "agencies" / f"{key}{ext}").is_file() for ext in (".html", ".ipynb", ".json"))


def side_entry(job: AgencyJob, out_dir: Path) -> dict[str, Any] | None:
    """The record `job`'s page wrote beside it (agencies/<key>.json), when it is this report's."""
    data = read_json(out_dir / "agencies" / f"{output_key(job.agency, job.year, job.report)}.json")
    if data is None or data.get("report") != job.report:
        return None
    return {k: v for k, v in data.items() if k != "findings"}


def current_entry(entry: Mapping[str, Any] | None, job: AgencyJob, out_dir: Path) -> Mapping[str, Any] | None:
    """The record of the last run of `job` when its page can stay: the manifest's `entry` or, when the run
    that made the page was killed before it saved the manifest, the page's side file. None: run it."""
    if up_to_date(entry, job, out_dir):
        return entry
    side = side_entry(job, out_dir)
    return side if up_to_date(side, job, out_dir) else None


class Manifest:
    """DIR/manifest.json: per report (absolute path) the hashes and status of its last run."""

    def __init__(self, path: Path) -> None:
        self.path = path
        data = read_json(path) or {}
        if data.get("version") != MANIFEST_VERSION:
            data = {}
        self.agencies: dict[str, dict[str, Any]] = dict(data.get("agencies") or {})
        self.overview: dict[str, Any] = dict(data.get("overview") or {})
        self.saves = 0
        self._unsaved = 0
        self._saved_at = float("-inf")  # the first record is saved at once

    def note(self, record: dict[str, Any]) -> None:
        """Record one agency's run; the file is saved when a save is due (see the module's docstring)."""
        self.agencies[record["report"]] = record
        self._unsaved += 1
        if self._unsaved >= SAVE_EVERY or time.monotonic() - self._saved_at >= SAVE_SECONDS:
            self.save()

    def flush(self) -> None:
        """Save the records `note` has not saved yet."""
        if self._unsaved:
            self.save()

    def save(self) -> None:
        atomic_write(self.path, json.dumps({
            "version": MANIFEST_VERSION, "updated": datetime.now().isoformat(timespec="seconds"),
            "agencies": self.agencies, "overview": self.overview,
        }, ensure_ascii=False, indent=1))
        self.saves += 1
        self._unsaved, self._saved_at = 0, time.monotonic()
