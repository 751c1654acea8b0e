"""One notebook executed by papermill in a pooled (warm or fresh) kernel, written atomically, with a banner if it failed."""

from __future__ import annotations

import copy
import os
import threading
from pathlib import Path
from typing import Any

from auditlib.batch.common import LIVE_ONLY_TAG
from auditlib.batch.export import banner_cell, chinese_error_markers
from auditlib.batch.files import atomic_write
from auditlib.batch.kernels import AGENCIES_PER_KERNEL, kernel_pool

_SOURCES: dict[tuple[str, int, int], Any] = {}  # the parsed input notebooks of this process, by path and stat
_SOURCES_LOCK = threading.Lock()


def _source(notebook: str) -> Any:
    """`notebook` as papermill loads it, read once per process (until the file changes); the caller's own copy."""
    from papermill.iorw import load_notebook_node

    st = os.stat(notebook)
    key = (notebook, st.st_mtime_ns, st.st_size)
    with _SOURCES_LOCK:
        nb = _SOURCES.get(key)
    if nb is None:
        nb = load_notebook_node(notebook)
        with _SOURCES_LOCK:
            _SOURCES.clear()  # a batch runs one or two notebooks; an edited one replaces its old version
            _SOURCES[key] = nb
    return copy.deepcopy(nb)


def _execute(notebook: str, target: Path, parameters: dict[str, Any], timeout: int | None,
             prelaunch: bool = True, max_uses: int = AGENCIES_PER_KERNEL) -> Any:
    """Papermill's `execute_notebook`, step by step, minus what a batch does not need (raises as it does).

    The same notebook comes out: parameters injected after the `parameters` cell, papermill's metadata
    (input and output path: the target's), an error marked by papermill's banner and anchor. Left out:
    reading and parsing the input notebook for every agency (`_source` keeps it), and the two writes
    of the whole notebook (papermill's final write and, on an error, the one before raising), which
    the caller does once, atomically. The `live-only` code cells (the ipywidgets drill-down, one
    expression each) are not run: their output is dropped from the page and the notebook anyway, and
    building the widgets and sending their state to this process took about a fifth of an agency's time.
    """
    from papermill.engines import papermill_engines
    from papermill.execute import prepare_notebook_metadata, remove_error_markers
    from papermill.parameterize import parameterize_notebook

    nb = _source(notebook)
    if parameters:
        nb = parameterize_notebook(nb, parameters)
    nb = remove_error_markers(prepare_notebook_metadata(nb, notebook, str(target)))
    kernel_name = papermill_engines.nb_kernel_name(engine_name=None, nb=nb)
    pool = kernel_pool()
    km = pool.take(prelaunch=prelaunch, max_uses=max_uses)
    healthy = False
    try:
        nb = papermill_engines.execute_notebook_with_engine(
            None, nb, input_path=notebook, output_path=None, kernel_name=kernel_name, progress_bar=False,
            log_output=False, start_timeout=180, stdout_file=None, stderr_file=None, execution_timeout=timeout,
            km=km, skip_cells_with_tag=LIVE_ONLY_TAG)
        healthy = True  # it ran to its end, or a cell raised and the kernel said so: it is idle and can be reset
    finally:
        # a timed-out cell may still be running, a dead kernel is dead: those kernels are shut down
        pool.give_back(km, healthy, max_uses=max_uses)
    return nb


def run_notebook(notebook: str, target: Path, parameters: dict[str, Any], timeout: int | None,
                 title: str, prelaunch: bool = True, max_uses: int = AGENCIES_PER_KERNEL) -> tuple[Any, str | None]:
    """Execute `notebook` into `target` (atomically); the notebook and the error, if it failed.

    A failed notebook is still written, with a first cell that says what went wrong. The kernel is
    this thread's warm one, reset since its last notebook (`max_uses` > 1), or a fresh one (`max_uses` = 1).
    """
    import nbformat
    from papermill.exceptions import PapermillExecutionError
    from papermill.execute import raise_for_execution_errors

    error: str | None = None
    nb: Any = None
    try:
        nb = _execute(notebook, target, parameters, timeout, prelaunch, max_uses)
        raise_for_execution_errors(nb, None)  # marks the failed cell in `nb` (writes nothing without a path)
    except PapermillExecutionError as exc:
        error = f"笔记本第 {exc.exec_count} 个代码单元格出错：{exc.ename}: {exc.evalue}"
    except Exception as exc:  # noqa: BLE001 - a dead kernel or a timeout fails this agency, not the run
        error = f"执行笔记本时出错：{type(exc).__name__}: {exc}"
        nb = None  # papermill writes nothing in that case either: show the unexecuted notebook
    if nb is None:
        nb = nbformat.read(notebook, as_version=4)
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

