"""PDF-to-Markdown converter output (issue 12; the layout of tests/real/kewei-2024.md): generic headers
(数据1 … 数据7), the applications table split into one table per group, row labels printed apart from
their numbers, and table-2 values carrying a note (`22（其中修订16件）`).

Each case is built from a random report, so the table's sums are informative; every cell must come out
right or unknown (never another number), and no error may fire that the built report does not hold.
"""

from __future__ import annotations

import random
from typing import Any

import pytest
from builders import flatten, make_tables, render, with_cell

from auditlib.findings import Severity
from auditlib.parse import parse_text
from auditlib.rules import check_report
from auditlib.template import APPLICATIONS

FAKE_HEADER = ["| 项目 | 数据1 | 数据2 | 数据3 | 数据4 | 数据5 | 数据6 | 数据7 |", "|---|---|---|---|---|---|---|---|"]
NOTED = "active_disclosure.normative_documents.issued"


def tables_for(seed: int) -> dict[str, Any]:
    return with_cell(make_tables(random.Random(seed)), NOTED, 22)


def label(key: str) -> str:
    return APPLICATIONS.row(key).label.split(" ", 1)[-1]


def numbers(tables: dict[str, Any], key: str) -> list[str]:
    return [str(v) for v in tables["applications"][key].values()]


