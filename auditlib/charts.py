"""Altair builders: a polars frame in, a Vega-Lite v5 chart out (Chinese font stack in the config).

Every chart's interactivity (legend highlight, click-to-filter, the overview's select boxes) is a
Vega selection or parameter, so it keeps working in the exported HTML with no kernel. Data is
inlined, which is why the builders keep their frames small (Altair refuses more than 5000 rows).
"""

from __future__ import annotations

from typing import Any

import altair as alt
import polars as pl

from auditlib.findings import Severity
from auditlib.model import Report
from auditlib.template import APPLICANT_COLUMNS, DISPOSAL_GROUPS

__all__ = [
    "CJK_FONT",
    "disposition_chart",
    "disposition_frame",
    "findings_chart",
    "grade_chart",
]

CJK_FONT = '"Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC", "Source Han Sans SC", SimSun, sans-serif'
SEVERITY_DOMAIN = [s.label for s in Severity]  # 错误, 警告, 提示
SEVERITY_RANGE = ["#c0392b", "#d69e2e", "#2b6cb0"]
SEVERITY_SCALE = alt.Scale(domain=SEVERITY_DOMAIN, range=SEVERITY_RANGE)

DISPOSALS = DISPOSAL_GROUPS
DISPOSAL_COLORS = ["#2f855a", "#68d391", "#c53030", "#dd6b20", "#805ad5", "#718096"]



def _configure(chart: Any) -> Any:
    """The house look: CJK fonts everywhere, no frame around the plot area."""
    return (chart.configure(font=CJK_FONT)
            .configure_axis(labelFont=CJK_FONT, titleFont=CJK_FONT, labelFontSize=12, titleFontSize=12)
            .configure_legend(labelFont=CJK_FONT, titleFont=CJK_FONT, labelFontSize=12)
            .configure_title(font=CJK_FONT, fontSize=14, anchor="start")
            .configure_view(stroke=None))


# The agency charts give Altair channel objects, never a dict or a shorthand string: Altair (5.5) turns
# those into objects with `from_dict`, which hashes the schema of every one of its classes on each call
# (about 13 ms each, more than all the rest of a chart). The spec comes out the same.


def _highlight(pick: Any, other: float) -> Any:
    """Opacity 1 for what `pick` selects, `other` for the rest: `alt.condition` as its channel object."""
    return alt.OpacityValue(**alt.condition(pick, alt.value(1.0), alt.value(other)))


def _message(text: str, width: int = 420) -> Any:
    """A chart that only says something (no data to draw), so a cell never shows an empty frame."""
    frame = pl.DataFrame({"text": [text]})
    chart = alt.Chart(frame).mark_text(fontSize=14, color="#555", align="left", x=4).encode(
        text=alt.Text("text:N")).properties(width=width, height=30)
    return _configure(chart)


# ---------------------------------------------------------------------------------------------
# One agency
# ---------------------------------------------------------------------------------------------


def _row_key(path: str, column: str) -> str:
    """`applications.3.3.1.natural_person` → `3.3.1` for that column; "" for other tables or columns."""
    head, suffix = "applications.", "." + column
    return path[len(head):-len(suffix)] if path.startswith(head) and path.endswith(suffix) else ""


def disposition_frame(report: Report | None) -> pl.DataFrame:
    """How applications were disposed of (三、本年度办理结果 by group) for each applicant type.

    Unknown cells (blank, missing, invalid) are left out rather than counted as 0.
    """
    rows: list[dict[str, Any]] = []
    if report is not None:
        for a_order, col in enumerate(APPLICANT_COLUMNS):
            # each cell's row in this column, once (not once per group: the page's costliest loop)
            rows_of = [(key, p) for p in report.cells if (key := _row_key(p, col.key))]
            for d_order, (prefix, name) in enumerate(DISPOSALS):
                values = [report.value(p) for key, p in rows_of if key == prefix or key.startswith(prefix + ".")]
                known = [v for v in values if v is not None]
                if known:
                    rows.append({"applicant": col.label, "applicant_order": a_order, "disposal": name,
                                 "disposal_order": d_order, "count": int(sum(known))})
    schema = {"applicant": pl.String, "applicant_order": pl.Int64, "disposal": pl.String,
              "disposal_order": pl.Int64, "count": pl.Int64}
    return pl.DataFrame(rows, schema=schema)


