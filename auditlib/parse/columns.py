"""Laying a row's tokens into the template's columns: every reading stray empty cells allow, and the
choice among them by the table's own sums (the template's identities), then by the table's habit."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from auditlib.parse.tokens import EMPTY, Kind, Token
from auditlib.template import APPLICATIONS, GROUP_TOTAL, REVIEW_LITIGATION, Identity, identities

__all__ = ["Reading", "applications_score", "choose_readings", "readings", "rl_score"]


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
    # `lead` empties dropped in front and `extra - lead` behind: as many as the row has at each end
    lead_empty = next((i for i, t in enumerate(tokens) if t.kind is not Kind.EMPTY), n)
    trail_empty = next((i for i, t in enumerate(reversed(tokens)) if t.kind is not Kind.EMPTY), n)
    out = [Reading(tokens[lead:n - (extra - lead)], lead, extra - lead)
           for lead in range(max(0, extra - trail_empty), min(extra, lead_empty) + 1)]
    if out:
        return out
    filled = [t for t in tokens if t.kind is not Kind.EMPTY]
    if len(filled) == width:
        return [Reading(filled, -1, -1)]
    subtotal_variant = width == 7 and len(filled) == 8 and all(t.kind is Kind.VALUE for t in filled)
    if subtotal_variant and filled[6].value == sum(t.value or 0 for t in filled[1:6]):
        return [Reading(filled[:6] + filled[7:], -1, -1)]
    return []


def choose_readings(options: dict[str, tuple[int, list[Reading]]], score: Callable[[dict[str, list[Token]]], int] | None) -> dict[str, list[Token]]:
    """One reading per row. Where a row reads two ways, the table's sums choose; failing that, the
    way this table's unambiguous rows of the same shape were printed (a converter is consistent).

    Rows that read several ways start from the reading that drops the same number of leading empties
    in all of them (the one the sums and the habit like best), since a converter pads its rows alike;
    each row is then judged with the others standing, and keeps its start unless another does better."""
    habit = Counter((n, opts[0].lead, opts[0].trail) for n, opts in options.values() if len(opts) == 1)
    chosen = {key: opts[0].cells for key, (_, opts) in options.items() if opts}
    ambiguous = {key: (n, opts) for key, (n, opts) in options.items() if len(opts) > 1}
    start = {key: opts[0] for key, (_, opts) in ambiguous.items()}
    if len(ambiguous) > 1:
        start = _consistent_start(ambiguous, chosen, habit, score)
        chosen.update({key: o.cells for key, o in start.items()})
    for key, (n, opts) in ambiguous.items():

        def merit(o: Reading, key: str = key, n: int = n) -> tuple[int, int, bool]:
            return (score({**chosen, key: o.cells}) if score else 0, habit[(n, o.lead, o.trail)], o is start[key])

        chosen[key] = max(opts, key=merit).cells
    return chosen


def _consistent_start(ambiguous: dict[str, tuple[int, list[Reading]]], chosen: dict[str, list[Token]],
                      habit: Counter[tuple[int, int, int]],
                      score: Callable[[dict[str, list[Token]]], int] | None) -> dict[str, Reading]:
    """For each number of leading empties some ambiguous row can drop, every such row read so (the others
    as first read); the assignment the sums, then the habit, like best (ties: the first reading)."""
    best: tuple[tuple[int, int, int], dict[str, Reading]] | None = None
    leads = sorted({o.lead for _, opts in ambiguous.values() for o in opts if o.lead >= 0})
    for lead in leads:
        trial = {key: next((o for o in opts if o.lead == lead), opts[0]) for key, (_, opts) in ambiguous.items()}
        cells = {**chosen, **{key: o.cells for key, o in trial.items()}}
        merit = (score(cells) if score else 0, sum(habit[(ambiguous[k][0], o.lead, o.trail)] for k, o in trial.items()),
                 -sum(o is not ambiguous[k][1][0] for k, o in trial.items()))
        if best is None or merit > best[0]:
            best = (merit, trial)
    return best[1] if best is not None else {key: opts[0] for key, (_, opts) in ambiguous.items()}


# A template sum as the scores ask it: how many of its cells are parts, and where each cell lies.
_Sum = tuple[int, tuple[tuple[str, int], ...]]


def _sums(eqs: Iterable[Identity], where: Callable[[str], tuple[str, int] | None]) -> tuple[_Sum, ...]:
    """The sums whose cells all lie in the table scored, each cell as `where` places it (row, column
    index); a sum with a cell elsewhere has an unknown, so it never counts."""
    out: list[_Sum] = []
    for eq in eqs:
        cells = [where(p) for p in eq.cells]
        if all(c is not None for c in cells):
            out.append((len(eq.parts), tuple(c for c in cells if c is not None)))
    return tuple(out)


def _sum_score(sums: tuple[_Sum, ...], rows: dict[str, list[Token]]) -> int:
    """+1 for each of the sums that holds, −1 for each that fails; sums over unknowns count 0."""
    score = 0
    for parts, cells in sums:
        values: list[int | float] = []
        for row, col in cells:
            placed = rows.get(row)
            token = placed[col] if placed is not None else None
            if token is None or token.kind is not Kind.VALUE:
                break
            values.append(token.value or 0)
        else:
            score += 1 if sum(values[:parts]) == sum(values[parts:]) else -1
    return score


def applications_score(chosen: dict[str, list[Token]]) -> int:
    """How well a choice of readings agrees with the applications table's own sums."""
    single = "3.6" in chosen and not any(k.startswith("3.6.") for k in chosen)
    return _sum_score(_APPLICATION_SUMS[single], chosen)


def _application_cells() -> dict[str, tuple[str, int]]:
    """Each applications path → (row key, column index): scoring a reading looks cells up, never parses paths."""
    columns = [c.key for c in APPLICATIONS.columns]
    out: dict[str, tuple[str, int]] = {}
    for single in (False, True):
        for eq in identities("2021", single):
            for path in eq.cells:
                if path.startswith(APPLICATIONS.key + "."):
                    row, _, col = path.split(".", 1)[1].rpartition(".")
                    out[path] = (row, columns.index(col))
    return out


_APPLICATION_CELLS = _application_cells()
# The applications table's sums with （六）其他处理 in three rows (False) or in one (True), laid out once.
_APPLICATION_SUMS = {single: _sums(identities("2021", single), _APPLICATION_CELLS.get) for single in (False, True)}


_RL_PATHS = [f"{REVIEW_LITIGATION.key}.{r.key}.{c.key}" for r in REVIEW_LITIGATION.rows for c in REVIEW_LITIGATION.columns]
_RL_SUMS = _sums((eq for eq in identities("2021") if eq.kind == GROUP_TOTAL), lambda path: ("", _RL_PATHS.index(path)))


def rl_score(row: list[Token]) -> int:
    """How well one reading of table 四's printed row agrees with its group totals."""
    return _sum_score(_RL_SUMS, {"": row})
