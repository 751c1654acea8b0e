"""TEXT-TABLE-MISMATCH: figures in the narrative against the tables, in each form the issue lists.

Every case has a table that agrees (the rule must stay silent) and, where the sentence states a
figure, one that does not (the rule fires and quotes the sentence). Sentences come from real reports.
"""

from __future__ import annotations

import pytest
from builders import make_tables, render

from auditlib.narrative import claims
from auditlib.parse import parse_text
from auditlib.rules import RULES

RULE = RULES["TEXT-TABLE-MISMATCH"]


def tables(new: tuple[int, int] = (0, 0), carried: tuple[int, int] = (0, 0), carried_out: tuple[int, int] = (0, 0),
           review: int = 0, direct: int = 0, after: int = 0) -> dict:
    """Consistent tables: (自然人, 商业企业) for 本年新收, 上年结转, 结转下年度; all handled as 予以公开."""
    t = make_tables(zero=True)
    app = t["applications"]
    for row, (natural, commercial) in (("1", new), ("2", carried), ("4", carried_out)):
        app[row].update(natural_person=natural, commercial=commercial, total=natural + commercial)
    for col in ("natural_person", "commercial", "total"):
        app["3.1"][col] = app["3.7"][col] = app["1"][col] + app["2"][col] - app["4"][col]
    rl = t["review_litigation"]
    for key, n in (("review", review), ("litigation_direct", direct), ("litigation_after_review", after)):
        rl[key].update(upheld=n, total=n)
    return t


def messages(sentence: str, t: dict, agency: str = "红旗区人民政府") -> list[str]:
    text = render(t, agency=agency, year=2024, narrative={
        "1": ["2024年，本机关认真做好政府信息公开工作，持续完善公开制度。", sentence, "持续优化政府网站信息公开专栏。"],
        "5": ["政策解读形式较为单一，下一步将丰富解读形式。"],
        "6": ["本年度未收取信息处理费。"],
    })
    report = parse_text(text, path="r.txt")
    assert sentence.replace(" ", "")[:12] in report.section_text("1").replace(" ", ""), "the sentence must be read"
    return [RULE.render(v) for v in RULE.func(report)]


def fires(sentence: str, t: dict, times: int = 1, **kw: str) -> list[str]:
    found = messages(sentence, t, **kw)
    assert len(found) == times, found
    for m in found:
        assert sentence.rstrip("。；") in m, "every finding quotes the sentence"
    return found


# --- applications received -------------------------------------------------------------------

SENT_20 = "2024 年，全区共收到和处理政府信息公开申请 20 件，均已在当年答复。"


def test_received_and_answered_in_year_agrees() -> None:
    assert messages(SENT_20, tables(new=(16, 4))) == []


def test_received_differs_from_new_applications() -> None:
    found = fires(SENT_20, tables(new=(16, 5)), times=1)
    assert "21" in found[0] and "20 件" in found[0]


def test_all_answered_but_carried_over_to_next_year() -> None:
    found = fires(SENT_20, tables(new=(16, 4), carried_out=(2, 0)), times=1)
    assert "结转下年度" in found[0]


SENT_3119 = ("2024 年，全市共受理政府信息公开申请 3119 件，答复 3050 件（含上年度结转申请 34 件，"
             "另有 103 件顺延到下年度答复），均在法定期限内予以答复。")


def test_accepted_with_carry_over_and_deferred_agrees() -> None:
    assert messages(SENT_3119, tables(new=(3000, 119), carried=(34, 0), carried_out=(103, 0))) == []


def test_carry_over_figures_in_brackets_are_checked() -> None:
    found = fires(SENT_3119, tables(new=(3000, 119), carried=(30, 0), carried_out=(107, 0)), times=2)
    assert any("上年结转" in m for m in found) and any("结转下年度" in m for m in found)


def test_accepted_may_include_carry_over_but_received_may_not() -> None:
    t = tables(new=(20, 0), carried=(3, 0))
    assert messages("2024年共受理政府信息公开申请23件（含上年结转3件）。", t) == []
    fires("2024年共收到政府信息公开申请23件。", t)


@pytest.mark.parametrize("sentence", ["全年收到依申请公开0件。", "2024 年，王集乡明确依申请公开工作制度，未收到依申请公开事宜。",
                                      "依申请公开方面，我镇没有接收到受理政府信息公开申请。"])
def test_no_applications(sentence: str) -> None:
    assert messages(sentence, tables()) == []
    fires(sentence, tables(new=(2, 0)))


def test_accepted_and_answered_in_time_against_the_table() -> None:
    """A 2023 department report printed 2 here and 3 in its table: a real contradiction."""
    sentence = "本年度，共受理政府信息公开申请2件，都在法定期限内予以答复。"
    assert messages(sentence, tables(new=(2, 0))) == []
    fires(sentence, tables(new=(3, 0)))


