"""The rules: one module per topic, all registered in `RULES` by the @rule decorator."""

from __future__ import annotations

from auditlib.findings import Finding
from auditlib.model import Report
from auditlib.rules import completeness, narrative, tables  # noqa: F401  (registers the rules)
from auditlib.rules.registry import RULE_FAILED, RULES, Rule, Violation, rule, run_rules, violation

__all__ = ["RULES", "RULE_FAILED", "Rule", "Violation", "check_report", "rule", "run_rules", "violation"]


def check_report(report: Report) -> list[Finding]:
    """Every single-report rule over one report."""
    return run_rules(report)
