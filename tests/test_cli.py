"""The command line: JSON Lines exactly as the spec says, Chinese tables for people, exit 0 on bad files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from auditlib.cli import main

ROOT = Path(__file__).resolve().parent.parent
REPORTS = ROOT / "examples" / "reports"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "auditlib.cli", *args], capture_output=True, text=True,
                          encoding="utf-8", cwd=ROOT, check=False)


def test_parse_json_has_the_contract_keys() -> None:
    result = run("parse", str(REPORTS), "--json")
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == 5
    first = lines[0]
    assert {"source", "agency", "year", "template", "sections", "tables"} <= set(first)
    assert {"path", "format", "encoding", "sha256"} <= set(first["source"])
    assert set(first["sections"]) == {"1", "2", "3", "4", "5", "6"}
    assert set(first["tables"]) == {"active_disclosure", "applications", "review_litigation"}
    assert len(first["tables"]["applications"]) == 25
    assert set(first["tables"]["applications"]["3.3.2"]) == {
        "natural_person", "commercial", "research", "social_welfare", "legal_service", "other", "total"}
    assert first["tables"]["active_disclosure"]["fees"] == {"amount": 0}
    assert set(first["tables"]["review_litigation"]) == {"review", "litigation_direct", "litigation_after_review"}
    assert [line["source"]["path"] for line in lines] == sorted(line["source"]["path"] for line in lines)


def test_check_json_one_finding_per_line_in_file_order(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    seed = REPORTS / "002_cfd767a677591b8e.txt"
    result = run("check", str(empty), str(seed), "--json")
    assert result.returncode == 0 and "Traceback" not in result.stderr
    findings = [json.loads(line) for line in result.stdout.splitlines()]
    assert findings[0]["rule"] == "UNREADABLE" and findings[0]["report"] == str(empty)
    assert all(f["report"] == str(seed) for f in findings[1:])
    for f in findings:
        assert {"report", "agency", "rule", "severity", "message", "cells"} <= set(f)
        assert f["severity"] in ("error", "warning", "info")
    rules = {f["rule"] for f in findings[1:]}
    assert {"TABLE-ALL-ZERO", "FEE-NOT-REPORTED"} <= rules
    fee = next(f for f in findings if f["rule"] == "FEE-NOT-REPORTED")
    assert fee["cells"] == ["section.6"] and "信息处理费" in fee["message"]


def test_human_output_is_chinese(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(REPORTS / "003_4ea7538dec090386.txt")]) == 0
    out = capsys.readouterr().out
    assert "红旗区人民政府" in out and "共检查 1 份报告" in out and "级别" in out
    assert main(["parse", str(REPORTS)]) == 0
    assert "已识别单元格" in capsys.readouterr().out


def test_misuse_is_the_only_nonzero_exit() -> None:
    assert run("check").returncode == 2
    assert run("frobnicate", "x").returncode == 2
    result = run("check", "/no/such/file.txt", "--json")  # a path that does not exist is a typo: usage error
    assert result.returncode == 2 and "找不到 /no/such/file.txt" in result.stderr and result.stdout == ""


def test_folders_are_read_recursively_and_unsupported_files_skipped(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "r.txt").write_text((REPORTS / "003_4ea7538dec090386.txt").read_text(encoding="utf-8"))
    (tmp_path / "a" / "image.png").write_bytes(b"\x89PNG")
    (tmp_path / ".hidden.txt").write_text("x")
    result = run("parse", str(tmp_path), "--json")
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["agency"] for line in lines] == ["红旗区人民政府"]
