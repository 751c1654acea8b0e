"""The batch run, checked the way an inspector would: pages, links, the Excel file, offline, escaped."""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import nbformat
import openpyxl
import polars as pl
import pytest
from conftest import EVIL_AGENCY, SEEDS

from auditlib.batch import (
    BatchError,
    atomic_write,
    load_parameters,
    output_key,
    run_batch,
    safe_name,
    split_parameters,
    vega_json,
)
from auditlib.cli import main
from auditlib.rules import REGISTRY

ROOT = Path(__file__).resolve().parent.parent


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.srcs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name == "href" and value:
                self.hrefs.append(value)
            if name == "src" and value:
                self.srcs.append(value)


def links(page: Path) -> Links:
    parser = Links()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser


def pages(out: Path) -> list[Path]:
    return [out / "index.html", *sorted((out / "agencies").glob("*.html"))]


def by_report(result, name: str) -> dict:
    return next(a for a in result.agencies if Path(a["report"]).name == name)


# --- what the run produced -------------------------------------------------------------------


def test_every_report_has_a_page_and_a_notebook(batch_run) -> None:
    out = batch_run.out_dir
    assert len(batch_run.agencies) == len(SEEDS) + 3
    assert batch_run.failed == 0 and batch_run.ran == len(batch_run.agencies)
    for a in batch_run.agencies:
        assert (out / a["page"]).is_file() and (out / a["notebook"]).is_file()
        nb = nbformat.read(out / a["notebook"], as_version=4)
        assert nb.metadata.papermill.parameters.report_path == a["report"]
        assert "widgets" not in nb.metadata  # widget state is dead without its kernel
        live = [c for c in nb.cells if "live-only" in c.metadata.get("tags", [])]
        assert live and all(not c.get("outputs") for c in live)
    for name in ("index.html", "overview.ipynb", "findings.xlsx", "findings.csv", "findings.parquet",
                 "summary.json", "manifest.json"):
        assert (out / name).is_file(), name
    assert not list(out.rglob(".tmp-*")), "temporary files left behind"


def test_each_page_shows_its_agency_and_its_findings(batch_run) -> None:
    findings = pl.read_parquet(batch_run.out_dir / "findings.parquet")
    for a in batch_run.agencies:
        page = (batch_run.out_dir / a["page"]).read_text(encoding="utf-8")
        assert '<html lang="zh">' in page
        if a["agency"]:
            assert html.escape(a["agency"]) in page
        mine = findings.filter(pl.col("key") == a["key"])
        assert mine.height == a["errors"] + a["warnings"] + a["infos"]
        for message in mine["message"]:
            assert html.escape(message) in page, (a["key"], message)
        assert re.search(r"<p class=[\"']score[\"'][^>]*>评分：\d+ 分（", page)


def test_unreadable_report_gets_a_page_that_says_why_and_the_run_goes_on(batch_run) -> None:
    empty = by_report(batch_run, "empty.txt")
    assert empty["status"] == "unreadable" and "文件为空" in empty["error"]
    page = (batch_run.out_dir / empty["page"]).read_text(encoding="utf-8")
    assert "无法读取" in page and "文件为空" in page
    assert sum(a["status"] == "ok" for a in batch_run.agencies) == len(batch_run.agencies) - 1


def test_two_agencies_with_one_name_get_two_pages(batch_run) -> None:
    first, again = by_report(batch_run, SEEDS[0].name), by_report(batch_run, "000_copy.txt")
    assert first["agency"] == again["agency"] == "红花集镇人民政府"
    assert first["key"] != again["key"] and first["key"].startswith("红花集镇人民政府-2024-")
    assert (batch_run.out_dir / first["page"]).is_file() and (batch_run.out_dir / again["page"]).is_file()


def test_index_links_every_agency_and_every_link_resolves(batch_run) -> None:
    out = batch_run.out_dir
    index = links(out / "index.html")
    local = [h for h in index.hrefs if not h.startswith("#")]
    for a in batch_run.agencies:
        assert any(unquote(h) == a["page"] for h in local), a["page"]
    for page in pages(out):
        for ref in [*links(page).hrefs, *links(page).srcs]:
            parts = urlsplit(ref)
            if parts.scheme or ref.startswith("#"):
                continue
            target = (page.parent / unquote(parts.path)).resolve()
            assert target.exists(), f"{page.name}: {ref}"
            assert target.is_relative_to(out), f"{page.name} links outside the run folder: {ref}"


