"""What the review store holds: an inspector's decision on a finding (a Status, with a note) and a
correction of a cell, each a frozen row of history, and the report identity corrections belong to.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, NamedTuple

from auditlib.model import Report
from auditlib.review.identity import agency_identity

__all__ = [
    "GONE_LABEL",
    "SOURCES",
    "STATUS_LABELS",
    "Correction",
    "Decision",
    "ReportIdentity",
    "Status",
    "now",
    "parse_status",
    "report_identity",
    "when",
]


class Status(StrEnum):
    """An inspector's decision on a finding; `label` is what every page, sheet and table shows."""

    PENDING = "pending"
    CONFIRMED = "confirmed"
    DISMISSED = "dismissed"
    NEEDS_MATERIAL = "needs_material"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS = {
    Status.PENDING: "待复核",
    Status.CONFIRMED: "确认问题",
    Status.DISMISSED: "排除（误报）",
    Status.NEEDS_MATERIAL: "需补充材料",
}
GONE_LABEL = "已不存在"  # a decision whose finding no longer occurs (shown, never deleted)
SOURCES = {"cli": "命令行", "excel": "Excel", "widget": "JupyterLab", "api": "程序"}

_ALIASES = {"排除": Status.DISMISSED, "误报": Status.DISMISSED, "排除(误报)": Status.DISMISSED,
            "确认": Status.CONFIRMED, "补充材料": Status.NEEDS_MATERIAL}



def parse_status(text: str | Status) -> Status:
    """A status from its Chinese label, its code or a short alias; ValueError (Chinese) otherwise."""
    if isinstance(text, Status):
        return text
    value = "".join(str(text).split())
    for status, label in STATUS_LABELS.items():
        if value in (label, status.value):
            return status
    if value in _ALIASES:
        return _ALIASES[value]
    raise ValueError(f"复核结论“{text}”无效，应为{'、'.join(STATUS_LABELS.values())}之一")


class ReportIdentity(NamedTuple):
    """Which report a correction belongs to: the agency as finding keys see it, and the year."""

    agency: str
    year: int | None


def report_identity(report: Report) -> ReportIdentity:
    """The report's identity for corrections; an unrecognised agency falls back to the file's content hash."""
    agency = agency_identity(report.agency)
    return ReportIdentity(agency or f"sha256:{report.sha256[:16]}", report.year)


@dataclass(frozen=True)
class Decision:
    """One row of the decision history (the latest row per key is the finding's current decision)."""

    id: int
    key: str
    status: Status
    note: str
    reviewer: str
    at: str  # ISO 8601 with the local offset
    source: str
    agency: str | None = None  # what the finding was, when the decision was made
    year: int | None = None
    rule: str | None = None
    cells: tuple[str, ...] = ()
    message: str | None = None
    report: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "key": self.key, "status": str(self.status), "status_label": self.status.label,
                "note": self.note, "reviewer": self.reviewer, "at": self.at, "source": self.source,
                "agency": self.agency, "year": self.year, "rule": self.rule, "cells": list(self.cells),
                "message": self.message, "report": self.report}


@dataclass(frozen=True)
class Correction:
    """One row of the correction history: the value an inspector gives a cell (None: withdrawn)."""

    id: int
    report: ReportIdentity
    cell: str
    value: int | float | None
    printed: str | None  # the cell's text as printed when the correction was made
    printed_status: str  # its CellStatus then (ok, blank, missing, unplaced, invalid, ambiguous)
    note: str
    reviewer: str
    at: str
    source: str
    report_path: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "agency": self.report.agency, "year": self.report.year, "cell": self.cell,
                "value": self.value, "printed": self.printed, "printed_status": self.printed_status,
                "note": self.note, "reviewer": self.reviewer, "at": self.at, "source": self.source,
                "report_path": self.report_path}



def now() -> str:
    """The current time as stored: ISO 8601, seconds, with the local UTC offset."""
    return dt.datetime.now(dt.UTC).astimezone().isoformat(timespec="seconds")


def when(at: str, seconds: bool = False) -> str:
    """A stored ISO time as people read it, without the `T`: 2026-12-03 09:30 (`seconds`: 2026-12-03 09:30:18,
    as the exported tables print it)."""
    return at[:19 if seconds else 16].replace("T", " ")