def test_other_requests_and_hotline_cases_are_not_applications() -> None:
    sentence = "2024年，我办全年未收到行政许可申请；全年未接到信息公开申请；各栏目共刊发文稿、通知、公告、公示等44篇。"
    assert messages(sentence, tables()) == []
    assert len(messages(sentence, tables(new=(1, 0)))) == 1
    hotline = "2024年，共办理政府12345热线47件，已全部办结，回复率和满意率均达100%。"
    assert messages(hotline, tables(new=(5, 0), carried_out=(1, 0))) == []


@pytest.mark.parametrize("sentence", ["依申请公开方面，全年共收到政府信息公开申请14000余件。",
                                      "全年共收到政府信息公开申请近20件。", "全年共收到政府信息公开申请约20件。",
                                      "全年共收到政府信息公开申请20多件。", "全年共收到政府信息公开申请20件左右。"])
def test_approximate_figures_are_not_held_to_equality(sentence: str) -> None:
    assert messages(sentence, tables(new=(3, 0))) == []


@pytest.mark.parametrize("sentence, value", [
    ("全年共收到政府信息公开申请14000余件。", 14000), ("全年共收到政府信息公开申请20多件。", 20),
    ("全年共收到政府信息公开申请近20件。", 20), ("全年共收到政府信息公开申请约20件。", 20),
    ("全年共收到政府信息公开申请将近20件。", 20), ("全年共收到政府信息公开申请20件左右。", 20),
    ("全年共收到政府信息公开申请20件以上。", 20),
])
def test_approximate_figures_are_read_as_approximate(sentence: str, value: int) -> None:
    """The figure is read (so the rule can tell it is approximate), not merely missed."""
    report = parse_text(render(tables(new=(3, 0)), narrative={"1": [sentence]}), path="r.txt")
    assert [(c.kind, c.value, c.approximate) for c in claims(report)] == [("received", value, True)]


def test_the_same_figure_stated_exactly_is_held_to_equality() -> None:
    for sentence in ("全年共收到政府信息公开申请20件。", "全年共收到政府信息公开申请20件，同比增加。"):
        report = parse_text(render(tables(new=(3, 0)), narrative={"1": [sentence]}), path="r.txt")
        assert [(c.kind, c.value, c.approximate) for c in claims(report)] == [("received", 20, False)]
        assert len(messages(sentence, tables(new=(3, 0)))) == 1


def test_thousands_separator() -> None:
    assert messages("全年共收到政府信息公开申请2,300件。", tables(new=(2300, 0))) == []


# --- what must not be compared -----------------------------------------------------------------

@pytest.mark.parametrize("sentence", [
    "全区共受理政府信息公开申请100件，其中，区政府办受理政府信息公开申请17件，均已办结。",  # a sub-count
    "区政府办公室共受理政府信息公开申请17件。",  # another subject
    "通过网络收到政府信息公开申请12件。",  # a channel, not the total
    "2023年共收到政府信息公开申请15件，同比有所增加。",  # another year
    "本年度没有产生政府信息公开处理费。",  # not about applications
    "对无法提供的答复，申请人提起行政复议。",  # no figure
    "未发生行政复议纠错情况。",  # not "no review"
    "深入商业企业开展政府信息公开宣传30次。",  # not applications
    "全年共受理各类申请12000件，政府信息公开工作稳步推进。",  # not information requests
    "未有申请人提出异议，政府信息公开工作平稳。",  # 申请人, not 申请
    "本机关作为复议机关，办理行政复议案件20件。",  # cases decided, not cases against the agency
    "2024年，全县各级行政机关共收到政府信息公开申请120件。",  # a wider scope than the table's
])
def test_sub_counts_other_subjects_and_other_topics_are_left_alone(sentence: str) -> None:
    assert messages(sentence, tables(new=(100, 0), review=3)) == []


# --- the applicant split -------------------------------------------------------------------------

SPLIT = "全年共收到政府信息公开申请120件，其中自然人100件、法人或其他组织20件。"


def test_split_agrees() -> None:
    assert messages(SPLIT, tables(new=(100, 20))) == []


def test_split_differs_in_both_columns() -> None:
    found = fires(SPLIT, tables(new=(90, 30)), times=2)
    assert any("自然人" in m and "90" in m for m in found)
    assert any("法人或其他组织" in m and "30" in m for m in found)


def test_all_kinds_of_applicant_listed_is_the_total_not_a_column() -> None:
    sentence = "全年共收到公民、法人或其他组织提出的政府信息公开申请20件。"
    assert messages(sentence, tables(new=(16, 4))) == []
    assert "法人" not in fires(sentence, tables(new=(16, 5)))[0].split("与表格不符")[1]


def test_no_legal_person_applications() -> None:
    sentence = "共收到政府信息公开申请5件，均为自然人申请，未收到法人或其他组织的申请。"
    assert messages(sentence, tables(new=(5, 0))) == []
    found = fires(sentence, tables(new=(4, 1)))  # the total (5) agrees; the split does not
    assert "法人或其他组织" in found[0]


# --- review and litigation -----------------------------------------------------------------------

REVIEW = "政府信息公开行政复议 351件，其中结果维持 72 件，结果纠正 64 件，其他结果 178 件，尚未审结 37 件；"


