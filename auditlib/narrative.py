"""Figures the narrative states (收到申请 N 件, 行政复议 N 件, 均已办结 …), each with its sentence.

Rules compare these claims with the tables; this module only reads text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from auditlib.model import Report
from auditlib.parse import normalize

_SENTENCE = re.compile(r"[^。；;！!？?\n]+[。；;！!？?]?")
_CLAUSE = re.compile(r"[，,]")
_NUM = r"(\d+)\s*(余|多)?\s*(?:件|宗|个|条|份|起|次|人次)"
_APPROX_BEFORE = re.compile(r"(近|约|大约|接近|超过|逾|上万|数)\s*$")


@dataclass(frozen=True)
class Claim:
    kind: str  # received | received_with_carry | review | litigation | all_done | none_received | no_review
    value: int | None
    approximate: bool
    sentence: str  # the sentence as printed
    section: str  # "0" (preamble) or "1" … "6"


def sentences(report: Report) -> Iterator[tuple[str, str]]:
    """(section key, sentence) for the narrative parts: preamble, 一, 五, 六."""
    parts = [("0", report.preamble)] + [(k, report.section_text(k)) for k in ("1", "5", "6")]
    for key, text in parts:
        for m in _SENTENCE.finditer(text):
            s = m.group(0).strip()
            if s:
                yield key, s


_RECEIVED = re.compile(
    r"(共|累计|全年|本年度?|全[年区县市镇乡]|总计|合计)?\s*(收到|受理|接收|接到|办理)(?:并办理|和处理|并处理|和办理)?"
    r"[^，,。；]{0,16}?(?:政府信息公开|依申请公开)(?:申请)?(?:事项|件)?\s*(?:共计?|合计)?\s*" + _NUM
)
_NONE_RECEIVED = re.compile(r"(未|没有|无|暂无)(收到|接到|接收到?|受理|发生)[^，,。；]{0,12}(依申请公开|信息公开申请|公开申请|申请)")
_REVIEW = re.compile(r"行政复议(?:案件|申请)?\s*(?:共计?|合计)?\s*" + _NUM)
_LITIGATION = re.compile(r"行政诉讼(?:案件)?\s*(?:共计?|合计)?\s*" + _NUM)
_NO_REVIEW = re.compile(r"(未|没有|无)(发生|出现|收到|产生)?[^，,。；]{0,14}行政复议")
_NO_LITIGATION = re.compile(r"(未|没有|无)(发生|出现|收到|产生)?[^，,。；]{0,14}行政诉讼")
_ALL_DONE = re.compile(r"(均已|全部|均|已全部)(办结|在当年答复|在本年度内答复|当年办结|按期办结并答复)")


def _approx(sentence: str, m: re.Match[str], group: int) -> bool:
    return bool(m.group(group)) or bool(_APPROX_BEFORE.search(sentence[: m.start(group - 1)]))


def claims(report: Report) -> list[Claim]:
    """Every figure about applications, reviews and suits that the narrative states."""
    out: list[Claim] = []
    for key, printed in sentences(report):
        s = normalize(printed)
        for clause in _CLAUSE.split(s):
            if "其中" in clause or "同比" in clause or "上年" in clause and "结转" not in clause:
                continue
            m = _RECEIVED.search(clause)
            if m:
                kind = "received_with_carry" if "结转" in s and m.group(2) in ("受理", "办理") else "received"
                out.append(Claim(kind, int(m.group(3)), _approx(clause, m, 4), printed, key))
            elif _NONE_RECEIVED.search(clause) and "复议" not in clause and "诉讼" not in clause:
                out.append(Claim("none_received", 0, False, printed, key))
            for kind, pattern in (("review", _REVIEW), ("litigation", _LITIGATION)):
                m2 = pattern.search(clause)
                if m2:
                    out.append(Claim(kind, int(m2.group(1)), _approx(clause, m2, 2), printed, key))
            if _NO_REVIEW.search(clause) and not _REVIEW.search(clause):
                out.append(Claim("no_review", 0, False, printed, key))
            if _NO_LITIGATION.search(clause) and not _LITIGATION.search(clause):
                out.append(Claim("no_litigation", 0, False, printed, key))
        if _ALL_DONE.search(s) and ("申请" in s or "答复" in s):
            out.append(Claim("all_done", 0, False, printed, key))
    return out
