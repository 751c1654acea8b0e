"""Logical rows: table lines folded into (label, cells) rows, matched to the template's rows by their
distinctive words (never by position); garbled labels are placed by the template's order."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from auditlib.model import SourceLine
from auditlib.parse.columns import readings
from auditlib.parse.tokens import EMPTY, Kind, LineParts, Token, any_printed, line_parts, split_cells
from auditlib.template import Row, TableSpec

__all__ = ["STARTS_ITEM", "LogicalRow", "assign_rows", "empty_cells", "filled", "fold_rows", "group_above_numbers",
           "is_subtotal", "label_tail", "match_row", "row_matcher"]

STARTS_ITEM = re.compile(r"^(?:[(（]?[一二三四五六七八九十]{1,2}[)）、.．]|[(（]\d{1,2}[)）]|\d{1,2}[.、．](?!\d))")
_MARKER_ANY = re.compile(r"(?:\d{1,2}[.、．](?!\d)|[(（][一二三四五六七八九十]{1,2}[)）]|[一二三四五六七八九十]{1,2}、)")


@dataclass
class LogicalRow:
    label: str
    tokens: list[Token] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)

    def count(self) -> int:
        return len(self.tokens)


@lru_cache(maxsize=16384)
def label_tail(label: str) -> str:
    """The label after its last list marker: `（六）其他处理3.其他` → `其他`."""
    parts = _MARKER_ANY.split(label)
    tail = parts[-1] if parts else label
    return tail.strip("：:，,。.()（）")


@dataclass(frozen=True)
class _Keys:
    """A table's rows as `_match_row` asks of them, worked out once per table: every keyword of the
    rows matched by keyword, longest first (ties: the row printed first), so the first keyword a label
    holds names its row; each exact label's first row; the fallback rows' keywords."""

    by_length: tuple[tuple[str, Row], ...]
    exact: dict[str, Row]
    fallback: tuple[tuple[Row, tuple[str, ...]], ...]


def _keys(rows: Sequence[Row]) -> _Keys:
    ranked = sorted(((k, i) for i, row in enumerate(rows) if not row.fallback for k in row.keywords),
                    key=lambda ki: (-len(ki[0]), ki[1]))
    exact: dict[str, Row] = {}
    for row in rows:
        for label in row.exact:
            exact.setdefault(label, row)
    return _Keys(tuple((k, rows[i]) for k, i in ranked if k), exact,
                 tuple((row, row.keywords) for row in rows if row.fallback))


# Template rows → (their keys, {label: the row it names}): a document's labels are matched once per
# table, and the template's labels recur across documents.
_MATCHERS: dict[int, tuple[Sequence[Row], _Keys, dict[str, Row | None]]] = {}


def _matcher_of(rows: Sequence[Row]) -> tuple[Sequence[Row], _Keys, dict[str, Row | None]]:
    entry = _MATCHERS.get(id(rows))
    if entry is None or entry[0] is not rows:
        if len(_MATCHERS) > 64:  # rows built on the fly (a table's rows but one) are matched afresh
            _MATCHERS.clear()
        entry = _MATCHERS[id(rows)] = (rows, _keys(rows), {"": None})
    if len(entry[2]) > 16384:
        entry[2].clear()
        entry[2][""] = None
    return entry


def row_matcher(rows: Sequence[Row]) -> Callable[[str], Row | None]:
    """match_row for one table's rows, as a function of the label alone (what a reader asks of every line)."""
    _, keys, known = _matcher_of(rows)

    def match(label: str) -> Row | None:
        row = known.get(label, _UNSEEN)
        if row is _UNSEEN:
            row = known[label] = _match_row(label, keys)
        return row  # type: ignore[return-value]
    return match


_UNSEEN = object()


def match_row(label: str, rows: Sequence[Row]) -> Row | None:
    """The template row a label names, by its distinctive words (longest keyword wins)."""
    _, keys, known = _matcher_of(rows)
    row = known.get(label, _UNSEEN)
    if row is _UNSEEN:
        row = known[label] = _match_row(label, keys)
    return row  # type: ignore[return-value]


