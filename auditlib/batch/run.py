"""The run: audit the batch, score it, run the agency pages that changed, then the shared files and the overview."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from auditlib.audit import Outcome, collect_paths
from auditlib.batch.cluster import check_address, run_cluster
from auditlib.batch.common import AGENCY_NOTEBOOK, OVERVIEW_NOTEBOOK, BatchError
from auditlib.batch.engine import run_notebook
from auditlib.batch.export import export_html, write_vega_asset
from auditlib.batch.files import (
    atomic_write,
    code_hash,
    hash_json,
    output_key,
    remove_stale_temps,
    sha256_file,
)
from auditlib.batch.jobs import AgencyJob, AgencyRecord, Hashes, RunSettings
from auditlib.batch.kernels import AGENCIES_PER_KERNEL, KERNEL_DIR_ENV, kernel_pool
from auditlib.batch.manifest import Manifest, current_entry
from auditlib.batch.outputs import (
    batch_scores_frame,
    deduction_items,
    findings_frame,
    summary_entries,
    write_findings,
)
from auditlib.batch.params import checked_parameters, load_parameters, split_parameters
from auditlib.batch.worker import run_pool
from auditlib.ingest import supported_suffixes
from auditlib.ingest.errors import UnreadableError
from auditlib.ingest.files import real_path, sha256_regular
from auditlib.review.records import Decision
from auditlib.review.store import ReviewStore, StoreError, open_store, settle_store
from auditlib.rubric import Rubric
from auditlib.runtime import RUNTIME_FOLDER, enter_runtime, remove_runtime, runtime_environment
from auditlib.score import Score


@dataclass
class BatchResult:
    out_dir: Path
    index: Path
    agencies: list[dict[str, Any]] = field(default_factory=list)
    ran: int = 0
    skipped: int = 0
    failed: int = 0
    seconds: float = 0.0

    @property
    def unreadable(self) -> int:
        return sum(1 for a in self.agencies if a["status"] == "unreadable")


@dataclass(frozen=True)
class BatchOptions:
    """How a run goes, beyond which reports and where: `run_batch`'s keyword arguments."""

    workers: int | None = None
    parameters: Mapping[str, Any] | None = None
    parameters_file: str | os.PathLike[str] | None = None
    force: bool = False
    self_contained: bool = False
    progress: bool = True
    timeout: int | None = 600
    agency_notebook: str | os.PathLike[str] | None = None
    overview_notebook: str | os.PathLike[str] | None = None
    scheduler: str | None = None  # a Dask scheduler (tcp://HOST:PORT) runs the agencies instead of local processes
    fresh_kernels: bool = False  # a new kernel for every notebook instead of one warm kernel per worker


@dataclass(frozen=True)
class _Plan:
    """A run once its options are checked: folders, notebooks, routed parameters, rubric."""

    out: Path
    options: BatchOptions
    agency_nb: Path
    overview_nb: Path
    agency_params: dict[str, Any]
    overview_params: dict[str, Any]
    rubric: Rubric
    started: float


def audit_batch(paths: Sequence[str], store: ReviewStore | None = None) -> tuple[list[Outcome], list[list[dict[str, Any]]]]:
    """Every report audited as `auditlib check` audits a folder, and each one's cross-report findings.

    The outcomes' findings are in `audit_paths` order: the report's own findings, then those of the
    rules across reports (carry-over from last year, copied text). The agency notebook rebuilds the
    same list (its own audit, then the cross-report findings passed as a parameter), so a score's
    finding indices point at the same findings in the page. Cheap: milliseconds per report.
    With a review `store`, each report's corrections apply first, so its rules, the rules across
    reports and the score all see the corrected values (`review.correct_outcome`).
    """
    from auditlib.audit import add_corpus_findings, audit_file
    from auditlib.review import correct_outcome

    outcomes = [correct_outcome(audit_file(p), store) for p in paths]
    own = [len(o.findings) for o in outcomes]
    add_corpus_findings(outcomes)
    corpus = [[f.to_dict() for f in o.findings[n:]] for o, n in zip(outcomes, own, strict=True)]
    return outcomes, corpus


def load_batch_rubric(path: str | None) -> Rubric:
    """The rubric the batch scores with: the `rubric` parameter, or parameters/rubric.yaml."""
    from auditlib.rubric import RubricError, load_rubric

    try:
        return load_rubric(path or None)
    except RubricError as exc:
        raise BatchError(str(exc)) from exc


