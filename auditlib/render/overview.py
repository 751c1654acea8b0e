"""The overview of a batch run as HTML: the heading, the filters over the 机关 × 规则 grid and the agencies table
(sortable; counted and ranked within a year, optionally a level), the rules table."""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

import polars as pl

from auditlib.history import LEVELS
from auditlib.render.data import SEVERITIES, SEVERITY_COLORS, SEVERITY_RANK, rule_doc, rule_label
from auditlib.render.env import HtmlFragment, render
from auditlib.render.env import script as inline_script
from auditlib.render.heatmap import heatmap_cells, heatmap_columns
from auditlib.render.overview_rows import HEADS, SORT_ATTRIBUTES, STATUS_HEAD, href, overview_rows
from auditlib.render.run import RunData, grade_names, score_line
from auditlib.review.records import Status, when

_COUNT_COLUMNS = {"error": "errors", "warning": "warnings", "info": "infos"}


ALL_YEARS = 0  # `year=ALL_YEARS`: every year of the run


def run_years(run: RunData) -> list[int]:
    """The years of a run's reports, latest first (a report whose year was not recognised has none)."""
    if run.empty:
        return []
    return sorted({int(y) for y in run.agencies["year"].drop_nulls().to_list()}, reverse=True)


def year_run(run: RunData, year: int | None = None) -> RunData:
    """The run restricted to one year (`None`: the latest), with the reports whose year is unknown; all when none."""
    years = run_years(run)
    chosen = years[0] if year is None and years else year
    if not chosen or run.empty:
        return run
    agencies = run.agencies.filter((pl.col("year") == chosen) | pl.col("year").is_null())
    findings = run.findings
    if not findings.is_empty():
        findings = findings.filter(pl.col("key").is_in(agencies["key"].to_list()))
    return RunData(run.run_dir, agencies, findings, run.generated, run.grades)


def overview_heading_html(run: RunData) -> HtmlFragment:
    """Title block of the overview: the latest year's agencies, scores and findings, and what else the run holds."""
    if run.empty:
        return render("overview_heading.html.j2", empty=True, run_dir=run.run_dir)
    years = run_years(run)
    latest = year_run(run)
    a = latest.agencies
    totals = [(s, int(a[c].sum() or 0)) for s, c in _COUNT_COLUMNS.items()]
    return render("overview_heading.html.j2", empty=False, n=a.height,
                  year=years[0] if years else None, years=years, reports=run.agencies.height,
                  generated=when(run.generated), score_line=score_line(latest), totals=totals,
                  colors=SEVERITY_COLORS, status_head=STATUS_HEAD,
                  n_bad=run.agencies.filter(pl.col("status") == "unreadable").height,
                  n_failed=run.agencies.filter(pl.col("status") == "failed").height)


_href = href  # the name the batch and older callers know


def _ranked(a: pl.DataFrame) -> pl.DataFrame:
    """Each agency's place by score within its year, and within its year and level (1, 2, 2, 4: ties share).

    A report whose year is unknown (an unreadable one) has no place: it is shown under every year, last.
    """
    score = pl.when(pl.col("year").is_not_null()).then(pl.col("score"))
    return a.with_columns(score.rank("min", descending=True).over("year").cast(pl.Int64).alias("year_rank"),
                          score.rank("min", descending=True).over("year", "level").cast(pl.Int64).alias("level_rank"))


def _distinctions(a: pl.DataFrame) -> dict[str, str]:
    """What tells an agency's row apart: its region when reading supplied one, else, when another report of
    the same year names the same agency, its file name (with the folder when the file names agree too)."""
    out: dict[str, str] = {}
    groups: dict[tuple[str, int | None], list[dict[str, Any]]] = {}
    for row in a.select("key", "agency", "year", "region", "report").iter_rows(named=True):
        if row["region"]:
            out[row["key"]] = row["region"]
        groups.setdefault((row["agency"] or "", row["year"]), []).append(row)
    for rows in groups.values():
        plain = [r for r in rows if r["key"] not in out]
        if len(rows) < 2 or not plain:
            continue
        names = [PurePath(r["report"] or "").name for r in plain]
        for r, name in zip(plain, names, strict=True):
            path = PurePath(r["report"] or "")
            out[r["key"]] = f"{path.parent.name}/{name}" if names.count(name) > 1 and path.parent.name else name
    return out


