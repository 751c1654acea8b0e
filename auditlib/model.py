"""The report model: format-agnostic, frozen, with provenance for every cell."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from typing import Any

from auditlib.frozen import assemble
from auditlib.template import SECTIONS, TABLE_KEYS, table_rows, table_spec


@dataclass(frozen=True)
class SourceLine:
    """One line of a document as the reader produced it; `where` locates it in the original file."""

    number: int  # 1-based line number in the document's text
    text: str
    where: str = ""  # e.g. "第2页第14行" (PDF) or "表3第5行" (Word, HTML); empty for plain text


@dataclass(frozen=True)
class Document:
    """What a format reader hands the parser: text lines, and how the file was read."""

    path: str
    format: str  # text | docx | pdf | html
    encoding: str | None
    sha256: str
    lines: tuple[SourceLine, ...]
    notes: tuple[str, ...] = ()  # what the reader had to guess (e.g. the encoding)


class CellStatus(StrEnum):
    OK = "ok"
    BLANK = "blank"  # printed blank, or as / — - 无
    MISSING = "missing"  # not found in the report
    UNPLACED = "unplaced"  # the row printed fewer numbers than columns: which is which cannot be told
    INVALID = "invalid"  # printed, but not a number
    AMBIGUOUS = "ambiguous"  # digits printed glued together that several splits fit, all agreeing with the sums


@dataclass(frozen=True)
class Cell:
    path: str  # table.row.column
    value: int | float | None
    status: CellStatus
    raw: str | None = None  # the cell's text as printed
    lines: tuple[int, ...] = ()  # source line numbers the row was read from
    source: str = ""  # the original text of those lines
    where: str = ""  # the reader's locator for the first line (page, table/row)
    readings: tuple[str, ...] = ()  # AMBIGUOUS: the row's candidate splits (`6、9、3665`), none taken

    @property
    def known(self) -> bool:
        return self.value is not None and self.status is CellStatus.OK

    @property
    def table(self) -> str:
        return self.path.split(".", 1)[0]


def new_cell(path: str, value: int | float | None, status: CellStatus, raw: str | None = None,
             lines: tuple[int, ...] = (), source: str = "", where: str = "", readings: tuple[str, ...] = ()) -> Cell:
    """`Cell(...)` for the parser, which makes some 180 a report (frozen.assemble)."""
    return assemble(Cell, path=path, value=value, status=status, raw=raw, lines=lines, source=source, where=where,
                    readings=readings)


@dataclass(frozen=True)
class Section:
    key: str
    present: bool
    title: str = ""
    text: str = ""
    line: int | None = None  # the heading's line number


@dataclass(frozen=True)
class Report:
    path: str
    format: str
    encoding: str | None
    sha256: str
    agency: str | None
    year: int | None
    template: str  # "2021" | "2019" | "unknown"
    title: str
    sections: dict[str, Section]
    cells: dict[str, Cell]
    preamble: str = ""  # text before section 一 (title block, opening paragraph)
    lines: tuple[SourceLine, ...] = ()
    notes: tuple[str, ...] = ()  # what parsing noticed (shown to the inspector)
    other_single_row: bool = False  # （六）其他处理 printed as one row (2019 layout)
    title_year: int | None = None
    title_line: int | None = None  # where the title was printed
    extra: dict[str, Any] = field(default_factory=dict)

    @cached_property
    def _known(self) -> dict[str, int | float]:
        ok = CellStatus.OK
        return {p: c.value for p, c in self.cells.items() if c.status is ok and c.value is not None}

    def _printed(self, path: str) -> int | float | None:
        """The number as printed (a negative or fractional count too); None when there is none."""
        cell = self.cells.get(path)
        return cell.value if cell is not None else None

    def value(self, path: str) -> int | float | None:
        """The cell's number, or None when it is unknown (missing, blank, invalid)."""
        return self._known.get(path)

    def values(self, paths: Iterable[str]) -> list[int | float | None]:
        """`value` of each path, in order (one lookup each, for a rule that reads many cells)."""
        return list(map(self._known.get, paths))

    def unknown(self, paths: Iterable[str]) -> list[str]:
        """The paths, in order, whose number is unknown (`value` is None): what leaves a sum unassessed."""
        known = self._known
        return [p for p in paths if p not in known]

    def cell(self, path: str) -> Cell:
        return self.cells.get(path) or Cell(path, None, CellStatus.MISSING)

    def section_text(self, key: str) -> str:
        section = self.sections.get(key)
        return section.text if section and section.present else ""

    def line_text(self, number: int) -> str:
        if 1 <= number <= len(self.lines) and self.lines[number - 1].number == number:
            return self.lines[number - 1].text
        for line in self.lines:
            if line.number == number:
                return line.text
        return ""

    def to_dict(self, provenance: bool = True) -> dict[str, Any]:
        """The contract's JSON object (spec/report-json.md), plus provenance and parse notes."""
        tables: dict[str, Any] = {}
        for key in TABLE_KEYS:
            spec = table_spec(self.template, key)
            tables[key] = {row.key: {c.key: self._printed(f"{key}.{row.key}.{c.key}") for c in spec.columns_of(row)}
                           for row in table_rows(self.template, key, self.other_single_row)}
        out: dict[str, Any] = {
            "source": {"path": self.path, "format": self.format, "encoding": self.encoding, "sha256": self.sha256},
            "agency": self.agency,
            "region": self.extra.get("region"),  # the place the title prints before the agency's name (郏县), or None
            "year": self.year,
            "template": self.template,
            "title": self.title,
            "sections": {
                s.key: {"present": self.sections[s.key].present, "title": self.sections[s.key].title,
                        "text": self.sections[s.key].text}
                for s in SECTIONS
            },
            "tables": tables,
            "notes": list(self.notes),
        }
        if provenance:
            out["provenance"] = {
                path: {"status": str(c.status), "raw": c.raw, "lines": list(c.lines), "where": c.where,
                       "text": c.source}
                for path, c in self.cells.items()
            }
        return out
