"""The one-step constructors (frozen.assemble) give the very objects the dataclasses make: equal, same
hash and repr, the same fields in the same order, still frozen."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import FrozenInstanceError
from typing import Any

import pytest

from auditlib.findings import Finding, Severity, new_finding
from auditlib.frozen import assemble
from auditlib.model import Cell, CellStatus, new_cell
from auditlib.parse.tokens import EMPTY, Kind, LineParts, Token

CASES: list[tuple[type, Callable[..., Any], tuple[Any, ...]]] = [
    (Cell, new_cell, ("applications.1.total", 12, CellStatus.OK, "12", (3, 4), "一、本年新收\t12", "第1页第3行")),
    (Cell, new_cell, ("applications.1.total", None, CellStatus.AMBIGUOUS, None, (3,), "693", "", ("6、93", "69、3"))),
    (Cell, new_cell, ("active_disclosure.fees.amount", None, CellStatus.MISSING)),
    (Finding, new_finding, ("r.txt", "某局", "APP-BALANCE", Severity.ERROR, "不平衡", ("applications.1.total",), (3, 4),
                            2023)),
    (Finding, new_finding, ("r.txt", None, "SECTION-MISSING", Severity.WARNING, "缺少", (), (), None)),
    (Finding, new_finding, ("r.txt", "某局", "TITLE-FORM", Severity.INFO, "标题")),
    (LineParts, lambda *a: assemble(LineParts, label=a[0], values=a[1], has_values=a[2]),
     ("规章", (Token(Kind.VALUE, "3", 3), EMPTY), True)),
]


@pytest.mark.parametrize(("cls", "fast_new", "args"), CASES, ids=lambda v: getattr(v, "__name__", None))
def test_the_one_step_constructor_makes_the_same_object(cls: type, fast_new: Callable[..., Any],
                                                        args: tuple[Any, ...]) -> None:
    made, fast = cls(*args), fast_new(*args)
    assert type(fast) is cls
    assert fast == made and hash(fast) == hash(made) and repr(fast) == repr(made)
    assert list(vars(fast).items()) == list(vars(made).items())
    with pytest.raises(FrozenInstanceError):
        fast.label = ""
