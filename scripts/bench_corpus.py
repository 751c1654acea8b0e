"""Copy detection at scale: n synthetic narratives, some planted copies, timed end to end.

What is timed is the copy detection of `auditlib.rules.cross_report`: sentences with the template's
wording removed and names and digits masked (`sentence_keys`), sentences common to many agencies
dropped (`own_texts`), then MinHash + LSH candidates verified exactly (`near_duplicates`). Generating
the texts is not timed. Run alone: `python scripts/bench_corpus.py [n]`.
"""

from __future__ import annotations

import random
import sys
import time
from itertools import accumulate
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from auditlib.rules.cross_report import own_texts, sentence_keys  # noqa: E402
from auditlib.rules.similarity import near_duplicates  # noqa: E402

# Wording every report shares (removed by the fixed list or by document frequency).
SHARED = [
    "{year}年，{name}坚持以习近平新时代中国特色社会主义思想为指导，认真贯彻落实《中华人民共和国政府信息公开条例》。",
    "本报告根据《中华人民共和国政府信息公开条例》要求编制，全文包括总体情况、主动公开政府信息情况等六个部分。",
    "将政务公开工作纳入年度绩效考核，加强业务培训和监督检查。",
    "持续优化政府网站信息公开专栏，发挥政务新媒体作用。",
]
COMMON_WORDS = ["政府信息公开", "政务公开", "主动公开", "依申请公开", "政策解读", "政府网站", "信息发布", "审核机制",
                "监督保障", "平台建设", "工作人员", "业务培训", "重点领域", "民生领域", "群众", "进一步", "加强", "完善",
                "规范", "落实", "推进", "提升", "及时", "全面", "专栏", "栏目", "制度", "机制", "公开指南", "公开目录"]


class Writer:
    """Plausible-looking narratives: common phrases among words drawn from a large Zipf vocabulary."""

    def __init__(self, seed: int = 0, vocabulary: int = 30000) -> None:
        self.rng = random.Random(seed)
        chars = [chr(c) for c in range(0x4E00, 0x9FA5)]
        self.words = ["".join(self.rng.choices(chars, k=self.rng.randint(2, 4))) for _ in range(vocabulary)]
        self.cum = list(accumulate(1 / (rank + 1) for rank in range(vocabulary)))

    def sentence(self) -> str:
        rng = self.rng
        n = rng.randint(7, 14)
        words = rng.choices(self.words, cum_weights=self.cum, k=n)
        for _ in range(rng.randint(1, 3)):
            words.insert(rng.randrange(len(words) + 1), rng.choice(COMMON_WORDS))
        if rng.random() < 0.3:
            words.insert(rng.randrange(len(words) + 1), f"{rng.randint(1, 999)}件")
        return "".join(words) + rng.choice("。；，") if rng.random() < 0.2 else "".join(words) + "。"

    def narrative(self, name: str, year: int) -> list[str]:
        body = [self.sentence() for _ in range(self.rng.randint(30, 50))]
        shared = [s.format(year=year, name=name) for s in SHARED]
        return shared[:2] + body[:25] + shared[2:] + body[25:]

    def copy(self, sentences: list[str], old: str, new: str, changed: float = 0.04) -> list[str]:
        """The same narrative under another name, new figures, a few sentences (4%) rewritten."""
        rewrite = set(self.rng.sample(range(len(sentences)), max(1, round(changed * len(sentences)))))
        out = []
        for i, s in enumerate(sentences):
            s = s.replace(old, new)
            s = "".join(str(self.rng.randint(0, 9)) if ch.isdigit() else ch for ch in s)
            out.append(self.sentence() if i in rewrite else s)
        return out


def corpus(n: int, seed: int = 0) -> tuple[list[str], list[str], list[tuple[int, int]]]:
    """(texts, agency names, planted pairs): one copy-from-last-year and one peer copy per 200 reports."""
    writer = Writer(seed)
    texts: list[list[str]] = []
    names: list[str] = []
    planted: list[tuple[int, int]] = []
    plants = max(1, n // 200)
    originals = n - 2 * plants
    for i in range(originals):
        name = f"第{i}镇人民政府"
        names.append(name)
        texts.append(writer.narrative(name, 2024 if i % 2 else 2023))
    for k in range(plants):
        src = (k * 37) % originals
        texts.append(writer.copy(texts[src], names[src], names[src]))  # the same agency, next year
        names.append(names[src])
        planted.append((src, len(texts) - 1))
        peer = f"第{originals + k}乡人民政府"
        texts.append(writer.copy(texts[src], names[src], peer))  # another agency
        names.append(peer)
        planted.append((src, len(texts) - 1))
    return ["\n".join(t) for t in texts], names, planted


def bench_corpus(n: int = 10000) -> dict[str, object]:
    """Time copy detection over n synthetic reports; check that the planted copies are found."""
    texts, names, planted = corpus(n)
    start = time.perf_counter()
    keys = [[p.key for p in sentence_keys(text, (name, name.removesuffix("人民政府")))]
            for text, name in zip(texts, names, strict=True)]
    prepared = time.perf_counter()
    own = own_texts(keys, names)
    stripped = time.perf_counter()
    pairs = near_duplicates(own)
    end = time.perf_counter()
    found = {(p.a, p.b) for p in pairs}
    recalled = sum(1 for a, b in planted if (min(a, b), max(a, b)) in found)
    planted_set = {(min(a, b), max(a, b)) for a, b in planted}
    # the two copies of one source also match each other: expected, not a false pair
    siblings = {(b1, b2) for (s1, b1), (s2, b2) in zip(planted[::2], planted[1::2], strict=True) if s1 == s2}
    extra = len(found - planted_set - siblings)
    return {"reports": n, "seconds": round(end - start, 2), "prepare_s": round(prepared - start, 2),
            "common_s": round(stripped - prepared, 2), "minhash_lsh_verify_s": round(end - stripped, 2),
            "planted_pairs": len(planted), "recalled": recalled, "other_pairs": extra, "under_60s": end - start < 60}


if __name__ == "__main__":
    print(bench_corpus(int(sys.argv[1]) if len(sys.argv) > 1 else 10000))