def disposition_chart(frame: pl.DataFrame) -> Any:
    """Stacked bars: each applicant type's applications by how they were disposed of; click the legend."""
    data = frame.filter(pl.col("count") > 0)
    if data.is_empty():
        return _message("本年度办理结果各项均为 0 或未填报，没有可绘制的数据。")
    pick = alt.selection_point(fields=["disposal"], bind="legend", name="disposal_pick")
    chart = alt.Chart(data).mark_bar().encode(
        y=alt.Y("applicant:N", title="申请人类型", sort=[c.label for c in APPLICANT_COLUMNS],
                scale=alt.Scale(domain=[c.label for c in APPLICANT_COLUMNS])),
        x=alt.X("sum(count):Q", title="件数", axis=alt.Axis(tickMinStep=1, format="d")),  # counts: whole ticks
        color=alt.Color("disposal:N", title="办理结果（点击图例突出显示）",
                        scale=alt.Scale(domain=[d for _, d in DISPOSALS], range=DISPOSAL_COLORS),
                        sort=[d for _, d in DISPOSALS]),
        order=alt.Order("disposal_order:Q"),
        opacity=_highlight(pick, 0.25),
        tooltip=[alt.Tooltip("applicant:N", title="申请人"), alt.Tooltip("disposal:N", title="办理结果"),
                 alt.Tooltip("count:Q", title="件数")],
    ).add_params(pick).properties(width=520, height=alt.Step(26), title="申请办理结果（按申请人类型）")
    return _configure(chart)


def findings_chart(frame: pl.DataFrame) -> Any:
    """Findings per rule, coloured by severity; click a bar to list that rule's findings below it."""
    if frame.is_empty():
        return _message("按当前参数未发现问题。")
    from auditlib.rules import REGISTRY

    # the Chinese short name first, the ID second (结转不衔接（CARRY-OVER-MISMATCH）)
    names = {r: f"{REGISTRY[r].name}（{r}）" if r in REGISTRY else r for r in frame["rule"].unique().to_list()}
    data = frame.select("id", "rule", "severity_label", "message").with_columns(
        pl.col("rule").replace_strict(names, return_dtype=pl.String).alias("rule_label"))
    pick = alt.selection_point(fields=["rule"], name="rule_pick")
    bars = alt.Chart(data).mark_bar().encode(
        y=alt.Y("rule_label:N", title="规则", sort="-x"),
        x=alt.X("count():Q", title="条数", axis=alt.Axis(tickMinStep=1, format="d")),
        color=alt.Color("severity_label:N", title="级别", scale=SEVERITY_SCALE),
        opacity=_highlight(pick, 0.35),
        tooltip=[alt.Tooltip("rule_label:N", title="规则"), alt.Tooltip("severity_label:N", title="级别"),
                 alt.Tooltip("count():Q", title="条数")],
    ).add_params(pick).properties(width=420, height=alt.Step(22), title="问题按规则分布（点击条形筛选下方列表）")
    listing = alt.Chart(data).transform_filter(pick).transform_window(
        row="row_number()").mark_text(align="left", baseline="middle", limit=760, fontSize=12).encode(
        y=alt.Y("row:O", axis=None),
        x=alt.XValue(0),
        text=alt.Text("message:N"),
        color=alt.Color("severity_label:N", scale=SEVERITY_SCALE, legend=None),
        tooltip=[alt.Tooltip("id:Q", title="编号"), alt.Tooltip("rule_label:N", title="规则"),
                 alt.Tooltip("message:N", title="问题")],
    ).properties(width=760, height=alt.Step(18), title="问题列表")
    return _configure(alt.vconcat(bars, listing))


# ---------------------------------------------------------------------------------------------
# All agencies of a run
# ---------------------------------------------------------------------------------------------


def grade_chart(counts: pl.DataFrame) -> Any:
    """How many agencies got each grade (`render.grade_counts`: every grade, best first), with the count on each bar."""
    from auditlib.render.run import grade_color

    if counts.is_empty() or int(counts["count"].sum()) == 0:
        return _message("本次运行没有评分结果。")
    grades = counts["grade"].to_list()
    data = counts.with_columns((pl.col("count") / pl.col("count").sum() * 100).round(1).alias("share"))
    base = alt.Chart(data).encode(
        x=alt.X("grade:N", title="等级", sort=grades, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("count:Q", title="机关数", axis=alt.Axis(tickMinStep=1, format="d")),
    )
    bars = base.mark_bar(size=44).encode(
        color=alt.Color("grade:N", title="等级", legend=None,
                        scale=alt.Scale(domain=grades, range=[grade_color(g, grades) for g in grades])),
        tooltip=[alt.Tooltip("grade:N", title="等级"), alt.Tooltip("count:Q", title="机关数"),
                 alt.Tooltip("share:Q", title="占比（%）")],
    )
    labels = base.mark_text(dy=-8, fontSize=13, fontWeight="bold", color="#333").encode(text="count:Q")
    chart = alt.layer(bars, labels).properties(width=max(240, 90 * len(grades)), height=220,
                                               title="评分等级分布（机关数）")
    return _configure(chart)
