"""Build the same report as .docx, .html and .pdf files, with the traits real ones have.

The content is sample 003 (examples/reports/003_4ea7538dec090386.txt for the narrative,
tests/expected/003_4ea7538dec090386.json for every table value). Tables follow the official Word
template's grid: merged header cells, the 三、本年度办理结果 / （三）不予公开 … label columns merged
vertically, 行政复议 spanning 5 columns. Used by tests/test_ingest_formats.py and scripts/bench_formats.py.

No dependency beyond the project's own: python-docx writes the .docx, and the PDF is written by hand
(a CID font with a ToUnicode map, not embedded: enough for any text extractor, no CJK font needed).
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = "003_4ea7538dec090386"
SAMPLE_TEXT = ROOT / "examples" / "reports" / f"{SAMPLE}.txt"
SAMPLE_EXPECTED = ROOT / "tests" / "expected" / f"{SAMPLE}.json"

# ---------------------------------------------------------------------------------------------
# The report, independent of format
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class C:
    """A table cell as HTML sees it: placed in the row where it starts. Paragraphs are separated by \\n."""

    text: str
    colspan: int = 1
    rowspan: int = 1
    number: bool = False


Table = list[list[C]]


@dataclass
class Block:
    kind: str  # title | heading | para | table
    text: str = ""
    table: Table = field(default_factory=list)
    name: str = ""  # active_disclosure | applications | review_litigation


def expected() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SAMPLE_EXPECTED.read_text(encoding="utf-8"))
    return data


def _num(value: Any, blank: bool = False) -> C:
    return C("" if blank or value is None else str(value), number=True)


def active_table(ad: dict[str, Any]) -> Table:
    def block(caption: str, header: list[str], rows: list[tuple[str, list[Any]]]) -> Table:
        out: Table = [[C(caption, colspan=4)]]
        if len(header) == 4:
            out.append([C(h) for h in header])
            out += [[C(label), *(_num(v) for v in values)] for label, values in rows]
        else:
            out.append([C(header[0]), C(header[1], colspan=3)])
            out += [[C(label), C(str(values[0]), colspan=3, number=True)] for label, values in rows]
        return out

    cols3 = ("issued", "repealed", "in_force")
    return (
        block("第二十条第（一）项", ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
              [("规章", [ad["rules"][c] for c in cols3]),
               ("行政规范性文件", [ad["normative_documents"][c] for c in cols3])])
        + block("第二十条第（五）项", ["信息内容", "本年处理决定数量"], [("行政许可", [ad["licensing"]["decisions"]])])
        + block("第二十条第（六）项", ["信息内容", "本年处理决定数量"],
                [("行政处罚", [ad["punishment"]["decisions"]]), ("行政强制", [ad["enforcement"]["decisions"]])])
        + block("第二十条第（八）项", ["信息内容", "本年收费金额（单位：万元）"], [("行政事业性收费", [ad["fees"]["amount"]])])
    )


APP_COLUMNS = ("natural_person", "commercial", "research", "social_welfare", "legal_service", "other", "total")
# (group label and the rows it spans, subgroup label and the rows it spans, row label, row key)
APP_ROWS: list[tuple[str, str, str, str]] = [
    ("", "", "一、本年新收政府信息公开申请数量", "1"),
    ("", "", "二、上年结转政府信息公开申请数量", "2"),
    ("三、本年度办理结果", "", "（一）予以公开", "3.1"),
    ("三、本年度办理结果", "", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "3.2"),
    *(("三、本年度办理结果", "（三）不予公开", label, f"3.3.{i}") for i, label in enumerate(
        ["1.属于国家秘密", "2.其他法律行政法规禁止公开", "3.危及“三安全一稳定”", "4.保护第三方合法权益",
         "5.属于三类内部事务信息", "6.属于四类过程性信息", "7.属于行政执法案卷", "8.属于行政查询事项"], start=1)),
    *(("三、本年度办理结果", "（四）无法提供", label, f"3.4.{i}") for i, label in enumerate(
        ["1.本机关不掌握相关政府信息", "2.没有现成信息需要另行制作", "3.补正后申请内容仍不明确"], start=1)),
    *(("三、本年度办理结果", "（五）不予处理", label, f"3.5.{i}") for i, label in enumerate(
        ["1.信访举报投诉类申请", "2.重复申请", "3.要求提供公开出版物", "4.无正当理由大量反复申请",
         "5.要求行政机关确认或重新出具已获取信息"], start=1)),
    *(("三、本年度办理结果", "（六）其他处理", label, f"3.6.{i}") for i, label in enumerate(
        ["1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
         "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "3.其他"], start=1)),
    ("三、本年度办理结果", "", "（七）总计", "3.7"),
    ("", "", "四、结转下年度继续办理", "4"),
]


def applications_table(app: dict[str, Any], blank: frozenset[str] = frozenset()) -> Table:
    """The 申请 table on the template's 10-column grid (3 label columns, 7 value columns)."""
    rows: Table = [
        [C("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", colspan=3, rowspan=3),
         C("申请人情况", colspan=7)],
        [C("自然人", rowspan=2), C("法人或其他组织", colspan=5), C("总计", rowspan=2)],
        [C("商业\n企业"), C("科研\n机构"), C("社会公益组织"), C("法律服务机构"), C("其他")],
    ]
    started: set[str] = set()
    for group, sub, label, key in APP_ROWS:
        row: list[C] = []
        if not group:
            row.append(C(label, colspan=3))
        else:
            if group not in started:
                started.add(group)
                row.append(C(group, rowspan=sum(1 for g, *_ in APP_ROWS if g == group)))
            if not sub:
                row.append(C(label, colspan=2))
            else:
                if sub not in started:
                    started.add(sub)
                    row.append(C(sub, rowspan=sum(1 for _, s, *_ in APP_ROWS if s == sub)))
                row.append(C(label))
        row += [_num(app[key][c], f"applications.{key}.{c}" in blank) for c in APP_COLUMNS]
        rows.append(row)
    return rows


