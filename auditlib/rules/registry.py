"""The rule registry: every rule is declared once, with its ID, severity, Chinese short name and
Chinese message templates; a rule's body only finds violations and hands over their values.

One registry (`REGISTRY`) holds every kind of rule:

- report rules (`@rule`, run by `run_rules` on one report; also in `RULES`),
- rules across reports (`@corpus_rule`, run by `run_corpus_rules`; also in `CORPUS_RULES`),
- the engine's own findings (scope ENGINE): UNREADABLE (a file that cannot be read, built by
  `unreadable`), RULE-FAILED (a rule that crashed, built by the two runners) and PUBLISH-LATE (a
  deduction the score finds from the publication date).

A declaration carries the message text: one template (`message`), or several named variants
(`messages={"table": …, "row": …}`) that a violation picks by key (`violation(…, variant="row")`),
and named fragments (`parts`) for pieces a message lists more than once (`part(rule_id, key, …)`).
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, TypeVar

from auditlib.findings import Finding, Severity, new_finding
from auditlib.model import Report


@dataclass(frozen=True)
class Violation:
    """What a rule yields: the cells it implicates and the values its message template needs."""

    cells: tuple[str, ...]
    params: dict[str, Any] = field(default_factory=dict)
    lines: tuple[int, ...] = ()  # source lines to show beyond the cells' own (e.g. the title line)
    variant: str = ""  # which of the rule's message variants ("" = its single template)


def violation(cells: Iterable[str], lines: Iterable[int | None] = (), variant: str = "", **params: Any) -> Violation:
    return Violation(tuple(cells), params, tuple(n for n in lines if n is not None) if lines else (), variant)


RuleFunc = Callable[[Report], Iterator[Violation]]


# Rules across reports see every readable report of one call and yield (index of the report the
# finding belongs to, violation). They live apart from RULES because they cannot run on one report.
CorpusRuleFunc = Callable[[Sequence[Report]], Iterator[tuple[int, Violation]]]

REPORT, CORPUS, ENGINE = "report", "corpus", "engine"


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    messages: Mapping[str, str]  # variant → a str.format template over the violation's params
    func: Callable[..., Iterator[Any]] | None  # RuleFunc, CorpusRuleFunc, or None for the engine's rules
    doc: str  # what must hold, in Chinese (the function's docstring)
    scope: str = REPORT  # REPORT, CORPUS (needs several reports) or ENGINE (the engine's own findings)
    name: str = ""  # the Chinese short name shown before the ID (收支不平衡 · APP-BALANCE)
    parts: Mapping[str, str] = field(default_factory=dict)  # named fragments a message lists

    @property
    def message(self) -> str:
        """The single template, or the first variant when the rule has several."""
        return self.messages.get("") or next(iter(self.messages.values()), "")

    def render(self, v: Violation) -> str:
        template = self.messages.get(v.variant)
        if template is None:
            raise KeyError(f"rule {self.id} has no message variant {v.variant!r}")
        return template.format_map(v.params)

    def part(self, key: str, **params: Any) -> str:
        return self.parts[key].format(**params)


REGISTRY: dict[str, Rule] = {}  # every rule, whatever its scope, by ID
RULES: dict[str, Rule] = {}  # report rules (what run_rules runs)
CORPUS_RULES: dict[str, Rule] = {}  # rules across reports (what run_corpus_rules runs)
ENGINE_RULES: dict[str, Rule] = {}  # UNREADABLE, RULE-FAILED, PUBLISH-LATE

_BY_SCOPE = {REPORT: RULES, CORPUS: CORPUS_RULES, ENGINE: ENGINE_RULES}

F = TypeVar("F", bound=Callable[..., Iterator[Any]])
T = TypeVar("T")


def per_report(func: Callable[[Report], T]) -> Callable[[Report], T]:
    """A reading of a report that several rules share (the sums, the cells by row, the claims), done once:
    the result is kept for the last report it was asked about. A parsed report does not change, so the
    same object gives the same result; the next report replaces it."""
    last: tuple[Report, T] | None = None

    def shared(report: Report) -> T:
        nonlocal last
        kept = last  # one read: another thread may replace it meanwhile
        if kept is not None and kept[0] is report:
            return kept[1]
        result = func(report)
        last = (report, result)
        return result

    shared.__doc__, shared.__name__ = func.__doc__, func.__name__
    return shared


def declare(rule_id: str, severity: Severity, message: str = "", *, name: str, scope: str = REPORT,
            messages: Mapping[str, str] | None = None, parts: Mapping[str, str] | None = None,
            func: Callable[..., Iterator[Any]] | None = None, doc: str = "") -> Rule:
    """Register one rule (the decorators and the sum-rule table call this)."""
    if rule_id in REGISTRY:
        raise ValueError(f"rule {rule_id} declared twice")
    if not name:
        raise ValueError(f"rule {rule_id} has no Chinese short name")
    variants = dict(messages or {})
    if message:
        variants[""] = message
    if not variants:
        raise ValueError(f"rule {rule_id} has no message template")
    declared = Rule(rule_id, severity, MappingProxyType(variants), func,
                    doc or ((func.__doc__ or "").strip() if func is not None else ""), scope, name,
                    MappingProxyType(dict(parts or {})))
    REGISTRY[rule_id] = declared
    _BY_SCOPE[scope][rule_id] = declared
    return declared


def undeclare(rule_id: str) -> None:
    """Remove a rule (tests that declare a rule of their own)."""
    declared = REGISTRY.pop(rule_id)
    del _BY_SCOPE[declared.scope][rule_id]


def _decorator(rule_id: str, severity: Severity, message: str, scope: str, name: str,
               messages: Mapping[str, str] | None, parts: Mapping[str, str] | None) -> Callable[[F], F]:
    def register(func: F) -> F:
        declare(rule_id, severity, message, name=name, scope=scope, messages=messages, parts=parts, func=func)
        return func

    return register


def rule(rule_id: str, severity: Severity, message: str = "", *, name: str,
         messages: Mapping[str, str] | None = None,
         parts: Mapping[str, str] | None = None) -> Callable[[RuleFunc], RuleFunc]:
    """Register a report rule under its ID (IDs are those of spec/report-json.md where it names them)."""
    return _decorator(rule_id, severity, message, REPORT, name, messages, parts)


def corpus_rule(rule_id: str, severity: Severity, message: str = "", *, name: str,
                messages: Mapping[str, str] | None = None,
                parts: Mapping[str, str] | None = None) -> Callable[[CorpusRuleFunc], CorpusRuleFunc]:
    """Register a rule across reports (CARRY-OVER-MISMATCH, COPY-PRIOR, COPY-PEER …)."""
    return _decorator(rule_id, severity, message, CORPUS, name, messages, parts)


def part(rule_id: str, key: str, **params: Any) -> str:
    """A named fragment of a rule's declaration, filled in (for lists inside a message)."""
    return REGISTRY[rule_id].part(key, **params)


