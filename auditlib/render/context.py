"""What the batch knows across reports that one agency's page shows: the `batch_context` parameter.

A page is made from one report; the batch sees all of them. For each report it hands the page, as
JSON primitives (a papermill parameter):

- `links`: the other reports a rule across reports tied it to (COPY-PEER, COPY-PRIOR,
  CARRY-OVER-MISMATCH, YOY-CHANGE's last year), both ways: `direction` "out" when this report's
  finding names the other, "in" when the other's finding names this one (last year's page links to
  the year that copied it);
- `history`: the agency's reports across the batch's years (`history.history_frame`), each with its
  page and which report counted as its last year's;
- `peers`: each key figure's place among the same-level agencies of the year (`history.peers_frame`);
- `region`: the report's region, only when reading it supplied one (`Report.extra["region"]`).

`summary_facts` picks from it what the overview's row shows (level, region, last year's report).

Paths stay absolute in `links[].report` (the page reads the other report from there); what a page
prints is the file name (`name`) and the relative link to the other page (`page`, a sibling file).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from auditlib.history import FIGURE_COLUMNS, history_frame, level, peers_frame
from auditlib.rules.cross_report import links, previous_year_index
from auditlib.rules.year_on_year import YOY_CHANGE, year_on_year_changes

if TYPE_CHECKING:
    from auditlib.audit import Outcome
    from auditlib.score import Score

__all__ = ["BatchContext", "RelatedReport", "batch_contexts", "context_from_param", "summary_facts"]

_REVERSED = {"COPY-PRIOR", "CARRY-OVER-MISMATCH", YOY_CHANGE}  # a later year's finding that names this report


@dataclass(frozen=True)
class RelatedReport:
    """Another report of the batch tied to this one by `rule` ("out": this report's finding names it)."""

    rule: str
    direction: str  # "out" | "in"
    report: str  # its path, as the batch read it (to load it; never printed)
    name: str  # its file name (what the page prints)
    agency: str | None
    year: int | None
    page: str  # its page, relative to this one ("" when the batch made none)
    similarity: float | None = None


@dataclass(frozen=True)
class BatchContext:
    """The `batch_context` parameter back as values (empty: the page was made alone)."""

    links: tuple[RelatedReport, ...] = ()
    history: tuple[dict[str, Any], ...] = ()
    peers: tuple[dict[str, Any], ...] = ()
    level: str = ""  # 乡镇/街道, 县区政府 or 部门: whom `peers` compares with

    @property
    def empty(self) -> bool:
        return not (self.links or self.history or self.peers)

    def related(self, rule: str, direction: str = "out") -> list[RelatedReport]:
        """The reports `rule` ties this one to, most similar first (then by file name)."""
        found = [k for k in self.links if k.rule == rule and k.direction == direction]
        return sorted(found, key=lambda k: (-(k.similarity or 0), k.name))


def context_from_param(data: Mapping[str, Any] | None) -> BatchContext:
    """The notebook's `batch_context` parameter (`batch_contexts`' item) as a BatchContext."""
    if not data:
        return BatchContext()
    related = tuple(RelatedReport(str(d["rule"]), str(d.get("direction") or "out"), str(d["report"]),
                                  str(d.get("name") or PurePath(str(d["report"])).name), d.get("agency"),
                                  d.get("year"), str(d.get("page") or ""), d.get("similarity"))
                    for d in data.get("links") or ())
    return BatchContext(related, tuple(data.get("history") or ()), tuple(data.get("peers") or ()),
                        str(data.get("level") or ""))


def batch_contexts(outcomes: Sequence[Outcome], scores: Sequence[Score] | None, pages: Sequence[str]) -> list[dict[str, Any]]:
    """For each outcome, its page's `batch_context` (JSON primitives); `pages` are the outcomes' page files."""
    if len(pages) != len(outcomes) or (scores is not None and len(scores) != len(outcomes)):
        raise ValueError("outcomes, scores and pages must be aligned")
    readable = [k for k, o in enumerate(outcomes) if o.report is not None]
    reports = [outcomes[k].report for k in readable]
    page_of = {o.path: pages[k] for k, o in enumerate(outcomes)}
    out: list[dict[str, Any]] = [{"links": [], "history": [], "peers": [], "level": ""} for _ in outcomes]

    def entry(rule: str, direction: str, j: int, similarity: float | None) -> dict[str, Any]:
        r = reports[j]
        assert r is not None
        return {"rule": rule, "direction": direction, "report": r.path, "name": PurePath(r.path).name,
                "agency": r.agency, "year": r.year, "page": page_of.get(r.path, ""), "similarity": similarity}

    valid = [r for r in reports if r is not None]
    for k in links(valid):
        out[readable[k.report]]["links"].append(entry(k.rule, "out", k.other, k.similarity))
        if k.rule in _REVERSED:
            out[readable[k.other]]["links"].append(entry(k.rule, "in", k.report, k.similarity))
    for i, j in sorted(previous_year_index(valid).items()):  # YOY-CHANGE is not among `links`
        if year_on_year_changes(valid[i], valid[j]):
            out[readable[i]]["links"].append(entry(YOY_CHANGE, "out", j, None))
            out[readable[j]]["links"].append(entry(YOY_CHANGE, "in", i, None))

    _add_history(outcomes, scores, page_of, out)
    _add_peers(outcomes, out)
    for n, o in enumerate(outcomes):  # only when present: a batch without regions keeps its pages' hashes
        region = o.report.extra.get("region") if o.report is not None else None
        if region:
            out[n]["region"] = str(region)
    return out


def summary_facts(context: Mapping[str, Any] | None, agency: str | None) -> dict[str, Any]:
    """What the overview's row shows from a page's `batch_context`: level, region and last year's report.

    `prior_page` stays relative to the agency's page (a sibling file), as the context holds it.
    """
    data = context or {}
    current: Mapping[str, Any] = next((row for row in data.get("history") or () if row.get("current")), {})
    return {"level": data.get("level") or (level(agency) if agency else None), "region": data.get("region"),
            "prior_name": current.get("prior_name"), "prior_page": current.get("prior_page") or None}


def _name(path: str | None) -> str | None:
    return PurePath(path).name if path else None


def _add_history(outcomes: Sequence[Outcome], scores: Sequence[Score] | None, page_of: Mapping[str, str],
                 out: list[dict[str, Any]]) -> None:
    frame = history_frame(outcomes, scores)
    by_key: dict[str, list[dict[str, Any]]] = defaultdict(list)
    history_of: dict[str, str] = {}
    for row in frame.iter_rows(named=True):
        history_of[row["report"]] = row["history_key"]
        by_key[row["history_key"]].append({
            "agency": row["agency"], "year": row["year"], "report": row["report"], "name": _name(row["report"]),
            "page": page_of.get(row["report"], ""), "score": row["score"], "grade": row["grade"],
            **{name: row[name] for name in FIGURE_COLUMNS.values()},
            "findings": row["findings"], "errors": row["errors"], "warnings": row["warnings"],
            "prior_name": _name(row["prior_report"]), "prior_page": page_of.get(row["prior_report"] or "", ""),
        })
    for k, o in enumerate(outcomes):
        key = history_of.get(o.path)
        if key is not None:
            out[k]["history"] = [{**row, "current": row["report"] == o.path} for row in by_key[key]]
    for entry in out:  # the page needs no other machine's path: drop them once `current` is known
        for row in entry["history"]:
            row.pop("report", None)


def _add_peers(outcomes: Sequence[Outcome], out: list[dict[str, Any]]) -> None:
    frame = peers_frame(outcomes)
    by_report: dict[str, list[dict[str, Any]]] = defaultdict(list)
    level_of: dict[str, str] = {}
    for row in frame.iter_rows(named=True):
        by_report[row["report"]].append({k: row[k] for k in ("figure", "label", "value", "peers", "q1", "median",
                                                             "q3", "quartile")})
        level_of[row["report"]] = row["level"]
    for k, o in enumerate(outcomes):
        out[k]["peers"] = by_report.get(o.path, [])
        out[k]["level"] = level_of.get(o.path, "")
