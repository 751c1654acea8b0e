"""Figures the narrative states (收到申请 N 件, 行政复议 N 件, 均已办结 …), each with its sentence.

Rules compare these claims with the tables; this module only reads text. It is deliberately
conservative: a figure is taken only when its clause says plainly that it is the whole agency's
figure for the report's year. Sub-counts (after 其中, inside brackets, or with a subject such as
区政府办 that is not the agency) and figures with 余/多/近/约 are either skipped or marked approximate.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import NamedTuple

from auditlib.model import Report
from auditlib.text import compact, normalize

# Claim kinds and what a rule compares them with:
#   received            本年新收 (R1 总计)
#   received_with_carry R1, or R1 + R2 (the verb is 受理/办理/处理, or the sentence names 结转)
#   none_received       R1 总计 = 0
#   applicant           one column of R1 (`column` is natural_person … legal_service, or "legal" = 5 法人 columns)
#   carried_in          二、上年结转 总计
#   carried_out         四、结转下年度继续办理 总计
#   all_done            四、结转下年度继续办理 总计 = 0
#   review / no_review  行政复议 总计
#   litigation / no_litigation  行政诉讼 直接起诉 + 复议后起诉 总计
KINDS = ("received", "received_with_carry", "none_received", "applicant", "carried_in", "carried_out",
         "all_done", "review", "no_review", "litigation", "no_litigation")


@dataclass(frozen=True)
class Claim:
    """One figure (or zero phrase) the narrative states, with the sentence it was read from."""

    kind: str  # one of KINDS
    value: int | None
    approximate: bool  # 余/多/近/约…: not held to equality
    sentence: str  # the sentence as printed
    section: str  # "0" (preamble) or "1" … "6"
    column: str = ""  # for `applicant`: the applications column, or "legal" (法人或其他组织)
    handled: bool = False  # for received_with_carry: the verb is 办理/处理 (may also mean （七）总计)
    span: str = ""  # the words the figure was read from (normalised)


_SENTENCE = re.compile(r"[^。；;！!？?\n]+[。；;！!？?]?")
_THOUSANDS = re.compile(r",(?<=\d,)(?=\d{3}(?!\d))")  # the comma first: the search skips to commas
_PAREN = re.compile(r"[(（]([^()（）]*)[)）]")
_CLAUSE = re.compile(r"[,，:：]")

_UNIT = r"(?:人次|件|宗|个|条|份|起|次|项)"
# Words that make a figure approximate: before it (近20件), after it (20余件, 20多件), after its unit (20件左右).
_APPROX_BEFORE_WORDS = r"近|约|大约|接近|超过|逾|将近|上万|数"
_NUM = rf"(?:{_APPROX_BEFORE_WORDS})?(?P<num>\d+)(?P<after>余|多)?" + _UNIT + r"(?P<tail>左右|以上)?"
_APPROX_BEFORE = re.compile(rf"(?:{_APPROX_BEFORE_WORDS})$")

# Words that may stand before a figure without narrowing it: time, scope, the agency itself.
_SCOPE = (
    r"(?:19|20)\d{2}年度?|全年度?|本年度?|今年(?:以来)?|年内|当年|报告期内|本报告期内?|以来"
    r"|[全我本](?:区|县|市|镇|乡|街道|街道办事处|旗|州|省|局|委|办|厅|院|中心|机关|单位|部门|级|办事处)|本级"
    r"|共计?|累计|总计|合计|一共|总共|依法|全面|此外|另外|同时|在|内|方面|工作中?|中"
    r"|依申请公开(?:方面|工作)?|政府信息公开(?:方面|工作)?|政务公开"
)
# Words that may stand between the verb and 申请 without narrowing the figure.
_GAP = (
    r"和处理|并处理|和办理|并办理|和答复|并答复|受理|办理|处理|"
    r"公民|法人|和|或|及|、|其他组织|社会公众|群众|申请人|各类|相关|有关|提出的?|提交的?|的|向本?(?:机关|单位)|"
    r"依申请公开|政府信息公开|信息公开|政务公开|任何|过"
)
_REVIEW_WORDS = r"因?政府信息公开(?:申请|工作|实务|事务)?|针对|因|涉及|引发的?|引起的?|被申请人?|被|提起|提出|申请|相关|有关|的|发生|收到|产生|接到|出现|有"
_SCOPE_RE = re.compile(rf"(?:{_SCOPE})*")
_GAP_RE = re.compile(rf"(?:{_GAP})*")
_REVIEW_GAP_RE = re.compile(rf"(?:{_SCOPE}|{_REVIEW_WORDS})*")
_SUIT_GAP_RE = re.compile(rf"(?:{_SCOPE}|{_REVIEW_WORDS}|行政复议案?件?|和|或|及|与|、)*")
_CARRY_PREFIX_RE = re.compile(rf"(?:{_SCOPE}|含|包括|包含|另有?|其中|以及|和|及|、|有|尚有|还有|仍有|剩余|其余|申请|答复|办结|已)*")

# 申请 as the thing received, not 申请人, 申请书, 申请渠道 …
_NOT_APPLICANT = r"(?!人|书|表|材料|渠道|方式|流程|程序|条件|形式|途径|指南)"
_RECEIVED = re.compile(
    r"(?P<verb>新收|收到|受理|接收到?|接到|办理|处理)(?P<gap>[^,;。]{0,24}?)"
    r"(?P<obj>政府信息公开申请|依申请公开申请|信息公开申请|政府信息公开|依申请公开|申请)"
    r"(?:事项|件|的?数量)?(?:共计?|合计|总计|累计|为|达)?" + _NUM
)
_NONE_RECEIVED = re.compile(
    r"(?P<neg>并未|未|没有|暂无|无)(?P<verb>收到|接到|接收到?|受理|发生|产生|有)?(?P<gap>[^,;。]{0,24}?)"
    r"(?P<obj>(?:政府信息公开申请|依申请公开申请|信息公开申请|公开申请|申请)" + _NOT_APPLICANT
    + r"|(?:依申请公开|政府信息公开)(?=事宜|事项|$|[。；;]))"
)
_APPLICANTS = (
    ("legal", r"法人(?:或|和|及|、)?其他组织|法人"),
    ("natural_person", r"自然人|公民个人"),
    ("commercial", r"商业企业"),
    ("research", r"科研机构"),
    ("social_welfare", r"社会公益组织"),
    ("legal_service", r"法律服务机构"),
)
_APPLICANT_WORDS = re.compile("|".join(words for _, words in _APPLICANTS))
_APPLICANT = re.compile(
    "(?P<who>" + "|".join(f"(?P<{key}>{words})" for key, words in _APPLICANTS) + r")"
    r"(?:提出的?|提交的?|的)?(?:政府信息公开|依申请公开)?(?:申请)?(?:共计?|为)?"
    r"(?P<num>\d+)(?P<after>余|多)?(?:件|宗|个|条|份)(?P<tail>左右|以上)?"
)
_LISTED = re.compile(r"(?:自然人|公民|个人|法人|其他组织|企业|机构)(?:、|和|及|或|与|以及)?$")
_REVIEW = re.compile(r"行政复议(?:案件|申请)?(?:共计?|合计|总计|为)?" + _NUM)
_LITIGATION = re.compile(r"行政诉讼(?:案件)?(?:共计?|合计|总计|为)?" + _NUM)
_BOTH_ZERO = re.compile(r"行政复议(?:案件)?(?:、|和|及|或|与)行政诉讼(?:案件)?(?:数量|数)?(?:均为|均是|都是|均|都|为|各)?0(?:件|起|宗)?")
_NEG = r"(?P<neg>并未|未|没有|暂无|无)(?P<verb>发生|出现|收到|产生|接到|涉及|有|被)?(?P<gap>[^,;。]{0,28}?)"
_NO_REVIEW = re.compile(_NEG + r"行政复议")
_NO_LITIGATION = re.compile(_NEG + r"行政诉讼")
_CASE_TAIL = re.compile(r"(?:案|申请|事件|和|、|及|或|与|行政诉讼|的|情况|事项|情形|现象|等|[。；;！!？?]|$)")
_ALL_DONE = re.compile(
    r"(?P<head>均已经?|已全部|全部|均|都已|已经全部)(?:依法|按时|按期|及时)?"
    r"(?:办结|在当年答复|在本年度内?答复|当年办结|按期办结|办理完毕|答复完毕|在当年办结)"
)
_ALL_DONE_SUBJECT = re.compile(
    rf"(?:{_SCOPE}|所有|上述|以上|这些|政府信息公开|依申请公开|申请|事项|的|收到|受理|办理|均已|均|已|全部)*"
)
_CARRY_WORDS = re.compile(r"下一?年|次年|明年|顺延|继续办理|结转至|结转到")
_TARGET_YEAR = r"(?:下一?年度?|次年度?|明年|(?P<year>(?:19|20)\d{2})年度?)"
_CARRIED_IN = re.compile(
    r"(?:(?:上一?年度?|去年|往年)(?:度)?结转|结转(?:自)?上一?年度?)(?:至本年度?|到本年度?|的|至今年)?"
    r"(?:政府信息公开|依申请公开)?(?:申请)?(?:事项)?(?:共计?|为)?" + _NUM
)
_CARRIED_OUT_AFTER = re.compile(
    r"(?:结转|顺延|转入|转)(?:到|至|入)?" + _TARGET_YEAR + r"(?:继续)?(?:办理|答复|处理)?(?:的)?"
    r"(?:政府信息公开|依申请公开)?(?:申请)?(?:事项)?(?:共计?|为)?" + _NUM
)
_CARRIED_OUT_BEFORE = re.compile(
    _NUM + r"(?:申请)?(?:因[^,;。]{0,10}?)?(?:需)?(?:结转|顺延|转入|转)(?:到|至|入)?" + _TARGET_YEAR
)
_NO_CARRY = re.compile(r"(?:无|没有|不存在|未有)(?:申请|需要|需)?(?:结转|顺延)(?:到|至)?下一?年度?")
_ABOUT_SUITS = re.compile(r"复议|诉讼|信访|投诉|举报|留言|咨询|提案|建议")
_ABOUT_APPLICATIONS = re.compile(r"依申请|公开申请")
# Every claim's pattern above holds a figure (\d), a negation (未, 没有, 无, 不存在) or 均/全部/都已; a sentence
# with none of these characters states no claim. Single characters: taking out brackets and thousands
# separators (_clauses) cannot make one appear.
_MAY_CLAIM = re.compile(r"[\d未无没存均全都]")
# Characters NFKC (normalize) turns into none of _MAY_CLAIM's: ideographs (kept), ASCII other than digits
# (kept) and the punctuation Chinese text prints (kept, or made ASCII). A sentence printed in these alone,
# without one of _MAY_CLAIM's characters, states no claim however it is normalised.
_KEPT_BEYOND_ASCII = "\u3400-\u4dbf\u4e00-\u9fff，。、；：？！“”‘’（）《》"  # ideographs and the punctuation printed
_PLAIN = re.compile(f"[\x00-\x2f\x3a-\x7f{_KEPT_BEYOND_ASCII}]*")
# The same within a clause, for every claim read clause by clause (all but all_done, read over the sentence):
# each holds a figure (\d) or a negation (未, 没有, 无, 不存在, 未有); a clause with none of these states none.
_CLAUSE_MAY_CLAIM = re.compile(r"[\d未无没存]")
# …and names what it is about: 申请 or 政府信息公开 (received, none_received), 转 or 顺延 (carried), 行政复议 or
# 行政诉讼 (suits). Only an applicant's figure in a sub-clause after a received total may name none of them.
_CLAUSE_TOPIC = re.compile(r"申请|政府信息公开|转|顺延|行政复议|行政诉讼")
# A character of each topic word (and of all_done's 申请). Printed in _KEPT characters (those NFKC keeps or
# makes ASCII), a sentence without one holds none however it is normalised: it states no claim.
_TOPIC_CHARACTER = re.compile(r"[申政转顺复诉]")
_KEPT = re.compile(f"[\x00-\x7f{_KEPT_BEYOND_ASCII}]*")  # _PLAIN's characters and the digits


def sentences(report: Report) -> Iterator[tuple[str, str]]:
    """(section key, sentence) for the narrative parts: preamble, 一, 五, 六."""
    parts = [("0", report.preamble)] + [(k, report.section_text(k)) for k in ("1", "5", "6")]
    for key, text in parts:
        for s in _SENTENCE.findall(text):
            s = s.strip()
            if s:
                yield key, s


class _Clause(NamedTuple):
    text: str
    sub: bool  # after 其中, or inside brackets: a part of some total, not the total


def _clauses(s: str) -> list[_Clause]:
    """The clauses of a sentence (compacted), brackets taken out as clauses of their own (always sub-counts)."""
    if "," in s:
        s = _THOUSANDS.sub("", s)
    opened = "(" in s or "（" in s  # without an opening bracket, _PAREN finds nothing
    asides, main = ([m.group(1) for m in _PAREN.finditer(s)], _PAREN.sub("", s)) if opened else ([], s)
    out: list[_Clause] = []
    sub = False
    for part in _CLAUSE.split(main):
        if "其中" in part:
            sub = True
        if part:
            out.append(_Clause(part, sub))
    out += [_Clause(part, True) for aside in asides for part in _CLAUSE.split(aside) if part]
    return out


def _approximate(clause: str, m: re.Match[str]) -> bool:
    return bool(m.group("after") or m.group("tail")) or bool(_APPROX_BEFORE.search(clause[: m.start("num")]))


class _Scope:
    """Whether the words before a figure leave it the whole agency's, for the report's year."""

    def __init__(self, report: Report) -> None:
        self.year = report.year
        name = compact(report.agency or "")
        stem = re.sub(r"(人民政府|政府|办事处|管理委员会|管委会)$", "", name)
        # Longest first: stripping 王集乡 before 王集乡人民政府 would leave 人民政府 behind.
        self.names = tuple(sorted({n for n in (name, stem) if len(n) >= 2}, key=len, reverse=True))

    def years_ok(self, text: str) -> bool:
        return all(self.year is None or int(y) == self.year for y in re.findall(r"((?:19|20)\d{2})年", text))

    def whole(self, prefix: str, pattern: re.Pattern[str] = _SCOPE_RE) -> bool:
        """`prefix` is made of scope words only, or names the agency itself (and no other year)."""
        if not self.years_ok(prefix):
            return False
        for name in self.names:
            prefix = prefix.replace(name, "")
        return bool(pattern.fullmatch(prefix))


def _received(clause: _Clause, sentence: str, scope: _Scope, about_applications: bool) -> Claim | None:
    if clause.sub:
        return None
    m = _RECEIVED.search(clause.text)
    if not m:
        return None
    if m.group("obj") == "申请" and not about_applications:
        return None
    gap = m.group("gap")
    if not _GAP_RE.fullmatch(gap) or not scope.whole(clause.text[: m.start()]):
        return None
    words = m.group("verb") + gap
    handled = any(v in words for v in ("办理", "处理"))
    with_carry = handled or "受理" in words or "结转" in sentence
    if m.group("verb") == "新收":
        with_carry = handled = False
    return Claim("received_with_carry" if with_carry else "received", int(m.group("num")),
                 _approximate(clause.text, m), sentence, "", handled=handled, span=m.group(0))


def _none_received(clause: _Clause, sentence: str, scope: _Scope) -> Claim | None:
    if clause.sub:
        return None
    for m in _NONE_RECEIVED.finditer(clause.text):
        gap = m.group("gap")
        if not m.group("verb") and m.group("neg") not in ("暂无", "无"):
            continue
        applicant = next((key for key, words in _APPLICANTS if re.search(words, gap)), None)
        if applicant is not None:
            gap = _APPLICANT_WORDS.sub("", gap)
        if not _GAP_RE.fullmatch(gap) or not scope.whole(clause.text[: m.start()]):
            continue
        if applicant is not None:
            return Claim("applicant", 0, False, sentence, "", column=applicant, span=m.group(0))
        return Claim("none_received", 0, False, sentence, "", span=m.group(0))
    return None


def _applicants(clause: _Clause, sentence: str) -> Iterator[Claim]:
    if not _APPLICANT_WORDS.search(clause.text):  # _APPLICANT starts with one of these words
        return
    for m in _APPLICANT.finditer(clause.text):
        if _LISTED.search(clause.text[: m.start()]):  # 公民、法人或其他组织提出的申请 N 件: everyone, not a column
            continue
        column = next(key for key, _ in _APPLICANTS if m.group(key))
        yield Claim("applicant", int(m.group("num")), _approximate(clause.text, m), sentence, "",
                    column=column, span=m.group(0))


def _carried(clause: _Clause, sentence: str, scope: _Scope) -> Iterator[Claim]:
    text = clause.text
    if "转" not in text and "顺延" not in text:  # every pattern below needs 结转, 转 or 顺延
        return
    for m in _CARRIED_IN.finditer(text):
        if scope.whole(text[: m.start()], _CARRY_PREFIX_RE):
            yield Claim("carried_in", int(m.group("num")), _approximate(text, m), sentence, "", span=m.group(0))
    for pattern in (_CARRIED_OUT_AFTER, _CARRIED_OUT_BEFORE):
        for m in pattern.finditer(text):
            year = m.group("year")
            if year and (scope.year is None or int(year) != scope.year + 1):
                continue
            if scope.whole(text[: m.start()], _CARRY_PREFIX_RE):
                yield Claim("carried_out", int(m.group("num")), _approximate(text, m), sentence, "",
                            span=m.group(0))
    m2 = _NO_CARRY.search(text)
    if m2 and scope.whole(text[: m2.start()], _CARRY_PREFIX_RE):
        yield Claim("carried_out", 0, False, sentence, "", span=m2.group(0))


def _suits(clause: _Clause, sentence: str, scope: _Scope) -> Iterator[Claim]:
    text = clause.text
    if clause.sub or ("行政复议" not in text and "行政诉讼" not in text):  # every pattern below needs one
        return
    found: set[str] = set()
    for kind, pattern, gap_re in (("review", _REVIEW, _REVIEW_GAP_RE), ("litigation", _LITIGATION, _REVIEW_GAP_RE)):
        m = pattern.search(text)
        if m and scope.whole(text[: m.start()], gap_re):
            found.add(kind)
            yield Claim(kind, int(m.group("num")), _approximate(text, m), sentence, "", span=m.group(0))
    both = _BOTH_ZERO.search(text)
    if both and scope.whole(text[: both.start()], _REVIEW_GAP_RE):
        for kind in ("review", "litigation"):
            if kind not in found:
                found.add(kind)
                yield Claim(kind, 0, False, sentence, "", span=both.group(0))
    for kind, pattern, gap_re in (("review", _NO_REVIEW, _REVIEW_GAP_RE),
                                  ("litigation", _NO_LITIGATION, _SUIT_GAP_RE)):
        if kind in found:
            continue
        for m in pattern.finditer(text):
            if not m.group("verb") and m.group("neg") not in ("暂无", "无"):
                continue
            if not gap_re.fullmatch(m.group("gap")) or not _CASE_TAIL.match(text[m.end():]):
                continue
            if not scope.whole(text[: m.start()], _REVIEW_GAP_RE):
                continue
            yield Claim("no_" + kind, 0, False, sentence, "", span=m.group(0))
            break


def _all_done(clauses: list[_Clause], text: str, sentence: str, whole_claim: bool) -> Claim | None:
    """均已办结 over the sentence (`text`: compacted), unless it is about suits or a carry-over."""
    if "申请" not in text or _ABOUT_SUITS.search(text) or _CARRY_WORDS.search(_PAREN.sub("", text)):
        return None
    for clause in clauses:
        m = _ALL_DONE.search(clause.text)
        if not m or clause.sub:
            continue
        if whole_claim or _ALL_DONE_SUBJECT.fullmatch(clause.text[: m.start()]):
            return Claim("all_done", 0, False, sentence, "", span=m.group(0))
    return None


def claims(report: Report) -> list[Claim]:
    """Every figure about applications, reviews and suits that the narrative states plainly."""
    scope = _Scope(report)
    out: list[Claim] = []
    for key, printed in sentences(report):
        found = _sentence_claims(printed, scope)
        if found:
            out.extend(replace(c, section=key) for c in found)
    return out


def _sentence_claims(printed: str, scope: _Scope) -> list[Claim]:
    """The claims of one sentence as printed, in the order its clauses state them (all_done last)."""
    if not _MAY_CLAIM.search(printed) and _PLAIN.fullmatch(printed):
        return []
    if not _TOPIC_CHARACTER.search(printed) and _KEPT.fullmatch(printed):
        return []
    norm = normalize(printed)
    if not _MAY_CLAIM.search(norm):
        return []
    text = compact(printed)  # what the clauses and all_done read
    figures = _CLAUSE_MAY_CLAIM.search(text) is not None  # else no clause states a claim of its own
    if not figures and "申请" not in text:  # … nor is it all_done
        return []
    clauses = _clauses(text)
    found = _clause_claims(clauses, printed, scope, bool(_ABOUT_APPLICATIONS.search(norm))) if figures else []
    whole = any(c.kind in ("received", "received_with_carry", "none_received") for c in found)
    done = _all_done(clauses, text, printed, whole)
    if done is not None:
        found.append(done)
    return found


def _clause_claims(clauses: list[_Clause], printed: str, scope: _Scope, about_applications: bool) -> list[Claim]:
    """The claims read clause by clause, in order."""
    found: list[Claim] = []
    totals = False  # a received figure found in an earlier clause: a later sub-clause may split it
    for clause in clauses:
        if not _CLAUSE_MAY_CLAIM.search(clause.text):
            continue
        if not (clause.sub and totals) and not _CLAUSE_TOPIC.search(clause.text):
            continue
        if _ABOUT_SUITS.search(clause.text) is None:
            claim = _received(clause, printed, scope, about_applications) or _none_received(clause, printed, scope)
            if claim is not None:
                found.append(claim)
                totals = totals or claim.kind in ("received", "received_with_carry")
            if "申请" in clause.text or (clause.sub and totals):
                found.extend(_applicants(clause, printed))
            found.extend(_carried(clause, printed, scope))
        found.extend(_suits(clause, printed, scope))
    return found
