"""The whole pipeline on PDF reports against pdfplumber's plain text extraction.

    .venv/bin/python benchmarks/bench_pdf.py [FILES or FOLDERS...] [--repeats N]

Default inputs: ../shared/corpus/real/hongze-2023.pdf and hongze-2024.pdf (when the shared
corpus is there) and every PDF under corpus/synthetic. For each file, in this process:

* pdfplumber — `pdfplumber.open(path)` and `page.extract_text()` over every page: the least
  a pdfplumber-based reader does (no tables, no layout);
* ours — `extractor.parse(path)`: the PDF reader (characters, rulings, tables with spans and
  provenance, joins over page breaks, paragraphs), segmentation, alignment, metadata and
  every check. The per-document caches are emptied before each repeat
  (`extractor.checks.text._split.cache_clear()`); label caches stay warm, as they are after
  the first files of any corpus;
* reader — `read_document` alone, for the breakdown.

Repeats are interleaved (pdfplumber, ours, reader, pdfplumber, …) and the best of N is kept.
Goal: ours / pdfplumber ≤ 1.0 (the median over the text-layer files is printed). Scanned
PDFs (read through OCR; pdfplumber finds no text in them) are timed but kept out of the
median; without the OCR extra they are listed as skipped.
"""
from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

import extractor
from extractor.readers import read_document, sniff

REPEATS = 7


def plumber(path: Path) -> int:
    import pdfplumber

    with pdfplumber.open(str(path)) as pdf:
        return sum(len(page.extract_text() or "") for page in pdf.pages)


class Failed(Exception):
    pass


def ours(path: Path) -> int:
    from extractor.checks.text import _split

    _split.cache_clear()
    r = extractor.parse(path)
    if r.status == "failed":
        raise Failed(r.error)
    return len(r.cells)


def reader(path: Path) -> int:
    return len(read_document(str(path), path.read_bytes()).blocks)


def inputs(args: list[str]) -> list[Path]:
    if args:
        paths: list[Path] = []
        for a in map(Path, args):
            paths += sorted(p for p in a.rglob("*") if p.is_file()) if a.is_dir() else [a]
    else:
        shared = REPO.parent / "shared" / "corpus" / "real"
        paths = [shared / n for n in ("hongze-2023.pdf", "hongze-2024.pdf") if (shared / n).exists()]
        paths += sorted((REPO / "corpus" / "synthetic").rglob("*.pdf"))
    return [p for p in paths if sniff(p.read_bytes()[:4096], str(p)) == "pdf"]


def main(argv: list[str]) -> int:
    global REPEATS
    if "--repeats" in argv:
        i = argv.index("--repeats")
        REPEATS = int(argv[i + 1])
        argv = argv[:i] + argv[i + 2:]
    files = inputs(argv)
    if not files:
        print("no PDF inputs found")
        return 1
    usable, scans = [], set()
    for p in files:  # warm imports, fonts and label caches once
        try:
            plumber(p), ours(p)
        except (Failed, OSError) as e:  # a scan without the OCR extra, a file removed meanwhile
            print(f"skipped {p.name}: {e}")
            continue
        usable.append(p)
        if extractor.parse(p).meta.get("ocr_pages"):
            scans.add(p)
    if not usable:
        return 1
    print(f"{'file':<52} {'pages':>5} {'plumber ms':>10} {'ours ms':>8} {'reader ms':>9} {'ratio':>6}")
    ratios = []
    for p in usable:
        fns = {"plumber": plumber, "ours": ours, "reader": reader}
        best = {k: float("inf") for k in fns}
        for _ in range(REPEATS):
            for k, fn in fns.items():
                t0 = time.perf_counter()
                fn(p)
                best[k] = min(best[k], time.perf_counter() - t0)
        pages = extractor.parse(p).meta.get("pages", "?")
        ratio = best["ours"] / best["plumber"]
        if p not in scans:
            ratios.append(ratio)
        print(f"{p.name[:52]:<52} {pages:>5} {best['plumber'] * 1000:10.1f} {best['ours'] * 1000:8.1f} "
              f"{best['reader'] * 1000:9.1f} {ratio:6.2f}" + ("  (scan: OCR, not in the median)" if p in scans else ""))
    if ratios:
        print(f"median ratio ours/pdfplumber = {statistics.median(ratios):.2f}× over {len(ratios)} text-layer "
              f"PDFs (max {max(ratios):.2f}×; goal ≤ 1.0×; best of {REPEATS}, interleaved)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
