"""Rules about what the report contains: sections, cells, values, the template version."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from auditlib.findings import Severity
from auditlib.model import CellStatus, Report
from auditlib.rules.registry import Violation, rule, violation
from auditlib.template import SECTIONS, TABLE_KEYS, TABLE_TITLES, cell_label, column_of, row_label


def _rows_with(report: Report, statuses: set[CellStatus]) -> dict[str, list[str]]:
    """table.row → the paths of its cells in one of `statuses`, in template order."""
    rows: dict[str, list[str]] = defaultdict(list)
    for path, cell in report.cells.items():
        if cell.status in statuses:
            rows[path.rsplit(".", 1)[0]].append(path)
    return rows


def _columns(paths: list[str]) -> str:
    return "、".join(cell_label(p).rsplit("·", 1)[-1] for p in paths)


@rule("CELL-MISSING", Severity.ERROR, "{what}")
def every_template_cell_is_printed(report: Report) -> Iterator[Violation]:
    """统计表的每个单元格都应填报；找不到的单元格按缺失处理（不是0）。"""
    missing = _rows_with(report, {CellStatus.MISSING})
    for table in TABLE_KEYS:
        paths = [p for p in report.cells if p.startswith(table + ".")]
        gone = [p for p in paths if report.cells[p].status is CellStatus.MISSING]
        if paths and len(gone) == len(paths):
            yield violation(gone, what=f"未找到「{TABLE_TITLES[table]}」（{len(gone)} 个单元格全部缺失）")
            for row_path in [r for r in missing if r.startswith(table + ".")]:
                del missing[row_path]
    for row_path, paths in missing.items():
        yield violation(paths, what=f"「{row_label(row_path)}」行缺少：{_columns(paths)}")
    for row_path, paths in _rows_with(report, {CellStatus.UNPLACED}).items():
        cell = report.cells[paths[0]]
        yield violation(paths, what=f"「{row_label(row_path)}」行印出的数字个数与模板列数不符，无法确定各数对应哪一列"
                                    f"（原文：{cell.source.strip()[:80]}）")


@rule("CELL-BLANK", Severity.WARNING, "「{row}」行的{columns}{printed}，涉及这些单元格的合计未核验")
def cells_are_filled(report: Report) -> Iterator[Violation]:
    """空白或“/”“—”“无”不等于0：报告没有给出数字，相关合计不作判断。"""
    for row_path, paths in _rows_with(report, {CellStatus.BLANK}).items():
        raws = sorted({report.cells[p].raw or "" for p in paths} - {""})
        printed = "印为" + "、".join(f"“{r}”" for r in raws) if raws else "为空白"
        yield violation(paths, row=row_label(row_path), columns=_columns(paths), printed=printed)


@rule("VALUE-INVALID", Severity.ERROR, "「{cell}」填报的“{raw}”不是有效的{kind}")
def values_are_valid(report: Report) -> Iterator[Violation]:
    """件数是非负整数；收费金额是非负数（万元）；文字不能代替数字。"""
    for path, cell in report.cells.items():
        if cell.status is CellStatus.INVALID:
            column = column_of(path)
            yield violation((path,), cell=cell_label(path), raw=cell.raw,
                            kind="金额（应为非负数）" if column and column.decimal else "件数（应为非负整数）")


@rule("SECTION-MISSING", Severity.ERROR, "缺少第{numeral}部分「{title}」")
def six_sections_present(report: Report) -> Iterator[Violation]:
    """年度报告应包括模板规定的六个部分，按一至六的顺序。"""
    for spec in SECTIONS:
        if not report.sections[spec.key].present:
            yield violation((f"section.{spec.key}",), numeral=spec.numeral, title=f"{spec.numeral}、{spec.title}")


@rule("TEMPLATE-OUTDATED", Severity.ERROR, "{what}")
def current_template_used(report: Report) -> Iterator[Violation]:
    """2021年及以后的年度报告应使用国办公开办函〔2021〕30号格式，不能沿用2019年试行格式或更早的格式。"""
    if report.template == "unknown":
        yield violation((), what="无法识别报告采用的统计表格式：既不是2021年格式，也不是2019年试行格式")
    elif report.year is not None and report.year >= 2021:
        if report.template == "2019":
            yield violation((), what=f"{report.year}年度报告仍使用2019年试行格式（国办公开办函〔2019〕60号），"
                                      "应使用国办公开办函〔2021〕30号格式")
        elif report.other_single_row:
            paths = [p for p in report.cells if p.startswith("applications.3.6.")]
            yield violation(paths, what="申请情况表的「（六）其他处理」仍按2019年试行格式印为一行，"
                                        "未按2021年格式分列“逾期不补正”“逾期未缴费”“其他”三项")


@rule("TABLE-ALL-ZERO", Severity.INFO, "「{table}」全部为0，请核实是否如实填报")
def tables_not_all_zero(report: Report) -> Iterator[Violation]:
    """一张表的所有单元格都是0，可能是照抄空表或未如实统计，值得一看。"""
    for key in ("applications", "review_litigation", "active_disclosure"):
        paths = [p for p in report.cells if p.startswith(key + ".")]
        if paths and all(report.value(p) == 0 for p in paths):
            yield violation(paths, table=TABLE_TITLES[key])
