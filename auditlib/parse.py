"""Text lines → Report. The only module that knows layouts; it anchors on the template's labels.

How a table is read, whatever the layout (tabs, pipes, one cell per line, PDF text):
1. each line becomes tokens: label text, numbers, blank marks (/ — 无), empty cells;
2. lines are folded into logical rows: a label (possibly wrapped over several lines) and the
   numbers that follow it (on the same line, or on the lines after it);
3. a logical row is matched to a template row by its distinctive words (never by position);
   rows whose words were garbled are placed by the template's order between matched neighbours;
4. a row's numbers are laid into the template's columns; where stray empty cells allow more than
   one reading, the row's own total chooses. Nothing the report printed is changed.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from functools import lru_cache
from pathlib import Path

from auditlib.ingest import UnreadableError, read_document
from auditlib.ingest.text import split_lines
from auditlib.model import Cell, CellStatus, Document, Report, Section, SourceLine
from auditlib.template import (
    APPLICATIONS,
    BLANK_MARKS,
    GROUP_TOTAL,
    MARKERS_PRE_2019,
    REVIEW_LITIGATION,
    ROW_OTHER_SINGLE,
    SECTIONS,
    TABLE_KEYS,
    TEMPLATE_2019,
    TEMPLATE_2021,
    Column,
    Identity,
    Row,
    TableSpec,
    identities,
    is_single_other_row,
    row_label,
    table_rows,
    table_spec,
)

__all__ = ["parse_document", "parse_file", "parse_text"]

# ---------------------------------------------------------------------------------------------
# Normalisation
# ---------------------------------------------------------------------------------------------

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)
_CJK = re.compile(r"[\u3400-\u9fff]")
_SPACE_RUN = re.compile(r"\s+")
_MARKDOWN_PREFIX = re.compile(r"^\s*(?:#{1,6}\s*|>\s*|[-*+]\s+(?=\S))+")
_PAGE_MARK = re.compile(r"^\s*(?:[-－—–]\s*\d{1,3}\s*[-－—–]|第\s*\d{1,3}\s*页(?:\s*[,，/／]?\s*共\s*\d{1,3}\s*页)?|\d{1,3}\s*/\s*\d{1,3})\s*$")
_PIPE_RULE = re.compile(r"^\s*\|?(?:\s*:?-{2,}:?\s*\|)+\s*:?-*:?\s*$")
_BOOKMARK = re.compile(r"\[bookmark:[^\]]*\]")


def _normalize(text: str) -> str:
    if "[bookmark:" in text:
        text = _BOOKMARK.sub("", text)
    return unicodedata.normalize("NFKC", text.translate(_ZERO_WIDTH)).replace("\u3000", " ")


_normalize_short = lru_cache(maxsize=16384)(_normalize)


def normalize(text: str) -> str:
    """NFKC (full-width digits and brackets → ASCII), odd spaces → space, zero-width marks removed."""
    if text.isascii():
        return text  # NFKC leaves ASCII as it is (most rows of numbers)
    # Table lines and labels recur across reports: remember the short ones.
    return _normalize_short(text) if len(text) < 200 else _normalize(text)


@lru_cache(maxsize=16384)
def _compact(text: str) -> str:
    text = normalize(text).replace("**", "").replace("__", "")
    return _SPACE_RUN.sub("", _MARKDOWN_PREFIX.sub("", text))


def compact(text: str) -> str:
    """Normalised text without whitespace or Markdown emphasis: for matching labels and headings."""
    if len(text) < 200:
        return _compact(text)
    text = normalize(text).replace("**", "").replace("__", "")
    return _SPACE_RUN.sub("", _MARKDOWN_PREFIX.sub("", text))


def cjk_count(text: str) -> int:
    return len(_CJK.findall(text))


# ---------------------------------------------------------------------------------------------
# Tokens
# ---------------------------------------------------------------------------------------------


class Kind(Enum):
    EMPTY = "empty"
    VALUE = "value"
    BLANK = "blank"
    TEXT = "text"
    INVALID = "invalid"  # text where a number belongs


@dataclass(frozen=True)
class Token:
    kind: Kind
    raw: str = ""
    value: int | float | None = None


EMPTY = Token(Kind.EMPTY)
_NUMBER = re.compile(r"^([+-]?)(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?:件|个|条|项|次|宗|起|万元|元)?$")
_GLUED = re.compile(r"^(.*[\u3400-\u9fff）)”\"])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)$")


def parse_number(word: str) -> int | float | None:
    m = _NUMBER.match(word)
    if not m:
        return None
    sign, digits, frac = m.groups()
    digits = digits.replace(",", "")
    if frac:
        number: int | float = float(digits + frac)
    else:
        number = int(digits)
    return -number if sign == "-" else number


def _classify(word: str) -> list[Token]:
    if word in BLANK_MARKS:
        return [Token(Kind.BLANK, word)]
    number = parse_number(word)
    if number is not None:
        return [Token(Kind.VALUE, word, number)]
    return [Token(Kind.TEXT, word)]


def _unglue(tokens: list[Token]) -> list[Token]:
    """`行政许可6935` (PDF text that lost a space): the last label word of a line may carry the row's
    first number. Only the last one, with nothing textual after it — `数据1 | 数据2` is a header."""
    last_text = max((i for i, t in enumerate(tokens) if t.kind is Kind.TEXT), default=None)
    if last_text is None:
        return tokens
    glued = _GLUED.match(tokens[last_text].raw)
    if not glued or cjk_count(glued.group(1)) < 2:
        return tokens
    value = Token(Kind.VALUE, glued.group(2), parse_number(glued.group(2)))
    return [*tokens[:last_text], Token(Kind.TEXT, glued.group(1)), value, *tokens[last_text + 1:]]


def split_cells(text: str) -> list[str]:
    """A line's cells: pipe-table cells, tab-separated cells, or the whole line."""
    stripped = text.strip()
    if stripped.startswith("|") or stripped.endswith("|") and "|" in stripped[:-1]:
        inner = stripped[1:] if stripped.startswith("|") else stripped
        inner = inner[:-1] if inner.endswith("|") else inner
        return inner.split("|")
    if "\t" in text:
        return text.split("\t")
    return [text]


