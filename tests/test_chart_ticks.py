"""Every count axis of every chart has whole-number ticks (no 0.5 件)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

from auditlib import charts
from auditlib.audit import audit_file
from auditlib.model import Report

SEEDS = Path(__file__).resolve().parent.parent / "examples" / "reports"


def count_axes(spec: Any) -> list[dict[str, Any]]:
    """Every x/y encoding in the spec that plots a count (field count, or an aggregate of it)."""
    found: list[dict[str, Any]] = []
    if isinstance(spec, dict):
        enc = spec.get("encoding")
        if isinstance(enc, dict):
            for channel in ("x", "y"):
                e = enc.get(channel)
                if isinstance(e, dict) and e.get("type") == "quantitative" and (
                        e.get("field") == "count" or e.get("aggregate") == "count"):
                    found.append(e)
        for v in spec.values():
            found += count_axes(v)
    elif isinstance(spec, list):
        for v in spec:
            found += count_axes(v)
    return found


def integer_ticks(e: dict[str, Any]) -> bool:
    axis = e.get("axis") or {}
    return axis.get("tickMinStep") == 1 and axis.get("format") == "d"


def one_small_report() -> Report:
    report = audit_file(next(p for p in sorted(SEEDS.iterdir()) if "4ea7538d" in p.name)).report  # 红旗区: 20 件
    assert report is not None
    return report


def test_disposition_chart_has_integer_ticks() -> None:
    spec = charts.disposition_chart(charts.disposition_frame(one_small_report())).to_dict()
    axes = count_axes(spec)
    assert len(axes) == 1 and axes[0]["aggregate"] == "sum"
    assert integer_ticks(axes[0]), axes[0]


def test_grade_and_findings_charts_have_integer_ticks() -> None:
    counts = pl.DataFrame({"grade": ["优秀", "良好", "合格", "不合格"], "count": [1, 0, 2, 0]})
    findings = pl.DataFrame({"id": [0, 1], "rule": ["APP-BALANCE", "SEC5-THIN"],
                             "severity_label": ["错误", "警告"], "message": ["甲", "乙"]})
    for spec in (charts.grade_chart(counts).to_dict(), charts.findings_chart(findings).to_dict()):
        axes = count_axes(spec)
        assert axes and all(integer_ticks(e) for e in axes), axes


def test_the_checker_sees_an_axis_without_integer_ticks() -> None:
    assert not integer_ticks({"field": "count", "type": "quantitative"})
    assert count_axes({"layer": [{"encoding": {"x": {"field": "count", "type": "quantitative"}}}]})
