"""Score a parsed real report against its hand-labelled truth file (tests/real/*.truth.json).

A cell is right (the value printed), unknown (None: the parser could not tell) or wrong; an error
finding whose rule the truth file does not allow is a false error.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from builders import flatten

from auditlib.audit import audit_file

REAL = Path(__file__).parent / "real"


@dataclass
class Score:
    right: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    wrong: list[tuple[str, object, object]] = field(default_factory=list)
    false_errors: list[tuple[str, str]] = field(default_factory=list)
    agency: str | None = None
    year: int | None = None
    rules: set[str] = field(default_factory=set)  # every rule that gave a finding


def score(name: str, file: Path | None = None) -> tuple[Score, dict]:
    """`file` (default: the truth's own file) is read against the truth of `name`."""
    truth = json.loads((REAL / f"{name}.truth.json").read_text(encoding="utf-8"))
    outcome = audit_file(file or REAL / truth["files"][0])
    result = Score()
    if outcome.report is None:
        result.false_errors = [(f.rule, f.message) for f in outcome.findings]
        return result, truth
    report = outcome.report
    result.agency, result.year = report.agency, report.year
    result.rules = {f.rule for f in outcome.findings}
    skip = set(truth.get("skip_cells", []))
    for path, want in flatten(truth["tables"]).items():
        if path in skip:
            continue
        got = report.cells[path].value if path in report.cells else None
        if got is None and want is not None:
            result.unknown.append(path)
        elif got == want or (isinstance(want, float) and got is not None and abs(got - want) < 1e-6):
            result.right.append(path)
        else:
            result.wrong.append((path, got, want))
    allowed = set(truth.get("allowed_errors", []))
    # an error about cells the truth itself cannot tell (skip_cells) is not a false one
    result.false_errors = [(f.rule, f.message) for f in outcome.findings
                           if f.severity == "error" and f.rule not in allowed
                           and not (f.cells and set(f.cells) <= skip)]
    return result, truth


if __name__ == "__main__":
    for name in ("pingtan-2021", "kewei-2024", "hongze-2023", "hongze-2024", "huaian-2024"):
        s, t = score(name)
        print(f"{name}: right {len(s.right)} unknown {len(s.unknown)} wrong {len(s.wrong)} "
              f"false errors {len(s.false_errors)}; agency {s.agency!r} (truth {t['agency']!r}) year {s.year}")
        for w in s.wrong[:8]:
            print("   wrong", w)
        for e in s.false_errors[:8]:
            print("   false", e)
