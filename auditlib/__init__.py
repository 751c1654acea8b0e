"""auditlib: parse, check and score 政府信息公开工作年度报告."""

from auditlib.model import Cell, CellStatus, Document, Report, Section, SourceLine
from auditlib.parse import parse_document, parse_file, parse_text

__all__ = [
    "Cell",
    "CellStatus",
    "Document",
    "Report",
    "Section",
    "SourceLine",
    "parse_document",
    "parse_file",
    "parse_text",
]
