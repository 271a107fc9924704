"""The corpus runner (`extractor run`): the same bytes whatever the job count, the cache or an
interruption; per-file limits; inputs as folders, globs, lists and ZIP archives; Dask."""
from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from extractor.corpus import discover, run_corpus
from extractor.export import write_datasets
from extractor.frames import report_frames
from extractor.runner import RunOptions, run
from extractor.sources import Source, expand

ROOT = Path(__file__).resolve().parents[1]
SYN = ROOT / "corpus" / "synthetic"
SEED = ROOT / "corpus" / "seed" / "songbei-chuankou-2020.txt"
EXTRACTOR = Path(sys.executable).with_name("extractor")
DATASETS = ("reports", "sections", "cells", "findings", "wide")


def fast_inputs(dst: Path, n: int | None = None) -> Path:
    """The bundled synthetic text, web and DOCX reports (quick to parse) and the seed report."""
    dst.mkdir(parents=True, exist_ok=True)
    files = sorted(p for p in SYN.iterdir() if p.suffix in (".txt", ".html", ".docx")) + [SEED]
    for p in files[:n]:
        shutil.copy(p, dst / p.name)
    return dst


def digests(out: Path, formats=("parquet", "csv")) -> dict[str, str]:
    return {f"{d}.{f}": hashlib.sha256((out / f"{d}.{f}").read_bytes()).hexdigest()
            for d in DATASETS for f in formats}


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> Path:
    return fast_inputs(tmp_path_factory.mktemp("in") / "reports")


