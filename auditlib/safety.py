"""Guards against hostile input and a hostile environment, shared by the CLI, the batch and the score.

- `UserError`: a mistake the user can fix (a bad option, parameter or rubric file); the CLI prints
  its message, one Chinese line, and exits with 2. Raise it, never print-and-exit, in library code.
- Text leaving the program: `terminal_safe` (no escape sequences reach a terminal), `json_line_safe`,
  `excel_safe` / `excel_safe_frame` (no cell of a spreadsheet or CSV becomes a formula; `excel_text` reads one back).
- Names and parameters: `safe_filename` (capped in UTF-8 bytes), `read_yaml_file`, `validate_rule_ids`,
  `validate_min_severity`, `oserror_message`.
- Processes: `die_with_parent` / `parent_watchdog`, so that workers do not outlive a killed main process.
File reading (regular files only, sizes counted while reading) lives in `auditlib.ingest.files`.
"""

from __future__ import annotations

import contextlib
import difflib
import errno
import os
import re
import signal
import sys
import threading
import time
import unicodedata
from collections.abc import Collection, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import polars as pl

__all__ = [
    "UserError",
    "die_with_parent",
    "excel_safe",
    "excel_safe_frame",
    "excel_text",
    "json_line_safe",
    "oserror_message",
    "oserror_reason",
    "parent_watchdog",
    "read_yaml_file",
    "safe_filename",
    "terminal_safe",
    "validate_min_severity",
    "validate_rule_ids",
]


class UserError(Exception):
    """Something the user can fix; str(exc) is one Chinese line naming the file or option at fault."""


# ---------------------------------------------------------------------------------------------
# Terminal output
# ---------------------------------------------------------------------------------------------

# ESC sequences: CSI (ESC [ … final), OSC (ESC ] … BEL or ST), DCS/SOS/PM/APC (ESC P/X/^/_ … ST),
# and two-character ones (ESC c, ESC 7 …); the 8-bit forms (CSI = \x9b, OSC = \x9d …) too. An
# unterminated string sequence ends at the line's end, never swallowing what follows.
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]?"
    r"|\x1b[\]PX^_][^\x07\x1b\x9c\n]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[ -/]*[0-~]?"
    r"|\x9b[0-?]*[ -/]*[@-~]?"
    r"|[\x90\x98\x9d\x9e\x9f][^\x07\x1b\x9c\n]*(?:\x07|\x1b\\|\x9c)?"
)
# Bidirectional overrides and isolates reorder what a terminal shows ("Trojan source").
_BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_BIDI_RE = re.compile(f"[{_BIDI}]")


def terminal_safe(text: str, keep: str = "\n") -> str:
    """`text` without escape sequences, control characters (except those in `keep`) or bidi overrides.

    Report text (an agency name, a title, a file name) is printed to the inspector's terminal: an
    `ESC ]0;…` would retitle the window, `ESC [2J` clear it, a bare `\\r` overwrite the line.
    Tabs become spaces (a tab inside a table cell would break the table's columns).
    """
    text = _ESCAPES.sub("", text)
    text = _BIDI_RE.sub("", text)
    out = []
    for ch in text:
        if ch in keep:
            out.append(ch)
        elif ch == "\t":
            out.append(" ")
        elif unicodedata.category(ch) == "Cc":
            continue
        else:
            out.append(ch)
    return "".join(out)


_JSON_UNSAFE = re.compile(f"[\x7f-\x9f\u2028\u2029{_BIDI}]")


def json_line_safe(line: str) -> str:
    """A JSON text with DEL, C1 controls, line separators and bidi overrides written as \\uXXXX escapes.

    `json.dumps(..., ensure_ascii=False)` already escapes C0 controls (ESC included) but passes these
    through raw; they can only occur inside JSON strings, so escaping them keeps the same data.
    """
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", line)


# ---------------------------------------------------------------------------------------------
# Spreadsheets and CSV
# ---------------------------------------------------------------------------------------------

# OWASP "CSV Injection": a cell starting with = + - @ tab or carriage return may be run as a formula
# (or a DDE command) by Excel, LibreOffice and WPS. Prefixing a single quote makes it text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def _formula_like(text: str) -> bool:
    return text.startswith(_FORMULA_START) and not _PLAIN_NUMBER.fullmatch(text)


