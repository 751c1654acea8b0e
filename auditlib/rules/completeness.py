"""Rules about what the report contains: sections, cells, values, the template version."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping
from functools import lru_cache
from types import MappingProxyType
from typing import NamedTuple

from auditlib.findings import Severity
from auditlib.model import CellStatus, Report
from auditlib.parse.glued import MAX_CANDIDATES
from auditlib.rules.registry import Violation, listing, part, per_report, rule, violation
from auditlib.template import (
    ROW_OTHER_SINGLE,
    SECTIONS,
    TABLE_KEYS,
    TABLE_TITLES,
    cell_label,
    column_of,
    identities,
    row_label,
)


class _Grouped(NamedTuple):
    tables: Mapping[str, tuple[str, ...]]  # table key → its cells' paths, in the report's order
    statuses: dict[CellStatus, list[str]]  # status (not OK) → the paths of its cells, in the report's order
    rows: dict[CellStatus, dict[str, list[str]]]  # status (not OK) → table.row → its cells in it, in order


@lru_cache(maxsize=32)
def _tables_of(paths: tuple[str, ...]) -> Mapping[str, tuple[str, ...]]:
    """table key → the paths of its cells, in order. Reports of one layout list the same cells in the same
    order, so this is worked out once per layout."""
    tables: dict[str, list[str]] = defaultdict(list)
    for path in paths:
        tables[path.partition(".")[0]].append(path)
    return MappingProxyType({key: tuple(in_table) for key, in_table in tables.items()})


@per_report
def _grouped(report: Report) -> _Grouped:
    """The report's cells by table (worked out once per layout) and, for each status but OK, by row: one pass
    over the cells, shared by the rules below."""
    ok = CellStatus.OK
    statuses: dict[CellStatus, list[str]] = defaultdict(list)
    for path, cell in report.cells.items():
        if cell.status is not ok:  # no rule lists the cells that are fine
            statuses[cell.status].append(path)
    rows: dict[CellStatus, dict[str, list[str]]] = {}
    for status, paths in statuses.items():
        by_row = rows[status] = defaultdict(list)
        for path in paths:
            by_row[path.rsplit(".", 1)[0]].append(path)
    return _Grouped(_tables_of(tuple(report.cells)), dict(statuses),
                    {status: dict(by_row) for status, by_row in rows.items()})


def _rows_with(report: Report, status: CellStatus) -> dict[str, list[str]]:
    """table.row → the paths of its cells in `status`, in template order (a copy: callers may drop rows)."""
    return dict(_grouped(report).rows.get(status, {}))


def _by_table(report: Report) -> Mapping[str, tuple[str, ...]]:
    """table key → the paths of its cells, in the report's order."""
    return _grouped(report).tables


def _columns(paths: list[str]) -> str:
    return listing(cell_label(p).rsplit("·", 1)[-1] for p in paths)


@rule("CELL-MISSING", Severity.ERROR, name="单元格缺失", messages={
    "table": "未找到「{table}」（{count} 个单元格全部缺失）",
    "row": "「{row}」行缺少：{columns}",
    "unplaced": "「{row}」行印出的数字个数与模板列数不符，无法确定各数对应哪一列（原文：{source}）",
})
def every_template_cell_is_printed(report: Report) -> Iterator[Violation]:
    """统计表的每个单元格都应填报；找不到的单元格按缺失处理（不是0）。"""
    missing = _rows_with(report, CellStatus.MISSING)
    by_table = _by_table(report)
    absent = _grouped(report).statuses.get(CellStatus.MISSING, [])  # in the report's order, as each table's paths
    for table in TABLE_KEYS if absent else ():  # a table is not found only when all of its cells are missing
        paths = by_table.get(table, ())
        gone = [p for p in absent if p.partition(".")[0] == table]
        if paths and len(gone) == len(paths):
            yield violation(gone, variant="table", table=TABLE_TITLES[table], count=len(gone))
            for row_path in [r for r in missing if r.startswith(table + ".")]:
                del missing[row_path]
    for row_path, in_row in missing.items():
        yield violation(in_row, variant="row", row=row_label(row_path), columns=_columns(in_row))
    for row_path, in_row in _rows_with(report, CellStatus.UNPLACED).items():
        cell = report.cells[in_row[0]]
        yield violation(in_row, variant="unplaced", row=row_label(row_path), source=cell.source.strip()[:80])


