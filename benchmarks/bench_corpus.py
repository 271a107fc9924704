"""The corpus runner (`extractor run`) on synthetic corpora: throughput, scaling, Dask overhead,
cached reruns and the memory of the whole run, each measured in this run and printed as a ratio
against this run's baseline (the process pool, `--jobs 2`, on N files).

    .venv/bin/python benchmarks/bench_corpus.py            # N = 300, the memory check at 3000
    .venv/bin/python benchmarks/bench_corpus.py --full     # N = 1000, the memory check at 10000
    .venv/bin/python benchmarks/bench_corpus.py --n 500 --big 2000 --work /tmp/bench --repeat 2

Every run imports a copy of `src/extractor` taken when the benchmark starts (others may edit the
work tree meanwhile: a changed source would also change the cache fingerprint). The corpora are
written by `gen_corpus.py` (about a third each DOCX, HTML and TXT; kept in
`--work` and reused when the same size, seed and generator are asked for again). Every run is the
real command, `.venv/bin/extractor run CORPUS --out OUT --cache CACHE ...`, started as a child
process with a fresh output folder and a fresh cache (so nothing is cached unless a cached rerun
is measured), and watched every 0.1 s:

* peak RSS: the largest sum, at one poll, of the resident memory (`/proc/PID/statm`) of the
  command and all its descendants (pool workers, Dask nanny and worker processes and their own
  workers), and the largest of the command's process alone;
* CPU: the command's own user+system time (last poll before it exits) and the whole tree's
  (from `wait4`: the command and every descendant it waited for);
* wall time of the command (interpreter start-up and writing the datasets included), and the
  summary it prints (`work:` line: files parsed, from cache, pages).

Measured runs, on the N-file corpus unless said otherwise:

  baseline   --jobs 2 (process pool)
  jobs 1     --jobs 1                        scaling = throughput(jobs 2) / throughput(jobs 1), goal ≥ 1.7
  dask       --dask local --jobs 2           overhead = time(dask) / time(baseline)
  cached     the baseline command again      time(cached) / time(baseline); every file from the cache
  big        --jobs 2 on the BIG-file corpus peak RSS(big) / peak RSS(baseline): goal flat, and < 1 GB

The datasets (every .parquet and .csv in OUT) of jobs 1, dask and the cached rerun are compared
with the baseline's by sha256. `os.getloadavg()` is printed at the start and the end: on a shared
machine other jobs take cores too (in other PID namespaces: `ps` does not show them, the load
average does), and `--repeat R` keeps the fastest of R runs of each kind (the BIG run is made
once). For the same reason the machine's parallel capacity (the work of one CPU-bound process
that two get done in the same wall time: 2.00 on two free cores) is measured at the start and
the end; a scaling below the goal means little when the capacity was low.
"""
from __future__ import annotations

import argparse
import datetime
import glob
import hashlib
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))

import gen_corpus  # noqa: E402

EXTRACTOR = REPO / ".venv" / "bin" / "extractor"
PAGE = os.sysconf("SC_PAGE_SIZE")
TICK = os.sysconf("SC_CLK_TCK")
POLL = 0.1


# --------------------------------------------------------------------------- process tree

def descendants(pid: int) -> list[int]:
    """`pid` and every process below it (from /proc/PID/task/TID/children)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        for f in glob.glob(f"/proc/{p}/task/*/children"):
            try:
                with open(f) as fh:
                    todo.extend(int(x) for x in fh.read().split())
            except OSError:
                pass
    return out


def rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as fh:
            return int(fh.read().split()[1]) * PAGE
    except (OSError, ValueError, IndexError):
        return 0


def cpu_seconds(pid: int) -> float | None:
    """user + system time of the process itself."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICK
    except (OSError, ValueError, IndexError):
        return None