def excel_safe(value: Any) -> Any:
    """A cell value that Excel, WPS or LibreOffice will show as text, never evaluate (OWASP CSV injection).

    Text starting with = + - @ or a tab/CR gets a leading single quote; numbers (and text that is just a
    number, like "-3") are untouched. Use the same for .xlsx and .csv so both show the same text.
    Text that already starts with quotes before such a character gets one more, so that `excel_text`
    gives back exactly the original.
    """
    if isinstance(value, str) and _formula_like(value.lstrip("'")):
        return "'" + value
    return value


def excel_text(value: Any) -> Any:
    """The original of an `excel_safe` value read back from a sheet (the review import): one quote less."""
    if isinstance(value, str) and value.startswith("'") and _formula_like(value[1:].lstrip("'")):
        return value[1:]
    return value


def excel_safe_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """`excel_safe` on every text cell of a polars frame (String and List[String] columns)."""
    import polars as pl

    def safe(expr: pl.Expr) -> pl.Expr:
        risky = expr.str.contains(r"^'*[=+\-@\t\r]") & ~expr.str.contains(r"^'*[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")
        return pl.when(risky).then(pl.lit("'") + expr).otherwise(expr)

    columns = []
    for name, dtype in frame.schema.items():
        if dtype == pl.String:
            columns.append(safe(pl.col(name)).alias(name))
        elif dtype == pl.List(pl.String):
            columns.append(pl.col(name).list.eval(safe(pl.element())).alias(name))
    return frame.with_columns(columns) if columns else frame


# ---------------------------------------------------------------------------------------------
# File names
# ---------------------------------------------------------------------------------------------

_UNSAFE_IN_NAME = re.compile(r'[\\/:*?"<>|{}#%\x00-\x1f\x7f]')


def safe_filename(name: str | None, max_bytes: int | None = 180, fallback: str = "未识别机关", max_chars: int = 60) -> str:
    """A file name from an agency name: Chinese kept; separators, control characters and leading dots gone;
    capped in characters and (unless `max_bytes` is None) in UTF-8 bytes as file systems count (NAME_MAX 255).

    The result never contains a path separator and is never `.` or `..`, so it cannot leave its folder.

    60 Chinese characters are 180 bytes, but 60 characters outside the BMP (𠀀, emoji) are 240, and
    with `-2024-1a2b3c4d.ipynb` and atomic_write's `.tmp-….xxxxxxxx` that is past 255 (ENAMETOOLONG).
    The default 180 leaves 75 bytes for the key's suffix, the extension and the temp-file wrapping.
    A character is never cut in half.
    """
    text = re.sub(r"\s+", "_", unicodedata.normalize("NFC", name or ""))
    text = "".join(ch for ch in text if not unicodedata.category(ch).startswith("C"))  # controls, bidi marks
    text = _UNSAFE_IN_NAME.sub("_", text).strip("._ ")[:max_chars]
    if max_bytes is not None:
        text = text.encode("utf-8")[:max_bytes].decode("utf-8", "ignore")
    return text.strip("._ ") or fallback


# ---------------------------------------------------------------------------------------------
# Parameter and rubric files
# ---------------------------------------------------------------------------------------------

MAX_YAML_BYTES = 1024 * 1024

_YAML_PROBLEMS = {
    "mapping values are not allowed here": "这里不能出现冒号（可能是冒号后缺少空格、缩进不对，或值中的冒号需要加引号）",
    "could not find expected ':'": "缺少冒号（应为“参数名: 值”）",
    "found character '\\t' that cannot start any token": "含有制表符（YAML 只能用空格缩进）",
    "found a tab character that violates indentation": "含有制表符（YAML 只能用空格缩进）",
    "did not find expected key": "缩进不对或缺少键名",
    "did not find expected node content": "缺少值",
    "found undefined alias": "引用了未定义的锚点（*名称）",
    "found unexpected end of stream": "文件意外结束（引号或括号没有闭合）",
    "expected ',' or ']', but got": "方括号列表没有正确闭合",
    "expected ',' or '}', but got": "花括号映射没有正确闭合",
    "found duplicate anchor": "锚点重复定义",
}