def tokenize(text: str) -> list[Token]:
    """A line → tokens; consecutive words of label text merge into one TEXT token."""
    tokens: list[Token] = []
    for cell in split_cells(normalize(text)):
        words = cell.split()
        if not words:
            tokens.append(EMPTY)
            continue
        cell_tokens: list[Token] = []
        for word in words:
            for tok in _classify(word):
                if tok.kind is Kind.TEXT and cell_tokens and cell_tokens[-1].kind is Kind.TEXT:
                    cell_tokens[-1] = Token(Kind.TEXT, cell_tokens[-1].raw + tok.raw)
                else:
                    cell_tokens.append(tok)
        tokens.extend(cell_tokens)
    return _mark_list_numbers(_unglue(tokens))


def _mark_list_numbers(tokens: list[Token]) -> list[Token]:
    """`1 属于国家秘密`: a small number right before a label is the label's list marker."""
    out = list(tokens)
    for i, tok in enumerate(out):
        if tok.kind is not Kind.VALUE or not isinstance(tok.value, int) or not 0 < tok.value <= 20:
            continue
        nxt = next((t for t in out[i + 1:] if t.kind is not Kind.EMPTY), None)
        if nxt is not None and nxt.kind is Kind.TEXT and cjk_count(nxt.raw) >= 3:
            out[i] = Token(Kind.TEXT, tok.raw + ".")
    return out


@dataclass(frozen=True)
class LineParts:
    label: str  # compact label text ("" when none)
    values: tuple[Token, ...]  # tokens after the label: VALUE / BLANK / EMPTY / INVALID
    has_values: bool


@lru_cache(maxsize=16384)
def analyse(text: str) -> LineParts:
    """Split a line into its label and the value tokens after it."""
    tokens = tokenize(text)
    first_value = next((i for i, t in enumerate(tokens) if t.kind in (Kind.VALUE, Kind.BLANK)), len(tokens))
    label_idx = [i for i, t in enumerate(tokens[:first_value]) if t.kind is Kind.TEXT]
    label = "".join(compact(tokens[i].raw) for i in label_idx)
    start = label_idx[-1] + 1 if label_idx else 0
    values = [Token(Kind.INVALID, t.raw) if t.kind is Kind.TEXT else t for t in tokens[start:]]
    if not label_idx and sum(1 for t in values if t.kind is not Kind.EMPTY) == 1:
        # `\t 0`: one cell on a line of its own; the leading tab is indentation, not an empty cell.
        values = [t for t in values if t.kind is not Kind.EMPTY]
    has_values = any(t.kind in (Kind.VALUE, Kind.BLANK, Kind.INVALID) for t in values)
    return LineParts(label, tuple(values), has_values)


# ---------------------------------------------------------------------------------------------
# Logical rows and row matching
# ---------------------------------------------------------------------------------------------

_STARTS_ITEM = re.compile(r"^(?:[(（]?[一二三四五六七八九十]{1,2}[)）、.．]|[(（]\d{1,2}[)）]|\d{1,2}[.、．](?!\d))")
_MARKER_ANY = re.compile(r"(?:\d{1,2}[.、．](?!\d)|[(（][一二三四五六七八九十]{1,2}[)）]|[一二三四五六七八九十]{1,2}、)")


@dataclass
class LogicalRow:
    label: str
    tokens: list[Token] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)

    def count(self) -> int:
        return len(self.tokens)


