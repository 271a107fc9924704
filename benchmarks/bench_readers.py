"""Full pipeline time per document against the bare library pass over the same file.

    .venv/bin/python benchmarks/bench_readers.py [FILES or FOLDERS...]

Default inputs: the project's synthetic DOCX and HTML reports (corpus/synthetic) and
the real web pages of the shared corpus when it is there. For each file:

* DOCX — bare pass: python-docx opens the file and iterates every paragraph and every
  table cell's text (the least any DOCX tool does); ours: `extractor.parse` (read with
  spans, segment, align, metadata, all checks).
* HTML — bare pass: lxml parses the page and iterates the text of every element;
  ours: `extractor.parse`.

Both are timed in this process, interleaved, best of N repeats, and printed as a
ratio (ours / bare). Goal: ≤ 2×.
"""
from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

import extractor  # noqa: E402
from extractor.readers import sniff  # noqa: E402

REPEATS = 7


def bare_docx(path: Path) -> int:
    import docx

    d = docx.Document(str(path))
    n = sum(len(p.text) for p in d.paragraphs)
    for t in d.tables:
        for row in t.rows:
            for cell in row.cells:
                n += len(cell.text)
    return n


def bare_html(path: Path) -> int:
    import lxml.html

    root = lxml.html.fromstring(path.read_bytes())
    return sum(len(t) for t in root.itertext())


def ours(path: Path) -> int:
    # per-document caches are emptied so a repeat does not reuse this file's work; the
    # label caches stay warm, as they are after the first files of any corpus
    from extractor.checks.text import _split
    _split.cache_clear()
    r = extractor.parse(path)
    if r.status == "failed":
        raise SystemExit(f"{path}: {r.error}")
    return len(r.cells)


def best(fn, path: Path) -> float:
    times = []
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        fn(path)
        times.append(time.perf_counter() - t0)
    return min(times)


def inputs(args: list[str]) -> list[Path]:
    if args:
        paths = []
        for a in map(Path, args):
            paths += sorted(p for p in a.rglob("*") if p.is_file()) if a.is_dir() else [a]
    else:
        paths = sorted((REPO / "corpus" / "synthetic").glob("*"))
        shared = REPO.parent / "shared" / "corpus" / "real"
        if shared.exists():
            paths += sorted(shared.glob("*.html"))
    out = []
    for p in paths:
        kind = sniff(p.read_bytes()[:70000], str(p))
        if kind in ("docx", "html"):
            out.append((kind, p))
    return out


def main(argv: list[str]) -> int:
    files = inputs(argv)
    if not files:
        print("no DOCX or HTML inputs found")
        return 1
    bare = {"docx": bare_docx, "html": bare_html}
    for kind, p in files:  # warm imports and caches once
        bare[kind](p), ours(p)
    ratios: dict[str, list[float]] = {"docx": [], "html": []}
    print(f"{'file':<58} {'kind':<5} {'bare ms':>8} {'ours ms':>8} {'ratio':>6}")
    for kind, p in files:
        tb = best(bare[kind], p)
        to = best(ours, p)
        ratios[kind].append(to / tb)
        print(f"{p.name[:58]:<58} {kind:<5} {tb * 1000:8.2f} {to * 1000:8.2f} {to / tb:6.2f}")
    for kind, rs in ratios.items():
        if rs:
            print(f"{kind}: median ratio ours/bare = {statistics.median(rs):.2f}× over {len(rs)} files "
                  f"(max {max(rs):.2f}×; goal ≤ 2×)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
