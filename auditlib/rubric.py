"""The rubric (parameters/rubric.yaml): items with points, the rules that deduct from each and how much,
grade bands and grade caps, read and checked once. A malformed rubric is a user error (RubricError).

Some items need something a single report may lack (a publication date, last year's report, peers of
the same year): `NEEDS` names each such condition and why, in Chinese, it was not met.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from auditlib.resources import data_dir
from auditlib.rules.registry import REGISTRY
from auditlib.safety import UserError, read_yaml_file, validate_rule_ids

__all__ = [
    "DEFAULT_RUBRIC",
    "NEEDS",
    "GradeCap",
    "Item",
    "Rubric",
    "RubricError",
    "RulePoints",
    "load_rubric",
    "parse_rubric",
]

DEFAULT_RUBRIC = data_dir("parameters") / "rubric.yaml"
NEEDS = {
    "publication_date": "未取得发布日期",
    "prior_year": "本批次没有该机关上一年度的报告",
    "peers": "本批次没有同年度其他机关的报告",
}


class RubricError(UserError, ValueError):
    """The rubric file is malformed (the message is Chinese and names the problem); a user error (exit 2)."""


@dataclass(frozen=True)
class RulePoints:
    """How much one rule deducts per finding (and at most), and what it needs to be assessed."""

    rule: str
    points: float  # deducted per finding
    max: float | None = None  # at most this much for the rule
    needs: str | None = None


@dataclass(frozen=True)
class Item:
    """One item of the rubric: its points and the rules that deduct from it."""

    name: str
    points: float
    rules: tuple[RulePoints, ...]
    error_zeroes: bool = False  # one error-level finding loses the whole item
    needs: str | None = None
    deadlines: Mapping[str, str] = field(default_factory=dict)  # agency kind → "MM-DD" of the next year


@dataclass(frozen=True)
class GradeCap:
    """A grade the report cannot exceed when `min_count` findings of `rules` are present (any mix)."""

    rules: tuple[str, ...]
    max_grade: str
    reason: str  # Chinese, e.g. 缺少第五部分，等级不高于合格 ({parts} is replaced by the sections missing)
    min_count: int = 1


@dataclass(frozen=True)
class Rubric:
    """The whole rubric: items, grade bands, rules that void a score, rules that only inform."""

    items: tuple[Item, ...]
    grades: tuple[tuple[str, float], ...]  # (grade, minimum score), highest first
    total: float = 100
    fatal_rules: tuple[str, ...] = ()
    not_scored: Mapping[str, str] = field(default_factory=dict)
    path: str = ""
    grade_caps: tuple[GradeCap, ...] = ()

    def grade(self, score: float) -> str:
        return next((g for g, low in self.grades if score >= low), self.grades[-1][0])

    def ceiling(self, grade: str) -> float:
        """The highest score graded `grade` or lower: the next higher band's minimum less one point."""
        names = [g for g, _ in self.grades]
        k = names.index(grade)
        return self.total if k == 0 else self.grades[k - 1][1] - 1

    @property
    def rules(self) -> dict[str, str]:
        """rule ID → the item it deducts from."""
        return {r.rule: item.name for item in self.items for r in item.rules}


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise RubricError(f"评分细则中 {where} 应为非负数，实际为 {value!r}")
    return float(value)


def _known_rules(ids: Any, where: str) -> None:
    """A misspelt rule ID would silently deduct nothing (or void nothing): refuse it, suggesting the closest."""
    if isinstance(ids, Mapping):
        ids = list(ids)
    try:
        validate_rule_ids(ids, REGISTRY, where, what="")
    except UserError as exc:
        raise RubricError(str(exc)) from None