def label_tail(label: str) -> str:
    """The label after its last list marker: `（六）其他处理3.其他` → `其他`."""
    parts = _MARKER_ANY.split(label)
    tail = parts[-1] if parts else label
    return tail.strip("：:，,。.()（）")


_MATCHES: dict[tuple[str, int], Row | None] = {}


def match_row(label: str, rows: Sequence[Row]) -> Row | None:
    """The template row a label names, by its distinctive words (longest keyword wins)."""
    if not label:
        return None
    key = (label, id(rows))
    if key not in _MATCHES:
        if len(_MATCHES) > 65536:
            _MATCHES.clear()
        _MATCHES[key] = _match_row(label, rows)
    return _MATCHES[key]


def _match_row(label: str, rows: Sequence[Row]) -> Row | None:
    best: tuple[int, Row] | None = None
    for row in rows:
        if row.fallback:
            continue
        score = max((len(k) for k in row.keywords if k in label), default=0)
        if score and (best is None or score > best[0]):
            best = (score, row)
    if best:
        return best[1]
    tail = label_tail(label)
    for row in rows:
        if tail and tail in row.exact:
            return row
    for row in rows:
        if row.fallback and any(k in label for k in row.keywords):
            return row
    return None


def _is_subtotal(label: str, spec: TableSpec) -> bool:
    tail = label_tail(label)
    return bool(tail) and any(tail == s or tail.endswith(s) for s in spec.subtotal_labels)


def fold_rows(lines: Sequence[SourceLine], spec: TableSpec) -> list[LogicalRow]:
    """Fold table lines into logical rows: a (possibly wrapped) label and the cells after it.

    A label that names a template row opens that row at once, so the empty cells printed after it
    (on its line, or on lines of their own) count as its cells; unrecognised label text waits as the
    start of the next row's label (a label wrapped before its numbers).
    """
    rows: list[LogicalRow] = []
    pending: list[tuple[str, int]] = []
    current: LogicalRow | None = None
    matched_any = False

    def matches(label: str) -> Row | None:
        row = match_row(label, spec.rows)
        # Generic labels (总计, 其他) name a row only below rows already recognised: above them they are headers.
        if row is not None and row.exact and not row.keywords and row is not spec.rows[0] and not matched_any:
            return None
        return row

    def width_of(row: LogicalRow) -> int:
        matched = match_row(row.label, spec.rows)
        if matched is not None:
            return len(spec.columns_of(matched))
        return max(len(spec.columns_of(r)) for r in spec.rows)

    def full(row: LogicalRow) -> bool:
        return row.count() >= width_of(row)

    def close() -> None:
        nonlocal current, matched_any
        if current is not None and (current.tokens or match_row(current.label, spec.rows) is not None):
            rows.append(current)  # a recognised label with no numbers yet is kept: its numbers may precede it
            matched_any = matched_any or match_row(current.label, spec.rows) is not None
        current = None

    def open_row(label: str, line: int, tokens: Sequence[Token]) -> None:
        nonlocal current, matched_any
        close()
        text = "".join(t for t, _ in pending) + label
        current = LogicalRow(text, list(tokens), [n for _, n in pending] + [line])
        pending.clear()
        if match_row(text, spec.rows) is not None:
            matched_any = True

    def starts_new(label: str) -> bool:
        return bool(_STARTS_ITEM.match(label) or matches(label) or _is_subtotal(label, spec))

    for line in lines:
        if _PAGE_MARK.match(normalize(line.text)) or _PIPE_RULE.match(line.text):
            continue
        parts = analyse(line.text)
        waiting = current is not None and not any(t.kind is not Kind.EMPTY for t in current.tokens)
        if current is not None and waiting and parts.label and not starts_new(parts.label):
            current.label += parts.label  # the label goes on over another line, perhaps with its numbers
            current.lines.append(line.number)
            current.tokens.extend(parts.values)
        elif parts.label and parts.has_values:
            if starts_new(parts.label):
                pending.clear()
            open_row(parts.label, line.number, parts.values)
        elif parts.label:
            close()
            if starts_new(parts.label):
                pending.clear()
            if matches(parts.label):
                open_row(parts.label, line.number, parts.values)
            else:
                pending.append((parts.label, line.number))
        elif parts.has_values:
            if current is None or full(current):
                open_row("", line.number, [])
                assert current is not None
                current.lines.pop()
            current.tokens.extend(parts.values)
            current.lines.append(line.number)
        elif parts.values and current is not None and not full(current) and "\t" in line.text:
            current.tokens.extend([EMPTY] * _empty_cells(line.text))
            current.lines.append(line.number)
    close()
    return [r for r in rows if any(t.kind is not Kind.EMPTY for t in r.tokens) or match_row(r.label, spec.rows)]


def _empty_cells(text: str) -> int:
    """Cells on a line that holds only empty cells: `\t` alone is one cell on a line of its own
    (one-cell-per-line layouts indent with a tab); otherwise every tab-separated cell counts."""
    tabs = text.count("\t")
    return 1 if tabs <= 1 else tabs + 1


