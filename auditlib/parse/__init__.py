"""Text lines → Report. The only package that knows layouts; it anchors on the template's labels.

How a table is read, whatever the layout (tabs, pipes, one cell per line, PDF text):
1. each line becomes tokens: label text, numbers, blank marks (/ — 无), empty cells (tokens.py);
2. lines are folded into logical rows: a label (possibly wrapped over several lines) and the
   numbers that follow it (on the same line, or on the lines after it) (rows.py);
3. a logical row is matched to a template row by its distinctive words (never by position);
   rows whose words were garbled are placed by the template's order between matched neighbours;
4. a row's numbers are laid into the template's columns; where stray empty cells allow more than
   one reading, the table's own sums choose (columns.py, tables.py). Nothing the report printed is changed.
Sections and paragraphs: sections.py; title, agency, template version: meta.py.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from auditlib import ingest
from auditlib.agency import split_agency
from auditlib.ingest.errors import UnreadableError
from auditlib.ingest.text import split_lines
from auditlib.model import Cell, CellStatus, Document, Report, Section, new_cell
from auditlib.parse.crawl import reflow
from auditlib.parse.meta import agency_as_printed, detect_template, find_title
from auditlib.parse.pasted import reject_pasted
from auditlib.parse.sections import chain_headings, join_paragraphs, region, scan_lines
from auditlib.parse.tables import read_table
from auditlib.template import (
    APPLICATIONS,
    REVIEW_LITIGATION,
    ROW_OTHER_SINGLE,
    SECTIONS,
    TABLE_KEYS,
    TableSpec,
    is_single_other_row,
    row_label,
    table_rows,
    table_spec,
)
from auditlib.text import compact, compact_lines, normalize, years_in

__all__ = ["parse_document", "parse_file", "parse_text"]


def parse_file(path: str | Path) -> Report:
    """Read and parse one report file (any supported format). Raises UnreadableError."""
    doc = ingest.read_document(path)
    report = parse_document(doc)
    if doc.format in ingest.GRID_READERS and _unknown(report):
        report = _read_on_grid(Path(path), doc, report)
    return report


_UNKNOWN = (CellStatus.UNPLACED, CellStatus.MISSING, CellStatus.AMBIGUOUS)


def _unknown(report: Report) -> set[str]:
    return {p for p, c in report.cells.items() if c.status in _UNKNOWN}


def _read_on_grid(path: Path, doc: Document, report: Report) -> Report:
    """A PDF or OFD whose text left cells unknown, read again on its tables' ruling lines (ingest/pdf_grid.py,
    ingest/ofd.py). The second reading is taken only when it knows more cells and reads every cell both
    know alike."""
    lines = ingest.GRID_READERS[doc.format](ingest.read_regular(path, ingest.MAX_BYTES))
    if lines is None:
        return report
    try:
        grid = parse_document(replace(doc, lines=tuple(lines)))
    except UnreadableError:
        return report
    unknown, still = _unknown(report), _unknown(grid)
    both = set(report.cells) - unknown - still
    if (len(still) >= len(unknown) or set(grid.cells) != set(report.cells)
            or any(grid.cells[p].value != report.cells[p].value for p in both)):
        return report
    note = (f"{doc.format.upper()} 文字层中有 {len(unknown) - len(still)} 格无法定位（空白单元格在文字中不留痕迹），"
            "已按表格线重新读取各表；两种读法都读出的格数值一致")
    return replace(grid, notes=(*grid.notes, note))

def parse_text(text: str, path: str = "<text>") -> Report:
    """Parse report text already in memory (tests, notebooks)."""
    doc = Document(path, "text", "utf-8", hashlib.sha256(text.encode()).hexdigest(), split_lines(text))
    return parse_document(doc)




# The applications table read with both layouts of （六）其他处理; the template version is decided after.
_APPLICATIONS_PROBE = TableSpec(APPLICATIONS.key, APPLICATIONS.title, APPLICATIONS.rows + (ROW_OTHER_SINGLE,),
                                APPLICATIONS.columns, APPLICATIONS.subtotal_labels)


# The probe's cells of （六）其他处理 read as one row: dropped when the report prints it in three.
_SINGLE_OTHER_PATHS = tuple(f"{APPLICATIONS.key}.{ROW_OTHER_SINGLE.key}.{c.key}" for c in APPLICATIONS.columns)


@lru_cache(maxsize=8)
def _template_paths(template: str, other_single: bool) -> tuple[str, ...]:
    """Every cell path of the template's tables, in their order: worked out once, not per report."""
    return tuple(f"{key}.{row.key}.{col.key}" for key in TABLE_KEYS for row in table_rows(template, key, other_single)
                 for col in table_spec(template, key).columns_of(row))


