"""The agency kernels: a kernel manager on unix sockets, and a pool that keeps a kernel warm (or starts the next ahead)."""

from __future__ import annotations

import contextlib
import os
import tempfile
import threading
import uuid
from typing import Any

# Where a run's kernels put their sockets and connection files: a folder the run removes at its end, so
# that kernels left behind by an interrupted run (they exit when their worker dies) leave nothing either.
KERNEL_DIR_ENV = "AUDITLIB_KERNEL_DIR"
# Run in every agency kernel before the notebook: skip the slow optional import (auditlib.batch's
# docstring) and load the library the notebook is about to import, so a pre-launched kernel has done
# that work by the time it is handed an agency. Nothing is left in the user namespace. Then
# `gc.freeze()`: the objects of those imports (and of the kernel itself), which live as long as the
# kernel, are left out of every later garbage collection. Without it each full collection (the reset's,
# and those the notebook's allocations trigger) walks them all again: about 0.15 CPU-s per agency.
KERNEL_EXEC_LINES = ("import sys; sys.modules.setdefault('rfc3987_syntax', None); "
                     "import auditlib.charts, auditlib.render, auditlib.widgets; del sys, auditlib; "
                     "import gc; gc.collect(); gc.freeze(); del gc")


def _kernel_manager_class() -> type:
    """An AsyncKernelManager on the IPC transport (on POSIX) that also closes the clients it handed out.

    TCP ports are picked by binding port 0 and closing it, and jupyter_client de-duplicates them only
    within one process, so kernels started by parallel worker processes can race for a port
    (papermill#511). Unix sockets under a per-kernel random name cannot collide.
    """
    import subprocess

    from jupyter_client.manager import AsyncKernelManager
    from jupyter_core.paths import jupyter_runtime_dir
    from traitlets import default

    def kernel_dir() -> str:
        base = os.environ.get(KERNEL_DIR_ENV) or jupyter_runtime_dir()
        if len(base) > 70:  # a unix socket path is limited to ~104 bytes
            base = tempfile.gettempdir()
        os.makedirs(base, exist_ok=True)
        return base

    class AuditKernelManager(AsyncKernelManager):
        _handed_out: list[Any]

        @property
        def _stem(self) -> str:
            if "_audit_stem" not in self.__dict__:
                self.__dict__["_audit_stem"] = os.path.join(kernel_dir(), f"audit-{uuid.uuid4().hex[:12]}")
            return str(self.__dict__["_audit_stem"])

        @default("transport")
        def _default_transport(self) -> str:
            return "ipc" if os.name == "posix" else "tcp"

        @default("ip")
        def _default_ip(self) -> str:
            return self._stem + "-ipc" if self.transport == "ipc" else "127.0.0.1"

        @default("connection_file")
        def _default_connection_file(self) -> str:
            return self._stem + ".json"

        def client(self, **kwargs: Any) -> Any:
            kc = super().client(**kwargs)
            self.__dict__.setdefault("_handed_out", []).append(kc)
            return kc

        async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
            # the kernel's own log lines would break the progress bar; cell errors are in the notebook
            kw.setdefault("stdout", subprocess.DEVNULL)
            kw.setdefault("stderr", subprocess.DEVNULL)
            await super()._async_launch_kernel(kernel_cmd, **kw)

        def close_clients(self) -> None:
            """Close the clients handed out so far (a warm kernel gets a new one per notebook)."""
            for kc in self.__dict__.pop("_handed_out", []):
                with contextlib.suppress(Exception):
                    kc.stop_channels()

        async def finish(self) -> None:
            """Close the clients, kill the kernel (its notebook is complete), remove its files."""
            self.close_clients()
            with contextlib.suppress(Exception):
                if await self.is_alive():
                    await self.shutdown_kernel(now=True)
            with contextlib.suppress(Exception):
                await self.cleanup_resources()

    return AuditKernelManager


# Run in a warm kernel between two agencies: what one agency's notebook left in the kernel goes, so that
# the next one starts as in a fresh kernel. The widgets it built are closed; Altair's automatic chart and
# parameter names ("view_1", "param_1", class counters) count from 1 again, as they do in a new kernel
# (a subclass that counted on its own goes back to its base's counter); the working folder is put back;
# the user namespace is rebuilt and the execution counter starts at 1 (`InteractiveShell.reset`).
RESET_CODE = """\
import os as _os, sys as _sys
if "ipywidgets" in _sys.modules:
    _sys.modules["ipywidgets"].Widget.close_all()
if "altair" in _sys.modules:
    _bases = (_sys.modules["altair"].Chart, _sys.modules["altair"].Parameter)
    _todo = list(_bases)
    while _todo:
        _cls = _todo.pop()
        if "_counter" in vars(_cls):
            if _cls in _bases:
                _cls._counter = 0
            else:
                delattr(_cls, "_counter")
        _todo.extend(_cls.__subclasses__())
_os.chdir({cwd!r})
get_ipython().reset(new_session=True)
__import__("gc").collect()
"""
RESET_TIMEOUT = 60  # seconds; a kernel that cannot reset in that time is replaced
AGENCIES_PER_KERNEL = 100  # a warm kernel is replaced after this many notebooks (bounds what leaks in it)


