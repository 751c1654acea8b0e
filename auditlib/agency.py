"""Agency names: the suffixes that end one and the administrative prefixes that can be dropped, so
that `淮安市洪泽区人民政府` and `洪泽区人民政府` name the same agency (the parser and the
cross-report rules both ask here). The 乡 of 城乡 is no township: 江州市住房和城乡建设局 keeps its city."""

from __future__ import annotations

import re

from auditlib.text import compact

__all__ = ["AGENCY_SUFFIX", "innermost_unit", "normalize_agency", "split_agency"]

AGENCY_SUFFIX = re.compile(
    r"(人民政府|人民政府办公室|政府办公室|办事处|管理委员会|管委会|委员会|政府|局|厅|委|办|院|中心|室|署|所|处|站|队|会|镇|乡|街道)$"
)
_ADMIN_PREFIX = re.compile(
    r"^[\u3400-\u9fff]{1,10}?(?:特别行政区|自治区|自治州|自治县|自治旗|地区|新区|林区|省|盟|市|县|旗|区|镇|(?<!城)乡|街道|苏木)"
)


def split_agency(name: str) -> tuple[str, str]:
    """`淮安市洪泽区人民政府` → (`淮安市`, `洪泽区人民政府`): the administrative prefixes dropped (the
    region the agency lies in, "" when none) and the innermost unit with what follows."""
    name = compact(name).strip("：:，,。()（）《》")
    name = re.sub(r"^关于", "", name)
    region = ""
    while True:
        m = _ADMIN_PREFIX.match(name)
        if not m:
            return region, name
        rest = name[m.end():]
        inner = _ADMIN_PREFIX.match(rest)
        if not rest or not inner or inner.end() >= len(rest):
            return region, name
        region, name = region + name[:m.end()], rest


def normalize_agency(name: str) -> str:
    """`淮安市洪泽区人民政府` → `洪泽区人民政府`: keep the innermost administrative unit and what follows."""
    return split_agency(name)[1]


def innermost_unit(region: str) -> str:
    """`平顶山市郏县` → `郏县`, `江苏省淮安市` → `淮安市`: the last administrative unit of a region that
    `split_agency` gave, so a region printed with or without its province names one place."""
    unit = ""
    while region and (m := _ADMIN_PREFIX.match(region)):
        unit, region = region[:m.end()], region[m.end():]
    return region or unit
