"""Rules across reports: carry-over between years, and narratives copied from last year or from a peer.

They run whenever one call (`check`, `score`, a batch) gets two or more readable reports.

- The same agency is recognised by `agency_key` (the parser's normalised name, variant characters
  folded, whitespace removed); its previous-year report is the one with the same key and year − 1.
  Where both reports print the region before the name (`agency_place`: 郏县 of 郏县城关镇人民政府), two
  regions tell two agencies of one name apart: they are never paired and may copy from each other.
- Copy detection compares what an agency wrote itself: sections 一, 五, 六 split into sentences, with the
  template's fixed wording removed (list markers, sub-headings, the legal boilerplate every report
  shares, see BOILERPLATE), the agency's own name and the digits masked (a copied report changes the
  name and the figures), and then every sentence that many agencies of the call share (the template a
  province or county hands out) dropped as well.
- Near-identical pairs are found by `auditlib.rules.similarity` (5-gram Jaccard, MinHash and LSH
  banding for large calls).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from math import ceil
from pathlib import PurePath

import polars as pl

from auditlib.agency import innermost_unit, normalize_agency
from auditlib.findings import Severity
from auditlib.model import Report
from auditlib.rules.registry import Violation, corpus_rule, listing, part, violation
from auditlib.rules.similarity import COPY_THRESHOLD, MIN_OWN_CHARS, jaccard, near_duplicates, shingles
from auditlib.template import APPLICATIONS
from auditlib.text import compact

__all__ = [
    "Link",
    "Passage",
    "agency_key",
    "agency_place",
    "carry_over_differences",
    "links",
    "links_frame",
    "matching_passages",
    "own_sentences",
    "own_texts",
    "previous_year_index",
    "shared_names",
    "sentence_keys",
]

COMMON_SHARE = 0.3  # a sentence that this share of the agencies print is template or boilerplate …
COMMON_MIN = 5  # … provided at least this many agencies print it (a copied pair is not "common")

# ---------------------------------------------------------------------------------------------
# The agency
# ---------------------------------------------------------------------------------------------

# Traditional and variant forms that turn up in agency names (郟县 for 郏县 in a seed).
_VARIANTS = str.maketrans(
    "郟區縣鎮鄉會廳辦門衛務開發關東陽陰華濟寧龍灣嶺廣鄭萬莊蘇慶雲臺黃漢遼瀋橋劉張陳楊趙吳鐵馬鳳風農義興蘭壩塢鹽澤潁峽灘樂遠衞鄖鄲邢閩贛滬淪葉蕪",
    "郏区县镇乡会厅办门卫务开发关东阳阴华济宁龙湾岭广郑万庄苏庆云台黄汉辽沈桥刘张陈杨赵吴铁马凤风农义兴兰坝坞盐泽颍峡滩乐远卫郧郸邢闽赣沪沦叶芜",
)


def agency_key(name: str | None) -> str | None:
    """The name two reports of one agency share: `郟县王集乡人民政府` and `王集乡人民政府` → `王集乡政府`."""
    if not name:
        return None
    key = normalize_agency(compact(name).translate(_VARIANTS))
    key = re.sub(r"人民政府$", "政府", key)
    return key or None


def agency_place(report: Report) -> str:
    """The innermost unit of the region the report prints before its agency's name (`平顶山市郏县城关镇人民政府`
    → `郏县`), variant characters folded; "" when the name printed none."""
    region = str(report.extra.get("region") or "")
    return innermost_unit(compact(region).translate(_VARIANTS)) if region else ""


def different_places(a: str, b: str) -> bool:
    """Two `agency_place`s that name two places (an unknown place is no evidence either way)."""
    return bool(a and b and a != b)


def shared_names(reports: Sequence[Report]) -> set[str]:
    """The `agency_key`s that reports of one year in different folders share, or that reports of different
    places print: names of several agencies (two 石桥镇 of different districts), which alone tell no
    report whose it is."""
    folders: dict[tuple[str, int | None], set[PurePath]] = {}
    places: dict[str, set[str]] = {}
    for r in reports:
        key = agency_key(r.agency)
        if key is not None:
            folders.setdefault((key, r.year), set()).add(PurePath(r.path).parent)
            if place := agency_place(r):
                places.setdefault(key, set()).add(place)
    return ({key for (key, _), seen in folders.items() if len(seen) > 1}
            | {key for key, seen in places.items() if len(seen) > 1})


def previous_year_index(reports: Sequence[Report]) -> dict[int, int]:
    """Report index → index of the same agency's previous-year report, where present.

    The same agency is the same name (`agency_key`), never in two places (`agency_place`). A name several
    agencies share (`shared_names`) does not tell which is whose: such a report is paired only with a
    previous-year report in its own folder or of its own place. Among several candidates, one in the same
    folder comes first, then one of the same place, then the first one given.
    """
    keys = [agency_key(r.agency) for r in reports]
    by_year: dict[tuple[str, int], list[int]] = {}
    for i, (r, key) in enumerate(zip(reports, keys, strict=True)):
        if key is not None and r.year is not None:
            by_year.setdefault((key, r.year), []).append(i)
    folders = [PurePath(r.path).parent for r in reports]
    places = [agency_place(r) for r in reports]
    shared = shared_names(reports)
    out: dict[int, int] = {}
    for (key, year), group in by_year.items():
        candidates = by_year.get((key, year - 1), [])
        for i in group:
            def rank(j: int, i: int = i) -> tuple[bool, bool]:
                return folders[j] != folders[i], not (places[i] and places[j] == places[i])

            allowed = [j for j in candidates if j != i and not different_places(places[i], places[j])]
            if key in shared:
                allowed = [j for j in allowed if rank(j) != (True, True)]
            if allowed:
                out[i] = min(allowed, key=lambda j: (rank(j), j))
    return dict(sorted(out.items()))


# How the rules across reports name another report in their messages (fragments of their declarations).
_REPORT_PARTS = {"report": "{agency}{year}报告（{path}）", "year": "{year}年", "no_agency": "（机关未识别）"}


def _title(rule_id: str, report: Report) -> str:
    # the file name, not the path: a batch passes absolute paths, which would print the machine's folders
    who = report.agency or part(rule_id, "no_agency")
    year = part(rule_id, "year", year=report.year) if report.year is not None else ""
    return part(rule_id, "report", agency=who, year=year, path=PurePath(report.path).name)


# ---------------------------------------------------------------------------------------------
# Carry-over
# ---------------------------------------------------------------------------------------------


def carry_over_differences(report: Report, prior: Report) -> list[tuple[str, int | float, int | float]]:
    """(column key, this year's 上年结转, last year's 结转下年度) for every column where both are known and differ."""
    out: list[tuple[str, int | float, int | float]] = []
    for col in APPLICATIONS.columns:
        now, before = report.value(f"applications.2.{col.key}"), prior.value(f"applications.4.{col.key}")
        if now is not None and before is not None and now != before:
            out.append((col.key, now, before))
    return out


_COLUMN_LABEL = {c.key: c.label for c in APPLICATIONS.columns}
CARRY, COPY_PRIOR, COPY_PEER = "CARRY-OVER-MISMATCH", "COPY-PRIOR", "COPY-PEER"


@corpus_rule("CARRY-OVER-MISMATCH", Severity.WARNING,
             f"本年「{APPLICATIONS.row('2').label}」与{{prior}}的「{APPLICATIONS.row('4').label}」不一致：{{columns}}",
             name="结转不衔接", parts={**_REPORT_PARTS, "column": "{column} 本年 {now}、上年报告 {before}"})
def carry_over_matches_prior_year(reports: Sequence[Report]) -> Iterator[tuple[int, Violation]]:
    """本年“上年结转”每一栏应等于本机关上一年度报告“结转下年度继续办理”的同一栏（两栏都有数字时核对）。"""
    for i, j in sorted(previous_year_index(reports).items()):
        diffs = carry_over_differences(reports[i], reports[j])
        if diffs:
            columns = listing((part(CARRY, "column", column=_COLUMN_LABEL[c], now=a, before=b) for c, a, b in diffs),
                              "clauses")
            yield i, violation([f"applications.2.{c}" for c, _, _ in diffs], prior=_title(CARRY, reports[j]),
                               columns=columns)


# ---------------------------------------------------------------------------------------------
# The agency's own narrative
# ---------------------------------------------------------------------------------------------

# Wording every report shares whoever wrote it: removed before comparing (applied to compact, NFKC text).
BOILERPLATE = tuple(re.compile(p) for p in (
    r"(?:坚持|始终坚持)?以习近平新时代中国特色社会主义思想为指导",
    r"在习近平新时代中国特色社会主义思想(?:的)?指导下",
    r"(?:深入|全面|认真)?(?:学习)?贯彻(?:落实)?党的[一二三四五六七八九十]+大(?:和[^,，。;；]{0,30}全会)?精神",
    r"(?:认真|深入|全面|严格)?(?:贯彻落实|贯彻执行|落实|按照|根据|依据|依照)?《中华人民共和国政府信息公开条例》"
    r"(?:[（(]以下简称《条例》[）)])?(?:的规定|规定|要求)?",
    r"本(?:年度)?报告[^。;；]{0,60}?编制",
    r"(?:本报告)?(?:中)?所列数据的?统计期限[^。;；]{0,40}",
    r"本报告(?:的)?电子版[^。;；]{0,60}",
    r"如对本报告有任何疑问[^。;；]{0,60}",
    r"《(?:国务院办公厅关于印发〈)?政府信息公开信息处理费管理办法(?:〉的通知)?》(?:[（(]国办函〔\d+〕\d+号[）)])?",
    r"按件、?按量收费标准",
    r"知情权、参与权、表达权和监督权|知情权、参与权和监督权",
))
_SPLIT = re.compile(r"[。；;！!？?\n]+")
_LEAD = re.compile(
    r"^(?:[(（][一二三四五六七八九十\d]{1,3}[)）][、.．]?|[一二三四五六七八九十]{1,3}[、.．]|\d{1,2}[、.．](?!\d)"
    r"|[一二三四五六七八九十]是|第[一二三四五六七八九十]+[,，、]?|[-*•·>#]+)"
)
_LABEL = re.compile(
    r"^(?:主动公开|依申请公开|政府信息管理|政府信息公开平台建设|平台建设|监督保障|存在(?:的主要)?问题|主要问题"
    r"|改进(?:措施|情况)|整改情况|其他(?:需要报告的)?事项|总体情况)(?:方面|情况)?[:：]?"
)
_HEAD = re.compile(f"^(?:{_LEAD.pattern[1:]}|{_LABEL.pattern[1:]})+")
_BOILERPLATE = re.compile("|".join(f"(?:{p.pattern})" for p in BOILERPLATE))
_BOILERPLATE_HINT = re.compile("习近平|党的|条例|报告|处理费|按件|知情权")
_SELF = re.compile(r"[我本全该](?:区|县|市|镇|乡|街道|旗|州|省|局|委|办|厅|院|中心|机关|单位|部门|所)")
_DIGITS = re.compile(r"\d+(?:\.\d+)?")
_NOT_WORD = re.compile(r"[^\w〇#]|_")
MIN_SENTENCE = 6


@dataclass(frozen=True)
class Passage:
    """A sentence of the narrative: `key` is what is compared, `text` what was printed."""

    key: str
    text: str


def _own_names(agency: str | None) -> tuple[str, ...]:
    """The agency's name and its short forms, longest first (masked in the text)."""
    if not agency:
        return ()
    name = compact(agency).translate(_VARIANTS)
    names = {name, compact(agency)}
    stem = re.sub(r"(人民政府|政府|办事处|管理委员会|管委会)$", "", name)
    names.add(stem)
    core = re.sub(r"(区|县|市|镇|乡|街道|旗)$", "", stem)
    if len(core) >= 2:
        names.add(core)
    return tuple(sorted((n for n in names if len(n) >= 2), key=len, reverse=True))


