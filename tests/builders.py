"""Build whole reports in code, in each layout the parser must read, from a dict of values.

`make_tables()` gives consistent values (every template sum holds); tests change a cell to plant
an error, render the report in a layout, parse it and check what comes out.
"""

from __future__ import annotations

import copy
import random
from typing import Any

from auditlib.model import Report
from auditlib.parse import parse_text
from auditlib.template import ACTIVE_DISCLOSURE, APPLICANT_COLUMNS, APPLICATIONS, REVIEW_LITIGATION

Tables = dict[str, dict[str, dict[str, Any]]]

DISPOSAL_KEYS = [r.key for r in APPLICATIONS.rows if r.key.startswith("3.") and r.key != "3.7"]

NARRATIVE = {
    "1": [
        "{year}年，{agency}坚持以习近平新时代中国特色社会主义思想为指导，认真贯彻落实《中华人民共和国政府信息公开条例》。",
        "（一）主动公开。全年通过政府门户网站主动公开政府信息1200条，及时公开法定主动公开内容。",
        "（二）依申请公开。{received_sentence}",
        "（三）政府信息管理。严格落实公开前保密审查制度，动态更新政府信息公开指南和目录。",
        "（四）政府信息公开平台建设。持续优化政府网站信息公开专栏，发挥政务新媒体作用。",
        "（五）监督保障。将政务公开工作纳入年度绩效考核，加强业务培训和监督检查。",
    ],
    "5": [
        "（一）存在问题。一是公开内容不够全面，部分栏目更新不及时；二是政策解读形式较为单一，图解、视频解读较少。",
        "（二）改进情况。针对上年度存在的问题，我们开展了专项整改：一是建立栏目更新台账，每月检查；二是丰富解读形式，"
        "全年制作图解10期；三是加强业务培训，提升工作人员能力水平。下一步，我们将对照上级政务公开工作要点，"
        "逐条细化任务清单，明确责任人和完成时限，确保各项改进措施落到实处。",
    ],
    "6": ["本年度未收取信息处理费。"],
}


def make_tables(rng: random.Random | None = None, zero: bool = False) -> Tables:
    """Values for the three tables that satisfy every sum of the template."""
    rng = rng or random.Random(7)
    pick = (lambda hi: 0) if zero else (lambda hi: rng.randint(0, hi))
    ad: dict[str, dict[str, Any]] = {}
    for row in ACTIVE_DISCLOSURE.rows:
        if row.key == "rules":
            ad[row.key] = {"issued": 0, "repealed": 0, "in_force": 0}  # a township makes no 规章
        elif row.key == "normative_documents":
            issued = pick(9)
            ad[row.key] = {"issued": issued, "repealed": pick(20), "in_force": issued + pick(60)}
        elif row.key == "fees":
            ad[row.key] = {"amount": 0 if zero else round(rng.uniform(0, 500), 2)}
        else:
            ad[row.key] = {"decisions": pick(9000)}
    app: dict[str, dict[str, Any]] = {}
    cols = [c.key for c in APPLICANT_COLUMNS]
    for key in DISPOSAL_KEYS:
        app[key] = {c: pick(30) if rng.random() < 0.4 else 0 for c in cols}
    app["3.7"] = {c: sum(app[k][c] for k in DISPOSAL_KEYS) for c in cols}
    app["4"] = {c: min(pick(3), app["3.7"][c]) for c in cols}
    app["2"] = {c: min(pick(3), app["3.7"][c] + app["4"][c]) for c in cols}
    app["1"] = {c: app["3.7"][c] + app["4"][c] - app["2"][c] for c in cols}
    for row in app.values():
        row["total"] = sum(row[c] for c in cols)
    rl: dict[str, dict[str, Any]] = {}
    for row in REVIEW_LITIGATION.rows:
        parts = {c: pick(12) for c in ("upheld", "corrected", "other", "pending")}
        rl[row.key] = {**parts, "total": sum(parts.values())}
    return {"active_disclosure": ad, "applications": app, "review_litigation": rl}


