"""`auditlib batch` under hostile input (issue 11): FIFOs and link loops among the reports, agency names
that are formulas or too long for a file name, a second run that must give the same overview bytes, and
no kernel or IPython file left outside the output folder.

The batch runs in a subprocess under a timeout (a read that blocks fails the test instead of hanging it),
with HOME pointed at a temporary folder so that anything written to ~ shows.
"""

from __future__ import annotations

import contextlib
import csv
import errno
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "examples" / "reports" / "003_4ea7538dec090386.txt"
FORMULA = '=HYPERLINK("http://evil.example/","点此")红旗区人民政府'
LONG = "😀" * 54 + "人民政府"  # 58 characters but 228 bytes: past NAME_MAX once the key and temp suffix are added
HANG = int(os.environ.get("AUDITLIB_TEST_HANG", "600"))

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs POSIX FIFOs")


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("IPYTHON", "JUPYTER"))}
    env.update(HOME=str(home), XDG_CACHE_HOME=str(Path.home() / ".cache"))  # the vega bundle stays cached
    return env


def batch(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "auditlib.cli", "batch", *args, "--quiet"], capture_output=True,
                          text=True, encoding="utf-8", timeout=HANG, check=False, cwd=ROOT, env=_env(home))


class Run:
    def __init__(self, base: Path) -> None:
        self.base, self.src, self.out, self.home = base, base / "reports", base / "out", base / "home"


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    r = Run(tmp_path_factory.mktemp("hostile-batch"))
    r.src.mkdir()
    r.home.mkdir()
    text = SEED.read_text(encoding="utf-8")
    (r.src / "a-formula.txt").write_text(text.replace("红旗区人民政府", FORMULA), encoding="utf-8")
    (r.src / "b-long.txt").write_text(text.replace("红旗区人民政府", LONG), encoding="utf-8")
    os.mkfifo(r.src / "c-pipe.txt")  # nobody writes: reading it the ordinary way blocks forever
    (r.src / "d-loop1.txt").symlink_to("d-loop2.txt")
    (r.src / "d-loop2.txt").symlink_to("d-loop1.txt")
    (r.src / "up").symlink_to(r.src)  # a folder link back up the tree
    done = batch(r.home, str(r.src), "--out", str(r.out), "--workers", "2")
    r.first = done  # type: ignore[attr-defined]
    r.first_index = (r.out / "index.html").read_bytes() if (r.out / "index.html").exists() else b""  # type: ignore[attr-defined]
    return r


def _summary(r: Run) -> list[dict[str, object]]:
    return list(json.loads((r.out / "summary.json").read_text(encoding="utf-8"))["agencies"])


def test_fifos_and_link_loops_are_unreadable_and_the_run_finishes(run: Run) -> None:
    done = run.first  # type: ignore[attr-defined]
    assert done.returncode == 0, done.stderr
    by_name = {Path(str(a["report"])).name: a for a in _summary(run)}
    assert sorted(by_name) == ["a-formula.txt", "b-long.txt", "c-pipe.txt", "d-loop1.txt", "d-loop2.txt"]
    for name in ("c-pipe.txt", "d-loop1.txt", "d-loop2.txt"):
        assert by_name[name]["status"] == "unreadable", by_name[name]
    assert by_name["a-formula.txt"]["status"] == by_name["b-long.txt"]["status"] == "ok"


def test_agency_names_never_become_formulas_in_the_sheets(run: Run) -> None:
    book = openpyxl.load_workbook(run.out / "findings.xlsx", read_only=True)
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert any(FORMULA in c for c in cells)
    assert not [c for c in cells if c.startswith(("=", "+", "-", "@"))], "a cell Excel would evaluate"
    for name in ("findings.csv", "scores.csv"):
        path = run.out / name
        if not path.exists():
            continue
        with path.open(encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.reader(fh))
        values = [v for row in rows for v in row]
        assert any(FORMULA in v for v in values), name
        assert not [v for v in values if v.startswith(("=", "+", "@")) or (v.startswith("-") and not _number(v))], name


def test_the_quoted_names_read_back_in_the_review_import(run: Run, tmp_path: Path) -> None:
    from auditlib.review import import_review_xlsx

    out = tmp_path / "out"
    shutil.copytree(run.out, out)  # the run's folder stays as it was for the second run below
    book = openpyxl.load_workbook(out / "findings.xlsx")
    sheet = book["问题清单"]
    header = [c.value for c in sheet[1]]
    agency, status, reviewer = (header.index(h) for h in ("机关", "复核结论", "复核人"))
    rows = [r for r in sheet.iter_rows(min_row=2) if FORMULA in str(r[agency].value)]
    assert rows and all(r[agency].value == "'" + FORMULA for r in rows)
    for r in rows:
        r[status].value, r[reviewer].value = "排除（误报）", "张三"
    book.save(out / "findings.xlsx")
    result = import_review_xlsx(out / "findings.xlsx", out)  # every key recomputed from the unquoted name matches
    assert len(result.applied) == len(rows) and {d.reviewer for d in result.applied} == {"张三"}


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_long_names_fit_the_file_system(run: Run) -> None:
    long = next(a for a in _summary(run) if Path(str(a["report"])).name == "b-long.txt")
    page = run.out / str(long["page"])
    assert page.is_file() and (run.out / str(long["notebook"])).is_file()
    assert all(len(p.name.encode("utf-8")) <= 200 for p in run.out.rglob("*"))


