"""Rules across reports on a small multi-year, multi-agency fixture.

Six agencies, 2023 and 2024. Every report shares the template's wording (the builders' stock sentences,
the legal boilerplate) and has its own text, drawn from a pool of phrases, so peers resemble each other
the way real reports do. Planted once each: a carry-over mismatch (under a variant spelling of the
agency's name), a narrative copied from last year, a narrative copied from a peer. Nothing else may fire.
"""

from __future__ import annotations

import dataclasses
import json
import random
from pathlib import Path

import pytest
from builders import NARRATIVE, make_tables, render

from auditlib.audit import Outcome, audit_paths
from auditlib.cli import main
from auditlib.history import history_frame
from auditlib.model import Report
from auditlib.parse import parse_text
from auditlib.rules import CORPUS_RULES, check_corpus
from auditlib.rules.cross_report import (
    agency_key,
    links,
    links_frame,
    matching_passages,
    own_sentences,
    previous_year_index,
    sentence_keys,
    shared_names,
)
from auditlib.rules.similarity import Pair, near_duplicates

CROSS = set(CORPUS_RULES)

TOPICS = ["政策解读", "政务新媒体", "公开专栏", "保密审查", "政务服务中心", "村务公开", "重大决策预公开", "财政预决算",
          "建议提案办理", "网站常态化监测", "业务培训", "公开指南和目录"]
ACTIONS = ["针对群众反映较多的办事难点", "结合辖区产业发展实际", "围绕年度民生实事项目", "按照县政务公开办的统一部署",
           "聚焦乡村振兴重点任务", "对照上级评估指标逐项梳理", "联合司法所和综治中心", "依托便民服务站点",
           "借助村级微信群和广播", "在镇村两级同步推进", "会同财政所逐笔核对", "邀请人大代表和群众代表参与"]
DETAILS = ["逐项建立问题清单并明确完成时限", "安排专人负责信息采集和更新", "每季度开展一次自查并通报结果",
           "将办理情况纳入干部年度考核", "编制图解和短视频方便群众理解", "在公开栏张贴纸质版本供群众查阅",
           "对过期和失效内容及时清理归档", "设置意见箱收集群众对公开内容的建议", "实行一事一档全过程留痕",
           "对涉及个人隐私的内容严格审核后发布", "建立部门之间的信息共享台账", "每月通报各村公开情况"]
RESULTS = ["全年发布相关信息{n}条", "累计接待群众咨询{n}人次", "群众满意度较上年有所提升", "相关栏目更新率达到百分之百",
           "收集群众意见建议{n}条并全部回复", "组织专题培训{n}场次", "整改发现的问题{n}个", "制作解读材料{n}份",
           "实现辖区{n}个行政村全覆盖", "未发生泄密和不当公开事件", "开展入户宣传{n}次", "公开事项办结率明显提高"]


def own_paragraphs(rng: random.Random, short: str, n: int = 8) -> list[str]:
    out = []
    for k in range(n):
        topic, action, detail, result = (rng.choice(TOPICS), rng.choice(ACTIONS), rng.choice(DETAILS),
                                         rng.choice(RESULTS).format(n=rng.randint(2, 300)))
        subject = f"{short}" if k % 3 == 0 else ""
        out.append(f"{topic}方面，{subject}{action}，{detail}，{result}。")
    return out


def narrative(own: list[str]) -> dict[str, list[str]]:
    """The builders' stock sentences (template wording every report shares) with the agency's own text."""
    return {"1": NARRATIVE["1"] + own[:5], "5": NARRATIVE["5"] + own[5:7],
            "6": NARRATIVE["6"] + own[7:] + ["本报告根据《中华人民共和国政府信息公开条例》要求编制。"]}


def tables(carried: tuple[int, int] = (0, 0), carried_out: tuple[int, int] = (0, 0)) -> dict:
    """Consistent tables: (5, 3) new applications; (自然人, 商业企业) carried in and carried out."""
    t = make_tables(zero=True)
    app = t["applications"]
    for row, (natural, commercial) in (("1", (5, 3)), ("2", carried), ("4", carried_out)):
        app[row].update(natural_person=natural, commercial=commercial, total=natural + commercial)
    for col in ("natural_person", "commercial", "total"):
        app["3.1"][col] = app["3.7"][col] = app["1"][col] + app["2"][col] - app["4"][col]
    return t


