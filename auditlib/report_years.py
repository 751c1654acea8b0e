"""Which year a report's body says its work was done in: the years stated over the opening text and
sections 一–五, leaving out those that are not the year of the work (plans for the next year,
comparisons with earlier years, dates, ranges, quoted titles and document numbers, citations of laws,
the report's own title where it is repeated).

Used by YEAR-MISMATCH: a 2023 title over a body about 2024 work. Every mention keeps its line, so a
finding can show the sentences it rests on.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass
from itertools import accumulate

from auditlib.model import Report
from auditlib.text import compact

__all__ = ["MIN_MENTIONS", "MIN_SHARE", "YearMention", "dominant_year", "stated_years"]

# A body year is "clear" when it is stated at least this often and makes up at least this share of
# the years stated about the work; below either, the rule stays silent.
MIN_MENTIONS = 3
MIN_SHARE = 0.75

_CN_DIGITS = {c: str(i) for i, c in enumerate("〇一二三四五六七八九")} | {"零": "0", "○": "0"}
# The look-ahead names the characters a year starts with: the search skips to them instead of trying the
# look-behind at every position.
_YEAR = re.compile(r"(?=[12〇零○一二三四五六七八九])(?<![\d〔\[［(（\-–—~～])((?:19|20)\d{2}|[〇零○一二三四五六七八九]{4})年")
_YEAR_CHAR = re.compile("[年\uf98e]")  # 年, and the compatibility ideograph that NFKC (compact) turns into 年
_SENTENCE_MARKS = "。；;！!？?\n"
_SENTENCE_END = re.compile(f"[{_SENTENCE_MARKS}]")
# the sentence is about what comes next, not about the year's work
_PLAN_SENTENCE = re.compile(r"下一步|下一年|下年度|明年|来年|今后|新的一年|展望")
# right after the year: what will be done (2025年将…, 2025年工作计划), a date, a range, a citation
_PLAN_AFTER = re.compile(r"^度?[，,]?[^，,。；;]{0,8}?(?:计划|拟|力争|预计|打算|规划|将(?![^。；;]{0,12}(?:纳入|列入)))"
                         r"|^度?(?:工作)?(?:计划|打算|安排|要点|目标|远景)")
_DATE_AFTER = re.compile(r"^(?:\d{1,2}|[一二三四五六七八九十]{1,3})月")
_RANGE_AFTER = re.compile(r"^度?(?:[\-–—~～至到]|以来|至今)")
_CITED_AFTER = re.compile(r"^度?(?:第\d+号|修订|修正|颁布|印发|发布|施行|出台)")
# a report's title, its own (repeated in a breadcrumb, "现将…报告如下") or an earlier one cited
_TITLE_AFTER = re.compile(r"^度?[^，,。；;]{0,20}?(?:信息公开|政务公开)[^，,。；;]{0,10}?报告")
_COMPARE_AFTER = re.compile(r"^度?(?:同期|相比|比较|持平)")
_COMPARE_BEFORE = re.compile(r"(?:较|比|与|同|相较|对比|对照|针对|自|从|相比于)$")
_COMPARE_SENTENCE = re.compile(r"同比|环比")
_QUOTES = (("《", "》"), ("“", "”"), ("「", "」"), ("〔", "〕"), ("[", "]"), ("【", "】"))


@dataclass(frozen=True)
class YearMention:
    """A year stated about the work: where (line, section; "" for the opening text) and in which sentence."""

    year: int
    line: int | None
    section: str
    sentence: str


def _quoted(text: str, at: int) -> bool:
    """Whether position `at` lies inside a quoted title or document number in its sentence."""
    for left, right in _QUOTES:
        opened, closed = text.rfind(left, 0, at), text.rfind(right, 0, at)
        if opened > closed:
            return True
    return False


def _about_the_work(sentence: str, at: int, end: int) -> bool:
    """Whether the year written at sentence[at:end] (ending in 年) is the year of the work reported."""
    after, before = sentence[end:], sentence[max(0, at - 4):at]
    if _quoted(sentence, at) or _PLAN_SENTENCE.search(sentence) or _COMPARE_SENTENCE.search(sentence):
        return False
    if any(p.search(after) for p in (_PLAN_AFTER, _DATE_AFTER, _RANGE_AFTER, _CITED_AFTER, _TITLE_AFTER, _COMPARE_AFTER)):
        return False
    return not _COMPARE_BEFORE.search(before)


def _texts(report: Report) -> list[tuple[str, int, str]]:
    """(section key, heading line, compact text) of the opening text and sections 一–五, paragraphs kept
    apart by newlines; the title (and its repetitions: breadcrumb, crawl header) left out. A paragraph
    without 年 states no year and is left out before it is compacted (sentences end at a newline)."""
    title = compact(report.title)
    out = []
    for key, text in [("", report.preamble)] + [(k, report.section_text(k)) for k in "12345"]:
        paragraphs = [compact(p) for p in _paragraphs_with_year(text)]
        if title:
            paragraphs = [p.replace(title, "") for p in paragraphs if p not in title]
        line = report.sections[key].line if key else 0
        out.append((key, line or 0, "\n".join([p for p in paragraphs if p])))
    return out


def _paragraphs_with_year(text: str) -> list[str]:
    """The paragraphs (lines of `text`) that hold a 年, in order: each found from its first 年, not line by line."""
    if "\uf98e" in text:  # 年's compatibility twin (rare): both characters, line by line
        return [p for p in text.split("\n") if _YEAR_CHAR.search(p)]
    out = []
    at = text.find("年")
    while at >= 0:
        end = text.find("\n", at)
        if end < 0:
            end = len(text)
        out.append(text[text.rfind("\n", 0, at) + 1:end])
        at = text.find("年", end)  # from the paragraph's end: its other 年 need not be found
    return out


class _Lines:
    """The report's lines, compacted, laid end to end: finding the line that prints a snippet is one
    search over one string instead of a comparison per line."""

    def __init__(self, report: Report) -> None:
        texts = [compact(ln.text) for ln in report.lines]
        self.numbers = [ln.number for ln in report.lines]
        self.starts = list(accumulate((len(t) for t in texts), initial=0))  # line i is text[starts[i]:starts[i + 1]]
        self.text = "".join(texts)
        self.in_order = all(a <= b for a, b in zip(self.numbers, self.numbers[1:], strict=False))
        self.lines = list(zip(self.numbers, texts, strict=True))

    def line_of(self, text: str, at: int, start: int) -> int | None:
        """The first source line from `start` on that prints the text around position `at` (a paragraph may
        be broken over lines, so the snippet is tried shorter and across a line break)."""
        if not self.in_order:
            return _line_of(self.lines, text, at, start)
        first = bisect_left(self.numbers, start)
        if first == len(self.numbers):
            return None
        for size in (12, 7, 5):
            snippet = text[at:at + size]
            found = self.text.find(snippet, self.starts[first])
            while found >= 0:
                i = bisect_right(self.starts, found) - 1  # the line the snippet starts in
                if found + len(snippet) <= self.starts[min(i + 2, len(self.numbers))]:  # ends in it or the next
                    return self.numbers[i]
                found = self.text.find(snippet, found + 1)
        return None


def _line_of(lines: list[tuple[int, str]], text: str, at: int, start: int) -> int | None:
    """`_Lines.line_of` over lines whose numbers are out of order: line by line."""
    for size in (12, 7, 5):
        snippet = text[at:at + size]
        for i, (number, line) in enumerate(lines):
            if number < start:
                continue
            joined = line + (lines[i + 1][1] if i + 1 < len(lines) else "")
            if snippet in line or (snippet in joined and joined.find(snippet) < len(line)):
                return number
    return None


def _sentence_around(text: str, at: int) -> tuple[int, int]:
    """The sentence holding text[at] (not an end mark): from after the last end mark before it to its own
    end mark, included (or the text's start and end)."""
    start = max(text.rfind(mark, 0, at) for mark in _SENTENCE_MARKS) + 1
    after = _SENTENCE_END.search(text, at)
    return start, after.end() if after else len(text)


def stated_years(report: Report, lines: bool = True) -> list[YearMention]:
    """Every year the opening text and sections 一–五 state as the year of the work, in order
    (`lines=False`: without looking up their lines, which is most of the work)."""
    index = _Lines(report) if lines else None
    mentions: list[YearMention] = []
    for section, heading, text in _texts(report):
        last = heading
        for m in _YEAR.finditer(text):
            start, end = _sentence_around(text, m.start())
            sentence = text[start:end]
            if not _about_the_work(sentence, m.start() - start, m.end() - start):
                continue
            digits = "".join(_CN_DIGITS.get(c, c) for c in m.group(1))
            line = index.line_of(text, m.start(), last) if index is not None else None
            last = line if line is not None else last
            mentions.append(YearMention(int(digits), line, section, sentence.strip()))
    return mentions


def dominant_year(mentions: list[YearMention]) -> tuple[int, int] | None:
    """(year, times stated) when one year clearly dominates the mentions; None when none does."""
    if not mentions:
        return None
    year, count = Counter(m.year for m in mentions).most_common(1)[0]
    if count < MIN_MENTIONS or count < MIN_SHARE * len(mentions):
        return None
    return year, count
