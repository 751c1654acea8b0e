"""One table's cells from its section's lines: rows folded and matched, numbers laid into columns,
each cell with its provenance. Table 四 is read as one stream of fifteen numbers, or, printed as three
labelled rows of five, row by row."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache

from auditlib.model import Cell, CellStatus, SourceLine, new_cell
from auditlib.parse.columns import _RL_PATHS, Reading, applications_score, choose_readings, readings, rl_score
from auditlib.parse.glued import glued_splits, is_glued, resolve
from auditlib.parse.ordered import better_in_order, rows_in_order
from auditlib.parse.rows import LogicalRow, assign_rows, empty_cells, fold_rows
from auditlib.parse.stacked import unstack_labels
from auditlib.parse.tokens import EMPTY, Kind, LineParts, Token, any_printed, line_parts
from auditlib.template import (
    LITIGATION_SUBHEADS,
    REVIEW_LITIGATION,
    TABLE_TITLES,
    Column,
    Row,
    TableSpec,
    identities,
    row_label,
)
from auditlib.text import cjk_count, compact

__all__ = ["read_table"]


def _cell(path: str, token: Token | None, column: Column, lines: tuple[int, ...], source: str, where: str) -> Cell:
    if token is None:
        return new_cell(path, None, CellStatus.UNPLACED, None, lines, source, where)
    if token.kind is Kind.VALUE:
        value = token.value
        ok = value is not None and (value >= 0 or column.signed) and (column.decimal or isinstance(value, int))
        return new_cell(path, value, CellStatus.OK if ok else CellStatus.INVALID, token.raw, lines, source, where)
    if token.kind is Kind.INVALID:
        return new_cell(path, None, CellStatus.INVALID, token.raw, lines, source, where)
    return new_cell(path, None, CellStatus.BLANK, token.raw, lines, source, where)


def _provenance(lrow: LogicalRow, lines: Sequence[SourceLine]) -> tuple[tuple[int, ...], str, str]:
    """The row's source line numbers, the text of the lines (or pieces) it was read from, and the
    reader's locator of the first.

    A row's `lines` are positions in the region: a crawled page's one-line body is cut into pieces that
    all keep the body's line number, and the row's provenance names its own pieces, not every piece.
    """
    if len(lrow.lines) == 1:  # most rows: one line
        line = lines[lrow.lines[0]]
        return (line.number,), line.text, line.where or ""
    read = [lines[i] for i in lrow.lines]
    numbers: list[int] = []
    for line in read:
        if not numbers or numbers[-1] != line.number:
            numbers.append(line.number)
    source = "\n".join(line.text for line in read)
    where = next((line.where for line in read if line.where), "")
    return tuple(numbers), source, where


def _ambiguous(path: str, found: list[list[Token]], provenance: tuple[tuple[int, ...], str, str]) -> Cell:
    """A cell of a glued row that several splits fit: unknown, with the candidate readings kept."""
    lines, source, where = provenance
    return new_cell(path, None, CellStatus.AMBIGUOUS, None, lines, source, where,
                tuple("、".join(t.raw for t in c) for c in found))


def _row_check(paths: list[str]) -> Callable[[list[int]], bool]:
    """Whether values laid into `paths` satisfy every template sum that lies wholly among them."""
    return _row_check_of(tuple(paths))


@lru_cache(maxsize=64)
def _row_check_of(paths: tuple[str, ...]) -> Callable[[list[int]], bool]:
    index = {p: i for i, p in enumerate(paths)}
    eqs = [eq for eq in identities("2021") if all(c in index for c in eq.cells)]

    def ok(values: list[int]) -> bool:
        return all(sum(values[index[c]] for c in eq.parts) == sum(values[index[c]] for c in eq.totals) for eq in eqs)
    return ok


def _glued_note(name: str, raw: str, found: list[list[Token]], taken: list[Token] | None) -> str:
    shown = "；".join("、".join(t.raw for t in c) for c in found[:4]) + ("……" if len(found) > 4 else "")
    if taken is not None:
        how = "只有一种拆分满足本行勾稽关系，" if len(found) == 1 else "按全表勾稽关系唯一"
        return f"「{name}」行数字连写无分隔（原文 {raw}），{how}可拆为 {'、'.join(t.raw for t in taken)}"
    if not found:
        return f"「{name}」行数字连写无分隔（原文 {raw}），没有满足本表勾稽关系的拆分，按未知处理"
    return f"「{name}」行数字连写无分隔（原文 {raw}），有多种拆分均满足勾稽关系（{shown}），按未知处理"


def read_table(lines: Sequence[SourceLine], spec: TableSpec,
               notes: list[str] | None = None) -> tuple[dict[str, Cell], set[str]]:
    """The cells of one table found in `lines`; also the keys of rows that were found. What had to be
    decided about glued numbers is appended to `notes`."""
    notes = notes if notes is not None else []
    lines = list(lines)
    parts = [line_parts(line.text) for line in lines]  # each line read once; rows name lines by position
    if spec.key == "review_litigation":
        return _read_review_litigation(lines, parts, notes)
    return _read_rows(lines, parts, spec, notes)


# Each table spec → {row key: the row's (column, cell path) pairs}: worked out once per spec, not for
# every row of every report.
_LAYOUTS: dict[int, tuple[TableSpec, dict[str, tuple[tuple[Column, str], ...]]]] = {}


def _layout(spec: TableSpec) -> dict[str, tuple[tuple[Column, str], ...]]:
    """Row key → the row's columns, each with its cell's path (`applications.1.natural_person`)."""
    entry = _LAYOUTS.get(id(spec))
    if entry is None or entry[0] is not spec:
        if len(_LAYOUTS) > 64:  # specs built on the fly are laid out afresh
            _LAYOUTS.clear()
        layout = {r.key: tuple((c, f"{spec.key}.{r.key}.{c.key}") for c in spec.columns_of(r)) for r in spec.rows}
        entry = _LAYOUTS[id(spec)] = (spec, layout)
    return entry[1]


def _read_rows(lines: Sequence[SourceLine], parts: Sequence[LineParts | None], spec: TableSpec,
               notes: list[str]) -> tuple[dict[str, Cell], set[str]]:
    """The cells of the template rows found by their labels, each row's numbers laid into its columns."""
    cells: dict[str, Cell] = {}
    found: set[str] = set()
    layout = _layout(spec)
    logical = unstack_labels(fold_rows(lines, spec, parts), lines, spec, notes, parts)
    options: dict[str, tuple[int, list[Reading]]] = {}
    rows: dict[str, tuple[Row, LogicalRow]] = {}
    for key, lrow in assign_rows(logical, spec).items():
        rows[key] = (spec.row(key), lrow)
        options[key] = (len(lrow.tokens), readings(lrow.tokens, len(layout[key])))
    score = applications_score if spec.key == "applications" else None
    glued: dict[str, list[list[Token]]] = {}
    for key, (_, lrow) in rows.items():
        width = len(layout[key])
        if not options[key][1] and is_glued(lrow.tokens, width):
            glued[key] = glued_splits(lrow.tokens, width, _row_check([path for _, path in layout[key]]))
    chosen = choose_readings(options, score)
    taken = resolve(glued, chosen, score)
    chosen.update(taken)
    if score is not None:
        chosen = _maybe_in_order(lines, parts, spec, rows, chosen, score, notes)
    for key, found_splits in glued.items():
        raw = " ".join(t.raw for t in rows[key][1].tokens if t.kind is not Kind.EMPTY)
        notes.append(_glued_note(row_label(f"{spec.key}.{key}"), raw, found_splits, taken.get(key)))
    for key, (_, lrow) in rows.items():
        found.add(key)
        provenance = _provenance(lrow, lines)
        if key not in chosen and len(glued.get(key, ())) > 1:  # ambiguous
            for _, path in layout[key]:
                cells[path] = _ambiguous(path, glued[key], provenance)
            continue
        placed = chosen.get(key)
        if placed is None:  # its numbers fit no reading of its columns
            numbers, source, where = provenance
            for _, path in layout[key]:
                cells[path] = new_cell(path, None, CellStatus.UNPLACED, None, numbers, source, where)
            continue
        for (col, path), token in zip(layout[key], placed, strict=True):
            cells[path] = _cell(path, token, col, *provenance)
            if token.raw.endswith(")") and token.kind is Kind.VALUE:
                notes.append(f"「{row_label(f'{spec.key}.{key}')}」{col.label}印为“{token.raw}”，取 {token.value}，"
                             "括注不计为另一数字")
    return cells, found


