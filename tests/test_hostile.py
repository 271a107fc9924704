"""`extractor run` over the hostile corpus (tests/hostile.py), as a subprocess: it must exit 0,
give every file one `reports` row whose error names the file and a readable cause, leak no
external-entity content, touch no network and write nothing outside --out.

How the last two are watched:

* a `sitecustomize.py` on PYTHONPATH installs an audit hook (`sys.addaudithook`) in the
  run and in any Python process it starts (they inherit the environment): network events
  are refused and logged; opens for writing, mkdir/rename/remove outside --out are logged;
  so are reads of the canary files (/etc/passwd, the external DTDs of xxe_dtd.docx);
* libxml2 and PDFium do their own I/O in C, which no audit hook sees: the external URLs of
  the corpus point at a local port this test listens on (a connection is a failure), and
  the canary text must not reach the outputs;
* the run's cwd, HOME, TMPDIR and XDG_* folders are empty temporary folders, checked
  afterwards; EXTRACTOR_CACHE is unset (no DOC/WPS in the corpus: nothing may go to a cache);
* the input folder is hashed before and after.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from hostile import BOMB_SIZE, CANARY, NAMES, replace_part, build_hostile_corpus, zip_bomb_docx

SITECUSTOMIZE = r'''
import json, os, sys

_log = os.environ.get("HOSTILE_AUDIT_LOG")
if _log:
    _fd = os.open(_log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    _allow = tuple({p for d in os.environ.get("HOSTILE_ALLOW_WRITES", "").split(os.pathsep) if d
                    for p in (os.path.abspath(d), os.path.realpath(d))})
    _canaries = tuple(os.path.realpath(p) for p in os.environ.get("HOSTILE_CANARIES", "").split(os.pathsep) if p)
    _NET = {"socket.connect", "socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyaddr",
            "socket.sendto", "socket.sendmsg", "urllib.Request", "http.client.connect", "ftplib.connect",
            "smtplib.connect", "webbrowser.open"}
    # event -> (index of a path argument, index of its dir_fd argument or None)
    _FS = {"os.mkdir": [(0, 2)], "os.rename": [(0, 2), (1, 3)], "os.remove": [(0, 1)], "os.rmdir": [(0, 1)],
           "os.symlink": [(1, 2)], "os.link": [(1, 3)], "os.truncate": [(0, None)], "shutil.rmtree": [(0, 1)],
           "os.chmod": [(0, 2)], "os.chown": [(0, 3)]}
    _WRITE = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC
    _busy = [False]

    def _emit(kind, event, detail):
        rec = {"kind": kind, "event": event, "detail": detail, "pid": os.getpid()}
        os.write(_fd, (json.dumps(rec, default=repr) + "\n").encode())

    def _path(p, dir_fd=None):
        if isinstance(p, int) or p is None:
            return None
        try:
            p = os.fsdecode(os.fspath(p))
        except TypeError:
            return None
        if isinstance(dir_fd, int) and not os.path.isabs(p):  # relative to a folder's descriptor (rmtree)
            try:
                p = os.path.join(os.readlink(f"/proc/self/fd/{dir_fd}"), p)
            except OSError:
                return "<dir_fd %d>/%s" % (dir_fd, p)
        return os.path.abspath(p)

    def _outside(p):
        return p is not None and not p.startswith("/dev/") and not any(
            p == a or p.startswith(a + os.sep) for a in _allow)

    def _hook(event, args):
        if _busy[0]:
            return
        _busy[0] = True
        refuse = None
        try:
            if event in _NET:
                _emit("network", event, [repr(a) for a in args])
                refuse = event
            elif event == "open":
                p = _path(args[0])
                mode, flags = args[1], args[2]
                writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or \
                    (isinstance(flags, int) and flags & _WRITE)
                if writing and _outside(p):
                    _emit("write", event, p)
                if p is not None and any(os.path.realpath(p) == c or os.path.realpath(p).startswith(c + os.sep)
                                         for c in _canaries):
                    _emit("canary", event, p)
            elif event in _FS:
                for k, fd in _FS[event]:
                    p = _path(args[k], args[fd] if fd is not None and fd < len(args) else None) \
                        if k < len(args) else None
                    if _outside(p):
                        _emit("write", event, p)
            elif event in ("subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn"):
                _emit("process", event, repr(args[:2]))
        finally:
            _busy[0] = False
        if refuse:
            raise PermissionError(f"hostile-corpus test: network access refused ({refuse})")

    _emit("start", "sitecustomize", sys.argv)
    sys.addaudithook(_hook)
'''


@dataclass
class Run:
    corpus: Path
    out: Path
    expect: dict
    proc: subprocess.CompletedProcess
    seconds: float
    maxrss_mb: float
    audit: list[dict]
    connections: list
    watched: dict[str, Path]
    before: dict[str, str]
    canary_dir: Path
    canary_before: dict[str, str]


def _hashes(d: Path) -> dict[str, str]:
    return {str(p.relative_to(d)): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
            for p in sorted(d.rglob("*"))}


def _listen() -> tuple[socket.socket, list, threading.Event]:
    """A TCP listener on a local port: whoever connects is recorded."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(8)
    srv.settimeout(0.2)
    seen: list = []
    stop = threading.Event()

    def loop():
        while not stop.is_set():
            try:
                conn, addr = srv.accept()
            except OSError:
                continue
            seen.append(addr)
            conn.close()
    threading.Thread(target=loop, daemon=True).start()
    return srv, seen, stop


