"""What the batch writes is safe and reproducible (issue 11): the same input gives the same index.html
bytes; no cell of findings.xlsx / CSV becomes a formula; output names fit the file system."""

from __future__ import annotations

import random

import polars as pl

from auditlib import views

# six rules with one warning each and two with two errors each: every count ties with another
TIED = ["TITLE-FORM", "CELL-BLANK", "FEE-NOT-REPORTED", "AD-IN-FORCE", "TABLE-ALL-ZERO", "CELL-MISSING"]


def _findings(seed: int) -> pl.DataFrame:
    rows = [{"rule": r, "severity": "warning", "key": f"k{i}"} for i, r in enumerate(TIED)]
    rows += [{"rule": r, "severity": "error", "key": k} for r in ("APP-BALANCE", "TEXT-TABLE-MISMATCH") for k in ("a", "b")]
    random.Random(seed).shuffle(rows)
    return pl.DataFrame(rows)


def _rule_order(html: str) -> list[str]:
    known = TIED + ["APP-BALANCE", "TEXT-TABLE-MISMATCH"]
    return sorted(known, key=lambda r: html.index(f">{r}<"))


def test_rule_tables_break_ties_by_rule_id_whatever_the_input_order() -> None:
    expected = ["APP-BALANCE", "TEXT-TABLE-MISMATCH", *sorted(TIED)]  # errors first, then by count, then by ID
    pages = {str(views.rules_html(_findings(seed))) for seed in range(8)}
    assert len(pages) == 1
    assert _rule_order(pages.pop()) == expected
    summaries = {str(views.summary_html(_findings(seed))) for seed in range(8)}
    assert len(summaries) == 1
    assert _rule_order(summaries.pop()) == expected