def parse_rubric(data: Mapping[str, Any], path: str = "") -> Rubric:
    """A rubric from its YAML mapping, checked: items add up to the total, each rule deducts in one item."""
    if not isinstance(data, Mapping) or not isinstance(data.get("items"), list):
        raise RubricError("评分细则缺少 items 列表")
    total = _number(data.get("total", 100), "total")
    items: list[Item] = []
    seen: dict[str, str] = {}
    for n, raw in enumerate(data["items"], 1):
        if not isinstance(raw, Mapping) or "item" not in raw or "points" not in raw:
            raise RubricError(f"评分细则第 {n} 个评分项缺少 item 或 points")
        name = str(raw["item"])
        needs = raw.get("needs")
        if needs is not None and needs not in NEEDS:
            raise RubricError(f"评分项「{name}」的 needs 只能是 {'、'.join(NEEDS)}，实际为 {needs!r}")
        rules: list[RulePoints] = []
        _known_rules(raw.get("rules") or {}, f"评分项「{name}」的 rules")
        for rule_id, spec in (raw.get("rules") or {}).items():
            if rule_id in seen:
                raise RubricError(f"规则 {rule_id} 同时出现在「{seen[rule_id]}」和「{name}」中，每条规则只能在一个评分项扣分")
            seen[rule_id] = name
            if isinstance(spec, Mapping):
                rule_needs = spec.get("needs")
                if rule_needs is not None and rule_needs not in NEEDS:
                    raise RubricError(f"规则 {rule_id} 的 needs 只能是 {'、'.join(NEEDS)}")
                cap = spec.get("max")
                rules.append(RulePoints(rule_id, _number(spec.get("points"), f"{rule_id}.points"),
                                        None if cap is None else _number(cap, f"{rule_id}.max"), rule_needs))
            else:
                rules.append(RulePoints(rule_id, _number(spec, rule_id)))
        deadlines = {str(k): str(v) for k, v in (raw.get("deadlines") or {}).items()}
        for kind, mmdd in deadlines.items():
            if not re.fullmatch(r"\d{2}-\d{2}", mmdd):
                raise RubricError(f"评分项「{name}」的期限 {kind} 应写成“月-日”（如 03-31），实际为 {mmdd!r}")
        items.append(Item(name, _number(raw["points"], f"{name}.points"), tuple(rules),
                          bool(raw.get("error_zeroes", False)), needs, deadlines))
    if abs(sum(i.points for i in items) - total) > 1e-9:
        raise RubricError(f"评分项分值之和（{sum(i.points for i in items):g}）不等于总分（{total:g}）")
    grades = []
    for band in data.get("grades") or []:
        grades.append((str(band["grade"]), _number(band["min"], f"grades.{band.get('grade')}")))
    if not grades:
        raise RubricError("评分细则缺少 grades（等级划分）")
    if [low for _, low in grades] != sorted((low for _, low in grades), reverse=True):
        raise RubricError("grades 应按最低分从高到低排列")
    _known_rules(data.get("fatal_rules") or (), "fatal_rules")
    _known_rules(data.get("not_scored") or {}, "not_scored")
    return Rubric(tuple(items), tuple(grades), total, tuple(data.get("fatal_rules") or ()),
                  dict(data.get("not_scored") or {}), path, _grade_caps(data.get("grade_caps"), grades))


def _grade_caps(raw: Any, grades: Sequence[tuple[str, float]]) -> tuple[GradeCap, ...]:
    """grade_caps: [{rules: [...], max_grade: 合格, reason: ..., min_count: 1}], checked."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise RubricError("评分细则的 grade_caps 应为列表")
    names = [g for g, _ in grades]
    caps = []
    for n, cap in enumerate(raw, 1):
        if not isinstance(cap, Mapping):
            raise RubricError(f"grade_caps 第 {n} 项应为映射（含 rules、max_grade、reason）")
        rules = cap.get("rules")
        if not isinstance(rules, list) or not rules or not all(isinstance(r, str) and r for r in rules):
            raise RubricError(f"grade_caps 第 {n} 项的 rules 应为非空的规则编号列表，实际为 {rules!r}")
        grade = cap.get("max_grade")
        if grade not in names:
            raise RubricError(f"grade_caps 第 {n} 项的 max_grade 只能是 {'、'.join(names)}，实际为 {grade!r}")
        reason = cap.get("reason")
        if not isinstance(reason, str) or not reason.strip():
            raise RubricError(f"grade_caps 第 {n} 项缺少 reason（封顶原因的中文说明）")
        count = cap.get("min_count", 1)
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise RubricError(f"grade_caps 第 {n} 项的 min_count 应为正整数，实际为 {count!r}")
        caps.append(GradeCap(tuple(rules), str(grade), reason.strip(), count))
    return tuple(caps)


def load_rubric(path: str | Path | None = None) -> Rubric:
    """Read a rubric (default: parameters/rubric.yaml). Raises RubricError if it is malformed."""
    path = Path(path) if path is not None else DEFAULT_RUBRIC
    try:  # UTF-8 or GBK, a regular file of at most 1 MB, bad YAML named by its line
        data = read_yaml_file(path, "评分细则")
    except UserError as exc:
        raise RubricError(str(exc)) from exc
    try:
        return parse_rubric(data, str(path))
    except RubricError as exc:
        raise RubricError(f"评分细则 {path}：{exc}") from exc
