"""Crawled web pages saved as text: a metadata header (标题:, 发布时间: …) over a body printed on one
line, with the site's breadcrumb and toolbar in front. The page is cut back into lines before parsing:
the header's 标题 becomes the title line, the breadcrumb and toolbar are dropped, and the body is split
at the template's numbered section headings and, inside the three tables, before each row's label.
Every piece keeps its source line number; no number is changed (glued cells are split in glued.py).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from auditlib.model import SourceLine
from auditlib.template import SECTIONS

__all__ = ["reflow"]

_HEADER_KEY = re.compile(r"^\s*(标题|发布时间|文号|发布机构|栏目|原文链接|本地目录|页面链接|来源|索引号|发文日期)\s*[:：]")
_LINKS_NOTE = re.compile(r"^\s*页面链接.*详见")
_RULER = re.compile(r"^\s*=+\s*正文\s*=+\s*$")
_TOOLBAR = ("相关链接：", "相关链接:", "-->", "文件下载", "文字版", "全真版", "QQ空间", "微博", "微信", "打印本页", "关闭窗口")
_TRAILER = re.compile(r"(附件下载|打印本页|关闭窗口|【打印】|【关闭】)\s*$")
_LONG = 600  # a body line this long that holds several numbered headings is a page flattened to one line
_CJK = "\u3400-\u9fff"


def _section_starts(text: str) -> list[tuple[str, int, int]]:
    """(section key, start, end of its heading) of each numbered heading found in template order."""
    out: list[tuple[str, int, int]] = []
    pos = 0
    for spec in SECTIONS:
        words = "|".join(re.escape(k) for k in spec.keywords)
        m = re.compile(rf"{spec.numeral}[、.．]\s*[^\d、，。；]{{0,20}}?(?:{words})").search(text, pos)
        if m:
            full = re.compile(rf"{spec.numeral}[、.．]\s*{re.escape(spec.title)}").match(text, m.start())
            out.append((spec.key, m.start(), full.end() if full else m.end()))
            pos = m.end()
    return out


def _table_rows(key: str, text: str) -> list[str]:
    """A table section's one-line text cut before each row label (the numbers stay as printed)."""
    text = re.sub(rf"(?<=[\d\s])([1-8])[.．](?=[{_CJK}“\"])", r"\n\1.", text)  # 1.属于国家秘密 after a row's numbers
    text = re.sub(rf"(?<=\d)[ \t]*(?=[（({_CJK}])", "\n", text)  # a label after a row's numbers
    text = re.sub(rf"(?<=[{_CJK}])[ \t]*(?=[一二三四][、])", "\n", text)  # 一、本年新收 glued to the header
    if key == "2":  # 规章 after the block's column header
        text = re.sub(rf"(件数|数量|万元）|万元\))[ \t]*(?=[{_CJK}])", "\\1\n", text)
    if key == "4":
        text = re.sub(rf"(?<=[{_CJK}）)])[ \t]*(?=\d)", "\n", text)  # the 15 numbers after the header
    return [part.strip() for part in text.split("\n") if part.strip()]


def _strip_toolbar(text: str) -> str:
    """Drop the breadcrumb (当前位置：…) and toolbar words in front of the body, and a trailing 附件下载."""
    text = _TRAILER.sub("", text)
    if not text.lstrip().startswith(("当前位置", "您当前的位置", "您的位置")):
        return text
    head = text[:600]
    cut = max((head.rfind(word) + len(word) for word in _TOOLBAR if word in head), default=0)
    return text[cut:].lstrip()


def _split_body(line: SourceLine) -> list[SourceLine]:
    text = _strip_toolbar(line.text)
    starts = _section_starts(text)
    if len(starts) < 3:
        return [SourceLine(line.number, text, line.where)]
    out = [SourceLine(line.number, text[:starts[0][1]].strip(), line.where)]
    for i, (key, start, head_end) in enumerate(starts):
        end = starts[i + 1][1] if i + 1 < len(starts) else len(text)
        out.append(SourceLine(line.number, text[start:head_end].strip(), line.where))
        rest = text[head_end:end]
        rows = _table_rows(key, rest) if key in ("2", "3", "4") else [rest.strip()]
        out.extend(SourceLine(line.number, row, line.where) for row in rows)
    return [x for x in out if x.text]


def reflow(lines: Sequence[SourceLine]) -> tuple[SourceLine, ...]:
    """The document's lines, with a crawled page's header and one-line body cut back into lines."""
    long_lines = [line.text for line in lines if len(line.text) >= _LONG]
    if not any(len(_section_starts(text)) >= 3 for text in long_lines):
        return tuple(lines)
    out: list[SourceLine] = []
    for line in lines:
        m = _HEADER_KEY.match(line.text)
        if m:
            if m.group(1) == "标题":
                out.append(SourceLine(line.number, line.text[m.end():].strip(), line.where))
            continue
        if _RULER.match(line.text) or _LINKS_NOTE.match(line.text):
            continue
        if len(line.text) >= _LONG:
            out.extend(_split_body(line))
        else:
            out.append(line)
    return tuple(out)
