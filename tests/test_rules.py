"""Each rule fires where it must and stays quiet where it must not, on reports built in code."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from builders import NARRATIVE, build, make_tables, render, render_2019, with_cell

from auditlib import parse_text
from auditlib.findings import Severity
from auditlib.model import Report
from auditlib.rules import (
    CORPUS_RULES,
    ENGINE_RULES,
    REGISTRY,
    RULE_FAILED,
    RULES,
    UNREADABLE,
    Rule,
    Violation,
    run_rules,
    unreadable,
)
from auditlib.rules.registry import rule, undeclare
from auditlib.rules.tables import SUM_RULES, equations
from auditlib.template import RESULT_TOTAL, identities, table_rows


def base() -> dict:
    return make_tables(random.Random(21))


def bump(tables: dict, *paths: str, by: int = 1) -> dict:
    for path in paths:
        t, rest = path.split(".", 1)
        row, col = rest.rsplit(".", 1)
        tables = with_cell(tables, path, tables[t][row][col] + by)
    return tables


def left_blank(tables: dict, key: str) -> dict:
    """The tables with every cell of table `key` printed empty."""
    for row in tables[key].values():
        for column in row:
            row[column] = None
    return tables


def narrative(**changes: list[str]) -> dict[str, list[str]]:
    return {**NARRATIVE, **changes}


def rules_of(report: Report) -> dict[str, list]:
    out: dict[str, list] = {}
    for f in run_rules(report):
        out.setdefault(f.rule, []).append(f)
    return out


# rule id → (a report where it must fire, a near twin where it must not)
CASES: dict[str, tuple[Callable[[], Report], Callable[[], Report]]] = {
    "APP-ROW-TOTAL": (lambda: build(bump(base(), "applications.3.1.total")),
                      lambda: build(bump(base(), "applications.3.1.natural_person", "applications.3.1.total",
                                         "applications.3.7.natural_person", "applications.3.7.total",
                                         "applications.1.natural_person", "applications.1.total"))),
    "APP-RESULT-TOTAL": (lambda: build(bump(base(), "applications.3.1.natural_person", "applications.3.1.total")),
                         lambda: build(base())),
    "APP-BALANCE": (lambda: build(bump(base(), "applications.1.natural_person", "applications.1.total")),
                    lambda: build(bump(base(), "applications.1.natural_person", "applications.1.total",
                                       "applications.4.natural_person", "applications.4.total"))),
    "RL-TOTAL": (lambda: build(bump(base(), "review_litigation.litigation_direct.total")),
                 lambda: build(bump(base(), "review_litigation.litigation_direct.total", "review_litigation.litigation_direct.pending"))),
    "SUM-NOT-ASSESSED": (lambda: build(with_cell(base(), "applications.2.other", None), blank="/"), lambda: build(base())),
    "AD-IN-FORCE": (lambda: build(with_cell(with_cell(base(), "active_disclosure.normative_documents.issued", 9),
                                            "active_disclosure.normative_documents.in_force", 4)),
                    lambda: build(with_cell(with_cell(base(), "active_disclosure.normative_documents.issued", 9),
                                            "active_disclosure.normative_documents.in_force", 9))),
    "AD-RULES-LEVEL": (lambda: build(with_cell(base(), "active_disclosure.rules.in_force", 2)),
                       lambda: build(with_cell(base(), "active_disclosure.rules.in_force", 2), agency="淮安市人民政府")),
    "VALUE-INVALID": (lambda: build(with_cell(base(), "applications.3.2.research", -3)),
                      lambda: build(with_cell(base(), "active_disclosure.fees.amount", 12.75))),
    "CELL-MISSING": (lambda: parse_text(render(base()).replace("\t2. 重复申请", "\t2. 重复申请（本行删去）").replace(
                         next(line for line in render(base()).split("\n") if "重复申请" in line), "")),
                     lambda: build(base())),
    "GLUED-AMBIGUOUS": (lambda: parse_text(render(base()).replace("行政规范性文件\t2\t13\t46", "行政规范性文件\t21346")),
                        lambda: parse_text(render(base()).replace("行政规范性文件\t2\t13\t46", "行政规范性文件\t2 13 46"))),
    "CELL-BLANK": (lambda: build(with_cell(base(), "active_disclosure.licensing.decisions", None), blank="—"),
                   lambda: build(base())),
    "SECTION-MISSING": (lambda: build(base(), drop_sections=("5",)), lambda: build(base())),
    "TEMPLATE-OUTDATED": (lambda: parse_text(render_2019(year=2021)), lambda: parse_text(render_2019(year=2020))),
    "TABLE-ALL-ZERO": (lambda: build(make_tables(zero=True)), lambda: build(base())),
    "TABLE-ALL-BLANK": (lambda: build(left_blank(base(), "active_disclosure")), lambda: build(base())),
    "TEXT-TABLE-MISMATCH": (
        lambda: build(base(), narrative=narrative(**{"1": ["2024年，全镇共收到政府信息公开申请9999件。"]})),
        lambda: build(base(), narrative=narrative(**{"1": ["2024年，全镇共收到政府信息公开申请9999余件。"]}))),
    "FEE-NOT-REPORTED": (lambda: build(base(), narrative=narrative(**{"6": ["本年度无其他需要报告的事项。"]})),
                         lambda: build(base(), narrative=narrative(**{"6": ["本机关未收取任何信息处理费用。"]}))),
    "YEAR-MISMATCH": (
        lambda: build(base(), year=2024, narrative=narrative(**{"1": [p.replace("{year}", "2023") for p in NARRATIVE["1"]]
                                                                  + ["2023年，各项工作有序推进。",
                                                                     "2023年，全镇开展政务公开培训3次。"]})),
        lambda: build(base(), year=2024)),
    "TITLE-FORM": (lambda: build(base(), title="青山镇关于2024年度政务公开工作情况的报告"), lambda: build(base())),
    "OVERVIEW-ASPECTS": (lambda: build(base(), narrative=narrative(**{"1": ["2024年，我镇认真做好主动公开和依申请公开工作。"]})),
                         lambda: build(base())),
    "SEC5-NO-RECTIFY": (lambda: build(base(), narrative=narrative(**{"5": ["一是公开不够及时。二是解读形式单一。下一步将加强培训，丰富解读形式。"]})),
                        lambda: build(base())),
    "SEC5-THIN": (lambda: build(base(), narrative=narrative(**{"5": ["公开不够及时，下一步加强。"]})), lambda: build(base())),
    "TEMPLATE-RESIDUE": (lambda: build(base(), narrative=narrative(**{"6": ["（文字描述，收取信息处理费情况在此处报告。）"]})),
                         lambda: build(base())),
}


def test_every_registered_rule_has_a_case() -> None:
    assert set(RULES) == set(CASES)


def test_rule_ids_messages_and_docs() -> None:
    for r in RULES.values():
        assert r.id == r.id.upper() and " " not in r.id
        assert r.message and r.doc, r.id
        assert any("\u4e00" <= ch <= "\u9fff" for ch in r.message + r.doc), r.id


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_rule_fires_and_stays_quiet(rule_id: str) -> None:
    fires, quiet = CASES[rule_id]
    found = rules_of(fires()).get(rule_id, [])
    assert found, f"{rule_id} did not fire"
    assert all(f.severity is RULES[rule_id].severity for f in found)
    assert all("{" not in f.message for f in found)
    assert rule_id not in rules_of(quiet()), f"{rule_id} fired on its quiet twin"
    assert RULE_FAILED not in rules_of(fires())


def test_balance_message_names_the_column_as_the_spec_does() -> None:
    tables = bump(base(), "applications.1.natural_person", "applications.1.total")
    report = build(tables)
    msgs = [f for f in run_rules(report) if f.rule == "APP-BALANCE"]
    np_ = next(f for f in msgs if f.message.endswith("：自然人"))
    left = tables["applications"]["1"]["natural_person"] + tables["applications"]["2"]["natural_person"]
    assert np_.message.startswith(f"第一项加第二项之和（{left}）不等于第三项加第四项之和（{left - 1}）")
    assert set(np_.cells) == {"applications.1.natural_person", "applications.2.natural_person",
                              "applications.3.7.natural_person", "applications.4.natural_person"}
    assert np_.lines  # provenance: the source lines behind the cells


def test_findings_name_rows_and_columns_as_the_template_does() -> None:
    report = build(bump(base(), "review_litigation.litigation_direct.total"))
    msg = next(f.message for f in run_rules(report) if f.rule == "RL-TOTAL")
    assert msg.startswith("行政诉讼（未经复议直接起诉）：总计")
    blank = build(with_cell(base(), "applications.3.4.2.legal_service", None), blank="/")
    msg = next(f.message for f in run_rules(blank) if f.rule == "CELL-BLANK")
    assert "没有现成信息需要另行制作" in msg and "法律服务机构" in msg


def test_whole_table_missing_is_one_finding() -> None:
    text = render(base())
    start, end = text.index("四、政府信息公开行政复议"), text.index("五、存在的主要问题")
    report = parse_text(text[:start] + "四、政府信息公开行政复议、行政诉讼情况\n\n（表格为图片）\n\n" + text[end:])
    missing = [f for f in run_rules(report) if f.rule == "CELL-MISSING"]
    assert len(missing) == 1 and "行政复议、行政诉讼情况表" in missing[0].message and len(missing[0].cells) == 15
    assert not {f.rule for f in run_rules(report)} & {"RL-TOTAL", "TABLE-ALL-ZERO"}


def test_the_2019_format_is_recognised_and_read_as_far_as_its_keys_allow() -> None:
    tables = base()
    report = parse_text(render_2019(tables, year=2020))
    assert report.template == "2019" and report.other_single_row
    data = report.to_dict()["tables"]
    assert "3.6" in data["applications"] and "3.6.1" not in data["applications"]
    assert data["applications"]["3.7"] == tables["applications"]["3.7"]
    assert data["active_disclosure"]["licensing"] == {"prior_year": 12, "change": 1, "decisions": 830}
    assert data["active_disclosure"]["procurement"] == {"items": 6, "amount": 120.5}
    findings = run_rules(report)
    assert not [f for f in findings if f.severity is Severity.ERROR], [f.message for f in findings]


def test_a_crashing_rule_becomes_a_finding_and_the_others_still_run() -> None:
    @rule("TEST-BOOM", Severity.ERROR, "不会出现", name="测试用")
    def boom(report: Report) -> Iterator[Violation]:
        raise ZeroDivisionError("division by zero")
        yield  # pragma: no cover

    try:
        crashing = [RULES["TEST-BOOM"], RULES["APP-BALANCE"]]
        report = build(bump(base(), "applications.1.natural_person", "applications.1.total"))
        findings = run_rules(report, crashing)
        assert [f.rule for f in findings][0] == RULE_FAILED and "TEST-BOOM" in findings[0].message
        assert "APP-BALANCE" in {f.rule for f in findings}
        assert findings[0].message == ("规则 TEST-BOOM 执行出错，未能完成该项检查"
                                       "（ZeroDivisionError: division by zero，boom:" + findings[0].message.split(":")[-1])
        assert findings[0].severity is REGISTRY[RULE_FAILED].severity
    finally:
        undeclare("TEST-BOOM")
    assert "TEST-BOOM" not in RULES and "TEST-BOOM" not in REGISTRY


def test_equations_cover_the_template() -> None:
    eqs = equations(build(base()))
    kinds = Counter(SUM_RULES[e.kind] for e in eqs)
    assert kinds == {"APP-ROW-TOTAL": 25, "APP-RESULT-TOTAL": 7, "APP-BALANCE": 7, "RL-TOTAL": 3}


def test_one_row_other_disposal_stands_in_place_of_its_three_rows() -> None:
    rows = [r.key for r in table_rows("2021", "applications", other_single_row=True)]
    assert rows[rows.index("3.5.5") + 1:] == ["3.6", "3.7", "4"]
    eqs = identities("2021", other_single_row=True)
    result = next(e for e in eqs if e.kind == RESULT_TOTAL)
    assert "applications.3.6.total" not in result.parts and "applications.3.6.natural_person" in result.parts
    assert not any(".3.6.1." in p for e in eqs for p in e.cells)


def test_rule_objects_are_declared_once() -> None:
    with pytest.raises(ValueError, match="twice"):
        rule("APP-BALANCE", Severity.ERROR, "x", name="重复")(lambda report: iter(()))
    with pytest.raises(ValueError, match="twice"):
        rule("UNREADABLE", Severity.ERROR, "x", name="重复")(lambda report: iter(()))
    with pytest.raises(ValueError, match="short name"):
        rule("TEST-NAMELESS", Severity.ERROR, "x", name="")(lambda report: iter(()))
    assert "TEST-NAMELESS" not in REGISTRY
    assert isinstance(RULES["APP-BALANCE"], Rule)


def test_one_registry_holds_every_rule() -> None:
    assert REGISTRY == {**RULES, **CORPUS_RULES, **ENGINE_RULES}
    assert len(REGISTRY) == len(RULES) + len(CORPUS_RULES) + len(ENGINE_RULES)
    assert set(ENGINE_RULES) == {UNREADABLE, RULE_FAILED, "PUBLISH-LATE"}
    assert {r.scope for r in RULES.values()} == {"report"} and {r.scope for r in CORPUS_RULES.values()} == {"corpus"}


def test_every_rule_has_a_unique_chinese_short_name() -> None:
    names = {r.id: r.name for r in REGISTRY.values()}
    assert all(n and all("\u4e00" <= ch <= "\u9fff" for ch in n) and len(n) <= 8 for n in names.values()), names
    assert len(set(names.values())) == len(names), Counter(names.values()).most_common(3)
    assert names["APP-BALANCE"] == "收支不平衡"


def test_every_message_variant_and_part_is_a_chinese_template() -> None:
    for r in REGISTRY.values():
        assert r.messages and all(any("\u4e00" <= ch <= "\u9fff" for ch in m) for m in r.messages.values()), r.id
        assert r.doc, r.id


def _cjk_literals_in_body(func: Callable[..., object]) -> list[str]:
    """The Chinese string literals in a function's body (its docstring and decorators left out)."""
    import ast
    import inspect
    import textwrap

    tree = ast.parse(textwrap.dedent(inspect.getsource(func)))
    fn = next(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef))
    body = fn.body[1:] if fn.body and isinstance(fn.body[0], ast.Expr) and isinstance(
        getattr(fn.body[0], "value", None), ast.Constant) else fn.body
    return [n.value for stmt in body for n in ast.walk(stmt)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and any("\u4e00" <= ch <= "\u9fff" for ch in n.value)]