def _score_rows(outcomes: Sequence[Outcome], rubric: Rubric,
                decisions: Mapping[str, Decision]) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[Score]]:
    """Per outcome: its score as the notebook parameter, and its row of `scores_frame` (with the rank).

    A finding the review dismissed deducts nothing (`review.score_outcomes_reviewed`).
    """
    from auditlib import render
    from auditlib.review import score_outcomes_reviewed
    from auditlib.score import scores_frame

    scores = score_outcomes_reviewed(outcomes, decisions, rubric)
    rows = scores_frame(scores, rubric).to_dicts()
    return [render.score_param(s) for s in scores], rows, scores


def _jobs(paths: Sequence[Path], settings: RunSettings, hashes: Hashes, rubric: Rubric,
          store: ReviewStore | None = None) -> list[AgencyJob]:
    """One job per report (duplicates once), with its findings, cross-report findings, score and review."""
    jobs = []
    unique = list(dict.fromkeys(str(real_path(p)) for p in paths))  # a symlink loop stays as it is
    outcomes, corpus = audit_batch(unique, store)
    decisions = store.decisions() if store is not None else {}
    scores, rows, scored = _score_rows(outcomes, rubric, decisions)
    from auditlib.render.context import batch_contexts

    pages = [f"{output_key(o.report.agency if o.report else None, o.report.year if o.report else None, p)}.html"
             for p, o in zip(unique, outcomes, strict=True)]
    # what the page shows of the other reports (copies, last year, history, peers) is one of its
    # parameters too: a change in a related report redoes this page
    contexts = batch_contexts(outcomes, scored, pages)
    for resolved, outcome, mine, score, row, context in zip(unique, outcomes, corpus, scores, rows, contexts,
                                                            strict=True):
        try:  # a FIFO among the reports must not block the run: regular files only
            digest = sha256_regular(resolved)
        except (UnreadableError, OSError):
            digest = ""  # unreadable: its UNREADABLE finding says why, on the page
        # other reports can change what this page shows: their findings and the score count as its
        # parameters (the rank does not: the page does not show it)
        # so do the review's decisions and corrections of this report (a changed decision redoes its page)
        review = store.fingerprint(outcome.report) if store is not None and outcome.report is not None else ""
        own = Hashes(params_hash=hash_json({"base": hashes.params_hash, "corpus": mine, "score": score,
                                            "review": review, "context": context}),
                     notebook_hash=hashes.notebook_hash, code_hash=hashes.code_hash)
        jobs.append(AgencyJob(
            report=resolved, settings=settings, sha256=digest,
            agency=outcome.report.agency if outcome.report else None,
            year=outcome.report.year if outcome.report else None, error=outcome.error,
            findings=tuple(f.to_dict() for f in outcome.findings), corpus_findings=tuple(mine),
            score=score, score_row=row, hashes=own, batch_context=context))
    return jobs


def run_batch(paths: Iterable[str | os.PathLike[str]], out_dir: str | os.PathLike[str], workers: int | None = None,
              parameters: Mapping[str, Any] | None = None, parameters_file: str | os.PathLike[str] | None = None,
              force: bool = False, self_contained: bool = False, progress: bool = True, timeout: int | None = 600,
              agency_notebook: str | os.PathLike[str] | None = None,
              overview_notebook: str | os.PathLike[str] | None = None, scheduler: str | None = None,
              fresh_kernels: bool = False) -> BatchResult:
    """Every report through the agency notebook (in parallel, skipping unchanged ones), then the overview.

    The keyword arguments are those of `BatchOptions` (kept flat: the CLI's and scripts' one call).
    """
    options = BatchOptions(workers=workers, parameters=parameters, parameters_file=parameters_file, force=force,
                           self_contained=self_contained, progress=progress, timeout=timeout,
                           agency_notebook=agency_notebook, overview_notebook=overview_notebook,
                           scheduler=scheduler, fresh_kernels=fresh_kernels)
    return run_batch_with(paths, out_dir, options)


