"""Rules inside the tables: the template's sums (勾稽关系) and plausibility of the numbers."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from auditlib.findings import Severity
from auditlib.model import Report
from auditlib.rules.registry import Violation, rule, violation
from auditlib.template import APPLICANT_COLUMNS, REVIEW_LITIGATION, TOTAL, cell_label, table_spec


@dataclass(frozen=True)
class Equation:
    """sum(parts) == sum(totals), for one row, column or group of a table."""

    rule: str
    parts: tuple[str, ...]
    totals: tuple[str, ...]
    where: str  # the row, column or group in the template's words

    def unknown(self, report: Report) -> list[str]:
        return [p for p in (*self.parts, *self.totals) if report.value(p) is None]

    def sides(self, report: Report) -> tuple[int | float, int | float]:
        left = sum(report.value(p) or 0 for p in self.parts)
        right = sum(report.value(p) or 0 for p in self.totals)
        return left, right


def application_rows(template: str, other_single_row: bool) -> list[str]:
    """The applications table's rows, with （六） as one row where it was printed so."""
    keys = [r.key for r in table_spec(template, "applications").rows]
    if other_single_row and "3.6" not in keys:
        keys = [k for k in keys if not k.startswith("3.6.")] + ["3.6"]
    return keys


def equations(report: Report) -> tuple[Equation, ...]:
    """Every sum the template asks for, in the order an inspector reads the tables."""
    return _equations(report.template, report.other_single_row)


@lru_cache(maxsize=8)
def _equations(template: str, other_single_row: bool) -> tuple[Equation, ...]:
    eqs: list[Equation] = []
    app = "applications"
    spec = table_spec(template, app)
    rows = application_rows(template, other_single_row)
    disposal = [k for k in rows if k.startswith("3.") and k != "3.7"]
    for key in rows:
        row = spec.row(key) if key in {r.key for r in spec.rows} else table_spec("2019", app).row(key)
        eqs.append(Equation("APP-ROW-TOTAL", tuple(f"{app}.{key}.{c.key}" for c in APPLICANT_COLUMNS),
                            (f"{app}.{key}.total",), f"「{row.name}」行"))
    for col in (*APPLICANT_COLUMNS, TOTAL):
        eqs.append(Equation("APP-RESULT-TOTAL", tuple(f"{app}.{k}.{col.key}" for k in disposal),
                            (f"{app}.3.7.{col.key}",), f"「{col.label}」列"))
    for col in (*APPLICANT_COLUMNS, TOTAL):
        eqs.append(Equation("APP-BALANCE", (f"{app}.1.{col.key}", f"{app}.2.{col.key}"),
                            (f"{app}.3.7.{col.key}", f"{app}.4.{col.key}"), col.label))
    for row in REVIEW_LITIGATION.rows:
        base = f"review_litigation.{row.key}"
        eqs.append(Equation("RL-TOTAL", tuple(f"{base}.{c}" for c in ("upheld", "corrected", "other", "pending")),
                            (f"{base}.total",), row.name))
    return tuple(eqs)


def _sums_that_fail(report: Report, rule_id: str) -> Iterator[Violation]:
    """One violation per assessable equation of `rule_id` whose sides differ; the message templates
    read the sides as {parts}/{total} (a part-sum against its total) or {left}/{right} (APP-BALANCE)."""
    for eq in equations(report):
        if eq.rule == rule_id and not eq.unknown(report):
            left, right = eq.sides(report)
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
    names = {"APP-ROW-TOTAL": "行合计", "APP-RESULT-TOTAL": "办理结果合计", "APP-BALANCE": "收支平衡",
             "RL-TOTAL": "复议诉讼合计"}
    unknown = {eq: eq.unknown(report) for eq in equations(report)}
    pending = [eq for eq, cells in unknown.items() if cells]
    if pending:
        cells = sorted({p for eq in pending for p in unknown[eq]})
        wheres = "；".join(f"{names[eq.rule]}（{eq.where}）" for eq in pending[:12])
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