def sentence_keys(text: str, names: Sequence[str] = ()) -> list[Passage]:
    """The text's sentences with fixed wording removed, names and digits masked; short leftovers dropped."""
    out: list[Passage] = []
    for raw in _SPLIT.split(text):
        s = _HEAD.sub("", compact(raw))
        if _BOILERPLATE_HINT.search(s):
            s = _BOILERPLATE.sub("", s)
        for name in names:
            s = s.replace(name, "〇")
        s = _DIGITS.sub("#", _SELF.sub("〇", s))
        s = _NOT_WORD.sub("", s)
        if len(s) >= MIN_SENTENCE:
            out.append(Passage(s, raw.strip()))
    return out


def own_sentences(report: Report) -> list[Passage]:
    """Sections 一, 五, 六 as the agency wrote them: template wording out, own name and digits masked."""
    names = _own_names(report.agency)
    return [p for key in ("1", "5", "6") for p in sentence_keys(report.section_text(key), names)]


def own_texts(docs: Sequence[Sequence[str]], groups: Sequence[str] | None = None,
              share: float = COMMON_SHARE, min_count: int = COMMON_MIN) -> list[str]:
    """Each document's sentence keys joined, without the sentences that many groups (agencies) share."""
    labels: Sequence[str] = groups if groups is not None else [str(i) for i in range(len(docs))]
    by_group: dict[str, set[str]] = defaultdict(set)
    for label, doc in zip(labels, docs, strict=True):
        by_group[label].update(doc)
    counts: Counter[str] = Counter()
    for keys in by_group.values():
        counts.update(keys)
    limit = max(min_count, ceil(share * len(by_group)))
    common = {k for k, c in counts.items() if c >= limit}
    return ["".join(k for k in doc if k not in common) for doc in docs]