def run_batch_with(paths: Iterable[str | os.PathLike[str]], out_dir: str | os.PathLike[str],
                   options: BatchOptions) -> BatchResult:
    """`run_batch` with its options as one value."""
    started = time.monotonic()
    out = Path(out_dir).resolve()
    agency_nb = Path(options.agency_notebook or AGENCY_NOTEBOOK).resolve()
    overview_nb = Path(options.overview_notebook or OVERVIEW_NOTEBOOK).resolve()
    for nb_path in (agency_nb, overview_nb):
        if not nb_path.is_file():
            raise BatchError(f"找不到笔记本 {nb_path}")
    if options.scheduler:
        check_address(options.scheduler)
    params = load_parameters(options.parameters_file)
    params.update(options.parameters or {})
    params = checked_parameters(params)
    agency_params, overview_params = split_parameters(params, agency_nb, overview_nb)
    rubric = load_batch_rubric(agency_params.get("rubric"))
    files = collect_paths([Path(p) for p in paths])
    if not files:
        raise BatchError("没有找到报告文件（支持：" + "、".join(supported_suffixes()) + "）")
    (out / "agencies").mkdir(parents=True, exist_ok=True)
    (out / "assets").mkdir(parents=True, exist_ok=True)
    plan = _Plan(out=out, options=options, agency_nb=agency_nb, overview_nb=overview_nb, agency_params=agency_params,
                 overview_params=overview_params, rubric=rubric, started=started)
    with _exclusive(out):
        return _run_locked(files, plan)


@contextlib.contextmanager
def _exclusive(out: Path) -> Iterator[None]:
    """One batch at a time per output folder (two runs would redo and overwrite each other's agencies)."""
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks here; the writes are still atomic
        yield
        return
    lock = out / ".batch.lock"
    busy = f"另一个批量运行正在使用输出文件夹 {out}，请等它结束后再运行"
    for _ in range(_LOCK_TRIES):
        fh = lock.open("w")
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            fh.close()
            raise BatchError(busy) from exc
        try:
            ours = os.stat(lock).st_ino == os.fstat(fh.fileno()).st_ino
        except FileNotFoundError:
            ours = False
        if ours:
            break
        fh.close()  # the run before removed the file we had opened as it finished: open the path again
    else:
        raise BatchError(busy)
    with fh:
        try:
            yield
        finally:
            with contextlib.suppress(OSError):
                lock.unlink()  # while still locked: a run that opened it meanwhile sees it gone and opens anew
            fcntl.flock(fh, fcntl.LOCK_UN)


_LOCK_TRIES = 5


SOCKET_DIR_MAX = 70  # a kernel's unix socket is <dir>/audit-<12 hex>-ipc-N: sun_path holds ~104 bytes


@contextlib.contextmanager
def _runtime(out: Path) -> Iterator[dict[str, str]]:
    """The run's kernel state under `out/.tmp-runtime` (IPython dir, Jupyter runtime, kernel sockets), gone at the end.

    Set in this process, whose kernels (the overview's) and spawned workers inherit it, and passed to
    the workers' initializer; the variables are put back afterwards (a notebook calling `run_batch`
    keeps its own). A folder too deep for a unix socket puts the sockets in a temp folder instead.
    """
    remove_runtime(out)  # left by a killed run (the lock says no other run is using it)
    env = runtime_environment(out)
    sockets = str(out / RUNTIME_FOLDER / "kernels")
    made = None
    if len(sockets) > SOCKET_DIR_MAX:
        sockets = made = tempfile.mkdtemp(prefix="auditlib-kernels-")
    env[KERNEL_DIR_ENV] = sockets
    previous = {name: os.environ.get(name) for name in env}
    enter_runtime(env)
    try:
        yield env
    finally:
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        remove_runtime(out)
        if made is not None:
            shutil.rmtree(made, ignore_errors=True)


