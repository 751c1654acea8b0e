"""A line of text → tokens (label text, numbers, blank marks, empty cells) → its label and values."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache

from auditlib.frozen import assemble
from auditlib.template import BLANK_MARKS
from auditlib.text import cjk_count, compact, normalize

__all__ = ["EMPTY", "PAGE_MARK", "PIPE_RULE", "Kind", "LineParts", "Token", "analyse", "any_printed", "is_furniture",
           "line_parts", "parse_number", "split_cells", "tokenize"]

PAGE_MARK = re.compile(r"^\s*(?:[-－—–]\s*\d{1,3}\s*[-－—–]|第\s*\d{1,3}\s*页(?:\s*[,，/／]?\s*共\s*\d{1,3}\s*页)?|\d{1,3}\s*/\s*\d{1,3})\s*$")
PIPE_RULE = re.compile(r"^\s*\|?(?:\s*:?-{2,}:?\s*\|)+\s*:?-*:?\s*$")


def is_furniture(text: str) -> bool:
    """A page mark (`- 4 -`, 第2页) or a Markdown table rule: printed between rows, part of none."""
    return bool(PAGE_MARK.match(normalize(text)) or PIPE_RULE.match(text))


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


# `22(其中修订16件)`: a number with a bracketed note (text normalised, so brackets are ASCII). The
# number is the cell; the note stays in the token's raw text (the cell's provenance), never a number.
_NOTE_TEXT = r"\((?:其中|含|包括|包含|另|注|不含|均|系|即)[^()]*\)"
_NOTE = re.compile(rf"^{_NOTE_TEXT}$")
_NOTED = re.compile(rf"^([^()]+?)({_NOTE_TEXT})$")


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


def _classify_word(word: str) -> Token:
    if word in BLANK_MARKS:
        return Token(Kind.BLANK, word)
    first = word[0]
    if first in "+-" or first.isdigit():  # every number starts so (isdigit: a superset of \d)
        number = parse_number(word)
        if number is not None:
            return Token(Kind.VALUE, word, number)
        if (noted := _NOTED.match(word)) and (number := parse_number(noted.group(1))) is not None:
            return Token(Kind.VALUE, word, number)
    return Token(Kind.TEXT, word)


_classify_short = lru_cache(maxsize=65536)(_classify_word)  # figures, units and label words recur


def _word_token(word: str) -> Token:
    """One word's token (tokens are immutable: a cached one is shared)."""
    return _classify_short(word) if len(word) <= 24 else _classify_word(word)


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


def _cell_tokens(cell: str) -> tuple[Token, ...]:
    """One cell's tokens; consecutive words of label text merge into one TEXT token. A cell is read
    alone (nothing in it looks at the cells beside it)."""
    words = cell.split()
    if len(words) <= 1:  # an empty cell, or one word (most cells of a table): its own token
        return (_word_token(words[0]),) if words else (EMPTY,)
    tokens: list[Token] = []
    run: list[str] = []  # label words not yet emitted: they merge into one TEXT token
    for word in words:
        tok = _word_token(word)
        if tok.kind is Kind.TEXT:
            last = tokens[-1] if tokens else None
            if (not run and last is not None and last.kind is Kind.VALUE and last.raw[-1] != ")"
                    and _NOTE.match(word)):  # `22 (其中修订16件)`: the note joins its number's raw text
                tokens[-1] = Token(Kind.VALUE, last.raw + " " + word, last.value)
            else:
                run.append(word)
            continue
        if run:
            tokens.append(_word_token(run[0]) if len(run) == 1 else Token(Kind.TEXT, "".join(run)))
            run = []
        tokens.append(tok)
    if run:
        tokens.append(_word_token(run[0]) if len(run) == 1 else Token(Kind.TEXT, "".join(run)))
    return tuple(tokens)


# A token's kind as one letter: a line's kinds as a string, whose shape (where its label ends, whether a
# number stands before a label) str.find and str.count read without a loop over the tokens.
_LETTER = {Kind.EMPTY: "E", Kind.VALUE: "V", Kind.BLANK: "B", Kind.TEXT: "T", Kind.INVALID: "I"}


def _read_cell(cell: str) -> tuple[tuple[Token, ...], str]:
    """One cell's tokens and their kinds' letters."""
    tokens = _cell_tokens(cell)
    return tokens, "".join(_LETTER[t.kind] for t in tokens)


_read_cell_short = lru_cache(maxsize=65536)(_read_cell)  # label cells and figures recur across reports


def _read_line(text: str) -> tuple[list[Token], str]:
    """A line's tokens and their kinds' letters, cell by cell (a cell's tokens are shared: they are
    immutable); then a label's glued first number is split off and list markers are told from numbers."""
    tokens: list[Token] = []
    letters: list[str] = []
    for cell in split_cells(normalize(text)):
        cell_tokens, cell_kinds = _read_cell_short(cell) if len(cell) <= 64 else _read_cell(cell)
        tokens += cell_tokens
        letters.append(cell_kinds)
    return _mark_list_numbers(*_unglue(tokens, "".join(letters)))


