"""Where the notebooks and parameter files are: in the installed package, or in the checkout.

`notebooks/` and `parameters/` live at the top of the repository (the single source). The wheel build
(`setup.py`) copies them into the package as `auditlib/_data/notebooks` and `auditlib/_data/parameters`;
an editable install or a plain checkout has no `_data` and uses the checkout's folders directly.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

__all__ = ["data_dir"]

CHECKOUT_DIR = Path(__file__).resolve().parent.parent
SHIPPED = "_data"  # filled by the wheel build, never committed (.gitignore)


def data_dir(name: str) -> Path:
    """`notebooks` or `parameters`: the package's copy when installed from a wheel, else the checkout's."""
    shipped = files("auditlib").joinpath(SHIPPED, name)
    if shipped.is_dir():
        return Path(str(shipped))
    return CHECKOUT_DIR / name
