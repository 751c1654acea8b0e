"""One agency in a worker process (`run_agency`), and the pool of worker processes (`run_pool`)."""

from __future__ import annotations

import contextlib
import json
import sys
import time
import traceback
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import get_context
from pathlib import Path

from auditlib.batch.engine import run_notebook
from auditlib.batch.export import export_html, fallback_page
from auditlib.batch.files import atomic_write, output_key
from auditlib.batch.jobs import AgencyJob, AgencyRecord
from auditlib.runtime import worker_init


def run_agency(job: AgencyJob) -> AgencyRecord:
    """Audit one report, execute its notebook, write its page; never raises for a bad report or notebook."""
    from auditlib import render

    started = time.monotonic()
    settings = job.settings
    agency, year = job.agency, job.year
    key = output_key(agency, year, job.report)
    agencies_dir = Path(settings.out_dir) / "agencies"
    params = dict(settings.params)
    # The parent audited every report together (`audit_batch`); the page selects the same way (agency_page).
    found = [render.finding_from_dict(d) for d in job.findings]
    shown = render.selected_indices(found, params.get("rules") or (), params.get("exclude_rules") or (),
                                   params.get("min_severity", "info"))
    selected = [found[k] for k in shown]
    frame = render.findings_frame(selected, shown)
    title = (f"{agency or Path(job.report).name} {year or ''} 政府信息公开工作年度报告审核").replace("  ", " ")
    status, error = ("ok", None) if job.error is None else ("unreadable", job.error)
    try:
        nb, nb_error = run_notebook(settings.notebook, agencies_dir / f"{key}.ipynb",
                                    {**params, "report_path": job.report, "index_href": "../index.html", "run_dir": settings.out_dir,
                                     "corpus_findings": list(job.corpus_findings), "score": job.score,
                                     "batch_context": job.batch_context or {}},
                                    settings.timeout, title, max_uses=settings.kernel_uses)
        if nb_error:
            status, error = "failed", nb_error
        page = export_html(nb, vega_src=f"../assets/{settings.asset}", vega_inline=settings.vega_inline)
        atomic_write(agencies_dir / f"{key}.html", page)
    except Exception as exc:  # noqa: BLE001 - e.g. the export itself failed: say so in a minimal page
        status, error = "failed", f"生成页面时出错：{type(exc).__name__}: {exc}"
        atomic_write(agencies_dir / f"{key}.html", fallback_page(title, error, traceback.format_exc()))
    counts = render.severity_counts(frame)
    record = AgencyRecord(
        key=key, report=job.report, agency=agency, year=year, status=status, error=error,
        page=f"agencies/{key}.html", notebook=f"agencies/{key}.ipynb",
        errors=counts["error"], warnings=counts["warning"], infos=counts["info"],
        worst_rule=render.worst_rule(frame), seconds=round(time.monotonic() - started, 2),
        sha256=job.sha256, **job.hashes.as_dict())
    side = {**record.as_dict(), "findings": [f.to_dict() for f in selected]}
    atomic_write(agencies_dir / f"{key}.json", json.dumps(side, ensure_ascii=False, indent=1))
    return record


def crashed(job: AgencyJob, error: str) -> AgencyRecord:
    """The record (and a minimal page) of an agency whose worker process died under it."""
    key = output_key(None, None, job.report)
    title = f"{Path(job.report).name} 政府信息公开工作年度报告审核"
    with contextlib.suppress(OSError):
        atomic_write(Path(job.settings.out_dir) / "agencies" / f"{key}.html", fallback_page(title, error, ""))
    return AgencyRecord(key=key, report=job.report, agency=None, year=None, status="failed", error=error,
                        page=f"agencies/{key}.html", notebook=f"agencies/{key}.ipynb", errors=0, warnings=0,
                        infos=0, worst_rule=None, seconds=0.0, sha256=job.sha256, **job.hashes.as_dict())


def run_pool(jobs: Sequence[AgencyJob], workers: int, on_done: Callable[[AgencyRecord], None],
             progress: bool, runtime_env: Mapping[str, str] | None = None) -> None:
    """Run every job, `workers` at a time in spawned processes; on Ctrl-C stop at once, keeping what is done.

    Each worker starts in `runtime.worker_init`: Ctrl-C is left to the main process, the worker ends
    when the main process does (even killed), and it and its kernels keep their state in `runtime_env`.
    """
    from tqdm import tqdm

    bar = tqdm(total=len(jobs), desc="生成审核页面", unit="个机关", file=sys.stderr, disable=not progress,
               dynamic_ncols=True)
    try:
        if len(jobs) == 1:  # one notebook: not worth starting a pool
            on_done(run_agency(jobs[0]))
            bar.update()
            return
        # spawn, not fork: polars' thread pool in this process must not be forked mid-flight
        pool = ProcessPoolExecutor(max_workers=max(1, min(workers, len(jobs))), mp_context=get_context("spawn"),
                                   initializer=worker_init, initargs=(dict(runtime_env or {}),))
        futures: dict[Future[AgencyRecord], AgencyJob] = {pool.submit(run_agency, j): j for j in jobs}
        try:
            for fut in as_completed(futures):
                job = futures[fut]
                try:
                    record = fut.result()
                except BrokenProcessPool as exc:
                    # also what a script calling run_batch() without `if __name__ == "__main__":` gets:
                    # spawned workers re-import the script's main module
                    record = crashed(job, f"工作进程意外退出：{exc}（从 Python 脚本调用时，请把调用放在 "
                                          "if __name__ == \"__main__\": 之下）")
                except Exception as exc:  # noqa: BLE001 - an unexpected bug in one agency; go on
                    record = crashed(job, f"{type(exc).__name__}: {exc}")
                on_done(record)
                bar.update()
        except BaseException:
            # Ctrl-C: agencies in flight are dropped (their temp files are removed by the next run, which
            # redoes them); finished ones are already in the manifest.
            workers_now = list((getattr(pool, "_processes", None) or {}).values())
            pool.shutdown(wait=False, cancel_futures=True)
            for proc in workers_now:
                proc.terminate()
            raise
        finally:
            pool.shutdown(wait=True)
    finally:
        bar.close()