def with_cell(tables: Tables, path: str, value: Any) -> Tables:
    """A copy of `tables` with one cell changed (None prints blank, a str prints as is)."""
    out = copy.deepcopy(tables)
    table, rest = path.split(".", 1)
    row, col = rest.rsplit(".", 1)
    out[table][row][col] = value
    return out


def _fmt(value: Any, blank: str = "") -> str:
    if value is None:
        return blank
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _app_label_cells(key: str) -> list[str]:
    """The label cells the 2021 template prints for an applications row (group cell, item cell)."""
    row = APPLICATIONS.row(key)
    if key in ("1", "2", "3.7", "4"):
        return [row.label, ""]
    if key in ("3.1", "3.2"):
        prefix = "三、本年度办理结果" if key == "3.1" else ""
        return [prefix, row.label]
    group, item = row.label.split(" ", 1)
    first = item.startswith("1.")
    return ["", group if first else "", item]


def _lines_tabs(tables: Tables, blank: str, pipes: bool) -> dict[str, list[str]]:
    join = (lambda cells: "| " + " | ".join(cells) + " |") if pipes else (lambda cells: "\t".join(cells))
    ad = tables["active_disclosure"]
    two = [join(["第二十条第（一）项", "", "", ""]), join(["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"])]
    if pipes:
        two.insert(1, "|---|---|---|---|")
    for key, name in (("rules", "规章"), ("normative_documents", "行政规范性文件")):
        two.append(join([name, *(_fmt(ad[key][c], blank) for c in ("issued", "repealed", "in_force"))]))
    for caption, header, rows in (
        ("第二十条第（五）项", "本年处理决定数量", (("licensing", "行政许可", "decisions"),)),
        ("第二十条第（六）项", "本年处理决定数量", (("punishment", "行政处罚", "decisions"), ("enforcement", "行政强制", "decisions"))),
        ("第二十条第（八）项", "本年收费金额（单位：万元）", (("fees", "行政事业性收费", "amount"),)),
    ):
        two += [join([caption, "", "", ""]), join(["信息内容", header, "", ""])]
        two += [join([name, _fmt(ad[key][col], blank), "", ""]) for key, name, col in rows]
    app = tables["applications"]
    three = [
        join(["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", "", "申请人情况", "", "", "", "", "", "总计"]),
        join(["", "", "自然人", "法人或其他组织", "", "", "", "", ""]),
        join(["", "", "", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", ""]),
    ]
    if pipes:
        three.insert(1, "|---|---|---|---|---|---|---|---|---|")
    for row in APPLICATIONS.rows:
        values = [_fmt(app[row.key][c.key], blank) for c in APPLICATIONS.columns]
        three.append(join([*_app_label_cells(row.key), *values]))
    rl = tables["review_litigation"]
    four = [
        join(["行政复议", "", "", "", "", "行政诉讼"]),
        join(["结果维持", "结果纠正", "其他结果", "尚未审结", "总计", "未经复议直接起诉", "", "", "", "", "复议后起诉"]),
        join(["", "", "", "", "", *(["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 2)]),
        join([_fmt(rl[r.key][c.key], blank) for r in REVIEW_LITIGATION.rows for c in REVIEW_LITIGATION.columns]),
    ]
    return {"2": two, "3": three, "4": four}


def _lines_cells(tables: Tables, blank: str) -> dict[str, list[str]]:
    """One cell per line with a leading tab and NBSP padding, blank lines between rows (a .docx dump)."""
    def cell(v: Any) -> str:
        return "\t\u00a0" + _fmt(v, blank) if v is not None or blank else "\t"

    ad = tables["active_disclosure"]
    two = ["\t第二十条第（一）项", "", "\t信息内容", "\t本年制发件数", "\t本年废止件数", "\t现行有效件数", ""]
    for key, name in (("rules", "规章"), ("normative_documents", "行政规范性文件")):
        two += [f"\t{name}", *(cell(ad[key][c]) for c in ("issued", "repealed", "in_force")), ""]
    for key, name, col in (("licensing", "行政许可", "decisions"), ("punishment", "行政处罚", "decisions"),
                           ("enforcement", "行政强制", "decisions"), ("fees", "行政事业性收费", "amount")):
        two += ["\t信息内容", "\t本年处理决定数量", "", f"\t{name}", cell(ad[key][col]), ""]
    app = tables["applications"]
    three = ["\t（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", "\t申请人情况", "", "\t",
             "\t自然人", "\t法人或其他组织", "\t总计", "", "\t", "\t", "\t商业", "企业", "\t科研", "机构",
             "\t社会公益组织", "\t法律服务机构", "\t其他", "\t", ""]
    for row in APPLICATIONS.rows:
        labels = [c for c in _app_label_cells(row.key) if c]
        three += ["\t"] + [f"\t{label}" for label in labels]
        three += [cell(app[row.key][c.key]) for c in APPLICATIONS.columns] + [""]
    rl = tables["review_litigation"]
    four = ["\t行政复议", "\t行政诉讼", "", "\t结果维持", "\t结果", "纠正", "\t其他", "结果", "\t尚未", "审结", "\t总计",
            "\t未经复议直接起诉", "\t复议后起诉", "", "\t", "\t", "\t", "\t", "\t", ""]
    four += [cell(rl[r.key][c.key]) for r in REVIEW_LITIGATION.rows for c in REVIEW_LITIGATION.columns]
    return {"2": two, "3": three, "4": four}


def _lines_pdf(tables: Tables, blank: str) -> dict[str, list[str]]:
    """PDF text: single spaces, wrapped labels (numbers on a continuation line), page markers mid-table."""
    ad = tables["active_disclosure"]
    two = ["第二十条 第（一）项", "信息内容 本年制发件数 本年废止件数 现行有效件数"]
    for key, name in (("rules", "规章"), ("normative_documents", "行政规范性文件")):
        two.append(" ".join([name, *(_fmt(ad[key][c], blank) for c in ("issued", "repealed", "in_force"))]))
    two += ["第二十条 第（五）项", "信息内容 本年处理决定数量", f"行政许可 {_fmt(ad['licensing']['decisions'], blank)}",
            "第二十条 第（六）项", "- 3 -", "信息内容 本年处理决定数量",
            f"行政处罚 {_fmt(ad['punishment']['decisions'], blank)}", f"行政强制 {_fmt(ad['enforcement']['decisions'], blank)}",
            "第二十条 第（八）项", "信息内容 本年收费金额（单位：万元）", f"行政事业性收费 {_fmt(ad['fees']['amount'], blank)}"]
    app = tables["applications"]
    three = ["（本列数据的勾稽关系为：第一项加第二项之和，", "等于第三项加第四项之和）", "申请人情况", "自然人",
             "法人或其他组织", "总计商 业 企", "业", "科研机", "构", "社 会 公 益", "组织", "法 律 服 务", "机构", "其他"]
    for row in APPLICATIONS.rows:
        nums = " ".join(_fmt(app[row.key][c.key], blank) for c in APPLICATIONS.columns)
        label = "".join(_app_label_cells(row.key)).replace(" ", "")
        if row.key == "3.3.1":
            three += ["（三）不", "予公开"]
            label = label.replace("（三）不予公开", "")
        if row.key in ("3.6.1", "3.6.2"):
            three += [label[:14], label[14:28], label[28:], nums]  # numbers on a line of their own
        elif row.key == "3.5.5":
            three += [label[:15], f"{label[15:]} {nums}"]  # numbers after the label's second half
        else:
            three.append(f"{label} {nums}")
        if row.key == "3.4.1":
            three.append("- 4 -")
    rl = tables["review_litigation"]
    four = ["行政复议 行政诉讼", "结 果", "维持", "结 果", "纠正", "其 他 结", "果", "尚 未", "审结", "总计",
            "未经复议直接起诉 复议后起诉",
            " ".join(_fmt(rl[r.key][c.key], blank) for r in REVIEW_LITIGATION.rows for c in REVIEW_LITIGATION.columns)]
    return {"2": two, "3": three, "4": four}


LAYOUTS = ("tabs", "pipes", "cells", "pdf")
HEADINGS = {"1": "一、总体情况", "2": "二、主动公开政府信息情况", "3": "三、收到和处理政府信息公开申请情况",
            "4": "四、政府信息公开行政复议、行政诉讼情况", "5": "五、存在的主要问题及改进情况", "6": "六、其他需要报告的事项"}


def render(
    tables: Tables | None = None,
    *,
    agency: str = "青山镇人民政府",
    year: int = 2024,
    layout: str = "tabs",
    blank: str = "",
    narrative: dict[str, list[str]] | None = None,
    title: str | None = None,
    drop_sections: tuple[str, ...] = (),
    heading_prefix: str = "",
) -> str:
    """A whole report as text in one of LAYOUTS."""
    tables = tables if tables is not None else make_tables()
    received = tables["applications"]["1"]["total"]
    fill = {"agency": agency, "year": year,
            "received_sentence": f"全年共收到政府信息公开申请{received}件，均依法按时答复。"}
    narrative = narrative or NARRATIVE
    body = {
        "tabs": lambda: _lines_tabs(tables, blank, pipes=False),
        "pipes": lambda: _lines_tabs(tables, blank, pipes=True),
        "cells": lambda: _lines_cells(tables, blank),
        "pdf": lambda: _lines_pdf(tables, blank),
    }[layout]()
    out = ["", title if title is not None else f"{heading_prefix}{agency}{year}年政府信息公开工作年度报告", ""]
    for key in ("1", "2", "3", "4", "5", "6"):
        if key in drop_sections:
            continue
        out += [heading_prefix + HEADINGS[key], ""]
        if key in body:
            out += body[key]
        else:
            for para in narrative.get(key, []):
                out += [para.format(**fill), ""]
        out.append("")
    return "\n".join(out)


def build(tables: Tables | None = None, **kwargs: Any) -> Report:
    """A parsed report in a line: render, then parse."""
    return parse_text(render(tables, **kwargs), path=f"<{kwargs.get('layout', 'tabs')}>")


def flatten(tables: Tables) -> dict[str, Any]:
    return {f"{t}.{r}.{c}": v for t, rows in tables.items() for r, cols in rows.items() for c, v in cols.items()}


def render_2019(tables: Tables | None = None, *, year: int = 2020, agency: str = "青山镇人民政府") -> str:
    """The 2019 trial format: its own 主动公开 table, and （六）其他处理 as a single row."""
    tables = tables if tables is not None else make_tables()
    app = tables["applications"]
    lines = render(tables, year=year, agency=agency).split("\n")
    start = lines.index(HEADINGS["2"]) + 2
    end = lines.index(HEADINGS["3"]) - 1
    lines[start:end] = [
        "第二十条第（一）项\t\t\t", "信息内容\t本年新制作数量\t本年新公开数量\t对外公开总数量",
        "规章\t0\t0\t0", "规范性文件\t3\t3\t41",
        "第二十条第（五）项\t\t\t", "信息内容\t上一年项目数量\t本年增/减\t处理决定数量",
        "行政许可\t12\t1\t830", "其他对外管理服务事项\t4\t0\t16",
        "第二十条第（六）项\t\t\t", "信息内容\t上一年项目数量\t本年增/减\t处理决定数量",
        "行政处罚\t30\t-2\t95", "行政强制\t5\t0\t3",
        "第二十条第（八）项\t\t\t", "信息内容\t上一年项目数量\t本年增/减\t",
        "行政事业性收费\t2\t0\t",
        "第二十条第（九）项\t\t\t", "信息内容\t采购项目数量\t采购总金额\t",
        "政府集中采购\t6\t120.5\t",
    ]
    merged = {c: sum(app[k][c] for k in ("3.6.1", "3.6.2", "3.6.3")) for c in app["3.7"]}
    first = next(i for i, line in enumerate(lines) if "逾期不补正" in line)
    lines[first:first + 3] = ["\t（六）其他处理\t" + "\t".join(str(merged[c]) for c in app["3.7"])]
    return "\n".join(lines)
