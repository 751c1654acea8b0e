"""Several reports pasted into one file are rejected, naming the file; one report that prints its own
title twice is not; heading detection, and the parse and check of one long report, do work in proportion
to the text (counted, never timed)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from builders import make_tables, render

from auditlib.audit import audit_paths
from auditlib.parse import parse_text
from auditlib.parse.sections import chain_headings
from auditlib.rules import check_report

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "examples" / "reports").glob("*.txt")) + [ROOT / "tests" / "real" / "pingtan-2021.txt"]


def pasted(n: int) -> str:
    return "\n\n".join(render(make_tables(), agency=f"第{i}镇人民政府") for i in range(n))


def test_pasted_reports_are_rejected_naming_the_file_and_the_batch_goes_on(tmp_path: Path) -> None:
    (tmp_path / "合订本.txt").write_text(pasted(3), encoding="utf-8")
    (tmp_path / "single.txt").write_text(render(make_tables()), encoding="utf-8")
    bad, good = audit_paths([tmp_path / "合订本.txt", tmp_path / "single.txt"])
    assert bad.report is None and [f.rule for f in bad.findings] == ["UNREADABLE"]
    assert "合订本.txt" in bad.findings[0].message and "3 份年度报告" in bad.findings[0].message
    assert good.report is not None and all(f.rule != "UNREADABLE" for f in good.findings)


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.name)
def test_a_report_that_repeats_its_title_is_not_rejected(seed: Path) -> None:
    text = seed.read_text(encoding="utf-8")
    title = parse_text(text).title
    assert title
    # The title again as a page footer and as a breadcrumb on top: still one report, read the same.
    repeated = f"首页 > 政府信息公开 > {title}\n{text}\n{title}\n第1页 共1页\n"
    assert parse_text(repeated).to_dict(provenance=False)["tables"] == parse_text(text).to_dict(provenance=False)["tables"]


def test_two_seeds_pasted_together_are_rejected() -> None:
    text = SEEDS[0].read_text(encoding="utf-8") + "\n" + SEEDS[1].read_text(encoding="utf-8")
    with pytest.raises(Exception, match="2 份年度报告"):
        parse_text(text, "x/two.txt")


def _calls(func, *args) -> int:  # type: ignore[no-untyped-def]
    count = 0

    def hook(frame, event, arg):  # type: ignore[no-untyped-def]
        nonlocal count
        if event in ("call", "c_call"):
            count += 1

    sys.setprofile(hook)
    try:
        func(*args)
    except Exception:  # noqa: BLE001 - the pasted text is rejected; the work up to it is what is counted
        pass
    finally:
        sys.setprofile(None)
    return count


def test_reading_a_pasted_text_is_linear_in_its_size() -> None:
    small, large = _calls(parse_text, pasted(40)), _calls(parse_text, pasted(160))
    assert large < 4.4 * small  # four times the text, about four times the work (quadratic: sixteen)


def test_heading_chain_is_linear_in_the_candidates() -> None:
    def candidates(n: int) -> list[tuple[int, int, int]]:
        return [(i * 7 + k, k, 2) for i in range(n) for k in range(1, 7)]

    small, large = _calls(chain_headings, candidates(100)), _calls(chain_headings, candidates(400))
    assert large < 4.4 * small


def _grown(lines: int) -> str:
    """Seed 0 with `lines` more lines of narrative (each its own, with figures) in sections 一 and 四."""
    text = SEEDS[0].read_text(encoding="utf-8")
    one = "".join(f"第{i}项：本机关组织政务公开培训{i}次，发布政策解读{3 * i + 1}篇，行政复议工作平稳推进。\n"
                  for i in range(lines))
    four = "".join(f"本年度第{i}季度行政复议和行政诉讼工作情况平稳，共回复咨询{7 * i + 2}次。\n" for i in range(lines))
    head_one, head_four = "## 一、总体情况\n", "#### 四、政府信息公开行政复议、行政诉讼情况\n"
    assert head_one in text and head_four in text
    text = text.replace(head_one, head_one + one, 1)
    return text.replace(head_four, head_four + four, 1)


def test_parse_and_check_of_one_report_is_linear_in_its_narrative() -> None:
    """The lines added to the narrative and to table 四's section cost the same work each, however many."""
    def work(lines: int) -> int:
        return _calls(lambda: check_report(parse_text(_grown(lines), f"x/grown-{lines}.txt")))

    work(0)  # the seed's own lines and the template's look-ups, cached once
    base = work(0)
    small, large = work(100) - base, work(400) - base
    assert small > 0 and large < 4.4 * small
    plain, grown = parse_text(_grown(0)), parse_text(_grown(100))
    table_four = [p for p in plain.cells if p.startswith("review_litigation.")]
    assert [grown.value(p) for p in table_four] == [plain.value(p) for p in table_four] != [None] * len(table_four)