# Table 四's header cells: its groups (行政复议, the two kinds of 行政诉讼) and their columns.
_RL_HEADERS = (*(r.label for r in REVIEW_LITIGATION.rows), *LITIGATION_SUBHEADS.values(),
               *(c.label for c in REVIEW_LITIGATION.columns))


def _row_stub(label: str) -> bool:
    """`数量` or `件数` before table 四's fifteen numbers: a row's stub, neither a header cell nor part of one
    (`结果` of a wrapped `结果维持`)."""
    return cjk_count(label) <= 4 and not any(label in h or h in label for h in _RL_HEADERS)


def _rl_stream(lines: Sequence[SourceLine], line_parts_of: Sequence[LineParts | None], start: int = 0) -> LogicalRow:
    """Table 四's numbers from number-only lines after its header (lines[start]), up to the first line of
    prose; the stream's `lines` are positions in `lines`."""
    stream = LogicalRow("")
    for i in range(start, len(lines)):
        line = lines[i]
        parts = line_parts_of[i]
        if parts is None:
            continue
        # (a text holds no more CJK characters than characters: short ones are never counted)
        prose = (any(len(t.raw) >= 6 and cjk_count(t.raw) >= 6 for t in parts.values)
                 or len(parts.label) >= 20 and cjk_count(parts.label) >= 20)
        if prose and any_printed(stream.tokens):
            break
        if parts.has_values and (not parts.label or _row_stub(parts.label)) and not prose:
            stream.tokens.extend(parts.values)
            stream.lines.append(i)
        elif not parts.label and parts.values and empty_cells(line.text):
            stream.tokens.extend([EMPTY] * empty_cells(line.text))  # readings() drops stray ones
            stream.lines.append(i)
    return stream


