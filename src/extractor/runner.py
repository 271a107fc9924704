"""The corpus runner behind `extractor run`: parallel, cached, resumable, bounded memory.

    run(sources, out, RunOptions(jobs=2)) -> RunSummary

How a run goes
--------------
1. The sources (`sources.expand`: sorted by name) are cut into shards of `shard_size`
   consecutive files. A shard is the unit of writing and of resuming.
2. Files are processed by a `pool.WorkerPool` (`--jobs`, default: one per core) or on a Dask
   cluster (`dask_run.py`), each through `worker.process`: from the content-hash cache when the
   same file was seen by the same code and configuration, else parsed (and cached).
3. When every file of a shard is back, its rows are written as Parquet parts
   (`OUT/.work/shards/NNNNNN.<dataset>.parquet`), with the shard's digests (the reports
   without their rows, for the corpus-level rules) and, written last, a manifest naming the
   shard's files with their size and mtime. Only the open shards are held in memory.
4. When every shard is written, the corpus-level rules run (`corpus_checks.corpus_findings`:
   cross-year comparisons loading one body's reports at a time from the cache; DUP-PEER
   through MinHash candidates checked exactly), same-content files get distinct ids, and the
   final datasets are written shard by shard (Parquet row groups of a fixed row count, CSV appended),
   each to a temporary name renamed at the end.

Same bytes whatever happens: the rows of a file do not depend on which worker parsed it or
when, shards are written in shard order, and nothing in a dataset depends on the job count,
completion order, the cache, or an interruption. After `kill -9`, running the same command
again reuses the shards whose manifest matches (files unchanged) and the cached files of the
others: nothing is lost and nothing is written twice.
"""
from __future__ import annotations

import json
import os
import shutil
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from .frames import DATASETS, SCHEMAS, finding_row, rows_frames, wide
from .sources import Source
from .worker import Digest, Job, Result, fingerprint, load_entry, write_entry

SHARD_SIZE = 200
WORK = ".work"
CACHE = ".cache"
STATE_FORMAT = 1


@dataclass
class RunOptions:
    jobs: int = 0                            # 0: one per core
    cache_dir: str | None = None             # default OUT/.cache
    refresh: bool = False                    # parse every file again (the cache is rewritten)
    time_limit: float | None = 300.0         # seconds per file
    memory_limit_mb: int | None = 3072       # resident memory per file (worker), MB
    deadlines_path: str | None = None
    accepted: frozenset[str] = frozenset()
    formats: tuple[str, ...] = ("parquet", "csv")
    dask: str | None = None                  # scheduler address, or "local"
    shard_size: int = SHARD_SIZE
    corpus_checks: bool = True
    keep_work: bool = False                  # keep OUT/.work after a finished run
    progress: Callable[[Result], None] | None = None


@dataclass
class RunSummary:
    out: Path
    files: int = 0
    by_status: Counter = field(default_factory=Counter)
    by_format: Counter = field(default_factory=Counter)
    by_severity: Counter = field(default_factory=Counter)
    by_rule: Counter = field(default_factory=Counter)       # errors and warnings
    not_ok: list[tuple[str, str]] = field(default_factory=list)  # (status, error), first 10
    parsed: int = 0          # files parsed in this run
    cached: int = 0          # files taken from the cache
    reused_shards: int = 0   # shards of an interrupted run reused as they were
    pages: int = 0           # pages of every file (1 for a file without pages, 0 when it failed)
    seconds: float = 0.0
    peak_worker_rss: int = 0

    def text(self) -> str:
        lines = [f"{self.files} files -> {self.out}",
                 "  by status:   " + ", ".join(f"{k} {v}" for k, v in sorted(self.by_status.items())),
                 "  by format:   " + ", ".join(f"{k} {v}" for k, v in sorted(self.by_format.items())),
                 "  findings:    " + ", ".join(f"{k} {self.by_severity.get(k, 0)}" for k in ("error", "warning", "info")),
                 "  top rules:   " + (", ".join(f"{k} {v}" for k, v in self.by_rule.most_common(8)) or "-"),
                 f"  work:        {self.parsed} parsed, {self.cached} from cache, {self.reused_shards} shards reused,"
                 f" {self.pages} pages, {self.seconds:.1f} s"]
        for st, err in self.not_ok[:10]:
            lines.append(f"  {st:<8} {err}")
        more = sum(v for k, v in self.by_status.items() if k != "ok") - len(self.not_ok[:10])
        if more > 0:
            lines.append(f"  ... {more} more not ok (see reports.csv)")
        return "\n".join(lines)


# --------------------------------------------------------------------------- arrow schemas

