"""Hostile files: FIFOs, devices, sockets, broken and looping links, forged zips (issue 11).

Anything that could hang runs in a subprocess under a timeout, so a regression fails instead of
blocking the test run.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tracemalloc
import zipfile
import zlib
from pathlib import Path

import pytest
from format_builders import docx_bytes, report_blocks

from auditlib.audit import audit_paths, collect_paths
from auditlib.ingest import UnreadableError, read_document

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "examples/reports/003_4ea7538dec090386.txt"
HANG = int(os.environ.get("AUDITLIB_TEST_HANG", "60"))  # seconds: reached only if a read blocks

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs POSIX FIFOs")


def _audit_in_subprocess(*paths: Path) -> list[dict[str, object]]:
    """audit_paths in a child process with a timeout: one dict per outcome (path, reason)."""
    code = ("import json, sys\nfrom auditlib.audit import audit_paths\n"
            "print(json.dumps([{'path': o.path, 'error': o.error, 'rules': [f.rule for f in o.findings]}"
            " for o in audit_paths(sys.argv[1:])], ensure_ascii=False))")
    done = subprocess.run([sys.executable, "-c", code, *map(str, paths)], capture_output=True, text=True,
                          encoding="utf-8", timeout=HANG, check=False, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    return list(json.loads(done.stdout))


def test_fifo_given_directly_is_unreadable_and_does_not_block(tmp_path: Path) -> None:
    fifo = tmp_path / "report.txt"
    os.mkfifo(fifo)  # nobody ever writes to it: an ordinary open() would wait forever
    (outcome,) = _audit_in_subprocess(fifo)
    assert outcome["rules"] == ["UNREADABLE"]
    assert "命名管道" in str(outcome["error"]) and "不是普通文件" in str(outcome["error"])


def test_fifo_and_devices_in_a_folder_each_give_one_finding_and_the_rest_goes_on(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "a-pipe.txt")
    (tmp_path / "b-zero.txt").symlink_to("/dev/zero")  # endless: reading it would never stop
    (tmp_path / "c-real.txt").write_bytes(SEED.read_bytes())
    outcomes = _audit_in_subprocess(tmp_path)
    assert [Path(str(o["path"])).name for o in outcomes] == ["a-pipe.txt", "b-zero.txt", "c-real.txt"]
    assert outcomes[0]["rules"] == outcomes[1]["rules"] == ["UNREADABLE"]
    assert "字符设备" in str(outcomes[1]["error"])
    assert outcomes[2]["error"] is None and "UNREADABLE" not in outcomes[2]["rules"]


def test_check_on_a_folder_with_a_fifo_finishes(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.md")
    done = subprocess.run([sys.executable, "-m", "auditlib.cli", "check", str(tmp_path), "--json"],
                          capture_output=True, text=True, encoding="utf-8", timeout=HANG, check=False, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    (finding,) = [json.loads(line) for line in done.stdout.splitlines()]
    assert finding["rule"] == "UNREADABLE" and "命名管道" in finding["message"]


@pytest.mark.parametrize(("device", "reason"), [("/dev/zero", "字符设备"), ("/dev/null", "字符设备")])
def test_devices_are_refused_before_reading(device: str, reason: str) -> None:
    if not os.path.exists(device):
        pytest.skip(f"{device} not present")
    with pytest.raises(UnreadableError, match=reason):
        read_document(device)


def test_socket_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.txt"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        server.bind(str(path))
        with pytest.raises(UnreadableError, match="套接字"):
            read_document(path)
    finally:
        server.close()


def test_dangling_and_looping_links_say_what_they_are(tmp_path: Path) -> None:
    (tmp_path / "gone.txt").symlink_to(tmp_path / "deleted.txt")
    (tmp_path / "a.txt").symlink_to(tmp_path / "b.txt")
    (tmp_path / "b.txt").symlink_to(tmp_path / "a.txt")
    with pytest.raises(UnreadableError, match="符号链接指向的文件不存在"):
        read_document(tmp_path / "gone.txt")
    with pytest.raises(UnreadableError, match="循环"):
        read_document(tmp_path / "a.txt")
    from auditlib.ingest.files import real_path

    assert real_path(tmp_path / "a.txt").name in ("a.txt", "b.txt")  # Path.resolve() raises RuntimeError here


def test_folder_walk_survives_symlink_loops_and_lists_each_real_file_once(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    (reports / "sub").mkdir(parents=True)
    (reports / "sub" / "r.txt").write_bytes(SEED.read_bytes())
    (reports / "sub" / "up").symlink_to(reports)  # a folder link back up the tree: a loop
    (reports / "self").symlink_to("self")  # a link to itself
    (reports / "alias.txt").symlink_to(reports / "sub" / "r.txt")  # the same real file again
    (reports / "mirror").symlink_to(reports / "sub")  # the same real folder again
    (reports / "loop1.txt").symlink_to("loop2.txt")
    (reports / "loop2.txt").symlink_to("loop1.txt")
    files = collect_paths([reports, reports / "sub" / "r.txt"])
    names = sorted(p.name for p in files)
    assert names == ["alias.txt", "loop1.txt", "loop2.txt"]  # r.txt only once (reached first as alias.txt)
    outcomes = audit_paths([reports])
    readable = [o for o in outcomes if o.report is not None]
    assert len(readable) == 1 and readable[0].report is not None and readable[0].report.agency == "红旗区人民政府"
    assert all("循环" in (o.error or "") for o in outcomes if o.report is None)
    # no report is compared with itself (COPY-PEER would fire if the same file came twice)
    assert not any(f.rule == "COPY-PEER" for o in outcomes for f in o.findings)


def test_the_size_cap_is_counted_while_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file whose stat size lies (here: it grows after stat, as /proc files report 0) is still capped."""
    import auditlib.ingest as ingest
    from auditlib.ingest import files

    path = tmp_path / "growing.txt"
    path.write_bytes(b"x" * 4096)
    real_fstat = os.fstat

    def lying_fstat(fd: int) -> os.stat_result:
        st = real_fstat(fd)
        return os.stat_result((st.st_mode, st.st_ino, st.st_dev, st.st_nlink, st.st_uid, st.st_gid, 0,
                               int(st.st_atime), int(st.st_mtime), int(st.st_ctime)))

    monkeypatch.setattr(files.os, "fstat", lying_fstat)
    monkeypatch.setattr(ingest, "MAX_BYTES", 1000)
    with pytest.raises(UnreadableError, match="文件过大"):
        read_document(path)


