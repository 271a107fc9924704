"""The per-file work of a corpus run (`process`), and the worker process that does it for the
process pool (`main`, see `pool.py`) and on Dask workers.

`process(index, source, job)` reads one input, parses it (or takes it from the content-hash
cache) and returns a `Result`: the rows of the four datasets, a `Digest` (the report without
its cells, sections and findings, plus what the corpus-level rules need to find candidates)
and timings. It never raises for bad input.

The cache
---------
One entry per (code and configuration fingerprint, source name, content sha256): the parsed
`Report`, pickled and zlib-compressed, at `CACHE/reports/ab/<key>.pkl.z`. The fingerprint
hashes the package's own source files and the deadline rules, so a new extractor version (or
an edited rule) invalidates every entry; a renamed file is parsed again (its name is in its
rows). Entries are written to a temporary name and renamed, so a killed run never leaves half
an entry. Failures caused by a limit of the run (time, memory) are not cached.
"""
from __future__ import annotations

import hashlib
import os
import pickle
import time
import zlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .model import Report
from .sources import Source, SourceError

CACHE_FORMAT = 1


@dataclass(frozen=True)
class Job:
    """What every file of a run shares."""
    cache_dir: str | None            # None: no cache
    fingerprint: str                 # code + configuration (see `fingerprint`)
    deadlines_path: str | None = None
    refresh: bool = False            # parse again even when cached (the entry is rewritten)
    return_blob: bool = False        # send the cache entry back (Dask: the client writes the cache)


@dataclass
class Digest:
    """A report reduced to what the corpus-level rules and the run summary need: the `Report`'s
    identity, body, year, edition and status (`slim`); the number of narrative grams and their
    MinHash signature (DUP-PEER candidates); the cell keys (the wide dataset's columns: kept
    once per shard, not per digest, when the shard is written); the pages read."""
    report: Report
    n_grams: int = 0
    signature: bytes | None = None
    cell_keys: tuple[str, ...] = ()
    pages: int = 0                   # pages read (1 for a file without pages, 0 when it failed)


@dataclass
class Result:
    index: int
    name: str
    rows: dict[str, list[tuple]]
    digest: Digest
    seconds: float = 0.0
    cached: bool = False
    blob: bytes | None = None        # the cache entry, when the job asks for it
    cache_key: str | None = None
    limit_failure: bool = False      # failed because of a run limit: never cached


# --------------------------------------------------------------------------- fingerprint

def fingerprint(deadlines_path: str | None = None) -> str:
    """Hash of the package's source and template files (so any code change invalidates the
    cache, not only a version bump) and of the run's configuration files."""
    from . import __version__

    h = hashlib.sha256(f"extractor {__version__} cache {CACHE_FORMAT}\n".encode())
    root = Path(__file__).resolve().parent
    for p in sorted(root.rglob("*")):
        if p.suffix in (".py", ".toml") and "__pycache__" not in p.parts:
            h.update(str(p.relative_to(root)).encode() + b"\0" + p.read_bytes() + b"\0")
    if deadlines_path:
        try:
            h.update(b"deadlines\0" + Path(deadlines_path).read_bytes())
        except OSError:
            h.update(b"deadlines-unreadable\0" + deadlines_path.encode())
    return h.hexdigest()[:32]


def cache_key(job: Job, name: str, sha256: str) -> str:
    return hashlib.sha256(f"{job.fingerprint}\0{name}\0{sha256}".encode()).hexdigest()


def cache_path(cache_dir: str | Path, key: str) -> Path:
    return Path(cache_dir) / "reports" / key[:2] / f"{key}.pkl.z"


def pack(report: Report) -> bytes:
    return zlib.compress(pickle.dumps(report, protocol=pickle.HIGHEST_PROTOCOL), 3)


def unpack(blob: bytes) -> Report:
    return pickle.loads(zlib.decompress(blob))