def arrow_schema(name: str, extra_float: Iterable[str] = ()) -> pa.Schema:
    """The Parquet schema of a dataset, with the pandas metadata that makes pandas read the
    columns back with their declared dtypes (the same for every shard)."""
    if name == "wide":
        cols = {"report_id": "string", **{k: "float64" for k in extra_float}}
    else:
        cols = SCHEMAS[name]
    empty = pd.DataFrame({c: pd.Series(dtype=t) for c, t in cols.items()})
    return pa.Schema.from_pandas(empty, preserve_index=False)


def to_table(df: pd.DataFrame, schema: pa.Schema) -> pa.Table:
    t = pa.Table.from_pandas(df, preserve_index=False)
    return pa.Table.from_arrays([t.column(n).cast(schema.field(n).type) for n in schema.names], schema=schema)


# --------------------------------------------------------------------------- shards on disk

class Shards:
    """OUT/.work/shards: per shard, the Parquet parts of the four datasets (with a `_i` column:
    the source's index in the run), the digests, and the manifest (written last)."""

    def __init__(self, work: Path):
        self.dir = work / "shards"
        self.dir.mkdir(parents=True, exist_ok=True)

    def path(self, s: int, what: str) -> Path:
        return self.dir / f"{s:06d}.{what}"

    @staticmethod
    def manifest_for(job: Job, sources: list[Source]) -> dict:
        files = []
        for src in sources:
            try:
                size, mtime = src.stat_key()
            except OSError:
                size, mtime = -1, -1
            files.append([src.name, src.member or "", size, mtime])
        return {"format": STATE_FORMAT, "fingerprint": job.fingerprint, "files": files}

    def done(self, s: int, manifest: dict) -> bool:
        try:
            return json.loads(self.path(s, "json").read_text(encoding="utf-8")) == manifest
        except (OSError, ValueError):
            return False

    def write(self, s: int, first: int, results: list[Result], manifest: dict) -> None:
        rows: dict[str, list[tuple]] = {k: [] for k in DATASETS}
        srcidx: dict[str, list[int]] = {k: [] for k in DATASETS}
        for r in results:
            for k in DATASETS:
                rows[k].extend(r.rows[k])
                srcidx[k].extend([r.index] * len(r.rows[k]))
        frames = rows_frames(rows)
        for k in DATASETS:
            df = frames[k]
            if k == "findings":
                df = df.drop(columns=["accepted"])
            df.insert(0, "_i", pd.Series(srcidx[k], dtype="int64"))
            _atomic_parquet(df, self.path(s, f"{k}.parquet"))
        digests = [(r.index, r.digest) for r in results]
        _atomic_bytes(_pickle(digests), self.path(s, "digests.pkl"))
        _atomic_bytes(json.dumps(manifest, ensure_ascii=False).encode(), self.path(s, "json"))

    def digests(self, s: int) -> list[tuple[int, Digest]]:
        import pickle

        return pickle.loads(self.path(s, "digests.pkl").read_bytes())

    def frame(self, s: int, k: str) -> pd.DataFrame:
        return pd.read_parquet(self.path(s, f"{k}.parquet"))


def _pickle(obj) -> bytes:
    import pickle

    return pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)


