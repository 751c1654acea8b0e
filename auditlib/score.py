"""Scores: findings + the rubric (auditlib.rubric) → a 100-point score, a grade and every point lost. Pure.

An item that needs something a single report may lack (a publication date, last year's report, peers
of the same year) is not deducted when its condition is not met, and the score says so in `unassessed`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import polars as pl

from auditlib.findings import Finding, Severity
from auditlib.model import Report
from auditlib.rubric import NEEDS, Item, Rubric, load_rubric
from auditlib.rules.registry import ENGINE_RULES, PUBLISH_LATE, REGISTRY, violation

if TYPE_CHECKING:
    from auditlib.audit import Outcome

__all__ = [
    "AppliedCap",
    "Deduction",
    "Score",
    "ScoreContext",
    "add_scores",
    "agency_kind",
    "contexts",
    "deductions_frame",
    "grade_counts",
    "json_number",
    "publication_date",
    "score_outcomes",
    "score_report",
    "scores_frame",
]


@dataclass(frozen=True)
class Deduction:
    """Points one item lost (negative), the rules behind them and the findings (indices into those scored)."""

    item: str
    points: float
    rules: tuple[str, ...]
    findings: tuple[int, ...]
    note: str = ""  # why the points differ from the sum per finding (cap, error zeroes the item)

    def to_dict(self) -> dict[str, Any]:
        return {"item": self.item, "points": json_number(self.points), "rules": list(self.rules)}


@dataclass(frozen=True)
class AppliedCap:
    """A grade cap that applied: its rules, the grade it allows at most, why, and the points it took."""

    rules: tuple[str, ...]
    max_grade: str
    reason: str
    points: float  # ≤ 0: how far the score was lowered to the cap's ceiling (0 when already below)
    findings: tuple[int, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"rules": list(self.rules), "max_grade": self.max_grade, "reason": self.reason,
                "points": json_number(self.points)}


@dataclass(frozen=True)
class ScoreContext:
    """What the batch offered the cross-report rules, and the publication date if known."""

    prior_year: bool = False  # the same agency's previous-year report was in the batch
    peers: bool = False  # another agency's report of the same year was in the batch
    published: dt.date | None = None


@dataclass(frozen=True)
class Score:
    """One report's score: points out of `total`, the grade, and every point lost with its rules."""

    report: str
    agency: str | None
    year: int | None
    score: float
    grade: str
    deductions: tuple[Deduction, ...]
    unassessed: tuple[tuple[str, str], ...] = ()  # (item or rule, why it was not assessed); not deducted
    unscored: tuple[str, ...] = ()  # rules found that the rubric neither scores nor lists in not_scored
    total: float = 100
    caps: tuple[AppliedCap, ...] = ()  # grade caps that applied, in the rubric's order

    def to_dict(self) -> dict[str, Any]:
        """The contract's JSON object (spec/report-json.md), plus `unassessed` and `caps`."""
        return {"report": self.report, "agency": self.agency, "year": self.year, "score": json_number(self.score),
                "grade": self.grade, "deductions": [d.to_dict() for d in self.deductions],
                "unassessed": [{"item": item, "reason": why} for item, why in self.unassessed],
                "caps": [c.to_dict() for c in self.caps]}

    @property
    def cap_reason(self) -> str:
        """Why the grade is capped, in Chinese (「缺少第五部分，等级不高于合格」), or ""."""
        return "；".join(c.reason for c in self.caps)

    @property
    def summary(self) -> str:
        """One Chinese line: 得分 86（良好）；扣分：表格勾稽 −10（APP-BALANCE）…；未评：…"""
        parts = [f"得分 {_fmt(self.score)}（{self.grade}）"]
        if self.deductions:
            parts.append("扣分：" + "，".join(f"{d.item} {_fmt(d.points)}（{'、'.join(d.rules)}）" for d in self.deductions))
        if self.caps:
            parts.append("封顶：" + self.cap_reason)
        if self.unassessed:
            parts.append("未评：" + "，".join(f"{item}（{why}）" for item, why in self.unassessed))
        return "；".join(parts)


def json_number(x: float) -> int | float:
    """86.0 → 86, 7.456 → 7.46: a score or a deduction as JSON prints it."""
    return int(x) if float(x).is_integer() else round(x, 2)


def _fmt(x: float) -> str:
    return str(json_number(x)).replace("-", "−")


def _rule_label(rule_id: str) -> str:
    """A rule as the pages name it: 照搬上年（COPY-PRIOR）, the Chinese short name first (the rubric's IDs are known)."""
    return f"{REGISTRY[rule_id].name}（{rule_id}）"


_TOWNSHIP = re.compile(r"(镇|乡|街道|苏木)(人民政府|办事处)?$")
_GOVERNMENT = re.compile(r"(人民政府|政府)$")


def agency_kind(agency: str | None) -> str:
    """township | government | department: which publication deadline applies."""
    name = re.sub(r"\s+", "", agency or "")
    if _TOWNSHIP.search(name):
        return "township"
    return "government" if _GOVERNMENT.search(name) else "department"