def write_atomic(p: Path, data: bytes, sync: bool = False) -> None:
    """`data` to a temporary name beside `p`, then renamed: a killed process never leaves half a
    file (`sync`: flushed to disk before the rename)."""
    tmp = p.with_name(f"{p.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
        if sync:
            fh.flush()
            os.fsync(fh.fileno())
    os.replace(tmp, p)


def write_entry(cache_dir: str | Path, key: str, blob: bytes) -> None:
    p = cache_path(cache_dir, key)
    p.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(p, blob)


def load_entry(cache_dir: str | Path, key: str) -> Report | None:
    try:
        return unpack(cache_path(cache_dir, key).read_bytes())
    except FileNotFoundError:
        return None
    except Exception:  # a damaged entry is parsed again and rewritten
        return None


# --------------------------------------------------------------------------- digest

MINHASH_N = 256
_MERSENNE = (1 << 61) - 1


@lru_cache(maxsize=1)
def _perms():
    import numpy as np

    rng = np.random.default_rng(20191)  # fixed: signatures are comparable across runs and machines
    a = rng.integers(1, 1 << 32, size=MINHASH_N, dtype=np.uint64)
    b = rng.integers(0, 1 << 32, size=MINHASH_N, dtype=np.uint64)
    return a, b


def minhash(grams) -> bytes:
    """MinHash signature (256 × uint32) of a set of strings: 32-bit blake2b of each gram, then
    (a·x + b) mod (2^61 − 1) for 256 fixed (a, b)."""
    import numpy as np

    x = np.frombuffer(b"".join([hashlib.blake2b(g.encode(), digest_size=4).digest() for g in grams]),
                      dtype="<u4").astype(np.uint64)
    a, b = _perms()
    h = np.multiply.outer(a, x)  # a, x < 2^32 and b < 2^32: a·x + b < 2^64, no overflow
    h += b[:, None]               # in place: no second 256 × n temporary (~25 % faster)
    np.remainder(h, np.uint64(_MERSENNE), out=h)
    # the low 32 bits of each minimum: two different minima agree by chance with probability
    # 2^-32, and the signature takes 1 KB instead of 2 (the run keeps one per report)
    return (h.min(axis=1) & np.uint64(0xFFFFFFFF)).astype("<u4").tobytes()


def slim(report: Report) -> Report:
    """The report as the corpus-level rules see it: identity, body, year, edition, status —
    the run keeps one per file, so nothing else (titles, evidence, errors) is kept."""
    return Report(report.report_id, report.path, report.sha256, report.format, status=report.status,
                  template_version=report.template_version, report_year=report.report_year,
                  agency=report.agency, agency_normalised=report.agency_normalised, level=report.level)


def digest_of(report: Report) -> Digest:
    from .checks.crossyear import MIN_GRAMS, narrative_grams

    grams = narrative_grams(report) if report.status != "failed" else frozenset()
    sig = minhash(sorted(grams)) if len(grams) >= MIN_GRAMS else None
    pages = int(report.meta.get("pages") or (report.status != "failed"))
    return Digest(slim(report), len(grams), sig, tuple(sorted({c.key for c in report.cells})), pages)


# --------------------------------------------------------------------------- one file

@lru_cache(maxsize=4)
def _deadlines(path: str | None):
    if not path:
        return None
    from .deadlines import load_deadlines

    return load_deadlines(path)


def failed_report(source: Source, error: str, data: bytes | None = None) -> Report:
    """A `failed` report for a source that could not be processed (the id from its bytes when
    they can be read, else from its name)."""
    from .pipeline import FORMAT_NAMES, report_id_for

    fmt = "unknown"
    if data is None:
        try:
            data = source.read_bytes()
        except SourceError:
            data = None
    if data is not None:
        sha = hashlib.sha256(data).hexdigest()
        if data:
            from .readers import sniff

            fmt = FORMAT_NAMES.get(sniff(data, source.name), "unknown")
        else:
            fmt = "empty"
    else:
        sha = ""
    rid = report_id_for(sha or hashlib.sha256(source.name.encode()).hexdigest())
    return Report(rid, source.name, sha, fmt, status="failed", error=error)


def result_of(index: int, source: Source, report: Report, **kw) -> Result:
    from .frames import report_rows

    return Result(index, source.name, report_rows(report), digest_of(report), **kw)


def process(index: int, source: Source, job: Job) -> Result:
    """Parse one input (or take it from the cache): never raises for bad input."""
    from .pipeline import parse_bytes

    t0 = time.perf_counter()
    try:
        data = source.read_bytes()
    except SourceError as e:
        return result_of(index, source, failed_report(source, str(e)), seconds=time.perf_counter() - t0)
    sha = hashlib.sha256(data).hexdigest()
    key = cache_key(job, source.name, sha) if job.cache_dir is not None or job.return_blob else None
    if job.cache_dir is not None and not job.refresh:
        rep = load_entry(job.cache_dir, key)
        if rep is not None:
            return result_of(index, source, rep, seconds=time.perf_counter() - t0, cached=True,
                             cache_key=key)
    try:
        deadlines = _deadlines(job.deadlines_path)
    except Exception as e:  # checked by the command before the run; a changed file is still an error
        return result_of(index, source, failed_report(source, f"{source.name}: deadline rules: {e}", data))
    rep = parse_bytes(source.name, data, deadlines)
    blob = pack(rep)
    if job.cache_dir is not None and not job.return_blob:
        try:
            write_entry(job.cache_dir, key, blob)
        except OSError:
            pass  # a full or read-only cache slows the next run down, nothing more
    return result_of(index, source, rep, seconds=time.perf_counter() - t0, blob=blob if job.return_blob else None, cache_key=key)


# --------------------------------------------------------------------------- worker process

def _call(call):
    """A `pool.Call` run here: its value, or the traceback when it raised."""
    import traceback

    from .pool import CallResult, resolve

    try:
        return CallResult(call.index, resolve(call.fn)(*call.args))
    except Exception:
        return CallResult(call.index, error=traceback.format_exc(limit=8))


def main(argv: list[str]) -> int:
    """`main([FD_IN, FD_OUT])` in a fresh interpreter (see `pool.py`): receive ("job", Job) then ("task", index,
    Source) messages, answer each task with ("result", Result); stop at ("stop",) or when the
    parent goes away. Anything printed goes to stderr (the run's worker log), never into the
    message pipe."""
    from multiprocessing.connection import Connection

    fd_in, fd_out = int(argv[0]), int(argv[1])
    os.dup2(2, 1)  # a library printing to stdout must not reach the parent as a message
    conn_in, conn_out = Connection(fd_in, writable=False), Connection(fd_out, readable=False)
    job = None
    while True:
        try:
            msg = conn_in.recv()
        except (EOFError, OSError):
            return 0
        if msg[0] == "job":
            job = msg[1]
        elif msg[0] in ("task", "call"):
            res = process(msg[1], msg[2], job) if msg[0] == "task" else _call(msg[1])
            try:
                conn_out.send(("result", res))
            except (BrokenPipeError, OSError):
                return 0
        else:
            return 0