@dataclass
class Run:
    label: str
    files: int
    seconds: float = 0.0
    peak_rss: int = 0          # whole tree, at one poll
    peak_parent_rss: int = 0
    max_procs: int = 0
    parent_cpu: float = 0.0
    tree_cpu: float = 0.0
    parsed: int = 0
    cached: int = 0
    pages: int = 0
    out: Path | None = None
    text: str = ""
    hashes: dict[str, str] = field(default_factory=dict)

    @property
    def reports_per_s(self) -> float:
        return self.files / self.seconds

    @property
    def pages_per_s(self) -> float:
        return self.pages / self.seconds


def snapshot(work: Path) -> tuple[Path, str]:
    """A copy of the package's source, so that every run of the benchmark runs the same code (and
    uses the same cache fingerprint) even when the work tree is edited meanwhile; and its
    fingerprint (`extractor.worker.fingerprint`)."""
    src = work / "src"
    shutil.rmtree(src, ignore_errors=True)
    shutil.copytree(REPO / "src" / "extractor", src / "extractor",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    fp = subprocess.run([str(REPO / ".venv/bin/python"), "-c",
                         "from extractor.worker import fingerprint; print(fingerprint())"],
                        env=run_env(src), capture_output=True, text=True, check=True).stdout.strip()
    return src, fp


def run_env(src: Path) -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(src) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


SRC: Path | None = None  # the snapshot every run imports (set by main)


def measure(label: str, corpus: Path, files: int, out: Path, cache: Path, *extra: str, fresh: bool = True) -> Run:
    if fresh:
        shutil.rmtree(out, ignore_errors=True)
        shutil.rmtree(cache, ignore_errors=True)
    cmd = [str(EXTRACTOR), "run", str(corpus), "--out", str(out), "--cache", str(cache), *extra]
    r = Run(label, files, out=out)
    log = out.parent / f"{out.name}.log"
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "w") as fh:
        t0 = time.monotonic()
        proc = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                env=run_env(SRC) if SRC else None)
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                r.seconds = time.monotonic() - t0
                proc.returncode = os.waitstatus_to_exitcode(status)
                r.tree_cpu = usage.ru_utime + usage.ru_stime
                break
            pids = descendants(proc.pid)
            total = sum(rss(p) for p in pids)
            r.peak_rss = max(r.peak_rss, total)
            r.peak_parent_rss = max(r.peak_parent_rss, rss(proc.pid))
            r.max_procs = max(r.max_procs, len(pids))
            c = cpu_seconds(proc.pid)
            if c is not None:
                r.parent_cpu = c
            time.sleep(POLL)
    r.text = log.read_text(encoding="utf-8", errors="replace")
    if proc.returncode != 0:
        raise SystemExit(f"{label}: exit {proc.returncode}\n{' '.join(cmd)}\n{r.text[-3000:]}")
    m = re.search(r"work:\s+(\d+) parsed, (\d+) from cache, \d+ shards reused(?:, (\d+) pages)?", r.text)
    if not m:
        raise SystemExit(f"{label}: no work: line in\n{r.text}")
    r.parsed, r.cached = int(m.group(1)), int(m.group(2))
    r.pages = int(m.group(3)) if m.group(3) else files  # older runners: one page per text/web/Word file
    r.hashes = dataset_hashes(out)
    return r


def dataset_hashes(out: Path) -> dict[str, str]:
    hashes = {}
    for p in sorted(out.iterdir()):
        if p.is_file() and p.suffix in (".parquet", ".csv"):
            hashes[p.name] = hashlib.sha256(p.read_bytes()).hexdigest()
    return hashes


def best(runs: list[Run]) -> Run:
    return min(runs, key=lambda r: r.seconds)


# --------------------------------------------------------------------------- corpora