def _match_row(label: str, keys: _Keys) -> Row | None:
    for keyword, row in keys.by_length:
        if keyword in label:
            return row
    tail = label_tail(label)
    if tail and tail in keys.exact:
        return keys.exact[tail]
    for row, keywords in keys.fallback:
        if any(k in label for k in keywords):
            return row
    return None


def is_subtotal(label: str, spec: TableSpec) -> bool:
    return _is_subtotal(label, spec.subtotal_labels)


@lru_cache(maxsize=16384)
def _is_subtotal(label: str, subtotal_labels: tuple[str, ...]) -> bool:
    tail = label_tail(label)
    return bool(tail) and any(tail == s or tail.endswith(s) for s in subtotal_labels)


def fold_rows(lines: Sequence[SourceLine], spec: TableSpec,
              parts: Sequence[LineParts | None] | None = None) -> list[LogicalRow]:
    """Fold table lines into logical rows: a (possibly wrapped) label and the cells after it; a row's
    `lines` are positions in `lines`. `parts`: each line's line_parts, when the caller has them.

    A label that names a template row opens that row at once, so the empty cells printed after it
    (on its line, or on lines of their own) count as its cells; unrecognised label text waits as the
    start of the next row's label (a label wrapped before its numbers).
    """
    if parts is None:
        parts = [line_parts(line.text) for line in lines]
    match = row_matcher(spec.rows)
    widest = max(len(spec.columns_of(r)) for r in spec.rows)
    rows: list[LogicalRow] = []
    pending: list[tuple[str, int]] = []
    current: LogicalRow | None = None
    matched_any = False

    def matches(label: str) -> Row | None:
        row = match(label)
        # Generic labels (总计, 其他) name a row only below rows already recognised: above them they are headers.
        if row is not None and row.exact and not row.keywords and row is not spec.rows[0] and not matched_any:
            return None
        return row

    def full(row: LogicalRow) -> bool:
        matched = match(row.label)
        return row.count() >= (len(spec.columns_of(matched)) if matched is not None else widest)

    def close() -> None:
        nonlocal current, matched_any
        if current is not None and (current.tokens or match(current.label) is not None):
            rows.append(current)  # a recognised label with no numbers yet is kept: its numbers may precede it
            matched_any = matched_any or match(current.label) is not None
        current = None

    def open_row(label: str, line: int, tokens: Sequence[Token]) -> None:
        nonlocal current, matched_any
        close()
        if pending:  # label text that waited above: the start of this row's label
            text = "".join(t for t, _ in pending) + label
            current = LogicalRow(text, list(tokens), [n for _, n in pending] + [line])
            pending.clear()
        else:
            text = label
            current = LogicalRow(text, list(tokens), [line])
        if match(text) is not None:
            matched_any = True

    def starts_new(label: str) -> bool:
        return bool(STARTS_ITEM.match(label) or matches(label) or is_subtotal(label, spec))

    for number, line_part in enumerate(parts):
        if line_part is None:
            continue
        label, values, has_values = line_part.label, line_part.values, line_part.has_values
        # `current` still waits for its numbers: its label may go on over this line
        if (current is not None and label and not any_printed(current.tokens)
                and not starts_new(label)):
            current.label += label  # the label goes on over another line, perhaps with its numbers
            current.lines.append(number)
            current.tokens.extend(values)
        elif label and has_values:
            if starts_new(label):
                pending.clear()
            open_row(label, number, values)
        elif label:
            close()
            if starts_new(label):
                pending.clear()
            if matches(label):
                open_row(label, number, values)
            else:
                pending.append((label, number))
        elif has_values:
            if current is None or full(current):
                open_row("", number, [])
                assert current is not None
                current.lines.pop()
            current.tokens.extend(values)
            current.lines.append(number)
        elif values and current is not None and not full(current) and empty_cells(lines[number].text):
            current.tokens.extend([EMPTY] * empty_cells(lines[number].text))
            current.lines.append(number)
    close()
    return [r for r in rows if any_printed(r.tokens) or match(r.label)]


