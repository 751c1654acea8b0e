"""Command line: argument parsing and output formatting only; the work is one library call."""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import unicodedata
from collections import Counter
from collections.abc import Sequence
from typing import NoReturn

from auditlib.audit import audit_paths, collect_paths, load
from auditlib.findings import SEVERITY_LABELS, SEVERITY_ORDER, Severity
from auditlib.model import CellStatus
from auditlib.safety import UserError, json_line_safe, oserror_message, oserror_reason, terminal_safe


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    header, rows = [terminal_safe(str(c), keep="") for c in header], [[terminal_safe(str(c), keep="") for c in r] for r in rows]
    widths = [max(_width(str(r[i])) for r in (header, *rows)) for i in range(len(header))]
    lines = ["  ".join(_pad(str(c), w) for c, w in zip(row, widths, strict=True)).rstrip() for row in (header, *rows)]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _emit(line: str) -> None:
    """One line for a person: report text is stripped of escape sequences and control characters."""
    sys.stdout.write(terminal_safe(line) + "\n")


def _emit_json(obj: object) -> None:
    sys.stdout.write(json_line_safe(json.dumps(obj, ensure_ascii=False)) + "\n")


def _fail(message: str) -> None:
    """A user error: one Chinese line on stderr."""
    sys.stderr.write("auditlib：" + terminal_safe(message, keep="").strip() + "\n")


def cmd_parse(args: argparse.Namespace) -> int:
    rows = []
    for path in collect_paths(args.paths):
        report, error = load(path)
        if args.json:
            if report is None:
                _emit_json({"source": {"path": str(path), "format": None, "encoding": None, "sha256": None},
                            "agency": None, "year": None, "template": "unknown", "sections": {}, "tables": {},
                            "error": error})
            else:
                _emit_json(report.to_dict())
            continue
        if report is None:
            rows.append((str(path), "—", "—", "—", "—", "—", "—", f"无法读取：{error}"))
            continue
        statuses = Counter(c.status for c in report.cells.values())
        known = statuses[CellStatus.OK]
        present = sum(1 for s in report.sections.values() if s.present)
        rows.append((str(path), report.agency or "（未识别）", str(report.year or "—"), report.format,
                     report.template, f"{known}/{len(report.cells)}", f"{present}/6", "；".join(report.notes)))
    if not args.json:
        _emit(_table(("文件", "机关", "年度", "格式", "模板", "已识别单元格", "章节", "备注"), rows) if rows else "没有找到报告文件")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    outcomes = audit_paths(args.paths)
    if args.json:
        for o in outcomes:
            for f in o.findings:
                _emit_json(f.to_dict())
        return 0
    if not outcomes:
        _emit("没有找到报告文件")
        return 0
    totals: Counter[str] = Counter()
    for o in outcomes:
        counts = Counter(f.severity for f in o.findings)
        totals.update({str(k): v for k, v in counts.items()})
        who = f"{o.report.agency or '（机关未识别）'} {o.report.year or ''}".strip() if o.report else "无法读取"
        summary = "，".join(f"{SEVERITY_LABELS[s]} {counts[s]}" for s in Severity if counts[s]) or "未发现问题"
        _emit(f"\n== {o.path}（{who}）：{summary}")
        ordered = sorted(o.findings, key=lambda f: SEVERITY_ORDER[f.severity])
        if ordered:
            _emit(_table(("级别", "规则", "说明"), [(SEVERITY_LABELS[f.severity], f.rule, f.message) for f in ordered]))
    unreadable = sum(1 for o in outcomes if o.report is None)
    _emit(f"\n共检查 {len(outcomes)} 份报告（无法读取 {unreadable} 份）：错误 {totals['error']} 条，"
          f"警告 {totals['warning']} 条，提示 {totals['info']} 条")
    return 0


