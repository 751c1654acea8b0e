"""Rules on the text: figures against the tables, the title, the year, the content of 一、五、六."""

from __future__ import annotations

import re
from collections.abc import Iterator

from auditlib.findings import Severity
from auditlib.model import Report
from auditlib.narrative import Claim, claims
from auditlib.report_years import dominant_year, stated_years
from auditlib.rules.registry import RULES, Violation, listing, part, rule, violation
from auditlib.template import (
    APPLICANT_COLUMNS,
    APPLICANT_GROUP,
    LITIGATION_SUBHEADS,
    OVERVIEW_ASPECTS,
    RESIDUE_MARKERS,
    SECTIONS,
    row_label,
)
from auditlib.text import compact, compact_lines, normalize

R1_TOTAL = "applications.1.total"
R2_TOTAL = "applications.2.total"
R37_TOTAL = "applications.3.7.total"
R4_TOTAL = "applications.4.total"
REVIEW_TOTAL = "review_litigation.review.total"
SUIT_TOTALS = ("review_litigation.litigation_direct.total", "review_litigation.litigation_after_review.total")
LEGAL_COLUMNS = ("commercial", "research", "social_welfare", "legal_service", "other")
_COLUMN_LABELS = {c.key: c.label for c in APPLICANT_COLUMNS}
MISMATCH = "TEXT-TABLE-MISMATCH"


def _sum(report: Report, paths: tuple[str, ...]) -> int | float | None:
    values = [report.value(p) for p in paths]
    return None if any(v is None for v in values) else sum(v for v in values if v is not None)


def _quote(c: Claim) -> str:
    """The sentence as printed; a long one is cut around the figure."""
    sentence = c.sentence.strip()
    if len(sentence) <= 120:
        return sentence
    text = compact(sentence)
    at = text.find(c.span) if c.span else -1
    if at < 0:
        return sentence[:118] + "…"
    start, end = max(0, at - 40), min(len(text), at + len(c.span) + 40)
    return ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")


def _applicant_paths(column: str, row: str) -> tuple[str, ...]:
    columns = LEGAL_COLUMNS if column == "legal" else (column,)
    return tuple(f"applications.{row}.{c}" for c in columns)


def _column_name(column: str) -> str:
    return part(MISMATCH, "column.legal", group=APPLICANT_GROUP) if column == "legal" else _COLUMN_LABELS[column]


def _expected(report: Report, c: Claim) -> tuple[tuple[str, ...], set[int | float], str, str] | None:
    """(cells, the values the table allows, what they are called, the table's figure) or None if unknown."""
    if c.kind in ("received", "received_with_carry", "none_received"):
        new = report.value(R1_TOTAL)
        if new is None:
            return None
        allowed: set[int | float] = {new}
        table, shown = "table.new", str(new)
        if c.kind == "received_with_carry":
            carried, handled = _sum(report, (R1_TOTAL, R2_TOTAL)), report.value(R37_TOTAL)
            if carried is not None:
                allowed.add(carried)
                table, shown = "table.new+carried", part(MISMATCH, "actual.carried", new=new, carried=carried)
            if c.handled and handled is not None:
                allowed.add(handled)
                table, shown = table + "|handled", part(MISMATCH, "actual.handled", shown=shown, handled=handled)
        cells = (R1_TOTAL, R2_TOTAL) if c.kind == "received_with_carry" else (R1_TOTAL,)
        return cells, allowed, part(MISMATCH, table), shown
    if c.kind == "applicant":
        # the split may be of the new applications, of new + carried, or of those handled
        rows = {"1": (_applicant_paths(c.column, "1"),),
                "1+2": (_applicant_paths(c.column, "1"), _applicant_paths(c.column, "2")),
                "3.7": (_applicant_paths(c.column, "3.7"),)}
        values = {k: _sum(report, tuple(p for group in v for p in group)) for k, v in rows.items()}
        if values["1"] is None:
            return None
        allowed = {v for v in values.values() if v is not None}
        return (_applicant_paths(c.column, "1"), allowed, part(MISMATCH, "table.applicant", column=_column_name(c.column)),
                str(values["1"]))
    single = {"carried_in": R2_TOTAL, "carried_out": R4_TOTAL, "all_done": R4_TOTAL, "review": REVIEW_TOTAL,
              "no_review": REVIEW_TOTAL}
    if c.kind in single:
        value = report.value(single[c.kind])
        return None if value is None else ((single[c.kind],), {value}, part(MISMATCH, "table." + c.kind), str(value))
    if c.kind in ("litigation", "no_litigation"):
        value = _sum(report, SUIT_TOTALS)
        return None if value is None else (SUIT_TOTALS, {value}, part(MISMATCH, "table.litigation"), str(value))
    return None