_SHOWN_READINGS = 4


@rule("GLUED-AMBIGUOUS", Severity.INFO, name="数字粘连", messages={
    "sum": "「{row}」行数字粘连（原文：{source}），有 {count} 种拆分均符合表内合计：{readings}，未予采用，按未知处理",
    "no_sum": "「{row}」行数字粘连（原文：{source}），本行没有合计关系可供核对，{count} 种拆分无从取舍：{readings}，"
              "未予采用，按未知处理",
}, parts={"many": "{limit} 种以上", "rl_row": "行政复议、行政诉讼", "between": "；", "more": "……"})
def glued_digits_have_one_reading(report: Report) -> Iterator[Violation]:
    """数字连写、没有分隔（网页抓取或格式转换常见）时，只有表内合计关系唯一确定的拆分才采用；
    有多种拆分都说得通的行，各单元格按未知处理，列出各种读法供人工核对（不作缺失论）。"""
    groups = _rows_with(report, CellStatus.AMBIGUOUS)
    rl = [p for key, paths in groups.items() if key.startswith("review_litigation.") for p in paths]
    groups = {k: v for k, v in groups.items() if not k.startswith("review_litigation.")}
    if rl:
        groups["review_litigation"] = rl  # table 四 is one printed row of fifteen numbers
    sums = identities(report.template if report.template != "unknown" else "2021", report.other_single_row)
    for key, paths in groups.items():
        cell = report.cells[paths[0]]
        found = cell.readings
        count = part("GLUED-AMBIGUOUS", "many", limit=MAX_CANDIDATES) if len(found) > MAX_CANDIDATES else len(found)
        shown = part("GLUED-AMBIGUOUS", "between").join(found[:_SHOWN_READINGS])
        if len(found) > _SHOWN_READINGS:
            shown += part("GLUED-AMBIGUOUS", "more")
        within = set(paths)
        checked = any(set(eq.cells) <= within for eq in sums)
        name = part("GLUED-AMBIGUOUS", "rl_row") if key == "review_litigation" else row_label(key)
        yield violation(paths, variant="sum" if checked else "no_sum", row=name, source=cell.source.strip()[:80],
                        count=count, readings=shown)


@rule("CELL-BLANK", Severity.WARNING, name="单元格空白", messages={
    "printed": "「{row}」行的{columns}印为{printed}，涉及这些单元格的合计未核验",
    "blank": "「{row}」行的{columns}为空白，涉及这些单元格的合计未核验",
}, parts={"printed": "“{raw}”"})
def cells_are_filled(report: Report) -> Iterator[Violation]:
    """空白或“/”“—”“无”不等于0：报告没有给出数字，相关合计不作判断。"""
    unfilled = _unfilled_tables(report)
    for row_path, paths in _rows_with(report, CellStatus.BLANK).items():
        if row_path.split(".", 1)[0] in unfilled:
            continue  # the whole table: TABLE-ALL-BLANK says it once
        raws = sorted({report.cells[p].raw or "" for p in paths} - {""})
        printed = listing(part("CELL-BLANK", "printed", raw=r) for r in raws)
        yield violation(paths, variant="printed" if raws else "blank", row=row_label(row_path),
                        columns=_columns(paths), printed=printed)