# ---------------------------------------------------------------------------------------------
# Links between reports (what the rules report and the notebooks show)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Link:
    """Report `report` is linked to report `other` (indices into the reports given) by `rule`."""

    report: int
    other: int
    rule: str  # CARRY-OVER-MISMATCH | COPY-PRIOR | COPY-PEER
    similarity: float | None = None


_CACHE: dict[tuple[float, tuple[tuple[str, str], ...]], list[Link]] = {}


def links(reports: Sequence[Report], threshold: float = COPY_THRESHOLD) -> list[Link]:
    """Every cross-report link among `reports` (cached on the reports' paths and hashes)."""
    key = (threshold, tuple((r.path, r.sha256) for r in reports))
    if key not in _CACHE:
        if len(_CACHE) >= 4:
            _CACHE.clear()
        _CACHE[key] = _analyse(reports, threshold)
    return _CACHE[key]


def _analyse(reports: Sequence[Report], threshold: float) -> list[Link]:
    out: list[Link] = []
    prior = previous_year_index(reports)
    for i, j in sorted(prior.items()):
        if carry_over_differences(reports[i], reports[j]):
            out.append(Link(i, j, "CARRY-OVER-MISMATCH"))
    keys = [agency_key(r.agency) for r in reports]
    groups = [k if k is not None else f"#{i}" for i, k in enumerate(keys)]
    texts = own_texts([[p.key for p in own_sentences(r)] for r in reports], groups)
    for i, j in sorted(prior.items()):
        if min(len(texts[i]), len(texts[j])) >= MIN_OWN_CHARS:
            sim = jaccard(shingles(texts[i]), shingles(texts[j]))
            if sim >= threshold:
                out.append(Link(i, j, "COPY-PRIOR", round(sim, 4)))
    for pair in near_duplicates(texts, threshold):
        ra, rb = reports[pair.a], reports[pair.b]
        ka, kb = keys[pair.a], keys[pair.b]
        if ra.year is None or ra.year != rb.year or ka is None or kb is None:
            continue
        if ka == kb and not different_places(agency_place(ra), agency_place(rb)):
            continue
        out.append(Link(pair.a, pair.b, "COPY-PEER", pair.similarity))
        out.append(Link(pair.b, pair.a, "COPY-PEER", pair.similarity))
    return out


