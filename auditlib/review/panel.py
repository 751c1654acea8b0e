"""The review controls for the JupyterLab drill-down: four decision buttons, a note, the reviewer, a cell
correction field and the finding's history. They write the same store as the command line and Excel.

The drill-down (auditlib/widgets.py) embeds one `ReviewPanel` and calls `panel.show(finding)` when the
selected finding changes. The store is opened per action, so a kernel left open holds no lock.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import ipywidgets as w

from auditlib.findings import Finding
from auditlib.model import Report
from auditlib.review.apply import apply_corrections, correction_text, record_correction
from auditlib.review.identity import finding_key
from auditlib.review.records import STATUS_LABELS, Status
from auditlib.review.store import StoreError, open_store
from auditlib.template import cell_label

__all__ = ["ReviewPanel"]

_BUTTON_STYLE = {Status.CONFIRMED: "danger", Status.DISMISSED: "success", Status.NEEDS_MATERIAL: "warning",
                 Status.PENDING: ""}


class ReviewPanel(w.VBox):
    """Decide on the shown finding, or correct one of its cells, into `<out_dir>/review.sqlite`."""

    def __init__(self, out_dir: str | Path, report: Report | None, reviewer: str = "", **kwargs: Any) -> None:
        self.out_dir = Path(out_dir)
        self.report = report
        self.finding: Finding | None = None
        self.current = w.HTML()
        self.reviewer = w.Text(value=reviewer, description="复核人", placeholder="姓名")
        self.note = w.Textarea(description="复核意见", placeholder="理由、依据或需要补充的材料",
                               layout=w.Layout(width="100%"))
        self.buttons: dict[Status, w.Button] = {
            s: w.Button(description=label, button_style=_BUTTON_STYLE[s])
            for s, label in STATUS_LABELS.items() if s is not Status.PENDING}
        self.buttons[Status.PENDING] = w.Button(description="恢复为" + Status.PENDING.label)
        for status, button in self.buttons.items():
            button.on_click(lambda _b, status=status: self.decide(status))
        self.cell = w.Dropdown(options=[], description="单元格")
        self.value = w.Text(description="更正为", placeholder="正确的数字")
        self.correct_button = w.Button(description="更正单元格")
        self.correct_button.on_click(lambda _b: self.correct())
        self.message = w.HTML()
        self.history = w.HTML()
        super().__init__([self.current, w.HBox([self.reviewer]), self.note, w.HBox(list(self.buttons.values())),
                          w.HBox([self.cell, self.value, self.correct_button]), self.message, self.history],
                         **kwargs)
        # stable hooks in the page (class names in English; the visible text stays Chinese)
        self.add_class("review-panel")
        for control, name in ((self.current, "review-current"), (self.reviewer, "review-reviewer"),
                              (self.note, "review-note"), (self.cell, "review-cell"), (self.value, "review-value"),
                              (self.correct_button, "review-correct"), (self.message, "review-message"),
                              (self.history, "review-history")):
            control.add_class(name)
        for status, button in self.buttons.items():
            button.add_class(f"review-{status.value.replace('_', '-')}")  # review-confirmed, review-dismissed, …
        self.show(None)

    def show(self, finding: Finding | None) -> None:
        """Show `finding`'s decision and history (None: nothing selected)."""
        self.finding = finding
        self.message.value = ""
        table_cells = [c for c in (finding.cells if finding else ()) if not c.startswith("section.")]
        self.cell.options = [(cell_label(c), c) for c in table_cells]
        self.cell.disabled = self.value.disabled = self.correct_button.disabled = not table_cells
        for button in self.buttons.values():
            button.disabled = finding is None
        self._refresh()

    def _refresh(self) -> None:
        if self.finding is None:
            self.current.value, self.history.value = "<p>请先选择一条问题</p>", ""
            return
        try:
            with open_store(self.out_dir) as store:
                rows = store.history(finding_key(self.finding))
        except StoreError as exc:
            self.current.value, self.history.value = f"<p>{html.escape(str(exc))}</p>", ""
            return
        last = rows[-1] if rows else None
        status = last.status if last else Status.PENDING
        who = f"（{html.escape(last.reviewer)}，{html.escape(last.at[:16].replace('T', ' '))}）" if last else ""
        note = f"：{html.escape(last.note)}" if last and last.note else ""
        self.current.value = f"<p><b>复核结论：{status.label}</b>{who}{note}</p>"
        items = "".join(f"<li>{html.escape(d.at[:16].replace('T', ' '))} {html.escape(d.reviewer)}："
                        f"{d.status.label}{('，' + html.escape(d.note)) if d.note else ''}</li>" for d in rows)
        self.history.value = f"<details><summary>复核记录（{len(rows)} 条）</summary><ul>{items}</ul></details>" if rows else ""

    def _say(self, text: str) -> None:
        self.message.value = f"<p>{html.escape(text)}</p>"

    def decide(self, status: Status) -> None:
        """Record `status` with the note and reviewer typed in (what each button does)."""
        if self.finding is None:
            return
        try:
            with open_store(self.out_dir) as store:
                store.set_decision(finding_key(self.finding), status, self.note.value, self.reviewer.value,
                                   finding=self.finding, source="widget")
        except (StoreError, ValueError) as exc:
            self._say(str(exc))
            return
        self._say(f"已记录：{status.label}（重新运行批量审核后，页面和总览随之更新）")
        self._refresh()

    def correct(self) -> None:
        """Record the typed value for the chosen cell (the printed value stays visible beside it)."""
        if self.report is None or not self.cell.value:
            return
        text = "".join(self.value.value.split()).replace(",", "")
        try:
            number: int | float = float(text) if "." in text else int(text)
        except ValueError:
            self._say(f"更正值“{self.value.value}”不是数字")
            return
        if number < 0:
            self._say(f"更正值“{self.value.value}”是负数；件数和金额都不能为负")
            return
        if not self.note.value.strip():
            self._say("请在复核意见中说明更正的依据")
            return
        try:
            with open_store(self.out_dir) as store:
                record_correction(store, self.report, self.cell.value, number, self.note.value, self.reviewer.value,
                                  source="widget")
                corrected = apply_corrections(self.report, store.corrections_for(self.report))
        except (StoreError, ValueError) as exc:
            self._say(str(exc))
            return
        self._say(f"已记录：「{cell_label(self.cell.value)}」{correction_text(corrected, self.cell.value)}"
                  "（规则和评分在重新运行批量审核后按更正值计算）")
