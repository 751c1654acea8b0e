"""Several reports pasted into one file: found in one pass over the lines, so the file is rejected
(one file, one report) instead of being read as one report with 5,000 sections 一.

A report here is a title line (…政府信息公开工作年度报告) followed, before the next title line, by its own
section headings: 一 and at least two more. A title printed twice in one report (a page header and
footer, a crawled page's breadcrumb or metadata 标题: line, the opening sentence 现将…年度报告如下) has
no headings of its own after one of the two printings, so it counts once.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import PurePath

from auditlib.ingest.errors import UnreadableError
from auditlib.model import SourceLine
from auditlib.parse.sections import SHORT_LINE
from auditlib.text import compact

__all__ = ["pasted_reports", "reject_pasted"]

_MIN_SECTIONS = 3  # section 一 and two more: what makes the lines after a title a report of their own


def _is_title(text: str) -> bool:
    """Whether a line's compact text (of a line of at most SHORT_LINE characters) is a report's title."""
    return len(text) <= 80 and "报告" in text and ("信息公开" in text or "政务公开" in text)


def pasted_reports(lines: Sequence[SourceLine], candidates: Sequence[tuple[int, int, int]],
                   compacted: Sequence[str] | None = None) -> list[int]:
    """Line numbers of the titles that each open a report of their own (heading `candidates` as
    sections.py finds them: line index, section number, strength; `compacted` as `scan_lines` gives it:
    "" for a line over SHORT_LINE characters)."""
    if compacted is None:
        compacted = [compact(line.text) if len(line.text) <= SHORT_LINE else "" for line in lines]
    by_line: dict[int, list[int]] = {}
    for idx, key, _ in candidates:
        by_line.setdefault(idx, []).append(key)
    opened: list[int] = []
    title: int | None = None
    keys: set[int] = set()
    for idx, text in enumerate(compacted):  # the compact texts only: a long text's lines are not touched again
        if idx in by_line:
            if title is not None:
                keys.update(by_line[idx])
        elif _is_title(text):
            if title is not None and 1 in keys and len(keys) >= _MIN_SECTIONS:
                opened.append(title)
            title, keys = lines[idx].number, set()
    if title is not None and 1 in keys and len(keys) >= _MIN_SECTIONS:
        opened.append(title)
    return opened


def reject_pasted(path: str, lines: Sequence[SourceLine], candidates: Sequence[tuple[int, int, int]],
                  compacted: Sequence[str] | None = None) -> None:
    """Raise UnreadableError, naming the file, when it holds more than one report."""
    opened = pasted_reports(lines, candidates, compacted)
    if len(opened) < 2:
        return
    shown = "、".join(str(n) for n in opened[:5]) + (" 等" if len(opened) > 5 else " ")
    raise UnreadableError(
        f"文件「{PurePath(path).name}」含有 {len(opened)} 份年度报告（标题在第 {shown}行），"
        "一个文件只能审核一份报告，请将各份报告分别存为单独的文件后再审核")