def publication_date(report: Report | None) -> dt.date | None:
    """The date the report was published, when reading it supplied one (Report.extra["published"])."""
    value = report.extra.get("published") if report is not None else None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None


def _late(item: Item, report: Report | None, published: dt.date | None) -> str | None:
    """Why the report is late (Chinese), '' when on time, None when it cannot be told."""
    if published is None or report is None or report.year is None:
        return None
    mmdd = item.deadlines.get(agency_kind(report.agency)) or "03-31"
    month, day = (int(x) for x in mmdd.split("-"))
    deadline = dt.date(report.year + 1, month, day)
    if published <= deadline:
        return ""
    return ENGINE_RULES[PUBLISH_LATE].render(violation((), published=published.isoformat(), deadline=deadline.isoformat()))


def score_report(findings: Sequence[Finding], rubric: Rubric, report: Report | None = None,
                 context: ScoreContext | None = None) -> Score:
    """Score one report from its findings. Every point lost is a Deduction naming its rules and findings."""
    context = context or ScoreContext()
    published = context.published or publication_date(report)
    met = {"prior_year": context.prior_year, "peers": context.peers, "publication_date": published is not None}
    path = report.path if report is not None else (findings[0].report if findings else "")
    agency = report.agency if report is not None else next((f.agency for f in findings if f.agency), None)
    year = report.year if report is not None else next((f.year for f in findings if f.year is not None), None)
    by_rule: dict[str, list[int]] = {}
    for k, f in enumerate(findings):
        by_rule.setdefault(f.rule, []).append(k)
    fatal = [r for r in rubric.fatal_rules if r in by_rule]
    deductions: list[Deduction] = []
    unassessed: list[tuple[str, str]] = []
    if fatal:
        behind = tuple(k for r in fatal for k in by_rule[r])
        deductions = [Deduction(item.name, -item.points, tuple(fatal), behind, "报告无法读取，无从评分")
                      for item in rubric.items if item.points > 0]
        return Score(path, agency, year, 0.0, rubric.grade(0.0), tuple(deductions), (), (), rubric.total)
    for item in rubric.items:
        if item.needs is not None and not met[item.needs] and not any(r.rule in by_rule for r in item.rules):
            unassessed.append((item.name, NEEDS[item.needs]))
            continue
        late = _late(item, report, published) if item.needs == "publication_date" else None
        lost, rules, hit = 0.0, list[str](), list[int]()
        for rp in item.rules:
            ks = by_rule.get(rp.rule, [])
            count = len(ks) or (1 if rp.rule == PUBLISH_LATE and late else 0)
            if not count:
                if rp.needs is not None and not met[rp.needs]:
                    unassessed.append((f"{item.name}·{_rule_label(rp.rule)}", NEEDS[rp.needs]))
                continue
            points = rp.points * count
            lost += min(points, rp.max) if rp.max is not None else points
            rules.append(rp.rule)
            hit.extend(ks)
        if not rules:
            continue
        note = late or ""
        if item.error_zeroes and any(findings[k].severity is Severity.ERROR for k in hit):
            lost, note = item.points, "存在错误，本项不得分"
        elif lost > item.points:
            lost, note = item.points, f"扣分以本项分值 {_fmt(item.points)} 分为限"
        deductions.append(Deduction(item.name, -lost, tuple(rules), tuple(sorted(set(hit))), note))
    score = max(0.0, rubric.total + sum(d.points for d in deductions))
    score = round(score, 1)
    score, caps = _apply_caps(score, findings, by_rule, rubric)
    known = set(rubric.rules) | set(rubric.not_scored) | set(rubric.fatal_rules)
    unscored = tuple(sorted(r for r in by_rule if r not in known))
    return Score(path, agency, year, score, rubric.grade(score), tuple(deductions), tuple(unassessed), unscored,
                 rubric.total, tuple(caps))


_PART = re.compile(r"缺少第([一二三四五六])部分")  # SECTION-MISSING's message names the section


def _apply_caps(score: float, findings: Sequence[Finding], by_rule: Mapping[str, list[int]],
                rubric: Rubric) -> tuple[float, list[AppliedCap]]:
    """Lower the score to each triggered cap's ceiling (so grade and rank agree with the cap)."""
    applied = []
    for cap in rubric.grade_caps:
        hit = sorted(k for r in cap.rules for k in by_rule.get(r, []))
        if len(hit) < cap.min_count:
            continue
        parts = "、".join(dict.fromkeys(m.group(1) for k in hit if (m := _PART.search(findings[k].message))))
        reason = cap.reason.replace("{parts}", parts)
        capped = min(score, rubric.ceiling(cap.max_grade))
        applied.append(AppliedCap(cap.rules, cap.max_grade, reason, capped - score, tuple(hit)))
        score = capped
    return score, applied


# ---------------------------------------------------------------------------------------------
# A batch: outcomes of audit_paths → scores and frames for the notebooks and exports
# ---------------------------------------------------------------------------------------------