def _extractor() -> list[str]:
    exe = Path(sys.executable).with_name("extractor")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "extractor"]


def _run(cmd, cwd, env, timeout) -> tuple[int, str, str, float, float]:
    """Run `cmd`; (exit code, stdout, stderr, seconds, peak RSS in MB of the process tree)."""
    t0 = time.monotonic()
    with open(cwd.parent / "stdout", "w+b") as so, open(cwd.parent / "stderr", "w+b") as se:
        p = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=so, stderr=se)
        timer = threading.Timer(timeout, p.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(p.pid, 0)
        finally:
            timer.cancel()
        p.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.monotonic() - t0
        so.seek(0)
        se.seek(0)
        return p.returncode, so.read().decode("utf-8", "replace"), se.read().decode("utf-8", "replace"), \
            seconds, usage.ru_maxrss / 1024


def _sandbox(tmp: Path, out: Path, canaries: list[str]) -> tuple[dict, Path, dict[str, Path]]:
    """(environment, audit log, watched folders) for a run that may write only under `out`:
    the audit hook on PYTHONPATH, EXTRACTOR_* unset, empty cwd/HOME/TMPDIR/XDG_* folders."""
    site, audit_dir = tmp / "site", tmp / "audit"
    site.mkdir()
    audit_dir.mkdir()
    (site / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
    log = audit_dir / "log.jsonl"
    watched = {k: tmp / "env" / k for k in ("cwd", "home", "tmp", "cache", "config", "data")}
    for d in watched.values():
        d.mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("EXTRACTOR_", "PYTHON", "XDG_"))}
    env.update({
        "PYTHONPATH": str(site),
        # the interpreter's own bytecode cache (in the venv) is not the extractor writing files
        "PYTHONDONTWRITEBYTECODE": "1",
        "HOME": str(watched["home"]), "TMPDIR": str(watched["tmp"]),
        "XDG_CACHE_HOME": str(watched["cache"]), "XDG_CONFIG_HOME": str(watched["config"]),
        "XDG_DATA_HOME": str(watched["data"]),
        "HOSTILE_AUDIT_LOG": str(log), "HOSTILE_ALLOW_WRITES": str(out),
        "HOSTILE_CANARIES": os.pathsep.join(canaries),
    })
    return env, log, watched


def _audit(log: Path) -> list[dict]:
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()] if log.exists() else []


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> Run:
    tmp = tmp_path_factory.mktemp("hostile")
    srv, seen, stop = _listen()
    url = f"http://127.0.0.1:{srv.getsockname()[1]}/"
    corpus, canary = tmp / "corpus", tmp / "canary"
    expect = build_hostile_corpus(corpus, url=url, canary_dir=canary)
    before, canary_before = _hashes(corpus), _hashes(canary)

    out = tmp / "out"
    env, log, watched = _sandbox(tmp, out, ["/etc/passwd", str(canary)])
    try:
        code, so, se, seconds, rss = _run(_extractor() + ["run", str(corpus), "--out", str(out)],
                                          watched["cwd"], env, timeout=600)
    finally:
        stop.set()
        srv.close()
    audit = _audit(log)
    proc = subprocess.CompletedProcess([], code, so, se)
    print(f"\nhostile corpus: {len(expect)} files, exit {code}, {seconds:.1f} s, peak RSS {rss:.0f} MB")
    return Run(corpus, out, expect, proc, seconds, rss, audit, seen, watched, before, canary, canary_before)


