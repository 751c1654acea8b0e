"""auditlib.text.normalize normalises only the stretches NFKC can change; the result must be exactly
NFKC of the whole text (zero-width marks removed first), whatever the mix of characters."""

from __future__ import annotations

import random
import re
import unicodedata

from auditlib import text as T


def reference(text: str) -> str:
    """What normalize did before it skipped stable characters: NFKC over the whole text."""
    text = T.BOOKMARK.sub("", text) if "[bookmark:" in text else text
    return unicodedata.normalize("NFKC", text.translate(T._ZERO_WIDTH)).replace("\u3000", " ")


def _chars(pattern: str) -> list[str]:
    cls = re.compile(f"[{pattern}]")
    return [chr(c) for c in range(0x10000) if cls.match(chr(c))]


def _composition_seconds() -> set[str]:
    """Characters that compose with the character before them under NFC."""
    out = {chr(c) for c in range(0x1161, 0x1176)} | {chr(c) for c in range(0x11A8, 0x11C3)}  # Hangul V, T
    for c in range(0x110000):
        d = unicodedata.decomposition(chr(c))
        if d and not d.startswith("<") and len(d.split()) == 2:
            out.add(chr(int(d.split()[1], 16)))
    return out


def test_stable_characters_are_left_alone_by_nfkc_and_never_compose_backwards() -> None:
    seconds = _composition_seconds()
    stable = _chars(T._STABLE)
    assert "一" in stable and "，" not in stable and "（" not in stable
    bad = [c for c in stable if unicodedata.normalize("NFKC", c) != c or unicodedata.combining(c) or c in seconds]
    assert bad == []


def test_stretch_starters_never_compose_with_the_character_before() -> None:
    seconds = _composition_seconds()
    for c in _chars(T._STARTERS):
        first = unicodedata.normalize("NFKC", c)[0]
        assert not unicodedata.combining(c) and c not in seconds
        assert not unicodedata.combining(first) and first not in seconds


def test_starters_map_one_by_one_to_ascii() -> None:
    assert sorted(T._STARTER_NFKC) == _chars(T._STARTERS)
    assert all(len(v) == 1 and v.isascii() for v in T._STARTER_NFKC.values())


def test_normalize_equals_nfkc_of_the_whole_text_on_stable_text_and_starters() -> None:
    rng = random.Random(3)
    alphabet = "一二三政府信息公开年度报告。、《》“”—·〇0123456789 abc\t\n|-Ａ１２，（）：；！？％\u3000\uff5e\uff01"
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        assert T._normalize(text) == reference(text), repr(text)


def test_normalize_equals_nfkc_of_the_whole_text_on_mixed_text() -> None:
    rng = random.Random(0)
    tricky = ("e\u0301\u0300\u0323Ａ１２，（）：；\u3000\u200b\u200d\ufeff①⑴㈠ｶﾞﾞ\uff9e\u3099\u309a\u1100\u1161\u11a8가"
              "각\u0b47\u0b3e\u0bc6\u0bbe…℃Ⅳ\u2060ﬁ\u00a0\u2002")
    common = "一二三政府信息公开年度报告。、《》“”—·0123456789 abc\t\n|-"
    alphabet = tricky + common
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        assert T._normalize(text) == reference(text), repr(text)
    seed = "２０２４年，本机关（共１２件）：依申请公开\u3000办结率１００％；[bookmark: _Toc1]一、总体情况"
    assert T.normalize(seed) == reference(seed) == "2024年,本机关(共12件):依申请公开 办结率100%;一、总体情况"


def test_compact_removes_what_the_markdown_and_whitespace_patterns_remove() -> None:
    spaces = [chr(c) for c in range(0x3001) if chr(c).isspace()]
    assert all(re.fullmatch(r"\s", c) for c in spaces)  # str.split and re's \s agree on whitespace
    rng = random.Random(1)
    alphabet = "#>-*+_ 一二、总体情况12" + "".join(spaces)
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 16)))
        norm = T.normalize(text).replace("**", "").replace("__", "")
        assert T._compact_uncached(text) == re.sub(r"\s+", "", T.MARKDOWN_PREFIX.sub("", norm)), repr(text)


def test_compact_lines_equals_compact_of_the_joined_text() -> None:
    rng = random.Random(2)
    pieces = ["e\u0301", "\u0301", "\u0300\u0323", "Ａ１", "（", "\u3000", "\u200b", "ｶﾞ", "\uff9e", "\u1161", "가", "ﬁ",
              "\u00a0", "**", "*", "_", "__", "#", "# ", "> ", "- ", "+ ", " ", "\t", "一、总体情况", "年度报告", "12",
              "[bookmark: _Toc1]", "[bookmark:", "]", "|"]
    for _ in range(3000):
        lines = ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 6))) for _ in range(rng.randint(0, 5))]
        assert T.compact_lines(lines) == T.compact("\n".join(lines)), repr(lines)
    assert T.compact_lines(["# 标题", "**一、总体情况**", "[bookmark: a", "b]正文"]) == "标题一、总体情况正文"
