"""Row labels stacked above their numbers (PDF-to-Markdown converters): a group's labels printed one
under another, then the group's rows of numbers without labels.

Folding by nearness would give the first row of numbers to the last label and leave the rest to
whatever label follows. When the stacked labels name consecutive template rows and as many rows of
numbers follow, they pair in order; when the counts differ (the converter lost a row), no pairing can
be told, so the stack's rows get no numbers (unknown) and the loose rows are dropped; so too when the
labels name rows apart in the template (kewei-2024 prints 5.属于三类内部事务信息 over 1.本机关不掌握…
over one row of numbers, which is the first label's). The sums may still place them (ordered.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from auditlib.model import SourceLine
from auditlib.parse.columns import readings
from auditlib.parse.rows import LogicalRow, group_above_numbers, row_matcher
from auditlib.parse.tokens import LineParts, analyse
from auditlib.template import TableSpec

__all__ = ["unstack_labels"]


def _number_rows(row: LogicalRow, parts_of: Callable[[int], LineParts], width: int) -> list[LogicalRow] | None:
    """The row's numbers as printed below its label, one row per line; None unless every line that
    holds numbers has no label and fits the row's width."""
    out: list[LogicalRow] = []
    for n in row.lines:
        parts = parts_of(n)
        if not parts.has_values:
            continue
        if parts.label or not readings(list(parts.values), width):
            return None
        out.append(LogicalRow("", list(parts.values), [n]))
    return out or None


def _consecutive(keys: list[str], order: dict[str, int]) -> bool:
    """Whether the rows follow one another in the template."""
    return [order[k] for k in keys] == list(range(order[keys[0]], order[keys[0]] + len(keys)))


def unstack_labels(logical: list[LogicalRow], lines: Sequence[SourceLine], spec: TableSpec,
                   notes: list[str], parts: Sequence[LineParts | None] | None = None) -> list[LogicalRow]:
    """The logical rows with stacked labels paired with the rows of numbers below them, in order.
    A row's `lines` are positions in `lines`; `parts`: each line's line_parts, when the caller has them."""

    def parts_of(n: int) -> LineParts:
        known = parts[n] if parts is not None else None
        return known if known is not None else analyse(lines[n].text)

    match = row_matcher(spec.rows)
    order = {r.key: i for i, r in enumerate(spec.rows)}
    out: list[LogicalRow] = []
    i = 0
    while i < len(logical):
        j = i
        while j < len(logical) and match(logical[j].label) is not None and not logical[j].tokens:
            j += 1
        if j == i:  # no label without numbers here: no stack (most rows)
            out.append(logical[i])
            i += 1
            continue
        stack = logical[i:j + 1]
        rows = [match(r.label) for r in stack]
        # the numbers below a group label are its first item's (pdfplumber: `（五）不予处理` / `0 0 0` /
        # `4.无正当理由大量反复` / `5.要求…` / `0 0 0`): the first label is not part of a stack
        numbers_above = i > 0 and group_above_numbers(logical[i - 1], spec)
        if j >= len(logical) or any(r is None for r in rows) or numbers_above:
            out.append(logical[i])
            i += 1
            continue
        keys = [r.key for r in rows if r is not None]
        width = len(spec.columns_of(spec.row(keys[0])))
        below = _number_rows(stack[-1], parts_of, width)
        if not _consecutive(keys, order) and any(_consecutive(keys[t:], order) for t in range(1, len(keys) - 1)):
            out.append(logical[i])  # a group label above its rows (（六）其他处理 names the 2019 single row)
            i += 1
            continue
        # a label wrapped over lines that each name its row (`2、申请人逾期未按收费通知要` / `求缴纳费用、
        # 行政机关不再处理`) is one label, not a stack
        if below is None or len(set(keys)) < len(keys) or any(len(spec.columns_of(spec.row(k))) != width for k in keys):
            out.append(logical[i])
            i += 1
            continue
        k = j + 1
        while (k < len(logical) and not logical[k].label and len(logical[k].lines) == 1
               and readings(logical[k].tokens, width)):
            below.append(logical[k])
            k += 1
        labels = [LogicalRow(r.label, [], [n for n in r.lines if not parts_of(n).has_values])
                  for r in stack]
        if len(below) == len(labels) and _consecutive(keys, order):
            out += [LogicalRow(lab.label, nums.tokens, lab.lines + nums.lines) for lab, nums in zip(labels, below,
                                                                                                  strict=True)]
        else:
            out += labels
            how = "行数不符" if len(below) != len(labels) else "所列各行在模板中不相连"
            notes.append(f"「{spec.title}」中 {len(labels)} 个行标签连排（{labels[0].label} 起），其下印有 "
                         f"{len(below)} 行不带标签的数字，{how}（转换所致），无法确定各行对应，这些行按未知处理")
        i = k
    return out