AGENCIES = [("青山镇人民政府", "青山镇"), ("绿水乡人民政府", "绿水乡"), ("王集乡人民政府", "王集乡"),
            ("红星街道办事处", "红星街道"), ("白云镇人民政府", "白云镇"), ("金沙乡人民政府", "金沙乡")]


def fixture_texts() -> dict[str, str]:
    """name → report text. Planted: 王集乡 carry-over, 白云镇 copy of 2023, 金沙乡 copy of 红星街道 2024."""
    rng = random.Random(20240131)
    own = {(short, year): own_paragraphs(rng, short) for _, short in AGENCIES for year in (2023, 2024)}
    # COPY-PRIOR: 白云镇 2024 repeats 2023, new figures, one sentence of eight rewritten
    copied = [p.replace("2", "3") for p in own[("白云镇", 2023)]]
    copied[4] = own[("白云镇", 2024)][4]
    own[("白云镇", 2024)] = copied
    # COPY-PEER: 金沙乡 2024 takes 红星街道's 2024 text and changes the name
    own[("金沙乡", 2024)] = [p.replace("红星街道", "金沙乡") for p in own[("红星街道", 2024)]]
    carry = {("青山镇", 2023): tables(carried_out=(1, 0)), ("青山镇", 2024): tables(carried=(1, 0)),
             ("绿水乡", 2023): tables(carried_out=(2, 1)), ("绿水乡", 2024): tables(carried=(2, 1)),
             # CARRY-OVER-MISMATCH: last year carried (0, 2) out, this year reports (0, 1) carried in
             ("王集乡", 2023): tables(carried_out=(0, 2)), ("王集乡", 2024): tables(carried=(0, 1))}
    out = {}
    for agency, short in AGENCIES:
        for year in (2023, 2024):
            # 2023's report spells the county prefix with a variant character (郟县 for 郏县)
            name = "郟县王集乡人民政府" if (short, year) == ("王集乡", 2023) else agency
            t = carry.get((short, year), tables())
            out[f"{year}_{short}.txt"] = render(t, agency=name, year=year, narrative=narrative(own[(short, year)]))
    return out


EXPECTED = {("2024_王集乡.txt", "CARRY-OVER-MISMATCH"), ("2024_白云镇.txt", "COPY-PRIOR"),
            ("2024_红星街道.txt", "COPY-PEER"), ("2024_金沙乡.txt", "COPY-PEER")}


@pytest.fixture(scope="module")
def reports() -> list[Report]:
    return [parse_text(text, path=name) for name, text in fixture_texts().items()]


def test_each_planted_problem_is_found_once_and_nothing_else(reports: list[Report]) -> None:
    found = [(r.path, f.rule) for r, fs in zip(reports, check_corpus(reports), strict=True) for f in fs]
    assert sorted(found) == sorted(EXPECTED)


def test_carry_over_message_names_last_years_report_and_columns(reports: list[Report]) -> None:
    i = [r.path for r in reports].index("2024_王集乡.txt")
    (finding,) = check_corpus(reports)[i]
    assert "2023_王集乡.txt" in finding.message and "商业企业 本年 1、上年报告 2" in finding.message
    assert set(finding.cells) == {"applications.2.commercial", "applications.2.total"}


def test_copy_messages_name_the_other_report(reports: list[Report]) -> None:
    by_path = {r.path: fs for r, fs in zip(reports, check_corpus(reports), strict=True)}
    (prior,) = by_path["2024_白云镇.txt"]
    assert "2023_白云镇.txt" in prior.message and "相似度" in prior.message and "如：“" in prior.message
    (peer,) = by_path["2024_金沙乡.txt"]
    assert "红星街道办事处2024年报告（2024_红星街道.txt）" in peer.message
    assert peer.cells == ("section.1", "section.5", "section.6")