def _filled(row: LogicalRow) -> int:
    return sum(1 for t in row.tokens if t.kind is not Kind.EMPTY)


def _numbers_before_labels(logical: list[LogicalRow], spec: TableSpec) -> list[LogicalRow]:
    """Some PDF text puts a row's numbers on the line above its (vertically centred) label: an
    unlabelled row of numbers followed at once by a recognised label that got no numbers of its own
    is one row. Labels left without numbers are dropped (their cells stay missing)."""
    out: list[LogicalRow] = []
    i = 0
    while i < len(logical):
        row, nxt = logical[i], logical[i + 1] if i + 1 < len(logical) else None
        # A group label (（五）不予处理) printed in its own merged cell, above a line of numbers, names no row;
        # only a group label printed on the same line as its numbers is a subtotal.
        group_above = _is_subtotal(row.label, spec) and len(row.lines) > 1
        unlabelled = (_filled(row) and match_row(row.label, spec.rows) is None
                      and (group_above or not _is_subtotal(row.label, spec)))
        if unlabelled and nxt is not None and not nxt.tokens and match_row(nxt.label, spec.rows) is not None:
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
    order = {r.key: i for i, r in enumerate(spec.rows)}
    matched: list[tuple[LogicalRow, str | None]] = []
    first: dict[str, int] = {}
    for lrow in logical:
        row = match_row(lrow.label, spec.rows)
        if row is not None and row.key not in first:
            first[row.key] = len(matched)
            matched.append((lrow, row.key))
        elif row is not None:
            # The same row twice (a sentence or a heading above the table, a repeated header): the
            # printing whose numbers fit the row's columns wins, then the one with more numbers.
            width = len(spec.columns_of(row))
            merit = (bool(readings(lrow.tokens, width)), _filled(lrow))
            kept = matched[first[row.key]][0]
            if merit > (bool(readings(kept.tokens, width)), _filled(kept)):
                matched[first[row.key]] = (lrow, row.key)
        elif not _is_subtotal(lrow.label, spec) and _filled(lrow):
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


# ---------------------------------------------------------------------------------------------
# Laying a row's numbers into columns
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reading:
    """One way to read a row's cells: which stray empty cells were dropped at each end."""

    cells: list[Token]
    lead: int
    trail: int


def readings(tokens: list[Token], width: int) -> list[Reading]:
    """Every way to read `width` cells from a row's tokens; [] when the row cannot be placed.

    Stray empty cells at either end (merged label cells, trailing tabs) may be dropped; the
    reading that drops trailing ones first comes first. Nothing printed is ever dropped, except the
    法人或其他组织小计 column of the 8-column variant, recognised by its own sum.
    """
    n = len(tokens)
    if n == width:
        return [Reading(tokens, 0, 0)]
    if n < width:
        return [Reading([EMPTY] * width, 0, 0)] if all(t.kind is Kind.EMPTY for t in tokens) else []
    extra = n - width
    out = [
        Reading(tokens[lead:n - (extra - lead)], lead, extra - lead)
        for lead in range(extra + 1)
        if all(t.kind is Kind.EMPTY for t in tokens[:lead]) and all(t.kind is Kind.EMPTY for t in tokens[n - (extra - lead):])
    ]
    filled = [t for t in tokens if t.kind is not Kind.EMPTY]
    if not out and len(filled) == width:
        out = [Reading(filled, -1, -1)]
    subtotal_variant = width == 7 and len(filled) == 8 and all(t.kind is Kind.VALUE for t in filled)
    if not out and subtotal_variant and filled[6].value == sum(t.value or 0 for t in filled[1:6]):
        out = [Reading(filled[:6] + filled[7:], -1, -1)]
    return out


def choose_readings(options: dict[str, tuple[int, list[Reading]]], score: Callable[[dict[str, list[Token]]], int] | None) -> dict[str, list[Token]]:
    """One reading per row. Where a row reads two ways, the table's sums choose; failing that, the
    way this table's unambiguous rows of the same shape were printed (a converter is consistent)."""
    habit = Counter((n, opts[0].lead, opts[0].trail) for n, opts in options.values() if len(opts) == 1)
    chosen = {key: opts[0].cells for key, (_, opts) in options.items() if opts}
    for key, (n, opts) in options.items():
        if len(opts) > 1:

            def merit(o: Reading, key: str = key, n: int = n) -> tuple[int, int]:
                return (score({**chosen, key: o.cells}) if score else 0, habit[(n, o.lead, o.trail)])

            chosen[key] = max(opts, key=merit).cells
    return chosen


