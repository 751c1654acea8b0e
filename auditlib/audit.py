"""Files or folders in, reports and findings out: the library call behind `check`, `score` and `batch`."""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from auditlib.findings import Finding
from auditlib.ingest import UnreadableError, listed_suffixes
from auditlib.model import Report
from auditlib.parse import parse_file
from auditlib.rules import UNREADABLE, check_corpus, check_report  # noqa: F401  (UNREADABLE: imported from here)
from auditlib.rules.registry import unreadable as _unreadable_finding


@dataclass
class Outcome:
    """One input file: its report (None when unreadable) and its findings."""

    path: str
    report: Report | None
    findings: list[Finding] = field(default_factory=list)
    error: str | None = None  # why the file could not be read, in Chinese


def collect_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Files in the order given; folders contribute their report files, recursively and sorted: those
    read and those of a report format refused with advice (`ingest.NOT_READ`: .ofd, .rtf, archives).

    Links to folders are followed, but each real folder is walked once (a symlink loop ends the walk
    there) and each real file is listed once, however many links or arguments reach it. A folder's
    broken links, FIFOs and the like that carry a report's suffix are listed too: reading them gives
    their UNREADABLE finding (see `auditlib.ingest.files`).
    """
    out: list[Path] = []
    seen: set[tuple[int, int]] = set()
    suffixes = set(listed_suffixes())
    for raw in paths:
        p = Path(raw)
        for found in (walk_folder(p, suffixes) if os.path.isdir(p) else [p]):
            key = _file_key(found)
            if key is not None:
                if key in seen:
                    continue
                seen.add(key)
            out.append(found)
    return out


def _file_key(path: Path) -> tuple[int, int] | None:
    """(device, inode) of a regular file, to list it once; None for anything else (kept by name)."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino) if stat.S_ISREG(st.st_mode) else None


def walk_folder(folder: Path, suffixes: set[str]) -> list[Path]:
    """Files under `folder` with one of `suffixes` (not hidden, not Office lock files `~$…`), sorted."""
    found: list[Path] = []
    visited: set[tuple[int, int]] = set()
    stack = [folder]
    while stack:
        here = stack.pop()
        try:
            st = os.stat(here)
        except OSError:
            continue
        if (st.st_dev, st.st_ino) in visited:  # a link back up the tree, or a second link to one folder
            continue
        visited.add((st.st_dev, st.st_ino))
        try:
            with os.scandir(here) as it:
                entries = list(it)
        except OSError:
            continue  # a folder that cannot be listed holds nothing we can read
        for entry in entries:
            try:
                is_dir = entry.is_dir()  # follows links; False for a broken link or a loop
            except OSError:
                is_dir = False
            if is_dir:
                stack.append(Path(entry.path))
            elif not entry.name.startswith((".", "~$")) and Path(entry.name).suffix.lower() in suffixes:
                found.append(Path(entry.path))
    return sorted(found)


def unreadable(path: str, reason: str) -> Finding:
    """The UNREADABLE finding, rendered from its declaration in the rule registry."""
    return _unreadable_finding(path, reason)


def load(path: str | Path) -> tuple[Report | None, str | None]:
    """A report, or the reason (in Chinese) it cannot be read. Never raises for bad input."""
    try:
        return parse_file(path), None
    except UnreadableError as exc:
        return None, str(exc)
    except RecursionError:
        return None, "文件结构嵌套过深，无法解析"
    except MemoryError:
        return None, "文件过大，内存不足以解析"
    except Exception as exc:  # noqa: BLE001 - one bad file must not stop a batch
        return None, f"解析时发生内部错误（{type(exc).__name__}: {exc}），请将该文件反馈给开发人员"


def audit_file(path: str | Path) -> Outcome:
    report, error = load(path)
    if report is None:
        return Outcome(str(path), None, [unreadable(str(path), error or "未知原因")], error)
    return Outcome(str(path), report, check_report(report))


def audit_paths(paths: Iterable[str | Path], progress: bool | None = None) -> list[Outcome]:
    """Parse and check every file; one outcome per file, in input order."""
    files = collect_paths(paths)
    outcomes = list(_with_progress((audit_file(p) for p in files), len(files), progress))
    add_corpus_findings(outcomes)
    return outcomes


def add_corpus_findings(outcomes: list[Outcome]) -> None:
    """Rules across reports (carry-over, copied narratives), appended to each report's own findings."""
    readable = [o for o in outcomes if o.report is not None]
    reports = [o.report for o in readable if o.report is not None]
    for outcome, found in zip(readable, check_corpus(reports), strict=True):
        outcome.findings.extend(found)


def _with_progress(items: Iterator[Outcome], total: int, progress: bool | None) -> Iterator[Outcome]:
    if progress is None:
        progress = total > 20 and sys.stderr.isatty()
    if not progress:
        yield from items
        return
    from tqdm import tqdm

    yield from tqdm(items, total=total, desc="审核报告", unit="份", file=sys.stderr)
