"""Peers and history frames on a built multi-year, multi-level batch."""

from __future__ import annotations

import polars as pl
from builders import make_tables, render

from auditlib.audit import Outcome, check_report
from auditlib.history import HISTORY_SCHEMA, PEERS_SCHEMA, history_frame, level, peers_frame
from auditlib.parse import parse_text
from auditlib.render.context import batch_contexts
from auditlib.score import score_outcomes


def outcome(agency: str, year: int, new: int, folder: str = "") -> Outcome:
    t = make_tables(zero=True)
    for row in ("1", "3.1", "3.7"):
        t["applications"][row].update(natural_person=new, total=new)
    path = f"{folder}{agency}{year}.txt"
    r = parse_text(render(t, agency=agency, year=year), path=path)
    return Outcome(path, r, check_report(r))


BATCH = [
    outcome("青山镇人民政府", 2024, 1), outcome("绿水乡人民政府", 2024, 2), outcome("白云镇人民政府", 2024, 3),
    outcome("红星街道办事处", 2024, 10), outcome("青山镇人民政府", 2023, 4), outcome("城关区人民政府", 2024, 50),
    outcome("城关区财政局", 2024, 7), Outcome("bad.txt", None, [], "无法读取"),
]


def test_levels() -> None:
    assert [level(a) for a in ("青山镇人民政府", "红星街道办事处", "城关区人民政府", "城关区财政局")] == [
        "乡镇/街道", "乡镇/街道", "县区政府", "部门"]


def test_peers_quartiles_per_year_and_level() -> None:
    frame = peers_frame(BATCH)
    assert frame.schema == pl.Schema(PEERS_SCHEMA)
    new = frame.filter(pl.col("figure") == "new_applications").sort("report")
    town24 = new.filter((pl.col("year") == 2024) & (pl.col("level") == "乡镇/街道")).sort("value")
    assert town24["value"].to_list() == [1, 2, 3, 10]
    assert (town24["q1"][0], town24["median"][0], town24["q3"][0]) == (1.75, 2.5, 4.75)
    assert town24["quartile"].to_list() == [1, 2, 3, 4]
    assert town24["peers"].to_list() == [4] * 4
    alone = new.filter(pl.col("level") != "乡镇/街道").select("agency", "peers", "quartile").rows()
    assert sorted(alone) == [("城关区人民政府", 1, 1), ("城关区财政局", 1, 1)]
    assert new.filter(pl.col("year") == 2023)["peers"].to_list() == [1]
    assert frame.height == 7 * 5  # every readable report × 5 key figures; the unreadable one is left out


def test_history_pairs_years_and_carries_scores() -> None:
    frame = history_frame(BATCH, score_outcomes(BATCH))
    assert frame.schema == pl.Schema(HISTORY_SCHEMA)
    qs = frame.filter(pl.col("agency_key") == "青山镇政府")
    assert qs.select("year", "new_applications", "prior_report").rows() == [
        (2023, 4.0, None), (2024, 1.0, "青山镇人民政府2023.txt")]
    assert qs["score"].to_list() == [100.0, 100.0]  # two tables zero, not three: no cap
    assert frame.height == 7 and frame["prior_report"].null_count() == 6
    assert frame.filter(pl.col("agency") == "城关区人民政府")["findings"].to_list() == [
        len(BATCH[5].findings)]


def test_history_without_scores_and_empty() -> None:
    frame = history_frame(BATCH[:2])
    assert frame["score"].to_list() == [None, None] and frame["agency"].to_list() == ["绿水乡人民政府", "青山镇人民政府"]
    assert history_frame([]).schema == pl.Schema(HISTORY_SCHEMA) and peers_frame([]).height == 0


def test_one_name_in_two_districts_keeps_two_histories() -> None:
    batch = [outcome("石桥镇人民政府", 2022, 1, "东区/"), outcome("石桥镇人民政府", 2023, 2, "东区/"),
             outcome("石桥镇人民政府", 2024, 3, "东区/"), outcome("石桥镇人民政府", 2024, 4, "西区/"),
             outcome("石桥镇人民政府", 2021, 5, "西区/"), outcome("城关区财政局", 2023, 6, "东区/"),
             outcome("城关区财政局", 2024, 7, "西区/")]
    frame = history_frame(batch)
    groups = frame.group_by("history_key", maintain_order=True).agg(pl.col("report"))
    assert sorted(groups["report"].to_list()) == [
        ["东区/城关区财政局2023.txt", "西区/城关区财政局2024.txt"],  # one a year: the name is enough
        ["东区/石桥镇人民政府2022.txt", "东区/石桥镇人民政府2023.txt", "东区/石桥镇人民政府2024.txt"],
        ["西区/石桥镇人民政府2021.txt", "西区/石桥镇人民政府2024.txt"],  # a gap year: one folder, one history
    ]
    assert frame.filter(pl.col("agency") == "城关区财政局")["history_key"].to_list() == ["城关区财政局"] * 2
    # a name two districts share pairs within a folder in every year, not only in the year both printed it
    pairs = frame.filter(pl.col("prior_report").is_not_null()).select("report", "prior_report").rows()
    assert sorted(pairs) == [("东区/石桥镇人民政府2023.txt", "东区/石桥镇人民政府2022.txt"),
                             ("东区/石桥镇人民政府2024.txt", "东区/石桥镇人民政府2023.txt"),
                             ("西区/城关区财政局2024.txt", "东区/城关区财政局2023.txt")]
    # the agency page's history table shows its own district's years only
    contexts = batch_contexts(batch, None, [f"{k}.html" for k in range(len(batch))])
    assert [(row["year"], row["current"]) for row in contexts[3]["history"]] == [(2021, False), (2024, True)]
    assert [row["year"] for row in contexts[2]["history"]] == [2022, 2023, 2024]
