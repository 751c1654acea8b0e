"""The batch run: the agency notebook over every report (papermill, in parallel), then the overview.

No audit logic lives here: a worker executes `notebooks/agency_audit.ipynb` for one report in its
warm kernel (reset between agencies; `fresh_kernels` for a new kernel each), exports it with the
offline `audit` template and records the result. The workers are local processes, or a Dask cluster
(`scheduler`). The run folder:

    DIR/index.html            the overview page (executed overview.ipynb, exported)
    DIR/overview.ipynb
    DIR/agencies/<name>.html  one page per agency, and its executed notebook <name>.ipynb
    DIR/agencies/<name>.json  what the run knows about that agency (status, findings shown)
    DIR/assets/vega-embed-*.js  the chart library, written once, referenced relatively
    DIR/findings.{xlsx,csv,parquet}, DIR/scores.csv, DIR/summary.json, DIR/manifest.json

Before the workers start, the parent audits every report once more (milliseconds each) to run the
rules across reports and to score the batch (`auditlib.score`): each agency's notebook gets its
cross-report findings and its score as parameters, which count in its skip hash like the others.

Every file is written to a temporary name in its folder and renamed into place, so a page is
never half written; the manifest records per report the hashes of its input, parameters,
notebook and library code, and a re-run skips reports whose hashes and outputs are unchanged.

The package, one module per job: `files` (names, atomic writes, hashes), `params`, `kernels`, `export`
(nbconvert and the Vega bundle), `engine` (one notebook), `jobs` (AgencyJob, AgencyRecord), `worker`
(one agency, the process pool), `cluster` (the Dask cluster), `manifest`, `outputs` (findings and scores
files), `run` (`run_batch`).
"""

from __future__ import annotations

import sys

# jsonschema (imported by nbformat here, and by Altair in every kernel) eagerly imports `rfc3987_syntax`,
# which compiles ~35 Lark grammars at import time (≈1.3 s, python-jsonschema/jsonschema#1428) to check
# the "iri" format that no notebook or Vega-Lite schema uses. Without it jsonschema simply has no "iri"
# checker. Skipped in this process and, through KERNEL_EXEC_LINES, in each agency's kernel.
if "jsonschema" not in sys.modules:
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]

from auditlib.batch.common import (  # noqa: E402
    AGENCY_NOTEBOOK,
    LIVE_ONLY_TAG,
    MANIFEST_VERSION,
    NOTEBOOKS_DIR,
    OVERVIEW_NOTEBOOK,
    PACKAGE_DIR,
    PARAMETERS_DIR,
    PROJECT_DIR,
    SET_BY_BATCH,
    TEMPLATES_DIR,
    TMP_PREFIX,
    VEGA_GLOBALS,
    VEGA_LITE_VERSION,
    VEGA_MIMETYPE,
    BatchError,
)
from auditlib.batch.engine import run_notebook  # noqa: E402
from auditlib.batch.export import (  # noqa: E402
    PAPERMILL_ERROR_TAG,
    export_html,
    vega_asset_name,
    vega_bundle,
    vega_json,
    write_vega_asset,
)
from auditlib.batch.files import atomic_write, code_hash, output_key, safe_name  # noqa: E402
from auditlib.batch.jobs import AgencyJob, AgencyRecord, Hashes, RunSettings  # noqa: E402
from auditlib.batch.kernels import (  # noqa: E402
    AGENCIES_PER_KERNEL,
    KERNEL_DIR_ENV,
    KERNEL_EXEC_LINES,
    RESET_CODE,
    KernelPool,
    _kernel_manager_class,
    close_kernel_pools,
    kernel_pool,
)
from auditlib.batch.outputs import EXCEL_HEADERS, SCORE_HEADERS, SCORES_COLUMNS, write_findings  # noqa: E402
from auditlib.batch.params import (  # noqa: E402
    default_parameters,
    load_parameters,
    notebook_parameters,
    split_parameters,
)
from auditlib.batch.run import (  # noqa: E402
    BatchOptions,
    BatchResult,
    _jobs,
    audit_batch,
    load_batch_rubric,
    run_batch,
    run_batch_with,
)
from auditlib.batch.worker import run_agency  # noqa: E402

__all__ = [
    "AGENCIES_PER_KERNEL", "AGENCY_NOTEBOOK", "EXCEL_HEADERS", "KERNEL_DIR_ENV", "KERNEL_EXEC_LINES", "LIVE_ONLY_TAG", "MANIFEST_VERSION",
    "NOTEBOOKS_DIR", "OVERVIEW_NOTEBOOK", "PACKAGE_DIR", "PAPERMILL_ERROR_TAG", "PARAMETERS_DIR", "PROJECT_DIR", "RESET_CODE",
    "SCORES_COLUMNS", "SCORE_HEADERS", "SET_BY_BATCH", "TEMPLATES_DIR", "TMP_PREFIX", "VEGA_GLOBALS",
    "VEGA_LITE_VERSION", "VEGA_MIMETYPE",
    "AgencyJob", "AgencyRecord", "BatchError", "BatchOptions", "BatchResult", "Hashes", "KernelPool", "RunSettings",
    "_jobs", "_kernel_manager_class",
    "atomic_write", "audit_batch", "close_kernel_pools", "code_hash", "default_parameters", "export_html", "kernel_pool",
    "load_batch_rubric", "load_parameters", "notebook_parameters", "output_key", "run_agency", "run_batch",
    "run_batch_with", "run_notebook", "safe_name", "split_parameters", "vega_asset_name", "vega_bundle", "vega_json",
    "write_findings", "write_vega_asset",
]
