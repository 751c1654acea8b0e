"""The wheel's build step: notebooks/ and parameters/ (top of the checkout) shipped as package data.

The checkout's folders stay the single source; the wheel gets copies under auditlib/_data/ that
`auditlib.resources.data_dir` finds first. Editable installs copy nothing and use the checkout.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
SHIPPED = {"notebooks": "*.ipynb", "parameters": "*.yaml"}


class BuildWithData(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        for folder, pattern in SHIPPED.items():
            target = Path(self.build_lib) / "auditlib" / "_data" / folder
            target.mkdir(parents=True, exist_ok=True)
            for source in sorted((ROOT / folder).glob(pattern)):
                shutil.copyfile(source, target / source.name)


setup(cmdclass={"build_py": BuildWithData})
