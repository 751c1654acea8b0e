"""Text helpers shared by the parser, the narrative reader and the rules: normalising, compacting,
counting CJK characters, finding years. Nothing here knows a layout or a template."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import cache, lru_cache

__all__ = ["BOOKMARK", "MARKDOWN_PREFIX", "cjk_count", "compact", "compact_lines", "normalize", "years_in"]

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)
_CJK = re.compile(r"[\u3400-\u9fff]")
MARKDOWN_PREFIX = re.compile(r"^\s*(?:#{1,6}\s*|>\s*|[-*+]\s+(?=\S))+")
BOOKMARK = re.compile(r"\[bookmark:[^\]]*\]")
_MARKDOWN_START = ("#", ">", "-", "*", "+")


# Characters NFKC leaves as they are and that never combine with the character before them (ASCII, CJK
# ideographs, the punctuation Chinese text prints unchanged). NFKC is run only over the stretches of
# other characters, each with the one character before it (it may compose with them); the result is
# the same as normalising the whole text (tests/test_text.py compares them over mixed text).
_STABLE = "\x00-\x7f\u00b7\u2013\u2014\u2018\u2019\u201c\u201d\u3001\u3002\u3007-\u3011\u3014-\u301b\u3400-\u4dbf\u4e00-\u9fff"
# Characters that start a stretch without composing with what precedes it (full-width forms, the
# ideographic space): the character before them need not be normalised with them.
_STARTERS = "\u3000\uff01-\uff5e"
_STRETCHES: dict[str, str] = {}
# Text of stable characters and starters only (nearly every line of a report: CJK, ASCII, ，（）：；) has
# no stretch but runs of starters, each of which NFKC maps to one ASCII character that composes with
# nothing: in such text each starter is replaced by its NFKC, without the stretch pattern's lookahead.
_NOT_SIMPLE = re.compile(f"[^{_STABLE}{_STARTERS}]")
_STARTER = re.compile(f"[{_STARTERS}]")
_STARTER_NFKC = {c: unicodedata.normalize("NFKC", c) for c in map(chr, [0x3000, *range(0xFF01, 0xFF5F)])}


@cache
def _unstable() -> re.Pattern[str]:
    """The stretches NFKC may change, compiled when a text first holds one: its big character classes
    cost the compiler more than parsing a report, and most runs never meet such a text."""
    return re.compile(f"[{_STABLE}](?=[^{_STABLE}{_STARTERS}])[^{_STABLE}]+|[^{_STABLE}]+")


def _nfkc_stretch(m: re.Match[str]) -> str:
    stretch = m.group()
    out = _STRETCHES.get(stretch)
    if out is None:
        out = unicodedata.normalize("NFKC", stretch.translate(_ZERO_WIDTH))
        if len(_STRETCHES) < 65536:
            _STRETCHES[stretch] = out
    return out


def _normalize(text: str) -> str:
    if "[bookmark:" in text:
        text = BOOKMARK.sub("", text)
    if _NOT_SIMPLE.search(text) is None:
        for form in set(_STARTER.findall(text)):  # a few distinct forms (，（）：；), however long the text
            text = text.replace(form, _STARTER_NFKC[form])
        return text
    return _unstable().sub(_nfkc_stretch, text).replace("\u3000", " ")


_normalize_short = lru_cache(maxsize=16384)(_normalize)
_normalize_long = lru_cache(maxsize=256)(_normalize)  # a section's text, normalised by several rules


def normalize(text: str) -> str:
    """NFKC (full-width digits and brackets → ASCII), odd spaces → space, zero-width marks removed."""
    if text.isascii():
        return text  # NFKC leaves ASCII as it is (most rows of numbers)
    # Table lines and labels recur across reports: remember the short ones.
    return _normalize_short(text) if len(text) < 200 else _normalize_long(text)


def _compact_normalized(text: str) -> str:
    text = text.replace("**", "").replace("__", "")
    if text[:1] in _MARKDOWN_START or text[:1].isspace():  # else MARKDOWN_PREFIX cannot match
        text = MARKDOWN_PREFIX.sub("", text)
    return "".join(text.split())  # every whitespace character out (str.split and \s agree on what is one)


def _compact_uncached(text: str) -> str:
    return _compact_normalized(normalize(text))


_compact = lru_cache(maxsize=16384)(_compact_uncached)
_compact_long = lru_cache(maxsize=256)(_compact_uncached)


def compact(text: str) -> str:
    """Normalised text without whitespace or Markdown emphasis: for matching labels and headings."""
    return _compact(text) if len(text) < 200 else _compact_long(text)


def compact_lines(lines: Sequence[str], normalized: Sequence[str] | None = None) -> str:
    """`compact("\n".join(lines))`, from each line's (remembered) normalisation instead of the whole
    text's: normalising never joins characters across a line break, and emphasis marks cannot span one.
    A bookmark can (its pattern crosses lines): then the whole text is compacted as it is. `normalized`:
    each line's `normalize`, when the caller has them already."""
    if any("[bookmark:" in line for line in lines):
        return compact("\n".join(lines))
    return _compact_normalized("\n".join(map(normalize, lines) if normalized is None else normalized))


def cjk_count(text: str) -> int:
    """How many CJK ideographs `text` holds."""
    return len(_CJK.findall(text))


_CN_DIGITS = {c: str(i) for i, c in enumerate("〇一二三四五六七八九")} | {"零": "0", "○": "0", "O": "0"}
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_CN_YEAR = re.compile(r"([〇零○一二三四五六七八九]{4})\s*年")


def years_in(text: str) -> list[int]:
    """Every year written `2024年` or `二〇二四年` in `text`, in order (Arabic ones first)."""
    text = normalize(text)
    years = [int(y) for y in _YEAR.findall(text)]
    years += [int("".join(_CN_DIGITS.get(c, c) for c in y)) for y in _CN_YEAR.findall(text)]
    return years
