"""Benchmark: `auditlib batch` against the loop a user would otherwise write.

The loop: for each report, the papermill CLI executes the agency notebook, then
`jupyter nbconvert --to html` exports it, one agency after another. Both produce one executed
notebook and one HTML page per agency from the same notebook. `bench_batch()` returns the figures;
`python scripts/bench_batch.py [N]` prints them.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
SEEDS = sorted((ROOT / "examples" / "reports").glob("*.txt"))
NOTEBOOK = ROOT / "notebooks" / "agency_audit.ipynb"
BIN = Path(sys.executable).parent
# Words put in front of each seed's own place name (`东湖红旗区人民政府`): without an administrative suffix,
# so the parser keeps them as part of the agency's innermost unit.
PLACES = ("东湖", "西山", "南江", "北塘", "青川", "白河", "黄岭", "金沙", "石门", "云溪",
          "安平", "长宁", "永和", "清河", "兴隆", "太平", "凤山", "龙泉", "宝丰", "柳林")


def place_name(i: int) -> str:
    """The i-th place name, unique for every i: i written in base len(PLACES), one place word per digit."""
    words = [PLACES[i % len(PLACES)]]
    i //= len(PLACES)
    while i:
        words.append(PLACES[i % len(PLACES)])
        i //= len(PLACES)
    return "".join(words)


def make_agencies(folder: Path, n: int, copies: bool = False) -> list[Path]:
    """n reports: the seeds in turn, each under its own agency name (`东湖红旗区人民政府`, …), none repeated.

    The tables are the seed's; the narrative sentences are rewritten (7 in 10, `bench_parse.vary`'s
    vocabulary) so that the reports are not copies of each other. `copies`: the seed's text as it is,
    so that each report is a near-copy of every n/5-th other (the worst case for the copy rules and pages).
    """
    import random

    from bench_corpus import Writer
    from bench_parse import _SENTENCE

    from auditlib.audit import audit_file

    agencies = {seed: audit_file(seed).report.agency for seed in SEEDS}  # type: ignore[union-attr]
    texts = {seed: seed.read_text(encoding="utf-8") for seed in SEEDS}
    rng, writer = random.Random(0), Writer(0, vocabulary=5000)
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(n):
        seed = SEEDS[i % len(SEEDS)]
        stem = (agencies[seed] or "").removesuffix("人民政府")
        # the place comes from i // len(SEEDS): every seed's copies are named through the whole list
        text = texts[seed].replace(stem, place_name(i // len(SEEDS)) + stem) if stem else texts[seed]
        if not copies:
            text = _SENTENCE.sub(lambda m: writer.sentence() if rng.random() < 0.7 else m.group(0), text)
        path = folder / f"{i:05d}_{seed.name}"
        path.write_text(text, encoding="utf-8")
        out.append(path)
    return out


def _run(cmd: list[str]) -> None:
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def naive_loop(reports: list[Path], out: Path) -> float:
    """papermill CLI, then nbconvert CLI, for one agency after another; seconds taken."""
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    for report in reports:
        executed = out / f"{report.stem}.ipynb"
        _run([str(BIN / "papermill"), str(NOTEBOOK), str(executed), "-p", "report_path", str(report.resolve()),
              "--no-progress-bar", "--cwd", str(NOTEBOOK.parent)])
        _run([str(BIN / "jupyter"), "nbconvert", "--to", "html", str(executed)])
    return time.perf_counter() - started


def _mean_kb(paths: list[Path]) -> float:
    return round(statistics.mean(p.stat().st_size for p in paths) / 1024, 1) if paths else 0.0


def bench_batch(n_agencies: int = 20, workers: int | None = None) -> dict[str, Any]:
    """Seconds for `auditlib batch` and for the naive loop over `n_agencies` reports, their ratio, page sizes."""
    from auditlib.batch import run_batch, vega_bundle

    workers = workers or os.cpu_count() or 1
    vega_bundle()  # built once per machine and cached (~2 s); not part of either side's per-run cost
    with tempfile.TemporaryDirectory(prefix="auditlib-bench-") as tmp:
        base = Path(tmp)
        reports = make_agencies(base / "reports", n_agencies)

        started = time.perf_counter()
        result = run_batch([base / "reports"], base / "batch", workers=workers, progress=False)
        batch_seconds = time.perf_counter() - started
        assert result.failed == 0 and len(result.agencies) == n_agencies

        started = time.perf_counter()
        rerun = run_batch([base / "reports"], base / "batch", workers=workers, progress=False)
        rerun_seconds = time.perf_counter() - started
        assert rerun.skipped == n_agencies

        naive_seconds = naive_loop(reports, base / "naive")

        pages = sorted((base / "batch" / "agencies").glob("*.html"))
        asset = next((base / "batch" / "assets").glob("vega-embed-*.js"))
        return {
            "n_agencies": n_agencies,
            "workers": workers,
            "batch_seconds": round(batch_seconds, 1),
            "naive_seconds": round(naive_seconds, 1),
            "ratio": round(naive_seconds / batch_seconds, 1),
            "rerun_unchanged_seconds": round(rerun_seconds, 2),
            "page_kb_mean": _mean_kb(pages),
            "index_kb": _mean_kb([base / "batch" / "index.html"]),
            "shared_asset_kb": _mean_kb([asset]),
            "naive_page_kb_mean": _mean_kb(sorted((base / "naive").glob("*.html"))),
        }


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    figures = bench_batch(n)
    width = max(len(k) for k in figures)
    for key, value in figures.items():
        print(f"{key:<{width}}  {value}")


if __name__ == "__main__":
    main()
