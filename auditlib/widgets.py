"""The live drill-down for JupyterLab: ipywidgets built from the findings frame and the report's provenance.

Widgets need a running kernel, so the exported page never relies on them (it shows the same
content as `<details>`; see `render.findings_html`). Both are rebuilt from data, never from state.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import ipywidgets as w
import polars as pl

from auditlib import render
from auditlib.findings import Finding, Severity
from auditlib.history import LEVELS
from auditlib.model import Report
from auditlib.review.panel import ReviewPanel
from auditlib.review.records import Status

__all__ = ["Drilldown", "OverviewFilter", "build_drilldown", "build_overview"]

ALL = ""
SEVERITY_OPTIONS = [("全部", ALL), *((s.label, str(s)) for s in Severity)]


class Drilldown(w.VBox):
    """Choose a finding (filtered by severity and rule) and see what the rule checks, its cells and source.

    Given the run folder and the report's findings (the list the frame's `index` column points into),
    it also shows the review panel for the chosen finding, which records into `<run_dir>/review.sqlite`.
    """

    def __init__(self, frame: pl.DataFrame, report: Report | None, max_source_lines: int = 40,
                 findings: Sequence[Finding] = (), run_dir: str | Path = "", reviewer: str = "",
                 **kwargs: Any) -> None:
        self.frame = frame
        self.report = report
        self.details = {d.id: d for d in render.finding_details(report, frame, max_source_lines)}
        self.findings = list(findings)
        self.positions = ({int(i): int(k) for i, k in frame.select("id", "index").iter_rows()}
                          if "index" in frame.columns else {})
        self.panel = ReviewPanel(run_dir, report, reviewer) if run_dir and self.findings else None
        rules = sorted(set(frame["rule"].to_list())) if not frame.is_empty() else []
        style = {"description_width": "3em"}
        self.severity = w.Dropdown(options=SEVERITY_OPTIONS, value=ALL, description="级别", style=style)
        self.rule = w.Dropdown(options=[("全部", ALL), *((r, r) for r in rules)], value=ALL, description="规则",
                               style=style)
        self.finding = w.Select(options=[], rows=8, description="问题", style=style,
                                layout=w.Layout(width="100%"))
        self.detail = w.HTML(layout=w.Layout(width="100%"))
        self.severity.observe(self._refilter, names="value")
        self.rule.observe(self._refilter, names="value")
        self.finding.observe(self._show, names="value")
        for control, name in ((self.severity, "drilldown-severity"), (self.rule, "drilldown-rule"),
                              (self.finding, "drilldown-finding"), (self.detail, "drilldown-detail")):
            control.add_class(name)  # stable hooks for the browser test (tests/test_lab_review.py)
        review = [self.panel] if self.panel is not None else []
        super().__init__([w.HBox([self.severity, self.rule]), self.finding, self.detail, *review], **kwargs)
        self.add_class("finding-drilldown")
        self._refilter()

    def visible(self) -> pl.DataFrame:
        """The findings that pass the current severity and rule filters."""
        out = self.frame
        if self.severity.value:
            out = out.filter(pl.col("severity") == self.severity.value)
        if self.rule.value:
            out = out.filter(pl.col("rule") == self.rule.value)
        return out

    def _refilter(self, _change: Any = None) -> None:
        rows = self.visible()
        options = [(f"{sev}｜{rule}｜{msg[:70]}", int(i))
                   for i, sev, rule, msg in rows.select("id", "severity_label", "rule", "message").iter_rows()]
        self.finding.options = options
        self.finding.value = options[0][1] if options else None
        self._show()

    def selected(self) -> Finding | None:
        """The chosen finding (None: none chosen, or the findings were not given)."""
        k = self.positions.get(self.finding.value) if self.finding.value is not None else None
        return self.findings[k] if k is not None and 0 <= k < len(self.findings) else None

    def _show(self, _change: Any = None) -> None:
        if self.panel is not None:
            self.panel.show(self.selected())
        if self.finding.value is None:
            self.detail.value = "<p>没有符合筛选条件的问题。</p>"
            return
        self.detail.value = render.finding_detail_html(self.details[self.finding.value], self.report)


def build_drilldown(frame: pl.DataFrame, report: Report | None, max_source_lines: int = 40,
                    findings: Sequence[Finding] = (), run_dir: str | Path = "", reviewer: str = "") -> Drilldown:
    """The drill-down widget for one agency's findings (as `render.findings_frame` builds them).

    With `findings` (the report's full list, `page.outcome.findings`) and the batch's `run_dir`, each
    chosen finding can be confirmed, dismissed or corrected on the spot (`ReviewPanel`).
    """
    return Drilldown(frame, report, max_source_lines, findings, run_dir, reviewer)


class OverviewFilter(w.VBox):
    """The overview table, filtered and sorted by widgets (the lab's counterpart of the page's script)."""

    SORTS = [("名次", "rank"), ("得分", "score"), ("错误数", "errors"), ("警告数", "warnings"), ("提示数", "infos"),
             ("待复核数", "pending"), ("机关名称", "agency"), ("年度", "year")]

    def __init__(self, run: render.RunData, **kwargs: Any) -> None:
        self.run = run
        rules = sorted(set(run.findings["rule"].to_list())) if not run.findings.is_empty() else []
        style = {"description_width": "4em"}
        self.severity = w.Dropdown(options=[("全部", ALL), ("有错误", "error"), ("有警告", "warning"), ("有提示", "info")],
                                   value=ALL, description="级别", style=style)
        self.rule = w.Dropdown(options=[("全部", ALL), *((render.rule_label(r), r) for r in rules)], value=ALL,
                               description="规则", style=style)
        self.review = w.Dropdown(options=[("全部", ALL), *((f"有{s.label}", s.value) for s in Status)], value=ALL,
                                 description="复核", style=style)
        years = render.run_years(run)
        self.year = w.Dropdown(options=[*((f"{y} 年度", y) for y in years), ("全部年度", render.ALL_YEARS)],
                               value=years[0] if years else render.ALL_YEARS, description="年度", style=style)
        self.level = w.Dropdown(options=[("全部机关", ALL), *((v, v) for v in LEVELS.values())], value=ALL,
                                description="同级", style=style)
        self.agency = w.Text(value="", placeholder="机关名称或地区", description="机关", style=style)
        self.sort = w.Dropdown(options=self.SORTS, value="rank", description="排序", style=style)
        self.table = w.HTML(layout=w.Layout(width="100%"))
        for control in (self.year, self.level, self.severity, self.rule, self.review, self.agency, self.sort):
            control.observe(self._render, names="value")
        super().__init__([w.HBox([self.year, self.level, self.severity]), w.HBox([self.rule, self.review]),
                          w.HBox([self.agency, self.sort]), self.table],
                         **kwargs)
        self._render()

    def _render(self, _change: Any = None) -> None:
        self.table.value = render.overview_table_html(self.run, sort_by=self.sort.value, severity=self.severity.value,
                                                     rule=self.rule.value, agency=self.agency.value.strip(),
                                                     review=self.review.value, script=False,
                                                     year=self.year.value, level=self.level.value)


def build_overview(run: render.RunData) -> OverviewFilter:
    """Severity, rule, review-status and agency filters plus a sort order over the overview table."""
    return OverviewFilter(run)
