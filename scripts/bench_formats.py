"""Parse speed per file format: sample 003 written as .txt, .docx, .html and .pdf, parsed n times each;
then the national template with six empty cells as LibreOffice saved it (.doc, and .pdf whose text leaves
cells unknown, so it is read twice) and as an OFD built from that PDF (also read twice).

    .venv/bin/python scripts/bench_formats.py [n]

The samples are built by tests/format_builders.py and tests/ofd_builder.py (as the format tests build them).
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

from exported_fixtures import EXPORTED  # noqa: E402
from format_builders import SAMPLE_TEXT, write_samples  # noqa: E402
from ofd_builder import ofd_from_pdf  # noqa: E402

from auditlib.parse import parse_file  # noqa: E402


def bench_formats(n: int) -> dict[str, float]:
    """Reports per second for `parse_file` (read + parse) of one sample per format, over n repetitions."""
    n = max(1, n)
    rates: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="bench-formats-") as tmp:
        directory = Path(tmp)
        paths = {"text": directory / "report.txt", **write_samples(directory)}
        shutil.copyfile(SAMPLE_TEXT, paths["text"])
        template = EXPORTED / "template-blank-cells-1.pdf"
        paths["模板.doc"] = template.with_suffix(".doc")
        paths["模板.pdf（两次读取）"] = template
        paths["模板.ofd（两次读取）"] = directory / "template.ofd"
        paths["模板.ofd（两次读取）"].write_bytes(ofd_from_pdf(template))
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
        print(f"{fmt:14s} {rate:8.1f} reports/s")
