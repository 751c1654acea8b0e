"""Sections: the six headings (一、总体情况 …) found in template order, the lines of each section, and
paragraphs repaired across page and line wraps. ingest/html.py asks `numbered_section` too."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from auditlib.model import SourceLine
from auditlib.parse.rows import STARTS_ITEM
from auditlib.parse.tokens import PAGE_MARK
from auditlib.template import SECTIONS
from auditlib.text import BOOKMARK, MARKDOWN_PREFIX, compact, normalize

__all__ = ["SHORT_LINE", "chain_headings", "find_headings", "join_paragraphs", "numbered_section", "region",
           "scan_lines"]

_HEADING = re.compile(r"^第?(?P<num>[一二三四五六])(?:部分)?\s*[、.．,，:：]?\s*(?P<title>.*)$")
_HEADING_START = re.compile("|".join([r"第?[一二三四五六]", r"[1-6][、.．]", r"\([一二三四五六]\)"]
                                    + sorted({re.escape(k) for s in SECTIONS for k in s.keywords})))
# `1、总体情况`, `(三)收到和处理政府信息公开申请情况` (compact text: brackets made ASCII): the template's titles
# numbered as items are. Weighed as a bare title, so a report's own 一、… headings win; `1.属于国家秘密` and
# the items of section 一 (（一）主动公开, （二）依申请公开, …) never name the section of their number.
_ITEM_HEADING = re.compile(r"^(?:(?P<num>[1-6])[、.．]|\((?P<cn>[一二三四五六])\))(?P<title>\D.*)$")
_NUMERALS = {s.numeral: s for s in SECTIONS}
_TERMINAL = tuple("。；;：:！!？?")

# A title printed without its numeral must still read as a heading: no sentence, no figures, and the
# template's kind of ending (so a table header such as 行政复议 行政诉讼 is not taken for one).
_UNNUMBERED_HEADING = re.compile(r"^[^。；;，,\d]+?(情况|事项|问题|措施|概述)[:：]?$")


def numbered_section(text: str) -> str | None:
    """The section key when compact `text` is a numbered heading (一、总体情况, 第二部分 主动公开…)."""
    if len(text) > 40:
        return None
    return _numbered_key(_HEADING.match(text))


def _numbered_key(m: re.Match[str] | None) -> str | None:
    """The section key a `_HEADING` match names, when its title holds one of the section's keywords."""
    if not m:
        return None
    spec = _NUMERALS[m.group("num")]
    return spec.key if any(k in m.group("title") for k in spec.keywords) else None


def _line_candidates(idx: int, text: str, out: list[tuple[int, int, int]]) -> None:
    """The candidates of line `idx`, whose compact text is `text` (at most 40 characters)."""
    item = _ITEM_HEADING.match(text)
    if item:
        spec = SECTIONS[int(item.group("num")) - 1] if item.group("num") else _NUMERALS[item.group("cn")]
        title = item.group("title")
        if (any(k in title for k in spec.keywords) and len(title) <= len(spec.title) + 6
                and _UNNUMBERED_HEADING.match(title)):
            out.append((idx, int(spec.key), 1))
        return
    m = _HEADING.match(text)
    numbered = _numbered_key(m)  # numbered_section(text): `text` is at most 40 characters
    numeral = m.group("num") if m else None
    for spec in SECTIONS:
        if numeral == spec.numeral:
            if numbered == spec.key:
                out.append((idx, int(spec.key), 2))
        elif (text.startswith(spec.keywords) and len(text) <= len(spec.title) + 6
              and _UNNUMBERED_HEADING.match(text)):
            out.append((idx, int(spec.key), 1))


SHORT_LINE = 160  # longer lines are neither a title nor a heading: `scan_lines` does not compact them


