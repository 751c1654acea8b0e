"""Rules inside the tables: the template's sums (勾稽关系) and plausibility of the numbers."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter
from types import MappingProxyType
from typing import NamedTuple

from auditlib.findings import Severity
from auditlib.model import Report
from auditlib.rules.registry import Violation, declare, listing, part, per_report, rule, violation
from auditlib.template import (
    ACTIVE_DISCLOSURE,
    APPLICANT_COLUMNS,
    APPLICANT_GROUP,
    APPLICATIONS,
    BALANCE,
    GROUP_TOTAL,
    IN_FORCE,
    ISSUED,
    OUTCOME_COLUMNS,
    RESULT_TOTAL,
    ROW_TOTAL,
    Identity,
    cell_label,
    identities,
)


@dataclass(frozen=True)
class SumRule:
    """One of the template's sums as a rule: it checks every identity of `kind` (template.identities)."""

    id: str
    severity: Severity
    name: str  # the rule's Chinese short name
    kind: str  # ROW_TOTAL, RESULT_TOTAL, BALANCE or GROUP_TOTAL
    message: str  # over {where} and the sides: {parts}/{total} (a part-sum against its total) or {left}/{right}
    doc: str
    label: str  # what one such sum is called when SUM-NOT-ASSESSED lists it


# The template's words, from template.py: rows by key (短名 where it has one), the applicant and outcome columns.
_ROW = {r.key: r.name for r in APPLICATIONS.rows}
_APPLICANTS = [c.label for c in APPLICANT_COLUMNS]
_OUTCOMES = [c.label for c in OUTCOME_COLUMNS[:-1]]
SUMS = (
    SumRule("APP-ROW-TOTAL", Severity.ERROR, "行合计不符", ROW_TOTAL,
            f"{{where}}：总计（{{total}}）不等于{_APPLICANTS[0]}、{APPLICANT_GROUP}各栏之和（{{parts}}）",
            f"申请情况表每一行：总计 = {' + '.join(_APPLICANTS)}。", "行合计"),
    SumRule("APP-RESULT-TOTAL", Severity.ERROR, "办理结果合计不符", RESULT_TOTAL,
            f"{{where}}：{_ROW['3.7']}（{{total}}）不等于各项办理结果（一）至（六）之和（{{parts}}）",
            f"申请情况表每一列：{_ROW['3.7']} = {_ROW['3.1']} + {_ROW['3.2']} + （三）…（六）各项之和。", "办理结果合计"),
    SumRule("APP-BALANCE", Severity.ERROR, "收支不平衡", BALANCE,
            "第一项加第二项之和（{left}）不等于第三项加第四项之和（{right}）：{where}",
            f"申请情况表每一列：{_ROW['1']} + {_ROW['2']} = 办理结果总计 + {_ROW['4']}（表头注明的勾稽关系）。", "收支平衡"),
    SumRule("RL-TOTAL", Severity.ERROR, "复议诉讼合计不符", GROUP_TOTAL,
            f"{{where}}：总计（{{total}}）不等于{'、'.join(_OUTCOMES)}之和（{{parts}}）",
            f"行政复议、行政诉讼每一组：总计 = {' + '.join(_OUTCOMES)}。", "复议诉讼合计"),
)
SUM_RULES = {s.kind: s.id for s in SUMS}  # identity kind → the rule that checks it
_SUM_LABELS = {s.kind: s.label for s in SUMS}


def equations(report: Report) -> tuple[Identity, ...]:
    """Every sum the template asks of this report, in the order an inspector reads the tables."""
    return identities(report.template, report.other_single_row)


Pick = Callable[[Sequence[int | float]], tuple[int | float, ...]]


def _picker(positions: tuple[int, ...]) -> Pick:
    """A function taking the numbers at `positions` out of a list, as a tuple, in one call (itemgetter
    gives a bare item for one position, hence the wrapper)."""
    if len(positions) == 1:
        at = positions[0]
        return lambda values: (values[at],)
    return itemgetter(*positions)


@dataclass(frozen=True)
class _Sum:
    """One identity of a template, its cells given as positions in `_Layout.paths`."""

    eq: Identity
    cells: tuple[str, ...]  # eq.cells, joined once
    positions: tuple[int, ...]  # of eq.cells


@dataclass(frozen=True)
class _Layout:
    """The sums of one template as positions in `paths`: each cell is looked up once per report."""

    paths: tuple[str, ...]  # every cell a sum names, each once
    sums: tuple[_Sum, ...]  # in the order of `identities`
    eqs: tuple[Identity, ...]  # the identities themselves, and for each the numbers of its two sides:
    parts: tuple[Pick, ...]
    totals: tuple[Pick, ...]
    of_kind: Mapping[str, tuple[int, ...]]  # identity kind → the positions in `sums` of its identities


@lru_cache(maxsize=8)
def _layout(template: str, other_single_row: bool) -> _Layout:
    index: dict[str, int] = {}
    sums: list[_Sum] = []
    parts: list[Pick] = []
    totals: list[Pick] = []
    of_kind: dict[str, list[int]] = defaultdict(list)
    for eq in identities(template, other_single_row):
        positions = tuple(index.setdefault(p, len(index)) for p in eq.cells)
        n = len(eq.parts)
        of_kind[eq.kind].append(len(sums))
        sums.append(_Sum(eq, eq.cells, positions))
        parts.append(_picker(positions[:n]))
        totals.append(_picker(positions[n:]))
    return _Layout(tuple(index), tuple(sums), tuple(s.eq for s in sums), tuple(parts), tuple(totals),
                   MappingProxyType({k: tuple(v) for k, v in of_kind.items()}))