def contexts(outcomes: Sequence[Outcome]) -> list[ScoreContext]:
    """For each outcome: was the agency's previous-year report, or a same-year peer, in the batch?"""
    from auditlib.rules.cross_report import agency_key, previous_year_index

    readable = [(i, o.report) for i, o in enumerate(outcomes) if o.report is not None]
    reports = [r for _, r in readable]
    prior = previous_year_index(reports)
    agencies_by_year: dict[int, set[str]] = {}
    for r in reports:
        key = agency_key(r.agency)
        if r.year is not None and key is not None:
            agencies_by_year.setdefault(r.year, set()).add(key)
    out = [ScoreContext() for _ in outcomes]
    for n, (i, r) in enumerate(readable):
        key = agency_key(r.agency)
        peers = r.year is not None and key is not None and len(agencies_by_year.get(r.year, set()) - {key}) > 0
        out[i] = ScoreContext(prior_year=n in prior, peers=peers, published=publication_date(r))
    return out


def score_outcomes(outcomes: Sequence[Outcome], rubric: Rubric | None = None) -> list[Score]:
    """One score per outcome, in order (an unreadable file scores 0 under the rubric's fatal rules)."""
    rubric = rubric or load_rubric()
    return [_with_path(score_report(o.findings, rubric, o.report, ctx), o.path)
            for o, ctx in zip(outcomes, contexts(outcomes), strict=True)]


def _with_path(score: Score, path: str) -> Score:
    return replace(score, report=path)


SCORES_SCHEMA: dict[str, Any] = {
    "report": pl.String,
    "agency": pl.String,
    "year": pl.Int64,
    "score": pl.Float64,
    "grade": pl.String,
    "rank": pl.Int64,  # 1 = best; equal scores share a rank, the next rank skips (1, 2, 2, 4)
    "lost": pl.Float64,
    "deductions": pl.String,  # 表格勾稽 −25（APP-BALANCE）；…
    "unassessed": pl.String,
    "summary": pl.String,
}


def _as_scores(items: Sequence[Outcome] | Sequence[Score], rubric: Rubric | None) -> list[Score]:
    if items and all(isinstance(x, Score) for x in items):
        return [x for x in items if isinstance(x, Score)]
    return score_outcomes([x for x in items if not isinstance(x, Score)], rubric)


def scores_frame(items: Sequence[Outcome] | Sequence[Score], rubric: Rubric | None = None) -> pl.DataFrame:
    """One row per report: score, grade, rank and the deductions in words (input order)."""
    scores = _as_scores(items, rubric)
    values = sorted((s.score for s in scores), reverse=True)
    rank = {value: values.index(value) + 1 for value in values}  # 1, 2, 2, 4: ties share, the next skips
    rows = [
        {"report": s.report, "agency": s.agency, "year": s.year, "score": s.score, "grade": s.grade,
         "rank": rank[s.score], "lost": s.total - s.score,
         "deductions": "；".join(f"{d.item} {_fmt(d.points)}（{'、'.join(d.rules)}）" for d in s.deductions),
         "unassessed": "；".join(f"{item}：{why}" for item, why in s.unassessed), "summary": s.summary}
        for s in scores
    ]
    return pl.DataFrame(rows, schema=SCORES_SCHEMA)


DEDUCTIONS_SCHEMA: dict[str, Any] = {
    "report": pl.String,
    "agency": pl.String,
    "year": pl.Int64,
    "item": pl.String,
    "points": pl.Float64,
    "rules": pl.List(pl.String),
    "findings": pl.List(pl.Int64),  # indices into the outcome's findings (the order of its findings frame)
    "messages": pl.List(pl.String),
    "note": pl.String,
}


def deductions_frame(outcomes: Sequence[Outcome], rubric: Rubric | None = None) -> pl.DataFrame:
    """One row per deduction, with the findings behind it (their indices and messages) for links."""
    rows = []
    for o, s in zip(outcomes, score_outcomes(outcomes, rubric), strict=True):
        for d in s.deductions:
            rows.append({"report": o.path, "agency": s.agency, "year": s.year, "item": d.item,
                         "points": d.points, "rules": list(d.rules), "findings": list(d.findings),
                         "messages": [o.findings[k].message for k in d.findings], "note": d.note})
    return pl.DataFrame(rows, schema=DEDUCTIONS_SCHEMA)


def add_scores(frame: pl.DataFrame, scores: pl.DataFrame) -> pl.DataFrame:
    """`frame` (findings or overview, with a `report` column) with `score` and `grade` joined on."""
    extra = scores.select("report", "score", "grade").unique("report", keep="first", maintain_order=True)
    return frame.drop([c for c in ("score", "grade") if c in frame.columns]).join(
        extra, on="report", how="left", maintain_order="left")


def grade_counts(scores: pl.DataFrame, rubric: Rubric | None = None) -> pl.DataFrame:
    """How many reports got each grade, every grade listed in the rubric's order (for the chart)."""
    rubric = rubric or load_rubric()
    counts = dict(scores.group_by("grade").len().iter_rows()) if scores.height else {}
    return pl.DataFrame({"grade": [g for g, _ in rubric.grades],
                         "count": [int(counts.get(g, 0)) for g, _ in rubric.grades]},
                        schema={"grade": pl.String, "count": pl.Int64})

