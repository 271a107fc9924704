"""Discover report files and run the pipeline over them without ever stopping on one
bad file. (Parallelism, caching and resumption belong to the corpus-scale work.)"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Callable, Iterable

from .deadlines import DeadlineConfig
from .model import Report
from .pipeline import parse

# files that sit beside reports but are never reports themselves
NOT_REPORTS = {".md", ".json", ".tsv", ".csv", ".parquet", ".py", ".toml", ".yml", ".yaml", ".ipynb", ".lock"}


def discover(paths: Iterable[str | Path]) -> list[Path]:
    """Files named directly, and every file under named folders (recursive, sorted, hidden skipped)."""
    found: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            for root, dirs, files in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for f in sorted(files):
                    fp = Path(root) / f
                    if not f.startswith(".") and fp.suffix.lower() not in NOT_REPORTS:
                        found.append(fp)
        else:
            found.append(p)
    seen, out = set(), []
    for f in found:
        k = os.path.normpath(str(f))
        if k not in seen:
            seen.add(k)
            out.append(f)
    return out


def prepare_legacy(files: list[Path]) -> None:
    """Convert the DOC/WPS/RTF files among `files` to DOCX ahead of parsing, several per
    LibreOffice call (the conversions land in the content-hash cache; failures are
    reported when each file is parsed)."""
    from .readers import sniff
    from .readers.legacy import BATCH, convert_many, ole_kind, soffice

    if soffice() is None:
        return
    items = []
    for f in files:
        try:
            with open(f, "rb") as fh:
                head = fh.read(8)
            if head.startswith(b"\xd0\xcf\x11\xe0") or head.startswith(b"{\\rtf"):
                data = Path(f).read_bytes()
                if sniff(data, str(f)) == "rtf" or ole_kind(data) == "word":
                    items.append((str(f), data))
        except OSError:
            continue  # reported when the file is parsed
        if len(items) >= BATCH:
            convert_many(items)
            items = []
    if items:
        convert_many(items)


def run_corpus(files: list[Path], progress: Callable[[Report], None] | None = None,
               corpus_checks: bool = True, deadlines: DeadlineConfig | None = None) -> list[Report]:
    """Parse every file, then run the corpus-level checks (cross-year, duplicates) over all of
    them. The reports come back in the order of `files`; their contents (ids, findings) do not
    depend on that order. `deadlines`: the local deadline rules (`extractor run --deadlines`)."""
    prepare_legacy(files)
    reports: list[Report] = []
    for f in files:
        r = parse(f, deadlines)
        reports.append(r)
        if progress:
            progress(r)
    # the same bytes under several names: keep every row, with distinct ids given in path order
    by_id: dict[str, list[Report]] = {}
    for r in reports:
        by_id.setdefault(r.report_id, []).append(r)
    for same in by_id.values():
        if len(same) > 1:
            same.sort(key=lambda r: os.path.normpath(r.path))
            for n, r in enumerate(same[1:], start=2):
                r.report_id = f"{r.report_id}-{n}"
    if corpus_checks:
        from .checks import run_corpus_checks

        run_corpus_checks(reports)
    return reports
