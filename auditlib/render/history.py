"""The page's 「历年情况与同级比较」: the agency across the batch's years, each key figure's place among the
same-level agencies of the year (quartiles), and the other reports the rules across reports tied it to."""

from __future__ import annotations

from auditlib.history import FIGURE_COLUMNS
from auditlib.model import Report
from auditlib.render.context import BatchContext
from auditlib.render.data import points
from auditlib.render.env import HtmlFragment, render
from auditlib.rules.year_on_year import KEY_FIGURES

__all__ = ["QUARTILE_LABELS", "history_html"]

QUARTILE_LABELS = {1: "最低的四分之一", 2: "中位数以下", 3: "中位数以上", 4: "最高的四分之一"}
_FIGURES = [(name, KEY_FIGURES[path]) for path, name in FIGURE_COLUMNS.items()]


def _number(x: float | int | None) -> str:
    return "—" if x is None else points(float(x))


def _history_rows(context: BatchContext) -> list[dict[str, object]]:
    rows = []
    for r in context.history:
        rows.append({
            "year": r.get("year") or "年度未识别", "current": bool(r.get("current")),
            "score": _number(r.get("score")) if r.get("score") is not None else "未评分", "grade": r.get("grade") or "",
            "figures": [_number(r.get(name)) for name, _ in _FIGURES],
            "errors": r.get("errors") or 0, "warnings": r.get("warnings") or 0, "findings": r.get("findings") or 0,
            "name": r.get("name") or "", "page": r.get("page") or "",
            "prior_name": r.get("prior_name") or "", "prior_page": r.get("prior_page") or "",
        })
    return rows


def _peer_rows(context: BatchContext) -> list[dict[str, object]]:
    rows = []
    for p in context.peers:
        q = p.get("quartile")
        rows.append({"label": p.get("label") or p.get("figure"), "value": _number(p.get("value")),
                     "peers": p.get("peers") or 0, "q1": _number(p.get("q1")), "median": _number(p.get("median")),
                     "q3": _number(p.get("q3")), "quartile": q,
                     "place": QUARTILE_LABELS.get(int(q), "") if q is not None else "数字未知，不参与比较"})
    return rows


def history_html(report: Report | None, context: BatchContext) -> HtmlFragment:
    """History across years, peer quartiles and links to related reports; a note when the page was made alone."""
    links = [{"k": k, "who": f"{k.agency or '（机关未识别）'} {k.year or ''}".strip()}
             for k in sorted(context.links, key=lambda k: (k.direction, k.rule, k.year or 0, k.name))]
    peers = _peer_rows(context)
    return render("history.html.j2", alone=context.empty or report is None, rows=_history_rows(context),
                  figures=[label for _, label in _FIGURES], peers=peers, level=context.level,
                  compared=max((int(str(p["peers"])) for p in peers), default=0), links=links,
                  year=report.year if report is not None else None)
