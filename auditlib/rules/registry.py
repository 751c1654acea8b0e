"""The rule registry: a rule is a declared function with an ID, a severity and a Chinese message."""

from __future__ import annotations

import traceback
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from auditlib.findings import Finding, Severity
from auditlib.model import Report


@dataclass(frozen=True)
class Violation:
    """What a rule yields: the cells it implicates and the values its message template needs."""

    cells: tuple[str, ...]
    params: dict[str, Any] = field(default_factory=dict)
    lines: tuple[int, ...] = ()  # source lines to show beyond the cells' own (e.g. the title line)


def violation(cells: Iterable[str], lines: Iterable[int | None] = (), **params: Any) -> Violation:
    return Violation(tuple(cells), params, tuple(n for n in lines if n is not None))


RuleFunc = Callable[[Report], Iterator[Violation]]


# Rules across reports see every readable report of one call and yield (index of the report the
# finding belongs to, violation). They live apart from RULES because they cannot run on one report.
CorpusRuleFunc = Callable[[Sequence[Report]], Iterator[tuple[int, Violation]]]


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    message: str  # a str.format template over the violation's params
    func: Callable[..., Iterator[Any]]  # RuleFunc, or CorpusRuleFunc when scope is "corpus"
    doc: str  # what must hold, in Chinese (the function's docstring)
    scope: str = "report"  # "report", or "corpus" for rules that need several reports

    def render(self, v: Violation) -> str:
        return self.message.format(**v.params)


RULES: dict[str, Rule] = {}
CORPUS_RULES: dict[str, Rule] = {}

F = TypeVar("F", bound=Callable[..., Iterator[Any]])


def _declare(registry: dict[str, Rule], rule_id: str, severity: Severity, message: str, scope: str) -> Callable[[F], F]:
    def register(func: F) -> F:
        if rule_id in RULES or rule_id in CORPUS_RULES:
            raise ValueError(f"rule {rule_id} declared twice")
        registry[rule_id] = Rule(rule_id, severity, message, func, (func.__doc__ or "").strip(), scope)
        return func

    return register


def rule(rule_id: str, severity: Severity, message: str) -> Callable[[RuleFunc], RuleFunc]:
    """Register a report rule under its ID (IDs are those of spec/report-json.md where it names them)."""
    return _declare(RULES, rule_id, severity, message, "report")


def corpus_rule(rule_id: str, severity: Severity, message: str) -> Callable[[CorpusRuleFunc], CorpusRuleFunc]:
    """Register a rule across reports (CARRY-OVER-MISMATCH, COPY-PRIOR, COPY-PEER …)."""
    return _declare(CORPUS_RULES, rule_id, severity, message, "corpus")


RULE_FAILED = "RULE-FAILED"


def _lines_of(report: Report, cells: Iterable[str], extra: Iterable[int] = ()) -> tuple[int, ...]:
    lines: set[int] = set(extra)
    for path in cells:
        cell = report.cells.get(path)
        if cell is not None:
            lines.update(cell.lines)
        elif path.startswith("section.") and (section := report.sections.get(path.split(".", 1)[1])) and section.line:
            lines.add(section.line)
    return tuple(sorted(lines))


def run_rules(report: Report, rules: Iterable[Rule] | None = None) -> list[Finding]:
    """Every rule over one report. A rule that crashes becomes a finding; the others still run."""
    findings: list[Finding] = []
    for r in rules if rules is not None else RULES.values():
        try:
            for v in r.func(report):
                findings.append(Finding(report.path, report.agency, r.id, r.severity, r.render(v), v.cells,
                                        _lines_of(report, v.cells, v.lines), report.year))
        except Exception as exc:  # noqa: BLE001 - a bug in one rule must not hide the others
            where = traceback.extract_tb(exc.__traceback__)[-1]
            findings.append(Finding(
                report.path, report.agency, RULE_FAILED, Severity.WARNING,
                f"规则 {r.id} 执行出错，未能完成该项检查（{type(exc).__name__}: {exc}，{where.name}:{where.lineno}）",
                (), (), report.year))
    return findings


def run_corpus_rules(reports: Sequence[Report], rules: Iterable[Rule] | None = None) -> list[list[Finding]]:
    """Every rule across reports; findings per report, aligned with `reports`. A crash becomes a finding."""
    out: list[list[Finding]] = [[] for _ in reports]
    for r in rules if rules is not None else CORPUS_RULES.values():
        try:
            for index, v in r.func(reports):
                report = reports[index]
                out[index].append(Finding(report.path, report.agency, r.id, r.severity, r.render(v), v.cells,
                                          _lines_of(report, v.cells, v.lines), report.year))
        except Exception as exc:  # noqa: BLE001 - a bug in one rule must not hide the others
            where = traceback.extract_tb(exc.__traceback__)[-1]
            for index, report in enumerate(reports):
                out[index].append(Finding(
                    report.path, report.agency, RULE_FAILED, Severity.WARNING,
                    f"规则 {r.id} 执行出错，未能完成该项检查（{type(exc).__name__}: {exc}，{where.name}:{where.lineno}）",
                    (), (), report.year))
    return out