def test_no_rule_builds_its_chinese_text_in_its_body() -> None:
    offenders = {r.id: found for r in REGISTRY.values() if r.func is not None and (found := _cjk_literals_in_body(r.func))}
    assert offenders == {}


def test_a_violation_picks_a_declared_variant() -> None:
    r = RULES["CELL-MISSING"]
    assert set(r.messages) == {"table", "row", "unplaced"}
    assert r.render(Violation((), {"row": "本年新收", "columns": "自然人"}, variant="row")) == "「本年新收」行缺少：自然人"
    with pytest.raises(KeyError, match="no message variant"):
        r.render(Violation((), {}, variant="nonesuch"))


def test_unreadable_is_rendered_from_its_declaration() -> None:
    from auditlib.audit import unreadable as audit_unreadable

    finding = audit_unreadable("x.pdf", "文件已加密")
    assert (finding.rule, finding.severity, finding.message) == (UNREADABLE, Severity.ERROR, "无法读取该文件：文件已加密")
    assert finding == unreadable("x.pdf", "文件已加密")


def test_readme_lists_every_rule() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    assert [r for r in (*RULES, *CORPUS_RULES) if f"| `{r}` |" not in readme] == []


def test_title_findings_point_at_the_title_line() -> None:
    report = build(base(), title="青山镇关于2024年度政务公开工作情况的报告")
    finding = next(f for f in run_rules(report) if f.rule == "TITLE-FORM")
    assert finding.lines == (report.title_line,) and "政务公开" in report.line_text(finding.lines[0])
