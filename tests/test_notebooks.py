"""The notebooks stay thin, their parameters match parameters/*.yaml, and both execute on the bundled reports."""

from __future__ import annotations

import ast
import json
from pathlib import Path
from urllib.parse import quote

import nbformat
import papermill as pm
import pytest
import yaml

from auditlib.batch import KERNEL_EXEC_LINES, SET_BY_BATCH, _kernel_manager_class

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
AGENCY, OVERVIEW = NOTEBOOKS / "agency_audit.ipynb", NOTEBOOKS / "overview.ipynb"
VEGA = "application/vnd.vegalite.v5+json"
WIDGET = "application/vnd.jupyter.widget-view+json"


def execute(notebook: Path, **parameters: object) -> nbformat.NotebookNode:
    """Run a notebook the way the batch does (fresh kernel, IPC transport), from the notebooks folder."""
    return pm.execute_notebook(str(notebook), None, parameters=parameters, progress_bar=False,
                               request_save_on_cell_execute=False, cwd=str(NOTEBOOKS),
                               kernel_manager_class=_kernel_manager_class(),
                               extra_arguments=[f"--IPKernelApp.exec_lines={KERNEL_EXEC_LINES}"])


def outputs(nb: nbformat.NotebookNode) -> list[dict]:
    return [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]


def html_of(nb: nbformat.NotebookNode) -> str:
    return "".join(o.get("data", {}).get("text/html", "") for o in outputs(nb))


@pytest.mark.parametrize("path", [AGENCY, OVERVIEW], ids=lambda p: p.stem)
def test_cells_are_thin(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    first = nb.cells[0]
    assert first.cell_type == "code" and first.metadata.get("tags") == ["parameters"]
    forbidden = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda, ast.For, ast.AsyncFor, ast.While,
                 ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
    for cell in nb.cells:
        assert not cell.get("outputs"), "notebooks are committed without outputs"
        if cell.cell_type != "code":
            continue
        tree = ast.parse(cell.source)
        assert not [n for n in ast.walk(tree) if isinstance(n, forbidden)], cell.source
        if cell is not first:
            assert len(cell.source.splitlines()) <= 6, cell.source


def test_parameter_files_match_the_notebooks() -> None:
    agency = pm.inspect_notebook(str(AGENCY))
    overview = pm.inspect_notebook(str(OVERVIEW))
    assert {"report_path", "index_href"} <= set(agency) and "run_dir" in overview
    for info in (*agency.values(), *overview.values()):
        assert info["help"], f"parameter {info['name']} has no comment"
    defaults = yaml.safe_load((ROOT / "parameters" / "defaults.yaml").read_text(encoding="utf-8"))
    assert set(defaults) == set(agency) - SET_BY_BATCH
    for name, value in defaults.items():  # the YAML repeats the notebook's own defaults
        assert value == ast.literal_eval(agency[name]["default"]), name
    for path in (ROOT / "parameters").glob("*.yaml"):
        if path.name.startswith("rubric"):
            continue  # the scoring rubric, not notebook parameters
        keys = set(yaml.safe_load(path.read_text(encoding="utf-8")) or {})
        assert keys <= (set(agency) | set(overview)) - SET_BY_BATCH, path.name


def test_agency_notebook_runs_on_a_bundled_report() -> None:
    nb = execute(AGENCY)  # the default parameters point at examples/reports/003_…
    assert not [o for o in outputs(nb) if o.output_type == "error"]
    page = html_of(nb)
    assert "红旗区人民政府" in page and "评分：96 分（优秀）" in page and "本页单独评分" in page
    assert 'id="table-applications"' in page and '<details class="finding"' in page
    assert sum(VEGA in o.get("data", {}) for o in outputs(nb)) == 2
    live = [c for c in nb.cells if "live-only" in c.metadata.get("tags", []) and c.cell_type == "code"]
    assert live and any(WIDGET in o.get("data", {}) for o in live[0].outputs)
    assert "injected-parameters" not in json.dumps([c.metadata for c in nb.cells])  # no parameters passed


def test_agency_notebook_takes_its_parameters() -> None:
    from auditlib import render
    from auditlib.audit import audit_file
    from auditlib.rubric import load_rubric
    from auditlib.score import score_report

    report = ROOT / "examples" / "reports" / "002_cfd767a677591b8e.txt"
    outcome = audit_file(report)
    # A score that recomputing could not give: the page must show the one passed in.
    score = dict(render.score_param(score_report(outcome.findings, load_rubric(), outcome.report)), score=70, grade="合格")
    nb = execute(AGENCY, report_path=str(report), min_severity="warning", exclude_rules=["TITLE-FORM"],
                 index_href="../index.html", score=score)
    page = html_of(nb)
    assert "刘家塔镇人民政府" in page and "返回总览" in page
    assert "FEE-NOT-REPORTED" in page and 'data-rule="TITLE-FORM"' not in page
    assert 'data-rule="TABLE-ALL-ZERO"' not in page and "#rule-TABLE-ALL-ZERO" not in page  # info: not listed
    # … though the grade cap it triggered is the score's own reason, and says so
    assert "等级封顶" in page and "三张表格全部为 0" in page
    assert "评分：70 分（合格）" in page and "本页单独评分" not in page  # the score passed in, not recomputed
    assert 'class="deduction-link" href="#finding-' in page


def test_overview_notebook_runs_on_a_batch(batch_run) -> None:
    nb = execute(OVERVIEW, run_dir=str(batch_run.out_dir))
    assert not [o for o in outputs(nb) if o.output_type == "error"]
    page = html_of(nb)
    for a in batch_run.agencies:
        assert f"href='{quote(a['page'])}'" in page
    assert "最需关注的规则" in page and "FEE-NOT-REPORTED" in page
    assert "名次" in page and "评分：平均" in page
    for a in batch_run.agencies:  # a new tab: JupyterLab is not replaced by the page
        assert f"class='agency-link' href='{quote(a['page'])}' target='_blank' rel='noopener'" in page
    assert page.index("<div class='filters'") < page.index("<table class='heatmap'") < page.index("<table class='overview'")
    charts = [o["data"][VEGA] for o in outputs(nb) if VEGA in o.get("data", {})]
    # the grade chart only: the 机关 × 规则 grid is HTML, under the filters the table shares
    assert len(charts) == 1 and "评分等级分布" in json.dumps(charts[0], ensure_ascii=False)