def tokenize(text: str) -> list[Token]:
    """A line → tokens; consecutive words of label text in a cell merge into one TEXT token."""
    return _read_line(text)[0]


@lru_cache(maxsize=16384)
def _glued_label(raw: str) -> tuple[Token, Token] | None:
    """`行政许可6935` → the label's TEXT token and the number's VALUE token; None when no number is glued
    on (or what comes before it is not a label: fewer than two CJK characters)."""
    glued = _GLUED.match(raw)
    if not glued or cjk_count(glued.group(1)) < 2:
        return None
    return Token(Kind.TEXT, glued.group(1)), Token(Kind.VALUE, glued.group(2), parse_number(glued.group(2)))


def _unglue(tokens: list[Token], kinds: str) -> tuple[list[Token], str]:
    """`行政许可6935` (PDF text that lost a space): the last label word of a line may carry the row's
    first number. Only the last one, with nothing textual after it — `数据1 | 数据2` is a header."""
    last_text = kinds.rfind("T")
    if last_text < 0:
        return tokens, kinds
    split = _glued_label(tokens[last_text].raw)
    if split is None:
        return tokens, kinds
    return [*tokens[:last_text], *split, *tokens[last_text + 1:]], kinds[:last_text] + "TV" + kinds[last_text + 1:]


_NUMBER_BEFORE_TEXT = re.compile(r"V(?=E*T)")  # a number whose next printed token is text


def _mark_list_numbers(tokens: list[Token], kinds: str) -> tuple[list[Token], str]:
    """`1 属于国家秘密`: a small number right before a label is the label's list marker."""
    first_value = kinds.find("V")
    if first_value < 0 or kinds.rfind("T") < first_value:  # no text after a number (most lines)
        return tokens, kinds
    out: list[Token] | None = None  # a copy, made at the first marker
    marked = list(kinds)
    for m in _NUMBER_BEFORE_TEXT.finditer(kinds):  # the tokens as read, not as marked
        i = m.start()
        tok, nxt = tokens[i], tokens[m.end() + kinds[m.end():].find("T")]
        if isinstance(tok.value, int) and 0 < tok.value <= 20 and cjk_count(nxt.raw) >= 3:
            out = list(tokens) if out is None else out
            out[i] = Token(Kind.TEXT, tok.raw + ".")
            marked[i] = "T"
    return (tokens, kinds) if out is None else (out, "".join(marked))


def any_printed(tokens: Iterable[Token]) -> bool:
    """Whether any of the tokens was printed: a number, blank mark or text, not an empty cell."""
    return any(t.kind is not Kind.EMPTY for t in tokens)


@dataclass(frozen=True)
class LineParts:
    label: str  # compact label text ("" when none)
    values: tuple[Token, ...]  # tokens after the label: VALUE / BLANK / EMPTY / INVALID
    has_values: bool


_NUMBER_OR_BLANK = re.compile("[VB]")


@lru_cache(maxsize=16384)
def analyse(text: str) -> LineParts:
    """Split a line into its label and the value tokens after it."""
    tokens, kinds = _read_line(text)
    first = _NUMBER_OR_BLANK.search(kinds)
    head = first.start() if first else len(kinds)  # the label: the TEXT tokens before the first number or blank mark
    start = kinds.rfind("T", 0, head) + 1  # just after the label's last word
    label_count = kinds.count("T", 0, start)
    if label_count == 1:
        label = compact(tokens[start - 1].raw)
    else:
        label = "".join(compact(tokens[i].raw) for i in range(start) if kinds[i] == "T")
    tail = kinds[start:]
    values = tokens[start:] if "T" not in tail else [Token(Kind.INVALID, t.raw) if t.kind is Kind.TEXT else t
                                                     for t in tokens[start:]]
    printed = len(tail) - tail.count("E")  # VALUE, BLANK or INVALID
    if not label_count and printed == 1:
        # `\t 0`: one cell on a line of its own; the leading tab is indentation, not an empty cell.
        values = [t for t in values if t.kind is not Kind.EMPTY]
    return assemble(LineParts, label=label, values=tuple(values), has_values=printed > 0)


def _line_parts(text: str) -> LineParts | None:
    return None if is_furniture(text) else analyse(text)


_line_parts_short = lru_cache(maxsize=16384)(_line_parts)


def line_parts(text: str) -> LineParts | None:
    """A table line's label and values, or None for furniture: what every table reader asks of a line,
    in one look-up (the tables' readers go over the same lines several times)."""
    return _line_parts_short(text) if len(text) < 200 else _line_parts(text)
