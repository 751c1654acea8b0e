"""Parse + check speed on VARIED text reports, and time against file size (`make bench` calls these).

Varied reports come from the real seeds (examples/reports, tests/real): every figure redrawn, the agency
renamed, narrative sentences rewritten from a Zipf vocabulary (bench_corpus.Writer), so no two reports
share their lines and no per-line cache hides the cost of a line. Generating is not timed.
"""

from __future__ import annotations

import gc
import random
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

from bench_corpus import Writer  # noqa: E402

from auditlib.audit import audit_file, audit_paths  # noqa: E402

SEEDS = sorted((ROOT / "examples" / "reports").glob("*.txt")) + [ROOT / "tests" / "real" / "pingtan-2021.txt",
                                                                  ROOT / "tests" / "real" / "kewei-2024.md"]
_DIGITS = re.compile(r"(?<![第\d.])\d+(?![\d.、]|\s*[页/])")
_SENTENCE = re.compile(r"[^。；！？\n]{12,}[。；！？]")
_PLACES = ["青山", "白水", "红花", "金沙", "石桥", "柳河", "松林", "龙泉", "东湖", "西岭", "南塘", "北坡", "梅溪", "桃源", "云台"]
_KINDS = ["镇人民政府", "街道办事处", "县教育局", "区司法局", "市市场监督管理局", "县卫生健康局"]


def _seed_agency(text: str) -> str | None:
    m = re.search(r"([\u4e00-\u9fff]{2,20}?(?:政府|办事处|局|委员会|中心))\s*\d{4}\s*年度?", text)
    return m.group(1) if m else None


def vary(text: str, rng: random.Random, writer: Writer) -> str:
    """The same report as another agency would print it: other figures, name and sentences."""
    agency = _seed_agency(text)
    if agency:
        text = text.replace(agency, rng.choice(_PLACES) + rng.choice(_PLACES) + rng.choice(_KINDS))

    def number(m: re.Match[str]) -> str:
        digits = m.group(0)
        if len(digits) == 4 and digits.startswith("20"):
            return digits  # a year
        return str(rng.randint(0, 10 ** len(digits) - 1))

    def sentence(m: re.Match[str]) -> str:
        return writer.sentence() if rng.random() < 0.7 else m.group(0)

    return _SENTENCE.sub(sentence, _DIGITS.sub(number, text))


def varied_texts(n: int, seed: int = 0) -> list[tuple[str, str]]:
    """n (suffix, text) pairs, varied from the seeds in turn."""
    rng = random.Random(seed)
    writer = Writer(seed, vocabulary=5000)
    seeds = [(p.suffix, p.read_text(encoding="utf-8")) for p in SEEDS]
    return [(seeds[i % len(seeds)][0], vary(seeds[i % len(seeds)][1], rng, writer)) for i in range(n)]


def _rate(paths: list[Path]) -> dict[str, float]:
    """Wall and CPU time (`time.process_time`: what this process used, whatever else the machine runs)."""
    gc.collect()
    start, cpu = time.perf_counter(), time.process_time()
    findings = sum(len(audit_file(p).findings) for p in paths)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    return {"reports": len(paths), "seconds": round(elapsed, 2), "reports_per_s": round(len(paths) / elapsed, 1),
            "cpu_ms_per_report": round(1000 * cpu / len(paths), 2), "reports_per_cpu_s": round(len(paths) / cpu, 1),
            "findings": findings}


def bench_seeds(n: int) -> dict[str, float]:
    """Parse + check the unchanged seeds, n files in turn, one core."""
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for i in range(n):
            src = SEEDS[i % len(SEEDS)]
            path = Path(tmp) / f"s{i:05d}{src.suffix}"
            path.write_bytes(src.read_bytes())
            paths.append(path)
        return _rate(paths)


def bench_varied(n: int) -> dict[str, float]:
    """Parse + check n varied reports, one core."""
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for i, (suffix, text) in enumerate(varied_texts(n)):
            path = Path(tmp) / f"v{i:05d}{suffix}"
            path.write_text(text, encoding="utf-8")
            paths.append(path)
        return _rate(paths)


def pasted(megabytes: float, seed: int = 1) -> str:
    """Reports pasted one after another into one text until it holds `megabytes` MB."""
    rng = random.Random(seed)
    writer = Writer(seed, vocabulary=5000)
    seeds = [p.read_text(encoding="utf-8") for p in SEEDS]
    parts: list[str] = []
    size = 0
    while size < megabytes * 1_000_000:
        part = vary(seeds[len(parts) % len(seeds)], rng, writer)
        parts.append(part)
        size += len(part.encode())
    return "\n\n".join(parts)


def bench_sizes(sizes: tuple[float, ...] = (1, 10, 30)) -> dict[str, str]:
    """Seconds to check one file of each size (reports pasted together: rejected, but read to the end)."""
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        for mb in sizes:
            path = Path(tmp) / f"pasted-{mb}mb.txt"
            path.write_text(pasted(mb), encoding="utf-8")
            gc.collect()
            start, cpu = time.perf_counter(), time.process_time()
            outcome = audit_paths([path])[0]
            elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
            verdict = "拒收" if outcome.report is None else "接受"
            out[f"{mb:g} MB"] = f"{elapsed:.2f} s，CPU {cpu:.2f} s（{verdict}）"
    return out


if __name__ == "__main__":
    numbers = [a for a in sys.argv[1:] if a.isdigit()]
    count = int(numbers[0]) if numbers else 500
    print("seeds", bench_seeds(count))
    print("varied", bench_varied(count))
    if "--sizes" in sys.argv:
        print("sizes", bench_sizes((1, 10)))