def _sum_score(eqs: Iterable[Identity], token: Callable[[str], Token | None]) -> int:
    """+1 for each of the template's sums that holds, −1 for each that fails; sums over unknowns count 0."""
    score = 0
    for eq in eqs:
        tokens = [token(p) for p in eq.cells]
        if all(t is not None and t.kind is Kind.VALUE for t in tokens):
            values = [t.value or 0 for t in tokens if t is not None]
            score += 1 if sum(values[:len(eq.parts)]) == sum(values[len(eq.parts):]) else -1
    return score


def _applications_score(chosen: dict[str, list[Token]]) -> int:
    """How well a choice of readings agrees with the applications table's own sums."""
    single = "3.6" in chosen and not any(k.startswith("3.6.") for k in chosen)
    columns = [c.key for c in APPLICATIONS.columns]

    def token(path: str) -> Token | None:
        row, _, col = path.split(".", 1)[1].rpartition(".")
        cells = chosen.get(row)
        return cells[columns.index(col)] if cells is not None else None

    return _sum_score(identities("2021", single), token)


_RL_PATHS = [f"{REVIEW_LITIGATION.key}.{r.key}.{c.key}" for r in REVIEW_LITIGATION.rows for c in REVIEW_LITIGATION.columns]
_RL_SUMS = tuple(eq for eq in identities("2021") if eq.kind == GROUP_TOTAL)


def _rl_score(row: list[Token]) -> int:
    """How well one reading of table 四's printed row agrees with its group totals."""
    return _sum_score(_RL_SUMS, lambda path: row[_RL_PATHS.index(path)])


def _cell(path: str, token: Token | None, column: Column, lines: tuple[int, ...], source: str, where: str) -> Cell:
    if token is None:
        return Cell(path, None, CellStatus.UNPLACED, None, lines, source, where)
    if token.kind is Kind.VALUE:
        value = token.value
        ok = value is not None and (value >= 0 or column.signed) and (column.decimal or isinstance(value, int))
        return Cell(path, value, CellStatus.OK if ok else CellStatus.INVALID, token.raw, lines, source, where)
    if token.kind is Kind.INVALID:
        return Cell(path, None, CellStatus.INVALID, token.raw, lines, source, where)
    return Cell(path, None, CellStatus.BLANK, token.raw, lines, source, where)


def _provenance(lrow: LogicalRow, doc_lines: dict[int, SourceLine]) -> tuple[tuple[int, ...], str, str]:
    """The row's source line numbers, their original text, and the reader's locator of the first."""
    lines = tuple(lrow.lines)
    source = "\n".join(doc_lines[n].text for n in lines if n in doc_lines)
    where = next((doc_lines[n].where for n in lines if n in doc_lines and doc_lines[n].where), "")
    return lines, source, where


def read_table(lines: Sequence[SourceLine], spec: TableSpec, doc_lines: dict[int, SourceLine]) -> tuple[dict[str, Cell], set[str]]:
    """The cells of one table found in `lines`; also the keys of rows that were found."""
    cells: dict[str, Cell] = {}
    found: set[str] = set()
    if spec.key == "review_litigation":
        return _read_review_litigation(lines, doc_lines)
    logical = fold_rows(lines, spec)
    options: dict[str, tuple[int, list[Reading]]] = {}
    rows: dict[str, tuple[Row, LogicalRow]] = {}
    for key, lrow in assign_rows(logical, spec).items():
        row = spec.row(key)
        rows[key] = (row, lrow)
        options[key] = (len(lrow.tokens), readings(lrow.tokens, len(spec.columns_of(row))))
    chosen = choose_readings(options, _applications_score if spec.key == "applications" else None)
    for key, (row, lrow) in rows.items():
        found.add(key)
        provenance = _provenance(lrow, doc_lines)
        for i, col in enumerate(spec.columns_of(row)):
            path = f"{spec.key}.{key}.{col.key}"
            token = chosen[key][i] if key in chosen else None
            cells[path] = _cell(path, token, col, *provenance)
    return cells, found


