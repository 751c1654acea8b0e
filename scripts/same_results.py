"""Do parse and check give the same results as before a change? (for speed work on the parser and rules)

    python scripts/same_results.py save /tmp/before.jsonl     # before the change
    python scripts/same_results.py compare /tmp/before.jsonl  # after it: names every report that differs

The corpus: the seeds and real texts as they are, 800 varied reports (bench_parse.vary: other figures,
names and sentences), 240 built reports in every text layout with random figures and blanks, the 2019
format, and a 1 MB text of pasted reports. Each line holds one report's whole model (`to_dict`, with
provenance) and its findings, so any change in a value, a line number or a message shows.
"""

from __future__ import annotations

import json
import random
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "scripts"), str(ROOT / "tests")]

from bench_parse import SEEDS, pasted, varied_texts  # noqa: E402
from builders import LAYOUTS, make_tables, render, render_2019  # noqa: E402

from auditlib.audit import audit_paths  # noqa: E402


def corpus() -> Iterator[tuple[str, str]]:
    """(file name, text) of every report of the corpus, always the same."""
    for path in SEEDS:
        yield path.name, path.read_text(encoding="utf-8")
    for i, (suffix, text) in enumerate(varied_texts(500, seed=0) + varied_texts(300, seed=3)):
        yield f"varied-{i:04d}{suffix}", text
    rng = random.Random(11)
    for i in range(240):
        tables = make_tables(rng, zero=i % 17 == 0)
        layout = LAYOUTS[i % len(LAYOUTS)]
        blank = ["", "-", "/", "0"][i % 4]
        yield f"built-{i:04d}-{layout}.txt", render(tables, layout=layout, blank=blank, year=2020 + i % 6)
    for i in range(20):
        yield f"format2019-{i:02d}.txt", render_2019(make_tables(rng), year=2020)
    yield "pasted-1mb.txt", pasted(1)


def results() -> Iterator[str]:
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for name, text in corpus():
            path = Path(tmp) / name
            path.write_text(text, encoding="utf-8")
            paths.append(path)
        for outcome in audit_paths(paths):
            report = outcome.report.to_dict() if outcome.report is not None else None
            if report is not None:
                report["source"]["path"] = Path(report["source"]["path"]).name
            findings = [f.to_dict() for f in outcome.findings]
            for f in findings:
                f["report"] = Path(f.get("report") or "").name
            yield json.dumps({"file": Path(outcome.path).name, "report": report, "findings": findings},
                             ensure_ascii=False, sort_keys=True)


def _differences(old: dict, new: dict, prefix: str = "") -> Iterator[str]:
    for key in sorted(set(old) | set(new)):
        a, b = old.get(key), new.get(key)
        if a == b:
            continue
        if isinstance(a, dict) and isinstance(b, dict):
            yield from _differences(a, b, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}: {json.dumps(a, ensure_ascii=False)[:160]} → {json.dumps(b, ensure_ascii=False)[:160]}"


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in ("save", "compare"):
        print(__doc__)
        return 2
    command, file = argv
    if command == "save":
        lines = list(results())
        Path(file).write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"{len(lines)} reports saved to {file}")
        return 0
    before = {json.loads(line)["file"]: json.loads(line) for line in Path(file).read_text(encoding="utf-8").splitlines()}
    differ = 0
    for line in results():
        now = json.loads(line)
        old = before.pop(now["file"], None)
        if old != now:
            differ += 1
            if differ <= 10:
                print(f"== {now['file']}")
                for d in list(_differences(old or {}, now))[:8]:
                    print("  ", d)
    differ += len(before)
    print(f"{differ} reports differ" if differ else "all reports give the same results")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
