"""An executed notebook as the inspector's offline page (nbconvert, the `audit` template, the Vega bundle)."""

from __future__ import annotations

import contextlib
import copy
import html
import json
import os
from pathlib import Path
from typing import Any

from auditlib.batch.common import (
    LIVE_ONLY_TAG,
    TEMPLATES_DIR,
    VEGA_GLOBALS,
    VEGA_LITE_VERSION,
    VEGA_MIMETYPE,
    BatchError,
)
from auditlib.batch.files import atomic_write


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


def chinese_error_markers(nb: Any) -> None:
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


def banner_cell(message: str) -> Any:
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


def fallback_page(title: str, error: str, detail: str) -> str:
    return (f'<!DOCTYPE html><html lang="zh"><head><meta charset="utf-8"><title>{html.escape(title)}</title></head>'
            f"<body style='font-family:sans-serif;'><h1>{html.escape(title)}</h1>"
            f"<p style='color:#c0392b;'>{html.escape(error)}</p><pre>{html.escape(detail)}</pre>"
            "<p><a href='../index.html'>← 返回总览</a></p></body></html>")

