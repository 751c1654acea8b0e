"""OFD packages built from a PDF's glyphs (GB/T 33190 structure), for the OFD reader's tests.

No agency's OFD is at hand, so the fixture is the national template as LibreOffice laid it out
(tests/exported/*.pdf): every glyph keeps its place, size and baseline, converted to millimetres and
written as an OA system's exporter does, one TextObject per word (`DeltaX` with the `g` shorthand), per
character or per line (a table row as one text code, its cells apart by their advances), optionally with
a CTM scaling the object, the tables' ruling lines as PathObjects, and a template page's page number.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

NS = "http://www.ofdspec.org/2016"
MM = 25.4 / 72


def _words(page, per_line: bool = False) -> list[list[dict]]:  # type: ignore[no-untyped-def]
    """The page's glyphs in drawing order, cut into words where the next glyph does not follow on (or,
    `per_line`, only where the baseline moves or the text goes back: a table row in one text code)."""
    words: list[list[dict]] = []
    for ch in page.chars:
        last = words[-1][-1] if words else None
        if (last is not None and abs(ch["matrix"][5] - last["matrix"][5]) < 0.5
                and (0 <= ch["x0"] - last["x1"] < 0.5 * ch["size"] or per_line and ch["x0"] > last["x0"])):
            words[-1].append(ch)
        else:
            words.append([ch])
    return words


def _object(i: int, word: list[dict], height: float, per_char: bool, scale: float) -> str:
    first = word[0]
    size = first["size"] * MM
    x0, baseline = first["x0"] * MM, (height - first["matrix"][5]) * MM
    top = baseline - size
    text = escape("".join(c["text"] for c in word))
    advances = [(b["x0"] - a["x0"]) * MM for a, b in zip(word, word[1:], strict=False)]
    if per_char:
        codes = "".join(f'<ofd:TextCode X="{(c["x0"] - first["x0"]) * MM / scale:.3f}" Y="{size / scale:.3f}">'
                        f'{escape(c["text"])}</ofd:TextCode>' for c in word)
    else:
        delta = (f' DeltaX="g {len(advances)} {advances[0] / scale:.3f}"' if advances and
                 max(advances) - min(advances) < 0.01 else
                 f' DeltaX="{" ".join(f"{a / scale:.3f}" for a in advances)}"' if advances else "")
        codes = f'<ofd:TextCode X="0" Y="{size / scale:.3f}"{delta}>{text}</ofd:TextCode>'
    ctm = f' CTM="{scale} 0 0 {scale} 0 0"' if scale != 1 else ""
    width = (word[-1]["x1"] - first["x0"]) * MM
    return (f'<ofd:TextObject ID="{i}" Boundary="{x0:.3f} {top:.3f} {width + size:.3f} {size * 1.4:.3f}" '
            f'Font="1" Size="{size / scale:.3f}"{ctm}>{codes}</ofd:TextObject>')


def ofd_from_pdf(pdf: Path, per_char: bool = False, scale: float = 1.0, ruled: bool = True,
                 per_line: bool = False) -> bytes:
    import pdfplumber

    out = io.BytesIO()
    with pdfplumber.open(pdf) as doc, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("OFD.xml", f'<?xml version="1.0" encoding="UTF-8"?><ofd:OFD xmlns:ofd="{NS}" Version="1.0">'
                               "<ofd:DocBody><ofd:DocInfo><ofd:DocID>x</ofd:DocID></ofd:DocInfo>"
                               "<ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>")
        pages = []
        for n, page in enumerate(doc.pages):
            objects = "".join(_object(i, w, page.height, per_char, scale) for i, w in enumerate(_words(page, per_line)))
            if ruled:  # the table's ruling lines, one PathObject each (page-wide boundary)
                objects += "".join(
                    f'<ofd:PathObject ID="p{i}" Boundary="0 0 210 297" LineWidth="0.25"><ofd:AbbreviatedData>'
                    f'M {e["x0"] * MM:.3f} {e["top"] * MM:.3f} L {e["x1"] * MM:.3f} {e["bottom"] * MM:.3f}'
                    "</ofd:AbbreviatedData></ofd:PathObject>" for i, e in enumerate(page.edges))
            zf.writestr(f"Doc_0/Pages/Page_{n}/Content.xml",
                        f'<?xml version="1.0" encoding="UTF-8"?><ofd:Page xmlns:ofd="{NS}"><ofd:Content>'
                        f'<ofd:Layer ID="L{n}"><ofd:PageBlock ID="B{n}">{objects}</ofd:PageBlock></ofd:Layer>'
                        "</ofd:Content></ofd:Page>")
            pages.append(f'<ofd:Page ID="{n + 1}" BaseLoc="Pages/Page_{n}/Content.xml"/>')
        zf.writestr("Doc_0/Tpls/Tpl_0/Content.xml",  # a page number on a template page: not read
                    f'<ofd:Page xmlns:ofd="{NS}"><ofd:Content><ofd:Layer ID="T"><ofd:TextObject ID="t" '
                    'Boundary="100 285 10 5" Size="3"><ofd:TextCode X="0" Y="3">- 1 -</ofd:TextCode>'
                    "</ofd:TextObject></ofd:Layer></ofd:Content></ofd:Page>")
        zf.writestr("Doc_0/Document.xml",
                    f'<?xml version="1.0" encoding="UTF-8"?><ofd:Document xmlns:ofd="{NS}"><ofd:CommonData>'
                    "<ofd:PageArea><ofd:PhysicalBox>0 0 210 297</ofd:PhysicalBox></ofd:PageArea>"
                    '<ofd:TemplatePage ID="100" BaseLoc="Tpls/Tpl_0/Content.xml"/></ofd:CommonData>'
                    f"<ofd:Pages>{''.join(pages)}</ofd:Pages></ofd:Document>")
    return out.getvalue()