def _stated(c: Claim) -> str:
    if c.kind == "applicant":
        return part(MISMATCH, "stated.applicant", column=_column_name(c.column), value=c.value)
    key = "stated." + c.kind
    return part(MISMATCH, key if key in RULES[MISMATCH].parts else "stated.count", value=c.value)


# The table's rows a message names, in the template's words.
_NEW, _CARRIED_IN, _CARRIED_OUT = (row_label(f"applications.{key}") for key in ("1", "2", "4"))
_AFTER_REVIEW = LITIGATION_SUBHEADS["litigation_after_review"]


@rule(MISMATCH, Severity.ERROR, "正文称“{quote}”（{stated}），与表格不符：{table_name}为 {actual}",
      name="文表不符", parts={
          "stated.count": "{value} 件",
          "stated.applicant": "{column} {value} 件",
          "stated.none_received": "未收到申请",
          "stated.all_done": "全部办结、无结转",
          "stated.no_review": "未发生行政复议",
          "stated.no_litigation": "未发生行政诉讼",
          "column.legal": "{group}（五栏合计）",
          "table.new": f"{_NEW}申请总计",
          "table.new+carried": f"{_NEW}申请总计（加{_CARRIED_IN}）",
          "table.new|handled": f"{_NEW}申请总计或办理结果总计",
          "table.new+carried|handled": f"{_NEW}申请总计（加{_CARRIED_IN}）或办理结果总计",
          "table.applicant": f"{_NEW}申请·{{column}}",
          "table.carried_in": f"{_CARRIED_IN}申请总计",
          "table.carried_out": f"{_CARRIED_OUT}总计",
          "table.all_done": f"{_CARRIED_OUT}总计",
          "table.review": "行政复议总计",
          "table.no_review": "行政复议总计",
          "table.litigation": f"行政诉讼总计（直接起诉＋{_AFTER_REVIEW}）",
          "actual.carried": "{new}（{carried}）",
          "actual.handled": "{shown}，办理结果总计 {handled}",
      })
def text_agrees_with_tables(report: Report) -> Iterator[Violation]:
    """正文中明确写出的申请数（新收，或受理、办理时含上年结转）、自然人与法人申请数、上年结转和结转下年度数、
    复议数、诉讼数，以及“均已办结”“未收到申请”“未发生行政复议、行政诉讼”等说法，应与统计表一致。

    带“余、多、近、约”的约数不按相等核对；“其中”分项和括号内的分项不与总数比较；主语不是本机关的数字不核对。
    """
    seen: set[tuple[str, str, int | None]] = set()
    for c in claims(report):
        if c.approximate or (c.kind, c.column, c.value) in seen:
            continue
        seen.add((c.kind, c.column, c.value))
        expected = _expected(report, c)
        if expected is None:
            continue
        cells, allowed, name, shown = expected
        if c.value in allowed:
            continue
        yield violation(cells, lines=(_sentence_line(report, c.sentence),), quote=_quote(c), stated=_stated(c),
                        table_name=name, actual=shown)


def _sentence_line(report: Report, sentence: str) -> int | None:
    """The line a sentence was read from (the first that prints it), so the page can show it in context."""
    text = sentence.strip()[:40]
    if not text:
        return None
    return next((ln.number for ln in report.lines if text in ln.text), None)


_FEE = re.compile(r"处理费|收费|费用|免费|缴费|计费|收取.{0,8}费")


@rule("FEE-NOT-REPORTED", Severity.WARNING, "第六部分「其他需要报告的事项」没有说明收取（或未收取）信息处理费的情况",
      name="未报告处理费")
def fee_reported_in_section_six(report: Report) -> Iterator[Violation]:
    """模板要求在第六部分报告收取信息处理费的情况（《政府信息公开信息处理费管理办法》）。"""
    section = report.sections["6"]
    if section.present and not _FEE.search(normalize(section.text)):
        yield violation(("section.6",))


@rule("YEAR-MISMATCH", Severity.WARNING,
      "标题年份（{title_year}年）与正文所述年份（{body_year}年）不一致：正文{where}述及{body_year}年工作 {count} 处，"
      "述及{title_year}年 {title_count} 处",
      name="年份不一致", parts={"opening": "开头", "sections": "第{numbers}部分",
                                    "opening+sections": "开头及第{numbers}部分"})
