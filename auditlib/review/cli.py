"""`auditlib review …`: the inspector's decisions and corrections from the command line.

Argument parsing and output only; the work is the store and apply functions. Every user error is
one Chinese line on stderr and exit status 2 (a rejected Excel import lists each bad row).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from auditlib.findings import SEVERITY_LABELS
from auditlib.review.apply import correction_text, review_state
from auditlib.review.excel import ReviewImportError, annotate_findings_xlsx, import_review_xlsx
from auditlib.review.folder import FolderError, folder_findings
from auditlib.review.records import (
    GONE_LABEL,
    SOURCES,
    STATUS_LABELS,
    Correction,
    Decision,
    parse_status,
    when,
)
from auditlib.review.store import StoreError, open_store
from auditlib.safety import UserError, json_line_safe, terminal_safe
from auditlib.template import cell_label

__all__ = ["add_parser", "main"]

PROG = "auditlib review"
REVIEWER_ENV = "AUDITLIB_REVIEWER"
SHORT = 8  # key digits shown in tables; any unique prefix of 4 or more is accepted


def _out(text: str) -> None:
    """One line for a person: agency names, notes and messages come from reports and sheets, so no escapes."""
    sys.stdout.write(terminal_safe(text) + "\n")


def _out_json(obj: object) -> None:
    sys.stdout.write(json_line_safe(json.dumps(obj, ensure_ascii=False)) + "\n")


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    from auditlib.cli import _table as table  # the one table formatter of the command line

    return table(header, rows)


def _short(text: str | None, limit: int = 40) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _source(source: str) -> str:
    kind, _, detail = source.partition(":")
    return SOURCES.get(kind, kind) + (f"（{detail}）" if detail else "")


def _reviewer(args: argparse.Namespace) -> str:
    name = (args.reviewer or os.environ.get(REVIEWER_ENV, "")).strip()
    if not name:
        raise UserError(f"请用 --reviewer 填写复核人（或设置环境变量 {REVIEWER_ENV}）")
    return name


def _resolve(key: str, keys: Sequence[str]) -> str:
    """A full key from a key or a unique prefix of at least 4 digits."""
    key = key.strip().lower()
    if key in keys:
        return key
    if len(key) < 4:
        raise UserError(f"复核编号“{key}”太短，请至少写 4 位")
    hits = sorted({k for k in keys if k.startswith(key)})
    if not hits:
        raise UserError(f"找不到复核编号为“{key}”的问题（用 {PROG} list --out … 查看编号）")
    if len(hits) > 1:
        raise UserError(f"复核编号“{key}”对应多条问题（{'、'.join(hits[:5])}），请多写几位")
    return hits[0]


# ---------------------------------------------------------------------------------------------


def cmd_list(args: argparse.Namespace) -> int:
    findings = folder_findings(args.out)
    wanted = parse_status(args.status) if args.status and args.status != GONE_LABEL else None
    with open_store(args.out) as store:
        state = review_state(list(findings.values()), store)
    shown = [r for r in state.findings
             if (wanted is None or r.status is wanted) and args.status != GONE_LABEL
             and (not args.agency or args.agency in (r.finding.agency or ""))
             and (not args.rule or r.finding.rule == args.rule)]
    orphans = [d for d in state.orphans
               if (args.status in (None, "", GONE_LABEL))
               and (not args.agency or args.agency in (d.agency or "")) and (not args.rule or d.rule == args.rule)]
    if args.json:
        for r in shown:
            d = r.decision
            _out_json({"key": r.key, "exists": True, "status": str(r.status), "status_label": r.label,
                       "note": d.note if d else "", "reviewer": d.reviewer if d else "",
                       "at": d.at if d else None, **r.finding.to_dict()})
        for d in orphans:
            _out_json({"exists": False, **d.to_dict(), "status_label": GONE_LABEL, "decision_label": d.status.label})
        return 0
    if not shown and not orphans:
        _out("没有符合条件的问题")
    if shown:
        _out(_table(("编号", "机关", "年度", "级别", "规则", "复核结论", "复核人", "复核意见", "问题说明"),
                    [(r.key[:SHORT], r.finding.agency or "（未识别）", str(r.finding.year or "—"),
                      SEVERITY_LABELS[r.finding.severity], r.finding.rule, r.label,
                      r.decision.reviewer if r.decision else "", _short(r.decision.note if r.decision else "", 20),
                      _short(r.finding.message)) for r in shown]))
    if orphans:
        _out(f"\n{GONE_LABEL}（问题在最近一次批量审核中不再出现，复核记录保留）：")
        _out(_table(("编号", "机关", "年度", "规则", "当时的结论", "复核人", "复核意见", "问题说明"),
                    [(d.key[:SHORT], d.agency or "（未识别）", str(d.year or "—"), d.rule or "—", d.status.label,
                      d.reviewer, _short(d.note, 20), _short(d.message)) for d in orphans]))
    counts = state.counts()
    _out("\n共 " + str(len(state.findings)) + " 条问题：" + "，".join(f"{k} {v}" for k, v in counts.items()))
    return 0


def cmd_set(args: argparse.Namespace) -> int:
    try:
        status = parse_status(args.status)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    reviewer = _reviewer(args)
    findings = folder_findings(args.out)
    key = _resolve(args.key, list(findings))
    with open_store(args.out) as store:
        d = store.set_decision(key, status, args.note or "", reviewer, finding=findings[key], source="cli")
    f = findings[key]
    _out(f"已记录：{f.agency or '（未识别）'} {f.year or ''} {f.rule}「{_short(f.message)}」→ {d.status.label}"
         f"（{d.reviewer}，{when(d.at)}）")
    return 0


_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def _number(text: str) -> int | float:
    from auditlib.text import normalize

    clean = "".join(normalize(text).split()).replace(",", "")
    if not _NUMBER.fullmatch(clean):
        raise UserError(f"更正值“{text}”不是数字")
    value = float(clean) if "." in clean else int(clean)
    if value < 0:
        raise UserError(f"更正值“{text}”是负数；件数和金额都不能为负")
    return value


def cmd_correct(args: argparse.Namespace) -> int:
    from auditlib.audit import load
    from auditlib.review.apply import apply_corrections, record_correction
    from auditlib.rules import check_report

    if args.withdraw == (args.value is not None):
        raise UserError("请给出更正值，或用 --withdraw 撤销该单元格的更正（二者只能选一）")
    value = None if args.withdraw else _number(args.value)
    if not args.withdraw and not (args.note or "").strip():
        raise UserError("请用 --note 说明更正的依据（如：原件第 3 页印为 12，解析读成了 1）")
    reviewer = _reviewer(args)
    if not Path(args.report).is_file():
        raise UserError(f"找不到报告文件 {args.report}")
    report, error = load(args.report)
    if report is None:
        raise UserError(f"无法读取报告 {args.report}：{error}")
    if args.cell not in report.cells:
        raise UserError(f"“{args.cell}”不是该报告模板中的单元格（应写作 表.行.列，如 applications.1.natural_person）")
    with open_store(args.out) as store:
        before = len(check_report(apply_corrections(report, store.corrections_for(report))))
        record_correction(store, report, args.cell, value, args.note or "", reviewer, source="cli")
        corrected = apply_corrections(report, store.corrections_for(report))
    after = len(check_report(corrected))
    label = cell_label(args.cell)
    if value is None:
        _out(f"已撤销 {report.agency or args.report} {report.year or ''}「{label}」的更正，恢复为原文")
    else:
        _out(f"已记录：{report.agency or args.report} {report.year or ''}「{label}」{correction_text(corrected, args.cell)}")
    _out(f"按更正后的数值重新核验：{after} 条问题（此前 {before} 条）")
    return 0


def _decision_row(d: Decision) -> tuple[str, ...]:
    return (when(d.at), "复核结论", d.key[:SHORT], f"{d.agency or '（未识别）'} {d.year or ''}".strip(),
            f"{d.rule or ''}「{_short(d.message, 24)}」", d.status.label, d.reviewer, _short(d.note, 30), _source(d.source))


def _correction_row(c: Correction) -> tuple[str, ...]:
    change = f"原文 {c.printed or '空白'}，人工更正为 {c.value:g}" if c.value is not None else "撤销更正"
    who = c.report.agency if not c.report.agency.startswith("sha256:") else c.report_path
    return (when(c.at), "单元格更正", "—", f"{who} {c.report.year or ''}".strip(), cell_label(c.cell), change,
            c.reviewer, _short(c.note, 30), _source(c.source))


def cmd_history(args: argparse.Namespace) -> int:
    with open_store(args.out) as store:
        if args.key:
            keys = store.keys()
            with contextlib.suppress(FolderError):  # a gone finding's history is still wanted
                keys = sorted(set(keys) | set(folder_findings(args.out)))
            items: list[Decision | Correction] = list(store.history(_resolve(args.key, keys)))
        else:
            items = [*store.history(), *store.correction_history()]
            items.sort(key=lambda x: (x.at, isinstance(x, Correction), x.id))
    if args.json:
        for x in items:
            _out_json({"kind": "decision" if isinstance(x, Decision) else "correction", **x.to_dict()})
        return 0
    if not items:
        _out("还没有复核记录" if not args.key else "这条问题还没有复核记录（待复核）")
        return 0
    _out(_table(("时间", "类别", "编号", "机关", "内容", "结论／更正", "复核人", "意见", "来源"),
                [_decision_row(x) if isinstance(x, Decision) else _correction_row(x) for x in items]))
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    try:
        result = import_review_xlsx(args.file, args.out)
    except ReviewImportError as exc:
        if exc.whole_file:
            raise UserError(str(exc)) from None
        for line in exc.errors:  # the rows quote the sheet's cells
            sys.stderr.write(f"{PROG}：{terminal_safe(line, keep='')}\n")
        sys.stderr.write(f"{PROG}：{terminal_safe(str(exc), keep='')}，请改正后重新导入\n")
        return 2
    _out(f"已导入 {result.path.name}：{len(result.applied)} 条复核结论有变化并已记录，{result.unchanged} 条未变")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    path = Path(args.out) / "findings.xlsx"
    if not path.is_file():
        raise UserError(f"输出文件夹 {args.out} 中没有 findings.xlsx，请先运行 auditlib batch … --out {args.out}")
    with open_store(args.out) as store:
        rows = annotate_findings_xlsx(path, store)
    _out(f"已在 {path} 中写入复核列（{rows} 条问题）：在「复核结论」中选择，填写复核意见和复核人，"
         f"然后运行 {PROG} import {path} --out {args.out}")
    return 0


def _run(func: Any) -> Any:
    def run(args: argparse.Namespace) -> int:
        try:
            return int(func(args))
        except (StoreError, FolderError, ValueError) as exc:
            raise UserError(str(exc)) from None

    return run


def add_parser(sub: Any) -> argparse.ArgumentParser:
    """Add `review` to the main command line's subcommands (auditlib/cli.py calls this once)."""
    help_text = "复核：确认或排除问题、填写意见、更正误读的数字，并导入填好的 findings.xlsx"
    review = sub.add_parser("review", help=help_text, description=help_text)
    commands = review.add_subparsers(dest="review_command", required=True, metavar="子命令")
    statuses = "、".join(STATUS_LABELS.values())

    def command(name: str, func: Any, text: str) -> argparse.ArgumentParser:
        p = commands.add_parser(name, help=text, description=text)
        p.add_argument("--out", required=True, metavar="输出文件夹", help="auditlib batch 的输出文件夹（复核记录存在其中的 review.sqlite）")
        p.set_defaults(func=_run(func))
        return p

    p = command("list", cmd_list, "列出问题及其复核结论，以及问题已不存在的复核记录")
    p.add_argument("--status", metavar="结论", help=f"只列出该结论的问题：{statuses}，或 {GONE_LABEL}")
    p.add_argument("--agency", metavar="机关", help="只列出机关名称含此文字的问题")
    p.add_argument("--rule", metavar="规则", help="只列出该规则的问题")
    p.add_argument("--json", action="store_true", help="按 JSON Lines 输出，每条问题一行")
    p = command("set", cmd_set, "记录一条问题的复核结论")
    p.add_argument("key", metavar="编号", help="复核编号（list 中的“编号”，至少 4 位）")
    p.add_argument("status", metavar="结论", help=statuses)
    p.add_argument("--note", default="", metavar="意见", help="复核意见")
    p.add_argument("--reviewer", metavar="复核人", help=f"复核人姓名（默认取环境变量 {REVIEWER_ENV}）")
    p = command("correct", cmd_correct, "更正解析误读的单元格：原文和来源照旧显示，规则和评分按更正值计算")
    p.add_argument("report", metavar="报告", help="报告文件")
    p.add_argument("cell", metavar="单元格", help="单元格路径，如 applications.1.natural_person")
    p.add_argument("value", nargs="?", metavar="更正值", help="正确的数字")
    p.add_argument("--note", default="", metavar="依据", help="更正依据（必填）")
    p.add_argument("--reviewer", metavar="复核人", help=f"复核人姓名（默认取环境变量 {REVIEWER_ENV}）")
    p.add_argument("--withdraw", action="store_true", help="撤销该单元格的更正，恢复按原文计算")
    p = command("history", cmd_history, "显示一条问题的全部复核记录；不给编号时显示全部复核和更正记录")
    p.add_argument("key", nargs="?", metavar="编号", help="复核编号")
    p.add_argument("--json", action="store_true", help="按 JSON Lines 输出，每条记录一行")
    p = command("import", cmd_import, "导入填好的 findings.xlsx（任何一行有误则整个文件都不导入）")
    p.add_argument("file", metavar="文件", help="填好复核结论的 findings.xlsx")
    command("export", cmd_export, "在输出文件夹的 findings.xlsx 中写入复核列（复核结论为下拉选择）")
    return review


def main(argv: Sequence[str] | None = None) -> int:
    """`auditlib review …` on its own (the same as through `auditlib`)."""
    from auditlib.cli import main as auditlib_main

    return auditlib_main(["review", *(argv if argv is not None else sys.argv[1:])])
