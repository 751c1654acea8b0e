"""YOY-CHANGE: abrupt changes of key figures against the same agency's previous-year report."""

from __future__ import annotations

from builders import make_tables, render, with_cell

from auditlib.model import Report
from auditlib.parse import parse_text
from auditlib.rubric import load_rubric
from auditlib.rules import CORPUS_RULES, check_corpus
from auditlib.rules.year_on_year import abrupt, key_figures


def report(new: int, review: int = 0, agency: str = "青山镇人民政府", year: int = 2024,
           blank: tuple[str, ...] = ()) -> Report:
    """Consistent tables: `new` natural-person applications all disclosed; `review` 复议 upheld; `blank` cells unprinted."""
    t = make_tables(zero=True)
    app = t["applications"]
    for row in ("1", "3.1", "3.7"):
        app[row].update(natural_person=new, total=new)
    t["review_litigation"]["review"].update(upheld=review, total=review)
    for path in blank:
        t = with_cell(t, path, None)
    return parse_text(render(t, agency=agency, year=year), path=f"{agency}{year}.txt")


def yoy(*reports: Report) -> list[tuple[int, str, tuple[str, ...], str]]:
    found = check_corpus(list(reports))
    return [(i, f.rule, f.cells, f.message) for i, fs in enumerate(found) for f in fs if f.rule == "YOY-CHANGE"]


def test_declared_info_and_not_scored() -> None:
    rule = CORPUS_RULES["YOY-CHANGE"]
    assert (str(rule.severity), rule.name) == ("info", "同比突变")
    assert "YOY-CHANGE" in load_rubric().not_scored


def test_five_times_more_applications() -> None:
    found = yoy(report(4, agency="青山镇人民政府", year=2023), report(20))
    assert [(i, r, c) for i, r, c, _ in found] == [(1, "YOY-CHANGE", ("applications.1.total", "applications.3.7.total"))]
    assert found[0][3] == ("与青山镇人民政府2023年报告（青山镇人民政府2023.txt）相比，关键数字变化较大，请核实："
                           "本年新收 上年 4（2023年）、本年 20（2024年）；办理结果（七）总计 上年 4（2023年）、本年 20（2024年）")


def test_four_point_nine_times_is_quiet() -> None:
    assert yoy(report(10, year=2023), report(49)) == []


def test_falling_to_zero_and_review_totals() -> None:
    found = yoy(report(12, review=15, year=2023), report(12, review=0))
    assert [(i, c) for i, _, c, _ in found] == [(1, ("review_litigation.review.total",))]
    assert "行政复议总计 上年 15（2023年）、本年 0（2024年）" in found[0][3]


def test_small_figures_and_other_agencies_and_gaps_are_quiet() -> None:
    assert yoy(report(1, year=2023), report(5)) == []  # ×5 but tiny: 5 < SUBSTANTIAL
    assert yoy(report(9, year=2023), report(0)) == []  # 9 → 0: not substantial
    assert yoy(report(2, agency="绿水乡人民政府", year=2023), report(40)) == []  # another agency
    assert yoy(report(2, year=2022), report(40)) == []  # not consecutive years


def test_an_unknown_figure_is_not_compared_a_zero_is() -> None:
    """Last year's 行政复议总计 left blank is unknown, not 0: no change is claimed; printed 0, it is one."""
    blank = report(12, year=2023, blank=("review_litigation.review.total",))
    assert blank.value("review_litigation.review.total") is None
    assert yoy(blank, report(12, review=15)) == []
    found = yoy(report(12, year=2023), report(12, review=15))
    assert [(i, r, c) for i, r, c, _ in found] == [(1, "YOY-CHANGE", ("review_litigation.review.total",))]


def test_later_year_is_compared_with_its_own_previous_year() -> None:
    found = yoy(report(2, year=2022), report(10, year=2023), report(10))
    assert [(i, c) for i, _, c, _ in found] == [(1, ("applications.1.total", "applications.3.7.total"))]


def test_abrupt_and_key_figures() -> None:
    assert abrupt(10, 50) and abrupt(50, 10) and abrupt(10, 0) and abrupt(0, 10)
    assert not abrupt(10, 49) and not abrupt(1, 5) and not abrupt(0, 9)
    assert key_figures(report(7)) == {"applications.1.total": 7, "applications.3.7.total": 7,
                                      "review_litigation.review.total": 0,
                                      "review_litigation.litigation_direct.total": 0,
                                      "review_litigation.litigation_after_review.total": 0}