def test_own_text_is_what_tells_reports_apart(reports: list[Report]) -> None:
    """The shared wording makes every pair of raw narratives alike; without it, only the planted pairs are."""
    from auditlib.rules.cross_report import own_texts
    from auditlib.rules.similarity import jaccard, shingles

    raw = ["".join(report.section_text(k) for k in ("1", "5", "6")) for report in reports]
    groups = [agency_key(r.agency) or "" for r in reports]
    own = own_texts([[p.key for p in own_sentences(r)] for r in reports], groups)
    planted = [{"2024_红星街道.txt", "2024_金沙乡.txt"}, {"2023_白云镇.txt", "2024_白云镇.txt"}]
    pairs = [(a, b) for a in range(len(reports)) for b in range(a + 1, len(reports))]
    honest = [(a, b) for a, b in pairs if {reports[a].path, reports[b].path} not in planted]
    copied = [(a, b) for a, b in pairs if {reports[a].path, reports[b].path} in planted]
    assert min(jaccard(shingles(raw[a]), shingles(raw[b])) for a, b in honest) > 0.3
    assert max(jaccard(shingles(own[a]), shingles(own[b])) for a, b in honest) < 0.5
    assert min(jaccard(shingles(own[a]), shingles(own[b])) for a, b in copied) > 0.8


_BASE = parse_text(render(make_tables()))


def _named(path: str, agency: str, year: int, region: str = "") -> Report:
    return dataclasses.replace(_BASE, path=path, agency=agency, year=year, extra={"region": region} if region else {})


def test_a_name_shared_across_folders_pairs_only_within_its_folder() -> None:
    reports = [_named("东区/a2023.txt", "石桥镇人民政府", 2023), _named("东区/a2024.txt", "石桥镇人民政府", 2024),
               _named("西区/a2024.txt", "石桥镇人民政府", 2024)]
    assert previous_year_index(reports) == {1: 0}  # 西区's has no 2023 report of its own: not 东区's


def test_a_name_of_one_report_a_year_pairs_across_year_folders() -> None:
    reports = [_named("2023/a.txt", "石桥镇人民政府", 2023), _named("2024/a.txt", "石桥镇人民政府", 2024),
               _named("2024/b.txt", "城关区财政局", 2024)]
    assert previous_year_index(reports) == {1: 0}  # the quiet twin: one 石桥镇 a year, the name is enough


def test_two_places_printed_before_one_name_are_two_agencies_in_one_folder() -> None:
    """A province's reports in one folder: 郏县 and 宝丰县 each have a 城关镇. The regions their titles print
    keep them apart: no carry-over between them, one history each, and copying between them is found."""
    reports = [_named("省/1.txt", "城关镇人民政府", 2023, "平顶山市郏县"), _named("省/2.txt", "城关镇人民政府", 2024, "宝丰县"),
               _named("省/3.txt", "城关镇人民政府", 2024, "郟县")]
    assert previous_year_index(reports) == {2: 0}  # 郟县 is 郏县 (variant folded), 平顶山市 its city
    assert "城关镇政府" in shared_names(reports)
    outcomes = [Outcome(r.path, r, []) for r in reports]
    frame = history_frame(outcomes)
    assert dict(zip(frame["report"], frame["history_key"], strict=True)) == {
        "省/1.txt": "城关镇政府@郏县", "省/2.txt": "城关镇政府@宝丰县", "省/3.txt": "城关镇政府@郏县"}
    peer = [link for link in links(reports) if link.rule == "COPY-PEER"]  # the same text: copied, across places
    assert {(link.report, link.other) for link in peer} == {(1, 2), (2, 1)}


def test_places_pair_one_name_across_year_folders() -> None:
    reports = [_named("2023/a.txt", "城关镇人民政府", 2023, "郏县"), _named("2023/b.txt", "城关镇人民政府", 2023, "宝丰县"),
               _named("2024/a.txt", "城关镇人民政府", 2024, "宝丰县"), _named("2024/b.txt", "城关镇人民政府", 2024, "郏县"),
               _named("2024/c.txt", "城关镇人民政府", 2024)]
    assert previous_year_index(reports) == {2: 1, 3: 0}  # by place; the one printing none has no pair


