"""Parse speed per file format: sample 003 written as .txt, .docx, .html and .pdf, parsed n times each.

    .venv/bin/python scripts/bench_formats.py [n]

The samples are built by tests/format_builders.py (the same builders the format tests use).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for entry in (ROOT, ROOT / "tests"):
    if str(entry) not in sys.path:
        sys.path.insert(0, str(entry))

from format_builders import SAMPLE_TEXT, write_samples  # noqa: E402

from auditlib.parse import parse_file  # noqa: E402


def bench_formats(n: int) -> dict[str, float]:
    """Reports per second for `parse_file` (read + parse) of one sample per format, over n repetitions."""
    n = max(1, n)
    rates: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="bench-formats-") as tmp:
        directory = Path(tmp)
        paths = {"text": directory / "report.txt", **write_samples(directory)}
        shutil.copyfile(SAMPLE_TEXT, paths["text"])
        for fmt, path in paths.items():
            parse_file(path)  # warm-up: imports, caches
            start = time.perf_counter()
            for _ in range(n):
                parse_file(path)
            elapsed = time.perf_counter() - start
            rates[fmt] = n / elapsed if elapsed > 0 else float("inf")
    return rates


if __name__ == "__main__":
    reps = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    for fmt, rate in bench_formats(reps).items():
        print(f"{fmt:5s} {rate:8.1f} reports/s")