def listing(items: Iterable[Any], key: str = "list") -> str:
    """Items joined as Chinese lists them (LISTS[key]: 、 for a list, ； between clauses)."""
    return LISTS[key].join(str(i) for i in items)


LISTS = {"list": "、", "clauses": "；"}


# ---------------------------------------------------------------------------------------------
# The engine's own findings
# ---------------------------------------------------------------------------------------------

UNREADABLE = "UNREADABLE"
RULE_FAILED = "RULE-FAILED"
PUBLISH_LATE = "PUBLISH-LATE"  # found by the score, from the publication date (no rule sees it)

declare(UNREADABLE, Severity.ERROR, "无法读取该文件：{reason}", name="无法读取", scope=ENGINE,
        doc="报告文件无法读取或解析，其他规则均未执行。")
declare(RULE_FAILED, Severity.WARNING, "规则 {rule} 执行出错，未能完成该项检查（{error}，{where}）",
        name="规则出错", scope=ENGINE, doc="某条规则执行时出错，该项检查未完成；其他规则照常执行。")
declare(PUBLISH_LATE, Severity.WARNING, "{published} 发布，晚于 {deadline}", name="发布逾期", scope=ENGINE,
        doc="年度报告应在条例第四十九条规定的期限前公布（部门1月31日前，县级以上政府3月31日前）。")


def unreadable(path: str, reason: str) -> Finding:
    """The one finding of a file that cannot be read."""
    r = ENGINE_RULES[UNREADABLE]
    return Finding(path, None, r.id, r.severity, r.render(violation((), reason=reason)))


def _failed(report: Report, rule_id: str, exc: Exception) -> Finding:
    where = traceback.extract_tb(exc.__traceback__)[-1]
    r = ENGINE_RULES[RULE_FAILED]
    v = violation((), rule=rule_id, error=f"{type(exc).__name__}: {exc}", where=f"{where.name}:{where.lineno}")
    return Finding(report.path, report.agency, r.id, r.severity, r.render(v), (), (), report.year)


def _lines_of(report: Report, cells: Sequence[str], extra: Iterable[int] = ()) -> tuple[int, ...]:
    """The source lines behind the cells (a section: its heading's line) and `extra`, in order, each once."""
    read = report.cells
    lines = set(extra)
    others = []  # paths that are not cells: sections, or cells the report does not hold
    last: tuple[int, ...] | None = None  # the cells of one row share their lines: added once for a run of them
    for path in cells:
        cell = read.get(path)
        if cell is None:
            others.append(path)
        elif cell.lines is not last:
            last = cell.lines
            lines.update(last)
    for path in others:
        if path.startswith("section.") and (section := report.sections.get(path.split(".", 1)[1])) and section.line:
            lines.add(section.line)
    return tuple(sorted(lines))


def _finding(report: Report, r: Rule, v: Violation) -> Finding:
    return new_finding(report.path, report.agency, r.id, r.severity, r.render(v), v.cells,
                   _lines_of(report, v.cells, v.lines), report.year)


def run_rules(report: Report, rules: Iterable[Rule] | None = None) -> list[Finding]:
    """Every rule over one report. A rule that crashes becomes a finding; the others still run."""
    findings: list[Finding] = []
    for r in rules if rules is not None else RULES.values():
        assert r.func is not None
        try:
            for v in r.func(report):
                findings.append(_finding(report, r, v))
        except Exception as exc:  # noqa: BLE001 - a bug in one rule must not hide the others
            findings.append(_failed(report, r.id, exc))
    return findings


def run_corpus_rules(reports: Sequence[Report], rules: Iterable[Rule] | None = None) -> list[list[Finding]]:
    """Every rule across reports; findings per report, aligned with `reports`. A crash becomes a finding."""
    out: list[list[Finding]] = [[] for _ in reports]
    for r in rules if rules is not None else CORPUS_RULES.values():
        assert r.func is not None
        try:
            for index, v in r.func(reports):
                out[index].append(_finding(reports[index], r, v))
        except Exception as exc:  # noqa: BLE001 - a bug in one rule must not hide the others
            for index, report in enumerate(reports):
                out[index].append(_failed(report, r.id, exc))
    return out