def test_agency_key_folds_variants_and_prefixes() -> None:
    assert agency_key("郟县王集乡人民政府") == agency_key("王集乡 人民政府") == agency_key("王集乡政府")
    assert agency_key("青山镇人民政府") != agency_key("绿水乡人民政府")
    assert agency_key(None) is None


def test_matching_passages_side_by_side(reports: list[Report]) -> None:
    by_path = {r.path: r for r in reports}
    passages = matching_passages(by_path["2024_金沙乡.txt"], by_path["2024_红星街道.txt"])
    assert passages
    mine, theirs = passages[0]
    assert "金沙乡" in "".join(a for a, _ in passages) and "红星街道" in "".join(b for _, b in passages)
    assert mine.replace("金沙乡", "红星街道") == theirs
    assert not any("习近平" in a for a, _ in passages), "template wording is not a matching passage"


def test_links_frame_for_the_notebooks(reports: list[Report]) -> None:
    frame = links_frame(reports)
    assert set(zip(frame["report"], frame["rule"], strict=True)) == EXPECTED
    row = frame.filter(frame["report"] == "2024_金沙乡.txt").row(0, named=True)
    assert row["other_report"] == "2024_红星街道.txt" and row["similarity"] >= 0.8
    assert {k.rule for k in links(reports)} == {"CARRY-OVER-MISMATCH", "COPY-PRIOR", "COPY-PEER"}


def test_one_report_gets_no_cross_report_findings(reports: list[Report]) -> None:
    assert check_corpus(reports[:1]) == [[]]


def test_check_score_and_batch_get_them_through_audit_paths(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for name, text in fixture_texts().items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    outcomes = audit_paths([tmp_path])
    found = {(Path(o.path).name, f.rule) for o in outcomes for f in o.findings if f.rule in CROSS}
    assert found == EXPECTED
    assert not any(f.severity == "error" for o in outcomes for f in o.findings)
    assert main(["score", str(tmp_path), "--json"]) == 0
    scores = {Path(d["report"]).name: d for d in map(json.loads, capsys.readouterr().out.splitlines())}
    copied = scores["2024_白云镇.txt"]
    assert {"item": "问题整改与原创", "points": -10, "rules": ["COPY-PRIOR"]} in copied["deductions"]
    carry = scores["2024_王集乡.txt"]
    assert {"item": "跨年度衔接", "points": -10, "rules": ["CARRY-OVER-MISMATCH"]} in carry["deductions"]


# --- the text-level machinery ------------------------------------------------------------------------


def test_sentence_keys_drop_fixed_wording_and_mask_names_and_digits() -> None:
    keys = sentence_keys("（一）主动公开：2024年，红旗区坚持以习近平新时代中国特色社会主义思想为指导，"
                         "认真贯彻落实《中华人民共和国政府信息公开条例》，新建公开专栏3个。\n（二）依申请公开\n"
                         "1.加强组织领导，我区成立了政务公开领导小组。", ("红旗区",))
    assert [k.key for k in keys] == ["#年〇新建公开专栏#个", "加强组织领导〇成立了政务公开领导小组"]


def _random_texts(n: int, seed: int = 3) -> tuple[list[str], set[tuple[int, int]]]:
    rng = random.Random(seed)
    chars = [chr(c) for c in range(0x4E00, 0x4E00 + 2500)]
    texts = ["".join(rng.choices(chars, k=rng.randint(300, 900))) for _ in range(n)]
    planted = set()
    for k in range(0, n - 1, 25):
        src = texts[k]
        cut = rng.randint(0, len(src) - 30)
        texts[k + 1] = src[:cut] + "".join(rng.choices(chars, k=12)) + src[cut + 12:]  # a near copy
        planted.add((k, k + 1))
    return texts, planted


def test_minhash_lsh_finds_what_exact_comparison_finds() -> None:
    texts, planted = _random_texts(200)
    lsh = near_duplicates(texts, exact_limit=0)
    exact = near_duplicates(texts, exact_limit=10**6)
    assert lsh == exact
    assert {(p.a, p.b) for p in lsh} == planted
    assert all(isinstance(p, Pair) and p.similarity >= 0.8 for p in lsh)


def test_short_texts_are_not_compared() -> None:
    assert near_duplicates(["政务公开工作有序推进" * 3] * 3) == []
