"""A page as agency sites publish it: Word-exported markup inside the site's article block.

The traits are those of a real county bureau's 2023 page: labels split into <span>/<font> runs in
mid-word (自然 + 人, 行 + 政复议), `<o:p> </o:p>` in cells left empty, group labels in rowspan'd
cells, the row printed as 规范性文件 in a 2021 table, the 法人 columns left blank, and heading 五
spelt 存在的主要问题及整改措施. The markup is generated here; no agency's page is copied.
"""

from __future__ import annotations

import html
from pathlib import Path

from auditlib.model import CellStatus
from auditlib.parse import parse_file
from auditlib.rules import check_report
from auditlib.template import APPLICATIONS

P = '<p style="text-align: justify; line-height: 2;" align=""><span style="font-family: 微软雅黑;">{}</span><span><o:p></o:p></span></p>'
EMPTY = '<p style="text-align: justify;"><span style="font-family: 微软雅黑;"><o:p> </o:p></span></p>'


def runs(text: str, cut: int = 1) -> str:
    """Text split into two styled runs after `cut` characters, as Word exports it."""
    head, tail = html.escape(text[:cut]), html.escape(text[cut:])
    return f'{head}</span><span style="font-family: 微软雅黑;"><font face="方正仿宋_GBK">{tail}</font>'


def td(content: str | None, rowspan: int = 1, colspan: int = 1) -> str:
    attrs = (f' rowspan="{rowspan}"' if rowspan > 1 else "") + (f' colspan="{colspan}"' if colspan > 1 else "")
    body = EMPTY if content is None else P.format(content)
    return f'<td{attrs} width="43" valign="center">{body}</td>'


def para(text: str) -> str:
    return f'<p style="text-indent: 2em;"><span><font face="方正黑体_GBK">{html.escape(text)}</font></span><span><o:p></o:p></span></p>'


def applications_rows(natural: dict[str, int]) -> list[str]:
    rows = []
    for row in APPLICATIONS.rows:
        n = natural.get(row.key, 0)
        cells = [td(str(n))] + [td(None)] * 5 + [td(str(n))]  # 法人 columns printed empty
        if row.key in ("1", "2", "4"):
            label = [td(runs(row.label), colspan=3)]
        elif row.key in ("3.7",):
            label = [td(runs("（七）总计", 3), colspan=2)]
        elif row.key in ("3.1", "3.2"):
            group = [td(runs("三、本年度办理结果", 2), rowspan=22)] if row.key == "3.1" else []
            label = group + [td(runs(row.label.split("（区分")[0], 3), colspan=2)]
        else:
            group, item = row.label.split(" ", 1)
            spans = {"3.3.1": 8, "3.4.1": 3, "3.5.1": 5, "3.6.1": 3}
            lead = [td(runs(group, 3), rowspan=spans[row.key])] if row.key in spans else []
            label = lead + [td(runs(item, 2))]
        rows.append("<tr>" + "".join(label + cells) + "</tr>")
    return rows


