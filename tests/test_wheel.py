"""The wheel (not an editable install) carries notebooks/ and parameters/: `score` and `batch` work from it.

Builds the wheel from a copy of the checkout, installs it with `--no-deps` into a fresh venv that sees the
dev venv's packages through a .pth line, and runs the installed `auditlib` from a folder outside the checkout.
Takes about a minute (marked `wheel`; it runs in `make test`).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest
from conftest import SEEDS

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.wheel
NOT_SOURCE = shutil.ignore_patterns(".venv", ".git", "outputs", "build", "dist", "*.egg-info", "__pycache__",
                                    ".*_cache", "_data")


def _run(args: list[str | Path], cwd: Path) -> subprocess.CompletedProcess[str]:
    # the dependencies' data files (nbconvert's base templates) are under the dev venv's prefix, not the new one's
    env = {**os.environ, "JUPYTER_PATH": str(Path(sys.prefix) / "share" / "jupyter")}
    return subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=600, env=env)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The `bin/` of a fresh venv with only the built wheel of auditlib in it."""
    base = tmp_path_factory.mktemp("wheel")
    src = base / "src"
    shutil.copytree(ROOT, src, ignore=NOT_SOURCE)
    built = _run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", base / "dist", "."], src)
    assert built.returncode == 0, built.stderr[-2000:]
    (wheel,) = (base / "dist").glob("auditlib-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "auditlib/_data/notebooks/agency_audit.ipynb" in names
    assert "auditlib/_data/parameters/rubric.yaml" in names
    env = base / "env"
    venv.EnvBuilder(with_pip=True).create(env)
    purelib = Path(_run([env / "bin" / "python", "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                        base).stdout.strip())
    # the dependencies are the dev venv's; its editable auditlib is not (a .pth line adds a folder only)
    (purelib / "dev-packages.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    done = _run([env / "bin" / "python", "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", wheel], base)
    assert done.returncode == 0, done.stderr[-2000:]
    return env / "bin"


def test_the_wheel_imports_its_own_copy(installed: Path, tmp_path: Path) -> None:
    where = _run([installed / "python", "-c", "import auditlib.batch as b; print(b.AGENCY_NOTEBOOK)"], tmp_path)
    assert where.returncode == 0, where.stderr
    notebook = Path(where.stdout.strip())
    assert notebook.is_file() and "site-packages" in notebook.parts and "_data" in notebook.parts
    assert ROOT not in notebook.parents


def test_score_and_batch_run_from_the_wheel(installed: Path, tmp_path: Path) -> None:
    seed = tmp_path / SEEDS[0].name
    shutil.copy(SEEDS[0], seed)
    scored = _run([installed / "auditlib", "score", seed], tmp_path)
    assert scored.returncode == 0, scored.stderr
    assert "分" in scored.stdout
    out = tmp_path / "run"
    batch = _run([installed / "auditlib", "batch", seed, "--out", out], tmp_path)
    assert batch.returncode == 0, batch.stderr[-2000:]
    (page,) = (out / "agencies").glob("*.html")
    assert "政府信息公开工作年度报告审核" in page.read_text(encoding="utf-8")
    assert (out / "index.html").is_file() and (out / "findings.xlsx").is_file()
