"""The agency kernels: a kernel manager on unix sockets, and a pool that starts the next kernel ahead."""

from __future__ import annotations

import contextlib
import os
import tempfile
import uuid
from typing import Any

# Run in every agency kernel before the notebook: skip the slow optional import (above) and load the
# library the notebook is about to import, so a pre-launched kernel has done that work by the time it
# is handed an agency. Nothing is left in the user namespace.
# Where a run's kernels put their sockets and connection files: a folder the run removes at its end, so
# that kernels left behind by an interrupted run (they exit when their worker dies) leave nothing either.
KERNEL_DIR_ENV = "AUDITLIB_KERNEL_DIR"
KERNEL_EXEC_LINES = ("import sys; sys.modules.setdefault('rfc3987_syntax', None); "
                     "import auditlib.charts, auditlib.render, auditlib.widgets; del sys, auditlib")


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

        async def finish(self) -> None:
            """Close the clients, kill the kernel (its notebook is complete), remove its files."""
            for kc in self.__dict__.pop("_handed_out", []):
                with contextlib.suppress(Exception):
                    kc.stop_channels()
            with contextlib.suppress(Exception):
                if await self.is_alive():
                    await self.shutdown_kernel(now=True)
            with contextlib.suppress(Exception):
                await self.cleanup_resources()

    return AuditKernelManager


class KernelPool:
    """A fresh kernel for every notebook, launched one notebook ahead so that it boots in the meantime.

    Each agency still gets its own new kernel process (no state carries over from another agency);
    only the start-up work overlaps with the previous notebook.
    """

    def __init__(self, kernel_name: str = "python3") -> None:
        self.kernel_name = kernel_name
        self.spare: Any = None
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
        run_sync(km.start_kernel)(extra_arguments=[f"--IPKernelApp.exec_lines={KERNEL_EXEC_LINES}"])
        return km

    def prelaunch(self) -> None:
        """Start the kernel for the next notebook now (e.g. the overview's, while the agencies run)."""
        if self.spare is None:
            self.spare = self._launch()

    def take(self, prelaunch: bool = True) -> Any:
        """A started kernel for the next notebook (and, with `prelaunch`, start the one after it)."""
        from jupyter_core.utils import run_sync

        km, self.spare = self.spare, None
        if km is not None and not run_sync(km.is_alive)():
            run_sync(km.finish)()
            km = None
        if km is None:
            km = self._launch()
        if prelaunch:
            self.spare = self._launch()
        return km

    @staticmethod
    def release(km: Any) -> None:
        from jupyter_core.utils import run_sync

        run_sync(km.finish)()

    def close(self) -> None:
        if self.spare is not None:
            self.release(self.spare)
            self.spare = None


_POOL: KernelPool | None = None


def kernel_pool() -> KernelPool:
    """This process's pool; its spare kernel is shut down when the process ends."""
    global _POOL
    if _POOL is None:
        import atexit
        from multiprocessing import util

        _POOL = KernelPool()
        atexit.register(_POOL.close)  # the main process
        util.Finalize(_POOL, _POOL.close, exitpriority=10)  # pool workers leave through os._exit
    return _POOL