def page(natural: dict[str, int]) -> str:
    head = ('<tr><td colspan="3" rowspan="3">' + P.format("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）")
            + "</td>" + td(runs("申请人情况", 4), colspan=7) + "</tr><tr>" + td(runs("自然人", 2), rowspan=2)
            + td("法人或其他组织", colspan=5) + td(runs("总计"), rowspan=2) + "</tr><tr>"
            + "".join(td(runs(x, 2)) for x in ("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")) + "</tr>")
    apps = "<table border='1'><tbody>" + head + "".join(applications_rows(natural)) + "</tbody></table>"
    ad_rows = [("第二十条第（一）项", None), ("信息内容", ["本年制发件数", "本年废止件数", "现行有效件数"]),
               ("规章", ["0", "0", "0"]), ("规范性文件", ["8", "0", "18"]), ("第二十条第（五）项", None),
               ("信息内容", ["本年处理决定数量"]), ("行政许可", ["0"]), ("第二十条第（六）项", None),
               ("信息内容", ["本年处理决定数量"]), ("行政处罚", ["0"]), ("行政强制", ["0"]), ("第二十条第（八）项", None),
               ("信息内容", ["本年收费金额（单位：万元）"]), ("行政事业性收费", ["0"])]
    ad = "<table border='1'><tbody>"
    for label, values in ad_rows:
        if values is None:
            ad += "<tr>" + td(label, colspan=4) + "</tr>"
        elif len(values) == 1:
            ad += "<tr>" + td(label) + td(values[0], colspan=3) + "</tr>"
        else:
            ad += "<tr>" + td(label) + "".join(td(v) for v in values) + "</tr>"
    ad += "</tbody></table>"
    outcome = ["结果维持", runs("结果纠正", 2), runs("其他结果", 1), "尚未审结", "总计"]
    rl = ("<table border='1'><tbody><tr>" + td(runs("行政复议"), colspan=5) + td(runs("行政诉讼"), colspan=10) + "</tr><tr>"
          + "".join(td(c, rowspan=2) for c in outcome) + td("未经复议直接起诉", colspan=5) + td("复议后起诉", colspan=5)
          + "</tr><tr>" + "".join(td(c) for c in outcome * 2) + "</tr><tr>"
          + "".join(td(str(v)) for v in (0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)) + "</tr></tbody></table>")
    body = "".join([
        para("根据《中华人民共和国政府信息公开条例》要求，现向社会公布沭水县发展和改革局2023年度政府信息公开年度报告。"),
        para("一、总体情况"), para("2023年，县发展和改革局认真贯彻执行有关文件精神。（一）主动公开政府信息情况。"),
        para("二、主动公开政府信息情况"), f"<div>{ad}</div>",
        para("三、收到和处理政府信息公开申请情况"), f"<div>{apps}</div>",
        para("四、政府信息公开行政复议、行政诉讼情况"), rl,
        para("五、存在的主要问题及整改措施"), para("（一）存在的主要问题。各科室人员信息公开意识有所松懈。"),
        para("六、其他需要报告的事项"), para("2023年度，县发展和改革局政府信息公开未发生收费情况。"),
    ])
    return ("<!doctype html><html><head><meta charset='utf-8'><title>沭水县人民政府</title>"
            "<script src='/js/jquery.min.js'></script></head><body><div class='header'><ul><li>首页</li><li>政府信息公开</li></ul></div>"
            "<div class='xxgkArticle'><h1 class='article-title'><ucaptitle>沭水县发展和改革局2023年政府信息公开年度报告</ucaptitle></h1>"
            f"<div class='article-content'><ucapcontent>{body}</ucapcontent></div></div>"
            "<iframe src='/footer.shtml'></iframe></body></html>")


def test_word_exported_page_reads_every_printed_cell(tmp_path: Path) -> None:
    natural = {"1": 26, "3.1": 26, "3.7": 26}
    path = tmp_path / "report.html"
    path.write_text(page(natural), encoding="utf-8")
    report = parse_file(path)
    assert (report.agency, report.year, report.template) == ("沭水县发展和改革局", 2023, "2021")
    assert all(s.present for s in report.sections.values())
    for row in APPLICATIONS.rows:
        n = natural.get(row.key, 0)
        assert report.value(f"applications.{row.key}.natural_person") == n, row.key
        assert report.value(f"applications.{row.key}.total") == n, row.key
        assert report.cells[f"applications.{row.key}.commercial"].status is CellStatus.BLANK, row.key
    assert report.value("active_disclosure.normative_documents.in_force") == 18
    assert [report.value(f"review_litigation.review.{c}") for c in ("pending", "total")] == [1, 1]
    rules = {f.rule for f in check_report(report)}
    assert "CELL-BLANK" in rules and "SUM-NOT-ASSESSED" in rules
    assert not rules & {"APP-ROW-TOTAL", "APP-RESULT-TOTAL", "APP-BALANCE", "RL-TOTAL", "CELL-MISSING", "SECTION-MISSING"}