def test_a_second_run_gives_the_same_overview_bytes(run: Run) -> None:
    again = batch(run.home, str(run.src), "--out", str(run.out), "--workers", "2", "--force")
    assert again.returncode == 0, again.stderr
    assert run.first_index and (run.out / "index.html").read_bytes() == run.first_index  # type: ignore[attr-defined]


def test_no_kernel_or_ipython_files_outside_the_output_folder(run: Run) -> None:
    left = sorted(str(p.relative_to(run.home)) for p in run.home.rglob("*"))
    assert not [p for p in left if p.startswith((".ipython", ".local/share/jupyter", ".jupyter"))], left
    assert not [p for p in run.out.rglob("*") if p.name.startswith(("kernel-", "tmp")) or p.name in (".ipython", "ipython")]


# ---------------------------------------------------------------------------------------------
# Parameters and notebooks: refused before any kernel starts, as one Chinese line and exit code 2
# ---------------------------------------------------------------------------------------------

CJK = "\u4e00-\u9fff"


def _one_line(done: subprocess.CompletedProcess[str], *words: str) -> None:
    assert done.returncode == 2, (done.returncode, done.stderr)
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    for word in words:
        assert word in lines[0], lines[0]


@pytest.mark.parametrize(("text", "words"), [
    ("min_severity: fatal\n", ("params.yaml", "min_severity", "fatal")),
    ("rules: [APP-BALANC]\n", ("params.yaml", "rules", "APP-BALANC", "APP-BALANCE")),
    ("exclude_rules: [CELL-MISING, TITLE-FORM]\n", ("params.yaml", "exclude_rules", "CELL-MISING")),
    ("rules: APP-BALANCE\n", ("params.yaml", "rules", "列表")),
    ("min_severity: [\n", ("params.yaml", "YAML")),
])
def test_bad_parameters_are_one_chinese_line(tmp_path: Path, text: str, words: tuple[str, ...]) -> None:
    params = tmp_path / "params.yaml"
    params.write_text(text, encoding="utf-8")
    done = batch(tmp_path, str(SEED), "--out", str(tmp_path / "out"), "--parameters", str(params))
    _one_line(done, *words)
    assert not (tmp_path / "out" / "index.html").exists()


def test_gbk_parameters_are_read_as_gbk(tmp_path: Path) -> None:
    from auditlib.batch import load_parameters

    text = "# 只显示错误\nmin_severity: error\nexclude_rules: [TITLE-FORM]\n"
    utf8, gbk = tmp_path / "u.yaml", tmp_path / "g.yaml"
    utf8.write_text(text, encoding="utf-8")
    gbk.write_bytes(text.encode("gbk"))
    assert load_parameters(gbk) == load_parameters(utf8)
    assert load_parameters(gbk)["min_severity"] == "error"


def test_parameters_file_that_is_a_fifo_is_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "params.yaml"
    os.mkfifo(fifo)
    _one_line(batch(tmp_path, str(SEED), "--out", str(tmp_path / "out"), "--parameters", str(fifo)), "params.yaml", "命名管道")


def test_a_broken_overview_notebook_is_one_chinese_line(tmp_path: Path) -> None:
    from auditlib.batch import BatchError, run_batch

    broken = tmp_path / "overview.ipynb"
    shutil.copy(ROOT / "notebooks" / "overview.ipynb", broken)
    broken.write_text(broken.read_text(encoding="utf-8")[:500], encoding="utf-8")  # cut short: not JSON
    with pytest.raises(BatchError, match="overview.ipynb"):
        run_batch([SEED], tmp_path / "out", progress=False, overview_notebook=broken)


