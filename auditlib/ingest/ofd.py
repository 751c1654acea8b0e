"""OFD (GB/T 33190, the national fixed-layout format that OA systems export): each page's text objects,
laid out by position into lines, one SourceLine per line ("第{page}页第{line}行", as a PDF's).

An OFD is a zip: OFD.xml names each document's root (DocRoot, e.g. Doc_0/Document.xml), whose Pages list
the pages' content (Pages/Page_0/Content.xml). A page holds layers of TextObject elements (also nested in
PageBlock): a Boundary (x y w h, millimetres, y downwards), an optional CTM, a Size, and TextCode children
with the text, its start X, its baseline Y (relative to the boundary) and optional DeltaX advances.

Text is read in the order it is drawn, as pypdf reads a PDF's content stream (exporters draw a table cell
by cell, row by row); a new line starts where the baseline moves or the text goes back to the left. On a
line, a gap wider than about a character and a half is a cell boundary and becomes a tab, so a table row
reads like a .docx row (an empty cell prints nothing, as in a PDF). Template pages (headers, footers), annotations and signatures
are not read. Zip bombs are refused before anything is parsed (docx.check_zip).
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from auditlib.ingest.docx import check_zip, parse_xml, row_line
from auditlib.ingest.errors import UnreadableError
from auditlib.ingest.sniff import sha256_of
from auditlib.model import Document, SourceLine

__all__ = ["ofd_grid_lines", "read_ofd"]

_KIND = "OFD 文件"
_SCANNED = "OFD 没有文字层（扫描件），需要先做 OCR 识别"
_MAX_PAGES = 500
_CELL_GAP = 1.5  # a gap wider than this many font sizes separates two cells
_WORD_GAP = 0.3  # a narrower one than this joins the texts; in between, a space
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


@dataclass
class _Run:
    """One text code placed on its page: start and end x, baseline y, font size (all millimetres)."""

    x: float
    end: float
    y: float
    size: float
    text: str


def _local(el: Any) -> str:
    tag = el.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _children(el: Any, name: str) -> list[Any]:
    return [c for c in el if _local(c) == name]


def _first(el: Any, name: str) -> Any | None:
    return next((c for c in el.iter() if _local(c) == name), None)


def _numbers(text: str | None) -> list[float]:
    return [float(n) for n in _NUMBER.findall(text or "")]


def _advances(delta: str | None, count: int) -> list[float] | None:
    """DeltaX: one advance per gap between characters; `g n d` repeats d n times (GB/T 33190 §11.3)."""
    if not delta:
        return None
    words, out, i = delta.split(), [], 0
    try:
        while i < len(words):
            if words[i] == "g":
                out += [float(words[i + 2])] * int(words[i + 1])
                i += 3
            else:
                out.append(float(words[i]))
                i += 1
    except (IndexError, ValueError):
        return None
    return out[:max(count - 1, 0)]


def _glyph(ch: str, size: float) -> float:
    """A character's own width, estimated: CJK and full-width forms a square, the rest (digits, Latin) a
    little over half of one, as CJK fonts draw them (0.5–0.6 em)."""
    return size if ord(ch) > 0x2E7F else size * 0.6


def _pieces(text: str, size: float, advances: list[float] | None) -> list[tuple[float, float, str]]:
    """(start, end, text) of a text code's pieces, in its own units. A code is cut where an advance leaves
    a gap after its character, as between two codes: an exporter may write a whole table row as one code,
    its cells set apart by their advances."""
    if advances is None or len(advances) != len(text) - 1:
        return [(0.0, sum(_glyph(ch, size) for ch in text), text)]
    out = []
    start = pos = 0.0
    begin = 0
    for i, ch in enumerate(text):
        end = pos + _glyph(ch, size)
        if i == len(text) - 1 or advances[i] - _glyph(ch, size) > _WORD_GAP * size:
            out.append((start, end, text[begin:i + 1]))
            begin = i + 1
            start = pos + advances[i] if i < len(advances) else end
        if i < len(advances):
            pos += advances[i]
    return [(a, b, t.strip()) for a, b, t in out if t.strip()]


def _text_runs(obj: Any) -> list[_Run]:
    """The runs of one TextObject, in page coordinates."""
    box = _numbers(obj.get("Boundary"))
    if len(box) < 2:
        return []
    ctm = _numbers(obj.get("CTM"))
    a, b, c, d, e, f = ctm if len(ctm) == 6 else (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    own = (_numbers(obj.get("Size")) or [3.5])[0]  # in the object's own units, before its CTM
    size = own * (abs(d) or 1.0)
    runs: list[_Run] = []
    x = y = 0.0
    for code in _children(obj, "TextCode"):
        text = "".join(code.itertext())
        x = float(code.get("X", x))
        y = float(code.get("Y", y))
        end = x
        for start, stop, piece in _pieces(text, own, _advances(code.get("DeltaX"), len(text))):
            px, py = a * (x + start) + c * y + e + box[0], b * (x + start) + d * y + f + box[1]
            runs.append(_Run(px, px + (stop - start) * (abs(a) or 1.0), py, size, piece))
            end = x + stop
        x = end  # a code without X goes on where the last ended
    return runs


def _lines_of(runs: list[_Run]) -> list[str]:
    """Runs in the order they are drawn (an exporter draws a table cell by cell, row by row, as a PDF's
    content stream does), a new line wherever the baseline moves by more than a third of the font size
    or the text goes back to the left; on one line, a gap becomes a tab, a space or nothing."""
    lines: list[str] = []
    parts: list[str] = []
    last: _Run | None = None
    for run in runs:
        if last is not None:
            size = max(run.size, last.size)
            gap = run.x - last.end
            if abs(run.y - last.y) > 0.34 * size or gap < -size:
                lines.append("".join(parts))
                parts = []
            else:
                parts.append("\t" if gap > _CELL_GAP * size else " " if gap > _WORD_GAP * size else "")
        parts.append(run.text)
        last = run
    if parts:
        lines.append("".join(parts))
    return lines


def _xml(zf: Any, name: str) -> Any:
    try:
        data = zf.read(name)
    except KeyError as exc:
        raise UnreadableError(f"不是有效的 {_KIND}：压缩包中缺少 {name}") from exc
    return parse_xml(data, _KIND, name)


def _resolve(base: str, loc: str) -> str:
    """A location in the package: absolute (`/Doc_0/…`) or relative to the folder of `base`."""
    loc = loc.strip().replace("\\", "/")
    joined = loc.lstrip("/") if loc.startswith("/") else posixpath.join(posixpath.dirname(base), loc)
    return posixpath.normpath(joined)


def _page_contents(zf: Any) -> list[str]:
    """The members holding each page's content, in page order, over every document of the package."""
    names = set(zf.namelist())
    root_name = next((n for n in names if n.lower() == "ofd.xml"), None)
    if root_name is None:
        raise UnreadableError(f"不是有效的 {_KIND}：压缩包中没有 OFD.xml（可能是其他格式的压缩包）")
    pages: list[str] = []
    for doc_root in (el for el in _xml(zf, root_name).iter() if _local(el) == "DocRoot"):
        doc_name = _resolve(root_name, doc_root.text or "")
        document = _xml(zf, doc_name)
        pages_el = _first(document, "Pages")
        for page in _children(pages_el, "Page") if pages_el is not None else []:
            if page.get("BaseLoc"):
                pages.append(_resolve(doc_name, page.get("BaseLoc")))
    if not pages:
        raise UnreadableError(f"{_KIND}中没有页面")
    if len(pages) > _MAX_PAGES:
        raise UnreadableError(f"{_KIND}有 {len(pages)} 页，远超一份年度报告，已拒绝读取")
    return pages


