"""Batch parameter files and the notebooks' parameters, checked where they enter (issue 11 d).

`read_parameters_file`: a YAML mapping, UTF-8 or GBK, a regular file (a FIFO never hangs the run).
`check_parameters`: `rules` / `exclude_rules` must name known rules (a typo used to select nothing,
silently) and `min_severity` must be a severity. `notebook_parameter_defaults`: a notebook that is not
valid JSON is a UserError naming it, not a traceback. Every failure is a `UserError`: one Chinese line.

In the batch (`auditlib.batch.params`): `load_parameters` reads the file with `read_parameters_file` and
checks it naming the file, `run_batch` checks the merged parameters again, and the notebooks' parameters
come from `notebook_parameter_defaults`; each UserError becomes a BatchError (exit code 2).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from auditlib.safety import UserError, read_yaml_file, validate_min_severity, validate_rule_ids

__all__ = ["check_parameters", "notebook_parameter_defaults", "notebook_parameters", "read_parameters_file"]

RULE_LISTS = ("rules", "exclude_rules")


def read_parameters_file(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The mapping in a parameter file (empty file: {}); UserError for anything else."""
    data = read_yaml_file(path, "参数文件")
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise UserError(f"参数文件 {path} 应为“参数名: 值”的映射，而不是{type(data).__name__}")
    return data


def check_parameters(params: Mapping[str, Any], where: str = "") -> dict[str, Any]:
    """`params` with rule lists and min_severity checked (min_severity normalised: 错误 → error)."""
    from auditlib.rules import REGISTRY

    prefix = f"参数文件 {where} 中的参数 " if where else "参数 "
    out = dict(params)
    for name in RULE_LISTS:
        if name in out and out[name] is not None:
            out[name] = validate_rule_ids(out[name], REGISTRY, name, what=prefix)
    if "min_severity" in out:
        try:
            out["min_severity"] = validate_min_severity(out["min_severity"])
        except UserError as exc:
            raise UserError(f"参数文件 {where}：{exc}" if where else str(exc)) from None
    return out


def notebook_parameters(notebook: str | os.PathLike[str]) -> dict[str, Any]:
    """name → default of a notebook's `parameters` cell (papermill's own parser, no kernel)."""
    import papermill as pm

    return {name: info["default"] for name, info in pm.inspect_notebook(str(notebook)).items()}


def notebook_parameter_defaults(notebook: str | os.PathLike[str]) -> dict[str, Any]:
    """`notebook_parameters`, but a UserError naming the notebook if it cannot be read."""
    try:
        return notebook_parameters(notebook)
    except FileNotFoundError:
        raise UserError(f"找不到笔记本 {notebook}") from None
    except Exception as exc:  # noqa: BLE001 - nbformat raises NotJSONError, ValidationError, KeyError…
        raise UserError(f"笔记本 {notebook} 已损坏，无法读取（不是有效的 .ipynb 文件：{type(exc).__name__}）") from None