def corpus(work: Path, n: int, seed: int, log) -> Path:
    """The n-report corpus in work/corpus-N (reused when made by the same generator)."""
    d = work / f"corpus-{n}-seed{seed}"
    stamp = {"n": n, "seed": seed, "generator": hashlib.sha256(Path(gen_corpus.__file__).read_bytes()).hexdigest(),
             "synth": hashlib.sha256((REPO / "src/extractor/synth.py").read_bytes()
                                     + (REPO / "src/extractor/synth_formats.py").read_bytes()).hexdigest()}
    marker = d / "corpus.json"  # .json: never read as a report
    try:
        if json.loads(marker.read_text()) == stamp:
            log(f"corpus of {n}: reusing {d}")
            return d
    except (OSError, ValueError):
        pass
    shutil.rmtree(d, ignore_errors=True)
    gen_corpus.generate(n, d, seed, log=lambda s: log("corpus: " + s))
    marker.write_text(json.dumps(stamp))
    return d


# --------------------------------------------------------------------------- report

def machine() -> str:
    model = ""
    try:
        with open("/proc/cpuinfo") as fh:
            model = next((ln.split(":", 1)[1].strip() for ln in fh if ln.startswith("model name")), "")
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (f"{len(os.sched_getaffinity(0))} cores ({model or platform.machine()}), {mem:.0f} GiB, "
            f"Python {platform.python_version()}, {platform.system()} {platform.release()}")


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _spin(n: int) -> float:
    t = time.perf_counter()
    x = 0
    for i in range(n):
        x += i * i
    return time.perf_counter() - t


