"""The batch run: the agency notebook over every report (papermill, in parallel), then the overview.

No audit logic lives here: a worker executes `notebooks/agency_audit.ipynb` for one report with a
fresh kernel, exports it with the offline `audit` template and records the result. The run folder:

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
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import html
import json
import os
import re
import shutil
import sys
import tempfile
import time
import traceback
import unicodedata
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import datetime
from multiprocessing import get_context
from pathlib import Path
from typing import Any

# jsonschema (imported by nbformat here, and by Altair in every kernel) eagerly imports `rfc3987_syntax`,
# which compiles ~35 Lark grammars at import time (≈1.3 s, python-jsonschema/jsonschema#1428) to check
# the "iri" format that no notebook or Vega-Lite schema uses. Without it jsonschema simply has no "iri"
# checker. Skipped in this process and, through KERNEL_EXEC_LINES, in each agency's kernel.
if "jsonschema" not in sys.modules:
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]

import polars as pl  # noqa: E402

from auditlib.audit import Outcome, collect_paths  # noqa: E402
from auditlib.ingest import supported_suffixes  # noqa: E402
from auditlib.score import Rubric  # noqa: E402

__all__ = [
    "BatchError",
    "BatchResult",
    "atomic_write",
    "default_parameters",
    "export_html",
    "output_key",
    "run_agency",
    "run_batch",
    "safe_name",
]

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent
NOTEBOOKS_DIR = PROJECT_DIR / "notebooks"
PARAMETERS_DIR = PROJECT_DIR / "parameters"
AGENCY_NOTEBOOK = NOTEBOOKS_DIR / "agency_audit.ipynb"
OVERVIEW_NOTEBOOK = NOTEBOOKS_DIR / "overview.ipynb"
TEMPLATES_DIR = PACKAGE_DIR / "templates"
VEGA_LITE_VERSION = "5.20"  # the schema Altair 5.5 writes (v5.20.1)
VEGA_MIMETYPE = "application/vnd.vegalite.v5+json"
VEGA_GLOBALS = "window.vegaEmbed = vegaEmbed; window.vega = vega; window.vegaLite = vegaLite;"
SET_BY_BATCH = frozenset({"report_path", "index_href", "run_dir", "corpus_findings", "score"})  # the batch fills these in
LIVE_ONLY_TAG = "live-only"  # cells (the ipywidgets drill-down) left out of the exported page
TMP_PREFIX = ".tmp-"
MANIFEST_VERSION = 1


class BatchError(Exception):
    """A batch that cannot start (bad parameters, missing notebook); the message is Chinese."""


# ---------------------------------------------------------------------------------------------
# Names and files
# ---------------------------------------------------------------------------------------------

_UNSAFE = re.compile(r'[\\/:*?"<>|{}#%\x00-\x1f\x7f]')


def safe_name(name: str | None, fallback: str = "未识别机关", max_chars: int = 60) -> str:
    """A file name from an agency name: Chinese kept; separators, control characters and leading dots gone.

    The result never contains a path separator and is never `.` or `..`, so it cannot leave its folder.
    """
    text = re.sub(r"\s+", "_", unicodedata.normalize("NFC", name or ""))
    text = "".join(ch for ch in text if not unicodedata.category(ch).startswith("C"))  # controls, bidi marks
    text = _UNSAFE.sub("_", text).strip("._ ")[:max_chars].strip("._ ")
    return text or fallback


def _short_hash(text: str, n: int = 8) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:n]


def output_key(agency: str | None, year: int | None, report_path: str | os.PathLike[str]) -> str:
    """The agency's output name: `红旗区人民政府-2024-1a2b3c4d`, the hash from the report's path.

    Two reports of agencies with the same name get different names; the same report keeps its name
    from run to run (which is what lets a re-run find and skip it).
    """
    resolved = str(Path(report_path).resolve())
    stem = safe_name(agency or Path(report_path).stem)
    middle = f"-{year}" if isinstance(year, int) else ""
    return f"{stem}{middle}-{_short_hash(resolved)}"


def atomic_write(path: str | os.PathLike[str], data: str | bytes) -> None:
    """Write a file so that readers see the old content or the new, never a part: temp file + rename."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f"{TMP_PREFIX}{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data.encode("utf-8") if isinstance(data, str) else data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _remove_stale_temps(folders: Iterable[Path]) -> None:
    """Temp files of an interrupted run; the files they were meant to replace are intact."""
    for folder in folders:
        if folder.is_dir():
            for leftover in folder.glob(TMP_PREFIX + "*"):
                with contextlib.suppress(OSError):
                    leftover.unlink()


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _hash_json(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


def code_hash() -> str:
    """The library's code and templates: a change in a rule or the page template re-runs every agency."""
    h = hashlib.sha256()
    for p in sorted(PACKAGE_DIR.rglob("*")):
        if p.is_file() and p.suffix in {".py", ".j2", ".json", ".css"} and "__pycache__" not in p.parts:
            h.update(str(p.relative_to(PACKAGE_DIR)).encode())
            h.update(p.read_bytes())
    return h.hexdigest()


# ---------------------------------------------------------------------------------------------
# Parameters
# ---------------------------------------------------------------------------------------------


def notebook_parameters(notebook: str | os.PathLike[str]) -> dict[str, Any]:
    """name → default of a notebook's `parameters` cell (papermill's own parser, no kernel)."""
    import papermill as pm

    return {name: info["default"] for name, info in pm.inspect_notebook(str(notebook)).items()}


def _check_json_primitive(name: str, value: Any) -> None:
    if value is None or isinstance(value, str | bool | int | float):
        return
    if isinstance(value, list):
        for v in value:
            _check_json_primitive(name, v)
        return
    if isinstance(value, dict):
        for k, v in value.items():
            if not isinstance(k, str):
                raise BatchError(f"参数 {name} 的键必须是字符串：{k!r}")
            _check_json_primitive(name, v)
        return
    # papermill pastes str() of other types between quotes unescaped: never pass them on
    raise BatchError(f"参数 {name} 的值类型 {type(value).__name__} 不受支持（只允许字符串、数字、布尔、空值、列表和字典）")


def default_parameters() -> dict[str, Any]:
    """The default rule set and thresholds: parameters/defaults.yaml (keys of the notebooks' parameters)."""
    import yaml

    path = PARAMETERS_DIR / "defaults.yaml"
    if not path.exists():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise BatchError(f"{path} 应为“参数名: 值”的映射")
    return data


def load_parameters(path: str | os.PathLike[str] | None) -> dict[str, Any]:
    """A batch parameter file (YAML), on top of the defaults."""
    import yaml

    params = default_parameters()
    if path is not None:
        p = Path(path)
        try:
            data = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise BatchError(f"无法读取参数文件 {p}：{exc}") from exc
        if not isinstance(data, dict):
            raise BatchError(f"参数文件 {p} 应为“参数名: 值”的映射")
        params.update(data)
    return params


def split_parameters(params: Mapping[str, Any], agency_nb: Path, overview_nb: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """Route each parameter to the notebooks that declare it; unknown names and unsafe values are refused."""
    agency_known = notebook_parameters(agency_nb)
    overview_known = notebook_parameters(overview_nb)
    agency: dict[str, Any] = {}
    overview: dict[str, Any] = {}
    for name, value in params.items():
        if name in SET_BY_BATCH:
            raise BatchError(f"参数 {name} 由批量运行自动填写，不能在参数文件中设置")
        if name not in agency_known and name not in overview_known:
            known = "、".join(sorted((set(agency_known) | set(overview_known)) - SET_BY_BATCH))
            raise BatchError(f"未知参数 {name}（笔记本接受的参数：{known}）")
        _check_json_primitive(name, value)
        if name in agency_known:
            agency[name] = value
        if name in overview_known:
            overview[name] = value
    return agency, overview


# ---------------------------------------------------------------------------------------------
# Kernels and HTML export (one of each per worker process)
# ---------------------------------------------------------------------------------------------


# Run in every agency kernel before the notebook: skip the slow optional import (above) and load the
# library the notebook is about to import, so a pre-launched kernel has done that work by the time it
# is handed an agency. Nothing is left in the user namespace.
# Where a run's kernels put their sockets and connection files: a folder the run removes at its end, so
# that kernels left behind by an interrupted run (they exit when their worker dies) leave nothing either.
KERNEL_DIR_ENV = "AUDITLIB_KERNEL_DIR"
KERNEL_EXEC_LINES = ("import sys; sys.modules.setdefault('rfc3987_syntax', None); "
                     "import auditlib.charts, auditlib.views, auditlib.widgets; del sys, auditlib")


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


def _kernel_pool() -> KernelPool:
    """This process's pool; its spare kernel is shut down when the process ends."""
    global _POOL
    if _POOL is None:
        import atexit
        from multiprocessing import util

        _POOL = KernelPool()
        atexit.register(_POOL.close)  # the main process
        util.Finalize(_POOL, _POOL.close, exitpriority=10)  # pool workers leave through os._exit
    return _POOL


def vega_json(spec: Any) -> str:
    """A spec as JSON that is safe inside `<script type="application/json">`: no `<`, `>` or `&` as such."""
    text = json.dumps(spec, ensure_ascii=False, separators=(",", ":"))
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


_EXPORTER: Any = None


def _exporter() -> Any:
    """The process's one HTMLExporter (building one costs more than exporting a page)."""
    global _EXPORTER
    if _EXPORTER is None:
        from nbconvert import HTMLExporter
        from traitlets.config import Config

        class AuditHTMLExporter(HTMLExporter):
            def _validate_preprocessor(self, nbc: Any, preprocessor: Any) -> None:
                # papermill's output is valid; re-validating after every preprocessor is most of the export time
                return None

        c = Config()
        c.HTMLExporter.exclude_input = True
        c.HTMLExporter.exclude_input_prompt = True
        c.HTMLExporter.exclude_output_prompt = True
        c.HTMLExporter.language_code = "zh"
        c.HTMLExporter.embed_images = False
        c.TagRemovePreprocessor.enabled = True
        c.TagRemovePreprocessor.remove_cell_tags = {LIVE_ONLY_TAG}
        c.NbConvertBase.display_data_priority = [
            VEGA_MIMETYPE, "text/html", "image/svg+xml", "image/png", "image/jpeg", "text/markdown", "text/plain",
        ]
        exporter = AuditHTMLExporter(config=c, template_name="audit", extra_template_basedirs=[str(TEMPLATES_DIR)])
        exporter.register_filter("vega_json", vega_json)
        _EXPORTER = exporter
    return _EXPORTER


_CSS: str | None = None


def _css() -> str:
    global _CSS
    if _CSS is None:
        _CSS = (TEMPLATES_DIR / "audit" / "static" / "audit.css").read_text(encoding="utf-8")
    return _CSS


def vega_asset_name() -> str:
    from importlib.metadata import version

    return f"vega-embed-vlc{version('vl-convert-python')}-vl{VEGA_LITE_VERSION}.js"


def _cache_dir() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "auditlib"


def vega_bundle() -> str:
    """The vega-embed + Vega + Vega-Lite bundle from vl-convert (no network); cached, as building it takes ~2 s."""
    cached = _cache_dir() / vega_asset_name()
    with contextlib.suppress(OSError):
        text = cached.read_text(encoding="utf-8")
        if "window.vegaEmbed" in text:
            return text
    import vl_convert as vlc

    bundle = vlc.javascript_bundle(VEGA_GLOBALS, vl_version=VEGA_LITE_VERSION)
    if "window.vegaEmbed" not in bundle:
        raise BatchError("vl-convert 的脚本包没有定义 vegaEmbed，无法生成离线图表")
    with contextlib.suppress(OSError):
        atomic_write(cached, bundle)
    return bundle


def write_vega_asset(assets_dir: Path) -> Path:
    """The chart library, written once per run folder and referenced relatively by every page."""
    target = assets_dir / vega_asset_name()
    if not target.exists():
        atomic_write(target, vega_bundle())
    return target


def export_html(nb: Any, vega_src: str = "", vega_inline: str = "") -> str:
    """An executed notebook as the inspector's page: inputs hidden, Chinese, nothing loaded from outside."""
    nb = copy.deepcopy(nb)
    nb.metadata.pop("widgets", None)  # widget state needs the widget manager from a CDN: never ship it
    resources = {"audit": {"vega_src": vega_src, "vega_inline": vega_inline.replace("</script", "<\\/script"),
                           "css": _css()}}
    body, _ = _exporter().from_notebook_node(nb, resources=resources)
    return str(body)


PAPERMILL_ERROR_TAG = "papermill-error-cell-tag"


def _chinese_error_markers(nb: Any) -> None:
    """Papermill's two English error markers: drop the headline (our banner says it), translate the anchor."""
    kept = []
    for cell in nb.cells:
        if PAPERMILL_ERROR_TAG in cell.get("metadata", {}).get("tags", []):
            if 'id="papermill-error-cell"' not in cell.source:
                continue
            cell.source = ('<span id="papermill-error-cell" style="color:#c0392b;font-weight:700;font-size:1.2em;">'
                           "笔记本在此处出错，之后的单元格没有执行：</span>")
        kept.append(cell)
    nb.cells = kept


def _banner_cell(message: str) -> Any:
    """A first cell that says, in the page, why this page is incomplete (text escaped)."""
    import nbformat

    cell = nbformat.v4.new_code_cell(source="# 批量运行插入：本页生成失败的原因")
    cell.metadata["tags"] = ["audit-error"]
    cell.outputs = [nbformat.v4.new_output(
        "display_data",
        data={"text/html": (
            "<div class='audit-error' style='background:#fdecea;border-left:5px solid #c0392b;padding:10px 14px;"
            "margin:8px 0;'><b>本页生成失败，以下内容可能不完整。</b><br>"
            f"{html.escape(message)}<br><a href='#papermill-error-cell'>跳到出错位置</a></div>"),
            "text/plain": message},
    )]
    return cell


# ---------------------------------------------------------------------------------------------
# One agency (runs in a worker process)
# ---------------------------------------------------------------------------------------------


def _execute(notebook: str, out_tmp: Path, parameters: dict[str, Any], timeout: int | None,
             prelaunch: bool = True) -> Any:
    import papermill as pm

    pool = _kernel_pool()
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
        _chinese_error_markers(nb)
        nb.cells.insert(0, _banner_cell(error))
    atomic_write(target, nbformat.writes(nb))
    return nb, error


def run_agency(job: Mapping[str, Any]) -> dict[str, Any]:
    """Audit one report, execute its notebook, write its page; never raises for a bad report or notebook."""
    from auditlib import views

    started = time.monotonic()
    out_dir = Path(job["out_dir"])
    agency, year = job["agency"], job["year"]
    key = output_key(agency, year, job["report"])
    agencies_dir = out_dir / "agencies"
    params = dict(job["params"])
    corpus = list(job.get("corpus_findings") or [])
    # The parent audited every report together (`audit_batch`); the page selects the same way (agency_page).
    found = [views.finding_from_dict(d) for d in job["findings"]]
    shown = views.selected_indices(found, params.get("rules") or (), params.get("exclude_rules") or (),
                                   params.get("min_severity", "info"))
    selected = [found[k] for k in shown]
    frame = views.findings_frame(selected, shown)
    title = (f"{agency or Path(job['report']).name} {year or ''} 政府信息公开工作年度报告审核").replace("  ", " ")
    status, error = ("ok", None) if job["error"] is None else ("unreadable", job["error"])
    try:
        nb, nb_error = run_notebook(job["notebook"], agencies_dir / f"{key}.ipynb",
                                    {**params, "report_path": job["report"], "index_href": "../index.html",
                                     "corpus_findings": corpus, "score": job.get("score")},
                                    job.get("timeout"), title)
        if nb_error:
            status, error = "failed", nb_error
        page = export_html(nb, vega_src=f"../assets/{job['asset']}", vega_inline=job.get("vega_inline", ""))
        atomic_write(agencies_dir / f"{key}.html", page)
    except Exception as exc:  # noqa: BLE001 - e.g. the export itself failed: say so in a minimal page
        status, error = "failed", f"生成页面时出错：{type(exc).__name__}: {exc}"
        atomic_write(agencies_dir / f"{key}.html", _fallback_page(title, error, traceback.format_exc()))
    counts = views.severity_counts(frame)
    record = {
        "key": key, "report": job["report"], "agency": agency, "year": year, "status": status, "error": error,
        "page": f"agencies/{key}.html", "notebook": f"agencies/{key}.ipynb",
        "errors": counts["error"], "warnings": counts["warning"], "infos": counts["info"],
        "worst_rule": views.worst_rule(frame), "seconds": round(time.monotonic() - started, 2),
        "sha256": job["sha256"], "params_hash": job["params_hash"], "notebook_hash": job["notebook_hash"],
        "code_hash": job["code_hash"],
        "findings": [f.to_dict() for f in selected],
    }
    atomic_write(agencies_dir / f"{key}.json", json.dumps(record, ensure_ascii=False, indent=1))
    record.pop("findings")
    return record


def _fallback_page(title: str, error: str, detail: str) -> str:
    return (f'<!DOCTYPE html><html lang="zh"><head><meta charset="utf-8"><title>{html.escape(title)}</title></head>'
            f"<body style='font-family:sans-serif;'><h1>{html.escape(title)}</h1>"
            f"<p style='color:#c0392b;'>{html.escape(error)}</p><pre>{html.escape(detail)}</pre>"
            "<p><a href='../index.html'>← 返回总览</a></p></body></html>")


# ---------------------------------------------------------------------------------------------
# The run
# ---------------------------------------------------------------------------------------------


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


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _up_to_date(entry: Mapping[str, Any] | None, job: Mapping[str, Any], out_dir: Path) -> bool:
    if not entry or entry.get("status") not in ("ok", "unreadable"):
        return False  # failed agencies are retried
    if any(entry.get(k) != job[k] for k in ("sha256", "params_hash", "notebook_hash", "code_hash")):
        return False
    key = entry.get("key", "")
    return all((out_dir / "agencies" / f"{key}{ext}").is_file() for ext in (".html", ".ipynb", ".json"))


class _Manifest:
    """DIR/manifest.json: per report (absolute path) the hashes and status of its last run."""

    def __init__(self, path: Path) -> None:
        self.path = path
        data = _read_json(path) or {}
        if data.get("version") != MANIFEST_VERSION:
            data = {}
        self.agencies: dict[str, dict[str, Any]] = dict(data.get("agencies") or {})
        self.overview: dict[str, Any] = dict(data.get("overview") or {})

    def save(self) -> None:
        atomic_write(self.path, json.dumps({
            "version": MANIFEST_VERSION, "updated": datetime.now().isoformat(timespec="seconds"),
            "agencies": self.agencies, "overview": self.overview,
        }, ensure_ascii=False, indent=1))


def _findings_frame(records: Sequence[Mapping[str, Any]], out_dir: Path) -> pl.DataFrame:
    """Every agency's findings (as its page shows them) in one frame, with the agency's key and page."""
    from auditlib.findings import FINDINGS_SCHEMA, SEVERITY_LABELS

    rows = []
    for rec in records:
        side = _read_json(out_dir / "agencies" / f"{rec['key']}.json") or {}
        for f in side.get("findings", []):
            rows.append({"key": rec["key"], "page": rec["page"], "report": f.get("report"), "agency": f.get("agency"),
                         "year": f.get("year"), "rule": f.get("rule"), "severity": f.get("severity"),
                         "severity_label": SEVERITY_LABELS.get(f.get("severity"), ""),
                         "message": f.get("message"), "cells": f.get("cells") or [], "lines": f.get("lines") or []})
    schema = {"key": pl.String, "page": pl.String, **FINDINGS_SCHEMA}
    return pl.DataFrame(rows, schema=schema)


EXCEL_HEADERS = {"agency": "机关", "year": "年度", "severity_label": "级别", "rule": "规则", "message": "问题说明",
                 "cells": "涉及单元格", "lines": "原文行号", "score": "得分", "grade": "等级", "report": "报告文件",
                 "page": "审核页面"}
SCORE_HEADERS = {"rank": "名次", "agency": "机关", "year": "年度", "score": "得分", "grade": "等级", "deductions": "扣分",
                 "unassessed": "未评项目（不扣分）", "report": "报告文件", "page": "审核页面"}


def write_findings(frame: pl.DataFrame, out_dir: Path, scores: pl.DataFrame) -> None:
    """findings.parquet (lists kept), findings.csv (UTF-8 with BOM, lists joined by ;) and findings.xlsx, each
    finding with its agency's score and grade; and scores.csv (one row per agency, by rank), also the
    xlsx's sheet 「评分」.
    """
    import io

    import xlsxwriter

    from auditlib.score import add_scores

    frame = add_scores(frame, scores)
    flat = frame.with_columns(pl.col("cells").list.join(";"),
                              pl.col("lines").cast(pl.List(pl.String)).list.join(";"))
    buf = io.BytesIO()
    frame.write_parquet(buf)
    atomic_write(out_dir / "findings.parquet", buf.getvalue())
    buf = io.BytesIO()
    flat.write_csv(buf, include_bom=True)
    atomic_write(out_dir / "findings.csv", buf.getvalue())
    ranked = scores.with_row_index("_order").sort("rank", "_order", nulls_last=True).drop("_order")
    buf = io.BytesIO()
    ranked.write_csv(buf, include_bom=True)
    atomic_write(out_dir / "scores.csv", buf.getvalue())
    buf = io.BytesIO()
    with xlsxwriter.Workbook(buf, {"in_memory": True}) as book:
        flat.select(list(EXCEL_HEADERS)).rename(EXCEL_HEADERS).write_excel(
            book, worksheet="问题清单", autofit=True, header_format={"bold": True}, table_style="Table Style Light 9")
        ranked.select(list(SCORE_HEADERS)).rename(SCORE_HEADERS).write_excel(
            book, worksheet="评分", autofit=True, header_format={"bold": True}, table_style="Table Style Light 9")
    atomic_write(out_dir / "findings.xlsx", buf.getvalue())


def audit_batch(paths: Sequence[str]) -> tuple[list[Outcome], list[list[dict[str, Any]]]]:
    """Every report audited as `auditlib check` audits a folder, and each one's cross-report findings.

    The outcomes' findings are in `audit_paths` order: the report's own findings, then those of the
    rules across reports (carry-over from last year, copied text). The agency notebook rebuilds the
    same list (its own audit, then the cross-report findings passed as a parameter), so a score's
    finding indices point at the same findings in the page. Cheap: milliseconds per report.
    """
    from auditlib.audit import add_corpus_findings, audit_file

    outcomes = [audit_file(p) for p in paths]
    own = [len(o.findings) for o in outcomes]
    add_corpus_findings(outcomes)
    corpus = [[f.to_dict() for f in o.findings[n:]] for o, n in zip(outcomes, own, strict=True)]
    return outcomes, corpus


def load_batch_rubric(path: str | None) -> Rubric:
    """The rubric the batch scores with: the `rubric` parameter, or parameters/rubric.yaml."""
    from auditlib.score import RubricError, load_rubric

    try:
        return load_rubric(path or None)
    except RubricError as exc:
        raise BatchError(str(exc)) from exc


def _score_rows(outcomes: Sequence[Outcome], rubric: Rubric) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Per outcome: its score as the notebook parameter, and its row of `scores_frame` (with the rank)."""
    from auditlib import views
    from auditlib.score import score_outcomes, scores_frame

    scores = score_outcomes(outcomes, rubric)
    rows = scores_frame(scores, rubric).to_dicts()
    return [views.score_param(s) for s in scores], rows


def _jobs(paths: Sequence[Path], out_dir: Path, params: dict[str, Any], notebook: Path, hashes: dict[str, str],
          asset: str, timeout: int | None, vega_inline: str, rubric: Rubric) -> list[dict[str, Any]]:
    jobs = []
    unique = list(dict.fromkeys(str(p.resolve()) for p in paths))
    outcomes, corpus = audit_batch(unique)
    scores, rows = _score_rows(outcomes, rubric)
    for resolved, outcome, mine, score, row in zip(unique, outcomes, corpus, scores, rows, strict=True):
        try:
            digest = _sha256_file(Path(resolved))
        except OSError:
            digest = ""  # unreadable: the worker says why on the page
        jobs.append({"report": resolved, "out_dir": str(out_dir), "params": params, "notebook": str(notebook),
                     "sha256": digest, "asset": asset, "timeout": timeout, "vega_inline": vega_inline,
                     "agency": outcome.report.agency if outcome.report else None,
                     "year": outcome.report.year if outcome.report else None, "error": outcome.error,
                     "findings": [f.to_dict() for f in outcome.findings],
                     "corpus_findings": mine, "score": score, "score_row": row, **hashes,
                     # other reports can change what this page shows: their findings and the score count as
                     # its parameters (the rank does not: the page does not show it)
                     "params_hash": _hash_json({"base": hashes["params_hash"], "corpus": mine, "score": score})})
    return jobs


def _ignore_sigint() -> None:
    """Pool workers leave Ctrl-C to the main process, which stops them (kernels run in their own session)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _run_pool(jobs: list[dict[str, Any]], workers: int, on_done: Callable[[dict[str, Any]], None],
              progress: bool) -> None:
    """Run every job, `workers` at a time in spawned processes; on Ctrl-C stop at once, keeping what is done."""
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
                                   initializer=_ignore_sigint)
        futures: dict[Future[dict[str, Any]], dict[str, Any]] = {pool.submit(run_agency, j): j for j in jobs}
        try:
            for fut in as_completed(futures):
                job = futures[fut]
                try:
                    record = fut.result()
                except BrokenProcessPool as exc:
                    # also what a script calling run_batch() without `if __name__ == "__main__":` gets:
                    # spawned workers re-import the script's main module
                    record = _crashed(job, f"工作进程意外退出：{exc}（从 Python 脚本调用时，请把调用放在 "
                                           "if __name__ == \"__main__\": 之下）")
                except Exception as exc:  # noqa: BLE001 - an unexpected bug in one agency; go on
                    record = _crashed(job, f"{type(exc).__name__}: {exc}")
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


def _crashed(job: Mapping[str, Any], error: str) -> dict[str, Any]:
    """The record (and a minimal page) of an agency whose worker process died under it."""
    key = output_key(None, None, job["report"])
    title = f"{Path(job['report']).name} 政府信息公开工作年度报告审核"
    with contextlib.suppress(OSError):
        atomic_write(Path(job["out_dir"]) / "agencies" / f"{key}.html", _fallback_page(title, error, ""))
    return {"key": key, "report": job["report"], "agency": None, "year": None, "status": "failed", "error": error,
            "page": f"agencies/{key}.html", "notebook": f"agencies/{key}.ipynb", "errors": 0, "warnings": 0,
            "infos": 0, "worst_rule": None, "seconds": 0.0, "sha256": job["sha256"], "params_hash": job["params_hash"],
            "notebook_hash": job["notebook_hash"], "code_hash": job["code_hash"]}


def _summary(records: Sequence[Mapping[str, Any]], scores: pl.DataFrame) -> list[dict[str, Any]]:
    """One entry per agency for summary.json: its record, and its score, grade, rank and deductions."""
    from auditlib.score import json_number

    keys = ("key", "agency", "year", "report", "page", "notebook", "status", "error", "errors", "warnings", "infos",
            "worst_rule")
    by_report = {row["report"]: row for row in scores.iter_rows(named=True)}
    out = []
    for r in records:
        row = by_report.get(r["report"], {})
        score = row.get("score")
        out.append({**{k: r.get(k) for k in keys},
                    "score": json_number(score) if score is not None else None,
                    "grade": row.get("grade"), "rank": row.get("rank"), "deductions": row.get("deductions")})
    return out


SCORES_COLUMNS = ("key", "page", "report", "agency", "year", "score", "grade", "rank", "lost", "deductions",
                  "unassessed", "summary")


def _scores_frame(records: Sequence[Mapping[str, Any]], jobs: Sequence[Mapping[str, Any]]) -> pl.DataFrame:
    """One row per agency (run order): `auditlib.score.scores_frame` for the batch, with the agency's key and page."""
    from auditlib.score import SCORES_SCHEMA

    by_report = {r["report"]: r for r in records}
    rows = [{**j["score_row"], "key": by_report[j["report"]]["key"], "page": by_report[j["report"]]["page"]}
            for j in jobs if j["report"] in by_report]
    schema = {"key": pl.String, "page": pl.String, **SCORES_SCHEMA}
    return pl.DataFrame(rows, schema=schema).select(SCORES_COLUMNS)


def run_batch(paths: Iterable[str | os.PathLike[str]], out_dir: str | os.PathLike[str], workers: int | None = None,
              parameters: Mapping[str, Any] | None = None, parameters_file: str | os.PathLike[str] | None = None,
              force: bool = False, self_contained: bool = False, progress: bool = True, timeout: int | None = 600,
              agency_notebook: str | os.PathLike[str] | None = None,
              overview_notebook: str | os.PathLike[str] | None = None) -> BatchResult:
    """Every report through the agency notebook (in parallel, skipping unchanged ones), then the overview."""
    started = time.monotonic()
    out = Path(out_dir).resolve()
    agency_nb = Path(agency_notebook or AGENCY_NOTEBOOK).resolve()
    overview_nb = Path(overview_notebook or OVERVIEW_NOTEBOOK).resolve()
    for nb_path in (agency_nb, overview_nb):
        if not nb_path.is_file():
            raise BatchError(f"找不到笔记本 {nb_path}")
    params = load_parameters(parameters_file)
    params.update(parameters or {})
    agency_params, overview_params = split_parameters(params, agency_nb, overview_nb)
    rubric = load_batch_rubric(agency_params.get("rubric"))
    files = collect_paths([Path(p) for p in paths])
    if not files:
        raise BatchError("没有找到报告文件（支持：" + "、".join(supported_suffixes()) + "）")
    (out / "agencies").mkdir(parents=True, exist_ok=True)
    (out / "assets").mkdir(parents=True, exist_ok=True)
    with _exclusive(out):
        return _run_locked(files, out, workers, agency_params, overview_params, agency_nb, overview_nb, force,
                           self_contained, progress, timeout, started, rubric)


@contextlib.contextmanager
def _exclusive(out: Path) -> Iterator[None]:
    """One batch at a time per output folder (two runs would redo and overwrite each other's agencies)."""
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks here; the writes are still atomic
        yield
        return
    with (out / ".batch.lock").open("w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            raise BatchError(f"另一个批量运行正在使用输出文件夹 {out}，请等它结束后再运行") from exc
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _run_locked(files: Sequence[Path], out: Path, workers: int | None, agency_params: dict[str, Any],
                overview_params: dict[str, Any], agency_nb: Path, overview_nb: Path, force: bool,
                self_contained: bool, progress: bool, timeout: int | None, started: float,
                rubric: Rubric) -> BatchResult:
    _remove_stale_temps([out, out / "agencies", out / "assets"])
    asset = write_vega_asset(out / "assets")
    vega_inline = asset.read_text(encoding="utf-8") if self_contained else ""
    hashes = {"params_hash": _hash_json({"params": agency_params, "self_contained": self_contained}),
              "notebook_hash": _sha256_file(agency_nb), "code_hash": code_hash()}
    jobs = _jobs(files, out, agency_params, agency_nb, hashes, asset.name, timeout, vega_inline, rubric)

    manifest = _Manifest(out / "manifest.json")
    result = BatchResult(out, out / "index.html")
    records: dict[str, dict[str, Any]] = {}
    todo = []
    for job in jobs:
        entry = manifest.agencies.get(job["report"])
        if not force and _up_to_date(entry, job, out):
            assert entry is not None
            records[job["report"]] = entry
            result.skipped += 1
        else:
            todo.append(job)

    def done(record: dict[str, Any]) -> None:
        old = manifest.agencies.get(record["report"])
        if old and old.get("key") != record["key"]:  # the agency got a new name: drop the old page
            for ext in (".html", ".ipynb", ".json"):
                with contextlib.suppress(OSError):
                    (out / "agencies" / f"{old['key']}{ext}").unlink()
        records[record["report"]] = record
        manifest.agencies[record["report"]] = record
        manifest.save()
        result.ran += 1
        result.failed += record["status"] == "failed"

    n_workers = workers or os.cpu_count() or 1
    kernels = _kernel_pool()
    kernel_dir = tempfile.mkdtemp(prefix="auditlib-kernels-")
    previous = os.environ.get(KERNEL_DIR_ENV)
    os.environ[KERNEL_DIR_ENV] = kernel_dir  # read by the kernels of this process and of the spawned workers
    try:
        if todo and n_workers > 1 and len(todo) > 1:
            kernels.prelaunch()  # the overview's kernel boots while the workers run the agencies
        _run_pool(todo, n_workers, done, progress)
        _finish_run(out, jobs, records, result, manifest, overview_nb, overview_params, hashes, asset,
                    vega_inline, timeout, force, self_contained, rubric)
    finally:
        kernels.close()
        if previous is None:
            os.environ.pop(KERNEL_DIR_ENV, None)
        else:
            os.environ[KERNEL_DIR_ENV] = previous
        shutil.rmtree(kernel_dir, ignore_errors=True)
    result.seconds = round(time.monotonic() - started, 2)
    return result


def _finish_run(out: Path, jobs: Sequence[Mapping[str, Any]], records: dict[str, dict[str, Any]],
                result: BatchResult, manifest: _Manifest, overview_nb: Path, overview_params: dict[str, Any],
                hashes: Mapping[str, str], asset: Path, vega_inline: str, timeout: int | None, force: bool,
                self_contained: bool, rubric: Rubric) -> None:
    """The run's shared outputs: findings and scores files, summary.json, and the overview page (unless unchanged)."""
    ordered = [records[j["report"]] for j in jobs if j["report"] in records]
    result.agencies = ordered
    scores = _scores_frame(ordered, jobs)
    findings = _findings_frame(ordered, out)
    write_findings(findings, out, scores)
    summary = _summary(ordered, scores)
    atomic_write(out / "summary.json", json.dumps({
        "generated": datetime.now().isoformat(timespec="seconds"), "rubric": rubric.path,
        "grades": [{"grade": g, "min": low} for g, low in rubric.grades], "agencies": summary,
    }, ensure_ascii=False, indent=1))

    overview_hash = _hash_json({"summary": summary, "params": overview_params, "nb": _sha256_file(overview_nb),
                                "code": hashes["code_hash"], "self_contained": self_contained,
                                "findings": _sha256_file(out / "findings.parquet")})
    index_ok = (out / "index.html").is_file() and (out / "overview.ipynb").is_file()
    if force or not index_ok or manifest.overview.get("hash") != overview_hash:
        nb, error = run_notebook(str(overview_nb), out / "overview.ipynb", {**overview_params, "run_dir": str(out)},
                                 timeout, "政府信息公开工作年度报告审核总览", prelaunch=False)
        atomic_write(out / "index.html", export_html(nb, vega_src=f"assets/{asset.name}", vega_inline=vega_inline))
        manifest.overview = {"hash": overview_hash, "status": "failed" if error else "ok", "error": error}
        manifest.save()