def title_year_matches_text(report: Report) -> Iterator[Violation]:
    """标题中的年份应与正文报告的年度一致。

    只数开头和第一至五部分中陈述本年工作的年份；工作计划（下一步、明年、20XX年将）、与往年的比较
    （较2022年、同比）、日期、年份区间、书名号和引号内的标题、文号、法规的修订年份都不计。某一年份
    至少出现 3 次且占所计年份的四分之三以上，才认为正文所述年份明确。
    """
    if report.title_year is None:
        return
    dominant = dominant_year(stated_years(report, lines=False))
    if dominant is None or dominant[0] == report.title_year:
        return
    mentions = stated_years(report)  # the same mentions, now with their lines, for the finding
    year, count = dominant
    of_year = [m for m in mentions if m.year == year]
    sections = sorted({m.section for m in of_year if m.section})
    numerals = {s.key: s.numeral for s in SECTIONS}
    opening = any(not m.section for m in of_year)
    where = part("YEAR-MISMATCH", ("opening+" if opening else "") + "sections" if sections else "opening",
                 numbers=listing([numerals[k] for k in sections]))
    title_count = sum(1 for m in mentions if m.year == report.title_year)
    lines = (report.title_line, *dict.fromkeys(m.line for m in of_year))
    yield violation(tuple(f"section.{k}" for k in sections), lines=lines, title_year=report.title_year,
                    body_year=year, count=count, title_count=title_count, where=where)


_STARTS_WITH_YEAR = re.compile(r"(?:19|20)\d{2}")
_TITLE_FORM = re.compile(r"^.{2,}?(?:19|20)\d{2}年度?政府信息公开工作年度报告$")


@rule("TITLE-FORM", Severity.WARNING, name="标题不规范", messages={
    "": "标题“{title}”不符合“机关名称＋年份＋政府信息公开工作年度报告”的规范写法",
    "none": "标题“（未找到标题）”不符合“机关名称＋年份＋政府信息公开工作年度报告”的规范写法",
})
def title_in_standard_form(report: Report) -> Iterator[Violation]:
    """标题应写作“××（机关）××××年政府信息公开工作年度报告”。"""
    title = report.title
    if not title:
        yield violation((), variant="none")
        return
    # A title that starts with the year names its agency on the line above (`佐龙镇人民政府` / `2024年度…`).
    starts_with_year = _STARTS_WITH_YEAR.match(title)
    full = report.agency + title if report.agency and report.agency not in title and starts_with_year else title
    if not _TITLE_FORM.match(compact(full)):
        yield violation((), lines=(report.title_line,), title=title)


@rule("OVERVIEW-ASPECTS", Severity.WARNING,
      "「总体情况」未涉及：{missing}（应包括主动公开、依申请公开、政府信息管理、平台建设、监督保障五个方面）",
      name="总体情况不全")
def overview_covers_five_aspects(report: Report) -> Iterator[Violation]:
    """总体情况应包括主动公开、依申请公开、政府信息管理、政府信息公开平台建设、监督保障（2021年格式说明）。"""
    if not report.sections["1"].present:
        return
    printed = report.section_text("1")
    # Compacting takes nothing out of a word it already prints whole (only a [bookmark:…] tag, taken out, may
    # hold one): when every aspect is printed, none is missing and the text need not be compacted.
    if "[bookmark:" not in printed and all(any(w in printed for w in words) for _, words in OVERVIEW_ASPECTS):
        return
    text = compact_lines(printed.split("\n"))  # its paragraphs' normalisation is remembered (YEAR-MISMATCH did some)
    missing = [name for name, words in OVERVIEW_ASPECTS if not any(w in text for w in words)]
    if missing:
        yield violation(("section.1",), missing=listing(missing))


# The look-ahead names the characters a match starts with, so the search skips to them (the same matches).
_RECTIFY = re.compile(r"(?=[上去前12整针])(?:(上一?年度?|去年|前一年|(?:19|20)\d{2}\s*年度?)[^。]{0,30}(问题|整改|不足)"
                      r"|整改(情况|落实)|针对[^。]{0,20}问题)")


@rule("SEC5-NO-RECTIFY", Severity.INFO, "第五部分未说明上一年度存在问题的整改情况", name="未说明整改")
def section_five_reports_rectification(report: Report) -> Iterator[Violation]:
    """第五部分应说明上年度问题的整改情况，而不只是列出本年问题。"""
    section = report.sections["5"]
    if section.present and not _RECTIFY.search(normalize(section.text)):
        yield violation(("section.5",))


@rule("SEC5-THIN", Severity.INFO, "第五部分只有 {length} 字，问题和改进措施可能过于笼统", name="第五部分过短")
def section_five_is_specific(report: Report) -> Iterator[Violation]:
    """存在的主要问题及改进情况应具体（逐条提出改进措施），篇幅过短往往是套话。"""
    section = report.sections["5"]
    length = len(compact(section.text))
    if section.present and length < 150:
        yield violation(("section.5",), length=length)


@rule("TEMPLATE-RESIDUE", Severity.WARNING, "报告中留有模板的说明文字：“{marker}”", name="模板文字残留")
def no_template_residue(report: Report) -> Iterator[Violation]:
    """报告不应保留模板中的编写说明、“（文字描述）”等提示文字。"""
    text = "\n".join([line.text for line in report.lines])
    for marker in RESIDUE_MARKERS:
        if marker in text:
            yield violation((), marker=marker)
            return
