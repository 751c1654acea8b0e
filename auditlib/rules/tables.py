"""Rules inside the tables: the template's sums (勾稽关系) and plausibility of the numbers."""

from __future__ import annotations

import re
from collections.abc import Iterator

from auditlib.findings import Severity
from auditlib.model import Report
from auditlib.rules.registry import Violation, rule, violation
from auditlib.template import BALANCE, GROUP_TOTAL, RESULT_TOTAL, ROW_TOTAL, Identity, cell_label, identities

# The rule that checks each kind of the template's sums.
SUM_RULES = {ROW_TOTAL: "APP-ROW-TOTAL", RESULT_TOTAL: "APP-RESULT-TOTAL", BALANCE: "APP-BALANCE", GROUP_TOTAL: "RL-TOTAL"}


def equations(report: Report) -> tuple[Identity, ...]:
    """Every sum the template asks of this report, in the order an inspector reads the tables."""
    return identities(report.template, report.other_single_row)


def _unknown(report: Report, eq: Identity) -> list[str]:
    return [p for p in eq.cells if report.value(p) is None]


def _sums_that_fail(report: Report, rule_id: str) -> Iterator[Violation]:
    """One violation per assessable equation of `rule_id` whose sides differ; the message templates
    read the sides as {parts}/{total} (a part-sum against its total) or {left}/{right} (APP-BALANCE)."""
    for eq in equations(report):
        if SUM_RULES[eq.kind] == rule_id and not _unknown(report, eq):
            left = sum(report.value(p) or 0 for p in eq.parts)
            right = sum(report.value(p) or 0 for p in eq.totals)
            if left != right:
                yield violation((*eq.parts, *eq.totals), where=eq.where, left=left, right=right, parts=left, total=right)


@rule("APP-ROW-TOTAL", Severity.ERROR, "{where}：总计（{total}）不等于自然人、法人或其他组织各栏之和（{parts}）")
def row_total_is_sum_of_applicants(report: Report) -> Iterator[Violation]:
    """申请情况表每一行：总计 = 自然人 + 商业企业 + 科研机构 + 社会公益组织 + 法律服务机构 + 其他。"""
    yield from _sums_that_fail(report, "APP-ROW-TOTAL")


@rule("APP-RESULT-TOTAL", Severity.ERROR, "{where}：（七）总计（{total}）不等于各项办理结果（一）至（六）之和（{parts}）")
def result_total_is_sum_of_disposals(report: Report) -> Iterator[Violation]:
    """申请情况表每一列：（七）总计 = （一）予以公开 + （二）部分公开 + （三）…（六）各项之和。"""
    yield from _sums_that_fail(report, "APP-RESULT-TOTAL")


@rule("APP-BALANCE", Severity.ERROR, "第一项加第二项之和（{left}）不等于第三项加第四项之和（{right}）：{where}")
def balance_holds(report: Report) -> Iterator[Violation]:
    """申请情况表每一列：本年新收 + 上年结转 = 办理结果总计 + 结转下年度继续办理（表头注明的勾稽关系）。"""
    yield from _sums_that_fail(report, "APP-BALANCE")


@rule("RL-TOTAL", Severity.ERROR, "{where}：总计（{total}）不等于结果维持、结果纠正、其他结果、尚未审结之和（{parts}）")
def review_total_is_sum_of_outcomes(report: Report) -> Iterator[Violation]:
    """行政复议、行政诉讼每一组：总计 = 结果维持 + 结果纠正 + 其他结果 + 尚未审结。"""
    yield from _sums_that_fail(report, "RL-TOTAL")


@rule("SUM-NOT-ASSESSED", Severity.INFO, "以下 {count} 处勾稽关系涉及空白或缺失的单元格，未核验：{wheres}")
def unknown_cells_leave_sums_unassessed(report: Report) -> Iterator[Violation]:
    """涉及空白、缺失或无效单元格的合计不作判断（未知不是0），在此说明哪些未核验。"""
    names = {ROW_TOTAL: "行合计", RESULT_TOTAL: "办理结果合计", BALANCE: "收支平衡", GROUP_TOTAL: "复议诉讼合计"}
    unknown = {eq: _unknown(report, eq) for eq in equations(report)}
    pending = [eq for eq, cells in unknown.items() if cells]
    if pending:
        cells = sorted({p for eq in pending for p in unknown[eq]})
        wheres = "；".join(f"{names[eq.kind]}（{eq.where}）" for eq in pending[:12])
        if len(pending) > 12:
            wheres += f"；等共 {len(pending)} 处"
        yield violation(cells, count=len(pending), wheres=wheres)


@rule("AD-IN-FORCE", Severity.WARNING, "「{row}」现行有效件数（{in_force}）小于本年制发件数（{issued}）")
def in_force_covers_issued(report: Report) -> Iterator[Violation]:
    """规章、行政规范性文件：现行有效件数 ≥ 本年制发件数（本年制发的文件年末通常仍然有效）。"""
    if report.template == "2019":
        return
    for key, name in (("rules", "规章"), ("normative_documents", "行政规范性文件")):
        issued = report.value(f"active_disclosure.{key}.issued")
        in_force = report.value(f"active_disclosure.{key}.in_force")
        if issued is not None and in_force is not None and in_force < issued:
            yield violation((f"active_disclosure.{key}.issued", f"active_disclosure.{key}.in_force"),
                            row=name, in_force=in_force, issued=issued)


_TOWNSHIP = re.compile(r"(镇|乡|街道|苏木)(人民政府|办事处)?$")


@rule("AD-RULES-LEVEL", Severity.WARNING, "乡镇、街道没有规章制定权，但「规章」填报了 {count} 件（{names}）")
def townships_make_no_rules(report: Report) -> Iterator[Violation]:
    """规章只有省、设区的市人民政府和国务院部门可以制定（立法法）；乡镇、街道的规章栏应为0。"""
    if not report.agency or not _TOWNSHIP.search(report.agency) or report.template == "2019":
        return
    paths = [f"active_disclosure.rules.{c}" for c in ("issued", "in_force")]
    nonzero = [p for p in paths if (report.value(p) or 0) > 0]
    if nonzero:
        yield violation(nonzero, count=max(report.value(p) or 0 for p in nonzero),
                        names="、".join(cell_label(p) for p in nonzero))
