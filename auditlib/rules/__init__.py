"""The rules: one module per topic, all registered in `RULES` by the @rule decorator."""

from __future__ import annotations

from collections.abc import Sequence

from auditlib.findings import Finding
from auditlib.model import Report
from auditlib.rules import completeness, cross_report, narrative, tables  # noqa: F401  (registers the rules)
from auditlib.rules.registry import (
    CORPUS_RULES,
    RULE_FAILED,
    RULES,
    Rule,
    Violation,
    corpus_rule,
    rule,
    run_corpus_rules,
    run_rules,
    violation,
)

__all__ = ["CORPUS_RULES", "RULES", "RULE_FAILED", "Rule", "Violation", "check_corpus", "check_report",
           "corpus_rule", "rule", "run_corpus_rules", "run_rules", "violation"]


def check_report(report: Report) -> list[Finding]:
    """Every single-report rule over one report."""
    return run_rules(report)


def check_corpus(reports: Sequence[Report]) -> list[list[Finding]]:
    """Every rule across reports (carry-over, copied narratives); findings aligned with `reports`."""
    return run_corpus_rules(reports) if len(reports) >= 2 else [[] for _ in reports]
