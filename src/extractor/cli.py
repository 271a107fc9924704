"""The `extractor` command.

    extractor run PATH... --out DIR     datasets (Parquet + CSV) and a summary
    extractor parse FILE                one report as JSON
    extractor show FILE --cell KEY      where a value was read (PDF: the page region as PNG)
    extractor check PATH...             findings only, one per line; exit 1 when one fails the run
    extractor audit PATH... --out DIR   the audit report (extractor.audit.write_audit)
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from . import __version__


def _cmd_run(args) -> int:
    from tqdm import tqdm

    from .deadlines import DeadlineError, load_deadlines
    from .runner import RunOptions, run
    from .sources import expand

    accepted = _accepted(args)
    if accepted is None:
        return 2
    try:
        if args.deadlines:
            load_deadlines(args.deadlines)  # a bad rules file is a usage error, before any work
    except DeadlineError as e:
        print(f"extractor: {e}", file=sys.stderr)
        return 2
    if args.duckdb and "parquet" not in args.format:
        print("extractor: --duckdb loads the Parquet files: add parquet to --format", file=sys.stderr)
        return 2
    paths = list(args.paths) + ([f"@{args.files_from}"] if args.files_from else [])
    missing: list[str] = []
    sources = expand(paths, missing)
    for m in missing:
        print(f"extractor: {m}", file=sys.stderr)
    if not sources:
        print("extractor: no input files", file=sys.stderr)
        return 2
    if args.dask:
        try:
            import distributed  # noqa: F401
        except ImportError:
            print("extractor: --dask needs dask.distributed: pip install 'extractor[dask]'", file=sys.stderr)
            return 2
    bar = tqdm(total=len(sources), unit="file", disable=args.quiet or not sys.stderr.isatty(), file=sys.stderr)
    opts = RunOptions(jobs=args.jobs, cache_dir=args.cache, refresh=args.refresh,
                      time_limit=args.time_limit or None, memory_limit_mb=args.memory_limit or None,
                      deadlines_path=args.deadlines, accepted=frozenset(accepted), formats=tuple(args.format),
                      dask=args.dask, shard_size=args.shard_size, progress=lambda r: bar.update(1))
    summary = run(sources, args.out, opts)
    bar.close()
    if args.duckdb:
        from .duck import write_duckdb

        try:
            write_duckdb(args.out, args.duckdb)
        except Exception as e:  # the datasets are written; say why the database is not
            print(f"extractor: {args.duckdb}: DuckDB database not written ({type(e).__name__}: {e})",
                  file=sys.stderr)
            return 1
    if not args.quiet:
        print(summary.text())
        if args.duckdb:
            print(f"  duckdb:      {args.duckdb}")
    return 0


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


def _cmd_show(args) -> int:
    from .pipeline import parse

    if not Path(args.file).is_file():
        print(f"extractor: {args.file}: no such file", file=sys.stderr)
        return 2
    r = parse(args.file)
    if r.status == "failed":
        print(f"extractor: {r.error}", file=sys.stderr)
        return 1
    c = r.cell(args.cell)
    if c is None:
        near = [k for k in (x.key for x in r.cells) if k.startswith(args.cell.rsplit(".", 1)[0])][:10]
        print(f"extractor: {args.file}: no cell {args.cell!r}" + (f" (cells here: {', '.join(near)})" if near else ""),
              file=sys.stderr)
        return 1
    value = "" if c.value is None else (int(c.value) if float(c.value).is_integer() else c.value)
    print(f"{c.key} = {value!r}  raw {c.raw!r}  status {c.status}")
    print(f"read from {r.format} {args.file}: {c.where.describe() or 'unknown place'}")
    if c.label:
        print(f"label as printed: {c.label}")
    if c.where.page is not None and c.where.bbox is not None:
        out = Path(args.png or f"{Path(args.file).stem}.{c.key}.png")
        render_region(args.file, c.where.page, c.where.bbox, out)
        print(f"page region rendered to {out}")
    return 0


def render_region(pdf_path: str, page: int, bbox, out: Path, dpi: int = 150, margin: float = 36.0) -> None:
    """Render the region of a PDF page around bbox (points, top-left origin) to PNG, with the
    cell outlined."""
    import pypdfium2 as pdfium
    from PIL import ImageDraw

    pdf = pdfium.PdfDocument(pdf_path)
    pg = pdf[page - 1]
    w, h = pg.get_size()
    scale = dpi / 72
    img = pg.render(scale=scale).to_pil().convert("RGB")
    x0, top, x1, bottom = bbox
    ImageDraw.Draw(img).rectangle([x0 * scale, top * scale, x1 * scale, bottom * scale], outline=(220, 0, 0),
                                  width=3)
    crop = (max(0, (x0 - margin * 4) * scale), max(0, (top - margin) * scale),
            min(w, x1 + margin * 4) * scale, min(h, bottom + margin) * scale)
    img.crop(tuple(int(v) for v in crop)).save(out)
    pdf.close()


SEVERITIES = ("info", "warning", "error")  # rising
ACCEPT_HELP = "file of accepted finding fingerprints (one per line, '#' comments): shown as accepted, never failing"


def _accepted(args) -> dict[str, str] | None:
    """The --accept file's fingerprints ({} without the option); None (after a message) when it is
    unreadable or malformed — a usage error."""
    from .accept import AcceptFileError, load_accepted

    if not getattr(args, "accept", None):
        return {}
    try:
        return load_accepted(args.accept)
    except AcceptFileError as e:
        print(f"extractor: {e}", file=sys.stderr)
        return None


def _load_reports(args) -> list | None:
    """Discover and parse `args.paths` (with `args.deadlines`; corpus checks included); None (after
    a message) when there is no input or the deadlines file is bad — usage errors."""
    from .corpus import discover, run_corpus
    from .deadlines import DeadlineError, load_deadlines

    try:
        deadlines = load_deadlines(args.deadlines) if getattr(args, "deadlines", None) else None
    except DeadlineError as e:
        print(f"extractor: {e}", file=sys.stderr)
        return None
    missing: list[str] = []
    files = discover(args.paths, missing)
    for m in missing:
        print(f"extractor: {m}", file=sys.stderr)
    if not files:
        print("extractor: no input files", file=sys.stderr)
        return None
    return run_corpus(files, deadlines=deadlines)


def _cmd_check(args) -> int:
    accepted = _accepted(args)
    if accepted is None:
        return 2
    reports = _load_reports(args)
    if reports is None:
        return 2
    bar = SEVERITIES.index(args.fail_on)
    rows = []
    for r in sorted(reports, key=lambda r: (r.path, r.report_id)):
        for f in sorted(r.findings, key=lambda f: (f.rule_id, f.fingerprint)):
            ok = f.fingerprint in accepted
            rank = SEVERITIES.index(f.severity) if f.severity in SEVERITIES else len(SEVERITIES)
            rows.append({"path": r.path, "report_id": r.report_id, "rule_id": f.rule_id, "severity": f.severity,
                         "message": f.message, "expected": f.expected, "actual": f.actual, "cells": list(f.cells),
                         "evidence": [{"text": e.text, "where": e.where.describe()} for e in f.evidence],
                         "fingerprint": f.fingerprint, "accepted": ok, "fails": not ok and rank >= bar})
    failing = sum(x["fails"] for x in rows)
    seen = {x["fingerprint"] for x in rows}
    failed_files = [r for r in reports if r.status == "failed"]
    summary_d = {
        "files": len(reports), "failed_files": len(failed_files), "findings": len(rows),
        **{s: sum(x["severity"] == s for x in rows) for s in SEVERITIES[::-1]},
        "accepted": sum(x["accepted"] for x in rows),
        "accepted_not_found": sorted(set(accepted) - seen), "fail_on": args.fail_on, "failing": failing,
    }
    code = 1 if failing else 0
    if args.output == "json":
        json.dump({"findings": rows,
                   "files": [{"path": r.path, "report_id": r.report_id, "status": r.status, "error": r.error}
                             for r in sorted(reports, key=lambda r: (r.path, r.report_id))],
                   "summary": summary_d, "exit_code": code}, sys.stdout, ensure_ascii=False, indent=1)
        print()
        return code
    for x in rows:
        sev = x["severity"] + (" (accepted)" if x["accepted"] else "")
        print("\t".join([x["path"], x["rule_id"], sev, " ".join(x["message"].split()), x["fingerprint"]]))
    for r in failed_files:
        print(f"extractor: {r.error}", file=sys.stderr)
    line = (f"{summary_d['files']} files ({summary_d['failed_files']} failed), {len(rows)} findings: "
            + ", ".join(f"{s} {summary_d[s]}" for s in SEVERITIES[::-1])
            + f"; accepted {summary_d['accepted']}")
    if summary_d["accepted_not_found"]:
        line += f" ({len(summary_d['accepted_not_found'])} accepted fingerprints matched nothing)"
    print(line)
    print(f"{'FAIL' if code else 'OK'}: {failing} finding(s) at or above {args.fail_on} not accepted")
    return code


def _cmd_audit(args) -> int:
    reports = _load_reports(args)
    if reports is None:
        return 2
    try:
        from .audit import write_audit
    except ImportError as e:
        print(f"extractor: the audit report is not available ({e})", file=sys.stderr)
        return 1
    written = write_audit(reports, args.out, lang=args.lang)
    if not args.quiet:
        print(f"audit ({args.lang}) of {len(reports)} files -> {args.out}")
        for w in written if isinstance(written, (list, tuple)) else [written] if written else []:
            print(f"  {w}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="extractor", description="OGI annual reports -> datasets and findings")
    ap.add_argument("--version", action="version", version=f"extractor {__version__}")
    sub = ap.add_subparsers(dest="cmd", required=True)
    run = sub.add_parser("run", help="turn files and folders (recursive) into datasets")
    run.add_argument("paths", nargs="*", help="report files, folders (recursive), glob patterns, ZIP archives, "
                                              "or @LIST (a file naming one input per line)")
    run.add_argument("--files-from", metavar="LIST", help="a file naming one input per line")
    run.add_argument("--out", required=True, help="output folder for the datasets")
    run.add_argument("--format", nargs="+", choices=("parquet", "csv"), default=["parquet", "csv"])
    run.add_argument("-q", "--quiet", action="store_true", help="no progress bar, no summary")
    run.add_argument("--accept", metavar="FILE", help=ACCEPT_HELP)
    run.add_argument("-j", "--jobs", type=int, default=0, help="worker processes (default: one per core)")
    run.add_argument("--cache", metavar="DIR", help="content-hash cache of parsed files (default: OUT/.cache); "
                                                    "a rerun skips unchanged files")
    run.add_argument("--refresh", action="store_true", help="parse every file again (the cache is rewritten)")
    run.add_argument("--time-limit", type=float, default=300, metavar="SECONDS",
                     help="stop a file after this long and record it as failed (default 300; 0: none)")
    run.add_argument("--memory-limit", type=int, default=3072, metavar="MB",
                     help="stop a file whose worker exceeds this resident memory (default 3072; 0: none)")
    run.add_argument("--dask", metavar="ADDRESS", help="run the files on a dask.distributed cluster (scheduler "
                                                      "address, or 'local' for a local cluster)")
    run.add_argument("--shard-size", type=int, default=200, metavar="N",
                     help="files per shard: the unit of writing and of resuming (default 200)")
    run.add_argument("--duckdb", metavar="FILE", help="also write the datasets as DuckDB tables and views")
    run.add_argument("--deadlines", metavar="FILE",
                     help="local deadline rules (TOML, or YAML with PyYAML) for 乡镇/街道 and zone reports and "
                          "how a government office's report is judged; see extractor.deadlines")
    run.set_defaults(fn=_cmd_run)
    p = sub.add_parser("parse", help="print one report as JSON")
    p.add_argument("file")
    p.set_defaults(fn=_cmd_parse)
    sh = sub.add_parser("show", help="where a cell's value was read (PDF: render that page region to PNG)")
    sh.add_argument("file")
    sh.add_argument("--cell", required=True, help="cell key, e.g. t3.r_total.total")
    sh.add_argument("--png", help="PNG output for PDF cells (default: <file stem>.<cell>.png)")
    sh.set_defaults(fn=_cmd_show)
    ck = sub.add_parser("check", help="findings only (no datasets): one per line, exit 1 when one fails the run")
    ck.add_argument("paths", nargs="+", help="report files and folders")
    ck.add_argument("--fail-on", choices=SEVERITIES[::-1], default="error",
                    help="fail (exit 1) on a finding of this severity or worse that is not accepted (default: error)")
    ck.add_argument("--accept", metavar="FILE", help=ACCEPT_HELP)
    ck.add_argument("--format", choices=("text", "json"), default="text", dest="output")
    ck.add_argument("--deadlines", metavar="FILE", help="local deadline rules, as for `extractor run`")
    ck.set_defaults(fn=_cmd_check)
    au = sub.add_parser("audit", help="write the audit report for files and folders")
    au.add_argument("paths", nargs="+", help="report files and folders")
    au.add_argument("--out", required=True, help="output folder for the audit report")
    au.add_argument("--lang", choices=("zh", "en"), default="zh", help="language of the report (default: zh)")
    au.add_argument("--deadlines", metavar="FILE", help="local deadline rules, as for `extractor run`")
    au.add_argument("-q", "--quiet", action="store_true", help="no summary")
    au.set_defaults(fn=_cmd_audit)
    return ap


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.fn(args)