def test_no_page_loads_anything_from_outside(batch_run) -> None:
    outside = re.compile(r"""(?:\bsrc|\bhref)\s*=\s*["']?\s*(?:https?:)?//|url\(\s*["']?(?:https?:)?//|"""
                         r"""@import\s+["']?(?:url\()?\s*["']?(?:https?:)?//|import\(\s*["'](?:https?:)?//""", re.I)
    for page in pages(batch_run.out_dir):
        text = page.read_text(encoding="utf-8")
        assert not outside.search(text), (page.name, outside.search(text))
        assert "cdn.jsdelivr" not in text and "unpkg.com" not in text and "cdnjs" not in text
        for src in links(page).srcs:
            assert src.startswith("../assets/vega-embed-") or src.startswith("assets/vega-embed-"), src
    bundle = next((batch_run.out_dir / "assets").glob("vega-embed-*.js")).read_text(encoding="utf-8")
    assert "window.vegaEmbed" in bundle


def test_report_text_never_runs_as_script(batch_run) -> None:
    evil = by_report(batch_run, "evil.txt")
    assert evil["agency"] == EVIL_AGENCY
    out = batch_run.out_dir
    page = (out / evil["page"]).read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;红旗区人民政府" in page
    assert "&lt;script&gt;alert(3)&lt;/script&gt;" in page  # the source line behind a blank cell
    for p in pages(out):
        text = p.read_text(encoding="utf-8")
        assert "<script>alert(" not in text and "<img src=x" not in text, p.name
        for data in re.findall(r'<script type="application/json" class="vega-spec">(.*?)</script>', text, re.S):
            json.loads(data)  # the chart data stays one JSON value: nothing closed the tag early
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in (out / "index.html").read_text(encoding="utf-8")


def test_cross_report_findings_reach_the_pages(batch_run) -> None:
    """evil.txt copies 003's narrative: both pages show COPY-PEER, as `auditlib check` on the folder would."""
    for name in ("003_4ea7538dec090386.txt", "evil.txt"):
        record = by_report(batch_run, name)
        nb = nbformat.read(batch_run.out_dir / record["notebook"], as_version=4)
        passed = nb.metadata.papermill.parameters.corpus_findings
        assert [f["rule"] for f in passed] == ["COPY-PEER"]
        page = (batch_run.out_dir / record["page"]).read_text(encoding="utf-8")
        assert 'data-rule="COPY-PEER"' in page and html.escape(passed[0]["message"]) in page


def test_batch_finds_what_check_finds(batch_run) -> None:
    from auditlib.audit import audit_paths

    folder = Path(by_report(batch_run, SEEDS[0].name)["report"]).parent
    expected = sorted((str(Path(f.report).resolve()), f.rule, f.message)
                      for o in audit_paths([folder]) for f in o.findings)
    got = pl.read_parquet(batch_run.out_dir / "findings.parquet")
    assert sorted(zip(got["report"], got["rule"], got["message"], strict=True)) == expected


