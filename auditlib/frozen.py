"""Frozen dataclasses made in one step, for the objects the parser and the rules make by the thousand
(cells, line parts, findings): a frozen dataclass's own `__init__` sets each field with a call of
`object.__setattr__`."""

from __future__ import annotations

from typing import Any, TypeVar

__all__ = ["assemble"]

T = TypeVar("T")


def assemble(cls: type[T], **fields: Any) -> T:
    """`cls(**fields)` for a frozen dataclass without `__post_init__` or slots, every field given: the same
    object (equal, same hash and repr, still frozen; tests/test_frozen.py compares them)."""
    obj = object.__new__(cls)
    obj.__dict__.update(fields)
    return obj