# Each table spec → its rows without the single （六）其他处理 row: the same sequence every time, so the
# row matcher built for it (rows.row_matcher, keyed by the sequence) is built once, not per report.
_ORDERED_ROWS: dict[int, tuple[TableSpec, tuple[Row, ...]]] = {}


def _ordered_rows(spec: TableSpec) -> tuple[Row, ...]:
    """The template rows a table read in document order is laid against (all but row 3.6)."""
    entry = _ORDERED_ROWS.get(id(spec))
    if entry is None or entry[0] is not spec:
        if len(_ORDERED_ROWS) > 64:  # specs built on the fly are worked out afresh
            _ORDERED_ROWS.clear()
        entry = _ORDERED_ROWS[id(spec)] = (spec, tuple(r for r in spec.rows if r.key != "3.6"))
    return entry[1]


def _maybe_in_order(lines: Sequence[SourceLine], parts: Sequence[LineParts | None], spec: TableSpec, rows: dict[str, tuple[Row, LogicalRow]],
                    chosen: dict[str, list[Token]], score: Callable[[dict[str, list[Token]]], int],
                    notes: list[str]) -> dict[str, list[Token]]:
    """The rows read in document order instead, when labels came loose and the sums say so (ordered.py)."""
    ordered = rows_in_order(lines, spec, _ordered_rows(spec), parts)
    if ordered is None:
        return chosen
    options = {k: (len(lr.tokens), readings(lr.tokens, len(spec.columns_of(spec.row(k))))) for k, lr in ordered.items()}
    order_choice = choose_readings(options, score)
    if not better_in_order(chosen, order_choice, score):
        return chosen
    for key, lrow in ordered.items():
        rows[key] = (spec.row(key), lrow)
    notes.append(f"「{spec.title}」的行标签与数字脱开（转换所致），按模板行序读取各数字行，行内自带标签的行均在其位，且勾稽关系更吻合")
    return order_choice