def test_proc_file_with_zero_stat_size_is_read(tmp_path: Path) -> None:
    """/proc files say st_size 0 but have content: the count while reading is what matters."""
    proc = Path("/proc/self/status")
    if not proc.exists():
        pytest.skip("no /proc")
    assert proc.stat().st_size == 0
    from auditlib.ingest import read_regular

    assert b"Name:" in read_regular(proc, 1 << 20)


def test_sha256_of_a_fifo_does_not_block(tmp_path: Path) -> None:
    fifo = tmp_path / "p.txt"
    os.mkfifo(fifo)
    code = ("import sys\nfrom auditlib.ingest.files import sha256_regular\nfrom auditlib.ingest import UnreadableError\n"
            "try:\n    sha256_regular(sys.argv[1])\nexcept UnreadableError as exc:\n    print(exc)\n")
    done = subprocess.run([sys.executable, "-c", code, str(fifo)], capture_output=True, text=True, encoding="utf-8",
                          timeout=HANG, check=False, cwd=ROOT)
    assert "命名管道" in done.stdout, done.stderr
    from auditlib.ingest.files import sha256_regular

    assert len(sha256_regular(SEED)) == 64


# ---------------------------------------------------------------------------------------------
# Zips whose headers lie
# ---------------------------------------------------------------------------------------------


def _zeros_deflate(megabytes: int) -> bytes:
    """A raw deflate stream of `megabytes` MB of zeros, built in milliseconds: after a full flush the
    compressor starts afresh, so every further megabyte compresses to the same bytes."""
    mb = bytes(1 << 20)
    c = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    first = c.compress(mb) + c.flush(zlib.Z_FULL_FLUSH)
    block = c.compress(mb) + c.flush(zlib.Z_FULL_FLUSH)
    assert c.compress(mb) + c.flush(zlib.Z_FULL_FLUSH) == block
    return first + block * (megabytes - 2) + c.compress(mb) + c.flush()