def _read_review_litigation(lines: Sequence[SourceLine], doc_lines: dict[int, SourceLine]) -> tuple[dict[str, Cell], set[str]]:
    """Table 四 is one printed row of 15 numbers (five per group), whatever its header looks like.

    The numbers are read from number-only lines below the table's header (行政复议 …), up to the
    first line of prose; numbers inside sentences are never cells.
    """
    spec = REVIEW_LITIGATION
    width = sum(len(spec.columns_of(r)) for r in spec.rows)
    stream = LogicalRow("")
    start = next((i for i, line in enumerate(lines) if "行政复议" in compact(line.text)), None)
    for line in lines[start if start is not None else len(lines):]:
        if _PAGE_MARK.match(normalize(line.text)) or _PIPE_RULE.match(line.text):
            continue
        parts = analyse(line.text)
        prose = any(cjk_count(t.raw) >= 6 for t in parts.values) or cjk_count(parts.label) >= 20
        if prose and any(t.kind is not Kind.EMPTY for t in stream.tokens):
            break
        if parts.has_values and not parts.label and not prose:
            stream.tokens.extend(parts.values)
            stream.lines.append(line.number)
        elif not parts.label and parts.values and "\t" in line.text:
            stream.tokens.extend([EMPTY] * _empty_cells(line.text))  # readings() drops stray ones
            stream.lines.append(line.number)
    cells: dict[str, Cell] = {}
    if not any(t.kind is not Kind.EMPTY for t in stream.tokens):
        header = any("行政复议" in compact(line.text) for line in lines[1:])
        if not header or len(stream.tokens) < width:
            return cells, set()
        stream.tokens = [EMPTY] * width  # the table's grid is printed, every cell left empty
    options = readings(stream.tokens, width)
    # Read over many lines (one cell per line), stray empties are the header's: drop leading ones
    # first; on one printed line, trailing tabs are the commoner artefact.
    prefer_lead = 1 if len(set(stream.lines)) > 3 else -1
    placed = max(options, key=lambda o: (_rl_score(o.cells), prefer_lead * o.lead)).cells if options else None
    i = 0
    provenance = _provenance(stream, doc_lines)
    for row in spec.rows:
        for col in spec.columns_of(row):
            path = f"{spec.key}.{row.key}.{col.key}"
            cells[path] = _cell(path, placed[i] if placed is not None else None, col, *provenance)
            i += 1
    return cells, {r.key for r in spec.rows}


# ---------------------------------------------------------------------------------------------
# Sections, title, agency, year, template
# ---------------------------------------------------------------------------------------------

_HEADING = re.compile(r"^第?(?P<num>[一二三四五六])(?:部分)?\s*[、.．,，:：]?\s*(?P<title>.*)$")
_HEADING_START = re.compile("|".join([r"第?[一二三四五六]"] + sorted({re.escape(k) for s in SECTIONS for k in s.keywords})))
_TERMINAL = tuple("。；;：:！!？?")
_CN_DIGITS = {c: str(i) for i, c in enumerate("〇一二三四五六七八九")} | {"零": "0", "○": "0", "O": "0"}
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_CN_YEAR = re.compile(r"([〇零○一二三四五六七八九]{4})\s*年")


# A title printed without its numeral must still read as a heading: no sentence, no figures, and the
# template's kind of ending (so a table header such as 行政复议 行政诉讼 is not taken for one).
_UNNUMBERED_HEADING = re.compile(r"^[^。；;，,\d]+?(情况|事项|问题|措施|概述)[:：]?$")


def _heading_candidates(lines: Sequence[SourceLine]) -> list[tuple[int, int, int]]:
    """(line index, section number, strength): 2 for a numbered heading (一、…), 1 for a bare title."""
    out: list[tuple[int, int, int]] = []
    for idx, line in enumerate(lines):
        if len(line.text) > 120:
            continue
        text = compact(line.text)
        if not text or len(text) > 40 or not _HEADING_START.match(text):
            continue
        m = _HEADING.match(text)
        for spec in SECTIONS:
            if m and m.group("num") == spec.numeral:
                if any(k in m.group("title") for k in spec.keywords):
                    out.append((idx, int(spec.key), 2))
            elif (any(text.startswith(k) for k in spec.keywords) and len(text) <= len(spec.title) + 6
                  and _UNNUMBERED_HEADING.match(text)):
                out.append((idx, int(spec.key), 1))
    return out


def find_headings(lines: Sequence[SourceLine]) -> dict[str, int]:
    """Section key → index (into `lines`) of its heading.

    Of all lines that could be headings, take the set in template order that finds the most sections
    (numbered headings weigh more): a sentence that merely starts like a heading cannot hide the rest.
    """
    candidates = _heading_candidates(lines)
    # best[i]: the best chain ending at candidate i, as (sections found, strength, chain).
    best: list[tuple[int, int, list[int]]] = []
    for i, (idx, key, strength) in enumerate(candidates):
        prior = [best[j] for j in range(i) if candidates[j][1] < key and candidates[j][0] < idx]
        count, weight, chain = max(prior, key=lambda b: (b[0], b[1]), default=(0, 0, []))
        best.append((count + 1, weight + strength, [*chain, i]))
    if not best:
        return {}
    _, _, chain = max(best, key=lambda b: (b[0], b[1]))
    return {str(candidates[i][1]): candidates[i][0] for i in chain}


def _is_sentence_end(text: str) -> bool:
    return text.endswith(_TERMINAL) or text.endswith(("”", "」", "）", ")")) and len(text) < 30