def _in_view(year: int, level: str) -> pl.Expr:
    """The rows of the chosen year (and level): the others the page prints hidden, for its selectors to show."""
    keep = pl.lit(True)
    if year:
        keep &= (pl.col("year") == year) | pl.col("year").is_null()
    if level:
        keep &= pl.col("level") == level
    return keep


def _keep(rules_by_key: dict[str, list[str]], severity: str, rule: str, review: str, agency: str) -> pl.Expr:
    """The caller's filters as one condition: the rows they leave out are not printed at all."""
    keep = pl.lit(True)
    if severity:
        keep &= pl.col(_COUNT_COLUMNS[severity]) > 0
    if rule:
        keep &= pl.col("key").is_in([k for k, rs in rules_by_key.items() if rule in rs])
    if review:
        keep &= pl.col(Status(review).value) > 0
    if agency:  # the name or what tells it apart (region, file name), as the page's search box
        keep &= (pl.col("agency").fill_null("") + " " + pl.col("_who")).str.contains(agency, literal=True)
    return keep


def overview_table_html(run: RunData, sort_by: str = "rank", severity: str = "", rule: str = "",
                        agency: str = "", script: bool = True, review: str = "", year: int | None = None,
                        level: str = "") -> HtmlFragment:
    """The filters, then the 机关 × 规则 grid and the agencies table they both act on.

    `year` (None: the latest; ALL_YEARS: every one) and `level` (乡镇/街道, 县区政府, 部门) choose the agencies
    counted and ranked together: the exported page prints the other years' rows hidden and a small inline
    script filters and sorts (no fetch); JupyterLab drops scripts from untrusted output, so there
    (`script=False`, the widgets) only the chosen rows are printed. `severity`, `rule`, `review` (pending,
    confirmed, dismissed, needs_material: at least one finding of that status) and `agency` leave rows out.
    """
    if run.empty:
        return render("overview_table.html.j2", rows=[], empty=True)
    years = run_years(run)
    year = (years[0] if years else ALL_YEARS) if year is None else year
    rules_by_key: dict[str, list[str]] = {}
    if not run.findings.is_empty():
        for key, rules in run.findings.group_by("key").agg(pl.col("rule").unique().sort()).iter_rows():
            rules_by_key[key] = list(rules)
    distinctions = _distinctions(run.agencies)
    a = _ranked(run.agencies).with_columns(
        pl.col("key").replace_strict(distinctions, default="", return_dtype=pl.String).alias("_who"))
    a = a.filter(_keep(rules_by_key, severity, rule, review, agency)).with_columns(
        _in_view(year, level).alias("_shown"))
    if not script:
        a = a.filter(pl.col("_shown"))
    a = a.with_columns(pl.col("level_rank" if level else "year_rank").alias("rank"))
    descending = sort_by in ("errors", "warnings", "infos", "year", "score")
    ties = [c for c in ("agency", "key") if c != sort_by and c in a.columns]  # the same order every run
    a = a.sort([sort_by, *ties], descending=[descending, *(False for _ in ties)], nulls_last=True)
    columns = heatmap_columns(run.findings)
    cells = heatmap_cells(run.findings, columns)
    rows = overview_rows(a, rules_by_key, distinctions, grade_names(run))
    grid = [(r, cells[r["key"]]) for r in rows if r["key"] in cells]
    return render("overview_table.html.j2", rows=rows, empty=False, script=script, severities=SEVERITIES,
                  reviews=[(st.value, st.label) for st in Status], heads=HEADS, sort_by=SORT_ATTRIBUTES, colors=SEVERITY_COLORS,
                  rules=[(c.rule, rule_label(c.rule)) for c in columns], columns=columns, grid=grid,
                  years=years, year=year, levels=list(LEVELS.values()), level=level,
                  script_html=inline_script("sort_overview.js"))


def rules_html(findings: pl.DataFrame) -> HtmlFragment:
    """The rules that fired in a run: how many findings and agencies each, and what each checks."""
    rows = []
    if not findings.is_empty():
        ordered = (findings.group_by("rule", "severity")
                   .agg(pl.len().alias("n"), pl.col("key").n_unique().alias("agencies"))
                   .with_columns(SEVERITY_RANK.alias("_o"))
                   .sort(["_o", "n", "rule"], descending=[False, True, False]))  # ties by ID: the same page each run
        rows = [(rule, sev, n, agencies, rule_doc(rule)) for rule, sev, n, agencies, _ in ordered.iter_rows()]
    return render("rules.html.j2", rows=rows, colors=SEVERITY_COLORS, heads=("规则", "级别", "涉及机关", "条数", "检查内容"))
