"""Findings: what a rule says about a report, and the one polars schema they travel in."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

import polars as pl

from auditlib.frozen import assemble


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def label(self) -> str:
        return SEVERITY_LABELS[self]


SEVERITY_LABELS = {Severity.ERROR: "错误", Severity.WARNING: "警告", Severity.INFO: "提示"}
SEVERITY_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


@dataclass(frozen=True)
class Finding:
    report: str
    agency: str | None
    rule: str
    severity: Severity
    message: str
    cells: tuple[str, ...] = ()
    lines: tuple[int, ...] = field(default=())  # source lines behind the cells (provenance)
    year: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """The contract's JSON object (spec/report-json.md), plus `year` and `lines`."""
        d = asdict(self)
        d["severity"] = str(self.severity)
        d["cells"] = list(self.cells)
        d["lines"] = list(self.lines)
        return d


def new_finding(report: str, agency: str | None, rule: str, severity: Severity, message: str,
                cells: tuple[str, ...] = (), lines: tuple[int, ...] = (), year: int | None = None) -> Finding:
    """`Finding(...)` for the rule runner, which makes some 40 a report (frozen.assemble)."""
    return assemble(Finding, report=report, agency=agency, rule=rule, severity=severity, message=message, cells=cells,
                    lines=lines, year=year)


FINDINGS_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "report": pl.String,
    "agency": pl.String,
    "year": pl.Int64,
    "rule": pl.String,
    "severity": pl.String,
    "severity_label": pl.String,
    "message": pl.String,
    "cells": pl.List(pl.String),
    "lines": pl.List(pl.Int64),
}


def to_frame(findings: Iterable[Finding]) -> pl.DataFrame:
    """All findings as one polars frame with a fixed schema (empty frames keep it too)."""
    rows = [
        {
            "report": f.report, "agency": f.agency, "year": f.year, "rule": f.rule,
            "severity": str(f.severity), "severity_label": f.severity.label, "message": f.message,
            "cells": list(f.cells), "lines": list(f.lines),
        }
        for f in findings
    ]
    return pl.DataFrame(rows, schema=FINDINGS_SCHEMA)
