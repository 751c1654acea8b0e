"""Make tests/exported/: the national template filled in as an agency would (tests/test_template_docx.fill),
six cells left empty, saved by LibreOffice as PDF, as Word 97–2003 (.doc), as RTF and as OpenDocument
(.odt), as Word and WPS users publish their reports.

Needs LibreOffice (`soffice`, Debian's libreoffice-writer-nogui) and fonts-noto-cjk; the tests read the
committed files and need neither. Usage: python scripts/export_template.py
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from builders import flatten, make_tables  # noqa: E402
from test_template_docx import fill  # noqa: E402

OUT = ROOT / "tests" / "exported"
SEEDS = (1, 6)  # 1: an empty cell in table 四; 6: one in 3.3.6 whose total 14 could be misread as 1 and 4


FORMATS = ("pdf", "doc", "rtf", "odt")


def main(formats: tuple[str, ...] = FORMATS) -> None:
    OUT.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for seed in SEEDS:
            rng = random.Random(100 + seed)
            tables = make_tables(rng)
            for path in rng.sample(sorted(flatten(tables)), 6):
                table, *row, column = path.split(".")
                tables[table][".".join(row)][column] = None
            name = f"template-blank-cells-{seed}"
            fill(tables, Path(tmp) / f"{name}.docx")
            for kind in formats:
                subprocess.run(["soffice", "--headless", "--convert-to", kind, "--outdir", str(OUT),
                                str(Path(tmp) / f"{name}.docx")], check=True, capture_output=True)
            (OUT / f"{name}.truth.json").write_text(json.dumps(flatten(tables), ensure_ascii=False, indent=1) + "\n",
                                                    encoding="utf-8")
            print(*(OUT / f"{name}.{kind}" for kind in formats))


if __name__ == "__main__":
    main(tuple(sys.argv[1:]) or FORMATS)
