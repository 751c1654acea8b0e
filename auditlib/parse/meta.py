"""Report metadata: the title line, the agency it names, and the template version in use."""

from __future__ import annotations

import re
from collections.abc import Sequence

from auditlib.agency import AGENCY_SUFFIX, normalize_agency
from auditlib.model import SourceLine
from auditlib.template import MARKERS_PRE_2019, TEMPLATE_2019, TEMPLATE_2021
from auditlib.text import compact

__all__ = ["agency_as_printed", "detect_template", "find_title"]

_TITLE_TAIL = re.compile(r"(?:关于)?((?:19|20)\d{2}|[〇零○一二三四五六七八九]{4})\s*年")


_OPEN = ("信息公开", "政务公开")


def _wrapped(text: str, nxt: str) -> bool:
    """Whether a title was wrapped before its last words: `2024 年上海市科委政府信息公开工作` / `年度报告`,
    `2024年度江州市住房和城乡建设局` / `政府信息公开工作年度报告`, `…政府信息` / `公开工作年度报告`. A line
    naming only the agency above a full title (`佐龙镇人民政府` / `2024年度…报告`) is not one."""
    if "报告" in text or len(text) > 60 or not nxt.endswith("报告") or any(c in text for c in "，。；：,;:"):
        return False
    if any(w in text for w in _OPEN):
        return len(nxt) <= 12
    starts_with_year = _TITLE_TAIL.match(text) is not None
    split_word = any(w in text + nxt for w in _OPEN) and not any(w in nxt for w in _OPEN)
    return (starts_with_year or split_word) and len(nxt) <= 20 and any(w in text + nxt for w in _OPEN)


def find_title(preamble: Sequence[SourceLine]) -> tuple[int | None, str]:
    """Index and compact text of the title line (the first line naming a 报告, not a sentence); a title
    wrapped before its last words is joined with its next line (`_wrapped`)."""
    for idx, line in enumerate(preamble[:40]):
        text = compact(line.text)
        nxt = compact(preamble[idx + 1].text) if idx + 1 < len(preamble) else ""
        if _wrapped(text, nxt):
            text += nxt
        if ("报告" in text and ("信息公开" in text or "政务公开" in text or "年度" in text) and len(text) <= 80
                and "。" not in text):  # a sentence (本年度报告根据《条例》……编制。) names its 报告 too
            return idx, text
    return None, ""


def agency_as_printed(preamble: Sequence[SourceLine], title_idx: int | None, title: str) -> str | None:
    """The agency's name as the title (or a line above it) prints it, region prefixes included
    (`淮安市洪泽区人民政府`): `agency.split_agency` tells the region from the agency."""
    candidates: list[str] = []
    if title:
        m = _TITLE_TAIL.search(title)
        head = title[: m.start()] if m else title.split("政府信息公开")[0]
        if not head and m:
            # `2024年青山镇政府信息公开工作年度报告`: the agency follows the year.
            after = re.split(r"政府信息公开|政务信息公开|政务公开|信息公开", title[m.end():].lstrip("度"))[0]
            head = after if after and not after.startswith(("工作", "年度")) else ""
        if head:
            candidates.append(head)
    before = [compact(line.text) for line in preamble[: title_idx if title_idx is not None else 6]]
    before = [t for t in before if t and len(t) <= 40 and "报告" not in t]
    head = candidates[0] if candidates else ""
    if head and AGENCY_SUFFIX.search(head) and len(head) > 2 and not head.endswith(("镇", "乡", "街道", "区", "县", "市")):
        return head
    # The title names only part of the agency (`刘家塔镇`): a line above names it in full.
    for text in reversed(before):
        if AGENCY_SUFFIX.search(text) and (not head or head in text or normalize_agency(head) in text):
            return text
    if head:
        # 平潭综合实验区, 经济技术开发区: a 管委会 area, not a government with 人民政府
        zone = head.endswith(("实验区", "开发区", "示范区", "合作区", "园区", "试验区"))
        return head + ("人民政府" if head.endswith(("镇", "乡", "区", "县", "市")) and not zone else "")
    for text in before:
        if AGENCY_SUFFIX.search(text):
            return text
    return None


def detect_template(full_text: str, found_rows: set[str], compacted: str | None = None) -> str:
    """The template version from its markers in the text (`compacted`: `compact(full_text)`, when known)."""
    text = compact(full_text) if compacted is None else compacted
    new = sum(1 for m in TEMPLATE_2021.markers if m in text)
    old = sum(1 for m in TEMPLATE_2019.markers if m in text)
    if new and new >= old:
        return "2021"
    if old:
        return "2019"
    if any(m in text for m in MARKERS_PRE_2019):
        return "unknown"
    if {"3.6.1", "3.6.2"} & found_rows:
        return "2021"
    if "3.6" in found_rows:
        return "2019"
    return "unknown"

