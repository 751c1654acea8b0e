"""Cells printed with no separator (`640020470` for 64 0 0 2 0 4 70, as crawled pages print them).

A glued run of digits is split only where the table's own sums leave one reading: every split into the
row's columns (no part with a leading zero) is tried; the row's identity (总计 = the parts; a review or
litigation group's 总计 = its four outcomes, from template.identities) must hold; where several rows
are still ambiguous, the table's column sums decide them together. A split that is not the only one is
never taken: its cells stay unknown and the candidates are named in the report's notes. Rows printed
with separators are never re-split, so a report's own arithmetic error stays for the rules to find.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator

from auditlib.parse.tokens import Kind, Token

__all__ = ["MAX_CANDIDATES", "glued_splits", "is_glued", "resolve"]

MAX_CANDIDATES = 2000  # more readings than this: the row is left unknown rather than searched


def is_glued(tokens: list[Token], width: int) -> bool:
    """At most half as many numbers as columns, every one a plain run of digits, enough digits for every
    column. A row short of only a few numbers is a row whose empty cells printed nothing (PDF text:
    `0 3 0 0 0 14` for seven columns), never one to split: `14` may not be read as 1 and 4 because a
    sum happens to fit. Glued text runs most cells together (`640020470`, `500000 5`)."""
    values = [t for t in tokens if t.kind is not Kind.EMPTY]
    return (0 < len(values) <= width // 2 and all(t.kind is Kind.VALUE and t.raw.isdigit() for t in values)
            and sum(len(t.raw) for t in values) >= width)


def _parts(digits: str, k: int, memo: dict[tuple[str, int], list[list[str]]]) -> list[list[str]]:
    """Every way to cut `digits` into k numbers, none with a leading zero, shortest first number first;
    `memo` holds the cuts already made (a row's runs and their tails are cut again for every split)."""
    known = memo.get((digits, k))
    if known is not None:
        return known
    if k == 1:
        out = [[digits]] if digits == "0" or not digits.startswith("0") else []
    else:
        limit = 1 if digits.startswith("0") else len(digits) - k + 1
        out = [[digits[:n], *rest] for n in range(1, limit + 1) for rest in _parts(digits[n:], k - 1, memo)]
    memo[(digits, k)] = out
    return out


def glued_splits(tokens: list[Token], width: int, row_ok: Callable[[list[int]], bool]) -> list[list[Token]]:
    """The readings of a glued row that satisfy the row's identity (at most MAX_CANDIDATES + 1)."""
    runs = [t.raw for t in tokens if t.kind is not Kind.EMPTY]
    out: list[list[Token]] = []
    memo: dict[tuple[str, int], list[list[str]]] = {}

    def counts(i: int, left: int) -> Iterator[list[int]]:
        if i == len(runs) - 1:
            if 1 <= left <= len(runs[i]):
                yield [left]
            return
        for k in range(1, min(len(runs[i]), left - (len(runs) - i - 1)) + 1):
            for rest in counts(i + 1, left - k):
                yield [k, *rest]

    for split in counts(0, width):
        for pieces in itertools.product(*(_parts(run, k, memo) for run, k in zip(runs, split, strict=True))):
            parts = [p for piece in pieces for p in piece]
            if row_ok([int(p) for p in parts]):
                out.append([Token(Kind.VALUE, p, int(p)) for p in parts])
                if len(out) > MAX_CANDIDATES:
                    return out
    return out


def resolve(candidates: dict[str, list[list[Token]]], chosen: dict[str, list[Token]],
            score: Callable[[dict[str, list[Token]]], int] | None) -> dict[str, list[Token]]:
    """The glued rows that one reading fits: alone, or with the other rows by the table's sums.

    Every combination of the ambiguous rows' candidates is scored together; a row is taken when every
    best-scoring combination reads it the same way, and only when its reading breaks no sum.
    """
    out = {key: c[0] for key, c in candidates.items() if len(c) == 1}
    open_rows = {key: c for key, c in candidates.items() if len(c) > 1}
    if not open_rows or score is None:
        return out
    total = 1
    for c in open_rows.values():
        total *= len(c)
    if total > 20000:
        return out
    base = {**chosen, **out}
    keys = list(open_rows)
    scored = [(score({**base, **dict(zip(keys, combo, strict=True))}), combo)
              for combo in itertools.product(*(open_rows[k] for k in keys))]
    best = max(s for s, _ in scored)
    winners = [combo for s, combo in scored if s == best]
    for i, key in enumerate(keys):
        readings = {tuple(t.raw for t in combo[i]) for combo in winners}
        if len(readings) == 1:
            out[key] = winners[0][i]
    return out
