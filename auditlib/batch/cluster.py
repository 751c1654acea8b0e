"""The agencies on a Dask cluster (`auditlib batch --scheduler tcp://HOST:PORT`) instead of the local process pool.

The same `run_agency` runs on each worker (`Client.map(..., pure=False)`: a re-run is a new task,
never a cached result). The workers must see the reports and the output folder at the same paths as
this machine (a shared file system), and have the same auditlib installed. Each worker thread keeps
its own warm kernel for the run; the run shuts them down at its end. A task whose worker process died
is retried by Dask on another worker (`distributed.scheduler.allowed-failures`), then its agency fails.
"""

from __future__ import annotations

import contextlib
import logging
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from auditlib.batch.common import BatchError
from auditlib.batch.jobs import AgencyJob, AgencyRecord
from auditlib.batch.kernels import close_kernel_pools
from auditlib.batch.worker import crashed, run_agency

CONNECT_TIMEOUT = 10  # seconds to reach the scheduler


@contextlib.contextmanager
def _quiet_distributed() -> Iterator[None]:
    """No log lines from distributed while connecting: a failure is reported as one Chinese line."""
    logger = logging.getLogger("distributed")
    level = logger.level
    logger.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        logger.setLevel(level)


# tcp://HOST:PORT (or tls://, or HOST:PORT, which Dask reads as tcp://); IPv6 hosts in brackets
ADDRESS = re.compile(r"(?:[a-z]+://)?(?:\[[0-9A-Fa-f:.]+\]|[^\s/:\[\]]+):\d{1,5}")


def check_address(address: str) -> None:
    """BatchError (Chinese) unless `address` looks like a scheduler's address (before anything runs)."""
    if not ADDRESS.fullmatch(address):
        raise BatchError(f"Dask 调度器地址 {address} 无效：应为 tcp://主机:端口，例如 tcp://192.168.1.10:8786")


def connect(address: str) -> Any:
    """A `distributed.Client` of the scheduler at `address`; BatchError (Chinese) when it cannot be reached."""
    check_address(address)
    try:
        from distributed import Client
    except ImportError as exc:
        raise BatchError("使用 --scheduler 需要安装 distributed（pip install 'auditlib[cluster]'）") from exc
    try:
        with _quiet_distributed():
            return Client(address, timeout=CONNECT_TIMEOUT, set_as_default=False)
    except (OSError, ValueError, TypeError) as exc:  # TimeoutError is an OSError
        raise BatchError(f"无法连接 Dask 调度器 {address}（{CONNECT_TIMEOUT} 秒内没有连上）："
                         "请确认调度器已启动、地址形如 tcp://主机:端口 且本机可以访问") from exc


def run_cluster(jobs: Sequence[AgencyJob], address: str, on_done: Callable[[AgencyRecord], None],
                progress: bool) -> None:
    """Every job as a task on the cluster at `address`; on Ctrl-C cancel what is left, keeping what is done."""
    from distributed import as_completed
    from tqdm import tqdm

    client = connect(address)
    bar = tqdm(total=len(jobs), desc="生成审核页面（集群）", unit="个机关", file=sys.stderr, disable=not progress,
               dynamic_ncols=True)
    futures: list[Any] = []
    try:
        futures = client.map(run_agency, list(jobs), pure=False)
        by_key = {fut.key: job for fut, job in zip(futures, jobs, strict=True)}
        for fut in as_completed(futures, loop=client.loop):  # not the default client: none is set
            job = by_key[fut.key]
            try:
                record = fut.result()
            except Exception as exc:  # noqa: BLE001 - e.g. KilledWorker: this agency fails, the run goes on
                record = crashed(job, f"集群工作进程出错：{type(exc).__name__}: {exc}")
            on_done(record)
            bar.update()
    except BaseException:
        with contextlib.suppress(Exception):
            client.cancel(futures, force=True)
        raise
    finally:
        bar.close()
        with contextlib.suppress(Exception), _quiet_distributed():
            client.run(close_kernel_pools)  # the workers outlive the run; their warm kernels do not
        with contextlib.suppress(Exception), _quiet_distributed():
            client.close()