def _read_review_litigation(lines: Sequence[SourceLine], parts: Sequence[LineParts | None],
                            notes: list[str]) -> tuple[dict[str, Cell], set[str]]:
    """Table 四 is one printed row of 15 numbers (five per group), whatever its header looks like.

    The numbers are read from number-only lines below the table's header (行政复议 …), up to the
    first line of prose; numbers inside sentences are never cells. A table with no such numbers but
    rows labelled by its groups (行政复议 3 1 0 1 5, …) is read by those rows, as the other tables are.
    """
    spec = REVIEW_LITIGATION
    width = sum(len(spec.columns_of(r)) for r in spec.rows)
    # The first line naming 行政复议 that has the table's numbers below it: in a report whose outline
    # differs from the template's (its section 四 not found), earlier prose may name 行政复议 too.
    # Streams are read one at a time, up to the first that fits (not one per 行政复议 line, each to the end).
    starts = [i for i, line in enumerate(lines) if "行政复议" in compact(line.text)]
    first: LogicalRow | None = None
    stream: LogicalRow | None = None
    for start in starts:
        st = _rl_stream(lines, parts, start)
        first = st if first is None else first
        if readings(st.tokens, width) or is_glued(st.tokens, width):
            stream = st
            break
    if stream is None:
        stream = first if first is not None else LogicalRow("")
    cells: dict[str, Cell] = {}
    if not any_printed(stream.tokens):
        row_notes: list[str] = []  # what reading by rows decided (glued numbers): kept only if it is taken
        by_rows = _read_rows(lines, parts, spec, row_notes)
        if any(c.status in (CellStatus.OK, CellStatus.INVALID) for c in by_rows[0].values()):
            groups = "、".join(LITIGATION_SUBHEADS.get(r.key, r.label) for r in spec.rows)
            notes += [f"{TABLE_TITLES[spec.key]}按{groups}三行各五列印出，已按行读取", *row_notes]
            return by_rows
        header = any("行政复议" in compact(line.text) for line in lines[1:])
        if not header or len(stream.tokens) < width:
            return cells, set()
        stream.tokens = [EMPTY] * width  # the table's grid is printed, every cell left empty
    options = readings(stream.tokens, width)
    # Read over many lines (one cell per line), stray empties are the header's: drop leading ones
    # first; on one printed line, trailing tabs are the commoner artefact.
    prefer_lead = 1 if len({lines[i].number for i in stream.lines}) > 3 else -1
    placed = max(options, key=lambda o: (rl_score(o.cells), prefer_lead * o.lead)).cells if options else None
    found_splits: list[list[Token]] = []
    if placed is None and is_glued(stream.tokens, width):
        found_splits = glued_splits(stream.tokens, width, _row_check(_RL_PATHS))
        placed = found_splits[0] if len(found_splits) == 1 else None
        raw = " ".join(t.raw for t in stream.tokens if t.kind is not Kind.EMPTY)
        notes.append(_glued_note("行政复议、行政诉讼", raw, found_splits, placed))
    i = 0
    provenance = _provenance(stream, lines)
    layout = _layout(spec)
    for row in spec.rows:
        for col, path in layout[row.key]:
            if placed is None and len(found_splits) > 1:
                cells[path] = _ambiguous(path, found_splits, provenance)
            else:
                cells[path] = _cell(path, placed[i] if placed is not None else None, col, *provenance)
            i += 1
    return cells, {r.key for r in spec.rows}