@pytest.fixture(scope="module")
def reference(inputs, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("ref")
    s = run(expand([inputs]), out, RunOptions(jobs=1, shard_size=4))
    assert s.files == s.parsed == len(list(inputs.iterdir()))
    return out


def test_same_bytes_for_any_job_count_shard_size_and_cache(inputs, reference, tmp_path):
    ref = digests(reference)
    out = tmp_path / "j2"
    s = run(expand([inputs]), out, RunOptions(jobs=2, shard_size=3))
    assert digests(out) == ref and s.parsed == s.files
    # a rerun into the same folder takes every file from the cache and writes the same bytes
    s = run(expand([inputs]), out, RunOptions(jobs=2, shard_size=3))
    assert s.cached == s.files and s.parsed == 0 and digests(out) == ref
    # --refresh parses again
    s = run(expand([inputs]), out, RunOptions(jobs=2, shard_size=50, refresh=True))
    assert s.parsed == s.files and digests(out) == ref
    assert not (out / ".work").exists()                      # the shards are gone after a finished run


def test_runner_rows_equal_the_in_memory_frames(inputs, reference, tmp_path):
    """`extractor run` (streamed shards, corpus rules over digests) and `report_frames` over
    `run_corpus` (all in memory) give the same CSV bytes."""
    write_datasets(report_frames(run_corpus(discover([inputs]))), tmp_path, formats=("csv",))
    assert digests(tmp_path, ("csv",)) == digests(reference, ("csv",))


def test_datasets_are_typed_and_in_path_order(reference):
    reps = pd.read_parquet(reference / "reports.parquet")
    assert list(reps.path) == sorted(reps.path)
    assert str(reps.report_year.dtype) == "Int64" and str(reps.status.dtype) == "string"
    cells = pd.read_parquet(reference / "cells.parquet")
    assert cells.value.dtype == "float64" and cells.in_template.dtype == bool
    order = {rid: i for i, rid in enumerate(reps.report_id)}
    assert cells.report_id.map(order).is_monotonic_increasing
    f = pd.read_parquet(reference / "findings.parquet")
    assert f.accepted.dtype == bool and f.report_id.map(order).is_monotonic_increasing
    assert (reps.n_findings == reps.report_id.map(f.report_id.value_counts()).fillna(0)).all()
    wide = pd.read_parquet(reference / "wide.parquet")
    assert set(wide.report_id) == set(cells.report_id)


def test_corpus_rules_through_digests_equal_in_memory(tmp_path):
    """Cross-year rules (one body at a time from the cache) and DUP-PEER (MinHash candidates,
    exact check) find what the in-memory rules find — on the cross-year test corpus."""
    from test_crossyear import _folder

    d = _folder(tmp_path)
    out = tmp_path / "out"
    run(expand([d]), out, RunOptions(jobs=2, shard_size=2))
    mem = tmp_path / "mem"
    write_datasets(report_frames(run_corpus(discover([d]))), mem, formats=("csv",))
    assert digests(out, ("csv",)) == digests(mem, ("csv",))
    f = pd.read_csv(out / "findings.csv")
    assert {"DUP-PEER", "DUP-PREV-YEAR", "DUP-TABLE-PREV"} <= set(f.rule_id)


# --------------------------------------------------------------------------- inputs

def test_inputs_globs_lists_and_zip_archives(tmp_path, monkeypatch):
    src = fast_inputs(tmp_path / "in", 4)
    names = sorted(p.name for p in src.iterdir())
    z = tmp_path / "batch.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.write(src / names[0], f"2021/{names[0]}")
        zf.write(src / names[1], names[1])
        zf.writestr("README.md", "not a report")
        zf.writestr("__MACOSX/._x.txt", "resource fork")
    lst = tmp_path / "list.txt"
    lst.write_text(f"# reports\n{src / names[2]}\n\n{tmp_path / 'nope.txt'}\n", encoding="utf-8")
    missing: list[str] = []
    got = expand([z, f"@{lst}", str(src / "*.html"), str(tmp_path / "none*.docx")], missing)
    want = {f"{z}!/2021/{names[0]}", f"{z}!/{names[1]}", str(src / names[2])} | \
        {str(p) for p in src.glob("*.html")}
    assert {s.name for s in got} == want and [s.name for s in got] == sorted(s.name for s in got)
    assert any("nope.txt" in m for m in missing) and any("none*.docx" in m and "no file matches" in m for m in missing)
    out = tmp_path / "out"
    run(got, out, RunOptions(jobs=1))
    reps = pd.read_parquet(out / "reports.parquet")
    member = reps[reps.path == f"{z}!/2021/{names[0]}"].iloc[0]
    assert member.status != "failed"
    # a member is read the same as the file itself
    alone = tmp_path / "alone"
    run(expand([src / names[0]]), alone, RunOptions(jobs=1))
    a = pd.read_parquet(alone / "cells.parquet")
    b = pd.read_parquet(out / "cells.parquet")
    b = b[b.report_id == member.report_id]
    assert a.drop(columns="report_id").reset_index(drop=True).equals(b.drop(columns="report_id").reset_index(drop=True))


def test_oversized_archive_member_is_a_failed_row(tmp_path, monkeypatch):
    import extractor.sources as S

    z = tmp_path / "a.zip"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("big.txt", "0" * (SEED.stat().st_size + 1))
        zf.write(SEED, "seed.txt")
    monkeypatch.setattr(S, "MAX_MEMBER_BYTES", SEED.stat().st_size)
    reps = {r.path: r for r in run_corpus(discover([z]))}
    big = reps[f"{z}!/big.txt"]
    assert big.status == "failed" and "too large" in big.error and big.path in big.error
    assert reps[f"{z}!/seed.txt"].status == "ok"


# --------------------------------------------------------------------------- limits

PATCH = '''
import os, time
if os.environ.get("EXTRACTOR_TEST_PATCH"):
    import extractor.pipeline as P
    _orig = P.parse_bytes
    def parse_bytes(path, data, deadlines=None):
        name = os.path.basename(path)
        delay = float(os.environ.get("EXTRACTOR_TEST_DELAY") or 0)
        if delay:
            time.sleep(delay)
        if name.endswith("-slow.txt"):
            time.sleep(120)
        if name.endswith("-hog.txt"):
            hog = b"x" * (700 * 2**20)      # touched memory: resident
            time.sleep(120)
        if name.endswith("-crash.txt"):
            os.kill(os.getpid(), 11)
        return _orig(path, data, deadlines)
    P.parse_bytes = parse_bytes
'''


@pytest.fixture
def patched_workers(tmp_path, monkeypatch):
    """Worker processes start with a sitecustomize that slows down, bloats or crashes on files
    named so (the parent process is not affected)."""
    d = tmp_path / "site"
    d.mkdir()
    (d / "sitecustomize.py").write_text(PATCH, encoding="utf-8")
    monkeypatch.setenv("PYTHONPATH", str(d))
    monkeypatch.setenv("EXTRACTOR_TEST_PATCH", "1")
    return d


def test_time_memory_and_crash_are_failed_rows_and_the_run_goes_on(tmp_path, patched_workers):
    src = tmp_path / "in"
    src.mkdir()
    for name in ("a-slow.txt", "b-hog.txt", "c-crash.txt", "d-good.txt", "e-good.txt"):
        shutil.copy(SEED, src / name)
    (src / "e-good.txt").write_bytes(SEED.read_bytes() + b"\n")
    out = tmp_path / "out"
    t0 = time.monotonic()
    s = run(expand([src]), out, RunOptions(jobs=2, time_limit=4, memory_limit_mb=400))
    assert time.monotonic() - t0 < 90
    reps = pd.read_parquet(out / "reports.parquet").set_index(pd.Series(["slow", "hog", "crash", "d", "e"]))
    assert reps.loc["slow", "status"] == "failed" and "time limit exceeded (4 s per file)" in reps.loc["slow", "error"]
    assert reps.loc["hog", "status"] == "failed" and "memory limit exceeded" in reps.loc["hog", "error"]
    assert reps.loc["crash", "status"] == "failed" and "SIGSEGV" in reps.loc["crash", "error"]
    for k in ("slow", "hog", "crash"):
        assert reps.loc[k, "path"] in reps.loc[k, "error"]              # the error names the file
        assert reps.loc[k, "sha256"] == hashlib.sha256(SEED.read_bytes()).hexdigest()
    assert list(reps.loc[["d", "e"], "status"]) == ["ok", "ok"]
    assert s.by_status == {"failed": 3, "ok": 2}
    # failures caused by a limit are not cached: without the patch the same files parse
    os.environ.pop("EXTRACTOR_TEST_PATCH")
    s = run(expand([src]), out, RunOptions(jobs=2))
    assert s.cached == 2 and s.parsed == 3 and s.by_status == {"ok": 5}


def test_kill_9_then_resume_gives_the_same_bytes(tmp_path, inputs, reference, patched_workers):
    out = tmp_path / "out"
    cmd = [str(EXTRACTOR), "run", str(inputs), "--out", str(out), "-q", "--jobs", "1", "--shard-size", "4"]
    env = dict(os.environ, EXTRACTOR_TEST_DELAY="0.3")
    p = subprocess.Popen(cmd, env=env, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    shards = out / ".work" / "shards"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list(shards.glob("*.json"))) < 2:
        assert p.poll() is None, p.stderr.read().decode()
        time.sleep(0.05)
    os.killpg(p.pid, signal.SIGKILL)                      # the command and its workers, mid-run
    p.wait()
    done = len(list(shards.glob("*.json")))
    n_shards = -(-len(list(inputs.iterdir())) // 4)
    assert 2 <= done < n_shards
    assert not (out / "cells.parquet").exists()
    r = subprocess.run(cmd[:-5] + ["--jobs", "2", "--shard-size", "4"], capture_output=True, text=True,
                       env={k: v for k, v in os.environ.items() if k != "EXTRACTOR_TEST_PATCH"})
    assert r.returncode == 0, r.stderr
    assert f"{done} shards reused" in r.stdout
    assert digests(out) == digests(reference)


# --------------------------------------------------------------------------- Dask

def test_dask_local_cluster_same_bytes(inputs, reference, tmp_path):
    pytest.importorskip("distributed")
    out = tmp_path / "dask"
    s = run(expand([inputs]), out, RunOptions(jobs=2, shard_size=4, dask="local"))
    assert s.parsed == s.files
    assert digests(out) == digests(reference)
    # the client wrote the cache entries the workers sent back: a rerun is all cached
    s = run(expand([inputs]), out, RunOptions(jobs=1, shard_size=4))
    assert s.cached == s.files and digests(out) == digests(reference)


def test_source_names_a_member():
    s = Source("a.zip!/x/y.txt", "a.zip", "x/y.txt")
    assert s.member == "x/y.txt" and s.name.endswith("!/x/y.txt")


def test_cli_run_writes_duckdb_tables_and_views(inputs, tmp_path):
    duckdb = pytest.importorskip("duckdb")
    from extractor.cli import main

    out, db = tmp_path / "out", tmp_path / "corpus.duckdb"
    assert main(["run", str(inputs), "--out", str(out), "-q", "--jobs", "1", "--duckdb", str(db)]) == 0
    con = duckdb.connect(str(db), read_only=True)
    n = con.execute("select count(*) from reports").fetchone()[0]
    assert n == len(pd.read_parquet(out / "reports.parquet"))
    assert con.execute("select count(*) from t3_wide").fetchone()[0] == n
    rules = dict(con.execute("select rule_id, sum(n_findings) from findings_by_rule group by 1").fetchall())
    f = pd.read_parquet(out / "findings.parquet")
    assert rules == f.rule_id.value_counts().to_dict()
    # --duckdb needs the Parquet files
    assert main(["run", str(inputs), "--out", str(tmp_path / "o2"), "-q", "--format", "csv",
                 "--duckdb", str(tmp_path / "x.duckdb")]) == 2
