"""The render package: each page part from its template, escaped; static CSS and JS inlined, nothing fetched."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from conftest import write_inputs

from auditlib import render
from auditlib.render.env import ENV, STYLES, script
from auditlib.render.run import SUMMARY_SCHEMA, RunData

ATTACK = "<script>alert(1)</script>"
SHOWN = "&lt;script&gt;alert(1)&lt;/script&gt;"


@pytest.fixture(scope="module")
def evil(tmp_path_factory: pytest.TempPathFactory) -> render.AgencyPage:
    folder = write_inputs(tmp_path_factory.mktemp("inputs"))
    return render.agency_page(str(folder / "evil.txt"))


def _parts(page: render.AgencyPage) -> dict[str, str]:
    assert page.report is not None
    details = page.details()
    return {
        "heading": page.heading(), "score": page.score_section(), "summary": page.summary(),
        "tables": page.tables(), "findings": page.findings(),
        "detail": render.finding_detail_html(details[0], page.report),
        "table": render.table_html(page.report, "applications"),
        "source": render.source_lines_html([ln for ln in page.report.lines if "<img" in ln.text]),
    }


def test_every_page_part_shows_report_text_as_text(evil: render.AgencyPage) -> None:
    parts = _parts(evil)
    for name, html in parts.items():
        body = html.replace(script("open_finding.js"), "")  # the score section's own script, from static/
        assert "<script>" not in body and "<img" not in body, name
    assert SHOWN + "红旗区人民政府" in parts["heading"]
    assert "&lt;script&gt;alert(3)&lt;/script&gt;" in parts["findings"]  # a report line in the drill-down
    assert "&lt;img src=x onerror=alert(2)&gt;" in parts["source"]


def _run(agency: str, rule: str, message: str) -> RunData:
    row = {k: None for k in SUMMARY_SCHEMA} | {
        "key": "k1", "agency": agency, "year": 2024, "page": "agencies/a.html", "status": "failed",
        "error": ATTACK, "errors": 1, "warnings": 0, "infos": 0, "worst_rule": rule, "score": 90.0,
        "grade": "优秀", "rank": 1, "deductions": ATTACK}
    agencies = pl.DataFrame([row], schema=SUMMARY_SCHEMA)
    findings = pl.DataFrame({"key": ["k1"], "rule": [rule], "severity": ["error"], "message": [message]})
    return RunData("/tmp/<b>run</b>", agencies, findings, "2026-01-01T00:00:00", [("优秀", 90.0), ("不合格", 0.0)])


def test_overview_parts_show_agency_text_as_text() -> None:
    run = _run(ATTACK + "某局", ATTACK, ATTACK)
    heading, table, rules = (render.overview_heading_html(run), render.overview_table_html(run),
                             render.rules_html(run.findings))
    table_body = table.replace(script("sort_overview.js"), "")
    for html in (heading, table_body, rules):
        assert "<script>" not in html
    assert SHOWN + "某局" in table and f'data-agency="{SHOWN}某局"' in table and SHOWN in rules
    empty = RunData("/tmp/<b>run</b>", pl.DataFrame(schema=SUMMARY_SCHEMA), pl.DataFrame())
    assert "&lt;b&gt;run&lt;/b&gt;" in render.overview_heading_html(empty)


def test_static_files_are_read_once_and_inlined() -> None:
    assert STYLES["td"].startswith("border:1px solid #bfbfbf;") and STYLES["th"].startswith(STYLES["td"])
    sort = script("sort_overview.js")
    assert sort.startswith("<script>\n(function () {") and sort.endswith("})();\n</script>")
    assert script("sort_overview.js") is sort  # cached: the file is read once
    run = _run("某局", "TABLE-ALL-ZERO", "x")
    page = render.overview_table_html(run) + render.overview_heading_html(run)
    assert "src=" not in page and "http" not in page  # nothing the offline page would fetch


def test_every_template_is_autoescaped_and_used() -> None:
    templates = {p.name for p in (Path(render.__file__).parent / "templates").glob("*.j2")}
    assert "table.html.j2" in templates and "score.html.j2" in templates
    assert ENV.autoescape is True
    sources = [p.read_text(encoding="utf-8") for p in Path(render.__file__).parent.glob("*.py")]
    used = {name for name in templates if any(f'"{name}"' in s for s in sources)}
    folder = Path(render.__file__).parent / "templates"
    macros = {p.name for p in folder.glob("_*.j2")}
    texts = [(folder / t).read_text(encoding="utf-8").replace('"', "'") for t in templates]
    imported = {m for m in macros if any(f"from '{m}' import" in text for text in texts)}
    assert imported == macros == {"_cell.html.j2", "_rule.html.j2"}  # macros are imported by the templates
    assert templates - used <= macros

