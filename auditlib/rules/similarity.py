"""Near-duplicate texts: character 5-grams as 64-bit hashes, Jaccard similarity of the sets, and for
large calls MinHash (one permutation, 120 bins, densified) with LSH banding (20 bands of 6), so no two
full texts are compared unless their signatures collide; every candidate is verified exactly. Calls of
up to 64 texts compare every pair exactly. Knows nothing of reports: texts in, index pairs out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations

__all__ = ["COPY_THRESHOLD", "MIN_OWN_CHARS", "Pair", "jaccard", "near_duplicates", "shingles"]

COPY_THRESHOLD = 0.8  # Jaccard of 5-gram sets; CASS found copied reports ~90% identical (domain.md §3)
MIN_OWN_CHARS = 100  # less own text than this is not compared (short stock texts match by chance)
SHINGLE = 5
EXACT_LIMIT = 64  # up to this many texts, every pair is compared exactly

_MASK = (1 << 64) - 1
_MIX1, _MIX2, _ROTATE = 0x9E3779B97F4A7C15, 0xBF58476D1CE4E5B9, 0x94D049BB133111EB
BINS, BANDS, ROWS = 120, 20, 6  # P(candidate) = 1-(1-J^6)^20: 0.998 at J=0.8, 0.02 at J=0.3


def shingles(text: str, size: int = SHINGLE) -> set[int]:
    """The text's character n-grams as deterministic, well-mixed 64-bit integers."""
    if not text:
        return set()
    data = text.encode("utf-32-le")
    width = 4 * size
    last = max(len(data) - width, 0)
    out: set[int] = set()
    add = out.add
    from_bytes = int.from_bytes
    for j in range(0, last + 1, 4):
        h = (hash(from_bytes(data[j:j + width], "little")) * _MIX1) & _MASK  # hash(int) is not salted
        h ^= h >> 31
        add((h * _MIX2) & _MASK)
    return out


def jaccard(a: set[int], b: set[int]) -> float:
    """|a ∩ b| / |a ∪ b| (0 when either is empty)."""
    if not a or not b:
        return 0.0
    inter = len(a & b)
    return inter / (len(a) + len(b) - inter)


def _signature(hashes: set[int]) -> list[int]:
    mins = [_MASK] * BINS
    for h in hashes:
        k = h % BINS
        if h < mins[k]:
            mins[k] = h
    if _MASK in mins and hashes:
        # densify: an empty bin borrows from the next filled one (circularly), shifted by the distance
        following = [0] * BINS
        last = -1
        for k in range(2 * BINS - 1, -1, -1):
            if mins[k % BINS] != _MASK:
                last = k
            if k < BINS:
                following[k] = last
        for k in range(BINS):
            if mins[k] == _MASK:
                t = following[k] - k
                mins[k] = (mins[following[k] % BINS] + t * _ROTATE) & _MASK
    return mins


@dataclass(frozen=True, order=True)
class Pair:
    """Two texts (indices, a < b) whose 5-gram sets have Jaccard similarity ≥ the threshold."""

    a: int
    b: int
    similarity: float


def near_duplicates(texts: Sequence[str], threshold: float = COPY_THRESHOLD, min_chars: int = MIN_OWN_CHARS,
                    exact_limit: int = EXACT_LIMIT) -> list[Pair]:
    """Every pair of texts at least `threshold` similar (texts shorter than `min_chars` are left out)."""
    eligible = [i for i, t in enumerate(texts) if len(t) >= min_chars]
    if len(eligible) < 2:
        return []
    sets: dict[int, set[int]] = {}

    def shingle_set(i: int) -> set[int]:
        if i not in sets:
            sets[i] = shingles(texts[i])
        return sets[i]

    if len(eligible) <= exact_limit:
        candidates = list(combinations(eligible, 2))
    else:
        buckets: dict[int, list[int]] = defaultdict(list)
        signatures: dict[int, list[int]] = {}
        for i in eligible:
            sig = _signature(shingles(texts[i]))
            signatures[i] = sig
            for band in range(BANDS):
                buckets[hash((band, *sig[band * ROWS:(band + 1) * ROWS]))].append(i)
        found: set[tuple[int, int]] = set()
        for members in buckets.values():
            if len(members) > 1:
                found.update(combinations(members, 2))
        # the signatures estimate the similarity; only plausible candidates are verified exactly
        candidates = sorted(
            (a, b) for a, b in found
            if sum(x == y for x, y in zip(signatures[a], signatures[b], strict=True)) >= (threshold - 0.2) * BINS
        )
    out: list[Pair] = []
    for a, b in candidates:
        sim = jaccard(shingle_set(a), shingle_set(b))
        if sim >= threshold:
            out.append(Pair(a, b, round(sim, 4)))
        if len(sets) > 4096:
            sets.clear()
    return out