@rule("VALUE-INVALID", Severity.ERROR, name="数值无效", messages={
    "count": "「{cell}」填报的“{raw}”不是有效的件数（应为非负整数）",
    "amount": "「{cell}」填报的“{raw}”不是有效的金额（应为非负数）",
})
def values_are_valid(report: Report) -> Iterator[Violation]:
    """件数是非负整数；收费金额是非负数（万元）；文字不能代替数字。"""
    for path in _grouped(report).statuses.get(CellStatus.INVALID, []):
        column = column_of(path)
        yield violation((path,), variant="amount" if column and column.decimal else "count",
                        cell=cell_label(path), raw=report.cells[path].raw)


@rule("SECTION-MISSING", Severity.ERROR, "缺少第{numeral}部分「{numeral}、{title}」", name="缺少部分")
def six_sections_present(report: Report) -> Iterator[Violation]:
    """年度报告应包括模板规定的六个部分，按一至六的顺序。"""
    for spec in SECTIONS:
        if not report.sections[spec.key].present:
            yield violation((f"section.{spec.key}",), numeral=spec.numeral, title=spec.title)


@rule("TEMPLATE-OUTDATED", Severity.ERROR, name="格式过时", messages={
    "unknown": "无法识别报告采用的统计表格式：既不是2021年格式，也不是2019年试行格式",
    "2019": "{year}年度报告仍使用2019年试行格式（国办公开办函〔2019〕60号），应使用国办公开办函〔2021〕30号格式",
    "other_single_row": f"申请情况表的「{ROW_OTHER_SINGLE.label}」仍按2019年试行格式印为一行，"
                        "未按2021年格式分列“逾期不补正”“逾期未缴费”“其他”三项",
})
def current_template_used(report: Report) -> Iterator[Violation]:
    """2021年及以后的年度报告应使用国办公开办函〔2021〕30号格式，不能沿用2019年试行格式或更早的格式。"""
    if report.template == "unknown":
        yield violation((), variant="unknown")
    elif report.year is not None and report.year >= 2021:
        if report.template == "2019":
            yield violation((), variant="2019", year=report.year)
        elif report.other_single_row:
            paths = [p for p in report.cells if p.startswith("applications.3.6.")]
            yield violation(paths, variant="other_single_row")


_NO_NUMBER = {CellStatus.BLANK, CellStatus.MISSING}


@per_report
def _unfilled_tables(report: Report) -> dict[str, list[str]]:
    """table key → its blank cells, for each table printed without a single number (blank cells,
    perhaps some rows not found), in the order findings are listed in."""
    if CellStatus.BLANK not in _grouped(report).statuses:
        return {}  # no blank cell: no table printed blank
    by_table = _by_table(report)
    out = {}
    for key in ("applications", "review_litigation", "active_disclosure"):
        statuses = [report.cells[p].status for p in by_table.get(key, ())]
        if CellStatus.BLANK in statuses and set(statuses) <= _NO_NUMBER:
            out[key] = [p for p in by_table[key] if report.cells[p].status is CellStatus.BLANK]
    return out


@rule("TABLE-ALL-BLANK", Severity.WARNING, "「{table}」整张表未填写（{count} 个单元格全部空白），表内合计均未核验",
      name="整表未填")
def tables_are_filled_in(report: Report) -> Iterator[Violation]:
    """统计表印出了表格却一个数字也没有填：空白不等于0，这张表等于没有报告（照搬空白模板时常见）。"""
    for key, paths in _unfilled_tables(report).items():
        yield violation(paths, table=TABLE_TITLES[key], count=len(paths))


@rule("TABLE-ALL-ZERO", Severity.INFO, "「{table}」全部为0，请核实是否如实填报", name="全表为零")
def tables_not_all_zero(report: Report) -> Iterator[Violation]:
    """一张表的所有单元格都是0，可能是照抄空表或未如实统计，值得一看。"""
    by_table = _by_table(report)
    for key in ("applications", "review_litigation", "active_disclosure"):  # the order findings are listed in
        paths = by_table.get(key, ())
        if paths and all(report.value(p) == 0 for p in paths):
            yield violation(paths, table=TABLE_TITLES[key])
