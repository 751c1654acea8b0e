"""Do the tests notice a broken rule? Apply named source mutations one at a time and run the tests.

Each mutation is an exact string replacement in one file under auditlib/ (the needle is looked up in
every .py file there, so it still works when a module moves, e.g. the parser into a package). It is
applied to a temporary copy of the tree, the test files that should catch it are run there (-x -q),
and the mutation is reported as killed (a test failed) or survived (every test passed).

    .venv/bin/python scripts/mutation_check.py            # all mutations
    .venv/bin/python scripts/mutation_check.py -k score   # those whose name contains "score"
    .venv/bin/python scripts/mutation_check.py --list

Exit status: 0 when every mutation is killed, 1 when one survives or its needle is not found.
Never run from the test suite (it runs the suite many times); it is a tool for whoever edits rules.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

RULE_TESTS = ("tests/test_rules.py", "tests/test_rule_cases.py")
SCORE_TESTS = ("tests/test_score.py",)
PARSE_TESTS = ("tests/test_column_choice.py", "tests/test_parse_layouts.py", "tests/test_seeds.py")
TEXT_TESTS = ("tests/test_narrative.py",)
CROSS_TESTS = ("tests/test_cross_report.py",)
CAP_TESTS = ("tests/test_grade_caps.py",)
YOY_TESTS = ("tests/test_year_on_year.py",)


@dataclass(frozen=True)
class Mutation:
    name: str
    needle: str  # must occur exactly once in the .py files under auditlib/
    replacement: str
    tests: tuple[str, ...]  # the test files that should catch it
    why: str = ""


MUTATIONS: tuple[Mutation, ...] = (
    # --- the sums and the rules of table 二 ---------------------------------------------------------
    Mutation("sum-sides-equal", "if left != right:", "if left == right:", RULE_TESTS,
             "a sum rule fires where the sides agree and is silent where they differ"),
    Mutation("sum-drops-a-side-cell", "right = [sum(side(zeros)) for side in layout.totals]",
             "right = [sum(side(zeros)[:1]) for side in layout.totals]", RULE_TESTS,
             "APP-BALANCE forgets 结转下年度 (the second total)"),
    Mutation("identity-row-total-drops-natural-person",
             'out.append(Identity(ROW_TOTAL, tuple(f"{app}.{row.key}.{c.key}" for c in APPLICANT_COLUMNS),',
             'out.append(Identity(ROW_TOTAL, tuple(f"{app}.{row.key}.{c.key}" for c in APPLICANT_COLUMNS[1:]),',
             RULE_TESTS, "行合计 without 自然人"),
    Mutation("identity-balance-drops-carry-in",
             'out.append(Identity(BALANCE, (f"{app}.1.{col.key}", f"{app}.2.{col.key}"),',
             'out.append(Identity(BALANCE, (f"{app}.1.{col.key}",),', RULE_TESTS, "一 + 二 = 三 + 四 without 二"),
    Mutation("identity-result-total-drops-a-disposal",
             'disposal = [r.key for r in rows if r.key.startswith("3.") and r.key != "3.7"]',
             'disposal = [r.key for r in rows if r.key.startswith("3.") and r.key not in ("3.7", "3.1")]',
             RULE_TESTS, "（七）总计 without （一）予以公开"),
    Mutation("identity-group-total-drops-pending", "tuple(f\"{base}.{c.key}\" for c in OUTCOME_COLUMNS[:-1])",
             "tuple(f\"{base}.{c.key}\" for c in OUTCOME_COLUMNS[:-2])", RULE_TESTS, "复议诉讼合计 without 尚未审结"),
    Mutation("unknown-cell-assessed", "            if not a.unknown:\n", "            if True:\n",
             RULE_TESTS, "a sum over a blank cell is judged as if blank were 0"),
    Mutation("not-assessed-lists-the-assessed", "pending = [a for a in assessments(report) if a.unknown]",
             "pending = [a for a in assessments(report) if not a.unknown]", RULE_TESTS),
    Mutation("in-force-equal-fires", "in_force is not None and in_force < issued",
             "in_force is not None and in_force <= issued", RULE_TESTS, "AD-IN-FORCE at 现行有效 = 本年制发"),
    Mutation("rules-level-zero-fires", "nonzero = [p for p in paths if (report.value(p) or 0) > 0]",
             "nonzero = [p for p in paths if (report.value(p) or 0) >= 0]", RULE_TESTS, "a township's 0 规章 fires"),
    Mutation("all-zero-counts-blank-as-zero", "if paths and all(report.value(p) == 0 for p in paths):",
             "if paths and all((report.value(p) or 0) == 0 for p in paths):", RULE_TESTS, "blank is not zero"),
    Mutation("missing-table-by-one-cell", "if paths and len(gone) == len(paths):",
             "if paths and len(gone) >= len(paths) - 1:", RULE_TESTS, "a table with one cell read is 'not found'"),
    Mutation("sec5-thin-boundary", "if section.present and length < 150:", "if section.present and length <= 150:",
             RULE_TESTS),
    Mutation("year-mismatch-on-one-mention", "if count < MIN_MENTIONS or count < MIN_SHARE * len(mentions):",
             "if count < 1:", (*RULE_TESTS, "tests/test_year_mismatch.py"),
             "one stray year in the text, or a year among others, is not the year the body reports on"),
    Mutation("carry-over-equal-fires", "now is not None and before is not None and now != before",
             "now is not None and before is not None and now == before", CROSS_TESTS),
    # --- YOY-CHANGE's arithmetic (rules/year_on_year.py) ------------------------------------------------
    Mutation("yoy-five-times-not-enough", "return low == 0 or high >= ratio * low", "return low == 0 or high > ratio * low",
             YOY_TESTS, "×5 exactly (4 → 20) no longer abrupt"),
    Mutation("yoy-substantial-boundary", "    if high < substantial:\n", "    if high <= substantial:\n", YOY_TESTS,
             "10 → 0 (the larger figure exactly SUBSTANTIAL) no longer abrupt"),
    Mutation("yoy-falls-ignored", "low, high = sorted((before, now))", "low, high = before, now", YOY_TESTS,
             "only rises are abrupt (50 → 10 is quiet)"),
    Mutation("yoy-unknown-as-zero", "if now is not None and before is not None and abrupt(before, now):",
             "if abrupt(before or 0, now or 0):", YOY_TESTS, "a blank figure last year taken for 0"),
    Mutation("yoy-years-swapped", "out.append((path, before, now))", "out.append((path, now, before))", YOY_TESTS,
             "上年 and 本年 swapped in the message"),
    # --- the score ---------------------------------------------------------------------------------
    Mutation("score-rule-cap-ignored", "lost += min(points, rp.max) if rp.max is not None else points",
             "lost += points", SCORE_TESTS, "CELL-MISSING's own max"),
    Mutation("score-item-cap-ignored", "elif lost > item.points:", "elif lost > item.points + 5:", SCORE_TESTS),
    Mutation("score-error-zeroes-ignored", 'lost, note = item.points, "存在错误，本项不得分"',
             'lost, note = lost, "存在错误，本项不得分"', SCORE_TESTS),
    Mutation("score-rule-needs-ignored", "if rp.needs is not None and not met[rp.needs]:", "if rp.needs is not None:",
             SCORE_TESTS, "COPY-PEER said unassessed although peers were in the batch"),
    Mutation("score-deduction-per-finding", "points = rp.points * count", "points = rp.points", SCORE_TESTS),
    Mutation("score-grade-boundary", "next((g for g, low in self.grades if score >= low)",
             "next((g for g, low in self.grades if score > low)", SCORE_TESTS),
    Mutation("score-fatal-ignored", "    if fatal:\n", "    if fatal and False:\n", SCORE_TESTS),
    Mutation("score-needs-ignored", "if item.needs is not None and not met[item.needs] and",
             "if item.needs is not None and met[item.needs] and", SCORE_TESTS),
    # --- grade caps: a missing section caps at 合格, three all-zero tables at 良好 ---------------------------
    Mutation("cap-min-count-ignored", "if len(hit) < cap.min_count:", "if not hit:", CAP_TESTS,
             "one or two all-zero tables already cap (the rubric asks for three)"),
    Mutation("cap-score-not-lowered", "capped = min(score, rubric.ceiling(cap.max_grade))", "capped = score", CAP_TESTS,
             "a report without section 五 keeps 95 and 优秀"),
    Mutation("cap-raises-a-lower-score", "capped = min(score, rubric.ceiling(cap.max_grade))",
             "capped = rubric.ceiling(cap.max_grade)", CAP_TESTS, "a 65 with a cap becomes 79"),
    Mutation("cap-ceiling-is-next-band-minimum", "return self.total if k == 0 else self.grades[k - 1][1] - 1",
             "return self.total if k == 0 else self.grades[k - 1][1]", CAP_TESTS,
             "capped at 合格 scores 80, which is 良好"),
    Mutation("cap-reason-parts-unfilled", 'reason = cap.reason.replace("{parts}", parts)', "reason = cap.reason",
             CAP_TESTS, "缺少第{parts}部分 printed as is"),
    Mutation("rubric-total-unchecked", "if abs(sum(i.points for i in items) - total) > 1e-9:",
             "if abs(sum(i.points for i in items) - total) > 1e9:", SCORE_TESTS),
    Mutation("rubric-rule-in-two-items", "            if rule_id in seen:\n", "            if rule_id in ():\n",
             SCORE_TESTS),
    # --- the parser's column choice ----------------------------------------------------------------
    Mutation("columns-no-sum-score", "token = placed[col] if placed is not None else None",
             "token = None", PARSE_TESTS, "_sum_score's token lookup finds nothing"),
    Mutation("columns-min-reading", "chosen[key] = max(opts, key=merit).cells", "chosen[key] = min(opts, key=merit).cells",
             PARSE_TESTS, "choose_readings takes the worst reading"),
    Mutation("columns-review-sums-ignored", "max(options, key=lambda o: (rl_score(o.cells), prefer_lead * o.lead))",
             "max(options, key=lambda o: (0, prefer_lead * o.lead))", PARSE_TESTS,
             "table 四's reading ignores its group totals"),
    Mutation("columns-failing-sum-scores", "score += 1 if sum(values[:parts]) == sum(values[parts:]) else -1",
             "score += 1", PARSE_TESTS, "a failing sum counts for a reading"),
    # --- approximate figures (余/多/近/约) -------------------------------------------------------------
    Mutation("approx-never", 'return bool(m.group("after") or m.group("tail")) or bool(_APPROX_BEFORE.search(clause[: m.start("num")]))',
             "return False", TEXT_TESTS),
    Mutation("approx-before-words-dropped", '_APPROX_BEFORE_WORDS = r"近|约|大约|接近|超过|逾|将近|上万|数"',
             '_APPROX_BEFORE_WORDS = r"大约|接近|超过|逾|将近|上万|数"', TEXT_TESTS, "近 and 约"),
    Mutation("approx-before-words-not-approximate", 'bool(_APPROX_BEFORE.search(clause[: m.start("num")]))',
             "False", TEXT_TESTS, "近20件 read but held to equality"),
    Mutation("approx-duo-not-read", '(?P<after>余|多)?" + _UNIT', '(?P<after>余)?" + _UNIT',
             TEXT_TESTS, "20多件 is no longer read as a figure at all"),
    Mutation("approx-tail-ignored", 'return bool(m.group("after") or m.group("tail"))', 'return bool(m.group("after"))',
             TEXT_TESTS, "20件左右 / 以上"),
    Mutation("approx-claims-compared", "if c.approximate or (c.kind, c.column, c.value) in seen:",
             "if (c.kind, c.column, c.value) in seen:", TEXT_TESTS + RULE_TESTS),
    # --- reading files: PDF rows short of an empty cell, ruled tables, Word 97 rows -------------------
    Mutation("glued-any-short-row", "return (0 < len(values) <= width // 2 and", "return (0 < len(values) < width and",
             ("tests/test_real_text.py", "tests/test_exported_pdf.py"), "0 3 0 0 0 14 split into 0 3 0 0 0 1 4"),
    Mutation("pdf-grid-never-read", "if doc.format in ingest.GRID_READERS and _unknown(report):", "if False:",
             ("tests/test_exported_pdf.py", "tests/test_ofd.py"), "a PDF's or OFD's empty cells stay unknown rows"),
    Mutation("ofd-cells-one-text", 'parts.append("\\t" if gap > _CELL_GAP * size', 'parts.append(" " if gap > _CELL_GAP * size',
             ("tests/test_ofd.py",), "an OFD row's cells run together"),
    Mutation("doc-row-end-ignored", "            if ends_row(fc):", "            if False:",
             ("tests/test_word97.py",), "a .doc table read as one line"),
    Mutation("places-ignored", "return bool(a and b and a != b)", "return False", CROSS_TESTS,
             "郏县 and 宝丰县's 城关镇 paired as one agency"),
    Mutation("doc-deletions-read", "    if not deleted:\n        return text, fcs", "    if True:\n        return text, fcs",
             ("tests/test_word97.py",), "a .doc's tracked deletions read as text"),
    Mutation("rtf-fallback-kept", "            to_skip = uc", "            to_skip = 0", ("tests/test_rtf.py",),
             "an RTF's \\u fallback characters read as text"),
    Mutation("odt-repeat-ignored", "cells += [text] * min(int(cell.get(_REPEAT, \"1\") or 1), _MAX_REPEAT)",
             "cells += [text]", ("tests/test_odt.py",), "an ODT's repeated cells read once"),
    Mutation("review-rows-ignored", "if any(c.status in (CellStatus.OK, CellStatus.INVALID) for c in by_rows[0]",
             "if False and any(c.status in (CellStatus.OK, CellStatus.INVALID) for c in by_rows[0]",
             ("tests/test_parse_layouts.py",), "table 四 printed as three rows of five left missing"),
)

_IGNORE = shutil.ignore_patterns(".venv", ".git", "outputs", "__pycache__", ".mypy_cache", ".ruff_cache",
                                 ".pytest_cache", "*.egg-info", ".ipynb_checkpoints")


def locate(tree: Path, needle: str) -> tuple[Path | None, str]:
    """The one file under auditlib/ holding `needle`, or None and why not."""
    hits = []
    for path in sorted((tree / "auditlib").rglob("*.py")):
        count = path.read_text(encoding="utf-8").count(needle)
        if count:
            hits.append((path, count))
    if not hits:
        return None, "needle not found"
    if len(hits) > 1 or hits[0][1] > 1:
        where = ", ".join(f"{p.relative_to(tree)}×{n}" for p, n in hits)
        return None, f"needle ambiguous ({where})"
    return hits[0][0], ""


def run_tests(tree: Path, tests: tuple[str, ...]) -> tuple[int, str]:
    files = [t for t in tests if (tree / t).exists()]
    if not files:
        return -1, "none of the test files exist"
    env = {**os.environ, "PYTHONPATH": str(tree), "PYTHONDONTWRITEBYTECODE": "1"}
    proc = subprocess.run([sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *files],
                          cwd=tree, env=env, capture_output=True, text=True, timeout=900)
    tail = [line for line in proc.stdout.splitlines() if line.startswith(("FAILED", "ERROR"))]
    return proc.returncode, (tail[0] if tail else proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else "")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-k", default="", help="only mutations whose name contains this")
    ap.add_argument("--list", action="store_true", help="list the mutations and exit")
    args = ap.parse_args(argv)
    chosen = [m for m in MUTATIONS if args.k in m.name]
    if args.list:
        for m in chosen:
            print(f"{m.name:45} {', '.join(m.tests)}  {m.why}")
        return 0
    with tempfile.TemporaryDirectory(prefix="mutation-") as tmp:
        tree = Path(tmp) / "tree"
        shutil.copytree(ROOT, tree, ignore=_IGNORE)
        probe = subprocess.run([sys.executable, "-c", "import auditlib; print(auditlib.__file__)"], cwd=tree,
                               env={**os.environ, "PYTHONPATH": str(tree)}, capture_output=True, text=True)
        if not probe.stdout.strip().startswith(str(tree)):
            print(f"the copy's auditlib is not the one imported ({probe.stdout.strip()}); giving up", file=sys.stderr)
            return 2
        baseline = sorted({t for m in chosen for t in m.tests})
        rc, tail = run_tests(tree, tuple(baseline))
        if rc != 0:
            print(f"the unmutated tree fails its tests ({tail}); fix that first", file=sys.stderr)
            return 2
        killed = survived = broken = 0
        for m in chosen:
            path, problem = locate(tree, m.needle)
            if path is None:
                broken += 1
                print(f"{'NOT FOUND':9} {m.name:45} {problem}: {m.needle[:60]!r}")
                continue
            original = path.read_text(encoding="utf-8")
            path.write_text(original.replace(m.needle, m.replacement), encoding="utf-8")
            started = time.monotonic()
            try:
                rc, tail = run_tests(tree, m.tests)
            finally:
                path.write_text(original, encoding="utf-8")
            took = time.monotonic() - started
            if rc == 0:
                survived += 1
                print(f"{'SURVIVED':9} {m.name:45} {path.relative_to(tree)}  ({took:.0f} s)  {m.why}")
            else:
                killed += 1
                print(f"{'killed':9} {m.name:45} {path.relative_to(tree)}  ({took:.0f} s)  {tail[:90]}")
        print(f"\n{killed} of {len(chosen)} mutations killed, {survived} survived, {broken} not applied")
        return 0 if survived == broken == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
