"""The Jinja2 environment (autoescaped), the static CSS and JS read once, and the HTML fragment type.

Templates are written one element a line for reading; the loader joins the lines (and drops the
indentation) before Jinja compiles them, so a page holds no whitespace the old inline strings did not.
Styles stay inline (`style=""`): JupyterLab's sanitizer drops `<style>` in untrusted notebooks but keeps
the attribute, so a fragment looks the same in the lab and in the exported page; scripts are inlined too
(the exported pages work offline, with no external reference).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from functools import cache
from importlib import resources
from typing import Any

import jinja2

from auditlib.findings import Severity
from auditlib.rules import REGISTRY

_PACKAGE = "auditlib.render"
_LINE_BREAK = re.compile(r"\n[ \t]*")
_RULE = re.compile(r"([\w-]+)\s*\{([^}]*)\}")
_COMMENT = re.compile(r"/\*.*?\*/", re.S)


class HtmlFragment(str):
    """An HTML string that Jupyter displays as HTML (and keeps its plain repr short)."""

    def _repr_html_(self) -> str:
        return str(self)

    def __repr__(self) -> str:
        return f"<HTML 片段，{len(self)} 字符>"

    def __html__(self) -> str:  # Jinja inserts a fragment as markup, not as text
        return str(self)


def esc(text: object) -> str:
    """Report text made inert: `<script>` shows as text, quotes are safe inside attributes."""
    return html.escape("" if text is None else str(text), quote=True)


def _static(name: str) -> str:
    return resources.files(_PACKAGE).joinpath("static", name).read_text(encoding="utf-8")


def _read_styles() -> dict[str, str]:
    text = _COMMENT.sub("", _static("styles.css"))
    return {name: " ".join(body.split()).replace("; ", ";") for name, body in _RULE.findall(text)}


STYLES = _read_styles()  # name → declarations, e.g. STYLES["td"]
TD, TH, TABLE, SRC = STYLES["td"], STYLES["th"], STYLES["table"], STYLES["source"]


@cache
def script(name: str) -> str:
    """A static script, as the inline `<script>` element a page carries."""
    return f"<script>\n{_static(name)}</script>"


class _CompactLoader(jinja2.PackageLoader):
    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool] | None]:
        source, filename, uptodate = super().get_source(environment, template)
        return _LINE_BREAK.sub("", source.strip()), filename, uptodate


ENV = jinja2.Environment(loader=_CompactLoader(_PACKAGE, "templates"), autoescape=True,
                         undefined=jinja2.StrictUndefined, keep_trailing_newline=False)
ENV.globals.update(TD=TD, TH=TH, TABLE=TABLE, SRC=SRC)
ENV.filters["severity_label"] = lambda s: Severity(s).label
ENV.globals["rule_name"] = lambda r: REGISTRY[r].name if r in REGISTRY else ""


def render(name: str, /, **context: Any) -> HtmlFragment:
    """One template of `templates/` with `context`, as an HTML fragment (every value escaped unless markup)."""
    return HtmlFragment(ENV.get_template(name).render(**context))
