"""The template's row and column labels are typed once, in auditlib/template.py.

Every other module and page template takes them from there (`APPLICATIONS.row("2").label`, a
column's `label`, the header constants). The scan reads the string literals of auditlib/**/*.py
(docstrings and comments are documentation, not text anyone is shown) and the Jinja templates.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from auditlib import template

PACKAGE = Path(template.__file__).parent

# Row labels that are also everyday words of the 条例: section headings and narratives use them as such.
COMMON_WORDS = {"行政复议", "行政诉讼", "行政许可", "行政处罚", "行政强制"}

# (file, label) → why that file may type the label. Keep this short.
ALLOWED = {
    **{("narrative.py", label): "正文数字的识别词表（正则），不是表格标签"
       for label in ("商业企业", "科研机构", "社会公益组织", "法律服务机构")},
}


def distinctive_labels() -> set[str]:
    """Every row label, short name and column label of both formats, and the header cells: 4+ characters."""
    labels: set[str] = set()
    for version in (template.TEMPLATE_2021, template.TEMPLATE_2019):
        for table in version.tables:
            for row in table.rows:
                labels |= {row.label, row.short, *(c.label for c in table.columns_of(row))}
    labels |= {*template.TABLE_TITLES.values(), *template.LITIGATION_SUBHEADS.values(), template.CONTENT_HEAD,
               template.APPLICANT_HEAD, template.APPLICANT_GROUP, template.DISPOSAL_HEAD, template.BALANCE_NOTE,
               template.ROW_OTHER_SINGLE.label}
    return {label for label in labels if len(label) >= 4 and label not in COMMON_WORDS}


def shown_strings(path: Path) -> list[tuple[int, str]]:
    """(line, text) of the file's string literals (f-string parts included), docstrings left out."""
    if path.suffix == ".j2":
        return [(1, re.sub(r"\{#.*?#\}", "", path.read_text(encoding="utf-8"), flags=re.S))]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docstrings.add(id(first.value))
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings]


def typed_labels(root: Path) -> list[tuple[str, int, str]]:
    """(file relative to `root`, line, label) for every label typed outside template.py, allow-list applied."""
    labels = distinctive_labels()
    found = []
    for path in sorted([*root.rglob("*.py"), *root.rglob("*.j2")]):
        name = path.relative_to(root).as_posix()
        if name == "template.py":
            continue
        for line, text in shown_strings(path):
            found += [(name, line, label) for label in sorted(labels) if label in text
                      and (name, label) not in ALLOWED]
    return found


def test_template_labels_are_typed_only_in_template_py() -> None:
    assert typed_labels(PACKAGE) == []


def test_the_scan_finds_a_label_typed_elsewhere(tmp_path: Path) -> None:
    """A message with the label typed in is found; the same label taken from template.py, or in a docstring, is not."""
    (tmp_path / "typed.py").write_text('MESSAGE = "本年「二、上年结转政府信息公开申请数量」与上年不一致"\n', encoding="utf-8")
    (tmp_path / "derived.py").write_text(
        '"""本年「二、上年结转政府信息公开申请数量」（docstring）."""\n'
        "from auditlib.template import APPLICATIONS\n"
        'MESSAGE = f"本年「{APPLICATIONS.row(\'2\').label}」与上年不一致"  # 二、上年结转政府信息公开申请数量\n',
        encoding="utf-8")
    (tmp_path / "page.html.j2").write_text("<p>{# 结果维持 #}「结果纠正」</p>", encoding="utf-8")
    assert typed_labels(tmp_path) == [("page.html.j2", 1, "结果纠正"), ("typed.py", 1, "上年结转"),
                                      ("typed.py", 1, "二、上年结转政府信息公开申请数量")]


@pytest.mark.parametrize("entry", sorted(ALLOWED))
def test_every_allowed_exception_is_still_needed(entry: tuple[str, str]) -> None:
    name, label = entry
    assert any(label in text for _, text in shown_strings(PACKAGE / name)), f"{name} no longer types {label}"
