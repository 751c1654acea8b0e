"""Where a batch run's workers and kernels keep their state, and how they end with the run (issue 11 g).

A kernel writes IPython history (~/.ipython/profile_default/history.sqlite), connection files and
sockets (~/.local/share/jupyter/runtime), matplotlib's cache: outside the output folder, never cleaned.
`runtime_environment` puts all of it under `OUT/.tmp-runtime`, which `remove_runtime` deletes at the end.
`worker_init` is the pool's initializer: Ctrl-C is left to the main process, the worker dies with it
(`safety.die_with_parent`; its kernels poll their parent, the worker, and follow), and the worker and
the kernels it starts see the run's environment.

In the batch: `auditlib.batch.run._runtime` enters the environment (with the kernels' socket folder,
AUDITLIB_KERNEL_DIR) around the pool and the overview and removes it at the end; `batch.worker.run_pool`
starts its workers with `initializer=worker_init, initargs=(env,)`.
"""

from __future__ import annotations

import os
import shutil
import signal
from collections.abc import Mapping
from pathlib import Path

from auditlib.safety import die_with_parent

__all__ = ["RUNTIME_FOLDER", "enter_runtime", "remove_runtime", "runtime_environment", "worker_init"]

RUNTIME_FOLDER = ".tmp-runtime"

# variable → sub-folder; each is where a kernel or a library it loads would otherwise write under ~
_FOLDERS = {
    "IPYTHONDIR": "ipython",  # history.sqlite, profile_default/
    "JUPYTER_RUNTIME_DIR": "jupyter",  # kernel-*.json connection files
    "MPLCONFIGDIR": "matplotlib",  # font cache
}


def runtime_environment(out_dir: str | os.PathLike[str]) -> dict[str, str]:
    """The environment variables that keep a run's kernel state under `out_dir/.tmp-runtime`."""
    base = Path(out_dir).resolve() / RUNTIME_FOLDER
    return {name: str(base / sub) for name, sub in _FOLDERS.items()}


def enter_runtime(env: Mapping[str, str]) -> None:
    """Create the folders and set the variables in this process (its kernels inherit them)."""
    for value in env.values():
        os.makedirs(value, exist_ok=True)
    os.environ.update(env)


def worker_init(env: Mapping[str, str]) -> None:
    """A pool worker's initializer: ignore Ctrl-C, end with the main process, use the run's folders."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent()
    enter_runtime(env)


def remove_runtime(out_dir: str | os.PathLike[str]) -> None:
    """Delete the run's kernel state (history, connection files); nothing of it is an output."""
    shutil.rmtree(Path(out_dir) / RUNTIME_FOLDER, ignore_errors=True)
