"""One notebook executed by papermill in a pooled (warm or fresh) kernel, written atomically, with a banner if it failed."""

from __future__ import annotations

import contextlib
import uuid
from pathlib import Path
from typing import Any

from auditlib.batch.common import LIVE_ONLY_TAG, TMP_PREFIX
from auditlib.batch.export import banner_cell, chinese_error_markers
from auditlib.batch.files import atomic_write
from auditlib.batch.kernels import AGENCIES_PER_KERNEL, kernel_pool


def _execute(notebook: str, out_tmp: Path, parameters: dict[str, Any], timeout: int | None,
             prelaunch: bool = True, max_uses: int = AGENCIES_PER_KERNEL) -> Any:
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    pool = kernel_pool()
    km = pool.take(prelaunch=prelaunch, max_uses=max_uses)
    healthy = False
    try:
        nb = pm.execute_notebook(
            notebook, str(out_tmp).replace("{", "{{").replace("}", "}}"),  # papermill str.format()s output paths
            parameters=parameters, request_save_on_cell_execute=False, progress_bar=False,
            start_timeout=180, execution_timeout=timeout, km=km)
        healthy = True
        return nb
    except PapermillExecutionError:
        healthy = True  # a cell raised and the kernel said so: it is idle and can be reset
        raise
    finally:
        # a timed-out cell may still be running, a dead kernel is dead: those kernels are shut down
        pool.give_back(km, healthy, max_uses=max_uses)


def run_notebook(notebook: str, target: Path, parameters: dict[str, Any], timeout: int | None,
                 title: str, prelaunch: bool = True, max_uses: int = AGENCIES_PER_KERNEL) -> tuple[Any, str | None]:
    """Execute `notebook` into `target` (atomically); the notebook and the error, if it failed.

    A failed notebook is still written, with a first cell that says what went wrong. The kernel is
    this thread's warm one, reset since its last notebook (`max_uses` > 1), or a fresh one (`max_uses` = 1).
    """
    import nbformat
    from papermill.exceptions import PapermillExecutionError

    tmp = target.parent / f"{TMP_PREFIX}{uuid.uuid4().hex[:8]}-{target.name}"
    error: str | None = None
    nb: Any = None
    try:
        nb = _execute(notebook, tmp, parameters, timeout, prelaunch, max_uses)
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
    for cell in nb.cells:  # papermill gives its injected cell a random id: the same run must give the same bytes
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []) and "id" in cell:
            cell.id = "injected-parameters"
    for cell in nb.cells:  # a widget's output is dead without its kernel: the inspector re-runs the cell
        if LIVE_ONLY_TAG in cell.get("metadata", {}).get("tags", []) and cell.cell_type == "code":
            cell.outputs = []
    if error:
        chinese_error_markers(nb)
        nb.cells.insert(0, banner_cell(error))
    atomic_write(target, nbformat.writes(nb))
    return nb, error

