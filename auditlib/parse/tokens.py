"""A line of text → tokens (label text, numbers, blank marks, empty cells) → its label and values."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache

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


def _unglue(tokens: list[Token]) -> list[Token]:
    """`行政许可6935` (PDF text that lost a space): the last label word of a line may carry the row's
    first number. Only the last one, with nothing textual after it — `数据1 | 数据2` is a header."""
    last_text = None
    for i in range(len(tokens) - 1, -1, -1):
        if tokens[i].kind is Kind.TEXT:
            last_text = i
            break
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
    text_kind = Kind.TEXT
    for cell in split_cells(normalize(text)):
        words = cell.split()
        if len(words) <= 1:  # an empty cell, or one word (most cells of a table): its own token
            tokens.append(_word_token(words[0]) if words else EMPTY)
            continue
        cell_start = len(tokens)
        run: list[str] = []  # label words not yet emitted: they merge into one TEXT token
        for word in words:
            tok = _word_token(word)
            if tok.kind is text_kind:
                last = tokens[-1] if len(tokens) > cell_start else None
                if (not run and last is not None and last.kind is Kind.VALUE and last.raw[-1] != ")"
                        and _NOTE.match(word)):  # `22 (其中修订16件)`: the note joins its number's raw text
                    tokens[-1] = Token(Kind.VALUE, last.raw + " " + word, last.value)
                else:
                    run.append(word)
                continue
            if run:
                tokens.append(_word_token(run[0]) if len(run) == 1 else Token(text_kind, "".join(run)))
                run = []
            tokens.append(tok)
        if run:
            tokens.append(_word_token(run[0]) if len(run) == 1 else Token(text_kind, "".join(run)))
    return _mark_list_numbers(_unglue(tokens))


def any_printed(tokens: Iterable[Token]) -> bool:
    """Whether any of the tokens was printed: a number, blank mark or text, not an empty cell."""
    return any(t.kind is not Kind.EMPTY for t in tokens)


def _mark_list_numbers(tokens: list[Token]) -> list[Token]:
    """`1 属于国家秘密`: a small number right before a label is the label's list marker."""
    out: list[Token] | None = None  # a copy, made at the first marker
    nxt: Token | None = None  # the first token after position i that is not EMPTY (as read, not as marked)
    for i in range(len(tokens) - 1, -1, -1):
        tok = tokens[i]
        if tok.kind is Kind.EMPTY:
            continue
        if (tok.kind is Kind.VALUE and nxt is not None and nxt.kind is Kind.TEXT and isinstance(tok.value, int)
                and 0 < tok.value <= 20 and cjk_count(nxt.raw) >= 3):
            out = list(tokens) if out is None else out
            out[i] = Token(Kind.TEXT, tok.raw + ".")
        nxt = tok
    return tokens if out is None else out


@dataclass(frozen=True)
class LineParts:
    label: str  # compact label text ("" when none)
    values: tuple[Token, ...]  # tokens after the label: VALUE / BLANK / EMPTY / INVALID
    has_values: bool


@lru_cache(maxsize=16384)
def analyse(text: str) -> LineParts:
    """Split a line into its label and the value tokens after it."""
    tokens = tokenize(text)
    label_words: list[str] = []  # the TEXT tokens before the first number or blank mark
    start = 0  # just after the last of them
    for i, t in enumerate(tokens):
        if t.kind is Kind.VALUE or t.kind is Kind.BLANK:
            break
        if t.kind is Kind.TEXT:
            label_words.append(t.raw)
            start = i + 1
    label = "".join(compact(w) for w in label_words)
    values = [Token(Kind.INVALID, t.raw) if t.kind is Kind.TEXT else t for t in tokens[start:]]
    printed = [t for t in values if t.kind is not Kind.EMPTY]  # VALUE, BLANK or INVALID
    if not label_words and len(printed) == 1:
        # `\t 0`: one cell on a line of its own; the leading tab is indentation, not an empty cell.
        values = printed
    return LineParts(label, tuple(values), bool(printed))



def _line_parts(text: str) -> LineParts | None:
    return None if is_furniture(text) else analyse(text)


_line_parts_short = lru_cache(maxsize=16384)(_line_parts)


def line_parts(text: str) -> LineParts | None:
    """A table line's label and values, or None for furniture: what every table reader asks of a line,
    in one look-up (the tables' readers go over the same lines several times)."""
    return _line_parts_short(text) if len(text) < 200 else _line_parts(text)
