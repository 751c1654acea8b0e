"""Web pages (.html/.htm/.shtml): the report's article block as text lines.

Scripts, styles, navigation, headers, footers, hidden elements and comments are dropped. When the
page has an obvious article block (the smallest element holding the section headings 一、总体情况 …
and the statistics tables) only that is read, plus the report's title if it sits just outside.
Block elements end lines; a data table becomes one line per row, cells joined by tabs, with
rowspan/colspan expanded onto the grid (a spanning cell's text printed once, empty cells for the
other positions it covers).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path

from lxml import etree
from lxml import html as lxml_html

from auditlib.ingest.docx import row_line
from auditlib.ingest.errors import UnreadableError
from auditlib.ingest.html_encoding import decode_html
from auditlib.ingest.sniff import sha256_of
from auditlib.model import Document, SourceLine
from auditlib.parse.sections import numbered_section
from auditlib.template import (
    APPLICANT_COLUMNS,
    APPLICANT_HEAD,
    APPLICATIONS,
    CONTENT_HEAD,
    LITIGATION_GROUP,
    REVIEW_LITIGATION,
)

# ---------------------------------------------------------------------------------------------
# Cleaning the tree
# ---------------------------------------------------------------------------------------------

_DROP_TAGS = {"script", "style", "noscript", "template", "nav", "aside", "select", "option", "button", "input",
              "textarea", "svg", "canvas", "object", "embed", "iframe", "head", "map"}
_PAGE_CHROME = {"header", "footer"}  # dropped unless they belong to an <article>
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_BLOCK_TAGS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd", "tr", "td",
               "th", "table", "thead", "tbody", "tfoot", "caption", "section", "article", "main", "blockquote",
               "pre", "center", "form", "fieldset", "figure", "figcaption", "address", "hr", "body", "html"}


def _tag(el: etree._Element) -> str:
    return el.tag.lower() if isinstance(el.tag, str) else ""


def clean(root: etree._Element) -> None:
    """Drop everything a reader does not see as the page's text (keeping the text after each dropped element)."""
    doomed: list[etree._Element] = []
    for el in root.iter():
        tag = _tag(el)
        invisible = el.get("hidden") is not None or bool(_HIDDEN_STYLE.search(el.get("style") or ""))
        chrome = tag in _PAGE_CHROME and not any(_tag(a) == "article" for a in el.iterancestors())
        if not tag or tag in _DROP_TAGS or invisible or chrome:  # no tag: comments, processing instructions
            doomed.append(el)
    for el in doomed:
        _drop_keep_tail(el)


def _drop_keep_tail(el: etree._Element) -> None:
    parent = el.getparent()
    if parent is None:
        return
    if el.tail:
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


# ---------------------------------------------------------------------------------------------
# Finding the article block
# ---------------------------------------------------------------------------------------------

# Words that only the statistics tables print (their header cells and first row/column labels).
_TABLE_MARKERS = (CONTENT_HEAD, APPLICANT_HEAD, APPLICATIONS.row("1").name, REVIEW_LITIGATION.row("review").label,
                  LITIGATION_GROUP, APPLICANT_COLUMNS[0].label)


