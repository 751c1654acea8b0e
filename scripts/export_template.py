"""Make tests/exported/: the national template filled in as an agency would (tests/test_template_docx.fill),
six cells left empty, saved by LibreOffice as PDF, as Word 97–2003 (.doc), as RTF and as OpenDocument
(.odt), as Word and WPS users publish their reports.

Needs LibreOffice (`soffice`, Debian's libreoffice-writer-nogui) and fonts-noto-cjk; the tests read the
committed files and need neither. Usage: python scripts/export_template.py
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from builders import flatten, make_tables  # noqa: E402
from test_template_docx import fill  # noqa: E402

OUT = ROOT / "tests" / "exported"
SEEDS = (1, 6)  # 1: an empty cell in table 四; 6: one in 3.3.6 whose total 14 could be misread as 1 and 4


FORMATS = ("pdf", "doc", "rtf", "odt")


def main(formats: tuple[str, ...] = FORMATS) -> None:
    OUT.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for seed in SEEDS:
            rng = random.Random(100 + seed)
            tables = make_tables(rng)
            for path in rng.sample(sorted(flatten(tables)), 6):
                table, *row, column = path.split(".")
                tables[table][".".join(row)][column] = None
            name = f"template-blank-cells-{seed}"
            fill(tables, Path(tmp) / f"{name}.docx")
            for kind in formats:
                subprocess.run(["soffice", "--headless", "--convert-to", kind, "--outdir", str(OUT),
                                str(Path(tmp) / f"{name}.docx")], check=True, capture_output=True)
            (OUT / f"{name}.truth.json").write_text(json.dumps(flatten(tables), ensure_ascii=False, indent=1) + "\n",
                                                    encoding="utf-8")
            print(*(OUT / f"{name}.{kind}" for kind in formats))


def tracked(out: Path = OUT) -> Path:
    """The filled template with tracked changes left unaccepted, saved by LibreOffice as .doc: in three
    cells the old figure is a tracked deletion before the new one (a revision inserted in one of them), and
    a deleted sentence in section 一 claims a figure. Reading must show the document as accepted."""
    import docx
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    rng = random.Random(107)
    tables = make_tables(rng)
    with tempfile.TemporaryDirectory() as tmp:
        path = fill(tables, Path(tmp) / "template-tracked-changes.docx")
        document = docx.Document(str(path))

        def revision(tag: str, text: str) -> object:
            mark = OxmlElement(f"w:{tag}")
            mark.set(qn("w:id"), str(rng.randrange(1, 10**6)))
            mark.set(qn("w:author"), "审核人")
            mark.set(qn("w:date"), "2025-01-20T09:00:00Z")
            run, t = OxmlElement("w:r"), OxmlElement("w:delText" if tag == "del" else "w:t")
            t.text = text
            run.append(t)
            mark.append(run)
            return mark

        applications = document.tables[1]
        for row, inserted in ((4, False), (5, True), (9, False)):  # 一、本年新收 / 二、上年结转 / （二）部分公开
            paragraph = applications.rows[row].cells[9].paragraphs[0]  # the 总计 column
            new = paragraph.text
            for run in list(paragraph.runs):
                run._r.getparent().remove(run._r)
            paragraph._p.append(revision("del", "9999"))
            if inserted:
                paragraph._p.append(revision("ins", new))
            else:
                paragraph.add_run(new)
        for paragraph in document.paragraphs:
            if paragraph.text.startswith("本年度我镇认真贯彻落实"):
                paragraph._p.append(revision("del", "全年共收到政府信息公开申请8888件。"))
        document.save(str(path))
        subprocess.run(["soffice", "--headless", "--convert-to", "doc", "--outdir", str(out), str(path)],
                       check=True, capture_output=True)
    (out / "template-tracked-changes.truth.json").write_text(
        json.dumps(flatten(tables), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return out / "template-tracked-changes.doc"


if __name__ == "__main__":
    asked = tuple(a for a in sys.argv[1:] if a != "tracked")
    if asked or len(sys.argv) == 1:
        main(asked or FORMATS)
    if "tracked" in sys.argv[1:] or len(sys.argv) == 1:
        print(tracked())