def _yaml_problem(problem: str | None) -> str:
    if not problem:
        return "格式错误"
    for english, chinese in _YAML_PROBLEMS.items():
        if problem.startswith(english):
            return chinese
    return f"格式错误（{problem}）"


def read_yaml_file(path: str | os.PathLike[str], what: str = "YAML 文件", notes: list[str] | None = None) -> Any:
    """The data of a YAML file: UTF-8 (BOM allowed), else GB18030/GBK with a note; UserError otherwise.

    The note (a GBK file was read as GB18030) goes to `notes` when given, else one line on stderr.
    Bad YAML is a UserError naming the file and the line: `参数文件 p.yaml 第 3 行：缺少冒号…`.
    Only a regular file of at most 1 MB is read (a FIFO given as --parameters must not hang the run).
    """
    import yaml

    from auditlib.ingest.errors import UnreadableError
    from auditlib.ingest.files import read_regular

    p = Path(path)
    if not os.path.lexists(p):
        raise UserError(f"找不到{what} {p}")
    try:
        raw = read_regular(p, MAX_YAML_BYTES)
    except UnreadableError as exc:
        raise UserError(f"无法读取{what} {p}：{exc}") from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = raw.decode("gb18030")
        except UnicodeDecodeError:
            raise UserError(f"{what} {p} 的编码无法识别（既不是 UTF-8，也不是 GB18030/GBK）；请另存为 UTF-8") from None
        note = f"注意：{what} {p} 不是 UTF-8 编码，已按 GB18030（GBK）读取；建议另存为 UTF-8"
        if notes is not None:
            notes.append(note)
        else:
            sys.stderr.write(terminal_safe(note) + "\n")
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        where = f" 第 {mark.line + 1} 行" if mark is not None else ""
        raise UserError(f"{what} {p}{where}不是有效的 YAML：{_yaml_problem(getattr(exc, 'problem', None))}") from exc


def validate_rule_ids(ids: Any, known: Collection[str], name: str = "rules", what: str = "参数 ") -> list[str]:
    """`ids` as a list of known rule IDs; UserError listing each unknown one with the closest known ones.

    None or an empty list is "all rules" (returned as []). A single string is refused: iterating it
    would give its letters. `what` starts the message (the rubric says where in itself instead).
    """
    if ids is None:
        return []
    if isinstance(ids, str) or not isinstance(ids, Iterable):
        raise UserError(f"{what}{name} 应为规则 ID 的列表，例如 [APP-BALANCE, CELL-MISSING]，而不是 {ids!r}")
    out = list(ids)
    bad = [i for i in out if not isinstance(i, str) or i not in known]
    if bad:
        pool = sorted(known)
        parts = []
        for i in bad:
            close = difflib.get_close_matches(str(i).strip().upper(), pool, n=3, cutoff=0.5)
            parts.append(f"{i}（是不是 {'、'.join(close)}？）" if close else str(i))
        raise UserError(f"{what}{name} 中有未知的规则 ID：{'；'.join(parts)}（规则 ID 见 README“规则一览”）")
    return out


def validate_min_severity(value: Any, name: str = "min_severity") -> str:
    """`value` as a severity name (error, warning, info; the Chinese labels are accepted); UserError otherwise."""
    from auditlib.findings import SEVERITY_LABELS, Severity

    by_label = {label: str(sev) for sev, label in SEVERITY_LABELS.items()}
    text = str(value).strip().lower() if isinstance(value, str) else None
    if text in {str(s) for s in Severity}:
        return text
    if isinstance(value, str) and value.strip() in by_label:
        return by_label[value.strip()]
    choices = "、".join(f"{s}（{SEVERITY_LABELS[s]}）" for s in Severity)
    raise UserError(f"参数 {name} 的值 {value!r} 无效：应为 {choices} 之一")


# ---------------------------------------------------------------------------------------------
# Operating-system errors, as one Chinese line
# ---------------------------------------------------------------------------------------------