def _forged_docx(path: Path, megabytes: int, declared: int = 1000, member: str = "word/document.xml") -> None:
    """A .docx whose word/document.xml inflates to `megabytes` MB but whose headers say `declared` bytes.

    The member is written stored (its bytes are the deflate stream), then the method, size and CRC
    fields of its local header and central-directory entry are patched to say "deflated, 1000 bytes",
    with the CRC of the first 1000 bytes, so that zipfile itself finds nothing wrong.
    """
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>', zipfile.ZIP_DEFLATED)
        zf.writestr(member, _zeros_deflate(megabytes), zipfile.ZIP_STORED)
    with zipfile.ZipFile(path) as zf:
        local = zf.getinfo(member).header_offset
    data = bytearray(path.read_bytes())
    name = member.encode()
    crc = zlib.crc32(bytes(declared)).to_bytes(4, "little")
    size = declared.to_bytes(4, "little")
    assert data[local:local + 4] == b"PK\x03\x04" and data[local + 30:local + 30 + len(name)] == name
    data[local + 8:local + 10] = (8).to_bytes(2, "little")
    data[local + 14:local + 18] = crc
    data[local + 22:local + 26] = size
    central = data.rindex(b"PK\x01\x02")  # the last directory entry: this member (written last)
    assert data[central + 46:central + 46 + len(name)] == name
    data[central + 10:central + 12] = (8).to_bytes(2, "little")
    data[central + 16:central + 20] = crc
    data[central + 24:central + 28] = size
    path.write_bytes(bytes(data))


def test_forged_size_zip_is_refused_while_inflating(tmp_path: Path) -> None:
    path = tmp_path / "forged.docx"
    _forged_docx(path, megabytes=300)
    with zipfile.ZipFile(path) as zf:  # the lie is consistent: zipfile's directory says 1000 bytes
        assert zf.getinfo("word/document.xml").file_size == 1000
    tracemalloc.start()
    try:
        with pytest.raises(UnreadableError, match="压缩炸弹|伪造"):
            read_document(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 32 * 1024 * 1024, f"inflated {peak / 1e6:.0f} MB before refusing"


def test_member_longer_than_declared_is_refused_even_under_the_cap(tmp_path: Path) -> None:
    path = tmp_path / "small-lie.docx"
    _forged_docx(path, megabytes=3)  # 3 MB is harmless, but the header still lies
    with pytest.raises(UnreadableError, match="伪造|压缩炸弹"):
        read_document(path)


def test_honest_docx_still_reads(tmp_path: Path) -> None:
    path = tmp_path / "report.docx"
    path.write_bytes(docx_bytes(report_blocks()))
    doc = read_document(path)
    assert doc.format == "docx" and any("红旗区" in line.text for line in doc.lines)


def _review_out(tmp_path: Path) -> Path:
    """An output folder as a batch leaves it, as far as `review import` needs: findings.parquet."""
    from auditlib.findings import to_frame

    out = tmp_path / "out"
    out.mkdir()
    to_frame([f for o in audit_paths([SEED]) for f in o.findings]).write_parquet(out / "findings.parquet")
    return out


def test_forged_xlsx_given_to_review_import_is_refused_while_inflating(tmp_path: Path) -> None:
    """openpyxl trusts the size fields too: the filled-in sheet an inspector sends back is a zip from outside."""
    from auditlib.review.excel import ReviewImportError, read_review_sheet

    path = tmp_path / "findings.xlsx"
    _forged_docx(path, megabytes=300, member="xl/worksheets/sheet1.xml")
    tracemalloc.start()
    try:
        with pytest.raises(ReviewImportError, match="压缩炸弹|伪造") as caught:
            read_review_sheet(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert caught.value.whole_file and "findings.xlsx" in str(caught.value)
    assert peak < 32 * 1024 * 1024, f"inflated {peak / 1e6:.0f} MB before refusing"
    out = _review_out(tmp_path)
    done = subprocess.run([sys.executable, "-m", "auditlib.cli", "review", "import", str(path), "--out", str(out)],
                          capture_output=True, text=True, encoding="utf-8", timeout=HANG, check=False, cwd=ROOT)
    assert done.returncode == 2 and len(done.stderr.splitlines()) == 1, done.stderr
    assert "findings.xlsx" in done.stderr and "Traceback" not in done.stderr


def test_review_import_of_a_fifo_does_not_block(tmp_path: Path) -> None:
    fifo = tmp_path / "filled.xlsx"
    os.mkfifo(fifo)
    out = _review_out(tmp_path)
    done = subprocess.run([sys.executable, "-m", "auditlib.cli", "review", "import", str(fifo), "--out", str(out)],
                          capture_output=True, text=True, encoding="utf-8", timeout=HANG, check=False, cwd=ROOT)
    assert done.returncode == 2 and "命名管道" in done.stderr, done.stderr
