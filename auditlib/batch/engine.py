"""One notebook executed by papermill in a pooled kernel, written atomically, with a banner if it failed."""

from __future__ import annotations

import contextlib
import uuid
from pathlib import Path
from typing import Any

from auditlib.batch.common import LIVE_ONLY_TAG, TMP_PREFIX
from auditlib.batch.export import banner_cell, chinese_error_markers
from auditlib.batch.files import atomic_write
from auditlib.batch.kernels import kernel_pool


def _execute(notebook: str, out_tmp: Path, parameters: dict[str, Any], timeout: int | None,
             prelaunch: bool = True) -> Any:
    import papermill as pm

    pool = kernel_pool()
    km = pool.take(prelaunch=prelaunch)
    try:
        return pm.execute_notebook(
            notebook, str(out_tmp).replace("{", "{{").replace("}", "}}"),  # papermill str.format()s output paths
            parameters=parameters, request_save_on_cell_execute=False, progress_bar=False,
            start_timeout=180, execution_timeout=timeout, km=km)
    finally:
        pool.release(km)


def run_notebook(notebook: str, target: Path, parameters: dict[str, Any], timeout: int | None,
                 title: str, prelaunch: bool = True) -> tuple[Any, str | None]:
    """Execute `notebook` into `target` (atomically); the notebook and the error, if it failed.

    A failed notebook is still written, with a first cell that says what went wrong.
    """
    import nbformat
    from papermill.exceptions import PapermillExecutionError

    tmp = target.parent / f"{TMP_PREFIX}{uuid.uuid4().hex[:8]}-{target.name}"
    error: str | None = None
    nb: Any = None
    try:
        nb = _execute(notebook, tmp, parameters, timeout, prelaunch)
    except PapermillExecutionError as exc:
        error = f"笔记本第 {exc.exec_count} 个代码单元格出错：{exc.ename}: {exc.evalue}"
    except Exception as exc:  # noqa: BLE001 - a dead kernel or a timeout fails this agency, not the run
        error = f"执行笔记本时出错：{type(exc).__name__}: {exc}"
    if nb is None:
        try:
            nb = nbformat.read(str(tmp), as_version=4)
        except Exception:  # noqa: BLE001 - nothing was written: show the unexecuted notebook
            nb = nbformat.read(notebook, as_version=4)
    with contextlib.suppress(OSError):
        tmp.unlink()
    nb.metadata["title"] = title
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:  # a widget's output is dead without its kernel: the inspector re-runs the cell
        if LIVE_ONLY_TAG in cell.get("metadata", {}).get("tags", []) and cell.cell_type == "code":
            cell.outputs = []
    if error:
        chinese_error_markers(nb)
        nb.cells.insert(0, banner_cell(error))
    atomic_write(target, nbformat.writes(nb))
    return nb, error

