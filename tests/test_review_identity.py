"""A finding's key: the same claim keeps it across re-runs and unrelated edits; a different claim does not."""

from __future__ import annotations

from pathlib import Path

from mutate import replace_cell

from auditlib.parse import parse_text
from auditlib.review import finding_key, key_of, review_state
from auditlib.review.records import Decision, Status
from auditlib.rules import check_report

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "examples" / "reports" / "003_4ea7538dec090386.txt"
CELL = "applications.1.natural_person"  # printed 16 in the seed


def _planted(value: str, text: str | None = None, path: str = "reports/红旗区.txt"):
    """Seed 003 with CELL printed as `value`: APP-ROW-TOTAL and APP-BALANCE fire."""
    base = SEED.read_text(encoding="utf-8") if text is None else text
    report = parse_text(base, path=path)
    planted = replace_cell(base, report, CELL, value)
    report = parse_text(planted, path=path)
    return planted, report, check_report(report)


def _by_rule(findings, rule):
    [found] = [f for f in findings if f.rule == rule]
    return found


def test_unrelated_edits_keep_every_key_though_the_lines_move() -> None:
    text, _, before = _planted("1")
    # An edit elsewhere: two lines added above the title and a sentence of section 二 reworded.
    assert text.count("丰富公开形式") == 1
    edited = "（此件已更新）\n\n" + text.replace("丰富公开形式", "进一步丰富公开的形式")
    after = check_report(parse_text(edited, path="elsewhere/renamed.txt"))
    row = _by_rule(before, "APP-ROW-TOTAL")
    moved = _by_rule(after, "APP-ROW-TOTAL")
    assert moved.lines != row.lines and moved.report != row.report  # lines and path did change …
    assert finding_key(moved) == finding_key(row)  # … the key did not
    assert sorted(map(finding_key, after)) == sorted(map(finding_key, before))


def test_a_changed_value_in_the_implicated_cell_is_a_new_claim_with_a_new_key() -> None:
    _, _, first = _planted("1")
    _, _, second = _planted("2")
    a, b = _by_rule(first, "APP-ROW-TOTAL"), _by_rule(second, "APP-ROW-TOTAL")
    assert a.cells == b.cells and a.message != b.message  # （5） → （6）
    assert finding_key(a) != finding_key(b)
    # The old decision is not carried over to the new claim, and is not lost either: it is an orphan.
    old = Decision(1, finding_key(a), Status.DISMISSED, "解析误读", "张三", "2026-01-05T10:00:00+08:00", "cli",
                   a.agency, a.year, a.rule, a.cells, a.message, a.report)
    state = review_state(second, {old.key: old})
    assert [r.status for r in state.findings if r.finding.rule == "APP-ROW-TOTAL"] == [Status.PENDING]
    assert state.orphans == (old,)
    assert state.counts()["已不存在"] == 1


def test_the_key_sees_the_agency_normalised_and_the_cells_as_a_set() -> None:
    args = (2024, "APP-BALANCE", ["applications.1.total", "applications.2.total"], "第一项……：总计")
    assert key_of("淮安市洪泽区人民政府", *args) == key_of("洪泽区 人民政府", *args)
    assert key_of("洪泽区人民政府", 2024, "APP-BALANCE", ["applications.2.total", "applications.1.total"],
                  "第一项……：总计") == key_of("洪泽区人民政府", *args)
    assert key_of("洪泽区人民政府", *args) != key_of("淮阴区人民政府", *args)
    assert key_of("洪泽区人民政府", *args) != key_of("洪泽区人民政府", 2023, *args[1:])


def test_copy_findings_keep_their_key_when_only_the_measurement_or_the_other_path_moves() -> None:
    def peer(path: str, similarity: str, example: str, other: str = "青山镇人民政府") -> str:
        return ("「总体情况」「存在的主要问题及改进情况」「其他需要报告的事项」的自拟内容与"
                f"{other}2024年报告（{path}）高度雷同（相似度 {similarity}）；另与 2 份同年度报告高度雷同，如：“{example}”")

    cells = ["section.1", "section.5"]
    a = key_of("红旗区人民政府", 2024, "COPY-PEER", cells, peer("in/a/青山镇.txt", "86%", "我镇高度重视"))
    b = key_of("红旗区人民政府", 2024, "COPY-PEER", cells, peer("其他/青山 镇(2).docx", "81%", "我区高度重视"))
    c = key_of("红旗区人民政府", 2024, "COPY-PEER", cells, peer("in/a/绿水镇.txt", "86%", "我镇高度重视", "绿水镇人民政府"))
    assert a == b
    assert a != c  # copied from another agency is another claim
    for other_format in ("旧版/青山镇.doc", "青山镇.WPS", "网页/青山镇.htm"):  # every format a folder reads
        assert key_of("红旗区人民政府", 2024, "COPY-PEER", cells, peer(other_format, "86%", "我镇高度重视")) == a


def test_findings_of_two_unrecognised_files_do_not_share_a_key() -> None:
    msg = "无法读取该文件：文件为空"
    assert key_of(None, None, "UNREADABLE", [], msg, "a/empty.txt") != key_of(None, None, "UNREADABLE", [], msg,
                                                                               "b/blank.txt")
    assert key_of(None, None, "UNREADABLE", [], msg, "a/empty.txt") == key_of(None, None, "UNREADABLE", [], msg,
                                                                               "moved/empty.txt")
