"""The run's tables: findings.{parquet,csv,xlsx}, scores.csv and the entries of summary.json."""

from __future__ import annotations

import posixpath
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from auditlib.batch.files import atomic_write
from auditlib.batch.jobs import AgencyJob
from auditlib.batch.manifest import read_json
from auditlib.review.records import Decision

if TYPE_CHECKING:
    from auditlib.score import Rubric


def findings_frame(records: Sequence[Mapping[str, Any]], out_dir: Path) -> pl.DataFrame:
    """Every agency's findings (as its page shows them) in one frame, with the agency's key and page."""
    from auditlib.findings import FINDINGS_SCHEMA, SEVERITY_LABELS

    rows = []
    for rec in records:
        side = read_json(out_dir / "agencies" / f"{rec['key']}.json") or {}
        for f in side.get("findings", []):
            rows.append({"key": rec["key"], "page": rec["page"], "report": f.get("report"), "agency": f.get("agency"),
                         "year": f.get("year"), "rule": f.get("rule"), "severity": f.get("severity"),
                         "severity_label": SEVERITY_LABELS.get(f.get("severity"), ""),
                         "message": f.get("message"), "cells": f.get("cells") or [], "lines": f.get("lines") or []})
    schema = {"key": pl.String, "page": pl.String, **FINDINGS_SCHEMA}
    return pl.DataFrame(rows, schema=schema)


def _headers() -> tuple[dict[str, str], dict[str, str]]:
    from auditlib.batch.workbook import FINDINGS_LAYOUT, SCORES_LAYOUT
    from auditlib.review import REVIEW_HEADERS

    return ({k: c.header for k, c in FINDINGS_LAYOUT.items() if k not in REVIEW_HEADERS},
            {k: c.header for k, c in SCORES_LAYOUT.items() if k != "cap"})


# field → Chinese header: the findings sheet's own columns (the review's follow), and 「评分」's without the
# per-item columns (what `batch.workbook` lays out; kept here as names importers use)
EXCEL_HEADERS, SCORE_HEADERS = _headers()


def write_findings(frame: pl.DataFrame, out_dir: Path, scores: pl.DataFrame,
                   decisions: Mapping[str, Decision] | None = None, items: pl.DataFrame | None = None,
                   rubric: Rubric | None = None) -> None:
    """findings.parquet (lists kept, run order), findings.csv (UTF-8 with BOM, lists joined by ;) and
    findings.xlsx, each finding with its agency's score and grade and its review (key, 复核结论 with a
    drop-down in the xlsx, 复核意见, 复核人, 复核时间: `review.review_columns`); and scores.csv (one row per
    agency, by rank), also the xlsx's sheet 「评分」, with one column per rubric item when `items`
    (`deduction_items`) and `rubric` are given. The CSV and the sheet list the worst findings first. No text
    cell of the CSV or xlsx files starts a formula (an agency named `=HYPERLINK(…)`): `safety.excel_safe_frame`
    quotes it, and the review import reads it back with `excel_text`.
    """
    import io

    import xlsxwriter

    from auditlib.batch.workbook import (
        FINDINGS_LAYOUT,
        findings_sheet,
        scores_sheet,
        sort_findings,
        write_sheet,
    )
    from auditlib.review import add_review_validation, review_columns
    from auditlib.safety import excel_safe_frame
    from auditlib.score import add_scores

    frame = review_columns(add_scores(frame, scores), decisions)
    flat = excel_safe_frame(sort_findings(frame).with_columns(pl.col("cells").list.join(";"),
                                                              pl.col("lines").cast(pl.List(pl.String)).list.join(";")))
    buf = io.BytesIO()
    frame.write_parquet(buf)
    atomic_write(out_dir / "findings.parquet", buf.getvalue())
    buf = io.BytesIO()
    flat.write_csv(buf, include_bom=True)
    atomic_write(out_dir / "findings.csv", buf.getvalue())
    ranked = excel_safe_frame(scores.with_row_index("_order").sort("rank", "_order", nulls_last=True).drop("_order"))
    buf = io.BytesIO()
    ranked.write_csv(buf, include_bom=True)
    atomic_write(out_dir / "scores.csv", buf.getvalue())
    sheet = excel_safe_frame(findings_sheet(frame))  # the frame the findings sheet shows, one row per finding
    ranking, layout = scores_sheet(ranked, items, [(i.name, i.points) for i in rubric.items] if rubric else ())
    buf = io.BytesIO()
    with xlsxwriter.Workbook(buf, {"in_memory": True}) as book:
        written = write_sheet(book, "问题清单", sheet, FINDINGS_LAYOUT)
        add_review_validation(written, [FINDINGS_LAYOUT[c].header for c in sheet.columns], sheet.height)
        write_sheet(book, "评分", ranking, layout)
    atomic_write(out_dir / "findings.xlsx", buf.getvalue())


