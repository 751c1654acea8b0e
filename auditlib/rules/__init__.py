"""The rules: one module per topic, each rule declared once in the registry (`REGISTRY`; `RULES` are the
report rules, `CORPUS_RULES` those across reports, `ENGINE_RULES` UNREADABLE and RULE-FAILED)."""

from __future__ import annotations

from collections.abc import Sequence

from auditlib.findings import Finding
from auditlib.model import Report
from auditlib.rules import completeness, cross_report, narrative, tables  # noqa: F401  (registers the rules)
from auditlib.rules.registry import (
    CORPUS_RULES,
    ENGINE_RULES,
    REGISTRY,
    RULE_FAILED,
    RULES,
    UNREADABLE,
    Rule,
    Violation,
    corpus_rule,
    rule,
    run_corpus_rules,
    run_rules,
    unreadable,
    violation,
)

__all__ = ["CORPUS_RULES", "ENGINE_RULES", "REGISTRY", "RULES", "RULE_FAILED", "UNREADABLE", "Rule", "Violation",
           "check_corpus", "check_report", "corpus_rule", "rule", "run_corpus_rules", "run_rules", "unreadable",
           "violation"]


def check_report(report: Report) -> list[Finding]:
    """Every single-report rule over one report."""
    return run_rules(report)


def check_corpus(reports: Sequence[Report]) -> list[list[Finding]]:
    """Every rule across reports (carry-over, copied narratives); findings aligned with `reports`."""
    return run_corpus_rules(reports) if len(reports) >= 2 else [[] for _ in reports]
