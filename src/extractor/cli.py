"""The `extractor` command.

    extractor run PATH... --out DIR     datasets (Parquet + CSV) and a summary
    extractor parse FILE                one report as JSON
    extractor show FILE --cell KEY      where a value was read (PDF: the page region as PNG)
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
    sh = sub.add_parser("show", help="where a cell's value was read (PDF: render that page region to PNG)")
    sh.add_argument("file")
    sh.add_argument("--cell", required=True, help="cell key, e.g. t3.r_total.total")
    sh.add_argument("--png", help="PNG output for PDF cells (default: <file stem>.<cell>.png)")
    sh.set_defaults(fn=_cmd_show)
    return ap


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.fn(args)
