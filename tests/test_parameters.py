"""Parameter files and notebooks checked where they enter (issue 11 d): one Chinese UserError each."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from auditlib.parameters import check_parameters, notebook_parameter_defaults, read_parameters_file
from auditlib.safety import UserError

ROOT = Path(__file__).resolve().parent.parent


def test_gbk_and_utf8_files_give_the_same_parameters(tmp_path: Path) -> None:
    text = "# 只显示错误\nmin_severity: 错误\nexclude_rules: [TITLE-FORM]\n"
    (tmp_path / "u.yaml").write_text(text, encoding="utf-8")
    (tmp_path / "g.yaml").write_bytes(text.encode("gbk"))
    assert read_parameters_file(tmp_path / "g.yaml") == read_parameters_file(tmp_path / "u.yaml")
    assert check_parameters(read_parameters_file(tmp_path / "g.yaml"))["min_severity"] == "error"
    (tmp_path / "empty.yaml").write_text("# 只有注释\n", encoding="utf-8")
    assert read_parameters_file(tmp_path / "empty.yaml") == {}


@pytest.mark.parametrize(("params", "words"), [
    ({"min_severity": "fatal"}, ("p.yaml", "min_severity", "fatal", "error")),
    ({"rules": ["APP-BALANC"]}, ("p.yaml", "rules", "APP-BALANC", "是不是 APP-BALANCE")),
    ({"exclude_rules": ["TITLE-FORM", "CELL-MISING"]}, ("exclude_rules", "CELL-MISING")),
    ({"rules": "APP-BALANCE"}, ("rules", "列表")),
])
def test_bad_values_are_refused_naming_the_file(params: dict[str, object], words: tuple[str, ...]) -> None:
    with pytest.raises(UserError) as caught:
        check_parameters(params, "p.yaml")
    message = str(caught.value)
    assert "\n" not in message
    for word in words:
        assert word in message, message


def test_good_values_pass_unchanged() -> None:
    params = {"rules": [], "exclude_rules": ["TITLE-FORM"], "min_severity": "warning", "max_source_lines": 40}
    assert check_parameters(params) == params


@pytest.mark.parametrize("content", ["[1, 2", "not a mapping"])
def test_files_that_are_not_mappings(tmp_path: Path, content: str) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(UserError, match="p.yaml"):
        read_parameters_file(path)


def test_fifo_parameters_file_is_refused_at_once(tmp_path: Path) -> None:
    if not hasattr(os, "mkfifo"):
        pytest.skip("needs POSIX FIFOs")
    fifo = tmp_path / "p.yaml"
    os.mkfifo(fifo)
    with pytest.raises(UserError, match="命名管道"):
        read_parameters_file(fifo)


def test_a_broken_notebook_is_a_user_error(tmp_path: Path) -> None:
    good = ROOT / "notebooks" / "overview.ipynb"
    assert "run_dir" in notebook_parameter_defaults(good)
    broken = tmp_path / "overview.ipynb"
    shutil.copy(good, broken)
    broken.write_text(broken.read_text(encoding="utf-8")[:500], encoding="utf-8")
    with pytest.raises(UserError, match="overview.ipynb.*已损坏"):
        notebook_parameter_defaults(broken)
    with pytest.raises(UserError, match="找不到笔记本"):
        notebook_parameter_defaults(tmp_path / "missing.ipynb")