def deduction_items(jobs: Sequence[AgencyJob], rubric: Rubric) -> pl.DataFrame:
    """One row per report: the points each rubric item lost (≤ 0; 0 when none) and the grade cap, for 「评分」."""
    from auditlib.batch.workbook import item_key
    from auditlib.render.data import points

    names = [item.name for item in rubric.items]
    rows = []
    for j in jobs:
        score = j.score or {}
        lost = dict.fromkeys(names, 0.0)
        for d in score.get("deductions") or ():
            if d["item"] in lost:
                lost[d["item"]] += float(d["points"])
        caps = [(f"{points(float(c['points']))}：" if c.get("points") else "") + str(c.get("reason") or "")
                for c in score.get("caps") or ()]
        rows.append({"report": j.score_row.get("report", j.report), **{item_key(n): v for n, v in lost.items()},
                     "cap": "；".join(caps)})
    schema = {"report": pl.String, **{item_key(n): pl.Float64 for n in names}, "cap": pl.String}
    return pl.DataFrame(rows, schema=schema)


def summary_entries(records: Sequence[Mapping[str, Any]], scores: pl.DataFrame,
                    contexts: Mapping[str, Mapping[str, Any] | None] | None = None) -> list[dict[str, Any]]:
    """One entry per agency for summary.json: its record, its score, grade, rank and deductions, and
    from its page's `batch_context` (`contexts`, by report) its level, region and last year's report.

    `prior_page` is relative to the run folder, like `page`.
    """
    from auditlib.render.context import summary_facts
    from auditlib.score import json_number

    keys = ("key", "agency", "year", "report", "page", "notebook", "status", "error", "errors", "warnings", "infos",
            "worst_rule")
    by_report = {row["report"]: row for row in scores.iter_rows(named=True)}
    out = []
    for r in records:
        row = by_report.get(r["report"], {})
        score = row.get("score")
        facts = summary_facts((contexts or {}).get(r["report"]), r.get("agency"))
        if facts["prior_page"]:
            facts["prior_page"] = posixpath.join(posixpath.dirname(str(r.get("page") or "")), facts["prior_page"])
        out.append({**{k: r.get(k) for k in keys},
                    "score": json_number(score) if score is not None else None,
                    "grade": row.get("grade"), "rank": row.get("rank"), "deductions": row.get("deductions"),
                    **facts})
    return out


SCORES_COLUMNS = ("key", "page", "report", "agency", "year", "score", "grade", "rank", "lost", "deductions",
                  "unassessed", "summary")


def batch_scores_frame(records: Sequence[Mapping[str, Any]], jobs: Sequence[AgencyJob]) -> pl.DataFrame:
    """One row per agency (run order): `auditlib.score.scores_frame` for the batch, with the agency's key and page."""
    from auditlib.score import SCORES_SCHEMA

    by_report = {r["report"]: r for r in records}
    rows = [{**j.score_row, "key": by_report[j.report]["key"], "page": by_report[j.report]["page"]}
            for j in jobs if j.report in by_report]
    schema = {"key": pl.String, "page": pl.String, **SCORES_SCHEMA}
    return pl.DataFrame(rows, schema=schema).select(SCORES_COLUMNS)

