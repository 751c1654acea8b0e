"""Debian's Chromium for the browser tests: where it is, the flags that keep it off the network, one launcher.

Never a downloaded browser: `.ci/run` installs Debian's package; without it the browser tests skip.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/lib/chromium/chromium")
CHROMIUM = next((p for p in CHROMIUM_CANDIDATES if Path(p).is_file()), None)
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-default-apps", "--disable-extensions"]


def skip_without_chromium() -> None:
    """Skip the calling test module when Debian's chromium is not installed."""
    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed (/usr/bin/chromium); .ci/run installs it with apt-get",
                    allow_module_level=True)


def launch(playwright: Any) -> Any:
    """Headless Chromium; when the wrapper script misbehaves, the binary behind it; else skip."""
    try:
        return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
    except Exception as exc:  # noqa: BLE001 - e.g. a wrapper script that misbehaves: try the binary
        fallback = CHROMIUM_CANDIDATES[-1]
        if fallback == CHROMIUM or not Path(fallback).is_file():
            pytest.skip(f"cannot launch {CHROMIUM}: {exc}")
        return playwright.chromium.launch(executable_path=fallback, headless=True, args=ARGS)
