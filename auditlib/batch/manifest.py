"""DIR/manifest.json: what the last run did per report, and whether a report is up to date."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from auditlib.batch.common import MANIFEST_VERSION
from auditlib.batch.files import atomic_write
from auditlib.batch.jobs import AgencyJob


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


class Manifest:
    """DIR/manifest.json: per report (absolute path) the hashes and status of its last run."""

    def __init__(self, path: Path) -> None:
        self.path = path
        data = read_json(path) or {}
        if data.get("version") != MANIFEST_VERSION:
            data = {}
        self.agencies: dict[str, dict[str, Any]] = dict(data.get("agencies") or {})
        self.overview: dict[str, Any] = dict(data.get("overview") or {})

    def save(self) -> None:
        atomic_write(self.path, json.dumps({
            "version": MANIFEST_VERSION, "updated": datetime.now().isoformat(timespec="seconds"),
            "agencies": self.agencies, "overview": self.overview,
        }, ensure_ascii=False, indent=1))

