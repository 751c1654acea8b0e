"""File names, atomic writes and the hashes the skip decision is made of."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from auditlib.batch.common import PACKAGE_DIR, TMP_PREFIX
from auditlib.ingest.files import real_path
from auditlib.safety import safe_filename

# The agency's part of a file name, in UTF-8 bytes. NAME_MAX is 255 bytes; the key adds `-2024-1a2b3c4d`
# (14), the longest extension `.ipynb` (6) and a temp name around it (`.tmp-1a2b3c4d-` in the engine,
# `.tmp-NAME.xxxxxxxx` in atomic_write: 14): 180 + 34 = 214, so 60 Chinese characters fit, and 45 emoji.
KEY_NAME_BYTES = 180


def safe_name(name: str | None, fallback: str = "未识别机关", max_chars: int = 60) -> str:
    """A file name from an agency name, capped in characters only (`safety.safe_filename` without the byte cap)."""
    return safe_filename(name, None, fallback, max_chars)


def _short_hash(text: str, n: int = 8) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:n]


def output_key(agency: str | None, year: int | None, report_path: str | os.PathLike[str]) -> str:
    """The agency's output name: `红旗区人民政府-2024-1a2b3c4d`, the hash from the report's path.

    Two reports of agencies with the same name get different names; the same report keeps its name
    from run to run (which is what lets a re-run find and skip it). The name part is capped in bytes
    (KEY_NAME_BYTES) as well as characters, and a symlink loop does not stop the resolution.
    """
    resolved = str(real_path(report_path))
    stem = safe_filename(agency or Path(report_path).stem, KEY_NAME_BYTES)
    middle = f"-{year}" if isinstance(year, int) else ""
    return f"{stem}{middle}-{_short_hash(resolved)}"


def atomic_write(path: str | os.PathLike[str], data: str | bytes) -> None:
    """Write a file so that readers see the old content or the new, never a part: temp file + rename."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f"{TMP_PREFIX}{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data.encode("utf-8") if isinstance(data, str) else data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def remove_stale_temps(folders: Iterable[Path]) -> None:
    """Temp files of an interrupted run; the files they were meant to replace are intact."""
    for folder in folders:
        if folder.is_dir():
            for leftover in folder.glob(TMP_PREFIX + "*"):
                with contextlib.suppress(OSError):
                    leftover.unlink()


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def hash_json(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


def code_hash() -> str:
    """The library's code and templates: a change in a rule or the page template re-runs every agency."""
    h = hashlib.sha256()
    for p in sorted(PACKAGE_DIR.rglob("*")):
        if p.is_file() and p.suffix in {".py", ".j2", ".json", ".css"} and "__pycache__" not in p.parts:
            h.update(str(p.relative_to(PACKAGE_DIR)).encode())
            h.update(p.read_bytes())
    return h.hexdigest()

