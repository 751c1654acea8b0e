"""Command line: argument parsing and output formatting only; the work is one library call."""

from __future__ import annotations

import argparse
import json
import sys
import unicodedata
from collections import Counter
from collections.abc import Sequence

from auditlib.audit import audit_paths, collect_paths, load
from auditlib.findings import SEVERITY_LABELS, SEVERITY_ORDER, Severity
from auditlib.model import CellStatus


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(_width(str(r[i])) for r in (header, *rows)) for i in range(len(header))]
    lines = ["  ".join(_pad(str(c), w) for c, w in zip(row, widths, strict=True)).rstrip() for row in (header, *rows)]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _emit(line: str) -> None:
    sys.stdout.write(line + "\n")


def cmd_parse(args: argparse.Namespace) -> int:
    rows = []
    for path in collect_paths(args.paths):
        report, error = load(path)
        if args.json:
            if report is None:
                _emit(json.dumps({"source": {"path": str(path), "format": None, "encoding": None, "sha256": None},
                                  "agency": None, "year": None, "template": "unknown", "sections": {}, "tables": {},
                                  "error": error}, ensure_ascii=False))
            else:
                _emit(json.dumps(report.to_dict(), ensure_ascii=False))
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
                _emit(json.dumps(f.to_dict(), ensure_ascii=False))
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
    from auditlib.score import RubricError, load_rubric, score_outcomes, scores_frame

    try:
        rubric = load_rubric(args.rubric)
    except RubricError as exc:
        sys.stderr.write(f"{exc}\n")
        return 2
    outcomes = audit_paths(args.paths)
    scores = score_outcomes(outcomes, rubric)
    if args.json:
        for s in scores:
            _emit(json.dumps(s.to_dict(), ensure_ascii=False))
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

    try:
        result = run_batch(args.paths, args.out, workers=args.workers, parameters_file=args.parameters,
                           force=args.force, self_contained=args.self_contained, timeout=args.timeout,
                           progress=not args.quiet)
    except BatchError as exc:
        sys.stderr.write(f"auditlib batch：{exc}\n")
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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="auditlib", description="政府信息公开工作年度报告审核工具")
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
    p.add_argument("--workers", type=int, default=None, metavar="N", help="并行进程数（默认：本机 CPU 核数）")
    p.add_argument("--parameters", default=None, metavar="参数文件",
                   help="YAML 参数文件，覆盖 parameters/defaults.yaml（示例：parameters/batch.example.yaml）")
    p.add_argument("--force", action="store_true", help="全部重新生成，不跳过未变化的机关")
    p.add_argument("--self-contained", action="store_true", help="把图表脚本嵌入每个网页（单个文件即可查看，但每页约大 0.9 MB）")
    p.add_argument("--timeout", type=int, default=600, metavar="秒", help="单个笔记本单元格的执行时限（默认 600 秒）")
    p.add_argument("--quiet", action="store_true", help="不显示进度条")
    p.set_defaults(func=cmd_batch)
    from auditlib.review.cli import add_parser as add_review_parser  # auditlib review …（复核）
    add_review_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except KeyboardInterrupt:
        sys.stderr.write("\n已中断\n")
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