LINKS_SCHEMA = {
    "report": pl.String, "agency": pl.String, "year": pl.Int64, "rule": pl.String,
    "other_report": pl.String, "other_agency": pl.String, "other_year": pl.Int64, "similarity": pl.Float64,
}


def links_frame(reports: Sequence[Report]) -> pl.DataFrame:
    """One row per link: report, agency, year, rule, other_report, other_agency, other_year, similarity."""
    rows = [
        {"report": reports[k.report].path, "agency": reports[k.report].agency, "year": reports[k.report].year,
         "rule": k.rule, "other_report": reports[k.other].path, "other_agency": reports[k.other].agency,
         "other_year": reports[k.other].year, "similarity": k.similarity}
        for k in links(reports)
    ]
    return pl.DataFrame(rows, schema=LINKS_SCHEMA)


def matching_passages(report_a: Report, report_b: Report, min_similarity: float = 0.5) -> list[tuple[str, str]]:
    """The passages of `report_a` that `report_b` repeats, as printed in each: [(text in a, text in b), …].

    Sentences are matched on their compared form (template wording out, names and digits masked);
    runs of consecutive matches are joined into one passage. In the order of `report_a`.
    """
    sa, sb = own_sentences(report_a), own_sentences(report_b)
    grams_b = [shingles(p.key, 3) for p in sb]
    matched: list[tuple[int, int]] = []
    for i, p in enumerate(sa):
        grams = shingles(p.key, 3)
        best, best_j = 0.0, -1
        for j, g in enumerate(grams_b):
            sim = jaccard(grams, g)
            if sim > best:
                best, best_j = sim, j
        if best >= min_similarity:
            matched.append((i, best_j))
    passages: list[tuple[list[int], list[int]]] = []
    for i, j in matched:
        if passages and passages[-1][0][-1] == i - 1 and passages[-1][1][-1] in (j - 1, j):
            passages[-1][0].append(i)
            if passages[-1][1][-1] != j:
                passages[-1][1].append(j)
        else:
            passages.append(([i], [j]))
    return [("。".join(sa[i].text.rstrip("。") for i in ia) + "。", "。".join(sb[j].text.rstrip("。") for j in jb) + "。")
            for ia, jb in passages]


