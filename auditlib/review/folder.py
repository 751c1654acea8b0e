"""What a batch left in an output folder that the review needs: its findings (findings.parquet)."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from auditlib.findings import Finding, Severity
from auditlib.review.identity import finding_key

__all__ = ["FolderError", "folder_findings"]


class FolderError(RuntimeError):
    """The output folder lacks what the review needs (the message is Chinese)."""


def folder_findings(out_dir: str | Path) -> dict[str, Finding]:
    """key → finding, for every finding of the last batch run into `out_dir` (its findings.parquet)."""
    out = Path(out_dir)
    if not out.is_dir():
        raise FolderError(f"输出文件夹 {out} 不存在")
    path = out / "findings.parquet"
    if not path.is_file():
        raise FolderError(f"输出文件夹 {out} 中没有 findings.parquet，请先运行 auditlib batch … --out {out}")
    try:
        frame = pl.read_parquet(path)
    except Exception as exc:  # noqa: BLE001 - any unreadable file is the same user-facing problem
        raise FolderError(f"无法读取 {path}：{exc}") from exc
    found: dict[str, Finding] = {}
    for row in frame.select("report", "agency", "rule", "severity", "message", "cells", "lines", "year").iter_rows():
        report, agency, rule, severity, message, cells, lines, year = row
        f = Finding(report or "", agency, rule, Severity(severity), message or "", tuple(cells or ()),
                    tuple(lines or ()), year)
        found.setdefault(finding_key(f), f)
    return found