def _compact(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def short_text(el: etree._Element, limit: int = 120) -> str | None:
    """The element's compact text, or None when it is longer than `limit` (without reading all of it)."""
    parts: list[str] = []
    size = 0
    for piece in el.itertext():
        piece = "".join(piece.split())
        size += len(piece)
        if size > limit:
            return None
        parts.append(piece)
    return _compact("".join(parts))


def section_of(text: str) -> str | None:
    """The section key when `text` (compact) is a numbered section heading like 一、总体情况: the
    parser's own test, so the article block is found by the headings the parser will find."""
    return numbered_section(text)


_YEARISH = re.compile(r"(?:19|20)\d{2}|[〇零○一二三四五六七八九]{4}")
_ENDS_REPORT = re.compile(r"报告(?:[(（][^()（）]{0,12}[)）])?$")


def is_title(text: str) -> bool:
    """A compact text that reads like the report's title: names a year and ends with 报告 (a breadcrumb
    has no year; a sentence mentioning the report ends with punctuation)."""
    return (len(text) <= 80 and ("信息公开" in text or "政务公开" in text) and bool(_ENDS_REPORT.search(text))
            and bool(_YEARISH.search(text)))


def _inner_tables(root: etree._Element) -> Iterator[etree._Element]:
    for table in root.iter("table"):
        if next(table.iterdescendants("table"), None) is None:
            yield table


def _lowest_common_ancestor(elements: Iterable[etree._Element]) -> etree._Element | None:
    common: list[etree._Element] | None = None
    for el in elements:
        chain = [el, *el.iterancestors()][::-1]
        if common is None:
            common = chain
            continue
        n = 0
        while n < len(common) and n < len(chain) and common[n] is chain[n]:
            n += 1
        common = common[:n]
    return common[-1] if common else None


def find_article(body: etree._Element) -> etree._Element | None:
    """The smallest element holding the section headings and the report's tables; None when unclear."""
    headings: list[etree._Element] = []
    keys: set[str] = set()
    for el in body.iter():
        if _tag(el) not in _BLOCK_TAGS and _tag(el) not in ("span", "strong", "b", "font", "a"):
            continue
        text = short_text(el, 60)
        key = section_of(text) if text else None
        if key is not None:
            headings.append(el)  # every occurrence: a table of contents above the text must not win
            keys.add(key)
    if len(keys) < 3:
        return None
    tables = [t for t in _inner_tables(body) if any(m in _compact(t.text_content()) for m in _TABLE_MARKERS)]
    lca = _lowest_common_ancestor([*headings, *tables])
    if lca is None or _tag(lca) in ("body", "html"):
        return None
    return lca


def title_outside(article: etree._Element, root: etree._Element) -> str | None:
    """The report title printed just before the article block (often an <h1> beside the content div)."""
    if any(is_title(t) for t in (short_text(el, 100) for el in article.iter()) if t):
        return None
    child = article
    for ancestor in article.iterancestors():
        # Elements of this ancestor that come before the article, nearest first.
        before: list[etree._Element] = []
        for el in ancestor.iter():
            if el is child:
                break
            before.append(el)
        for el in reversed(before):
            if el in child.iterancestors():
                continue
            text = short_text(el, 100)
            if text and is_title(text):
                return " ".join("".join(el.itertext()).split())
        if ancestor is root:
            break
        child = ancestor
    return None


# ---------------------------------------------------------------------------------------------
# Text lines
# ---------------------------------------------------------------------------------------------

_MAX_COLSPAN = 100
_MAX_ROWSPAN = 1000
_MAX_COLUMNS = 200  # the template's widest table has 15 value columns


def _span(el: etree._Element, name: str, limit: int) -> int:
    try:
        value = int((el.get(name) or "1").strip().rstrip(";"))
    except ValueError:
        return 1
    return max(1, min(limit, value))


def flat_text(el: etree._Element) -> str:
    """All text under `el`, block boundaries (and nested tables' cells) as spaces, whitespace collapsed."""
    parts: list[str] = []

    def walk(node: etree._Element) -> None:
        tag = _tag(node)
        if tag == "br":
            parts.append(" ")
        elif tag:
            block = tag in _BLOCK_TAGS
            if block:
                parts.append(" ")
            if node.text:
                parts.append(node.text)
            for child in node:
                walk(child)
                if child.tail:
                    parts.append(child.tail)
            if block:
                parts.append(" ")

    walk(el)
    return " ".join("".join(parts).split())


def _rows(table: etree._Element) -> list[etree._Element]:
    return list(table.xpath("./tr | ./thead/tr | ./tbody/tr | ./tfoot/tr"))


def table_grid(table: etree._Element) -> list[list[str]]:
    """Rows on the table's grid: rowspan/colspan expanded, a spanning cell's text printed once."""
    grid: list[list[str]] = []
    below: dict[int, int] = {}  # column → rows still covered by a rowspan from above
    for tr in _rows(table):
        covered = {c for c, n in below.items() if n > 0}
        out: list[str] = []
        col = 0
        started: dict[int, int] = {}
        for td in tr.xpath("./td | ./th"):
            while col in covered:
                out.append("")
                col += 1
            if col >= _MAX_COLUMNS:
                break  # a hostile or broken table: no report table is this wide
            colspan = min(_span(td, "colspan", _MAX_COLSPAN), _MAX_COLUMNS - col)
            rowspan = _span(td, "rowspan", _MAX_ROWSPAN)
            out.append(flat_text(td))
            out.extend([""] * (colspan - 1))
            for c in range(col, col + colspan):
                started[c] = rowspan - 1
            col += colspan
        if covered:
            while col <= min(max(covered), _MAX_COLUMNS - 1):
                out.append("")
                col += 1
        for c in covered:
            below[c] -= 1
        below.update(started)
        grid.append(out)
    return grid


def is_layout_table(table: etree._Element) -> bool:
    """A table used to lay out the page (its cells hold the text), not a statistics table."""
    rows = _rows(table)
    if all(len(tr.xpath("./td | ./th")) <= 1 for tr in rows):
        return True
    if next(table.iterdescendants("table"), None) is None:
        return False
    if short_text(table, 1000) is None:
        return True
    return any(section_of(t) for t in (short_text(el, 60) for el in table.iter()) if t)


class _Lines:
    def __init__(self) -> None:
        self.lines: list[SourceLine] = []
        self.buffer: list[str] = []
        self.paragraphs = 0
        self.tables = 0

    def add_paragraph(self, text: str) -> None:
        text = " ".join(text.split())
        if text:
            self.paragraphs += 1
            self.lines.append(SourceLine(len(self.lines) + 1, text, f"第{self.paragraphs}段"))

    def flush(self) -> None:
        if self.buffer:
            self.add_paragraph("".join(self.buffer))
            self.buffer.clear()

    def table(self, table: etree._Element) -> None:
        self.flush()
        self.tables += 1
        for r, cells in enumerate(table_grid(table), start=1):
            text = row_line(cells)
            self.lines.append(SourceLine(len(self.lines) + 1, text, f"表{self.tables}第{r}行"))

    def walk(self, el: etree._Element) -> None:
        tag = _tag(el)
        if tag == "br":
            self.flush()
            return
        if not tag:
            return
        if tag == "table" and not is_layout_table(el):
            self.table(el)
            return
        block = tag in _BLOCK_TAGS
        if block:
            self.flush()
        if el.text:
            self.buffer.append(el.text)
        for child in el:
            self.walk(child)
            if child.tail:
                self.buffer.append(child.tail)
        if block:
            self.flush()


# ---------------------------------------------------------------------------------------------
# The reader
# ---------------------------------------------------------------------------------------------

_XML_DECL_TEXT = re.compile(r"^\s*<\?xml[^>]*\?>")


def parse_tree(text: str) -> etree._Element:
    text = _XML_DECL_TEXT.sub("", text.lstrip("\ufeff"), count=1)
    if not text.strip():
        raise UnreadableError("网页内容为空")
    try:
        return lxml_html.document_fromstring(text)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as exc:
        raise UnreadableError(f"网页无法解析（{exc}）") from exc


_SITE_SEPARATOR = re.compile(r"\s*(?:_|\||｜|-{1,2}|—{1,2}|–)\s*")


def _without_site_name(title: str) -> str:
    """`报告标题_某某政府网` → `报告标题` (the part that reads like a report title)."""
    parts = _SITE_SEPARATOR.split(title.strip())
    for part in parts:
        if is_title(_compact(part)):
            return " ".join(part.split())
    return " ".join(title.split())


def html_lines(root: etree._Element) -> tuple[list[SourceLine], list[str]]:
    notes: list[str] = []
    page_title = root.findtext(".//title") or ""
    clean(root)
    body = root.find("body")
    if body is None:
        body = root
    article = find_article(body)
    out = _Lines()
    if article is not None:
        title = title_outside(article, body)
        if title:
            out.add_paragraph(title)
        start = article
    else:
        start = body
        if not any(is_title(t) for t in (short_text(el, 100) for el in body.iter()) if t):
            title = _without_site_name(page_title)
            if is_title(_compact(title)):
                out.add_paragraph(title)
                notes.append("正文中没有报告标题，已使用网页标题（<title>）")
    out.walk(start)
    out.flush()
    return out.lines, notes


def read_html(path: Path, data: bytes, charset: str | None = None) -> Document:
    """A web page; `charset`: the encoding its container declares (see decode_html)."""
    text, encoding, notes = decode_html(data, charset)
    root = parse_tree(text)
    try:
        lines, more = html_lines(root)
    except RecursionError as exc:
        raise UnreadableError("网页结构嵌套过深，无法读取") from exc
    if not lines:
        raise UnreadableError("网页中没有正文文字（内容可能由脚本加载，或是图片）")
    return Document(path=str(path), format="html", encoding=encoding, sha256=sha256_of(data), lines=tuple(lines),
                    notes=tuple(notes + more))
