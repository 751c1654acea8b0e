"""The command line under hostile use: every user error is one Chinese line and exit code 2 (issue 11);
report text never reaches the terminal as escape sequences."""

from __future__ import annotations

import errno
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from auditlib import cli

ROOT = Path(__file__).resolve().parent.parent
REPORTS = ROOT / "examples" / "reports"
SEED = REPORTS / "003_4ea7538dec090386.txt"
CJK = re.compile(r"[\u4e00-\u9fff]")


def run(*args: str, stdout: int | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "auditlib.cli", *args], stdout=stdout if stdout is not None else subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, encoding="utf-8", cwd=ROOT, check=False, timeout=120)


def assert_one_chinese_line(result: subprocess.CompletedProcess[str], *words: str) -> None:
    assert result.returncode == 2, (result.returncode, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr and CJK.search(lines[0]), lines[0]
    for word in words:
        assert word in lines[0], lines[0]


def test_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    for command in ("parse", "check", "score"):
        result = run(command, str(SEED), str(tmp_path / "nope.txt"))
        assert_one_chinese_line(result, "找不到", "nope.txt")
        assert result.stdout == ""


def test_out_pointing_at_a_file(tmp_path: Path) -> None:
    out = tmp_path / "out.txt"
    out.write_text("keep me")
    assert_one_chinese_line(run("batch", str(SEED), "--out", str(out)), "out.txt", "不是文件夹")
    assert out.read_text() == "keep me"
    # a file further up the path: the folder cannot be made under it
    assert_one_chinese_line(run("batch", str(SEED), "--out", str(out / "sub")), "out.txt", "不是文件夹")


@pytest.mark.parametrize(("args", "words"), [
    (("batch", str(SEED), "--out", "x", "--workers", "0"), ("--workers", "正整数")),
    (("batch", str(SEED), "--out", "x", "--workers", "two"), ("--workers", "正整数")),
    (("batch", str(SEED), "--out", "x", "--timeout", "-5"), ("--timeout", "正整数")),
    (("batch", str(SEED)), ("缺少必需的参数", "--out")),
    (("check",), ("缺少必需的参数",)),
    (("frobnicate", "x"), ("frobnicate", "无效")),
    (("check", str(SEED), "--no-such-option"), ("无法识别的参数", "--no-such-option")),
])
def test_bad_options_are_one_chinese_line(args: tuple[str, ...], words: tuple[str, ...]) -> None:
    assert_one_chinese_line(run(*args), *words)


def test_full_disk_is_one_chinese_line() -> None:
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full")
    with open("/dev/full", "w") as full:  # every write fails with ENOSPC, as on a full disk
        result = subprocess.run([sys.executable, "-m", "auditlib.cli", "parse", str(REPORTS), "--json"], stdout=full,
                                stderr=subprocess.PIPE, text=True, encoding="utf-8", cwd=ROOT, check=False, timeout=120)
    assert_one_chinese_line(result, "磁盘已满")


def test_read_only_disk_names_the_path(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    # tests run as root here, where chmod cannot make a folder read-only: the error the OS gives is planted
    def read_only(*args: object, **kwargs: object) -> object:
        raise OSError(errno.EROFS, "Read-only file system", "/mnt/ro/outputs/agencies")

    monkeypatch.setattr(cli, "audit_paths", read_only)
    assert cli.main(["check", str(SEED)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and "/mnt/ro/outputs/agencies" in err[0] and "只读" in err[0]


def test_batch_write_error_without_a_file_name_names_the_output_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import auditlib.batch

    def full(*args: object, **kwargs: object) -> object:
        raise OSError(errno.ENOSPC, "No space left on device")  # what a failed write() raises: no file name

    monkeypatch.setattr(auditlib.batch, "run_batch", full)
    assert cli.main(["batch", str(SEED), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and str(tmp_path / "o") in err[0] and "磁盘已满" in err[0]


def test_internal_error_is_one_line_without_traceback(monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    def bug(*args: object, **kwargs: object) -> object:
        raise KeyError("boom")

    monkeypatch.setattr(cli, "audit_paths", bug)
    monkeypatch.delenv("AUDITLIB_DEBUG", raising=False)
    assert cli.main(["check", str(SEED)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and "内部错误" in err[0] and "KeyError" in err[0]
    monkeypatch.setenv("AUDITLIB_DEBUG", "1")
    with pytest.raises(KeyError):
        cli.main(["check", str(SEED)])


# ---------------------------------------------------------------------------------------------
# Escape sequences planted in a report
# ---------------------------------------------------------------------------------------------

PLANTED = "\x1b]0;被改掉的窗口标题\x07红旗区\x1b[2J\x1b[31m人民政府\x9b2J"


@pytest.fixture()
def planted(tmp_path: Path) -> Path:
    text = SEED.read_text(encoding="utf-8").replace("红旗区人民政府", PLANTED, 1)
    assert PLANTED in text
    path = tmp_path / "planted.txt"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("command", ["parse", "check", "score"])
def test_report_text_reaches_the_terminal_without_escapes(planted: Path, command: str) -> None:
    result = run(command, str(planted))
    assert result.returncode == 0, result.stderr
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", result.stdout), repr(result.stdout[:300])
    assert "被改掉的窗口标题" not in result.stdout and "[2J" not in result.stdout
    if command == "check":
        assert "红旗区人民政府" in result.stdout  # what is left is the name itself


def test_json_keeps_the_text_but_escapes_the_controls(planted: Path) -> None:
    result = run("check", str(planted), "--json")
    assert result.returncode == 0, result.stderr
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", result.stdout), repr(result.stdout[:300])
    findings = [json.loads(line) for line in result.stdout.splitlines()]
    assert any(f["agency"] and "\x9b" in f["agency"] for f in findings)  # the data is intact, only escaped


def test_file_names_with_escapes_are_cleaned_in_error_lines(tmp_path: Path) -> None:
    result = run("check", str(tmp_path / "\x1b[2Jevil.txt"))
    assert_one_chinese_line(result, "evil.txt")
    assert "\x1b" not in result.stderr


def test_review_prints_report_text_without_escapes(planted: Path, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    from auditlib.audit import audit_paths
    from auditlib.findings import to_frame

    out = tmp_path / "out"
    out.mkdir()
    to_frame([f for o in audit_paths([planted]) for f in o.findings]).write_parquet(out / "findings.parquet")
    assert cli.main(["review", "list", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "红旗区人民政府" in text
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", text), repr(text[:300])
    assert cli.main(["review", "list", "--out", str(out), "--json"]) == 0
    text = capsys.readouterr().out
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", text), repr(text[:300])
    assert any("\x9b" in (json.loads(line)["agency"] or "") for line in text.splitlines())


# ---------------------------------------------------------------------------------------------
# Rubric files
# ---------------------------------------------------------------------------------------------

RUBRIC = ROOT / "parameters" / "rubric.yaml"


@pytest.mark.parametrize(("kind", "words"), [
    ("typo", ("typo.yaml", "APP-BALANCEE", "APP-BALANCE？")),
    ("fatal", ("fatal.yaml", "fatal_rules", "UNREADABEL")),
    ("yaml", ("yaml.yaml", "第 3 行", "YAML")),
    ("binary", ("binary.yaml", "编码无法识别")),
    ("fifo", ("fifo.yaml", "命名管道")),
    ("folder", ("folder.yaml", "文件夹")),
])
def test_broken_rubric_is_one_chinese_line(tmp_path: Path, kind: str, words: tuple[str, ...]) -> None:
    path = tmp_path / f"{kind}.yaml"
    text = RUBRIC.read_text(encoding="utf-8")
    if kind == "typo":  # a misspelt rule would silently deduct nothing
        path.write_text(text.replace("APP-BALANCE:", "APP-BALANCEE:", 1), encoding="utf-8")
    elif kind == "fatal":
        path.write_text(text.replace("fatal_rules: [UNREADABLE]", "fatal_rules: [UNREADABEL]"), encoding="utf-8")
    elif kind == "yaml":
        path.write_text("items:\n  - item: [\n", encoding="utf-8")
    elif kind == "binary":
        path.write_bytes(b"\xff\xfe\x00\x81items")
    elif kind == "fifo":
        os.mkfifo(path)
    else:
        path.mkdir()
    assert_one_chinese_line(run("score", str(SEED), "--rubric", str(path)), *words)


def test_gbk_rubric_is_read_with_a_note(tmp_path: Path) -> None:
    path = tmp_path / "gbk.yaml"
    path.write_bytes(RUBRIC.read_text(encoding="utf-8").encode("gbk"))
    result = run("score", str(SEED), "--rubric", str(path), "--json")
    assert result.returncode == 0, result.stderr
    assert "GB18030" in result.stderr and "gbk.yaml" in result.stderr
    assert result.stdout == run("score", str(SEED), "--json").stdout