class Assessment(NamedTuple):
    """One sum over one report: its two sides (a blank counted as 0) and the cells whose number is unknown."""

    eq: Identity
    left: int | float
    right: int | float
    unknown: tuple[str, ...]  # in the identity's order; not empty: the sum is not assessed


@per_report
def assessments(report: Report) -> tuple[Assessment, ...]:
    """Every sum of `equations(report)`, in that order, over the report's numbers (shared by the sum rules)."""
    layout = _layout(report.template, report.other_single_row)
    values = report.values(layout.paths)
    zeros = [v or 0 for v in values]  # a blank counts as 0 on its side (and leaves the sum unassessed)
    left = [sum(side(zeros)) for side in layout.parts]
    right = [sum(side(zeros)) for side in layout.totals]
    return tuple(map(Assessment, layout.eqs, left, right, _unknown(layout, values)))


def _unknown(layout: _Layout, values: Sequence[int | float | None]) -> list[tuple[str, ...]]:
    """For each sum, its cells whose number is unknown, in the identity's order."""
    if None not in values:
        return [()] * len(layout.sums)
    blank = {i for i, v in enumerate(values) if v is None}
    return [tuple(p for p, i in zip(s.cells, s.positions, strict=True) if i in blank)
            if not blank.isdisjoint(s.positions) else () for s in layout.sums]


def _sums_that_fail(kind: str) -> Callable[[Report], Iterator[Violation]]:
    """The body of the sum rule of `kind`: one violation per assessable identity whose sides differ."""

    def check(report: Report) -> Iterator[Violation]:
        layout = _layout(report.template, report.other_single_row)
        found = assessments(report)
        for i in layout.of_kind.get(kind, ()):
            a = found[i]
            if not a.unknown:
                left, right = a.left, a.right
                if left != right:
                    yield violation(layout.sums[i].cells, where=a.eq.where, left=left, right=right, parts=left,
                                    total=right)

    return check


for _sum in SUMS:
    declare(_sum.id, _sum.severity, _sum.message, name=_sum.name, func=_sums_that_fail(_sum.kind), doc=_sum.doc)


@rule("SUM-NOT-ASSESSED", Severity.INFO, name="合计未核验",
      messages={"": "以下 {count} 处勾稽关系涉及空白或缺失的单元格，未核验：{wheres}",
                "more": "以下 {count} 处勾稽关系涉及空白或缺失的单元格，未核验：{wheres}；等共 {count} 处"},
      parts={"sum": "{label}（{where}）"})
def unknown_cells_leave_sums_unassessed(report: Report) -> Iterator[Violation]:
    """涉及空白、缺失或无效单元格的合计不作判断（未知不是0），在此说明哪些未核验。"""
    pending = [a for a in assessments(report) if a.unknown]
    if pending:
        cells = sorted({p for a in pending for p in a.unknown})
        wheres = listing((part("SUM-NOT-ASSESSED", "sum", label=_SUM_LABELS[a.eq.kind], where=a.eq.where)
                          for a in pending[:12]), "clauses")
        yield violation(cells, variant="more" if len(pending) > 12 else "", count=len(pending), wheres=wheres)


@rule("AD-IN-FORCE", Severity.WARNING, f"「{{row}}」{IN_FORCE.label}（{{in_force}}）小于{ISSUED.label}（{{issued}}）",
      name="现行有效少于制发")
def in_force_covers_issued(report: Report) -> Iterator[Violation]:
    """规章、行政规范性文件：现行有效件数 ≥ 本年制发件数（本年制发的文件年末通常仍然有效）。"""
    if report.template == "2019":
        return
    for key in ("rules", "normative_documents"):
        issued = report.value(f"active_disclosure.{key}.issued")
        in_force = report.value(f"active_disclosure.{key}.in_force")
        if issued is not None and in_force is not None and in_force < issued:
            yield violation((f"active_disclosure.{key}.issued", f"active_disclosure.{key}.in_force"),
                            row=ACTIVE_DISCLOSURE.row(key).label, in_force=in_force, issued=issued)


_TOWNSHIP = re.compile(r"(镇|乡|街道|苏木)(人民政府|办事处)?$")


@rule("AD-RULES-LEVEL", Severity.WARNING, "乡镇、街道没有规章制定权，但「规章」填报了 {count} 件（{names}）",
      name="乡镇填报规章")
def townships_make_no_rules(report: Report) -> Iterator[Violation]:
    """规章只有省、设区的市人民政府和国务院部门可以制定（立法法）；乡镇、街道的规章栏应为0。"""
    if not report.agency or not _TOWNSHIP.search(report.agency) or report.template == "2019":
        return
    paths = [f"active_disclosure.rules.{c}" for c in ("issued", "in_force")]
    nonzero = [p for p in paths if (report.value(p) or 0) > 0]
    if nonzero:
        yield violation(nonzero, count=max(report.value(p) or 0 for p in nonzero),
                        names=listing(cell_label(p) for p in nonzero))
