"""What an inspector judges a finding on (issue 10): the agency page's evidence, names, caps and history.

The multi-year fixture of test_cross_report (planted: a carry-over mismatch, a copy of last year, a copy
of a peer), plus two more townships that print 金沙乡's text, is audited as the batch audits it; each page
gets the batch's `batch_context`, as the batch passes it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from builders import render as render_report
from conftest import SEEDS
from test_cross_report import fixture_texts
from test_narrative import SENT_20, tables

from auditlib import render
from auditlib.batch.run import audit_batch
from auditlib.parse import parse_text
from auditlib.rubric import load_rubric
from auditlib.rules import REGISTRY
from auditlib.rules.cross_report import matching_passages
from auditlib.score import score_outcomes

EXTRA_COPIES = {"2024_青松镇.txt": "青松镇人民政府", "2024_石门乡.txt": "石门乡人民政府"}


@dataclass
class Batch:
    folder: Path
    paths: dict[str, str]  # file name → path
    corpus: dict[str, list[dict[str, Any]]]
    contexts: dict[str, dict[str, Any]]

    def page(self, name: str, **kw: Any) -> render.AgencyPage:
        return render.agency_page(self.paths[name], corpus_findings=self.corpus[name],
                                  batch_context=self.contexts[name], **kw)


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> Batch:
    folder = tmp_path_factory.mktemp("evidence")
    texts = fixture_texts()
    copied = texts["2024_金沙乡.txt"]
    for name, agency in EXTRA_COPIES.items():
        texts[name] = copied.replace("金沙乡人民政府", agency).replace("金沙乡", agency[:3])
    for name, text in texts.items():
        (folder / name).write_text(text, encoding="utf-8")
    paths = sorted(str(p) for p in folder.glob("*.txt"))
    outcomes, corpus = audit_batch(paths)
    scores = score_outcomes(outcomes, load_rubric())
    contexts = render.batch_contexts(outcomes, scores, [Path(p).stem + ".html" for p in paths])
    names = [Path(p).name for p in paths]
    return Batch(folder, dict(zip(names, paths, strict=True)), dict(zip(names, corpus, strict=True)),
                 dict(zip(names, contexts, strict=True)))


def whole(page: render.AgencyPage) -> str:
    return "".join(str(x) for x in (page.heading(), page.score_section(), page.summary(), page.tables(),
                                    page.findings(), page.history()))


def detail(page: render.AgencyPage, rule: str) -> render.FindingDetail:
    return next(d for d in page.details() if d.rule == rule)


def test_copy_peer_lists_every_matched_report_with_passages_side_by_side(batch: Batch) -> None:
    page = batch.page("2024_金沙乡.txt")
    d = detail(page, "COPY-PEER")
    assert "另与 2 份同年度报告高度雷同" in d.message
    others = {"2024_红星街道.txt", *EXTRA_COPIES}
    rows = re.findall(r"<tr class='copy-match'>(.*?)</tr>", d.evidence)
    assert len(rows) == 3 and all(any(n in r for r in rows) for n in others)  # the 「另与 2 份」 enumerated
    for name in others:
        assert f"href='{Path(name).stem}.html'" in d.evidence  # relative link to the other page
    this = parse_text(Path(batch.paths["2024_金沙乡.txt"]).read_text(encoding="utf-8"), path="a.txt")
    peer = parse_text(Path(batch.paths["2024_红星街道.txt"]).read_text(encoding="utf-8"), path="b.txt")
    a, b = matching_passages(this, peer)[0]
    cells = re.findall(r"<tr class='passage'><td[^>]*>(.*?)</td><td[^>]*>(.*?)</td></tr>", d.evidence)
    assert (a, b) in cells and a != b  # each report's own wording (its name), one beside the other
    assert d.evidence_replaces_source  # the three heading lines are not the evidence


def test_a_peer_links_back(batch: Batch) -> None:
    d = detail(batch.page("2024_红星街道.txt"), "COPY-PEER")
    assert "href='2024_金沙乡.html'" in d.evidence


def test_copy_prior_links_to_last_year_and_last_year_links_back(batch: Batch) -> None:
    d = detail(batch.page("2024_白云镇.txt"), "COPY-PRIOR")
    assert "雷同的上一年度报告" in d.evidence and "href='2023_白云镇.html'" in d.evidence
    assert "<tr class='passage'>" in d.evidence
    last_year = batch.page("2023_白云镇.txt").history()
    link = re.search(r"<li class='related-link' data-rule='COPY-PRIOR' data-direction='in'>(.*?)</li>", last_year)
    assert link and "href='2024_白云镇.html'" in link.group(1) and "指向本报告" in link.group(1)


def test_carry_over_shows_last_years_row_beside_this_years(batch: Batch) -> None:
    d = detail(batch.page("2024_王集乡.txt"), "CARRY-OVER-MISMATCH")
    now = re.search(r"<tr class='carry-now'>(.*?)</tr>", d.evidence)
    before = re.search(r"<tr class='carry-before'>(.*?)</tr>", d.evidence)
    assert now and before and "上年结转" in now.group(1) and "结转下年度" in before.group(1)
    cells = lambda row: re.findall(r"<td[^>]*>([^<]*)</td>", row)  # noqa: E731
    # 商业企业 (the second column): this year 1, last year's report 2, highlighted as differing
    assert cells(now.group(1))[2] == "1" and cells(before.group(1))[2] == "2"
    assert "font-weight:700;'>1<" in now.group(1) and "href='2023_王集乡.html'" in d.evidence


def test_every_rule_says_what_it_checks(batch: Batch) -> None:
    pages = [batch.page(n) for n in ("2024_金沙乡.txt", "2024_白云镇.txt", "2024_王集乡.txt")]
    pages += [render.agency_page(str(s)) for s in SEEDS]
    details = [d for p in pages for d in p.details()]
    assert {"COPY-PEER", "COPY-PRIOR", "CARRY-OVER-MISMATCH"} <= {d.rule for d in details}
    for d in details:
        assert d.doc == REGISTRY[d.rule].doc and d.doc, d.rule
    html = pages[0].findings()
    assert "<b>本规则检查：</b>" + REGISTRY["COPY-PEER"].doc in html


def test_no_path_of_the_batch_machine_is_printed(batch: Batch) -> None:
    for name in ("2024_金沙乡.txt", "2024_白云镇.txt", "2024_王集乡.txt", "2023_白云镇.txt"):
        page = whole(batch.page(name))
        assert str(batch.folder) not in page and name in page


def test_section_findings_show_the_sections_text() -> None:
    shown = set()
    for seed in SEEDS:
        page = render.agency_page(str(seed))
        for d in page.details():
            if d.rule in ("FEE-NOT-REPORTED", "OVERVIEW-ASPECTS", "SEC5-NO-RECTIFY", "SEC5-THIN"):
                assert page.report is not None
                lines, _ = render.section_lines(page.report, d.sections[0].split(".")[1])
                body = [ln for ln in lines[1:] if ln.text.strip()]
                assert body, d.rule
                for ln in body[:3]:  # the text, not only the heading
                    assert f'data-line="{ln.number}"' in d.evidence and ln.text.strip()[:20] in d.evidence
                shown.add(d.rule)
    assert {"FEE-NOT-REPORTED", "OVERVIEW-ASPECTS", "SEC5-NO-RECTIFY"} <= shown


def test_text_table_mismatch_shows_the_sentence_in_context(tmp_path: Path) -> None:
    text = render_report(tables(new=(16, 5)), agency="红旗区人民政府", year=2024, narrative={
        "1": ["2024年，本机关认真做好政府信息公开工作。", SENT_20, "持续优化政府网站信息公开专栏。"],
        "5": ["政策解读形式较为单一，下一步将丰富解读形式。"], "6": ["本年度未收取信息处理费。"]})
    path = tmp_path / "r.txt"
    path.write_text(text, encoding="utf-8")
    d = detail(render.agency_page(str(path)), "TEXT-TABLE-MISMATCH")
    number = next(i for i, line in enumerate(text.split("\n"), 1) if SENT_20 in line)
    marked = re.search(rf'<div class="src-line marked" data-line="{number}"[^>]*>(.*?)</div>', d.evidence)
    assert marked and SENT_20 in marked.group(1) and f"第 {number} 行" in d.evidence
    assert f'data-line="{number - 1}"' in d.evidence and f'data-line="{number + 1}"' in d.evidence  # context


def test_short_name_first_then_the_id_in_summary_and_score(batch: Batch) -> None:
    page = batch.page("2024_金沙乡.txt")
    for html in (page.summary(), page.score_section(), page.findings()):
        name = REGISTRY["COPY-PEER"].name
        assert re.search(rf"<span class='rule-name'>{name}</span> <span class='rule-id'[^>]*>COPY-PEER</span>", html)


def test_the_score_says_when_a_grade_cap_applied_and_why() -> None:
    page = render.agency_page(str(SEEDS[0]))  # 红花集镇: all three tables zero
    assert page.score is not None and page.score.caps
    html = page.score_section()
    assert "等级封顶" in html and page.score.cap_reason in html and "经复核认定为误报而排除的问题不扣分" in html
    back = render.score_from_param(render.score_param(page.score))
    assert back.caps == page.score.caps and back.cap_reason == page.score.cap_reason  # the batch passes it on


def test_history_and_peer_quartiles(batch: Batch) -> None:
    html = batch.page("2024_金沙乡.txt").history()
    rows = re.findall(r"<tr class='history-row( current)?' data-year='(\d+)'", html)
    assert rows == [("", "2023"), (" current", "2024")]
    assert "href='2023_金沙乡.html'" in html  # last year's page, and it counted as last year's report
    assert "乡镇/街道" in html and html.count("<tr class='peer-row'") == 5  # five key figures
    peers = batch.contexts["2024_金沙乡.txt"]["peers"]
    assert all(p["peers"] == 8 for p in peers if p["value"] is not None)  # eight townships in 2024
    assert any(label in html for label in render.history.QUARTILE_LABELS.values())
    alone = render.agency_page(batch.paths["2024_金沙乡.txt"]).history()
    assert "本页单独生成" in alone and "history-row" not in alone


def test_review_times_print_without_the_iso_t(tmp_path: Path) -> None:
    from auditlib.review import finding_key, open_store

    before = render.agency_page(str(SEEDS[2]))
    f = before.outcome.findings[0]
    with open_store(tmp_path) as store:
        store.set_decision(finding_key(f), "确认问题", "已核实", "张三", finding=f)
    page = whole(render.agency_page(str(SEEDS[2]), run_dir=str(tmp_path)))
    assert re.search(r"张三，\d{4}-\d\d-\d\d \d\d:\d\d", page)
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d", page)