def cmd_score(args: argparse.Namespace) -> int:
    from auditlib.rubric import RubricError, load_rubric
    from auditlib.score import score_outcomes, scores_frame

    try:
        rubric = load_rubric(args.rubric)
    except RubricError as exc:
        _fail(str(exc))
        return 2
    outcomes = audit_paths(args.paths)
    scores = score_outcomes(outcomes, rubric)
    if args.json:
        for s in scores:
            _emit_json(s.to_dict())
        return 0
    if not scores:
        _emit("没有找到报告文件")
        return 0
    ranks = scores_frame(scores)["rank"].to_list()  # 1, 2, 2, 4 as the overview ranks
    rows = []
    for i in sorted(range(len(scores)), key=lambda i: ranks[i]):
        s, rank = scores[i], ranks[i]
        lost = "；".join(f"{d.item} {d.points:g}（{'、'.join(d.rules)}）" for d in s.deductions) or "—"
        rows.append((str(rank), f"{s.score:g}", s.grade, s.agency or "（未识别）", str(s.year or "—"), lost, s.report))
    _emit(_table(("名次", "得分", "等级", "机关", "年度", "扣分", "文件"), rows))
    unassessed = Counter(f"{item}：{why}" for s in scores for item, why in s.unassessed)
    if unassessed:
        _emit("\n未评项目（不扣分）：" + "；".join(f"{k}（{v} 份）" for k, v in unassessed.items()))
    grades = Counter(s.grade for s in scores)
    _emit(f"\n共评分 {len(scores)} 份（细则：{rubric.path}）：" + "，".join(f"{g} {grades[g]} 份" for g, _ in rubric.grades))
    return 0


def cmd_batch(args: argparse.Namespace) -> int:
    from auditlib.batch import BatchError, run_batch

    if os.path.lexists(args.out) and not os.path.isdir(args.out):
        raise UserError(f"--out 指定的 {args.out} 是文件，不是文件夹；请指定一个文件夹（不存在时会自动创建）")
    try:
        result = run_batch(args.paths, args.out, workers=args.workers, parameters_file=args.parameters,
                           force=args.force, self_contained=args.self_contained, timeout=args.timeout,
                           progress=not args.quiet, scheduler=args.scheduler, fresh_kernels=args.fresh_kernels)
    except BatchError as exc:
        _fail(f"batch：{exc}")
        return 2
    except OSError as exc:
        if isinstance(exc, BrokenPipeError):
            raise
        _fail(oserror_message(exc, args.out))
        return 2
    except KeyboardInterrupt:
        sys.stderr.write("\n已中断；已完成的机关已保存，再次运行同一命令将从中断处继续\n")
        return 130
    _emit(f"共 {len(result.agencies)} 个机关：本次生成 {result.ran} 个，未变化跳过 {result.skipped} 个，"
          f"无法读取 {result.unreadable} 个，生成失败 {result.failed} 个（用时 {result.seconds:.1f} 秒）")
    for a in result.agencies:
        if a["status"] == "failed":
            _emit(f"  生成失败：{a.get('agency') or a['report']}：{a.get('error')}")
    _emit(f"总览页：{result.index}")
    return 1 if result.failed else 0


# argparse's own messages (English, or whatever the locale gives) → one Chinese line
_ARGPARSE_MESSAGES = (
    (r"the following arguments are required: (.+)", "缺少必需的参数：{0}"),
    (r"unrecognized arguments: (.+)", "无法识别的参数：{0}"),
    (r"argument (\S+): invalid choice: (.+?) \(choose from (.+)\)", "{0} 的取值 {1} 无效，可选：{2}"),
    (r"argument (\S+): invalid (\S+) value: (.+)", "{0} 的值 {2} 无效（应为{1}）"),
    (r"argument (\S+): expected one argument", "{0} 后面需要一个值"),
    (r"argument (\S+): expected at least one argument", "{0} 后面至少需要一个值"),
    (r"ambiguous option: (\S+) could match (.+)", "选项 {0} 有歧义，可能是：{1}"),
    (r"argument (\S+): not allowed with argument (\S+)", "{0} 不能与 {1} 同时使用"),
    (r"argument (\S+): (.+)", "{0}：{1}"),
)
_TYPE_NAMES = {"int": "整数", "float": "数字", "_positive_int": "正整数"}


def _chinese_usage_error(message: str) -> str:
    for pattern, template in _ARGPARSE_MESSAGES:
        m = re.fullmatch(pattern, message.strip(), flags=re.DOTALL)
        if m:
            groups = [_TYPE_NAMES.get(g, g) for g in m.groups()]
            return re.sub(r"(?<=[^\x00-\x7f]) (?=的)", "", template.format(*groups))
    return message


class ChineseArgumentParser(argparse.ArgumentParser):
    """Usage errors as one Chinese line and exit code 2 (argparse prints its usage and English otherwise)."""

    def error(self, message: str) -> NoReturn:
        _fail(f"{_chinese_usage_error(message)}（运行 {self.prog} --help 查看用法）")
        sys.exit(2)


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"应为正整数，而不是 {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"应为正整数，而不是 {value}")
    return value


def _require_paths(paths: Sequence[str]) -> None:
    """Every path named on the command line must exist (a typo is a usage error, not an unreadable report).

    A broken symlink exists as a name: reading it gives its UNREADABLE finding.
    """
    missing = [p for p in paths if not os.path.lexists(p)]
    if missing:
        raise UserError("找不到 " + "、".join(missing) + "：没有这个文件或文件夹")