def parse_document(doc: Document) -> Report:
    """Turn a document's text lines into the template's sections and cells."""
    lines = reflow(doc.lines)
    # Each short line compacted once, for the heading and title scans (a long text would cycle the cache between them).
    compacted, candidates = scan_lines(lines)
    reject_pasted(doc.path, lines, candidates, compacted)
    texts = [line.text for line in lines]
    # Each line normalised once (a file of pasted reports is refused before), for the sections' text and the markers.
    normalized = list(map(normalize, texts))
    headings = chain_headings(candidates)
    ordered = sorted(headings.items(), key=lambda kv: kv[1])
    sections: dict[str, Section] = {}
    for pos, (key, idx) in enumerate(ordered):
        end = ordered[pos + 1][1] if pos + 1 < len(ordered) else len(lines)
        text = join_paragraphs(lines[idx + 1:end]) if key in ("1", "5", "6") else "\n".join(
            normalized[i].strip() for i in range(idx + 1, end) if texts[i].strip())
        sections[key] = Section(key, True, compact(lines[idx].text), text, lines[idx].number)
    for spec in SECTIONS:
        sections.setdefault(spec.key, Section(spec.key, False))

    first_heading = min(headings.values()) if headings else min(len(lines), 40)
    preamble_lines = lines[:first_heading]
    title_idx, title = find_title(preamble_lines)
    printed = agency_as_printed(preamble_lines, title_idx, title)
    agency_region, agency = split_agency(printed) if printed is not None else ("", None)
    title_years = years_in(title) if title else []
    title_year = title_years[0] if title_years else None
    preamble = join_paragraphs(preamble_lines)
    body_years = years_in(preamble + "\n" + sections["1"].text)
    year = title_year
    if year is None and body_years:
        year = Counter(body_years).most_common(1)[0][0]

    full_text = "\n".join(texts)
    notes: list[str] = list(doc.notes)
    # Tables: read with the 2021 layout first; the 2019 layout when the report is in that format.
    cells: dict[str, Cell] = {}
    app_cells, found_rows = read_table(region(lines, headings, "3"), _APPLICATIONS_PROBE, notes)
    template = detect_template(full_text, found_rows, compact_lines(texts, normalized))
    other_single = "3.6" in found_rows and not ({"3.6.1", "3.6.2", "3.6.3"} & found_rows)
    if not other_single:
        for path in _SINGLE_OTHER_PATHS:
            app_cells.pop(path, None)
    elif template != "2019":
        notes.append(f"{ROW_OTHER_SINGLE.label}按2019年试行格式印为一行，未分列1–3项")
    cells.update(app_cells)
    ad_spec = table_spec(template, "active_disclosure")
    ad_cells, _ = read_table(region(lines, headings, "2"), ad_spec, notes)
    cells.update(ad_cells)
    rl_cells, _ = read_table(region(lines, headings, "4"), REVIEW_LITIGATION, notes)
    cells.update(rl_cells)

    # Every template cell has an entry; what was not found is MISSING (never 0).
    for path in _template_paths(template, other_single):
        if path not in cells:
            cells[path] = new_cell(path, None, CellStatus.MISSING)
    if template == "2019":
        cells = {p: c for p, c in cells.items() if not p.startswith("applications.3.6.") or is_single_other_row(p)}

    if len(headings) < 2 and all(c.status is CellStatus.MISSING for c in cells.values()):
        raise UnreadableError("未找到年度报告的章节标题或统计表，内容不像政府信息公开工作年度报告")
    unplaced = sorted({c.path.rsplit(".", 1)[0] for c in cells.values() if c.status is CellStatus.UNPLACED})
    for row_path in unplaced:
        notes.append(f"「{row_label(row_path)}」行印出的数字个数与模板列数不符，无法确定各数所属列，按未知处理")

    return Report(
        path=doc.path, format=doc.format, encoding=doc.encoding, sha256=doc.sha256,
        agency=agency, year=year, template=template, title=title, sections=sections, cells=cells,
        preamble=preamble, lines=lines, notes=tuple(notes),
        other_single_row=other_single, title_year=title_year,
        title_line=preamble_lines[title_idx].number if title_idx is not None else None,
        extra={"region": agency_region} if agency_region else {},
    )
