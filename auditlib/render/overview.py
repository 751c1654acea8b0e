"""The overview of a batch run as HTML: the heading, the agencies table (sortable, filterable), the rules table."""

from __future__ import annotations

from urllib.parse import quote

import polars as pl

from auditlib.render.data import _RANK, SEVERITIES, SEVERITY_COLORS, points, rule_doc
from auditlib.render.env import HtmlFragment, render
from auditlib.render.env import script as inline_script
from auditlib.render.run import REVIEW_COLUMNS, STATUS_LABELS, RunData, grade_color, grade_names, score_line
from auditlib.review.records import Status

STATUS_HEAD = "生成状态"  # whether the page was made; the review has its own columns
_COUNT_COLUMNS = {"error": "errors", "warning": "warnings", "info": "infos"}


def overview_heading_html(run: RunData) -> HtmlFragment:
    """Title block of the overview: how many agencies, how many could not be read or failed."""
    if run.empty:
        return render("overview_heading.html.j2", empty=True, run_dir=run.run_dir)
    a = run.agencies
    totals = [(s, int(a[c].sum() or 0)) for s, c in _COUNT_COLUMNS.items()]
    return render("overview_heading.html.j2", empty=False, n=a.height,
                  score_line=score_line(run), totals=totals, colors=SEVERITY_COLORS, status_head=STATUS_HEAD,
                  n_bad=a.filter(pl.col("status") == "unreadable").height,
                  n_failed=a.filter(pl.col("status") == "failed").height)


def _href(page: str | None) -> str:
    return quote(page or "", safe="/#")


def overview_table_html(run: RunData, sort_by: str = "rank", severity: str = "", rule: str = "",
                        agency: str = "", script: bool = True, review: str = "") -> HtmlFragment:
    """The agencies table: sortable (click a header) and filterable (severity, rule, agency, review status).

    `review` (a review status: pending, confirmed, dismissed, needs_material) keeps the agencies with at
    least one finding of that status.
    The sorting and filtering is a small inline script in the exported page (no fetch); JupyterLab drops
    scripts from untrusted output, so there the table is shown as sorted here and the widgets filter it.
    """
    if run.empty:
        return render("overview_table.html.j2", rows=[], empty=True)
    rules_by_key: dict[str, list[str]] = {}
    if not run.findings.is_empty():
        for key, rules in run.findings.group_by("key").agg(pl.col("rule").unique().sort()).iter_rows():
            rules_by_key[key] = list(rules)
    a = run.agencies
    if severity:
        a = a.filter(pl.col(_COUNT_COLUMNS[severity]) > 0)
    if rule:
        a = a.filter(pl.col("key").is_in([k for k, rs in rules_by_key.items() if rule in rs]))
    if review:
        a = a.filter(pl.col(Status(review).value) > 0)
    if agency:
        a = a.filter(pl.col("agency").fill_null("").str.contains(agency, literal=True))
    descending = sort_by in ("errors", "warnings", "infos", "year", "score")
    ties = [c for c in ("agency", "key") if c != sort_by and c in a.columns]  # the same order every run
    a = a.sort([sort_by, *ties], descending=[descending, *(False for _ in ties)], nulls_last=True)
    # the grade sorts by the score (grades are bands of it); the rank sorts 1, 2, 3… on the first click
    heads = [("agency", "text", "机关", ""), ("year", "num", "年度", ""), ("rank", "num", "名次", "asc"),
             ("score", "num", "得分", ""), ("grade", "num", "等级", ""), ("errors", "num", "错误", ""),
             ("warnings", "num", "警告", ""), ("infos", "num", "提示", ""),
             ("pending", "num", Status.PENDING.label, ""), ("worst", "text", "最需关注的规则", ""),
             ("status", "text", STATUS_HEAD, "")]
    names = grade_names(run)
    rows = []
    for row in a.iter_rows(named=True):
        name = row["agency"] or "（未识别机关）"
        worst = row["worst_rule"] or ""
        status = STATUS_LABELS.get(row["status"] or "", row["status"] or "")
        counts = [row["errors"] or 0, row["warnings"] or 0, row["infos"] or 0]
        score, grade, rank = row["score"], row["grade"], row["rank"]
        scored = score is not None
        data = [("agency", name), ("year", row["year"] or 0), ("errors", counts[0]), ("warnings", counts[1]),
                ("infos", counts[2]), ("worst", worst), ("status", status),
                ("rank", rank if rank is not None else 999999), ("score", score if scored else -1),
                ("grade", score if scored else -1), ("error", counts[0]), ("warning", counts[1]),
                ("info", counts[2]), ("rules", " ".join(rules_by_key.get(row["key"], []))),
                *((c, row.get(c) or 0) for c in REVIEW_COLUMNS)]
        rows.append({"data": data, "href": _href(row["page"]), "name": name, "year": row["year"] or "—",
                     "rank": rank if rank is not None else "—", "deductions": row["deductions"] or "",
                     "score": points(score) if scored else "—", "grade": grade or "—",
                     "grade_color": grade_color(grade, names), "counts": list(zip(SEVERITIES, counts, strict=True)),
                     "worst": worst, "worst_doc": rule_doc(worst), "status": status, "error": row["error"],
                     "pending": row.get("pending") or 0})
    all_rules = sorted({r for rs in rules_by_key.values() for r in rs})
    reviews = [(st.value, st.label) for st in Status]
    return render("overview_table.html.j2", rows=rows, empty=False, script=script, severities=SEVERITIES, reviews=reviews,
                  all_rules=all_rules, heads=heads, colors=SEVERITY_COLORS,
                  script_html=inline_script("sort_overview.js"))


def rules_html(findings: pl.DataFrame) -> HtmlFragment:
    """The rules that fired in a run: how many findings and agencies each, and what each checks."""
    rows = []
    if not findings.is_empty():
        ordered = (findings.group_by("rule", "severity")
                   .agg(pl.len().alias("n"), pl.col("key").n_unique().alias("agencies"))
                   .with_columns(pl.col("severity").replace_strict(_RANK, return_dtype=pl.Int64).alias("_o"))
                   .sort(["_o", "n", "rule"], descending=[False, True, False]))  # ties by ID: the same page each run
        rows = [(rule, sev, n, agencies, rule_doc(rule)) for rule, sev, n, agencies, _ in ordered.iter_rows()]
    return render("rules.html.j2", rows=rows, colors=SEVERITY_COLORS, heads=("规则", "级别", "涉及机关", "条数", "检查内容"))