# ---------------------------------------------------------------------------------------------
# A full or read-only disk: one Chinese line, exit code 2, no file half written
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("code", "reason"), [(errno.ENOSPC, "磁盘已满"), (errno.EROFS, "只读")])
def test_a_failing_disk_is_one_chinese_line_and_leaves_the_old_files(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], code: int,
        reason: str) -> None:
    from auditlib import cli

    out = tmp_path / "out"
    (out / "assets").mkdir(parents=True)
    (out / "summary.json").write_text("上一次运行的结果", encoding="utf-8")

    def failing(fd: int) -> None:  # what the OS says when the data cannot reach the disk; no file name
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(os, "fsync", failing)
    assert cli.main(["batch", str(SEED), "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and reason in err[0] and str(out) in err[0], err
    assert (out / "summary.json").read_text(encoding="utf-8") == "上一次运行的结果"
    assert not list(out.rglob(".tmp-*"))


def test_a_full_disk_while_writing_the_tables_keeps_each_old_file_whole(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    import polars as pl

    from auditlib.batch import write_findings
    from auditlib.batch.outputs import SCORES_COLUMNS
    from auditlib.findings import FINDINGS_SCHEMA
    from auditlib.score import SCORES_SCHEMA

    frame = pl.DataFrame([{"key": "k", "page": "agencies/k.html", "agency": FORMULA, "year": 2024, "rule": "TITLE-FORM",
                           "severity": "warning", "message": "标题不规范", "cells": [], "lines": [1], "report": "r.txt"}],
                         schema={"key": pl.String, "page": pl.String, **FINDINGS_SCHEMA})
    scores = pl.DataFrame([{"key": "k", "page": "agencies/k.html", "report": "r.txt", "agency": FORMULA, "year": 2024,
                            "score": 90.0, "grade": "优秀", "rank": 1, "lost": 10.0}],
                          schema={"key": pl.String, "page": pl.String, **SCORES_SCHEMA}).select(SCORES_COLUMNS)
    write_findings(frame, tmp_path, scores)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    calls: list[int] = []
    real_fsync = os.fsync

    def full_at_the_third(fd: int) -> None:  # findings.parquet and findings.csv are written, scores.csv is not
        calls.append(fd)
        if len(calls) >= 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", full_at_the_third)
    with pytest.raises(OSError, match="No space"):
        write_findings(frame.with_columns(pl.lit("新的说明").alias("message")), tmp_path, scores)
    after = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert sorted(after) == sorted(before) == ["findings.csv", "findings.parquet", "findings.xlsx", "scores.csv"]
    assert "新的说明" in after["findings.csv"].decode("utf-8-sig")  # written whole before the disk filled
    assert after["scores.csv"] == before["scores.csv"] and after["findings.xlsx"] == before["findings.xlsx"]


# ---------------------------------------------------------------------------------------------
# Killing only the main process: its workers and their kernels follow it
# ---------------------------------------------------------------------------------------------

def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z":
            tree.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    return tree


def _descendants(pid: int) -> set[int]:
    tree, found, todo = _children(), set(), [pid]
    while todo:
        for child in tree.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def _command(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
    except OSError:
        return ""


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="walks the process tree in /proc")
def test_killing_the_main_process_leaves_no_worker_or_kernel(tmp_path: Path) -> None:
    src = tmp_path / "reports"
    src.mkdir()
    for n in range(3):
        shutil.copy(SEED, src / f"{n}.txt")
    proc = subprocess.Popen([sys.executable, "-m", "auditlib.cli", "batch", str(src), "--out", str(tmp_path / "out"),
                             "--workers", "2", "--quiet"], cwd=ROOT, env=_env(tmp_path), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    seen: set[int] = set()
    try:
        for _ in range(1200):  # until both workers have started a kernel (or 120 s)
            seen |= _descendants(proc.pid)
            if sum("ipykernel" in _command(p) for p in seen) >= 2 or proc.poll() is not None:
                break
            time.sleep(0.1)
    finally:
        proc.kill()
        proc.wait()
    assert sum("ipykernel" in _command(p) for p in seen) >= 2, [_command(p) for p in seen]
    for _ in range(600):  # the workers end on the kernel's signal, their kernels on their next poll: up to 60 s
        alive = {p for p in seen if _command(p)}
        if not alive:
            break
        time.sleep(0.1)
    else:
        for p in alive:
            with contextlib.suppress(OSError):
                os.kill(p, signal.SIGKILL)
        raise AssertionError(f"left behind: {[_command(p) for p in alive]}")


def test_the_overview_time_is_the_time_the_results_last_changed(tmp_path: Path) -> None:
    from auditlib.batch.run import _generated

    body = {"rubric": "rubric.yaml", "grades": [{"grade": "优秀", "min": 90}], "agencies": [{"key": "a", "score": 95}]}
    summary = tmp_path / "summary.json"
    summary.write_text(json.dumps({"generated": "2026-01-02T03:04:05", **body}, ensure_ascii=False), encoding="utf-8")
    assert _generated(summary, body) == "2026-01-02T03:04:05"  # the same results: the same time, the same page
    changed = {**body, "agencies": [{"key": "a", "score": 94}]}
    assert _generated(summary, changed) != "2026-01-02T03:04:05"  # the near-twin: one score changed, a new time
    assert _generated(tmp_path / "none.json", body) != "2026-01-02T03:04:05"
