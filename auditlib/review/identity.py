"""A finding's stable identity: the key its review decision is stored under.

What is in the key, and why:

- the agency, normalised by `auditlib.agency.normalize_agency` and with all whitespace removed
  (`淮安市洪泽区人民政府` and `洪泽区 人民政府` are one agency), so the same agency's report keeps its
  decisions when it is re-read, renamed, moved into another folder or printed with a longer name;
- the year the report is about;
- the rule ID;
- the implicated cells, sorted (the order a rule lists them in is not part of what it says);
- the message, i.e. what the finding says, with the numbers it quotes — minus what is not a claim
  about the report (see `claim`).

What is NOT in the key, and why:

- the report's file path and sha256: an edit anywhere in the file changes the hash, and a moved or
  renamed file is still the same agency's report; decisions must survive both;
- the source line numbers (`Finding.lines`): inserting a line above the table shifts every number
  below it without changing anything the finding says;
- the severity: a rule's severity may be re-graded without the claim changing;
- in messages: the file paths of *other* reports (cross-report rules name the other report as
  `某机关2024年报告（path）`; the agency and year stay, the path goes), the similarity percentage,
  the quoted example passage and the "另与 N 份…" count of COPY-PRIOR / COPY-PEER (measurements that
  move with any edit of either narrative, while the claim "copied from that agency's report" does
  not), and the code location inside a RULE-FAILED message.

Why a changed number in an implicated cell changes the key (a deliberate choice): an inspector's
decision is about one claim, e.g. "总计（12）不等于…之和（11）". If the report now prints 15, the claim
is a different one; carrying an old 排除（误报） over to it would silently hide a new, possibly real,
error — the worst thing an audit tool can do. Instead the new finding starts as 待复核 and the old
decision stays in the store, shown as 已不存在 with the message it was made on, so nothing is lost and
the inspector sees both. The cost is one more look when the numbers change, which is the point.

Two findings of one report that say exactly the same thing about the same cells share a key (and
so a decision); two reports of the same agency and year share keys too (a re-published report is
the same report for the inspector). When the agency could not be recognised, the report's file
name stands in for it, so findings of two unrecognisable files (e.g. two UNREADABLE ones) do not
share a decision.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from pathlib import PurePath
from typing import Any

from auditlib.agency import normalize_agency
from auditlib.findings import Finding
from auditlib.ingest import listed_suffixes

__all__ = ["KEY_LENGTH", "agency_identity", "claim", "finding_key", "key_of"]

KEY_LENGTH = 12  # hex digits: 48 bits, collisions negligible for millions of findings

_SUFFIXES = "(?:" + "|".join(re.escape(s.lstrip(".")) for s in listed_suffixes()) + ")"  # every format a folder lists
_PATH_IN_BRACKETS = re.compile(r"（[^（）]*?\." + _SUFFIXES + r"）", re.IGNORECASE)
_SIMILARITY = re.compile(r"（相似度\s*[\d.]+%）")
_EXAMPLE = re.compile(r"，如：“.*?”$")
_MORE_PEERS = re.compile(r"；另与\s*\d+\s*份同年度报告高度雷同")
_CODE_LOCATION = re.compile(r"，[\w.\-]+\.py:\d+）")
_SPACE = re.compile(r"\s+")


def agency_identity(agency: str | None, report: str = "") -> str:
    """The agency as the key sees it: normalised, without whitespace; the file name when it is unknown."""
    name = _SPACE.sub("", normalize_agency(agency)) if agency else ""
    return name or ("文件:" + PurePath(report).name if report else "")


def claim(rule: str, message: str) -> str:
    """The message without what is not a claim about the report (paths, measurements, code locations)."""
    text = _PATH_IN_BRACKETS.sub("", message)
    if rule in ("COPY-PRIOR", "COPY-PEER"):
        text = _EXAMPLE.sub("", _MORE_PEERS.sub("", _SIMILARITY.sub("", text)))
    if rule == "RULE-FAILED":
        text = _CODE_LOCATION.sub("）", text)
    return _SPACE.sub(" ", text).strip()


def key_of(agency: str | None, year: int | None, rule: str, cells: Iterable[str], message: str,
           report: str = "") -> str:
    """The stable key of a finding given its parts (what `finding_key` reads off a Finding)."""
    parts: list[Any] = [agency_identity(agency, report), year, rule, sorted(set(cells)), claim(rule, message)]
    blob = json.dumps(parts, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:KEY_LENGTH]


def finding_key(finding: Finding) -> str:
    """The stable key of one finding (see the module docstring for what is and is not in it)."""
    return key_of(finding.agency, finding.year, finding.rule, finding.cells, finding.message, finding.report)