def pipe(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def groups() -> dict[str, list[str]]:
    """The applications table's rows by group: 一, 二, （一）, （二）, （三） … （六）, （七）, 四."""
    out: dict[str, list[str]] = {}
    for row in APPLICATIONS.rows:
        out.setdefault(".".join(row.key.split(".")[:2]), []).append(row.key)
    return out


def with_applications(tables: dict[str, Any], lines: list[str]) -> str:
    """The report in pipe layout with the applications table printed as `lines`."""
    text = render(tables, layout="pipes")
    head, rest = text.split("三、收到和处理政府信息公开申请情况", 1)
    return head + "三、收到和处理政府信息公开申请情况\n\n" + "\n".join(lines) + "\n\n" + rest[rest.index("四、政府信息公开行政复议"):]


def outcome(text: str, tables: dict[str, Any]) -> tuple[list[tuple[str, Any, Any]], list[str], list[str], Any]:
    """(wrong cells, unknown cells, error rules, report)."""
    report = parse_text(text)
    truth = flatten(tables)
    wrong = [(p, report.cells[p].value, v) for p, v in truth.items() if report.cells[p].value not in (None, v)]
    unknown = [p for p in truth if report.cells[p].value is None]
    errors = [f.rule for f in check_report(report) if f.severity is Severity.ERROR]
    return wrong, unknown, errors, report


@pytest.mark.parametrize("seed", range(4))
def test_one_table_under_a_generic_header(seed: int) -> None:
    tables = tables_for(seed)
    lines = FAKE_HEADER + [pipe([label(r.key), *numbers(tables, r.key)]) for r in APPLICATIONS.rows]
    assert outcome(with_applications(tables, lines), tables)[:3] == ([], [], [])


@pytest.mark.parametrize("seed", range(4))
def test_one_table_per_group_each_under_a_generic_header(seed: int) -> None:
    tables = tables_for(seed)
    lines: list[str] = []
    for keys in groups().values():
        lines += ["", *FAKE_HEADER, *(pipe([label(k), *numbers(tables, k)]) for k in keys), ""]
    assert outcome(with_applications(tables, lines), tables)[:3] == ([], [], [])


def detached(tables: dict[str, Any], lose: str | None = None) -> list[str]:
    """Groups （三）–（六） as kewei-2024 prints them: the group's labels stacked, then its rows of numbers
    without labels (one of them lost by the converter when `lose` names it)."""
    lines: list[str] = []
    for group, keys in groups().items():
        if group in ("3.3", "3.4", "3.5", "3.6"):
            lines += [APPLICATIONS.row(keys[0]).label.split(" ")[0], *(label(k) for k in keys), ""]
            lines += [pipe(numbers(tables, k)) for k in keys if k != lose] + [""]
        else:
            lines += [pipe([label(k), *numbers(tables, k)]) for k in keys]
    return lines


@pytest.mark.parametrize("seed", range(4))
def test_labels_stacked_above_their_numbers_are_read_in_order(seed: int) -> None:
    tables = tables_for(seed)
    wrong, unknown, errors, report = outcome(with_applications(tables, detached(tables)), tables)
    assert (wrong, unknown, errors) == ([], [], [])


@pytest.mark.parametrize("where", ["in the table", "after the table"])
def test_a_noted_value_is_the_number_with_its_note_kept_in_provenance(where: str) -> None:
    tables = tables_for(3)
    text = render(tables, layout="pipes")
    row = next(line for line in text.split("\n") if line.startswith("| 行政规范性文件 | 22 |"))
    _, issued, repealed, in_force = [c.strip() for c in row.strip("|").split("|")]
    if where == "in the table":
        text = text.replace(row, f"| 行政规范性文件 | 22（其中修订16件） | {repealed} | {in_force} |")
    else:  # the converter printed the row below the table, as prose
        text = text.replace(row + "\n", "").replace(
            "\n三、收到和处理", f"行政规范性文件 22 （其中修订16件） {repealed} {in_force}\n\n三、收到和处理")
    wrong, unknown, errors, report = outcome(text, tables)
    assert (wrong, unknown, errors) == ([], [], [])
    cell = report.cells[NOTED]
    assert cell.value == 22 and "其中修订16件" in (cell.raw or "") and "其中修订16件" in cell.source
    assert report.cells["active_disclosure.normative_documents.repealed"].value == int(repealed)
    assert any("取 22" in n and "其中修订16件" in n for n in report.notes)


def test_a_bracketed_heading_after_a_number_is_no_note() -> None:
    """`0 (六)`: a group's numeral after a row's last number is a label, not that number's note."""
    from auditlib.parse.tokens import Kind, tokenize

    tokens = tokenize("3.其他 0 0 0 0 0 0 0 (七)总计 0")
    assert [t.raw for t in tokens if t.kind is Kind.VALUE][:7] == ["0"] * 7
    assert tokenize("22 (六)")[-1].kind is Kind.TEXT


@pytest.mark.parametrize("seed", range(4))
def test_a_stacked_group_that_lost_a_row_of_numbers_is_unknown_not_shifted(seed: int) -> None:
    """Five labels of （五）不予处理 stacked over four rows of numbers: which row was lost cannot be told."""
    tables = tables_for(seed)
    wrong, unknown, errors, report = outcome(with_applications(tables, detached(tables, lose="3.5.3")), tables)
    assert wrong == []
    assert unknown == [p for p in flatten(tables) if p.startswith("applications.3.5.")]
    assert set(errors) == {"CELL-MISSING"}
    assert any("5 个行标签连排" in n and "4 行" in n and "按未知处理" in n for n in report.notes)


def with_section(tables: dict[str, Any], heading: str, lines: list[str]) -> str:
    """The report in pipe layout with section `heading`'s table printed as `lines`."""
    text = render(tables, layout="pipes")
    head, rest = text.split(heading, 1)
    following = next(h for h in ("三、收到和处理", "五、存在的主要问题") if h in rest)
    return head + heading + "\n\n" + "\n".join(lines) + "\n\n" + rest[rest.index(following):]


def active_lines(tables: dict[str, Any], stacked: bool) -> list[str]:
    """Table 二 one small table per 项 under a generic header, or (stacked) with the labels of （五）–（八）
    printed above their numbers and （一） last, as kewei-2024 prints it."""
    ad = {row: [str(v) for v in cols.values()] for row, cols in tables["active_disclosure"].items()}
    first = ["第二十条第（一）项", "| 信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 |", "|---|---|---|---|",
             pipe(["规章", *ad["rules"]]), pipe(["规范性文件", *ad["normative_documents"]]), ""]
    if stacked:
        return ["第二十条第（五）项", "信息内容本年处理决定数量", "行政许可", pipe(ad["licensing"]),
                "第二十条第（六）项", "信息内容本年处理决定数量", "行政处罚", "行政强制", pipe(ad["punishment"]), "|---|",
                pipe(ad["enforcement"]), "第二十条第（八）项", "信息内容本年收费金额（单位：万元）", "行政事业性收费",
                pipe(ad["fees"]), *first]
    fake = ["| 数据1 | 数据2 |", "|---|---|"]
    return [*first[:1], "| 数据1 | 数据2 | 数据3 | 数据4 |", "|---|---|---|---|", *first[1:],
            "第二十条第（五）项", *fake, pipe(["行政许可", *ad["licensing"]]), "",
            "第二十条第（六）项", *fake, pipe(["行政处罚", *ad["punishment"]]), pipe(["行政强制", *ad["enforcement"]]), "",
            "第二十条第（八）项", *fake, pipe(["行政事业性收费", *ad["fees"]])]


@pytest.mark.parametrize("stacked", [False, True], ids=["generic headers", "labels stacked"])
@pytest.mark.parametrize("seed", range(3))
def test_active_disclosure_split_per_item(seed: int, stacked: bool) -> None:
    tables = tables_for(seed)
    text = with_section(tables, "二、主动公开政府信息情况", active_lines(tables, stacked))
    assert outcome(text, tables)[:3] == ([], [], [])


@pytest.mark.parametrize("seed", range(3))
def test_review_litigation_under_a_generic_fifteen_column_header(seed: int) -> None:
    tables = tables_for(seed)
    values = [str(v) for row in tables["review_litigation"].values() for v in row.values()]
    lines = ["行政复议行政诉讼", pipe([f"数据{i}" for i in range(1, 16)]), "|" + "---|" * 15, pipe(values)]
    text = with_section(tables, "四、政府信息公开行政复议、行政诉讼情况", lines)
    assert outcome(text, tables)[:3] == ([], [], [])


@pytest.mark.parametrize("seed", range(3))
def test_kewei_with_its_figures_redrawn_places_no_number_in_another_row(seed: int) -> None:
    """kewei-2024's own layout with every figure of table 三 redrawn: the sums no longer hold, so they
    cannot rescue loose labels; each cell read is the number printed at its place in the original."""
    import re
    from pathlib import Path

    from auditlib.parse.tokens import Kind, analyse

    text = (Path(__file__).parent / "real" / "kewei-2024.md").read_text(encoding="utf-8")
    original = parse_text(text)
    lines = text.split("\n")
    # where each cell was printed: its row's only line, holding exactly the row's numbers
    place: dict[str, tuple[int, int]] = {}
    for path, cell in original.cells.items():
        row = path.rsplit(".", 1)[0]
        columns = [p for p in original.cells if p.rsplit(".", 1)[0] == row]
        if path.startswith("applications.") and len(cell.lines) == 1:
            values = [t for t in analyse(lines[cell.lines[0] - 1]).values if t.kind is Kind.VALUE]
            if len(values) == len(columns):
                place[path] = (cell.lines[0] - 1, columns.index(path))
    assert len(place) > 150
    rng = random.Random(seed)
    table = {n for n, _ in place.values()}
    redrawn = [re.sub(r"(?<=\| )\d+(?= \|)", lambda m: str(rng.randint(0, 99)), line) if n in table else line
               for n, line in enumerate(lines)]
    report = parse_text("\n".join(redrawn))
    printed = {p: [t.value for t in analyse(redrawn[n]).values if t.kind is Kind.VALUE][col]
               for p, (n, col) in place.items()}
    assert [(p, report.cells[p].value, v) for p, v in printed.items() if report.cells[p].value not in (None, v)] == []
