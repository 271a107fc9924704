"""The `extractor` command.

    extractor run PATH... --out DIR     datasets (Parquet + CSV) and a summary
    extractor parse FILE                one report as JSON
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from . import __version__


def _cmd_run(args) -> int:
    from tqdm import tqdm

    from .corpus import discover, run_corpus
    from .export import write_datasets
    from .frames import report_frames

    files = discover(args.paths)
    missing = [str(f) for f in files if not f.exists()]
    for m in missing:
        print(f"extractor: {m}: no such file or folder", file=sys.stderr)
    files = [f for f in files if f.exists()]
    if not files:
        print("extractor: no input files", file=sys.stderr)
        return 2
    bar = tqdm(total=len(files), unit="file", disable=args.quiet or not sys.stderr.isatty(), file=sys.stderr)
    reports = run_corpus(files, progress=lambda r: bar.update(1))
    bar.close()
    frames = report_frames(reports)
    write_datasets(frames, args.out, formats=tuple(args.format))
    if not args.quiet:
        print(summary(reports, args.out))
    return 0


def summary(reports, out) -> str:
    st = Counter(r.status for r in reports)
    sev = Counter(f.severity for r in reports for f in r.findings)
    rules = Counter(f.rule_id for r in reports for f in r.findings if f.severity in ("error", "warning"))
    fmt = Counter(r.format for r in reports)
    lines = [f"{len(reports)} files -> {out}",
             "  by status:   " + ", ".join(f"{k} {v}" for k, v in sorted(st.items())),
             "  by format:   " + ", ".join(f"{k} {v}" for k, v in sorted(fmt.items())),
             "  findings:    " + (", ".join(f"{k} {sev.get(k, 0)}" for k in ("error", "warning", "info"))),
             "  top rules:   " + (", ".join(f"{k} {v}" for k, v in rules.most_common(8)) or "-")]
    failed = [r for r in reports if r.status != "ok"]
    for r in failed[:10]:
        lines.append(f"  {r.status:<8} {r.error}")
    if len(failed) > 10:
        lines.append(f"  ... {len(failed) - 10} more not ok (see reports.csv)")
    return "\n".join(lines)


def _cmd_parse(args) -> int:
    from .frames import report_frames
    from .pipeline import parse

    if not Path(args.file).is_file():
        print(f"extractor: {args.file}: no such file", file=sys.stderr)
        return 2
    r = parse(args.file)
    frames = report_frames([r])
    out = {name: json.loads(frames[name].to_json(orient="records", force_ascii=False, date_format="iso"))
           for name in ("reports", "sections", "cells", "findings")}
    out["reports"] = out["reports"][0]
    out["report"] = out.pop("reports")
    json.dump(out, sys.stdout, ensure_ascii=False, indent=1)
    print()
    return 0 if r.status != "failed" else 1


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="extractor", description="OGI annual reports -> datasets and findings")
    ap.add_argument("--version", action="version", version=f"extractor {__version__}")
    sub = ap.add_subparsers(dest="cmd", required=True)
    run = sub.add_parser("run", help="turn files and folders (recursive) into datasets")
    run.add_argument("paths", nargs="+", help="report files and folders")
    run.add_argument("--out", required=True, help="output folder for the datasets")
    run.add_argument("--format", nargs="+", choices=("parquet", "csv"), default=["parquet", "csv"])
    run.add_argument("-q", "--quiet", action="store_true", help="no progress bar, no summary")
    run.set_defaults(fn=_cmd_run)
    p = sub.add_parser("parse", help="print one report as JSON")
    p.add_argument("file")
    p.set_defaults(fn=_cmd_parse)
    return ap


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.fn(args)