def test_findings_files_hold_every_finding(batch_run) -> None:
    out = batch_run.out_dir
    total = sum(a["errors"] + a["warnings"] + a["infos"] for a in batch_run.agencies)
    parquet = pl.read_parquet(out / "findings.parquet")
    assert parquet.height == total and parquet.schema["cells"] == pl.List(pl.String)
    csv = pl.read_csv(out / "findings.csv")
    assert csv.height == total and (out / "findings.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    sheet = openpyxl.load_workbook(out / "findings.xlsx", read_only=True)["问题清单"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:6] == ("级别", "机关", "年度", "规则名称", "规则", "问题说明")
    assert len(rows) - 1 == total
    assert {r[1] for r in rows[1:]} >= {"红旗区人民政府", "佐龙镇人民政府", "刘家塔镇人民政府", EVIL_AGENCY}
    assert sorted(r[5] for r in rows[1:]) == sorted(parquet["message"].to_list())
    unreadable = [r for r in rows[1:] if r[4] == "UNREADABLE"]
    assert len(unreadable) == 1 and "文件为空" in unreadable[0][5] and unreadable[0][3] == "无法读取"


# --- scores -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cli_scores(batch_run) -> dict[str, dict]:
    """`auditlib score --json` on the batch's input folder: report (resolved) → its score."""
    import contextlib
    import io

    folder = Path(by_report(batch_run, SEEDS[0].name)["report"]).parent
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        assert main(["score", str(folder), "--json"]) == 0
    rows = [json.loads(line) for line in buf.getvalue().splitlines()]
    return {str(Path(r["report"]).resolve()): r for r in rows}


class Deductions(HTMLParser):
    """The 「评分」 section of a page: each deduction's item, points and the targets of its links; every id."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: dict[str, dict[str, str | None]] = {}
        self.rows: list[dict] = []
        self._cell: list[str] | None = None
        self._cells: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids[a["id"] or ""] = a
        if tag == "tr" and a.get("class") == "deduction":
            self.rows.append({"item": a["data-item"], "links": []})
            self._cells = []
        if tag == "td" and self.rows and len(self._cells) < 5 and self._cell is None:
            self._cell = []
        if tag == "a" and a.get("class") == "deduction-link":
            self.rows[-1]["links"].append((a["href"], a["data-rule"]))

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._cell is not None:
            self._cells.append("".join(self._cell))
            self._cell = None
            if len(self._cells) == 3:
                self.rows[-1]["points"], self.rows[-1]["rules"] = self._cells[1], self._cells[2]

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def deductions(page: Path) -> Deductions:
    parser = Deductions()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser


def test_agency_page_shows_the_score_auditlib_score_gives(batch_run, cli_scores) -> None:
    liujiata = next(a for a in batch_run.agencies if a["agency"] == "刘家塔镇人民政府")
    page = (batch_run.out_dir / liujiata["page"]).read_text(encoding="utf-8")
    assert "评分：86 分（良好）" in page and "一、评分" in page
    rows = deductions(batch_run.out_dir / liujiata["page"]).rows
    assert [(r["item"], r["points"]) for r in rows] == [("格式规范", "−5"), ("问题整改与原创", "−4"), ("信息处理费", "−5")]
    assert "未评" in page and "跨年度衔接：本批次没有该机关上一年度的报告" in page
    for a in batch_run.agencies:
        expected = cli_scores[a["report"]]
        text = (batch_run.out_dir / a["page"]).read_text(encoding="utf-8")
        assert f"评分：{expected['score']} 分（{expected['grade']}）" in text, a["key"]
        got = [(r["item"], r["points"], r["rules"]) for r in deductions(batch_run.out_dir / a["page"]).rows]
        # each rule by its Chinese short name first, then its ID
        assert got == [(d["item"], str(d["points"]).replace("-", "−"),
                        "".join(f"{REGISTRY[r].name} {r}" for r in d["rules"]))
                       for d in expected["deductions"]], a["key"]


def test_each_deduction_links_to_findings_of_its_rules(batch_run) -> None:
    linked = 0
    for a in batch_run.agencies:
        parsed = deductions(batch_run.out_dir / a["page"])
        for row in parsed.rows:
            assert row["links"], (a["key"], row["item"])  # every point lost is traced to a finding in the page
            for href, rule in row["links"]:
                assert href.startswith("#finding-")
                target = parsed.ids.get(href[1:])
                assert target is not None, (a["key"], href)
                assert target["data-rule"] == rule and rule in row["rules"], (a["key"], row["item"], href)
                linked += 1
    assert linked >= 15


def test_score_indices_refer_to_the_findings_the_notebook_rebuilds(batch_run) -> None:
    """The parent scores audit_paths' findings; the notebook re-audits and appends the cross-report ones: same list."""
    from auditlib import render
    from auditlib.audit import audit_paths

    folder = Path(by_report(batch_run, SEEDS[0].name)["report"]).parent
    parent = {str(Path(o.path).resolve()): o.findings for o in audit_paths([folder])}
    for a in batch_run.agencies:
        passed = nbformat.read(batch_run.out_dir / a["notebook"], as_version=4).metadata.papermill.parameters
        page = render.agency_page(a["report"], corpus_findings=passed.corpus_findings, score=passed.score)
        assert [(f.rule, f.message) for f in page.outcome.findings] == [(f.rule, f.message) for f in parent[a["report"]]]
        for d in passed.score["deductions"]:
            assert d["findings"] and all(page.outcome.findings[k].rule in d["rules"] for k in d["findings"])


def test_summary_and_exports_carry_the_scores(batch_run, cli_scores) -> None:
    out = batch_run.out_dir
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert [g["grade"] for g in summary["grades"]] == ["优秀", "良好", "合格", "不合格"]
    by_key = {a["key"]: a for a in summary["agencies"]}
    for a in batch_run.agencies:
        entry, expected = by_key[a["key"]], cli_scores[a["report"]]
        assert (entry["score"], entry["grade"]) == (expected["score"], expected["grade"])
        better = sum(s["score"] > expected["score"] for s in cli_scores.values())
        assert entry["rank"] == better + 1
    assert by_key[by_report(batch_run, "empty.txt")["key"]]["grade"] == "不合格"
    # scores.csv: one row per agency, best first, as `auditlib score --json`
    scores = pl.read_csv(out / "scores.csv")
    assert scores.height == len(batch_run.agencies) and scores["rank"].to_list() == sorted(scores["rank"].to_list())
    for row in scores.iter_rows(named=True):
        expected = cli_scores[row["report"]]
        assert (row["score"], row["grade"], row["agency"], row["year"]) == (
            expected["score"], expected["grade"], expected["agency"], expected["year"])
        assert row["deductions"].count("（") == len(expected["deductions"])
    # every finding row carries its agency's score and grade: parquet, csv, and the xlsx
    parquet = pl.read_parquet(out / "findings.parquet")
    csv = pl.read_csv(out / "findings.csv")
    for frame in (parquet, csv):
        for report, score, grade in frame.select("report", "score", "grade").unique().iter_rows():
            assert (score, grade) == (cli_scores[report]["score"], cli_scores[report]["grade"]), report
    book = openpyxl.load_workbook(out / "findings.xlsx", read_only=True)
    rows = list(book["问题清单"].iter_rows(values_only=True))
    col = {name: i for i, name in enumerate(rows[0])}
    assert {"得分", "等级"} <= set(col)
    for r in rows[1:]:
        expected = cli_scores[r[col["报告文件"]]]
        assert (r[col["得分"]], r[col["等级"]]) == (expected["score"], expected["grade"])
    ranking = list(book["评分"].iter_rows(values_only=True))
    assert ranking[0][:5] == ("名次", "机关", "年度", "得分", "等级") and len(ranking) - 1 == len(batch_run.agencies)
    assert ("刘家塔镇人民政府", 86, "良好") in [(r[1], r[3], r[4]) for r in ranking[1:]]


def test_scores_count_in_the_skip_hash(tmp_path: Path) -> None:
    """A changed rubric changes the score passed to a page, so the page is redone like for changed findings."""
    from auditlib.batch import Hashes, RunSettings, _jobs, load_batch_rubric

    stricter = tmp_path / "rubric.yaml"
    stricter.write_text((ROOT / "parameters" / "rubric.yaml").read_text(encoding="utf-8").replace(
        "SEC5-NO-RECTIFY: 4", "SEC5-NO-RECTIFY: 6"), encoding="utf-8")
    settings = RunSettings(str(tmp_path), str(ROOT / "notebooks" / "agency_audit.ipynb"), {}, "a.js", 10)
    args = ([SEEDS[3], SEEDS[4]], settings, Hashes("p", "n", "c"))
    default, strict = _jobs(*args, load_batch_rubric(None)), _jobs(*args, load_batch_rubric(str(stricter)))
    assert default[0].score is not None and strict[0].score is not None
    assert default[0].score["score"] == 96 and strict[0].score["score"] == 94
    assert default[0].hashes.params_hash != strict[0].hashes.params_hash
    assert default[1].hashes.params_hash == strict[1].hashes.params_hash  # 王集乡 loses nothing either way
    with pytest.raises(BatchError, match="评分细则"):
        load_batch_rubric(str(tmp_path / "missing.yaml"))


def test_manifest_records_hashes_and_status(batch_run) -> None:
    manifest = json.loads((batch_run.out_dir / "manifest.json").read_text(encoding="utf-8"))
    assert set(manifest["agencies"]) == {a["report"] for a in batch_run.agencies}
    for entry in manifest["agencies"].values():
        assert {"sha256", "params_hash", "notebook_hash", "code_hash", "status", "error"} <= set(entry)
    assert manifest["overview"]["status"] == "ok"


# --- re-runs, failures, parameters -------------------------------------------------------------


def test_rerun_skips_unchanged_redoes_changed_and_resumes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src, out = tmp_path / "reports", tmp_path / "out"
    src.mkdir()
    for seed in SEEDS[2:4]:
        shutil.copy(seed, src / seed.name)
    first = run_batch([src], out, workers=2, progress=False)
    assert (first.ran, first.skipped) == (2, 0)
    index_before = (out / "index.html").stat().st_mtime_ns

    assert main(["batch", str(src), "--out", str(out), "--quiet"]) == 0
    printed = capsys.readouterr().out
    assert "本次生成 0 个，未变化跳过 2 个" in printed and str(out / "index.html") in printed
    assert (out / "index.html").stat().st_mtime_ns == index_before

    changed = src / SEEDS[2].name
    changed.write_text(changed.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    lost = next(a for a in first.agencies if a["report"] == str((src / SEEDS[3].name).resolve()))
    (out / lost["page"]).unlink()  # as if the run had been interrupted before this page was written
    third = run_batch([src], out, workers=2, progress=False)
    assert (third.ran, third.skipped) == (2, 0)
    assert (out / lost["page"]).is_file()


def test_ctrl_c_stops_the_run_and_the_next_run_resumes(tmp_path: Path) -> None:
    src, out = tmp_path / "reports", tmp_path / "out"
    src.mkdir()
    for seed in SEEDS:
        shutil.copy(seed, src / seed.name)
    # as a terminal would: the batch in its own process group, Ctrl-C sent to the whole group
    proc = subprocess.Popen([sys.executable, "-m", "auditlib.cli", "batch", str(src), "--out", str(out), "--workers", "2",
                             "--quiet"], start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        manifest = out / "manifest.json"
        if manifest.exists() and json.loads(manifest.read_text(encoding="utf-8"))["agencies"]:
            break
        time.sleep(0.1)
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130 and "已中断" in err
    done = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["agencies"]
    assert 1 <= len(done) < len(SEEDS) and {e["status"] for e in done.values()} == {"ok"}
    assert not (out / "index.html").exists()
    resumed = run_batch([src], out, workers=2, progress=False)
    # an agency whose page was written just before the Ctrl-C is skipped too (its side file says it is done)
    assert resumed.skipped >= len(done) and resumed.ran == len(SEEDS) - resumed.skipped and resumed.failed == 0
    assert not list(out.rglob(".tmp-*"))


def test_a_failing_notebook_fails_its_agency_only(tmp_path: Path) -> None:
    nb = nbformat.read(ROOT / "notebooks" / "agency_audit.ipynb", as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell('raise ValueError("<b>坏了</b>")'))
    broken = tmp_path / "broken.ipynb"
    nbformat.write(nb, broken)
    src = tmp_path / "reports"
    src.mkdir()
    shutil.copy(SEEDS[3], src / SEEDS[3].name)
    result = run_batch([src], tmp_path / "out", workers=1, progress=False, agency_notebook=broken)
    (record,) = result.agencies
    assert record["status"] == "failed" and "ValueError" in record["error"]
    page = (tmp_path / "out" / record["page"]).read_text(encoding="utf-8")
    assert "本页生成失败" in page and "&lt;b&gt;坏了&lt;/b&gt;" in page
    assert "笔记本在此处出错" in page and "An Exception was encountered" not in page
    assert "红旗区人民政府" in page  # what ran before the error is still there
    assert (tmp_path / "out" / "index.html").is_file()
    assert "生成失败" in (tmp_path / "out" / "index.html").read_text(encoding="utf-8")


def test_self_contained_page_needs_no_assets_folder(tmp_path: Path) -> None:
    result = run_batch([SEEDS[3]], tmp_path / "out", progress=False, self_contained=True)
    page = (tmp_path / "out" / result.agencies[0]["page"]).read_text(encoding="utf-8")
    assert "window.vegaEmbed" in page and not links(tmp_path / "out" / result.agencies[0]["page"]).srcs
    assert page.count("</script") == page.count("<script")  # the bundle closed no tag early


def test_one_run_per_output_folder_and_nothing_to_do(tmp_path: Path) -> None:
    import fcntl

    out = tmp_path / "out"
    out.mkdir()
    with (out / ".batch.lock").open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        with pytest.raises(BatchError, match="另一个批量运行"):
            run_batch([SEEDS[0]], out, progress=False)
    (tmp_path / "empty-folder").mkdir()
    with pytest.raises(BatchError, match="没有找到报告文件"):
        run_batch([tmp_path / "empty-folder"], out, progress=False)


def test_parameters_are_checked_against_the_notebooks(tmp_path: Path) -> None:
    agency_nb, overview_nb = ROOT / "notebooks" / "agency_audit.ipynb", ROOT / "notebooks" / "overview.ipynb"
    agency, overview = split_parameters(load_parameters(ROOT / "parameters" / "batch.example.yaml"), agency_nb, overview_nb)
    assert agency["min_severity"] == "warning" and overview["min_severity"] == "warning"
    assert agency["exclude_rules"] == ["TITLE-FORM"] and "max_source_lines" not in overview
    with pytest.raises(BatchError, match="未知参数"):
        split_parameters({"min_sevrity": "error"}, agency_nb, overview_nb)
    with pytest.raises(BatchError, match="自动填写"):
        split_parameters({"report_path": "x"}, agency_nb, overview_nb)
    with pytest.raises(BatchError, match="不受支持"):
        split_parameters({"rules": [Path("x")]}, agency_nb, overview_nb)
    bad = tmp_path / "bad.yaml"
    bad.write_text("- 1\n- 2\n", encoding="utf-8")
    with pytest.raises(BatchError):
        load_parameters(bad)


# --- names and files ---------------------------------------------------------------------------


@pytest.mark.parametrize("name, expected", [
    ("红旗区人民政府", "红旗区人民政府"),
    ("../../etc/passwd", "etc_passwd"),
    ("..", "未识别机关"),
    ("...", "未识别机关"),
    ("a/b\\c:d*e?f\"g<h>i|j", "a_b_c_d_e_f_g_h_i_j"),
    ("  市 政府\t办公厅 ", "市_政府_办公厅"),
    ("红旗\x00区\u202e人民\n政府", "红旗区人民_政府"),
    (".hidden", "hidden"),
    ("", "未识别机关"),
    (None, "未识别机关"),
    ("{pm}", "pm"),
])
def test_safe_name(name: str | None, expected: str) -> None:
    got = safe_name(name)
    assert got == expected
    assert os.sep not in got and "/" not in got and got not in {".", ".."} and not got.startswith(".")


def test_safe_name_is_bounded() -> None:
    assert len(safe_name("政" * 500)) == 60


def test_output_key_is_stable_and_distinct(tmp_path: Path) -> None:
    a, b = tmp_path / "a.txt", tmp_path / "sub" / "a.txt"
    assert output_key("红旗区人民政府", 2024, a) == output_key("红旗区人民政府", 2024, a)
    assert output_key("红旗区人民政府", 2024, a) != output_key("红旗区人民政府", 2024, b)
    assert output_key(None, None, a).startswith("a-")
    assert "/" not in output_key("../x/../y", 2024, a)


def test_atomic_write_never_leaves_half_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "page.html"
    atomic_write(target, "旧内容")

    def fail(*_args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError):
        atomic_write(target, "新内容" * 1000)
    assert target.read_text(encoding="utf-8") == "旧内容"
    assert [p.name for p in tmp_path.iterdir()] == ["page.html"]


def test_vega_json_cannot_close_its_script_tag() -> None:
    text = vega_json({"title": "</script><script>alert(1)</script>", "n": "a & b \u2028"})
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == {"title": "</script><script>alert(1)</script>", "n": "a & b \u2028"}