RL_COLUMNS = ("upheld", "corrected", "other", "pending", "total")
RL_HEADS = ("结果\n维持", "结果\n纠正", "其他\n结果", "尚未\n审结", "总计")


def review_table(rl: dict[str, Any]) -> Table:
    return [
        [C("行政复议", colspan=5), C("行政诉讼", colspan=10)],
        [*(C(h, rowspan=2) for h in RL_HEADS), C("未经复议直接起诉", colspan=5), C("复议后起诉", colspan=5)],
        [C(h) for h in RL_HEADS * 2],
        [_num(rl[block][c]) for block in ("review", "litigation_direct", "litigation_after_review") for c in RL_COLUMNS],
    ]


def narrative() -> tuple[str, dict[str, list[str]]]:
    """The title and each section's paragraphs (by heading) from the sample's text."""
    title = ""
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for raw in SAMPLE_TEXT.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line.startswith("#"):
            text = line.lstrip("#").strip()
            if not title:
                title = text
            else:
                current = sections.setdefault(text, [])
        elif line and "\t" not in raw and current is not None:
            current.append(line)
    return title, sections


def report_blocks(blank: frozenset[str] = frozenset()) -> list[Block]:
    """Sample 003 as a sequence of blocks; `blank` names value cells printed empty."""
    exp = expected()["tables"]
    title, sections = narrative()
    tables = {
        "二、主动公开政府信息情况": ("active_disclosure", active_table(exp["active_disclosure"])),
        "三、收到和处理政府信息公开申请情况": ("applications", applications_table(exp["applications"], blank)),
        "四、政府信息公开行政复议、行政诉讼情况": ("review_litigation", review_table(exp["review_litigation"])),
    }
    blocks = [Block("title", title)]
    for heading, paragraphs in sections.items():
        blocks.append(Block("heading", heading))
        blocks += [Block("para", p) for p in paragraphs]
        if heading in tables:
            name, table = tables[heading]
            blocks.append(Block("table", table=table, name=name))
    return blocks