@pytest.fixture(scope="module")
def reports(run) -> pd.DataFrame:
    assert run.proc.returncode == 0, run.proc.stderr[-3000:]
    df = pd.read_parquet(run.out / "reports.parquet")
    csv = pd.read_csv(run.out / "reports.csv", encoding="utf-8-sig", keep_default_na=False)
    assert list(csv["path"]) == list(df["path"]) and list(csv["status"]) == list(df["status"])
    return df


def test_run_exits_0_without_a_crash(run):
    assert run.proc.returncode == 0, run.proc.stderr[-3000:]
    assert "Traceback" not in run.proc.stderr, run.proc.stderr[-3000:]


def test_every_file_has_exactly_one_row_with_a_status(run, reports):
    names = [Path(p).name for p in reports["path"]]
    assert sorted(names) == sorted(run.expect), "one row per input file, none for the hidden canary folder"
    assert all(Path(p).parent == run.corpus for p in reports["path"])
    assert reports["status"].isin(["ok", "partial", "failed"]).all()
    assert reports["report_id"].is_unique


@pytest.mark.parametrize("name", NAMES)
def test_status_format_and_cause(run, reports, name):
    e = run.expect[name]
    row = reports[reports["path"].map(lambda p: Path(p).name) == name].iloc[0]
    status, error = row["status"], row["error"] if isinstance(row["error"], str) else ""
    assert status in e.statuses, f"{name} ({e.what}): {status}: {error}"
    if e.fmt is not None:
        assert row["format"] == e.fmt, (name, row["format"])
    if status == "failed":
        assert str(run.corpus / name) in error, f"the error names the file: {error}"
        assert e.cause and re.search(e.cause, error, re.I), f"{name}: the cause ({e.cause}) is not in {error!r}"
        for bad in ("reader crashed", "internal error", "Traceback"):
            assert bad not in error, error
    elif status == "partial":
        assert str(run.corpus / name) in error


def _all_output_text(out: Path) -> str:
    """Every file under OUT (the cache and work folders included) as text: CSV as is, Parquet
    through pandas, zlib streams inflated, anything else as its bytes."""
    parts = []
    for p in sorted(q for q in out.rglob("*") if q.is_file()):
        data = p.read_bytes()
        if p.suffix == ".parquet":
            parts.append(pd.read_parquet(p).astype(str).to_csv(index=False))
        elif data[:1] == b"\x78":
            try:
                data = zlib.decompress(data)
            except zlib.error:
                pass
        parts.append(data.decode("utf-8", "replace"))
    return "\n".join(parts)


def test_no_external_entity_content_in_the_outputs(run, reports):
    text = _all_output_text(run.out)
    assert len(text) > 1000
    passwd = Path("/etc/passwd").read_text(encoding="utf-8", errors="replace").splitlines()
    needles = [CANARY, "root:x:0:0", "lollollol"] + [ln for ln in passwd[:3] if len(ln) > 8]
    for needle in needles:
        assert needle not in text, needle
    # the XXE report itself is read, its entity references dropped
    xxe = reports[reports["path"].str.endswith("/xxe.docx")].iloc[0]
    assert xxe["status"] in ("ok", "partial") and xxe["n_cells"] > 0


def test_no_network_access(run):
    assert any(r["kind"] == "start" for r in run.audit), "the audit hook did not load (sitecustomize)"
    assert [r for r in run.audit if r["kind"] == "network"] == []
    assert run.connections == [], "something connected to the URLs in the corpus"
    # a child that is not Python would escape the audit hook
    py = Path(sys.executable).name.rstrip("0123456789.")
    others = [r for r in run.audit if r["kind"] == "process" and py not in r["detail"]]
    assert others == []


def test_no_file_written_outside_out(run):
    assert [r for r in run.audit if r["kind"] == "write"] == []
    for name, d in run.watched.items():
        assert list(d.iterdir()) == [], f"{name}: {sorted(p.name for p in d.rglob('*'))}"
    assert _hashes(run.corpus) == run.before, "the input folder changed"
    assert _hashes(run.canary_dir) == run.canary_before
    assert {p.name for p in run.out.iterdir()} >= {"reports.parquet", "reports.csv", "cells.csv", "findings.csv"}


def test_canary_files_are_never_opened(run):
    assert [r for r in run.audit if r["kind"] == "canary"] == []


