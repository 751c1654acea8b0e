"""Plant a value into a real report's text at the printed position of one cell (via provenance)."""

from __future__ import annotations

import re

from auditlib.model import Report
from auditlib.parse.tokens import parse_number
from auditlib.text import normalize

_SEP = re.compile(r"(\t|\|)")


def _numeric(cell: str) -> bool:
    return parse_number(normalize(cell).strip()) is not None


def replace_cell(text: str, report: Report, path: str, new: str) -> str:
    """The report's text with the printed value of `path` replaced by `new` (\"\" prints it blank)."""
    cell = report.cells[path]
    lines = text.split("\n")
    row_prefix = path.rsplit(".", 1)[0] + "."
    row_cells = [p for p in report.cells if p.startswith(row_prefix) and p.count(".") == path.count(".")]
    index, width = row_cells.index(path), len(row_cells)
    if path.startswith("review_litigation."):  # one printed row of 15 cells, five per group
        group = ["review", "litigation_direct", "litigation_after_review"].index(path.split(".")[1])
        index, width = group * 5 + index, 15
    value_lines = [n for n in cell.lines if _numeric(lines[n - 1])]
    if len(value_lines) == width:  # one cell per line
        n = value_lines[index]
        lines[n - 1] = re.sub(r"[0-9０-９][0-9０-９,.]*", new, lines[n - 1], count=1) if new else "\t"
        return "\n".join(lines)
    n = max(n for n in cell.lines if sum(_numeric(c) for c in _SEP.split(lines[n - 1])) >= 1)
    parts = _SEP.split(lines[n - 1])
    positions = [i for i, c in enumerate(parts) if _numeric(c)]
    target = positions[len(positions) - width + index]
    parts[target] = new
    lines[n - 1] = "".join(parts)
    return "\n".join(lines)