def join_paragraphs(lines: Iterable[SourceLine]) -> str:
    """Repair paragraphs broken by page or line wraps: a line that does not end a sentence continues."""
    paragraphs: list[str] = []
    current = ""
    for line in lines:
        text = _BOOKMARK.sub("", line.text).replace("\u00a0", " ").replace("\u3000", " ").strip()
        text = _MARKDOWN_PREFIX.sub("", text).replace("**", "").strip()
        if not text or _PAGE_MARK.match(normalize(text)):
            if current and (_is_sentence_end(current) or len(current) < 15):
                paragraphs.append(current)
                current = ""
            continue
        if current and not _is_sentence_end(current) and len(current) >= 15 and not _STARTS_ITEM.match(compact(text)):
            current += text
        else:
            if current:
                paragraphs.append(current)
            current = text
    if current:
        paragraphs.append(current)
    return "\n".join(paragraphs)


def years_in(text: str) -> list[int]:
    text = normalize(text)
    years = [int(y) for y in _YEAR.findall(text)]
    years += [int("".join(_CN_DIGITS.get(c, c) for c in y)) for y in _CN_YEAR.findall(text)]
    return years


_AGENCY_SUFFIX = re.compile(
    r"(人民政府|人民政府办公室|政府办公室|办事处|管理委员会|管委会|委员会|政府|局|厅|委|办|院|中心|室|署|所|处|站|队|会|镇|乡|街道)$"
)
_ADMIN_PREFIX = re.compile(
    r"^[\u3400-\u9fff]{1,10}?(?:特别行政区|自治区|自治州|自治县|自治旗|地区|新区|林区|省|盟|市|县|旗|区|镇|乡|街道|苏木)"
)
_TITLE_TAIL = re.compile(r"(?:关于)?((?:19|20)\d{2}|[〇零○一二三四五六七八九]{4})\s*年")


def normalize_agency(name: str) -> str:
    """`淮安市洪泽区人民政府` → `洪泽区人民政府`: keep the innermost administrative unit and what follows."""
    name = compact(name).strip("：:，,。()（）《》")
    name = re.sub(r"^关于", "", name)
    while True:
        m = _ADMIN_PREFIX.match(name)
        if not m:
            return name
        rest = name[m.end():]
        inner = _ADMIN_PREFIX.match(rest)
        if not rest or not inner or inner.end() >= len(rest):
            return name
        name = rest


def find_title(preamble: Sequence[SourceLine]) -> tuple[int | None, str]:
    """Index and compact text of the title line (the first line naming a 报告)."""
    for idx, line in enumerate(preamble[:40]):
        text = compact(line.text)
        if "报告" in text and ("信息公开" in text or "政务公开" in text or "年度" in text) and len(text) <= 80:
            return idx, text
    return None, ""


def find_agency(preamble: Sequence[SourceLine], title_idx: int | None, title: str) -> str | None:
    candidates: list[str] = []
    if title:
        m = _TITLE_TAIL.search(title)
        head = title[: m.start()] if m else title.split("政府信息公开")[0]
        if not head and m:
            # `2024年青山镇政府信息公开工作年度报告`: the agency follows the year.
            after = re.split(r"政府信息公开|政务信息公开|政务公开|信息公开", title[m.end():].lstrip("度"))[0]
            head = after if after and not after.startswith(("工作", "年度")) else ""
        if head:
            candidates.append(head)
    before = [compact(line.text) for line in preamble[: title_idx if title_idx is not None else 6]]
    before = [t for t in before if t and len(t) <= 40 and "报告" not in t]
    head = candidates[0] if candidates else ""
    if head and _AGENCY_SUFFIX.search(head) and len(head) > 2 and not head.endswith(("镇", "乡", "街道", "区", "县", "市")):
        return normalize_agency(head)
    # The title names only part of the agency (`刘家塔镇`): a line above names it in full.
    for text in reversed(before):
        if _AGENCY_SUFFIX.search(text) and (not head or head in text or normalize_agency(head) in text):
            return normalize_agency(text)
    if head:
        return normalize_agency(head + ("人民政府" if head.endswith(("镇", "乡", "区", "县", "市")) else ""))
    for text in before:
        if _AGENCY_SUFFIX.search(text):
            return normalize_agency(text)
    return None


def detect_template(full_text: str, found_rows: set[str]) -> str:
    text = compact(full_text)
    new = sum(1 for m in TEMPLATE_2021.markers if m in text)
    old = sum(1 for m in TEMPLATE_2019.markers if m in text)
    if new and new >= old:
        return "2021"
    if old:
        return "2019"
    if any(m in text for m in MARKERS_PRE_2019):
        return "unknown"
    if {"3.6.1", "3.6.2"} & found_rows:
        return "2021"
    if "3.6" in found_rows:
        return "2019"
    return "unknown"


# ---------------------------------------------------------------------------------------------
# Entry points
# ---------------------------------------------------------------------------------------------


def parse_file(path: str | Path) -> Report:
    """Read and parse one report file (any supported format). Raises UnreadableError."""
    return parse_document(read_document(path))


