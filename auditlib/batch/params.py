"""The batch's parameters: parameters/defaults.yaml, a YAML file on top, routed to the notebooks."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from auditlib.batch.common import PARAMETERS_DIR, SET_BY_BATCH, BatchError
from auditlib.parameters import notebook_parameters


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