def grid_positions(table: Table) -> list[tuple[int, int, C]]:
    """(row, column, cell) of every cell on the table's grid (the HTML table model)."""
    taken: set[tuple[int, int]] = set()
    out: list[tuple[int, int, C]] = []
    for r, row in enumerate(table):
        c = 0
        for cell in row:
            while (r, c) in taken:
                c += 1
            out.append((r, c, cell))
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    taken.add((r + dr, c + dc))
            c += cell.colspan
    return out


def grid_width(table: Table) -> int:
    return max(c + cell.colspan for _, c, cell in grid_positions(table))


# ---------------------------------------------------------------------------------------------
# .docx
# ---------------------------------------------------------------------------------------------

_PADS = ("{}", " {}", "{} ", "\u00a0{}\u00a0", " {} ")  # numbers with the stray spaces real reports have


def docx_bytes(blocks: list[Block]) -> bytes:
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    document = docx.Document()
    for block in blocks:
        if block.kind == "title":
            p = document.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            p.add_run(block.text).bold = True
            document.add_paragraph()
        elif block.kind == "heading":
            document.add_paragraph().add_run(block.text).bold = True
        elif block.kind == "para":
            document.add_paragraph(block.text)
        elif block.kind == "table":
            _docx_table(document, block.table)
            document.add_paragraph()
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def _docx_table(document: Any, table: Table) -> None:
    cells = grid_positions(table)
    tbl = document.add_table(rows=len(table), cols=grid_width(table))
    tbl.style = "Table Grid"
    for i, (r, c, cell) in enumerate(cells):
        target = tbl.cell(r, c)
        if cell.colspan > 1 or cell.rowspan > 1:  # python-docx writes gridSpan / vMerge
            target = target.merge(tbl.cell(r + cell.rowspan - 1, c + cell.colspan - 1))
        text = _PADS[i % len(_PADS)].format(cell.text) if cell.number and cell.text else cell.text
        paragraphs = text.split("\n")
        target.paragraphs[0].text = paragraphs[0]
        for extra in paragraphs[1:]:
            target.add_paragraph(extra)


# ---------------------------------------------------------------------------------------------
# .html
# ---------------------------------------------------------------------------------------------


def html_page(blocks: list[Block], charset: str = "gb2312", http_equiv: bool = False, flat: bool = False) -> str:
    """A government-site page: navigation, scripts, a sidebar, the article (title outside the text div), a footer.

    `flat`: an old-style page with everything straight in <body> and the title only in <title>.
    """
    meta = (f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">' if http_equiv
            else f'<meta charset="{charset}">')
    title = next(b.text for b in blocks if b.kind == "title")
    body: list[str] = []
    for block in blocks:
        if block.kind == "heading":
            body.append(f'<p style="text-indent:2em"><strong><span>{escape(block.text)}</span></strong></p>')
        elif block.kind == "para":
            body.append(f'<p style="text-indent:2em"><span style="font-family:仿宋">{escape(block.text)}</span></p>')
        elif block.kind == "table":
            body.append(_html_table(block.table))
    if flat:
        return "\n".join([
            "<html><head>", meta, f"<title>{escape(title)}_红旗区人民政府网</title></head><body>",
            '<div class="top"><a href="/">首页</a></div>', *body,
            "<div>版权所有：红旗区人民政府</div></body></html>",
        ])
    return "\n".join([
        "<!DOCTYPE html>", "<html>", "<head>", meta,
        f"<title>{escape(title)}_红旗区人民政府网</title>",
        '<style>.nav a{color:#333} td{border:1px solid #000}</style>',
        "<script>var menu = ['一、总体情况', '二、主动公开政府信息情况'];</script>",
        "</head>", "<body>",
        '<header><div class="logo">红旗区人民政府</div></header>',
        '<nav class="nav"><a href="/">首页</a> <a href="/xxgk/">政府信息公开</a> '
        '<a href="/xxgk/ndbg/2023.html">红旗区人民政府2023年政府信息公开工作年度报告</a></nav>',
        '<div class="main">',
        '<div class="crumb">当前位置：首页 &gt; 政府信息公开 &gt; 政府信息公开年度报告</div>',
        '<div class="article">',
        f"<h1>{escape(title)}</h1>",
        '<div class="info">发布时间：2025-01-20　来源：红旗区人民政府办公室　浏览次数：1024</div>',
        '<div class="content" id="zoom">', *body, "</div>",
        "</div>",
        '<div class="related" style="display:none">三、收到和处理政府信息公开申请情况 99</div>',
        "</div>",
        "<!-- 一、总体情况 统计 -->",
        "<footer>版权所有：红旗区人民政府　网站标识码：4107030001　备案号：豫ICP备00000000号</footer>",
        "<script>document.write('访问量 12345');</script>",
        "</body>", "</html>",
    ])