def _run_locked(files: Sequence[Path], plan: _Plan) -> BatchResult:
    out, options = plan.out, plan.options
    remove_stale_temps([out, out / "agencies", out / "assets"])
    asset = write_vega_asset(out / "assets")
    settings = RunSettings(out_dir=str(out), notebook=str(plan.agency_nb), params=plan.agency_params,
                           asset=asset.name, timeout=options.timeout,
                           vega_inline=asset.read_text(encoding="utf-8") if options.self_contained else "",
                           kernel_uses=1 if options.fresh_kernels else AGENCIES_PER_KERNEL)
    hashes = Hashes(params_hash=hash_json({"params": plan.agency_params, "self_contained": options.self_contained}),
                    notebook_hash=sha256_file(plan.agency_nb), code_hash=code_hash())
    try:
        with open_store(out) as store:  # <out>/review.sqlite: created on first use, never removed by a run
            jobs = _jobs(files, settings, hashes, plan.rubric, store)
            decisions = store.decisions()
    except StoreError as exc:  # a full disk, a damaged file: one line naming it
        raise BatchError(str(exc)) from exc

    manifest = Manifest(out / "manifest.json")
    result = BatchResult(out, out / "index.html")
    records: dict[str, dict[str, Any]] = {}
    todo = []
    for job in jobs:
        entry = None if options.force else current_entry(manifest.agencies.get(job.report), job, out)
        if entry is not None:
            records[job.report] = dict(entry)
            if manifest.agencies.get(job.report) != entry:  # found in its side file: back into the manifest
                manifest.note(dict(entry))
            result.skipped += 1
        else:
            todo.append(job)

    def done(done_record: AgencyRecord) -> None:
        record = done_record.as_dict()
        old = manifest.agencies.get(record["report"])
        if old and old.get("key") != record["key"]:  # the agency got a new name: drop the old page
            for ext in (".html", ".ipynb", ".json"):
                with contextlib.suppress(OSError):
                    (out / "agencies" / f"{old['key']}{ext}").unlink()
        records[record["report"]] = record
        manifest.note(record)  # saved at a bounded cadence; the page's side file holds the record meanwhile
        result.ran += 1
        result.failed += record["status"] == "failed"

    n_workers = options.workers or os.cpu_count() or 1
    with _runtime(out) as env:
        kernels = kernel_pool()
        try:
            if todo and n_workers > 1 and len(todo) > 1:
                kernels.prelaunch()  # the overview's kernel boots while the workers run the agencies
            try:
                if options.scheduler and todo:
                    run_cluster(todo, options.scheduler, done, options.progress)
                else:
                    run_pool(todo, n_workers, done, options.progress, runtime_env=env)
            finally:  # Ctrl-C too: every agency done is in the manifest
                manifest.flush()
            ordered = [records[j.report] for j in jobs if j.report in records]
            result.agencies = ordered
            _finish_run(plan, jobs, ordered, settings, hashes, manifest, decisions)
        finally:
            kernels.close()
    with contextlib.suppress(StoreError):  # the pages only read the store: fold their WAL back in
        settle_store(out)
    result.seconds = round(time.monotonic() - plan.started, 2)
    return result


def _generated(path: Path, body: Mapping[str, Any]) -> str:
    """When these results were made: the time the last summary.json gives if its content is `body` (a rerun,
    even with --force, that changes nothing gives the same summary and overview bytes), else now."""
    try:
        last = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        last = None
    if isinstance(last, dict) and isinstance(last.get("generated"), str) and \
            {k: v for k, v in last.items() if k != "generated"} == json.loads(json.dumps(body, ensure_ascii=False)):
        return last["generated"]
    return datetime.now().isoformat(timespec="seconds")


def _finish_run(plan: _Plan, jobs: Sequence[AgencyJob], ordered: Sequence[Mapping[str, Any]],
                settings: RunSettings, hashes: Hashes, manifest: Manifest,
                decisions: Mapping[str, Decision]) -> None:
    """The run's shared outputs: findings and scores files, summary.json, and the overview page (unless unchanged)."""
    out, rubric = plan.out, plan.rubric
    scores = batch_scores_frame(ordered, jobs)
    findings = findings_frame(ordered, out)
    write_findings(findings, out, scores, decisions, deduction_items(jobs, rubric), rubric)
    summary = summary_entries(ordered, scores, {j.report: j.batch_context for j in jobs})
    body = {"rubric": rubric.path, "grades": [{"grade": g, "min": low} for g, low in rubric.grades],
            "agencies": summary}
    atomic_write(out / "summary.json", json.dumps({"generated": _generated(out / "summary.json", body), **body},
                                                  ensure_ascii=False, indent=1))

    overview_hash = hash_json({"summary": summary, "params": plan.overview_params, "nb": sha256_file(plan.overview_nb),
                               "code": hashes.code_hash,
                               "self_contained": plan.options.self_contained,
                               "findings": sha256_file(out / "findings.parquet")})
    index_ok = (out / "index.html").is_file() and (out / "overview.ipynb").is_file()
    if plan.options.force or not index_ok or manifest.overview.get("hash") != overview_hash:
        nb, error = run_notebook(str(plan.overview_nb), out / "overview.ipynb",
                                 {**plan.overview_params, "run_dir": str(out)},
                                 settings.timeout, "政府信息公开工作年度报告审核总览", prelaunch=False,
                                 max_uses=settings.kernel_uses)
        atomic_write(out / "index.html", export_html(nb, vega_src=f"assets/{settings.asset}",
                                                     vega_inline=settings.vega_inline))
        manifest.overview = {"hash": overview_hash, "status": "failed" if error else "ok", "error": error}
        manifest.save()
