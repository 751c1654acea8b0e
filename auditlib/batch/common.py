"""What every part of the batch shares: where the notebooks and templates are, the error, constants."""

from __future__ import annotations

from pathlib import Path

from auditlib.resources import data_dir
from auditlib.safety import UserError

PACKAGE_DIR = Path(__file__).resolve().parent.parent  # auditlib/
PROJECT_DIR = PACKAGE_DIR.parent  # the checkout (an installed wheel has no notebooks/ there: see data_dir)
NOTEBOOKS_DIR = data_dir("notebooks")
PARAMETERS_DIR = data_dir("parameters")
AGENCY_NOTEBOOK = NOTEBOOKS_DIR / "agency_audit.ipynb"
OVERVIEW_NOTEBOOK = NOTEBOOKS_DIR / "overview.ipynb"
TEMPLATES_DIR = PACKAGE_DIR / "templates"
VEGA_LITE_VERSION = "5.20"  # the schema Altair 5.5 writes (v5.20.1)
VEGA_MIMETYPE = "application/vnd.vegalite.v5+json"
VEGA_GLOBALS = "window.vegaEmbed = vegaEmbed; window.vega = vega; window.vegaLite = vegaLite;"
SET_BY_BATCH = frozenset({"report_path", "index_href", "run_dir", "corpus_findings", "score", "batch_context"})  # the batch fills these in
LIVE_ONLY_TAG = "live-only"  # cells (the ipywidgets drill-down) left out of the exported page
TMP_PREFIX = ".tmp-"
MANIFEST_VERSION = 1


class BatchError(UserError):
    """A batch that cannot start (bad parameters, missing or broken notebook); the message is one Chinese line."""

