"""The run's tables: findings.{parquet,csv,xlsx}, scores.csv and the entries of summary.json."""

from __future__ import annotations

import posixpath
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import polars as pl

from auditlib.batch.files import atomic_write
from auditlib.batch.jobs import AgencyJob
from auditlib.batch.manifest import read_json
from auditlib.review.store import Decision


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


EXCEL_HEADERS = {"agency": "机关", "year": "年度", "severity_label": "级别", "rule": "规则", "message": "问题说明",
                 "cells": "涉及单元格", "lines": "原文行号", "score": "得分", "grade": "等级", "report": "报告文件",
                 "page": "审核页面"}
SCORE_HEADERS = {"rank": "名次", "agency": "机关", "year": "年度", "score": "得分", "grade": "等级", "deductions": "扣分",
                 "unassessed": "未评项目（不扣分）", "report": "报告文件", "page": "审核页面"}


def write_findings(frame: pl.DataFrame, out_dir: Path, scores: pl.DataFrame,
                   decisions: Mapping[str, Decision] | None = None) -> None:
    """findings.parquet (lists kept), findings.csv (UTF-8 with BOM, lists joined by ;) and findings.xlsx, each
    finding with its agency's score and grade and its review (key, 复核结论 with a drop-down in the xlsx,
    复核意见, 复核人, 复核时间: `review.review_columns`); and scores.csv (one row per agency, by rank),
    also the xlsx's sheet 「评分」.
    """
    import io

    import xlsxwriter

    from auditlib.review import REVIEW_HEADERS, add_review_validation, review_columns
    from auditlib.score import add_scores

    frame = review_columns(add_scores(frame, scores), decisions)
    flat = frame.with_columns(pl.col("cells").list.join(";"),
                              pl.col("lines").cast(pl.List(pl.String)).list.join(";"))
    buf = io.BytesIO()
    frame.write_parquet(buf)
    atomic_write(out_dir / "findings.parquet", buf.getvalue())
    buf = io.BytesIO()
    flat.write_csv(buf, include_bom=True)
    atomic_write(out_dir / "findings.csv", buf.getvalue())
    ranked = scores.with_row_index("_order").sort("rank", "_order", nulls_last=True).drop("_order")
    buf = io.BytesIO()
    ranked.write_csv(buf, include_bom=True)
    atomic_write(out_dir / "scores.csv", buf.getvalue())
    buf = io.BytesIO()
    with xlsxwriter.Workbook(buf, {"in_memory": True}) as book:
        headers = {**EXCEL_HEADERS, **REVIEW_HEADERS}
        flat.select(list(headers)).rename(headers).write_excel(
            book, worksheet="问题清单", autofit=True, header_format={"bold": True}, table_style="Table Style Light 9")
        add_review_validation(book.get_worksheet_by_name("问题清单"), list(headers.values()), flat.height)
        ranked.select(list(SCORE_HEADERS)).rename(SCORE_HEADERS).write_excel(
            book, worksheet="评分", autofit=True, header_format={"bold": True}, table_style="Table Style Light 9")
    atomic_write(out_dir / "findings.xlsx", buf.getvalue())


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

