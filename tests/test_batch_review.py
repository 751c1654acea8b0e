"""The review store wired into the batch: a decision counts in its agency's skip hash, the exports and the score."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import polars as pl
import pytest
from conftest import SEEDS
from openpyxl import load_workbook

from auditlib.audit import audit_file
from auditlib.batch import run_batch
from auditlib.review import STORE_NAME, Status, finding_key, open_store

LIUJIATA, WANGJI = SEEDS[3], SEEDS[4]  # 96 points (SEC5-NO-RECTIFY −4), 100 points


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict, dict]:
    """Two seeds run once, SEC5-NO-RECTIFY of 刘家塔 dismissed in the store, run again."""
    base = tmp_path_factory.mktemp("batch-review")
    (base / "in").mkdir()
    for seed in (LIUJIATA, WANGJI):
        shutil.copy(seed, base / "in" / seed.name)
    out = base / "out"
    first = run_batch([base / "in"], out, workers=2, progress=False)
    assert first.ran == 2 and first.failed == 0
    report = base / "in" / LIUJIATA.name
    finding = next(f for f in audit_file(report).findings if f.rule == "SEC5-NO-RECTIFY")
    with open_store(out) as store:
        store.set_decision(finding_key(finding), Status.DISMISSED, "已在附件中说明整改", "李四", finding=finding)
    before = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["agencies"]
    second = run_batch([base / "in"], out, workers=2, progress=False)
    after = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["agencies"]
    return out, report.resolve(), {"before": before, "after": after}, {"ran": second.ran, "skipped": second.skipped}


def test_a_changed_decision_regenerates_only_its_agency(runs) -> None:
    out, report, manifests, counts = runs
    assert counts == {"ran": 1, "skipped": 1}
    before, after = manifests["before"], manifests["after"]
    changed = {r for r in after if after[r]["params_hash"] != before[r]["params_hash"]}
    assert changed == {str(report)}
    assert (out / STORE_NAME).is_file()


def test_the_exports_carry_the_decision(runs) -> None:
    out, report, _, _ = runs
    book = load_workbook(out / "findings.xlsx")
    sheet = book["问题清单"]
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[0])
    assert {"复核结论", "复核意见", "复核人"} <= set(header)
    status = {(r[header.index("报告文件")], r[header.index("规则")]): r for r in rows[1:]}
    mine = status[(str(report), "SEC5-NO-RECTIFY")]
    assert mine[header.index("复核结论")] == "排除（误报）" and mine[header.index("复核人")] == "李四"
    assert mine[header.index("复核意见")] == "已在附件中说明整改"
    others = [r for k, r in status.items() if k != (str(report), "SEC5-NO-RECTIFY")]
    assert others and all(r[header.index("复核结论")] == "待复核" for r in others)
    [dv] = sheet.data_validations.dataValidation
    assert "排除（误报）" in dv.formula1
    csv = pl.read_csv(out / "findings.csv")
    parquet = pl.read_parquet(out / "findings.parquet")
    for frame in (csv, parquet):
        row = frame.filter((pl.col("report") == str(report)) & (pl.col("rule") == "SEC5-NO-RECTIFY"))
        assert row["review_status"].to_list() == ["排除（误报）"] and row["reviewer"].to_list() == ["李四"]


def test_a_dismissed_finding_deducts_nothing(runs) -> None:
    out, report, _, _ = runs
    scores = pl.read_csv(out / "scores.csv")
    assert scores.filter(pl.col("report") == str(report))["score"].to_list() == [100]
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    mine = next(a for a in summary["agencies"] if a["report"] == str(report))
    assert mine["score"] == 100


def test_the_regenerated_page_shows_the_decision(runs) -> None:
    out, report, manifests, _ = runs
    page = (out / manifests["after"][str(report)]["page"]).read_text(encoding="utf-8")
    assert "排除（误报）" in page and "已在附件中说明整改" in page and "李四" in page
    other = next(r for r in manifests["after"] if r != str(report))
    assert "排除（误报）" not in (out / manifests["after"][other]["page"]).read_text(encoding="utf-8")
