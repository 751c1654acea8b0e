"""Tables whose labels came loose from their numbers (PDF-to-Markdown converters): label lines float
between value rows, so a row matched by its nearest label is often one row off.

The fallback reads the table's full-width value rows in document order against the template's rows.
It is taken only when (1) there are exactly as many value rows as template rows, (2) every value row
that carries its own label on the same line sits at that label's place (the labels anchor the order),
and (3) the table's own sums hold strictly better than with the rows placed by their nearby labels.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from auditlib.model import SourceLine
from auditlib.parse.columns import readings
from auditlib.parse.rows import LogicalRow, match_row
from auditlib.parse.tokens import Kind, LineParts, Token, line_parts
from auditlib.template import Row, TableSpec

__all__ = ["rows_in_order"]


def rows_in_order(lines: Sequence[SourceLine], spec: TableSpec, rows: Sequence[Row],
                  parts: Sequence[LineParts | None] | None = None) -> dict[str, LogicalRow] | None:
    """Template row key → its value row, read in document order; None when the order is not anchored.
    A row's `lines` are positions in `lines`; `parts`: each line's line_parts, when the caller has them."""
    if parts is None:
        parts = [line_parts(line.text) for line in lines]
    width = len(spec.columns_of(rows[0]))
    found: list[tuple[str, LogicalRow]] = []
    for number, line_part in enumerate(parts):
        if line_part is None or not line_part.has_values:  # no number on it
            continue
        if [t.kind for t in line_part.values].count(Kind.VALUE) < 2:
            continue
        values = list(line_part.values)
        if not readings(values, width):
            continue
        if len(found) == len(rows):  # one value row more than the template has rows: no order to read
            return None
        found.append((line_part.label, LogicalRow(line_part.label, values, [number])))
    if len(found) != len(rows) or all(label for label, _ in found):
        return None
    for (label, _), row in zip(found, rows, strict=True):
        matched = match_row(label, rows) if label else None
        if label and matched is not row:
            return None
    return {row.key: lrow for row, (_, lrow) in zip(rows, found, strict=True)}


def better_in_order(label_choice: dict[str, list[Token]], order_choice: dict[str, list[Token]],
                    score: Callable[[dict[str, list[Token]]], int]) -> bool:
    """Whether the order reading agrees with the table's sums strictly better than the label one."""
    return score(order_choice) > score(label_choice)
