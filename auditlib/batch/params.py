"""The batch's parameters: parameters/defaults.yaml, a YAML file on top, routed to the notebooks.

Everything is checked before a kernel starts, and a problem is a BatchError: one Chinese line naming
the file (`auditlib.parameters`: a regular file only, UTF-8 or GBK, known rule IDs, a real severity)
or the notebook (one that is not valid JSON is named, not a traceback).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from auditlib.batch.common import PARAMETERS_DIR, SET_BY_BATCH, BatchError
from auditlib.parameters import check_parameters, notebook_parameter_defaults, read_parameters_file
from auditlib.parameters import notebook_parameters as notebook_parameters  # re-exported by auditlib.batch
from auditlib.safety import UserError


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
    """A batch parameter file (YAML, UTF-8 or GBK), checked, on top of the defaults; BatchError if it is not usable."""
    params = default_parameters()
    if path is not None:
        try:
            params.update(check_parameters(read_parameters_file(path), where=str(path)))
        except UserError as exc:
            raise BatchError(str(exc)) from None
    return params


def checked_parameters(params: Mapping[str, Any]) -> dict[str, Any]:
    """`params` (the file's and the caller's, merged) with rule IDs and min_severity checked; BatchError otherwise."""
    try:
        return check_parameters(params)
    except UserError as exc:
        raise BatchError(str(exc)) from None


def _declared(notebook: Path) -> dict[str, Any]:
    try:
        return notebook_parameter_defaults(notebook)
    except UserError as exc:
        raise BatchError(str(exc)) from None


def split_parameters(params: Mapping[str, Any], agency_nb: Path, overview_nb: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """Route each parameter to the notebooks that declare it; unknown names and unsafe values are refused."""
    agency_known = _declared(agency_nb)  # a notebook that is not valid JSON: BatchError naming it
    overview_known = _declared(overview_nb)
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