def _example(rule_id: str, report_a: Report, report_b: Report, limit: int = 40) -> str:
    passages = matching_passages(report_a, report_b)
    if not passages:
        return ""
    text = max(passages, key=lambda p: len(p[0]))[0]
    text = compact(text)
    return part(rule_id, "example", text=text if len(text) <= limit else text[: limit - 1] + "…")


_NARRATIVE_CELLS = ("section.1", "section.5", "section.6")


def _cells(report: Report) -> tuple[str, ...]:
    return tuple(c for c in _NARRATIVE_CELLS if (s := report.sections.get(c.split(".")[1])) is not None and s.present)


@corpus_rule("COPY-PRIOR", Severity.WARNING,
             "「总体情况」「存在的主要问题及改进情况」「其他需要报告的事项」的自拟内容与本机关上一年度{prior}"
             "高度雷同（相似度 {similarity}），可能照搬上年报告{example}",
             name="照搬上年", parts={**_REPORT_PARTS, "example": "，如：“{text}”"})
def narrative_not_copied_from_prior_year(reports: Sequence[Report]) -> Iterator[tuple[int, Violation]]:
    """第一、五、六部分去掉模板固定文字后，不应与本机关上一年度报告近乎相同（相似度 ≥ 80%）。"""
    for k in links(reports):
        if k.rule == "COPY-PRIOR":
            a, b = reports[k.report], reports[k.other]
            yield k.report, violation(_cells(a), prior=_title(COPY_PRIOR, b), similarity=f"{k.similarity or 0:.0%}",
                                      example=_example(COPY_PRIOR, a, b))


@corpus_rule("COPY-PEER", Severity.WARNING,
             "「总体情况」「存在的主要问题及改进情况」「其他需要报告的事项」的自拟内容与{other}"
             "高度雷同（相似度 {similarity}）{more}{example}",
             name="与他人雷同", parts={**_REPORT_PARTS, "example": "，如：“{text}”",
                                  "more": "；另与 {count} 份同年度报告高度雷同"})
def narrative_not_copied_from_peer(reports: Sequence[Report]) -> Iterator[tuple[int, Violation]]:
    """第一、五、六部分去掉模板固定文字后，不应与同一年度其他机关的报告近乎相同（相似度 ≥ 80%）。"""
    peers: dict[int, list[Link]] = defaultdict(list)
    for k in links(reports):
        if k.rule == "COPY-PEER":
            peers[k.report].append(k)
    for index in sorted(peers):
        ranked = sorted(peers[index], key=lambda k: (-(k.similarity or 0), k.other))
        best = ranked[0]
        a, b = reports[index], reports[best.other]
        more = part(COPY_PEER, "more", count=len(ranked) - 1) if len(ranked) > 1 else ""
        yield index, violation(_cells(a), other=_title(COPY_PEER, b), similarity=f"{best.similarity or 0:.0%}",
                               more=more, example=_example(COPY_PEER, a, b))


# YOY-CHANGE lives in its own module (this one is long); importing it here registers it with the others.
from auditlib.rules import year_on_year  # noqa: E402, F401
