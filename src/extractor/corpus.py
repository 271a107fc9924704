"""Parse a corpus in memory, without ever stopping on one bad file: every report comes back
as a `Report` (for `extractor check`, `extractor audit` and the Python API). `extractor run`
uses the parallel, cached, resumable runner (`runner.py`) instead, which writes the same rows.
Inputs are named as for the runner (`sources.expand`)."""
from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterable

from .deadlines import DeadlineConfig
from .model import Report
from .pipeline import parse_bytes
from .sources import Source, SourceError, expand


def discover(paths: Iterable[str | Path], missing: list[str] | None = None) -> list[Source]:
    """Files, folders (recursive, hidden skipped), glob patterns, `@LIST` files and ZIP archives
    -> sources sorted by name (see `sources.expand`)."""
    return expand(paths, missing)


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


def run_corpus(files: list[Source | str | Path], progress: Callable[[Report], None] | None = None,
               corpus_checks: bool = True, deadlines: DeadlineConfig | None = None) -> list[Report]:
    """Parse every file, then run the corpus-level checks (cross-year, duplicates) over all of
    them. The reports come back in the order of `files`; their contents (ids, findings) do not
    depend on that order. `deadlines`: the local deadline rules (`extractor run --deadlines`)."""
    sources = [f if isinstance(f, Source) else Source(str(f), str(f)) for f in files]
    prepare_legacy([Path(s.file) for s in sources if s.member is None])
    reports: list[Report] = []
    for src in sources:
        try:
            r = parse_bytes(src.name, src.read_bytes(), deadlines)
        except SourceError as e:
            from .worker import failed_report

            r = failed_report(src, str(e))
        reports.append(r)
        if progress:
            progress(r)
    # the same bytes under several names: keep every row, with distinct ids given in path order
    from .runner import unique_ids

    for r, rid in zip(reports, unique_ids(reports)):
        r.report_id = rid
    if corpus_checks:
        from .checks import run_corpus_checks

        run_corpus_checks(reports)
    return reports
