"""Benchmark: `auditlib batch` (warm kernels) against the loop a user would otherwise write.

The loop ("naive"): for each report, the papermill CLI executes the agency notebook in a new kernel,
then `jupyter nbconvert --to html` exports it, one agency after another. Both produce one executed
notebook and one HTML page per agency from the same notebook. The naive loop costs about 10 s per
agency, so it may run over the first `n_naive` reports only: its per-agency figures are then
extrapolated to all `n_agencies` (and the output says so). Wall time depends on what else runs on the
machine; CPU seconds (this process and all its children: workers, kernels, CLI processes) much less so.
`bench_batch()` returns the figures; `python scripts/bench_batch.py N [--naive M] [--workers W]` prints them.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
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


def _cpu() -> float:
    """CPU seconds of this process and of its children that have ended (workers, kernels, CLI runs)."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


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


def _timed(run: Callable[[], Any]) -> tuple[Any, float, float]:
    """`run()`'s result, wall seconds and CPU seconds."""
    cpu, started = _cpu(), time.perf_counter()
    result = run()
    return result, time.perf_counter() - started, _cpu() - cpu


def bench_batch(n_agencies: int = 20, workers: int | None = None, n_naive: int | None = None,
                fresh: bool = True) -> dict[str, Any]:
    """`auditlib batch` over `n_agencies` reports (warm kernels) against the naive loop, per agency and in all.

    The naive loop (and, with `fresh`, the batch with `--fresh-kernels`) runs over the first `n_naive`
    reports (default: all); their totals for `n_agencies` are extrapolated from the per-agency figures.
    The ratio is the naive loop's wall time per agency over the warm batch's.
    """
    from auditlib.batch import run_batch, vega_bundle

    workers = workers or os.cpu_count() or 1
    n_naive = n_agencies if n_naive is None else max(0, min(n_naive, n_agencies))
    vega_bundle()  # built once per machine and cached (~2 s); not part of either side's per-run cost
    with tempfile.TemporaryDirectory(prefix="auditlib-bench-") as tmp:
        base = Path(tmp)
        reports = make_agencies(base / "reports", n_agencies)

        result, warm_s, warm_cpu = _timed(lambda: run_batch([base / "reports"], base / "batch", workers=workers,
                                                            progress=False))
        assert result.failed == 0 and len(result.agencies) == n_agencies
        rerun, rerun_s, _ = _timed(lambda: run_batch([base / "reports"], base / "batch", workers=workers,
                                                     progress=False))
        assert rerun.skipped == n_agencies
        figures: dict[str, Any] = {
            "n_agencies": n_agencies, "workers": workers,
            "load_before": round(os.getloadavg()[0], 1),
            "warm_seconds": round(warm_s, 1), "warm_cpu_seconds": round(warm_cpu, 1),
            "warm_s_per_agency": round(warm_s / n_agencies, 3),
            "warm_cpu_s_per_agency": round(warm_cpu / n_agencies, 3),
        }
        if n_naive:
            subset = base / "subset"
            subset.mkdir()
            for path in reports[:n_naive]:
                (subset / path.name).write_bytes(path.read_bytes())
            if fresh:
                _, fresh_s, fresh_cpu = _timed(lambda: run_batch([subset], base / "fresh", workers=workers,
                                                                 progress=False, fresh_kernels=True))
                figures |= {"fresh_kernels_s_per_agency": round(fresh_s / n_naive, 3),
                            "fresh_kernels_cpu_s_per_agency": round(fresh_cpu / n_naive, 3)}
            _, naive_s, naive_cpu = _timed(lambda: naive_loop(reports[:n_naive], base / "naive"))
            extrapolated = f"（按前 {n_naive} 个机关外推）" if n_naive < n_agencies else ""
            figures |= {
                "naive_agencies_run": n_naive,
                "naive_s_per_agency": round(naive_s / n_naive, 3),
                "naive_cpu_s_per_agency": round(naive_cpu / n_naive, 3),
                "naive_seconds" + ("_extrapolated" if extrapolated else ""): round(naive_s / n_naive * n_agencies, 1),
                "ratio_wall": round(naive_s / n_naive / (warm_s / n_agencies), 1),
                "ratio_cpu": round(naive_cpu / n_naive / (warm_cpu / n_agencies), 1),
                "note": f"朴素循环实际运行 {n_naive} 个机关{extrapolated}",
                "naive_page_kb_mean": _mean_kb(sorted((base / "naive").glob("*.html"))),
            }
        pages = sorted((base / "batch" / "agencies").glob("*.html"))
        asset = next((base / "batch" / "assets").glob("vega-embed-*.js"))
        figures |= {
            "rerun_unchanged_seconds": round(rerun_s, 2),
            "page_kb_mean": _mean_kb(pages),
            "index_kb": _mean_kb([base / "batch" / "index.html"]),
            "shared_asset_kb": _mean_kb([asset]),
            "load_after": round(os.getloadavg()[0], 1),
        }
        return figures


def print_figures(figures: dict[str, Any]) -> None:
    width = max(len(k) for k in figures)
    for key, value in figures.items():
        print(f"  {key:<{width}}  {value}")


def main() -> None:
    parser = argparse.ArgumentParser(description="批量运行（内核复用）与逐个运行 papermill＋nbconvert 的对比")
    parser.add_argument("agencies", nargs="?", type=int, default=20, help="批量运行的机关数（默认 20）")
    parser.add_argument("--naive", type=int, default=None, help="朴素循环只跑前 N 个机关，再按每个机关外推（默认全部）")
    parser.add_argument("--workers", type=int, default=None, help="工作进程数（默认 CPU 核数）")
    parser.add_argument("--no-fresh", action="store_true", help="不测 --fresh-kernels 的批量运行")
    args = parser.parse_args()
    print_figures(bench_batch(args.agencies, args.workers, args.naive, fresh=not args.no_fresh))


if __name__ == "__main__":
    main()