def build_parser() -> argparse.ArgumentParser:
    parser = ChineseArgumentParser(prog="auditlib", description="政府信息公开工作年度报告审核工具")
    sub = parser.add_subparsers(dest="command", required=True, metavar="命令")
    for name, func, help_text in (
        ("parse", cmd_parse, "解析报告，输出机关、年度、六个部分和三张统计表"),
        ("check", cmd_check, "解析并核验报告，列出发现的问题"),
    ):
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.add_argument("paths", nargs="+", metavar="路径", help="报告文件或文件夹（递归读取）")
        p.add_argument("--json", action="store_true", help="按 JSON Lines 输出（spec/report-json.md）")
        p.set_defaults(func=func)
    help_text = "解析、核验并按评分细则打分（百分制），列出每项扣分及其依据的规则"
    p = sub.add_parser("score", help=help_text, description=help_text)
    p.add_argument("paths", nargs="+", metavar="路径", help="报告文件或文件夹（递归读取）")
    p.add_argument("--json", action="store_true", help="按 JSON Lines 输出，每份报告一行（spec/report-json.md）")
    p.add_argument("--rubric", metavar="细则", default=None, help="评分细则 YAML（默认 parameters/rubric.yaml）")
    p.set_defaults(func=cmd_score)
    help_text = "批量生成审核笔记本和网页：每个机关一页，另有总览页 index.html 和问题清单（xlsx/csv/parquet）"
    p = sub.add_parser("batch", help=help_text, description=help_text)
    p.add_argument("paths", nargs="+", metavar="路径", help="报告文件或文件夹（递归读取）")
    p.add_argument("--out", required=True, metavar="输出文件夹", help="输出文件夹（不存在则创建；再次运行时跳过未变化的机关）")
    p.add_argument("--workers", type=_positive_int, default=None, metavar="N", help="并行进程数（默认：本机 CPU 核数）")
    p.add_argument("--parameters", default=None, metavar="参数文件",
                   help="YAML 参数文件，覆盖 parameters/defaults.yaml（示例：parameters/batch.example.yaml）")
    p.add_argument("--force", action="store_true", help="全部重新生成，不跳过未变化的机关")
    p.add_argument("--self-contained", action="store_true", help="把图表脚本嵌入每个网页（单个文件即可查看，但每页约大 0.9 MB）")
    p.add_argument("--timeout", type=_positive_int, default=600, metavar="秒", help="单个笔记本单元格的执行时限（默认 600 秒）")
    p.add_argument("--quiet", action="store_true", help="不显示进度条")
    p.add_argument("--scheduler", default=None, metavar="tcp://主机:端口",
                   help="在 Dask 集群上运行各机关（需安装 distributed；各节点须能以相同路径访问报告和输出文件夹）")
    p.add_argument("--fresh-kernels", action="store_true",
                   help="每个笔记本都启动新内核（更慢；默认每个进程复用一个内核，机关之间清空其变量）")
    p.set_defaults(func=cmd_batch)
    from auditlib.review.cli import add_parser as add_review_parser  # auditlib review …（复核）
    add_review_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command. A user error (UserError, or an OSError such as a full or read-only disk) is one
    Chinese line on stderr and exit code 2; an internal error is one line and exit code 1
    (AUDITLIB_DEBUG=1 shows its traceback).
    """
    args = build_parser().parse_args(argv)
    try:
        _require_paths(getattr(args, "paths", ()))
        code = int(args.func(args))
        sys.stdout.flush()  # a full disk or closed pipe shows here, inside the handlers
        return code
    except KeyboardInterrupt:
        sys.stderr.write("\n已中断\n")
        return 130
    except BrokenPipeError:
        _silence_stdout()
        return 0
    except UserError as exc:
        _fail(str(exc))
        return 2
    except OSError as exc:
        _fail(oserror_message(exc) if exc.filename is not None else f"无法写入输出：{oserror_reason(exc)}")
        _silence_stdout()
        return 2
    except Exception as exc:  # noqa: BLE001 - a bug: one line, not a traceback, unless asked for
        if os.environ.get("AUDITLIB_DEBUG"):
            raise
        _fail(f"内部错误（{type(exc).__name__}: {exc}）；请把命令和输入文件反馈给开发人员，"
              "设置环境变量 AUDITLIB_DEBUG=1 可看到详细出错位置")
        return 1


def _silence_stdout() -> None:
    """Point stdout at /dev/null so that the interpreter's final flush cannot fail a second time."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


if __name__ == "__main__":
    sys.exit(main())
