"""The rows of the overview's agencies table (and of its 机关 × 规则 grid): what each shows and the `data-*`
attributes the page's script filters and sorts by."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

import polars as pl
from markupsafe import Markup, escape

from auditlib.render.data import SEVERITIES, points, rule_doc, rule_label
from auditlib.render.run import REVIEW_COLUMNS, STATUS_LABELS, grade_color
from auditlib.review.records import Status

__all__ = ["HEADS", "SORT_ATTRIBUTES", "href", "overview_rows"]

STATUS_HEAD = "生成状态"  # whether the page was made; the review has its own columns
UNKNOWN_AGENCY = "（未识别机关）"

# (data key, sort type, heading, first direction): the grade sorts by the score (grades are bands of it);
# the rank sorts 1, 2, 3… on the first click
HEADS = [("agency", "text", "机关", ""), ("year", "num", "年度", ""), ("rank", "num", "名次", "asc"),
         ("score", "num", "得分", ""), ("grade", "num", "等级", ""), ("errors", "num", "错误", ""),
         ("warnings", "num", "警告", ""), ("infos", "num", "提示", ""),
         ("pending", "num", Status.PENDING.label, ""), ("worst", "text", "最需关注的规则", ""),
         ("prior", "text", "上年报告", ""), ("status", "text", STATUS_HEAD, "")]
# a column that sorts by another's attribute: the counts by the filters' ones, the grade by the score
SORT_ATTRIBUTES = {"errors": "error", "warnings": "warning", "infos": "info", "grade": "score"}


def href(page: str | None) -> str:
    """A page of the run, relative to the overview (index.html sits in the run folder, the pages below it)."""
    return quote(page or "", safe="/#")


def _attrs(pairs: Sequence[tuple[str, object]]) -> Markup:
    return Markup("".join(f' data-{name}="{escape(value)}"' for name, value in pairs))


def overview_rows(a: pl.DataFrame, rules_by_key: Mapping[str, Sequence[str]], distinctions: Mapping[str, str],
                  grades: Sequence[str]) -> list[dict[str, Any]]:
    """One dict per agency of `a` (in its order): `filters` and `sorts` (the attributes), `shown`, and the cells."""
    rows = []
    for row in a.iter_rows(named=True):
        name = row["agency"] or UNKNOWN_AGENCY
        who = distinctions.get(row["key"], "")
        worst = row["worst_rule"] or ""
        status = STATUS_LABELS.get(row["status"] or "", row["status"] or "")
        counts = [row["errors"] or 0, row["warnings"] or 0, row["infos"] or 0]
        score, grade = row["score"], row["grade"]
        scored = score is not None
        year_rank, level_rank = row.get("year_rank"), row.get("level_rank")
        rank = row["rank"]
        filters = [("agency", name), ("key", row["key"]), ("year", row["year"] or ""), ("level", row["level"] or ""),
                   ("who", f"{name} {who}".strip()), ("error", counts[0]), ("warning", counts[1]),
                   ("info", counts[2]), ("rules", " ".join(rules_by_key.get(row["key"], []))),
                   *((c, row.get(c) or 0) for c in REVIEW_COLUMNS)]
        sorts = [("worst", worst), ("status", status), ("prior", row["prior_name"] or ""),
                 ("year-rank", year_rank if year_rank is not None else 999999),
                 ("level-rank", level_rank if level_rank is not None else 999999),
                 ("rank", rank if rank is not None else 999999),
                 ("score", score if scored else -1)]
        rows.append({"key": row["key"], "filters": _attrs(filters), "sorts": _attrs(sorts), "shown": row["_shown"],
                     "href": href(row["page"]), "name": name, "who": who, "year": row["year"] or "—",
                     "rank": rank if rank is not None else "—", "deductions": row["deductions"] or "",
                     "score": points(score) if scored else "—", "grade": grade or "—",
                     "grade_color": grade_color(grade, grades), "counts": list(zip(SEVERITIES, counts, strict=True)),
                     "worst": rule_label(worst) if worst else "", "worst_doc": rule_doc(worst), "status": status,
                     "error": row["error"], "pending": row.get("pending") or 0,
                     "prior_name": row["prior_name"] or "", "prior_href": href(row["prior_page"])})
    return rows