_PATH_ARGS = {"M": 2, "S": 2, "L": 2, "Q": 4, "B": 6, "A": 7, "C": 0}  # AbbreviatedData operators and their operands


def _segments(obj: Any) -> list[tuple[float, float, float, float]]:
    """The straight horizontal and vertical strokes of one PathObject (x0, y0, x1, y1), in page coordinates."""
    box = _numbers(obj.get("Boundary"))
    data = _first(obj, "AbbreviatedData")
    if len(box) < 2 or data is None or not data.text:
        return []
    ctm = _numbers(obj.get("CTM"))
    a, b, c, d, e, f = ctm if len(ctm) == 6 else (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)

    def place(x: float, y: float) -> tuple[float, float]:
        return a * x + c * y + e + box[0], b * x + d * y + f + box[1]

    out = []
    words = data.text.split()
    start = here = None
    i = 0
    while i < len(words):
        op = words[i]
        n = _PATH_ARGS.get(op)
        if n is None or i + n >= len(words) + (n == 0):
            break
        try:
            args = [float(w) for w in words[i + 1:i + 1 + n]]
        except ValueError:
            break
        i += 1 + n
        if op in ("M", "S"):
            start = here = place(*args)
        elif op == "L" and here is not None:
            to = place(*args)
            out.append((*here, *to))
            here = to
        elif op == "C" and here is not None and start is not None:
            out.append((*here, *start))
            here = start
        elif n:
            here = place(*args[-2:])
    return [(min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)) for x0, y0, x1, y1 in out
            if (abs(y1 - y0) < 0.1 or abs(x1 - x0) < 0.1) and abs(x1 - x0) + abs(y1 - y0) > 1]