def parallel_capacity(n: int = 10_000_000) -> float:
    """How many times the work of one CPU-bound process two processes get done in the same
    wall time right now (2.0 on two idle cores; less when other jobs share the machine)."""
    import multiprocessing as mp

    one = min(_spin(n) for _ in range(2))
    with mp.get_context("fork").Pool(2) as pool:
        t = time.perf_counter()
        pool.map(_spin, [n, n])
        two = time.perf_counter() - t
    return 2 * one / two


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--full", action="store_true", help="N = 1000 and BIG = 10000 (takes a while)")
    ap.add_argument("--n", type=int, help="reports of the throughput corpus (default 300, --full 1000)")
    ap.add_argument("--big", type=int, help="reports of the memory corpus (default 3000, --full 10000; 0: skip)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--repeat", type=int, default=1, help="runs of each kind; the fastest is kept")
    ap.add_argument("--no-dask", action="store_true", help="skip the Dask run")
    ap.add_argument("--work", type=Path, default=Path("/tmp/extractor-bench-corpus"),
                    help="corpora and outputs (default /tmp/extractor-bench-corpus)")
    args = ap.parse_args(argv)
    n = args.n or (1000 if args.full else 300)
    big = args.big if args.big is not None else (10000 if args.full else 3000)
    work = args.work
    work.mkdir(parents=True, exist_ok=True)

    def log(s: str) -> None:
        print(s, flush=True)

    log(f"date: {datetime.datetime.now().isoformat(timespec='seconds')}")
    log(f"machine: {machine()}")
    log(f"load average at start (1, 5, 15 min): {load()}")
    cap0 = parallel_capacity()
    log(f"parallel capacity at start: {cap0:.2f} (two CPU-bound processes vs one; 2.00 = two free cores)")
    global SRC
    SRC, fp = snapshot(work)
    log(f"code: {SRC} (a copy of src/extractor taken now; fingerprint {fp})")
    small = corpus(work, n, args.seed, log)
    large = corpus(work, big, args.seed, log) if big else None
    runs = work / "runs"

    def rep(label, *a, **kw) -> Run:
        got = []
        for i in range(args.repeat):
            r = measure(label, *a, **kw)
            log(f"  {label:<26} {r.seconds:7.1f} s  peak RSS {r.peak_rss / 2**20:6.0f} MB  (load {load()})")
            got.append(r)
        return best(got)

    log(f"runs ({args.repeat} of each, the fastest kept):")
    base = rep("baseline: --jobs 2", small, n, runs / "j2", runs / "j2.cache", "--jobs", "2")
    j1 = rep("--jobs 1", small, n, runs / "j1", runs / "j1.cache", "--jobs", "1")
    dask = None
    if not args.no_dask:
        dask = rep("--dask local --jobs 2", small, n, runs / "dask", runs / "dask.cache", "--dask", "local",
                   "--jobs", "2")
    cached = rep("cached rerun: --jobs 2", small, n, runs / "j2", runs / "j2.cache", "--jobs", "2", fresh=False)
    bigrun = None
    if large is not None:  # once: a memory check, and it takes a while
        bigrun = measure(f"--jobs 2, N={big}", large, big, runs / "big", runs / "big.cache", "--jobs", "2")
        log(f"  {bigrun.label:<26} {bigrun.seconds:7.1f} s  peak RSS {bigrun.peak_rss / 2**20:6.0f} MB  "
            f"(load {load()})")

    log("")
    log(f"{'run':<26} {'files':>6} {'wall s':>7} {'reports/s':>9} {'pages/s':>8} {'peak RSS':>9} "
        f"{'parent RSS':>10} {'procs':>5} {'parent CPU':>10} {'tree CPU':>9} {'parsed':>6} {'cached':>6}")
    for r in (base, j1, dask, cached, bigrun):
        if r is None:
            continue
        log(f"{r.label:<26} {r.files:>6} {r.seconds:>7.1f} {r.reports_per_s:>9.1f} {r.pages_per_s:>8.1f} "
            f"{r.peak_rss / 2**20:>6.0f} MB {r.peak_parent_rss / 2**20:>7.0f} MB {r.max_procs:>5} "
            f"{r.parent_cpu:>8.1f} s {r.tree_cpu:>7.1f} s {r.parsed:>6} {r.cached:>6}")
    log("")
    log(f"ratios against the baseline (--jobs 2, N={n}: {base.reports_per_s:.1f} reports/s, "
        f"{base.pages_per_s:.1f} pages/s):")
    scale = base.reports_per_s / j1.reports_per_s
    log(f"  scaling, throughput jobs 2 / jobs 1:      {scale:5.2f}x   (goal >= 1.7: {'yes' if scale >= 1.7 else 'NO'}; "
        f"the machine's parallel capacity at start {cap0:.2f})")
    log(f"  parent process CPU / wall, jobs 2:        {base.parent_cpu / base.seconds:5.2f}    "
        f"(1.00 would make the parent the bottleneck)")
    if dask is not None:
        log(f"  Dask overhead, time dask / time pool:     {dask.seconds / base.seconds:5.2f}x")
    log(f"  cached rerun, time rerun / time first:    {cached.seconds / base.seconds:5.2f}x   "
        f"({cached.cached} of {n} files from the cache)")
    if bigrun is not None:
        grow = bigrun.peak_rss / base.peak_rss
        log(f"  peak RSS of the run, N={big} / N={n}:  {grow:5.2f}x   ({bigrun.peak_rss / 2**20:.0f} MB / "
            f"{base.peak_rss / 2**20:.0f} MB; parent alone {bigrun.peak_parent_rss / 2**20:.0f} MB / "
            f"{base.peak_parent_rss / 2**20:.0f} MB; < 1 GB: {'yes' if bigrun.peak_rss < 2**30 else 'NO'})")
        log(f"  throughput N={big} / N={n}:             {bigrun.reports_per_s / base.reports_per_s:5.2f}x")
    log("")
    same = True
    for r in (j1, dask, cached):
        if r is None:
            continue
        ok = r.hashes == base.hashes and bool(base.hashes)
        same &= ok
        diff = sorted(k for k in set(r.hashes) | set(base.hashes) if r.hashes.get(k) != base.hashes.get(k))
        log(f"  datasets of {r.label:<24} = baseline's: {'identical' if ok else 'DIFFER: ' + ', '.join(diff)} "
            f"({len(r.hashes)} files, sha256)")
    log(f"load average at end (1, 5, 15 min): {load()}")
    log(f"parallel capacity at end: {parallel_capacity():.2f}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