async def _reset(km: Any, cwd: str) -> bool:
    """Reset a kernel's user state (RESET_CODE); whether it answered that it did, in time."""
    import time

    kc = km.client()
    kc.start_channels(shell=True, iopub=False, stdin=False, hb=False, control=False)
    try:
        msg_id = kc.execute(RESET_CODE.format(cwd=cwd), silent=True, store_history=False, allow_stdin=False)
        deadline = time.monotonic() + RESET_TIMEOUT
        while True:
            reply = await kc.get_shell_msg(timeout=max(0.1, deadline - time.monotonic()))
            if reply.get("parent_header", {}).get("msg_id") == msg_id:
                return bool(reply["content"].get("status") == "ok")
    except Exception:  # noqa: BLE001 - no answer (dead, stuck, timed out): the caller replaces the kernel
        return False
    finally:
        with contextlib.suppress(Exception):
            kc.stop_channels()


class KernelPool:
    """The kernels of one process (or thread): a warm kernel reused from one notebook to the next, or a fresh one each.

    Warm (`max_uses` > 1, the default for a batch): one kernel runs notebook after notebook; between two
    it is reset (RESET_CODE: user namespace, execution counter, widgets, working folder), so the library
    is imported once per kernel instead of once per agency. A kernel that died, timed out, failed to
    reset or ran `max_uses` notebooks is shut down and the next notebook gets a new one: only the
    agency whose notebook broke its kernel fails.

    Fresh (`max_uses` = 1): a new kernel process for every notebook, launched one notebook ahead so
    that it boots in the meantime; no state at all carries over from another agency.
    """

    def __init__(self, kernel_name: str = "python3") -> None:
        self.kernel_name = kernel_name
        self.spare: Any = None
        self.warm: Any = None
        self.uses = 0  # notebooks the warm kernel has run
        self.cwd = os.getcwd()  # where the kernels start: a warm kernel is put back there
        self._cls: type | None = None

    def _launch(self) -> Any:
        from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
        from jupyter_core.utils import run_sync

        class ThisPython(KernelSpecManager):
            """Kernels run this interpreter (the one with this auditlib), whatever kernelspecs the user has."""

            def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
                from ipykernel.kernelspec import get_kernel_dict

                return KernelSpec(resource_dir="", **get_kernel_dict())

        if self._cls is None:
            self._cls = _kernel_manager_class()
        km = self._cls(kernel_name=self.kernel_name, kernel_spec_manager=ThisPython())
        self.cwd = os.getcwd()
        # history in memory, as nbclient gives the kernels it starts: no sqlite file shared by every kernel
        run_sync(km.start_kernel)(extra_arguments=[f"--IPKernelApp.exec_lines={KERNEL_EXEC_LINES}",
                                                   "--HistoryManager.hist_file=:memory:"])
        return km

    def prelaunch(self) -> None:
        """Start the kernel for the next notebook now (e.g. the overview's, while the agencies run)."""
        if self.spare is None and self.warm is None:
            self.spare = self._launch()

    def take(self, prelaunch: bool = True, max_uses: int = 1) -> Any:
        """A started kernel for the next notebook: the warm one (with `max_uses` > 1) or a fresh one.

        Fresh, with `prelaunch`, the kernel for the notebook after it starts now.
        """
        from jupyter_core.utils import run_sync

        if max_uses > 1 and self.warm is not None:
            km, self.warm = self.warm, None
            if run_sync(km.is_alive)():
                return km
            self.release(km)
        km, self.spare = self.spare, None
        if km is not None and not run_sync(km.is_alive)():
            self.release(km)
            km = None
        if km is None:
            km = self._launch()
        self.uses = 0
        if prelaunch and max_uses <= 1:
            self.spare = self._launch()
        return km

    def give_back(self, km: Any, healthy: bool, max_uses: int = 1) -> None:
        """Done with `km`: keep it warm for the next notebook (reset), or shut it down.

        `healthy`: its notebook ran to its end or stopped at a cell's error (the kernel answered);
        not after a timeout (the cell may still run) or a dead kernel.
        """
        from jupyter_core.utils import run_sync

        self.uses += 1
        km.close_clients()
        if healthy and self.uses < max_uses and self.warm is None and run_sync(_reset)(km, self.cwd):
            self.warm = km
            return
        self.release(km)

    @staticmethod
    def release(km: Any) -> None:
        from jupyter_core.utils import run_sync

        run_sync(km.finish)()

    def close(self) -> None:
        """Shut down the spare and the warm kernel (at the end of a run: the next run starts its own)."""
        for km in (self.spare, self.warm):
            if km is not None:
                self.release(km)
        self.spare = self.warm = None


_POOLS: dict[int, KernelPool] = {}
_POOLS_LOCK = threading.Lock()


def kernel_pool() -> KernelPool:
    """This thread's pool (a Dask worker runs tasks in threads); its kernels are shut down when the process ends."""
    key = threading.get_ident()
    with _POOLS_LOCK:
        pool = _POOLS.get(key)
        if pool is None:
            if not _POOLS:
                import atexit
                from multiprocessing import util

                atexit.register(close_kernel_pools)  # the main process
                util.Finalize(None, close_kernel_pools, exitpriority=10)  # pool workers leave through os._exit
            pool = _POOLS[key] = KernelPool()
    return pool


def close_kernel_pools() -> None:
    """Shut down every pool's kernels in this process (the end of a run, or of the process)."""
    with _POOLS_LOCK:
        pools = list(_POOLS.values())
    for pool in pools:
        with contextlib.suppress(Exception):
            pool.close()