def _tables(segments: list[tuple[float, float, float, float]]) -> list[list[tuple[float, float, float, float]]]:
    """Tables (their cells' boxes) found on the page's ruling lines, by pdfplumber's table finder."""
    if not segments:
        return []
    from pdfplumber import table as finder

    edges = [{"x0": x0, "x1": x1, "top": y0, "bottom": y1, "width": x1 - x0, "height": y1 - y0,
              "orientation": "h" if y1 - y0 < 0.1 else "v", "object_type": "line"} for x0, y0, x1, y1 in segments]
    edges = finder.merge_edges(edges, 1, 1, 1, 1)  # millimetres: about pdfplumber's 3 pt
    return [t for t in finder.cells_to_tables(finder.intersections_to_cells(finder.edges_to_intersections(edges, 1, 1)))
            if len(t) > 1]


def _inside(run: _Run, box: tuple[float, float, float, float]) -> bool:
    mid_x, mid_y = (run.x + run.end) / 2, run.y - run.size / 3
    return box[0] <= mid_x <= box[2] and box[1] <= mid_y <= box[3]


def _grid_page(runs: list[_Run], segments: list[tuple[float, float, float, float]]) -> list[tuple[str, int]] | None:
    """The page with its ruled tables as tab-separated rows (each cell's text as drawn), the text around
    them as lines; (text, table number or 0). None when the page has no ruled table."""
    from pdfplumber.table import Table

    tables = sorted(_tables(segments), key=lambda cells: min(c[1] for c in cells))
    if not tables:
        return None
    out: list[tuple[str, int]] = []
    left = list(runs)
    for n, cells in enumerate(tables, 1):
        top = min(c[1] for c in cells)
        inside = [_in_any(r, cells) for r in left]
        above = [r.y - r.size / 3 < top and not i for r, i in zip(left, inside, strict=True)]
        out += [(line, 0) for line in _lines_of([r for r, a in zip(left, above, strict=True) if a])]
        in_table = [r for r, i in zip(left, inside, strict=True) if i]
        for row in Table(None, cells).rows:  # type: ignore[arg-type]
            texts = ["" if box is None else "".join(r.text for r in in_table if _inside(r, box)) for box in row.cells]
            out.append((row_line(texts), n))
        left = [r for r, i, a in zip(left, inside, above, strict=True) if not (i or a)]
    out += [(line, 0) for line in _lines_of(left)]
    return out


def _in_any(run: _Run, cells: list[tuple[float, float, float, float]]) -> bool:
    return any(_inside(run, box) for box in cells)


def _pages(data: bytes) -> list[tuple[list[_Run], list[tuple[float, float, float, float]], int]]:
    """Each page's text runs (as drawn), ruling strokes and number of images."""
    zf = check_zip(data, kind=_KIND)
    pages = []
    for member in _page_contents(zf):
        content = _xml(zf, member)
        runs, segments, images = [], [], 0
        for el in content.iter():
            name = _local(el)
            if name == "TextObject":
                runs += _text_runs(el)
            elif name == "PathObject":
                segments += _segments(el)
            elif name == "ImageObject":
                images += 1
        pages.append((runs, segments, images))
    return pages


def read_ofd(path: Path, data: bytes) -> Document:
    out: list[SourceLine] = []
    pages = _pages(data)
    for number, (runs, _, _) in enumerate(pages, 1):
        for i, text in enumerate(_lines_of(runs), 1):
            out.append(SourceLine(len(out) + 1, text, f"第{number}页第{i}行"))
    if not any(line.text.strip() for line in out):
        raise UnreadableError(_SCANNED if any(images for _, _, images in pages) else f"{_KIND}中没有文字")
    return Document(path=str(path), format="ofd", encoding=None, sha256=sha256_of(data), lines=tuple(out))


def ofd_grid_lines(data: bytes) -> list[SourceLine] | None:
    """The OFD's lines with its ruled tables as tab-separated rows (located 第{page}页表{n}第{r}行), as
    pdf_grid reads a PDF; None when no page has a ruled table or the file cannot be read again."""
    try:
        pages = _pages(data)
    except UnreadableError:
        return None
    out: list[SourceLine] = []
    found = False
    for number, (runs, segments, _) in enumerate(pages, 1):
        grid = _grid_page(runs, segments)
        found = found or grid is not None
        rows = grid if grid is not None else [(line, 0) for line in _lines_of(runs)]
        n_line = 0
        r_of: dict[int, int] = {}
        for text, table in rows:
            if table:
                r_of[table] = r_of.get(table, 0) + 1
                where = f"第{number}页表{table}第{r_of[table]}行"
            else:
                n_line += 1
                where = f"第{number}页第{n_line}行"
            out.append(SourceLine(len(out) + 1, text, where))
    return out if found else None