def _html_table(table: Table) -> str:
    rows = []
    for row in table:
        cells = []
        for cell in row:
            attrs = (f' colspan="{cell.colspan}"' if cell.colspan > 1 else "") + (
                f' rowspan="{cell.rowspan}"' if cell.rowspan > 1 else "")
            if not cell.text:
                inner = "&nbsp;"
            else:
                inner = "".join(f'<p align="center"><span style="font-size:12px">{escape(t)}</span></p>'
                                for t in cell.text.split("\n"))
            cells.append(f"<td{attrs}>{inner}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return '<table border="1" cellspacing="0" cellpadding="0"><tbody>\n' + "\n".join(rows) + "\n</tbody></table>"


def html_bytes(blocks: list[Block], charset: str = "gb2312", http_equiv: bool = False) -> bytes:
    encoding = "gb18030" if charset.lower() in ("gb2312", "gbk", "gb18030") else charset
    return html_page(blocks, charset, http_equiv).encode(encoding)


# ---------------------------------------------------------------------------------------------
# .rtf (as Word and WPS save it)
# ---------------------------------------------------------------------------------------------


def _rtf_text(text: str, escapes: str) -> str:
    """Text in RTF: `\\uN?` escapes (Word) or GBK bytes as `\\'hh` (WPS, \\ansicpg936); a line break is \\line."""
    out = []
    for ch in text:
        if ch in "\\{}":
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\line ")
        elif ord(ch) < 128:
            out.append(ch)
        elif escapes == "u":
            code = ord(ch)
            out.append(f"\\u{code if code < 32768 else code - 65536}?")
        else:
            out.append("".join(f"\\'{b:02x}" for b in ch.encode("gbk")))
    return "".join(out)


def rtf_bytes(blocks: list[Block], escapes: str = "u") -> bytes:
    """The report as RTF: a font table and info the reader must skip, paragraphs, and each table row by
    row (\\trowd … \\cellx, a horizontally merged cell one wide cell, a vertically merged one's
    continuations as empty \\clvmrg cells)."""
    head = (f"{{\\rtf1\\ansi\\ansicpg936\\deff0{{\\fonttbl{{\\f0\\fnil\\fcharset134 {_rtf_text('宋体', 'hex')};}}}}"
            "{\\colortbl;\\red0\\green0\\blue0;}{\\*\\generator WPS Office;}"
            f"{{\\info{{\\title {_rtf_text('年度报告', escapes)}}}}}\n")
    body = [head]
    for block in blocks:
        if block.kind == "table":
            positions = grid_positions(block.table)
            width = grid_width(block.table)
            starts = {(r, c): cell for r, c, cell in positions}
            spans: dict[tuple[int, int], C] = {}  # grid positions a vertically merged cell continues into
            for r, c, cell in positions:
                for dr in range(1, cell.rowspan):
                    spans[(r + dr, c)] = cell
            for r in range(len(block.table)):
                defs, texts, c = [], [], 0
                while c < width:
                    cell = starts.get((r, c)) or spans.get((r, c))
                    if cell is None:
                        c += 1
                        continue
                    first = (r, c) in starts
                    merge = "\\clvmgf" if first and cell.rowspan > 1 else "" if first else "\\clvmrg"
                    c += cell.colspan
                    defs.append(f"{merge}\\cellx{c * 600}")
                    texts.append(_rtf_text(cell.text, escapes) if first else "")
                body.append("\\trowd\\trgaph108" + "".join(defs) + "\\pard\\intbl "
                            + "".join(f"{t}\\cell " for t in texts) + "\\row\n")
            body.append("\\pard\\par\n")
        else:
            body.append("\\pard " + _rtf_text(block.text, escapes) + "\\par\n")
    return ("".join(body) + "}").encode("ascii")


# ---------------------------------------------------------------------------------------------
# .pdf (written by hand)
# ---------------------------------------------------------------------------------------------

PAGE_W, PAGE_H = 595, 842
TOP, BOTTOM, LEFT = 780, 70, 60
LEADING = 18
SIZE = 10.5


@dataclass
class Item:
    """One printed row: runs of (x, dy above the baseline, text), and the height it takes."""

    runs: list[tuple[float, float, str]]
    height: float = LEADING
    page_break_before: bool = False


_NO_LINE_START = set("，。、；：！？）》”’,.;:!?)")


def _wrap(text: str, width: int) -> list[str]:
    """Break a line every `width` characters, as a typesetter would: never inside a number or a
    Latin word, and never before closing punctuation."""
    lines: list[str] = []
    current = ""
    for i, ch in enumerate(text):
        nxt = text[i + 1] if i + 1 < len(text) else ""
        current += ch
        inside_word = ch.isascii() and ch.isalnum() and nxt.isascii() and nxt.isalnum()
        if len(current) >= width and nxt and not inside_word and nxt not in _NO_LINE_START:
            lines.append(current)
            current = ""
    return [*lines, current] if current or not lines else lines


def pdf_items(blocks: list[Block], break_before_row: str = "3.4.1") -> list[Item]:
    """Lay the report out as printed rows: wrapped paragraphs, tables row by row (labels left, numbers right)."""
    items: list[Item] = []
    for block in blocks:
        if block.kind == "title":
            items.append(Item([(120, 0, block.text)], LEADING * 2))
        elif block.kind == "heading":
            items.append(Item([(LEFT, 0, block.text)]))
        elif block.kind == "para":
            items += [Item([(LEFT + (21 if i == 0 else 0), 0, line)]) for i, line in enumerate(_wrap(block.text, 38))]
        elif block.name == "active_disclosure":
            for row in block.table:
                items.append(Item([(LEFT + (0 if i == 0 else 200 + 70 * (i - 1)), 0, cell.text)
                                   for i, cell in enumerate(row) if cell.text]))
        elif block.name == "applications":
            items += _pdf_applications(block.table, break_before_row)
        elif block.name == "review_litigation":
            items += _pdf_review(block.table)
    return items


def _pdf_applications(table: Table, break_before_row: str) -> list[Item]:
    x_values = [300 + 37 * i for i in range(7)]
    items = [
        Item([(LEFT, 0, "（本列数据的勾稽关系为：第一项加第二项之和，等")], LEADING),
        Item([(LEFT, 0, "于第三项加第四项之和）"), (x_values[0], 0, "申请人情况")]),
        Item([(x_values[0], 0, "自然人"), (x_values[1], 0, "法人或其他组织"), (x_values[6], 0, "总计")]),
        # Header words wrapped in narrow columns, as in real PDFs ("商业" over "企业").
        Item([(x_values[1], 0, "商业"), (x_values[2], 0, "科研"), (x_values[3], 0, "社会"),
              (x_values[4], 0, "法律"), (x_values[5], 0, "其他")]),
        Item([(x_values[1], 0, "企业"), (x_values[2], 0, "机构"), (x_values[3], 0, "公益"), (x_values[4], 0, "服务")]),
        Item([(x_values[3], 0, "组织"), (x_values[4], 0, "机构")]),
    ]
    printed: set[str] = set()
    for (group, sub, label, key), row in zip(APP_ROWS, table[3:], strict=True):
        numbers = [(x, 0.0, cell.text) for x, cell in zip(x_values, [c for c in row if c.number], strict=True) if cell.text]
        runs: list[tuple[float, float, str]] = []
        height: float = LEADING
        if group and group not in printed:
            printed.add(group)
            items.append(Item([(LEFT, 0, group)]))
        if sub and sub not in printed:
            printed.add(sub)
            items.append(Item([(LEFT + 10, 0, sub)]))
        if key == "3.2":
            # The long label wraps in its cell, vertically around the row's numbers (drawn label first).
            runs = [(LEFT + 10, 7, "（二）部分公开（区分处理的，只计这一"), (LEFT + 10, -7, "情形，不计其他情形）"), *numbers]
            height = LEADING * 1.8
        elif len(label) > 18:
            parts = _wrap(label, 18)
            items.append(Item([(LEFT + 20, 0, parts[0])], LEADING))
            runs = [(LEFT + 20, 0, "".join(parts[1:])), *numbers]
        else:
            runs = [(LEFT + 20, 0, label), *numbers]
        items.append(Item(runs, height, page_break_before=key == break_before_row))
    return items


def _pdf_review(table: Table) -> list[Item]:
    xs = [LEFT + 32 * i for i in range(15)]
    return [
        Item([(xs[0], 0, "行政复议"), (xs[5], 0, "行政诉讼")]),
        Item([(xs[0], 0, "结果"), (xs[1], 0, "结果"), (xs[2], 0, "其他"), (xs[3], 0, "尚未"), (xs[4], 0, "总计"),
              (xs[5], 0, "未经复议直接起诉"), (xs[10], 0, "复议后起诉")]),
        Item([(xs[0], 0, "维持"), (xs[1], 0, "纠正"), (xs[2], 0, "结果"), (xs[3], 0, "审结")]),
        Item([(x, 0, w) for x, w in zip(xs[5:], ["结果", "结果", "其他", "尚未", "总计"] * 2, strict=True)]),
        Item([(x, 0, w) for x, w in zip(xs[5:], ["维持", "纠正", "结果", "审结", ""] * 2, strict=True) if w]),
        Item([(x, 0, cell.text) for x, cell in zip(xs, table[3], strict=True)]),
    ]


def paginate(items: list[Item]) -> list[list[tuple[float, float, str]]]:
    """Absolute text runs per page, each page ending with its page number ("- n -") at the foot."""
    pages: list[list[tuple[float, float, str]]] = [[]]
    y: float = TOP
    for item in items:
        if item.page_break_before or y - item.height < BOTTOM:
            pages.append([])
            y = TOP
        y -= item.height
        pages[-1] += [(x, y + dy, text) for x, dy, text in item.runs]
    for n, page in enumerate(pages, start=1):
        page.append((PAGE_W / 2 - 10, 40, f"- {n} -"))
    return pages


def _text_op(x: float, y: float, text: str, size: float = SIZE) -> str:
    return f"BT /F1 {size} Tf {x:.2f} {y:.2f} Td <{text.encode('utf-16-be').hex().upper()}> Tj ET"


def _to_unicode_cmap(codes: set[int]) -> bytes:
    """A ToUnicode map for the codes used (like a subset font's): each 2-byte code is its Unicode value."""
    entries = [f"<{code:04X}> <{code:04X}>" for code in sorted(codes)]
    chunks = []
    for i in range(0, len(entries), 100):
        part = entries[i:i + 100]
        chunks.append(f"{len(part)} beginbfchar\n" + "\n".join(part) + "\nendbfchar")
    return ("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
            "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
            "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
            "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
            + "\n".join(chunks)
            + "\nendcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n").encode("ascii")


def _codes_used(page_streams: list[str]) -> set[int]:
    codes: set[int] = set()
    for content in page_streams:
        for hex_text in re.findall(r"<([0-9A-F]+)>", content):
            raw = bytes.fromhex(hex_text)
            codes.update(int.from_bytes(raw[i:i + 2], "big") for i in range(0, len(raw), 2))
    return codes


def pdf_bytes(page_streams: list[str], with_font: bool = True) -> bytes:
    """A minimal PDF: one content stream per page; text uses a Type0 font (2-byte codes = Unicode)."""
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    def stream(content: bytes, extra: str = "") -> bytes:
        return f"<< /Length {len(content)}{extra} >>\nstream\n".encode() + content + b"\nendstream"

    catalog = add(b"")  # filled in below
    pages_id = add(b"")
    font_ref = ""
    if with_font:
        cmap = add(stream(_to_unicode_cmap(_codes_used(page_streams))))
        descriptor = add(b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] "
                         b"/ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>")
        cid_font = add(f"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "
                       f"/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> "
                       f"/FontDescriptor {descriptor} 0 R /DW 1000 /W [32 126 500] >>".encode())
        font = add(f"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /Identity-H "
                   f"/DescendantFonts [{cid_font} 0 R] /ToUnicode {cmap} 0 R >>".encode())
        font_ref = f"/Resources << /Font << /F1 {font} 0 R >> >> "
    page_ids = []
    for content in page_streams:
        content_id = add(stream(content.encode("ascii")))
        page_ids.append(add(f"<< /Type /Page /Parent {pages_id} 0 R /MediaBox [0 0 {PAGE_W} {PAGE_H}] "
                            f"{font_ref}/Contents {content_id} 0 R >>".encode()))
    objects[catalog - 1] = f"<< /Type /Catalog /Pages {pages_id} 0 R >>".encode()
    kids = " ".join(f"{i} 0 R" for i in page_ids)
    objects[pages_id - 1] = f"<< /Type /Pages /Kids [{kids}] /Count {len(page_ids)} >>".encode()

    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{i} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for off in offsets:
        out.write(f"{off:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root {catalog} 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def report_pdf_bytes(blocks: list[Block]) -> bytes:
    pages = paginate(pdf_items(blocks))
    return pdf_bytes(["\n".join(_text_op(x, y, text) for x, y, text in page) for page in pages])


def scanned_pdf_bytes() -> bytes:
    """Pages with only drawn shapes (what a scan's image looks like to a text extractor)."""
    return pdf_bytes(["0.5 g 50 50 495 742 re f", "0 g 100 100 200 300 re S"], with_font=False)


def encrypted_pdf_bytes(plain: bytes, user_password: str = "secret") -> bytes:
    import pypdf

    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(plain)))
    writer.encrypt(user_password=user_password, owner_password="owner-secret", algorithm="RC4-128")
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


# ---------------------------------------------------------------------------------------------
# Hostile files
# ---------------------------------------------------------------------------------------------


def write_zip_bomb(path: Path, megabytes: int = 150) -> None:
    """A .docx-named zip holding `megabytes` MB of zeros, streamed (it packs to about 150 KB)."""
    chunk = bytes(1024 * 1024)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        with zf.open("word/document.xml", "w", force_zip64=True) as member:
            for _ in range(megabytes):
                member.write(chunk)


# ---------------------------------------------------------------------------------------------
# All three samples on disk
# ---------------------------------------------------------------------------------------------


def write_samples(directory: Path) -> dict[str, Path]:
    """Write sample 003 as report.docx, report.html (GB2312-declared, GB18030 bytes) and report.pdf."""
    blocks = report_blocks()
    paths = {"docx": directory / "report.docx", "html": directory / "report.html", "pdf": directory / "report.pdf"}
    paths["docx"].write_bytes(docx_bytes(blocks))
    paths["html"].write_bytes(html_bytes(blocks))
    paths["pdf"].write_bytes(report_pdf_bytes(blocks))
    return paths
