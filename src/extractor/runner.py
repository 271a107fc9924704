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
4. When every shard is written, the closing work runs on the same worker processes: the
   cross-year rules in batches of bodies (`corpus_checks.pair_findings`, each body's reports
   loaded from the cache), DUP-PEER here (MinHash candidates checked exactly), their findings
   spilled to `OUT/.work/extra` as they come; same-content files get distinct ids; then the
   five datasets, each written by one worker shard by shard (Parquet row groups of a fixed row
   count per dataset, CSV appended), each to a temporary name renamed at the end.

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
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterable

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from .frames import DATASETS, SCHEMAS, finding_row, rows_frames, wide
from .sources import Source
from .worker import Digest, Job, Result, fingerprint, load_entry, write_atomic, write_entry

SHARD_SIZE = 200
WORK = ".work"
CACHE = ".cache"
STATE_FORMAT = 2


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

    def write(self, s: int, results: list[Result], manifest: dict) -> None:
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
        # the shard's cell keys once (the wide dataset's columns), not a copy in every digest
        keys = sorted({k for r in results for k in r.digest.cell_keys})
        digests = [(r.index, replace(r.digest, cell_keys=())) for r in results]
        write_atomic(self.path(s, "digests.pkl"), _pickle((digests, keys)), sync=True)
        write_atomic(self.path(s, "json"), json.dumps(manifest, ensure_ascii=False).encode(), sync=True)

    def digests(self, s: int) -> tuple[list[tuple[int, Digest]], list[str]]:
        """The shard's (index, digest) pairs and the cell keys its reports have."""
        import pickle

        return pickle.loads(self.path(s, "digests.pkl").read_bytes())

    def frame(self, s: int, k: str) -> pd.DataFrame:
        return pd.read_parquet(self.path(s, f"{k}.parquet"))


def _pickle(obj) -> bytes:
    import pickle

    return pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)


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
        todo_ids = {s for s, _, _ in todo}
        for s, _, srcs in plan:
            if s not in todo_ids:
                for _ in srcs:
                    opts.progress(None)

    pool = None
    if not opts.dask:
        from .pool import WorkerPool

        mem = opts.memory_limit_mb * 2**20 if opts.memory_limit_mb else None
        pool = WorkerPool(opts.jobs or cpu_count(), job, time_limit=opts.time_limit, memory_limit=mem)
    try:
        if todo:
            _parse(todo, job, opts, summary, shards, manifests, cache_dir, pool)
        digests, ids, keys = _digests(plan, shards, summary)
        spill = Spill(work, size)
        if opts.corpus_checks:
            _corpus_checks(sources, digests, ids, job, cache_dir, pool, spill)
        _finalize(out, plan, keys, ids, opts, summary, pool)
    finally:
        if pool is not None:
            summary.peak_worker_rss = pool.peak_rss
            pool.close()
    if not opts.keep_work:
        shutil.rmtree(work, ignore_errors=True)
    summary.seconds = time.monotonic() - t0
    return summary


def _parse(todo, job: Job, opts: RunOptions, summary: RunSummary, shards: Shards, manifests, cache_dir: Path,
           pool) -> None:
    """Every file of the unfinished shards, through the pool (or Dask); each shard written as
    soon as its last file is back."""
    from .corpus import prepare_legacy

    prepare_legacy([Path(x.file) for _, _, srcs in todo for x in srcs if x.member is None])
    tasks = ((first + i, src) for _, first, srcs in todo for i, src in enumerate(srcs))
    open_shards: dict[int, dict[int, Result]] = {}
    shard_of = {first + i: s for s, first, srcs in todo for i in range(len(srcs))}
    firsts = {s: (first, len(srcs)) for s, first, srcs in todo}
    if pool is None:
        from .dask_run import dask_results

        results = dask_results(tasks, job, opts)
    else:
        results = pool.imap_unordered(tasks)
    for res in results:
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
            shards.write(s, [got[i] for i in range(first, first + n)], manifests[s])
            del open_shards[s]


def _digests(plan, shards: Shards, summary: RunSummary) -> tuple[list[Digest], list[str], list[str]]:
    """Every file's digest (from the shards) with its final report id; the ids; the cell keys
    of the whole run (the wide dataset's columns)."""
    digests: list[Digest | None] = [None] * sum(len(srcs) for _, _, srcs in plan)
    keys: set[str] = set()
    for s, _, _ in plan:
        pairs, shard_keys = shards.digests(s)
        keys.update(shard_keys)
        for i, d in pairs:
            digests[i] = d
    summary.pages = sum(d.pages for d in digests)
    ids = unique_ids([d.report for d in digests])
    for d, rid in zip(digests, ids):
        d.report.report_id = rid
    return digests, ids, sorted(keys)