def _atomic_bytes(data: bytes, p: Path) -> None:
    tmp = p.with_name(p.name + ".tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, p)


def _atomic_parquet(df: pd.DataFrame, p: Path) -> None:
    tmp = p.with_name(p.name + ".tmp")
    df.to_parquet(tmp, index=False, compression="zstd")
    os.replace(tmp, p)


# --------------------------------------------------------------------------- the run

def cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def run(sources: list[Source], out: str | Path, opts: RunOptions | None = None) -> RunSummary:
    """Process every source and write the datasets to `out` (see the module docstring)."""
    opts = opts or RunOptions()
    t0 = time.monotonic()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    cache_dir = Path(opts.cache_dir) if opts.cache_dir else out / CACHE
    cache_dir.mkdir(parents=True, exist_ok=True)
    # DOC/WPS conversions go to the run's cache too: nothing is written outside OUT (or --cache)
    before = os.environ.get("EXTRACTOR_CACHE")
    os.environ["EXTRACTOR_CACHE"] = str((cache_dir / "legacy").resolve())
    try:
        return _run(sources, out, opts, cache_dir, t0)
    finally:
        if before is None:
            os.environ.pop("EXTRACTOR_CACHE", None)
        else:
            os.environ["EXTRACTOR_CACHE"] = before


def _run(sources: list[Source], out: Path, opts: RunOptions, cache_dir: Path, t0: float) -> RunSummary:
    work = out / WORK
    job = Job(cache_dir=str(cache_dir.resolve()), fingerprint=fingerprint(opts.deadlines_path),
              deadlines_path=opts.deadlines_path, refresh=opts.refresh, return_blob=bool(opts.dask))
    summary = RunSummary(out=out, files=len(sources))
    shards = Shards(work)
    size = max(1, opts.shard_size)
    plan = [(s, s * size, sources[s * size:(s + 1) * size]) for s in range((len(sources) + size - 1) // size)]
    manifests = {s: Shards.manifest_for(job, srcs) for s, _, srcs in plan}
    todo = [(s, first, srcs) for s, first, srcs in plan if opts.refresh or not shards.done(s, manifests[s])]
    summary.reused_shards = len(plan) - len(todo)
    if opts.progress:
        for s, first, srcs in plan:
            if (s, first, srcs) not in todo:
                for _ in srcs:
                    opts.progress(None)

    if todo:
        from .corpus import prepare_legacy

        prepare_legacy([Path(x.file) for _, _, srcs in todo for x in srcs if x.member is None])
        tasks = ((first + i, src) for _, first, srcs in todo for i, src in enumerate(srcs))
        open_shards: dict[int, dict[int, Result]] = {}
        shard_of = {first + i: s for s, first, srcs in todo for i in range(len(srcs))}
        firsts = {s: (first, len(srcs)) for s, first, srcs in todo}
        for res in _execute(tasks, job, opts, summary):
            if res.blob is not None and res.cache_key and not res.limit_failure:
                write_entry(cache_dir, res.cache_key, res.blob)
                res.blob = None
            summary.parsed += not res.cached
            summary.cached += res.cached
            s = shard_of[res.index]
            got = open_shards.setdefault(s, {})
            got[res.index] = res
            if opts.progress:
                opts.progress(res)
            first, n = firsts[s]
            if len(got) == n:
                shards.write(s, first, [got[i] for i in range(first, first + n)], manifests[s])
                del open_shards[s]

    digests: list[Digest | None] = [None] * len(sources)
    # one tuple of cell keys per distinct key set: unpickled, every digest has its own copies of
    # the ~200 key strings (~20 KB a report, the bulk of a digest), most reports the same set
    key_sets: dict[tuple[str, ...], tuple[str, ...]] = {}
    for s, _, _ in plan:
        for i, d in shards.digests(s):
            d.cell_keys = key_sets.setdefault(d.cell_keys, d.cell_keys)
            digests[i] = d
    del key_sets
    summary.pages = sum(d.pages for d in digests)
    ids = unique_ids([d.report for d in digests])
    for d, rid in zip(digests, ids):
        d.report.report_id = rid
    extra: dict[int, list] = {}
    if opts.corpus_checks:
        from .corpus_checks import corpus_findings

        def load(i: int):
            rep = load_entry(cache_dir, _key_of(job, sources[i], digests[i]))
            if rep is not None:
                rep.report_id = ids[i]
            return rep

        extra = corpus_findings(digests, load)
    _finalize(out, plan, shards, digests, ids, extra, opts, summary)
    if not opts.keep_work:
        shutil.rmtree(work, ignore_errors=True)
    summary.seconds = time.monotonic() - t0
    return summary


def _key_of(job: Job, src: Source, d: Digest) -> str:
    from .worker import cache_key

    return cache_key(job, src.name, d.report.sha256)


def _execute(tasks, job: Job, opts: RunOptions, summary: RunSummary):
    if opts.dask:
        from .dask_run import dask_results

        yield from dask_results(tasks, job, opts)
        return
    from .pool import WorkerPool

    jobs = opts.jobs or cpu_count()
    mem = opts.memory_limit_mb * 2**20 if opts.memory_limit_mb else None
    with WorkerPool(jobs, job, time_limit=opts.time_limit, memory_limit=mem) as pool:
        yield from pool.imap_unordered(tasks)
        summary.peak_worker_rss = pool.peak_rss


def unique_ids(reports: list) -> list[str]:
    """Report ids: the first 16 hex digits of the sha256; the same bytes under several names get
    `-2`, `-3`, … in name order (the first keeps the plain id)."""
    ids = [r.report_id for r in reports]
    by_id: dict[str, list[int]] = {}
    for i, r in enumerate(reports):
        by_id.setdefault(r.report_id, []).append(i)
    for same in by_id.values():
        if len(same) > 1:
            same.sort(key=lambda i: os.path.normpath(reports[i].path))
            for n, i in enumerate(same[1:], start=2):
                ids[i] = f"{reports[i].report_id}-{n}"
    return ids


# --------------------------------------------------------------------------- final datasets

ROW_GROUP = 65536


class _Writer:
    """One dataset: a Parquet file and/or a CSV file, both under a temporary name until
    `close`. Parquet row groups hold exactly `ROW_GROUP` rows (the last one fewer), whatever
    the shard size, so the file's bytes depend on its rows only."""

    def __init__(self, out: Path, name: str, schema: pa.Schema, formats):
        self.out, self.name, self.schema, self.formats = out, name, schema, formats
        self.pq = self.csv = None
        self.header = True
        self.pending: list[pa.Table] = []
        self.n_pending = 0
        if "parquet" in formats:
            self.pq = pq.ParquetWriter(out / f".{name}.parquet.tmp", schema, compression="zstd")
        if "csv" in formats:
            self.csv = open(out / f".{name}.csv.tmp", "w", encoding="utf-8-sig", newline="")

    def write(self, df: pd.DataFrame) -> None:
        if self.pq is not None and len(df):
            self.pending.append(to_table(df, self.schema))
            self.n_pending += len(df)
            if self.n_pending >= ROW_GROUP:
                t = pa.concat_tables(self.pending)
                full = (len(t) // ROW_GROUP) * ROW_GROUP
                for at in range(0, full, ROW_GROUP):
                    self.pq.write_table(t.slice(at, ROW_GROUP), row_group_size=ROW_GROUP)
                rest = t.slice(full)
                self.pending, self.n_pending = ([rest] if len(rest) else []), len(rest)
        if self.csv is not None and (len(df) or self.header):
            df.to_csv(self.csv, index=False, header=self.header, lineterminator="\n")
            self.header = False

    def close(self) -> list[Path]:
        done = []
        if self.pq is not None:
            if self.pending:
                self.pq.write_table(pa.concat_tables(self.pending), row_group_size=ROW_GROUP)
            self.pq.close()
            os.replace(self.out / f".{self.name}.parquet.tmp", self.out / f"{self.name}.parquet")
            done.append(self.out / f"{self.name}.parquet")
        if self.csv is not None:
            self.csv.close()
            os.replace(self.out / f".{self.name}.csv.tmp", self.out / f"{self.name}.csv")
            done.append(self.out / f"{self.name}.csv")
        return done


def _finalize(out: Path, plan, shards: Shards, digests: list[Digest], ids: list[str], extra: dict[int, list],
              opts: RunOptions, summary: RunSummary) -> None:
    keys = sorted({k for d in digests for k in d.cell_keys})
    writers = {k: _Writer(out, k, arrow_schema(k), opts.formats) for k in DATASETS}
    writers["wide"] = _Writer(out, "wide", arrow_schema("wide", keys), opts.formats)
    for s, first, srcs in plan:
        idmap = pd.Series(ids[first:first + len(srcs)], index=range(first, first + len(srcs)), dtype="string")
        frames = {k: shards.frame(s, k) for k in DATASETS}
        for k, df in frames.items():
            df["report_id"] = idmap.loc[df["_i"].to_numpy()].to_numpy()
        # corpus-level findings join the file's own, in the same order (rule id, fingerprint)
        more = [(i, *finding_row(ids[i], f)) for i in range(first, first + len(srcs)) for f in extra.get(i, ())]
        f = frames["findings"]
        if more:
            add = pd.DataFrame.from_records(more, columns=list(f.columns)).astype(f.dtypes.to_dict())
            f = pd.concat([f, add], ignore_index=True)
            f = f.sort_values(["_i", "rule_id", "fingerprint"], kind="stable").reset_index(drop=True)
            rep = frames["reports"]
            sev = Counter((i, row[2]) for i, *row in more)
            n_more = Counter(i for i, *_ in more)
            rep["n_findings"] += rep["_i"].map(n_more).fillna(0).astype("Int64")
            rep["n_errors"] += rep["_i"].map(lambda i: sev.get((i, "error"), 0)).astype("Int64")
            rep["n_warnings"] += rep["_i"].map(lambda i: sev.get((i, "warning"), 0)).astype("Int64")
        f["accepted"] = f["fingerprint"].isin(opts.accepted).astype("bool")
        frames["findings"] = f
        frames = {k: v.drop(columns=["_i"]) for k, v in frames.items()}
        for k in DATASETS:
            writers[k].write(frames[k])
        writers["wide"].write(wide(frames["cells"], keys))
        rep = frames["reports"]
        summary.by_status.update(rep["status"].tolist())
        summary.by_format.update(rep["format"].tolist())
        summary.by_severity.update(frames["findings"]["severity"].tolist())
        ff = frames["findings"]
        summary.by_rule.update(ff.loc[ff["severity"].isin(["error", "warning"]), "rule_id"].tolist())
        for st, err in zip(rep["status"], rep["error"]):
            if st != "ok" and len(summary.not_ok) < 10:
                summary.not_ok.append((st, err))
    for w in writers.values():
        w.close()