def test_review_total_agrees() -> None:
    assert messages("2024年，" + REVIEW, tables(review=351)) == []


def test_review_total_differs() -> None:
    found = fires("2024年，" + REVIEW, tables(review=350))
    assert "行政复议总计" in found[0]


def test_litigation_is_direct_plus_after_review() -> None:
    sentence = "2024年，本机关政府信息公开行政诉讼 46 件。"
    assert messages(sentence, tables(direct=26, after=20)) == []
    fires(sentence, tables(direct=25, after=20))


@pytest.mark.parametrize("sentence", ["2024年未发生政府信息公开行政复议、行政诉讼案件。",
                                      "2024年度我镇未发生针对本镇有关政府信息公开实务的行政复议案、行政诉讼案及举报投诉事件。"])
def test_no_review_and_no_litigation(sentence: str) -> None:
    assert messages(sentence, tables()) == []
    found = fires(sentence, tables(review=1, direct=1), times=2)
    assert any("行政复议" in m for m in found) and any("行政诉讼" in m for m in found)


def test_cases_stated_one_by_one() -> None:
    sentence = "本年度因政府信息公开被申请行政复议2件，被提起行政诉讼1件。"
    assert messages(sentence, tables(review=2, after=1)) == []
    assert len(messages(sentence, tables(review=3, after=1))) == 1


# --- carry-over stated in the text -------------------------------------------------------------------

def test_carried_to_next_year() -> None:
    sentence = "2024年共收到政府信息公开申请10件，结转下年度继续办理2件。"
    assert messages(sentence, tables(new=(10, 0), carried_out=(2, 0))) == []
    found = fires(sentence, tables(new=(10, 0), carried_out=(1, 0)))
    assert "结转下年度继续办理总计为 1" in found[0]


def test_carried_from_last_year() -> None:
    sentence = "2024年共收到政府信息公开申请10件，上年结转政府信息公开申请3件。"
    assert messages(sentence, tables(new=(10, 0), carried=(3, 0))) == []
    fires(sentence, tables(new=(10, 0), carried=(2, 0)))


def test_all_done_does_not_fire_when_the_sentence_itself_defers_some() -> None:
    sentence = "2024年共收到政府信息公开申请10件，除2件结转下年度办理外，其余均已办结。"
    assert messages(sentence, tables(new=(10, 0), carried_out=(2, 0))) == []


# --- the seeds: nothing contradicts their tables -------------------------------------------------------

def test_seed_claims_are_read_and_agree() -> None:
    from pathlib import Path

    from auditlib.parse import parse_file

    root = Path(__file__).resolve().parent.parent / "examples" / "reports"
    kinds = {}
    for path in sorted(root.glob("*.txt")):
        report = parse_file(path)
        kinds[path.name[:3]] = sorted({c.kind for c in claims(report)})
        assert list(RULE.func(report)) == []
    assert kinds["003"] == ["all_done", "received_with_carry"]
    assert "none_received" in kinds["002"] and "no_review" in kinds["002"]
    assert kinds["004"] == ["none_received"]


def test_the_agency_named_in_full_as_the_subject() -> None:
    """`王集乡人民政府共收到…`: the full name is stripped before its stem, whatever the hash order."""
    from auditlib.narrative import _Scope

    report = parse_text(render(make_tables(), agency="王集乡人民政府"))
    assert _Scope(report).names == ("王集乡人民政府", "王集乡")
    found = messages("2024年，王集乡人民政府共收到政府信息公开申请5件。", tables(new=(4, 0)), agency="王集乡人民政府")
    assert len(found) == 1 and "5 件" in found[0]


def test_plain_characters_never_normalise_into_a_claim_character() -> None:
    """claims() skips a sentence printed in _PLAIN characters without a _MAY_CLAIM one, unnormalised:
    that holds only if no such character normalises into one of _MAY_CLAIM's."""
    import sys

    from auditlib.narrative import _MAY_CLAIM, _PLAIN
    from auditlib.text import normalize

    plain = [chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF and _PLAIN.fullmatch(chr(c))]
    assert len(plain) > 20000 and "，" in plain and "5" not in plain
    assert [c for c in plain if not _MAY_CLAIM.search(c) and _MAY_CLAIM.search(normalize(c))] == []
    assert [c for c in "①⑴１¹" if _PLAIN.fullmatch(c)] == []  # these normalise into digits


def test_kept_characters_normalise_into_themselves_or_ascii() -> None:
    """claims() skips a sentence printed in _KEPT characters without a _TOPIC_CHARACTER, unnormalised: that
    holds only if each such character normalises into itself or into ASCII (no ideograph appears)."""
    import sys

    from auditlib.narrative import _KEPT, _TOPIC_CHARACTER
    from auditlib.text import normalize

    kept = [chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF and _KEPT.fullmatch(chr(c))]
    assert len(kept) > 20000 and "，" in kept and "5" in kept and "㊀" not in kept and "⽅" not in kept
    assert [c for c in kept if not all(n == c or n.isascii() for n in normalize(c))] == []
    assert not _TOPIC_CHARACTER.search("".join(c for c in kept if c.isascii()))