def _corpus_checks(sources: list[Source], digests: list[Digest], ids: list[str], job: Job, cache_dir: Path,
                   pool, spill: "Spill") -> None:
    """The corpus-level rules: the cross-year comparisons shared out over the pool's workers
    (by batches of bodies), DUP-PEER here; their findings go to `spill` as rows."""
    from .corpus_checks import corpus_findings
    from .pool import Call

    def load(i: int):
        rep = load_entry(cache_dir, _key_of(job, sources[i], digests[i]))
        if rep is not None:
            rep.report_id = ids[i]
        return rep

    def pair_calls(batches):
        calls = [Call(n, "extractor.corpus_checks:pair_findings",
                      (str(cache_dir), [[(i, _key_of(job, sources[i], digests[i]), ids[i], digests[i].report)
                                         for i in members] for members in batch]))
                 for n, batch in enumerate(batches)]
        return _map_calls(calls, pool)

    def sink(found):
        spill.add([(i, finding_row(ids[i], f)) for i, f in found])

    corpus_findings(digests, load, pair_calls, sink)


class Spill:
    """The rows of the corpus-level findings, appended to one file per shard as they come
    (OUT/.work/extra/NNNNNN.pkl, a sequence of pickles), so the run does not hold them."""

    def __init__(self, work: Path, size: int):
        self.dir, self.size = work / "extra", size
        shutil.rmtree(self.dir, ignore_errors=True)  # a resumed run computes them again
        self.dir.mkdir(parents=True)

    def add(self, rows: list[tuple[int, tuple]]) -> None:
        import pickle

        by_shard: dict[int, list] = {}
        for i, row in rows:
            by_shard.setdefault(i // self.size, []).append((i, row))
        for s, lst in by_shard.items():
            with open(self.dir / f"{s:06d}.pkl", "ab") as fh:
                pickle.dump(lst, fh, protocol=pickle.HIGHEST_PROTOCOL)


def spilled(work: str | Path, s: int) -> dict[int, list[tuple]]:
    """Shard s's corpus-level finding rows by report index (see `Spill`)."""
    import pickle

    out: dict[int, list[tuple]] = {}
    try:
        fh = open(Path(work) / "extra" / f"{s:06d}.pkl", "rb")
    except FileNotFoundError:
        return out
    with fh:
        while True:
            try:
                for i, row in pickle.load(fh):
                    out.setdefault(i, []).append(row)
            except EOFError:
                return out


def _key_of(job: Job, src: Source, d: Digest) -> str:
    from .worker import cache_key

    return cache_key(job, src.name, d.report.sha256)


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

# rows per Parquet row group, by dataset (about 5–15 MB of rows each: a writer holds one)
ROW_GROUP = {"reports": 8192, "sections": 4096, "cells": 32768, "findings": 8192, "wide": 2048}


class _Writer:
    """One dataset: a Parquet file and/or a CSV file, both under a temporary name until
    `close`. Parquet row groups hold exactly `ROW_GROUP[name]` rows (the last one fewer),
    whatever the shard size, so the file's bytes depend on its rows only."""

    def __init__(self, out: Path, name: str, schema: pa.Schema, formats):
        self.out, self.name, self.schema, self.formats = out, name, schema, formats
        self.pq = self.csv = None
        self.header = True
        self.pending: list[pa.Table] = []
        self.n_pending = 0
        self.rg = ROW_GROUP[name]
        if "parquet" in formats:
            self.pq = pq.ParquetWriter(out / f".{name}.parquet.tmp", schema, compression="zstd")
        if "csv" in formats:
            self.csv = open(out / f".{name}.csv.tmp", "w", encoding="utf-8-sig", newline="")

    def write(self, df: pd.DataFrame) -> None:
        if self.pq is not None and len(df):
            self.pending.append(to_table(df, self.schema))
            self.n_pending += len(df)
            if self.n_pending >= self.rg:
                t = pa.concat_tables(self.pending)
                full = (len(t) // self.rg) * self.rg
                for at in range(0, full, self.rg):
                    self.pq.write_table(t.slice(at, self.rg), row_group_size=self.rg)
                rest = t.slice(full)
                self.pending, self.n_pending = ([rest] if len(rest) else []), len(rest)
        if self.csv is not None and (len(df) or self.header):
            df.to_csv(self.csv, index=False, header=self.header, lineterminator="\n")
            self.header = False

    def close(self) -> list[Path]:
        done = []
        if self.pq is not None:
            if self.pending:
                self.pq.write_table(pa.concat_tables(self.pending), row_group_size=self.rg)
            self.pq.close()
            os.replace(self.out / f".{self.name}.parquet.tmp", self.out / f"{self.name}.parquet")
            done.append(self.out / f"{self.name}.parquet")
        if self.csv is not None:
            self.csv.close()
            os.replace(self.out / f".{self.name}.csv.tmp", self.out / f"{self.name}.csv")
            done.append(self.out / f"{self.name}.csv")
        return done


def write_dataset(out: str, work: str, name: str, plan: list[tuple[int, int, int]], ids: list[str],
                  formats: tuple[str, ...], keys: list[str] | None = None,
                  accepted: frozenset[str] = frozenset()) -> dict:
    """Write one final dataset from the shard parts (`plan`: (shard, first index, n files)),
    report ids from `ids`. `wide`: one column per cell key of `keys`. The corpus-level
    findings come from the spill files (`findings`: added to the file's own rows; `reports`:
    added to the counts). Runs in a pool worker or in the run's own process; returns the
    counts of the run summary for `reports` and `findings`."""
    shards = Shards(Path(work))
    part = "cells" if name == "wide" else name
    w = _Writer(Path(out), name, arrow_schema(name, keys or ()) if name == "wide" else arrow_schema(name), formats)
    counts = {"by_status": Counter(), "by_format": Counter(), "by_severity": Counter(), "by_rule": Counter(),
              "not_ok": []}
    for s, first, n in plan:
        df = shards.frame(s, part)
        idmap = pd.Series(ids[first:first + n], index=range(first, first + n), dtype="string")
        df["report_id"] = idmap.loc[df["_i"].to_numpy()].to_numpy()
        extra = spilled(work, s) if name in ("reports", "findings") else {}
        more = [(i, *row) for i in range(first, first + n) for row in extra.get(i, ())]
        if name == "findings":
            # corpus-level findings join the file's own, in the same order (rule id, fingerprint)
            if more:
                add = pd.DataFrame.from_records(more, columns=list(df.columns)).astype(df.dtypes.to_dict())
                df = pd.concat([df, add], ignore_index=True)
                df = df.sort_values(["_i", "rule_id", "fingerprint"], kind="stable").reset_index(drop=True)
            df["accepted"] = df["fingerprint"].isin(accepted).astype("bool")
            counts["by_severity"].update(df["severity"].tolist())
            counts["by_rule"].update(df.loc[df["severity"].isin(["error", "warning"]), "rule_id"].tolist())
        elif name == "reports":
            if more:
                sev = Counter((i, row[2]) for i, *row in more)
                n_more = Counter(i for i, *_ in more)
                df["n_findings"] += df["_i"].map(n_more).fillna(0).astype("Int64")
                df["n_errors"] += df["_i"].map(lambda i: sev.get((i, "error"), 0)).astype("Int64")
                df["n_warnings"] += df["_i"].map(lambda i: sev.get((i, "warning"), 0)).astype("Int64")
            counts["by_status"].update(df["status"].tolist())
            counts["by_format"].update(df["format"].tolist())
            for st, err in zip(df["status"], df["error"]):
                if st != "ok" and len(counts["not_ok"]) < 10:
                    counts["not_ok"].append((st, err))
        df = df.drop(columns=["_i"])
        w.write(wide(df, keys) if name == "wide" else df)
    w.close()
    return counts


def _finalize(out: Path, plan, keys: list[str], ids: list[str], opts: RunOptions, summary: RunSummary,
              pool=None) -> None:
    """The five datasets, each written by `write_dataset` — in parallel on the pool's workers
    when there is a pool (largest first), else one after the other here."""
    from .pool import Call

    shape = [(s, first, len(srcs)) for s, first, srcs in plan]
    base = (str(out), str(out / WORK))
    kw = {"cells": (), "findings": (None, opts.accepted), "sections": (), "wide": (keys,), "reports": ()}
    calls = [Call(n, "extractor.runner:write_dataset", (*base, name, shape, ids, tuple(opts.formats), *kw[name]))
             for n, name in enumerate(("cells", "findings", "sections", "wide", "reports"))]
    results = _map_calls(calls, pool)
    for name in ("reports", "findings"):
        c = results[[c.args[2] for c in calls].index(name)]
        summary.by_status.update(c["by_status"])
        summary.by_format.update(c["by_format"])
        summary.by_severity.update(c["by_severity"])
        summary.by_rule.update(c["by_rule"])
        summary.not_ok.extend(c["not_ok"])


def _map_calls(calls: list, pool=None) -> list:
    """The values of `calls`, in order: on the pool's workers when there is one (a call that
    fails there is run again here, so its error is raised with a plain traceback), else here."""
    from .pool import resolve

    def here(c):
        return resolve(c.fn)(*c.args)

    if pool is None:
        return [here(c) for c in calls]
    out: dict[int, object] = {}
    for r in pool.imap_unordered(calls):
        out[r.index] = here(calls[r.index]) if r.error else r.value
    return [out[c.index] for c in calls]
