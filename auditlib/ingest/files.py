"""Reading a report file: only regular files, never blocking, with the size measured while reading.

A FIFO opened the ordinary way blocks until a writer appears; /dev/zero never ends; a socket cannot be
opened at all. So the file is opened with O_NONBLOCK, `fstat` on the open descriptor (not on the name,
which could be swapped in between) must say it is a regular file, and the bytes are counted as they
are read: `stat` sizes lie for /proc files and for files still growing.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from pathlib import Path

from auditlib.ingest.errors import UnreadableError

CHUNK = 1 << 20
_MB = 1024 * 1024


def kind_of(mode: int) -> str:
    """What a non-regular file is, in Chinese."""
    if stat.S_ISDIR(mode):
        return "文件夹"
    if stat.S_ISFIFO(mode):
        return "命名管道（FIFO）"
    if stat.S_ISCHR(mode):
        return "字符设备（如 /dev/zero）"
    if stat.S_ISBLK(mode):
        return "块设备（磁盘）"
    if stat.S_ISSOCK(mode):
        return "套接字（socket）"
    return "特殊文件"


def _not_regular(path: str | os.PathLike[str], mode: int) -> UnreadableError:
    if stat.S_ISDIR(mode):
        return UnreadableError(f"这是文件夹，不是报告文件：{path}")
    return UnreadableError(f"这是{kind_of(mode)}，不是普通文件，已拒绝读取（不会等待它的内容）")


def _open_error(path: str | os.PathLike[str], exc: OSError) -> UnreadableError:
    if exc.errno == errno.ELOOP:
        return UnreadableError("符号链接构成循环（链接指向自己或互相指向），找不到实际文件")
    if exc.errno == errno.ENOENT:
        if os.path.islink(path):
            return UnreadableError(f"符号链接指向的文件不存在（链接目标：{os.readlink(path)}）")
        return UnreadableError(f"文件不存在：{path}")
    if exc.errno in (errno.EACCES, errno.EPERM):
        return UnreadableError("没有读取该文件的权限")
    if exc.errno == errno.ENXIO:  # opening a socket
        return UnreadableError("这是套接字（socket）或没有设备的特殊文件，不是普通文件，已拒绝读取")
    if exc.errno == errno.ENAMETOOLONG:
        return UnreadableError("文件名或路径过长，无法打开")
    return UnreadableError(f"无法读取文件：{exc.strerror or exc}")


def open_regular(path: str | os.PathLike[str]) -> int:
    """A read-only descriptor of `path`, which must be a regular file; UnreadableError (Chinese) otherwise.

    Never blocks: a FIFO is opened non-blocking and refused on `fstat` before any read.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode):  # sockets cannot be opened at all; say what they are first
            raise _not_regular(path, st.st_mode)
        fd = os.open(path, flags)
    except OSError as exc:
        raise _open_error(path, exc) from exc
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):  # swapped between stat and open
            raise _not_regular(path, st.st_mode)
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd


def too_big(size: int, max_bytes: int) -> UnreadableError:
    return UnreadableError(f"文件过大（{size / _MB:.0f} MB 以上），超过 {max_bytes // _MB} MB 上限，不像一份年度报告")


def read_regular(path: str | os.PathLike[str], max_bytes: int) -> bytes:
    """The bytes of a regular file, refused (UnreadableError) past `max_bytes` as counted while reading."""
    fd = open_regular(path)
    with os.fdopen(fd, "rb", buffering=0) as fh:
        size = os.fstat(fh.fileno()).st_size
        if size > max_bytes:  # a cheap early refusal; the count below is what holds
            raise too_big(size, max_bytes)
        chunks: list[bytes] = []
        total = 0
        try:
            while True:
                chunk = fh.read(min(CHUNK, max_bytes + 1 - total))
                if not chunk:
                    break
                chunks.append(chunk)
                total += len(chunk)
                if total > max_bytes:
                    raise too_big(total, max_bytes)
        except OSError as exc:
            raise UnreadableError(f"读取文件时出错：{exc.strerror or exc}") from exc
    return b"".join(chunks)


def sha256_regular(path: str | os.PathLike[str]) -> str:
    """sha256 of a regular file, read in chunks; UnreadableError (never a hang) for FIFOs, devices, loops."""
    fd = open_regular(path)
    h = hashlib.sha256()
    with os.fdopen(fd, "rb") as fh:
        for chunk in iter(lambda: fh.read(CHUNK), b""):
            h.update(chunk)
    return h.hexdigest()


def real_path(path: str | os.PathLike[str]) -> Path:
    """`Path.resolve()` that never raises: a symlink loop (RuntimeError in Python 3.11) stays as it is."""
    return Path(os.path.realpath(path))