def scan_lines(lines: Sequence[SourceLine]) -> tuple[list[str], list[tuple[int, int, int]]]:
    """One pass over a document's lines: each line's `compact` text ("" for a line over SHORT_LINE
    characters) and every line that could be a section heading as (line index, section number, strength:
    2 for a numbered heading 一、…, 1 for a bare title), so a long text touches each line once."""
    compacted: list[str] = []
    out: list[tuple[int, int, int]] = []
    for idx, line in enumerate(lines):
        size = len(line.text)
        text = compact(line.text) if size <= SHORT_LINE else ""
        compacted.append(text)
        if size <= 120 and text and len(text) <= 40 and _HEADING_START.match(text):
            _line_candidates(idx, text, out)
    return compacted, out


def find_headings(lines: Sequence[SourceLine]) -> dict[str, int]:
    """Section key → index (into `lines`) of its heading.

    Of all lines that could be headings, take the set in template order that finds the most sections
    (numbered headings weigh more): a sentence that merely starts like a heading cannot hide the rest.
    """
    return chain_headings(scan_lines(lines)[1])


def chain_headings(candidates: Sequence[tuple[int, int, int]]) -> dict[str, int]:
    """The best chain of (line index, section number, strength) candidates, in one pass over them.

    A chain's sections rise strictly (1 … 6), so the best chain ending at a candidate only needs the
    best chain ending, on an earlier line, at each smaller section number: six entries, whatever the
    length of the text. Ties go to the earliest candidate, as a scan over all pairs would choose.
    """
    # best_by_key[k]: (sections found, strength, -candidate number, chain) of the best chain ending in k.
    best_by_key: dict[int, tuple[int, int, int, tuple[int, ...]]] = {}
    overall: tuple[int, int, int, tuple[int, ...]] | None = None
    pending: list[tuple[int, tuple[int, int, int, tuple[int, ...]]]] = []
    line = -1
    for i, (idx, key, strength) in enumerate(candidates):
        if idx != line:  # chains may only continue from candidates on earlier lines
            for k, entry in pending:
                if k not in best_by_key or entry[:2] > best_by_key[k][:2]:
                    best_by_key[k] = entry
            pending = []
            line = idx
        prior = max((best_by_key[k] for k in best_by_key if k < key), key=lambda b: b[:3], default=(0, 0, 0, ()))
        entry = (prior[0] + 1, prior[1] + strength, -i, (*prior[3], i))
        pending.append((key, entry))
        if overall is None or entry[:2] > overall[:2]:
            overall = entry
    if overall is None:
        return {}
    return {str(candidates[i][1]): candidates[i][0] for i in overall[3]}


def _is_sentence_end(text: str) -> bool:
    return text.endswith(_TERMINAL) or text.endswith(("”", "」", "）", ")")) and len(text) < 30


def join_paragraphs(lines: Iterable[SourceLine]) -> str:
    """Repair paragraphs broken by page or line wraps: a line that does not end a sentence continues."""
    paragraphs: list[str] = []
    current = ""
    for line in lines:
        text = BOOKMARK.sub("", line.text) if "[bookmark:" in line.text else line.text
        text = text.replace("\u00a0", " ").replace("\u3000", " ").strip()
        if text[:1] in ("#", ">", "-", "*", "+"):  # stripped: MARKDOWN_PREFIX can match nothing else
            text = MARKDOWN_PREFIX.sub("", text)
        text = text.replace("**", "").strip()
        if not text or PAGE_MARK.match(normalize(text)):
            if current and (_is_sentence_end(current) or len(current) < 15):
                paragraphs.append(current)
                current = ""
            continue
        if current and not _is_sentence_end(current) and len(current) >= 15 and not STARTS_ITEM.match(compact(text)):
            current += text
        else:
            if current:
                paragraphs.append(current)
            current = text
    if current:
        paragraphs.append(current)
    return "\n".join(paragraphs)


def region(lines: Sequence[SourceLine], headings: dict[str, int], key: str) -> Sequence[SourceLine]:
    """The lines of section `key`; when its heading is missing, the gap between its neighbours."""
    k = int(key)
    before = [idx for s, idx in headings.items() if int(s) <= k]
    after = [idx for s, idx in headings.items() if int(s) > k]
    start = max(before) if before else 0
    end = min(after) if after else len(lines)
    return lines[start:end]