_ERRNO_TEXT = {
    errno.ENOSPC: "磁盘已满（没有剩余空间）",
    getattr(errno, "EDQUOT", -1): "超出磁盘配额",
    errno.EROFS: "磁盘或文件夹是只读的",
    errno.EACCES: "没有权限",
    errno.EPERM: "没有权限",
    errno.ENOENT: "没有这个文件或文件夹",
    errno.ENOTDIR: "路径中有一级是文件，不是文件夹",
    errno.EEXIST: "已存在同名的文件",
    errno.EISDIR: "这是文件夹，不是文件",
    errno.ENAMETOOLONG: "文件名或路径过长",
    errno.ELOOP: "符号链接构成循环",
    errno.EIO: "磁盘读写错误",
    errno.EMFILE: "打开的文件过多",
}


def _blocking_file(path: str) -> str | None:
    """The first existing ancestor of `path` that is a file (why a folder cannot be made there)."""
    for parent in [Path(path), *Path(path).parents]:
        if os.path.lexists(parent):
            return str(parent) if not parent.is_dir() else None
    return None


def oserror_reason(exc: OSError) -> str:
    """Why an OSError happened, in Chinese (the strerror when there is no translation)."""
    return _ERRNO_TEXT.get(exc.errno or 0, exc.strerror or str(exc))


def oserror_message(exc: OSError, path: str | os.PathLike[str] | None = None) -> str:
    """One Chinese line for an OSError, naming its file (or `path` when the error carries none)."""
    where = exc.filename if exc.filename is not None else path
    reason = oserror_reason(exc)
    if exc.errno in (errno.ENOTDIR, errno.EEXIST) and where is not None:
        blocker = _blocking_file(str(where))
        if blocker is not None:
            reason = f"{blocker} 是文件，不是文件夹"
    if exc.filename2 is not None:
        return f"无法处理 {where} → {exc.filename2}：{reason}"
    return f"无法读写 {where}：{reason}" if where is not None else f"读写文件时出错：{reason}"


# ---------------------------------------------------------------------------------------------
# Processes that end with their parent
# ---------------------------------------------------------------------------------------------

PR_SET_PDEATHSIG = 1


def _set_pdeathsig(sig: int) -> bool:
    """Linux: have the kernel send `sig` to this process when its parent dies. False where unavailable."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return int(libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0)) == 0
    except (OSError, AttributeError):
        return False


def _end_self(sig: int) -> None:
    with contextlib.suppress(OSError):
        os.kill(os.getpid(), sig)
    time.sleep(5)  # the signal is handled or ignored: leave anyway
    os._exit(1)


def parent_watchdog(parent: int | None = None, sig: int = signal.SIGTERM, interval: float = 1.0) -> threading.Thread:
    """A daemon thread that ends this process (`sig`, then exit) once its parent is gone.

    Portable: it polls `os.getppid()`, which changes when the parent dies and the process is
    re-parented. `parent` is the pid the caller expects (default: the current parent); if the parent
    is already gone when this starts, the process ends at once.
    """
    expected = os.getppid() if parent is None else parent

    def watch() -> None:
        while os.getppid() == expected:
            time.sleep(interval)
        _end_self(sig)

    thread = threading.Thread(target=watch, name="auditlib-parent-watchdog", daemon=True)
    thread.start()
    return thread


def die_with_parent(parent: int | None = None, sig: int = signal.SIGTERM) -> str:
    """Make this process end when its parent does; returns how ("prctl" or "watchdog").

    For pool workers (call it in the pool's initializer): when the main process is killed, even with
    SIGKILL, the workers follow, and their kernels follow them (ipykernel polls its parent, the worker).
    On Linux this is `prctl(PR_SET_PDEATHSIG)`; elsewhere, or if prctl fails, `parent_watchdog`.
    Linux sends the signal when the *thread* that started this process ends: call it only in processes
    started from a thread that lives as long as the parent (a pool's main thread), else use the watchdog.
    """
    expected = os.getppid() if parent is None else parent
    if _set_pdeathsig(sig):
        if os.getppid() != expected:  # the parent died before prctl took effect
            _end_self(sig)
        return "prctl"
    parent_watchdog(expected, sig)
    return "watchdog"
