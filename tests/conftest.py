"""Shared fixtures: one batch run over the seeds (plus hostile and broken inputs), made once per session."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "examples" / "reports").glob("*.txt"))
EVIL_AGENCY = "<script>alert(1)</script>红旗区人民政府"


def write_inputs(folder: Path) -> Path:
    """The five seeds, a report with HTML in its text, an empty file and a second 红花集镇人民政府 report."""
    folder.mkdir(parents=True, exist_ok=True)
    for seed in SEEDS:
        shutil.copy(seed, folder / seed.name)
    lines = (ROOT / "examples" / "reports" / "003_4ea7538dec090386.txt").read_text(encoding="utf-8").split("\n")
    lines = [ln.replace("# 红旗区人民政府 2024 年", f"# {EVIL_AGENCY} 2024 年")
             .replace("存在问题：", "存在问题：<img src=x onerror=alert(2)>") for ln in lines]
    lines[41] = lines[41].replace("\t\t0\t", "\t\t<script>alert(3)</script>\t", 1)  # 二、上年结转
    (folder / "evil.txt").write_text("\n".join(lines), encoding="utf-8")
    (folder / "empty.txt").write_text("", encoding="utf-8")
    (folder / "again").mkdir(exist_ok=True)
    shutil.copy(SEEDS[0], folder / "again" / "000_copy.txt")
    return folder


@pytest.fixture(scope="session")
def batch_run(tmp_path_factory: pytest.TempPathFactory):  # -> auditlib.batch.BatchResult
    """`auditlib batch` over write_inputs(), with two workers, into a temporary folder."""
    from auditlib.batch import run_batch

    base = tmp_path_factory.mktemp("batch")
    return run_batch([write_inputs(base / "reports")], base / "out", workers=2, progress=False)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Debian Chromium per browser-test module (tests/chromium.py; those modules skip without it)."""
    from chromium import launch
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = launch(p)
        yield b
        b.close()
