"""The national template (国办公开办函〔2021〕30号, and the 2019 trial format), defined once.

Every parser, rule, widget and export reads row/column keys, Chinese labels and the words that
identify a row from here. Keys are those of the contract (spec/report-json.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

# ---------------------------------------------------------------------------------------------
# Sections 一 … 六
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SectionSpec:
    key: str  # "1" … "6"
    numeral: str  # 一 … 六
    title: str  # the heading as the template prints it
    keywords: tuple[str, ...]  # any of these in a heading line identifies the section


SECTIONS: tuple[SectionSpec, ...] = (
    SectionSpec("1", "一", "总体情况", ("总体情况", "概述", "基本情况")),
    SectionSpec("2", "二", "主动公开政府信息情况", ("主动公开政府信息情况", "主动公开政府信息", "主动公开情况")),
    SectionSpec(
        "3", "三", "收到和处理政府信息公开申请情况", ("收到和处理政府信息公开申请", "收到和处理", "依申请公开政府信息情况")
    ),
    SectionSpec("4", "四", "政府信息公开行政复议、行政诉讼情况", ("行政复议、行政诉讼", "行政复议和行政诉讼", "行政复议", "行政诉讼")),
    SectionSpec("5", "五", "存在的主要问题及改进情况", ("存在的主要问题", "主要问题", "存在问题", "改进情况")),
    SectionSpec("6", "六", "其他需要报告的事项", ("其他需要报告", "其他需报告", "其他事项")),
)

# ---------------------------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    decimal: bool = False  # the fee is a decimal in 万元; every other cell is a count
    signed: bool = False  # a change (2019 本年增/减) may be negative


@dataclass(frozen=True)
class Row:
    key: str
    label: str  # the label as the template prints it
    keywords: tuple[str, ...] = ()  # distinctive words; any one identifies the row
    exact: tuple[str, ...] = ()  # the row's label once list markers are stripped (for short labels like 其他)
    fallback: bool = False  # matched only when no other row's keywords match (group rows such as （六）其他处理)
    columns: tuple[Column, ...] = ()  # for tables whose rows differ in columns (主动公开)
    short: str = ""  # a short name for messages

    @property
    def name(self) -> str:
        return self.short or self.label


@dataclass(frozen=True)
class TableSpec:
    key: str
    title: str  # the section heading the table sits under
    rows: tuple[Row, ...]
    columns: tuple[Column, ...] = ()  # shared columns (申请、复议诉讼); empty when rows carry their own
    subtotal_labels: tuple[str, ...] = ()  # group rows that some reports print with a subtotal: not cells

    def columns_of(self, row: Row) -> tuple[Column, ...]:
        return row.columns or self.columns

    def row(self, key: str) -> Row:
        for r in self.rows:
            if r.key == key:
                return r
        raise KeyError(key)

    def column(self, row_key: str, column_key: str) -> Column:
        for c in self.columns_of(self.row(row_key)):
            if c.key == column_key:
                return c
        raise KeyError(column_key)

    def paths(self) -> list[str]:
        return [f"{self.key}.{r.key}.{c.key}" for r in self.rows for c in self.columns_of(r)]


ISSUED = Column("issued", "本年制发件数")
REPEALED = Column("repealed", "本年废止件数")
IN_FORCE = Column("in_force", "现行有效件数")
DECISIONS = Column("decisions", "本年处理决定数量")
AMOUNT = Column("amount", "本年收费金额（万元）", decimal=True)

ACTIVE_DISCLOSURE = TableSpec(
    key="active_disclosure",
    title="二、主动公开政府信息情况",
    rows=(
        Row("rules", "规章", exact=("规章",), columns=(ISSUED, REPEALED, IN_FORCE)),
        Row("normative_documents", "行政规范性文件", keywords=("规范性文件",), columns=(ISSUED, REPEALED, IN_FORCE)),
        Row("licensing", "行政许可", keywords=("行政许可",), columns=(DECISIONS,)),
        Row("punishment", "行政处罚", keywords=("行政处罚",), columns=(DECISIONS,)),
        Row("enforcement", "行政强制", keywords=("行政强制",), columns=(DECISIONS,)),
        Row("fees", "行政事业性收费", keywords=("事业性收费", "行政事业性"), columns=(AMOUNT,)),
    ),
)

# The 2019 trial format's 主动公开 table (国办公开办函〔2019〕60号): other columns, two more rows.
# Outside checks do not read it; the keys are this project's own.
PRIOR_YEAR = Column("prior_year", "上一年项目数量")
CHANGE = Column("change", "本年增/减", signed=True)
ACTIVE_DISCLOSURE_2019 = TableSpec(
    key="active_disclosure",
    title="二、主动公开政府信息情况",
    rows=(
        Row("rules", "规章", exact=("规章",), columns=(
            Column("new_made", "本年新制作数量"), Column("new_published", "本年新公开数量"),
            Column("total_published", "对外公开总数量"))),
        Row("normative_documents", "规范性文件", keywords=("规范性文件",), columns=(
            Column("new_made", "本年新制作数量"), Column("new_published", "本年新公开数量"),
            Column("total_published", "对外公开总数量"))),
        Row("licensing", "行政许可", keywords=("行政许可",), columns=(PRIOR_YEAR, CHANGE, Column("decisions", "处理决定数量"))),
        Row("other_services", "其他对外管理服务事项", keywords=("对外管理服务",),
            columns=(PRIOR_YEAR, CHANGE, Column("decisions", "处理决定数量"))),
        Row("punishment", "行政处罚", keywords=("行政处罚",), columns=(PRIOR_YEAR, CHANGE, Column("decisions", "处理决定数量"))),
        Row("enforcement", "行政强制", keywords=("行政强制",), columns=(PRIOR_YEAR, CHANGE, Column("decisions", "处理决定数量"))),
        Row("fees", "行政事业性收费", keywords=("事业性收费", "行政事业性"), columns=(PRIOR_YEAR, CHANGE)),
        Row("procurement", "政府集中采购", keywords=("集中采购",), columns=(
            Column("items", "采购项目数量"), Column("amount", "采购总金额", decimal=True))),
    ),
)

APPLICANT_COLUMNS = (
    Column("natural_person", "自然人"),
    Column("commercial", "商业企业"),
    Column("research", "科研机构"),
    Column("social_welfare", "社会公益组织"),
    Column("legal_service", "法律服务机构"),
    Column("other", "其他"),
)
TOTAL = Column("total", "总计")

_APP_ROWS_HEAD = (
    Row("1", "一、本年新收政府信息公开申请数量", keywords=("本年新收", "新收政府信息"), short="本年新收"),
    Row("2", "二、上年结转政府信息公开申请数量", keywords=("上年结转",), short="上年结转"),
    Row("3.1", "（一）予以公开", keywords=("予以公开",)),
    Row("3.2", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", keywords=("部分公开",), short="（二）部分公开"),
    Row("3.3.1", "（三）不予公开 1.属于国家秘密", keywords=("国家秘密",)),
    Row("3.3.2", "（三）不予公开 2.其他法律行政法规禁止公开", keywords=("禁止公开", "法律行政", "行政法规", "止公开")),
    Row("3.3.3", "（三）不予公开 3.危及“三安全一稳定”", keywords=("三安全", "一稳定", "危及")),
    Row("3.3.4", "（三）不予公开 4.保护第三方合法权益", keywords=("第三方", "合法权益")),
    Row("3.3.5", "（三）不予公开 5.属于三类内部事务信息", keywords=("内部事务", "三类内部")),
    Row("3.3.6", "（三）不予公开 6.属于四类过程性信息", keywords=("过程性", "四类过程")),
    Row("3.3.7", "（三）不予公开 7.属于行政执法案卷", keywords=("执法案卷",)),
    Row("3.3.8", "（三）不予公开 8.属于行政查询事项", keywords=("查询事项",)),
    Row("3.4.1", "（四）无法提供 1.本机关不掌握相关政府信息", keywords=("不掌握", "本机关不")),
    Row("3.4.2", "（四）无法提供 2.没有现成信息需要另行制作", keywords=("另行制作", "没有现成", "现成信息")),
    Row("3.4.3", "（四）无法提供 3.补正后申请内容仍不明确", keywords=("补正后", "仍不明确")),
    Row("3.5.1", "（五）不予处理 1.信访举报投诉类申请", keywords=("信访", "举报投诉")),
    Row("3.5.2", "（五）不予处理 2.重复申请", keywords=("重复申请",)),
    Row("3.5.3", "（五）不予处理 3.要求提供公开出版物", keywords=("出版物",)),
    Row("3.5.4", "（五）不予处理 4.无正当理由大量反复申请", keywords=("大量反复", "反复申请")),
    Row("3.5.5", "（五）不予处理 5.要求行政机关确认或重新出具已获取信息", keywords=("重新出具", "确认或重新", "已获取信息")),
)
_APP_ROWS_OTHER_2021 = (
    Row("3.6.1", "（六）其他处理 1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        keywords=("不补正", "逾期不补"), short="（六）其他处理 1.申请人逾期不补正"),
    Row("3.6.2", "（六）其他处理 2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        keywords=("收费通知", "缴纳费用"), short="（六）其他处理 2.申请人逾期未缴费"),
    Row("3.6.3", "（六）其他处理 3.其他", exact=("其他",)),
)
# The 2019 format prints （六）其他处理 as one row; some 2021-format reports still do.
ROW_OTHER_SINGLE = Row("3.6", "（六）其他处理", keywords=("其他处理",), fallback=True)
_APP_ROWS_TAIL = (
    Row("3.7", "（七）总计", exact=("总计", "合计"), short="（七）总计"),
    Row("4", "四、结转下年度继续办理", keywords=("结转下年", "下年度继续", "继续办理"), short="结转下年度继续办理"),
)

APPLICATIONS = TableSpec(
    key="applications",
    title="三、收到和处理政府信息公开申请情况",
    rows=_APP_ROWS_HEAD + _APP_ROWS_OTHER_2021 + _APP_ROWS_TAIL,
    columns=(*APPLICANT_COLUMNS, TOTAL),
    subtotal_labels=("不予公开", "无法提供", "不予处理", "本年度办理结果", "办理结果"),
)
APPLICATIONS_2019 = TableSpec(
    key="applications",
    title=APPLICATIONS.title,
    rows=_APP_ROWS_HEAD + (ROW_OTHER_SINGLE,) + _APP_ROWS_TAIL,
    columns=APPLICATIONS.columns,
    subtotal_labels=APPLICATIONS.subtotal_labels,
)

OUTCOME_COLUMNS = (
    Column("upheld", "结果维持"),
    Column("corrected", "结果纠正"),
    Column("other", "其他结果"),
    Column("pending", "尚未审结"),
    Column("total", "总计"),
)
REVIEW_LITIGATION = TableSpec(
    key="review_litigation",
    title="四、政府信息公开行政复议、行政诉讼情况",
    rows=(
        # Keywords name the rows of the table printed as three labelled rows of five (tables._read_review_litigation).
        Row("review", "行政复议", keywords=("行政复议",)),
        Row("litigation_direct", "行政诉讼·未经复议直接起诉", keywords=("未经复议", "直接起诉"),
            short="行政诉讼（未经复议直接起诉）"),
        Row("litigation_after_review", "行政诉讼·复议后起诉", keywords=("复议后起诉",), short="行政诉讼（复议后起诉）"),
    ),
    columns=OUTCOME_COLUMNS,
)

TABLE_TITLES = {
    "active_disclosure": "主动公开政府信息情况表",
    "applications": "收到和处理政府信息公开申请情况表",
    "review_litigation": "行政复议、行政诉讼情况表",
}


@dataclass(frozen=True)
class TemplateVersion:
    name: str  # "2021" | "2019" | "unknown"
    tables: tuple[TableSpec, ...]
    markers: tuple[str, ...] = field(default=())  # words only this version prints


TEMPLATE_2021 = TemplateVersion(
    "2021", (ACTIVE_DISCLOSURE, APPLICATIONS, REVIEW_LITIGATION),
    markers=("本年制发件数", "本年废止件数", "现行有效件数", "收费通知", "逾期不补正"),
)
TEMPLATE_2019 = TemplateVersion(
    "2019", (ACTIVE_DISCLOSURE_2019, APPLICATIONS_2019, REVIEW_LITIGATION),
    markers=("本年新制作数量", "本年新公开数量", "对外公开总数量", "上一年项目数量", "本年增/减", "本年增减",
             "政府集中采购", "其他对外管理服务事项", "编写说明"),
)
# Headings of the 2008 条例's reports (before the 2019 trial format).
MARKERS_PRE_2019 = ("政府信息公开的收费及减免情况", "因政府信息公开申请行政复议", "依申请公开政府信息和不予公开政府信息")

# Template residue: instructions that belong to the blank form, not to a report.
RESIDUE_MARKERS = ("编写说明", "文字描述，", "文字描述,", "在此处报告", "××年", "XX年度")

# The five aspects that （一）总体情况 must cover (2021 format, 附件说明).
OVERVIEW_ASPECTS = (
    ("主动公开", ("主动公开",)),
    ("依申请公开", ("依申请公开", "依申请")),
    ("政府信息管理", ("政府信息管理", "信息管理")),
    ("政府信息公开平台建设", ("平台建设", "公开平台", "平台")),
    ("监督保障", ("监督保障", "监督", "考核")),
)

# Blank-cell spellings: the report gave no number (null, never 0).
BLANK_MARKS = frozenset({"/", "／", "-", "－", "—", "——", "–", "无", "空"})

TABLES_2021 = {t.key: t for t in TEMPLATE_2021.tables}
TABLE_KEYS = tuple(t.key for t in TEMPLATE_2021.tables)  # active_disclosure, applications, review_litigation

# Header groups as the template prints them above the columns.
APPLICANT_GROUP = "法人或其他组织"  # the five columns between 自然人 and 总计
LITIGATION_GROUP = "行政诉讼"  # the two litigation rows share one header
LITIGATION_SUBHEADS = {"litigation_direct": "未经复议直接起诉", "litigation_after_review": "复议后起诉"}

# Header cells the tables print that are neither a row's nor a column's label.
CONTENT_HEAD = "信息内容"  # 主动公开 table, above the row labels
APPLICANT_HEAD = "申请人情况"  # 申请 table, above the applicant columns
BALANCE_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"  # 申请 table, top left
DISPOSAL_HEAD = "三、本年度办理结果"  # 申请 table, beside rows 3.x
# 2021 主动公开 table: the 条例 article above each row group, by the group's first row
ACTIVE_DISCLOSURE_ARTICLES = {"rules": "第二十条第（一）项", "licensing": "第二十条第（五）项",
                              "punishment": "第二十条第（六）项", "fees": "第二十条第（八）项"}

# The disposal groups of table 三 (（一）…（六）), by the key prefix their rows share.
DISPOSAL_GROUPS = (
    ("3.1", "予以公开"), ("3.2", "部分公开"), ("3.3", "不予公开"),
    ("3.4", "无法提供"), ("3.5", "不予处理"), ("3.6", "其他处理"),
)


def table_spec(template: str, key: str) -> TableSpec:
    """The table layout for a template version ("2019" or anything else → 2021)."""
    tables = TEMPLATE_2019.tables if template == "2019" else TEMPLATE_2021.tables
    return next(t for t in tables if t.key == key)


def table_rows(template: str, key: str, other_single_row: bool = False) -> tuple[Row, ...]:
    """The rows a report prints for table `key`, in the template's order.

    With `other_single_row` (a 2021-format report that still prints （六）其他处理 as one row, as the
    2019 format does), that one row (`3.6`) stands where 3.6.1–3.6.3 would.
    """
    rows = table_spec(template, key).rows
    if key != "applications" or not other_single_row or any(r.key == ROW_OTHER_SINGLE.key for r in rows):
        return rows
    out: list[Row] = []
    for row in rows:
        if not row.key.startswith(ROW_OTHER_SINGLE.key + "."):
            out.append(row)
        elif not any(r.key == ROW_OTHER_SINGLE.key for r in out):
            out.append(ROW_OTHER_SINGLE)
    return tuple(out)


def is_single_other_row(path: str) -> bool:
    """`applications.3.6.total` (the one-row （六）其他处理), not `applications.3.6.1.total`."""
    return path.startswith("applications.3.6.") and path.count(".") == 3


# ---------------------------------------------------------------------------------------------
# The sums the template asks for (勾稽关系), as cell paths
# ---------------------------------------------------------------------------------------------

ROW_TOTAL = "row_total"  # 申请情况表每一行：总计 = 六类申请人之和
RESULT_TOTAL = "result_total"  # 每一列：（七）总计 = （一）至（六）之和
BALANCE = "balance"  # 每一列：一 + 二 = 三（七） + 四
GROUP_TOTAL = "group_total"  # 复议、诉讼每一组：总计 = 维持 + 纠正 + 其他 + 尚未审结


@dataclass(frozen=True)
class Identity:
    """sum(parts) == sum(totals), for one row, column or group of a table."""

    kind: str  # ROW_TOTAL, RESULT_TOTAL, BALANCE or GROUP_TOTAL
    parts: tuple[str, ...]
    totals: tuple[str, ...]
    where: str  # the row, column or group in the template's words

    @property
    def cells(self) -> tuple[str, ...]:
        return (*self.parts, *self.totals)


@lru_cache(maxsize=8)
def identities(template: str, other_single_row: bool = False) -> tuple[Identity, ...]:
    """Every sum the template asks for, in the order an inspector reads the tables."""
    app = APPLICATIONS.key
    rows = table_rows(template, app, other_single_row)
    disposal = [r.key for r in rows if r.key.startswith("3.") and r.key != "3.7"]
    out: list[Identity] = []
    for row in rows:
        out.append(Identity(ROW_TOTAL, tuple(f"{app}.{row.key}.{c.key}" for c in APPLICANT_COLUMNS),
                            (f"{app}.{row.key}.{TOTAL.key}",), f"「{row.name}」行"))
    for col in (*APPLICANT_COLUMNS, TOTAL):
        out.append(Identity(RESULT_TOTAL, tuple(f"{app}.{k}.{col.key}" for k in disposal),
                            (f"{app}.3.7.{col.key}",), f"「{col.label}」列"))
    for col in (*APPLICANT_COLUMNS, TOTAL):
        out.append(Identity(BALANCE, (f"{app}.1.{col.key}", f"{app}.2.{col.key}"),
                            (f"{app}.3.7.{col.key}", f"{app}.4.{col.key}"), col.label))
    for row in REVIEW_LITIGATION.rows:
        base = f"{REVIEW_LITIGATION.key}.{row.key}"
        out.append(Identity(GROUP_TOTAL, tuple(f"{base}.{c.key}" for c in OUTCOME_COLUMNS[:-1]),
                            (f"{base}.{OUTCOME_COLUMNS[-1].key}",), row.name))
    return tuple(out)


def _find(table: str, row_key: str, col_key: str | None = None) -> tuple[Row, Column | None] | None:
    """The row (and column) of a path, in the 2021 layout or else the 2019 one."""
    if table not in TABLES_2021:
        return None
    for spec in (TABLES_2021[table], table_spec("2019", table)):
        row = next((r for r in spec.rows if r.key == row_key), None)
        if row is None:
            continue
        col = next((c for c in spec.columns_of(row) if c.key == col_key), None)
        if col_key is None or col is not None:
            return row, col
    return None


def row_label(row_path: str) -> str:
    """A row path in the template's words: `applications.1` → 本年新收, `active_disclosure.fees` → 行政事业性收费."""
    table, _, row_key = row_path.partition(".")
    found = _find(table, row_key)
    return found[0].name if found else row_path


def column_of(path: str) -> Column | None:
    row_path, _, col_key = path.rpartition(".")
    table, _, row_key = row_path.partition(".")
    found = _find(table, row_key, col_key)
    return found[1] if found else None


def cell_label(path: str) -> str:
    """A cell path in the template's own words: `applications.1.natural_person` → 本年新收·自然人."""
    row_path, _, col_key = path.rpartition(".")
    table, _, row_key = row_path.partition(".")
    found = _find(table, row_key, col_key)
    return f"{found[0].name}·{found[1].label}" if found and found[1] else path


def path_label(path: str) -> str:
    """Any path a finding names, in the template's words: a cell (本年新收·自然人), a row, or a section
    (`section.5` → 五、存在的主要问题及改进情况); an unknown path is returned as it is."""
    if path.startswith("section."):
        spec = next((s for s in SECTIONS if s.key == path.removeprefix("section.")), None)
        return f"{spec.numeral}、{spec.title}" if spec else path
    if path in TABLE_TITLES:
        return TABLE_TITLES[path]
    label = cell_label(path)
    return row_label(path) if label == path else label