def test_resources(run):
    # the 3 GiB zip bomb inflated in memory would blow this; the 300-page PDF is the bulk of the time
    assert run.maxrss_mb < 2048, run.maxrss_mb
    assert run.seconds < 300, run.seconds


def test_the_audit_hook_sees_what_it_must(tmp_path):
    """The watch itself: a Python child started with the sandbox environment has its network
    access refused and logged, its writes outside OUT and its canary reads logged."""
    srv, seen, stop = _listen()
    out = tmp_path / "out"
    env, log, watched = _sandbox(tmp_path, out, ["/etc/passwd"])
    code = ("import os, socket, tempfile, urllib.request\n"
            "for f in (lambda: socket.socket().connect(('127.0.0.1', %d)),\n"
            "          lambda: urllib.request.urlopen('http://example.invalid/', timeout=2)):\n"
            "    try: f()\n"
            "    except PermissionError: pass\n"
            "    else: raise SystemExit('network not refused')\n"
            "open(os.path.expanduser('~/x'), 'w').close()\n"
            "tempfile.mkstemp()\n"
            "os.makedirs(%r); open(%r, 'wb').close()\n"
            "open('/etc/passwd').close()\n") % (srv.getsockname()[1], str(out / "sub"), str(out / "sub" / "ok"))
    try:
        p = subprocess.run([sys.executable, "-c", code], cwd=watched["cwd"], env=env, capture_output=True,
                           text=True, timeout=60)
    finally:
        stop.set()
        srv.close()
    assert p.returncode == 0, p.stderr
    audit = _audit(log)
    kinds = [(r["kind"], r["event"]) for r in audit]
    assert ("start", "sitecustomize") in kinds
    assert ("network", "socket.connect") in kinds and ("network", "urllib.Request") in kinds
    writes = [r["detail"] for r in audit if r["kind"] == "write"]
    assert str(watched["home"] / "x") in writes and any(w.startswith(str(watched["tmp"])) for w in writes)
    assert not any(w.startswith(str(out)) for w in writes)
    assert [r["detail"] for r in audit if r["kind"] == "canary"] == ["/etc/passwd"]
    assert seen == []


# ------------------------------------------------------------------ the generator itself


def test_the_zip_bomb_is_real_and_cheap():
    t0 = time.monotonic()
    data = zip_bomb_docx(1 << 30)
    assert time.monotonic() - t0 < 5 and len(data) < 2_000_000
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        info = zf.getinfo("word/document.xml")
        assert info.file_size == 1 << 30 and info.compress_size * 500 < info.file_size
        with zf.open(info) as f:
            assert f.read(64 << 20) == bytes(64 << 20)  # really inflates (a prefix checked)


def test_the_corpus_bomb_declares_gigabytes(run):
    with zipfile.ZipFile(run.corpus / "zipbomb.docx") as zf:
        assert zf.getinfo("word/document.xml").file_size == BOMB_SIZE >= 2 << 30
    assert (run.corpus / "zipbomb.docx").stat().st_size < 5_000_000


# ------------------------------------------------------------------ the reader messages, in process


def test_reader_messages_name_the_cause(run):
    from extractor.readers import ReadError, read_document

    cases = {"truncated.pdf": r"^{p}: damaged: the file looks truncated \(it does not end with %%EOF",
             "billion_laughs.docx": r"^{p}: word/document.xml declares nested entities .*'billion laughs'",
             "xxe_dtd.docx": r"^{p}: word/document.xml has a DTD .* external DTDs and entities are never loaded",
             "zipbomb.docx": r"^{p}: ZIP entries declare \d+ bytes uncompressed .* zip bomb"}
    for name, pattern in cases.items():
        p = str(run.corpus / name)
        with pytest.raises(ReadError, match=pattern.format(p=re.escape(p))):
            read_document(p, Path(p).read_bytes())
    # a DTD with a plain syntax error is not called an entity problem
    broken = replace_part((run.corpus / "docx_named.pdf").read_bytes(), "word/document.xml",
                           lambda x: x.replace(b"?>", b'?><!DOCTYPE w:document [<!ENTITY a "b">]>', 1)
                           .replace(b"</w:body>", b"</w:bdy></w:body>", 1))
    with pytest.raises(ReadError, match=r"^b\.docx: word/document.xml is not well-formed XML"):
        read_document("b.docx", broken)
    doc = read_document("x.docx", (run.corpus / "xxe.docx").read_bytes())  # entity references dropped
    assert "root:" not in " ".join(b.text for b in doc.paragraphs())