def empty_cells(text: str) -> int:
    """Cells on a line that holds only empty cells, 0 when it is no table row: `\t` alone is one cell on
    a line of its own (one-cell-per-line layouts indent with a tab); otherwise every tab-separated or
    pipe-table cell counts."""
    if "\t" in text:
        tabs = text.count("\t")
        return 1 if tabs <= 1 else tabs + 1
    return len(split_cells(text)) if "|" in text else 0


def filled(row: LogicalRow) -> int:
    return sum(1 for t in row.tokens if t.kind is not Kind.EMPTY)


def group_above_numbers(row: LogicalRow, spec: TableSpec) -> bool:
    """A group label (（五）不予处理) printed in its own merged cell, above a line of numbers: it names no
    row, the numbers are its first item's; only a group label printed on the same line as its numbers
    is a subtotal."""
    return bool(is_subtotal(row.label, spec) and len(row.lines) > 1 and any_printed(row.tokens)
                and match_row(row.label, spec.rows) is None)


def _numbers_without_row(row: LogicalRow, spec: TableSpec) -> bool:
    """Numbers no template row owns (without a label, or below a group label): maybe the next label's."""
    # (group_above_numbers, or numbers under a label that is neither a row's nor a group's)
    return bool(match_row(row.label, spec.rows) is None and any_printed(row.tokens)
                and (len(row.lines) > 1 or not is_subtotal(row.label, spec)))


def _numbers_before_labels(logical: list[LogicalRow], spec: TableSpec) -> list[LogicalRow]:
    """Some PDF text puts a row's numbers on the line above its (vertically centred) label: an
    unlabelled row of numbers followed at once by a recognised label that got no numbers of its own
    is one row. Labels left without numbers are dropped (their cells stay missing)."""
    match = row_matcher(spec.rows)
    out: list[LogicalRow] = []
    i = 0
    while i < len(logical):
        row, nxt = logical[i], logical[i + 1] if i + 1 < len(logical) else None
        if nxt is not None and not nxt.tokens and match(nxt.label) is not None and _numbers_without_row(row, spec):
            out.append(LogicalRow(nxt.label, row.tokens, row.lines + nxt.lines))
            i += 2
            continue
        if row.tokens:
            out.append(row)
        i += 1
    return out


def assign_rows(logical: list[LogicalRow], spec: TableSpec) -> dict[str, LogicalRow]:
    """Template row key → the logical row printed for it; garbled labels are placed by order."""
    logical = _numbers_before_labels(logical, spec)
    match = row_matcher(spec.rows)
    order = {r.key: i for i, r in enumerate(spec.rows)}
    matched: list[tuple[LogicalRow, str | None]] = []
    first: dict[str, int] = {}
    for lrow in logical:
        row = match(lrow.label)
        if row is not None and row.key not in first:
            first[row.key] = len(matched)
            matched.append((lrow, row.key))
        elif row is not None:
            # The same row twice (a sentence or a heading above the table, a repeated header): the
            # printing whose numbers fit the row's columns wins, then the one with more numbers.
            width = len(spec.columns_of(row))
            merit = (bool(readings(lrow.tokens, width)), filled(lrow))
            kept = matched[first[row.key]][0]
            if merit > (bool(readings(kept.tokens, width)), filled(kept)):
                matched[first[row.key]] = (lrow, row.key)
        elif not is_subtotal(lrow.label, spec) and filled(lrow):
            matched.append((lrow, None))
    # Unrecognised rows between two recognised ones fill the template rows between them, in order,
    # when the counts agree exactly (an OCR'd or misspelt label).
    result = {key: lrow for lrow, key in matched if key is not None}
    i = 0
    while i < len(matched):
        if matched[i][1] is not None:
            i += 1
            continue
        j = i
        while j < len(matched) and matched[j][1] is None:
            j += 1
        before = matched[i - 1][1] if i > 0 else None
        after = matched[j][1] if j < len(matched) else None
        lo = order[before] if before is not None else -1
        hi = order[after] if after is not None else len(spec.rows)
        gap = [r.key for r in spec.rows[lo + 1:hi] if r.key not in result]
        if lo >= 0 and hi < len(spec.rows) and len(gap) == j - i:
            for (lrow, _), key in zip(matched[i:j], gap, strict=True):
                result[key] = lrow
        i = j
    return result