def parse_text(text: str, path: str = "<text>") -> Report:
    """Parse report text already in memory (tests, notebooks)."""
    doc = Document(path, "text", "utf-8", hashlib.sha256(text.encode()).hexdigest(), split_lines(text))
    return parse_document(doc)


def _region(lines: Sequence[SourceLine], headings: dict[str, int], key: str) -> Sequence[SourceLine]:
    """The lines of section `key`; when its heading is missing, the gap between its neighbours."""
    k = int(key)
    before = [idx for s, idx in headings.items() if int(s) <= k]
    after = [idx for s, idx in headings.items() if int(s) > k]
    start = max(before) if before else 0
    end = min(after) if after else len(lines)
    return lines[start:end]


# The applications table read with both layouts of （六）其他处理; the template version is decided after.
_APPLICATIONS_PROBE = TableSpec(APPLICATIONS.key, APPLICATIONS.title, APPLICATIONS.rows + (ROW_OTHER_SINGLE,),
                                APPLICATIONS.columns, APPLICATIONS.subtotal_labels)


def parse_document(doc: Document) -> Report:
    """Turn a document's text lines into the template's sections and cells."""
    lines = doc.lines
    doc_lines = {line.number: line for line in lines}
    headings = find_headings(lines)
    ordered = sorted(headings.items(), key=lambda kv: kv[1])
    sections: dict[str, Section] = {}
    for pos, (key, idx) in enumerate(ordered):
        end = ordered[pos + 1][1] if pos + 1 < len(ordered) else len(lines)
        body = lines[idx + 1:end]
        text = join_paragraphs(body) if key in ("1", "5", "6") else "\n".join(
            normalize(line.text).strip() for line in body if line.text.strip())
        sections[key] = Section(key, True, compact(lines[idx].text), text, lines[idx].number)
    for spec in SECTIONS:
        sections.setdefault(spec.key, Section(spec.key, False))

    first_heading = min(headings.values()) if headings else min(len(lines), 40)
    preamble_lines = lines[:first_heading]
    title_idx, title = find_title(preamble_lines)
    agency = find_agency(preamble_lines, title_idx, title)
    title_years = years_in(title) if title else []
    title_year = title_years[0] if title_years else None
    preamble = join_paragraphs(preamble_lines)
    body_years = years_in(preamble + "\n" + sections["1"].text)
    year = title_year
    if year is None and body_years:
        year = Counter(body_years).most_common(1)[0][0]

    full_text = "\n".join(line.text for line in lines)
    notes: list[str] = list(doc.notes)
    # Tables: read with the 2021 layout first; the 2019 layout when the report is in that format.
    cells: dict[str, Cell] = {}
    app_cells, found_rows = read_table(_region(lines, headings, "3"), _APPLICATIONS_PROBE, doc_lines)
    template = detect_template(full_text, found_rows)
    other_single = "3.6" in found_rows and not ({"3.6.1", "3.6.2", "3.6.3"} & found_rows)
    if not other_single:
        app_cells = {p: c for p, c in app_cells.items() if not is_single_other_row(p)}
    elif template != "2019":
        notes.append("（六）其他处理按2019年试行格式印为一行，未分列1–3项")
    cells.update(app_cells)
    ad_spec = table_spec(template, "active_disclosure")
    ad_cells, _ = read_table(_region(lines, headings, "2"), ad_spec, doc_lines)
    cells.update(ad_cells)
    rl_cells, _ = read_table(_region(lines, headings, "4"), REVIEW_LITIGATION, doc_lines)
    cells.update(rl_cells)

    # Every template cell has an entry; what was not found is MISSING (never 0).
    for key in TABLE_KEYS:
        table = table_spec(template, key)
        for row in table_rows(template, key, other_single):
            for col in table.columns_of(row):
                path = f"{key}.{row.key}.{col.key}"
                cells.setdefault(path, Cell(path, None, CellStatus.MISSING))
    if template == "2019":
        cells = {p: c for p, c in cells.items() if not p.startswith("applications.3.6.") or is_single_other_row(p)}

    found_cells = sum(1 for c in cells.values() if c.status is not CellStatus.MISSING)
    if len(headings) < 2 and found_cells == 0:
        raise UnreadableError("未找到年度报告的章节标题或统计表，内容不像政府信息公开工作年度报告")
    unplaced = sorted({c.path.rsplit(".", 1)[0] for c in cells.values() if c.status is CellStatus.UNPLACED})
    for row_path in unplaced:
        notes.append(f"「{row_label(row_path)}」行印出的数字个数与模板列数不符，无法确定各数所属列，按未知处理")

    return Report(
        path=doc.path, format=doc.format, encoding=doc.encoding, sha256=doc.sha256,
        agency=agency, year=year, template=template, title=title, sections=sections, cells=cells,
        preamble=preamble, lines=lines, notes=tuple(notes),
        other_single_row=other_single, title_year=title_year,
        title_line=preamble_lines[title_idx].number if title_idx is not None else None,
    )
