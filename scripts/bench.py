"""`make bench`: speed and memory, measured here rather than in timed tests. Figures go in the README.

- parse + check of 2,000 text reports on one core (reports/s) and peak memory;
- parse + check of the seeds and of varied reports (`bench_parse`: no two share a line), and one big file;
- reports/s for each other format (.docx, .html, .pdf), when the format readers are installed;
- the batch run (warm kernels) and the loop a user would write (papermill CLI + nbconvert, a new kernel
  per agency) side by side, per agency and their ratio, and HTML page size (`bench_batch`);
- copy detection over 10,000 reports.
Each part is skipped with a note if its module is missing. `--quick` runs smaller sizes; `--agencies N`
sets the batch's size and `--naive M` runs the naive loop over the first M only (extrapolated per agency);
`--only batch` (or parse, formats, corpus) runs one part.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "scripts")]

from builders import LAYOUTS, make_tables, render  # noqa: E402

from auditlib.audit import audit_file  # noqa: E402


def bench_text(n: int) -> dict[str, float]:
    """Parse + check n text reports (the four layouts plus the real seeds), one process, one core."""
    seeds = sorted((ROOT / "examples" / "reports").glob("*.txt"))
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        rng = random.Random(0)
        for i in range(n):
            path = Path(tmp) / f"r{i:05d}.txt"
            if i % 5 == 0:
                path.write_bytes(seeds[i // 5 % len(seeds)].read_bytes())
            else:
                path.write_text(render(make_tables(rng), layout=LAYOUTS[i % 4], agency=f"第{i}镇人民政府"), encoding="utf-8")
            paths.append(path)
        gc.collect()
        start = time.perf_counter()
        findings = sum(len(audit_file(p).findings) for p in paths)
        elapsed = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"reports": n, "seconds": round(elapsed, 2), "reports_per_s": round(n / elapsed, 1),
            "findings": findings, "peak_rss_mb": round(peak_mb, 1)}


def optional(module: str, func: str, *args: object) -> dict | None:
    try:
        return getattr(importlib.import_module(module), func)(*args)
    except ModuleNotFoundError as exc:
        print(f"  （跳过：{exc}）")
        return None


def main() -> None:
    parser = argparse.ArgumentParser(description="性能基准")
    parser.add_argument("--quick", action="store_true", help="小规模试跑")
    parser.add_argument("--agencies", type=int, default=None, help="批量运行的机关数（默认 20，--quick 时 4）")
    parser.add_argument("--naive", type=int, default=None,
                        help="朴素循环（每个机关新开内核的 papermill＋nbconvert）只跑前 N 个机关，再按每个机关外推")
    parser.add_argument("--only", choices=("parse", "formats", "batch", "corpus"), default=None, help="只跑这一项")
    args = parser.parse_args()
    n_text, n_fmt, n_agencies, n_corpus = (200, 5, 4, 1000) if args.quick else (2000, 50, 20, 10000)
    n_agencies = args.agencies or n_agencies
    if args.only in (None, "parse"):
        print(f"解析＋核验 {n_text} 份文本报告（单进程）…")
        print(" ", bench_text(n_text))
        n_parse = n_text // 4
        print(f"解析＋核验 {n_parse} 份种子报告、{n_parse} 份数字和文字各不相同的报告，及单个大文件（bench_parse）…")
        print("  种子", optional("bench_parse", "bench_seeds", n_parse))
        print("  多样", optional("bench_parse", "bench_varied", n_parse))
        print("  大文件", optional("bench_parse", "bench_sizes", (1,) if args.quick else (1, 10)))
    if args.only in (None, "formats"):
        print("各格式解析速度…")
        print(" ", optional("bench_formats", "bench_formats", n_fmt))
    if args.only in (None, "batch"):
        naive = n_agencies if args.naive is None else args.naive
        print(f"批量生成 {n_agencies} 个机关的审核笔记本与网页（内核复用），对比逐个运行 papermill＋nbconvert"
              f"（每个机关新开内核，跑 {min(naive, n_agencies)} 个）…")
        figures = optional("bench_batch", "bench_batch", n_agencies, None, naive)
        if figures:
            importlib.import_module("bench_batch").print_figures(figures)
    if args.only in (None, "corpus"):
        print(f"{n_corpus} 份报告的抄袭检测…")
        print(" ", optional("bench_corpus", "bench_corpus", n_corpus))


if __name__ == "__main__":
    main()
