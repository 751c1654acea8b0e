"""PENDING (not collected: rename to tests/test_hostile_batch.py once the batch side of issue 11 is wired
into auditlib/batch/; every test here fails on the current batch.py, each for the reason its name gives).

`auditlib batch` under hostile input (issue 11): FIFOs and link loops among the reports, agency names
that are formulas or too long for a file name, a second run that must give the same overview bytes, and
no kernel or IPython file left outside the output folder.

The batch runs in a subprocess under a timeout (a read that blocks fails the test instead of hanging it),
with HOME pointed at a temporary folder so that anything written to ~ shows.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
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
