"""A pool of worker processes for the per-file work, with a time and a memory limit per file.

Why not `concurrent.futures` or `multiprocessing.Pool`: a file that runs away (a parser stuck
in a loop, a decompression that eats memory) has to be stopped by killing its process, and
those pools cannot kill one task — killing a worker breaks the whole pool (or hangs it). Here
each worker is a plain child process (running `extractor.worker.main`) talking over two pipes; the
parent hands out one file at a time, watches the clock and the worker's resident memory
(`/proc/PID/statm`, polled every `POLL` seconds), and on a breach kills that worker, records
the file as `failed` with the reason, and starts a fresh worker. A worker that dies on its own
(a crash in native code) is handled the same way. Workers are also replaced after
`max_tasks` files, or when their memory has grown past half the limit, so memory stays flat
over long runs. Being started with `subprocess`, workers can be used inside daemonic processes
(Dask workers) too.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import deque
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Iterable, Iterator

from .sources import Source
from .worker import Job, Result, failed_report, result_of

POLL = 0.05


@dataclass(frozen=True)
class Call:
    """A task that is not a file: call `fn` ("module:function") with `args` in a worker (the
    run's closing work — corpus rules, dataset writing — shared out over the same processes).
    Calls have no time limit; the memory limit holds."""
    index: int
    fn: str
    args: tuple = ()


def resolve(fn: str):
    """The function named "module:function"."""
    import importlib

    module, name = fn.split(":")
    return getattr(importlib.import_module(module), name)


@dataclass
class CallResult:
    index: int
    value: object = None
    error: str | None = None       # the worker's traceback, or why the worker was lost
# not `-m extractor.worker`: that would make the worker's classes `__main__.Result`
_MAIN = "import sys; from extractor.worker import main; sys.exit(main(sys.argv[1:]))"


def rss_bytes(pid: int) -> int | None:
    """Resident memory of a process (Linux); None where /proc is not there."""
    try:
        with open(f"/proc/{pid}/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


class _Worker:
    def __init__(self, job: Job):
        r1, w1 = os.pipe()  # parent -> worker
        r2, w2 = os.pipe()  # worker -> parent
        env = dict(os.environ)
        # a worker uses one core: numeric libraries must not start a thread per core each
        for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
            env.setdefault(v, "1")
        src = str(Path(__file__).resolve().parents[1])
        env["PYTHONPATH"] = src + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
        self.proc = subprocess.Popen([sys.executable, "-c", _MAIN, str(r1), str(w2)],
                                     pass_fds=(r1, w2), stdin=subprocess.DEVNULL, env=env, close_fds=True)
        os.close(r1)
        os.close(w2)
        self.send_conn = Connection(w1, readable=False)
        self.recv_conn = Connection(r2, writable=False)
        self.send_conn.send(("job", job))
        self.task: tuple[int, Source] | Call | None = None
        self.started = 0.0
        self.done = 0
        self.peak = 0

    def give(self, task: tuple[int, Source] | Call) -> None:
        self.task = task
        self.started = time.monotonic()
        self.send_conn.send(("call", task) if isinstance(task, Call) else ("task", *task))

    def kill(self) -> None:
        try:
            self.proc.kill()
        except OSError:
            pass
        self.proc.wait()
        self._close()

    def stop(self) -> None:
        try:
            self.send_conn.send(("stop",))
        except OSError:
            pass
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self._close()

    def _close(self) -> None:
        for c in (self.send_conn, self.recv_conn):
            try:
                c.close()
            except OSError:
                pass


def _death(proc: subprocess.Popen) -> str:
    rc = proc.poll()
    if rc is None:
        return "worker stopped answering"
    if rc < 0:
        try:
            return f"worker process killed by signal {signal.Signals(-rc).name}"
        except ValueError:
            return f"worker process killed by signal {-rc}"
    return f"worker process exited with status {rc}"


class WorkerPool:
    """`jobs` worker processes; `time_limit` seconds and `memory_limit` bytes of resident memory
    per file (None: no limit)."""

    def __init__(self, jobs: int, job: Job, time_limit: float | None = None, memory_limit: int | None = None,
                 max_tasks: int = 500):
        self.jobs, self.job = max(1, jobs), job
        self.time_limit, self.memory_limit, self.max_tasks = time_limit, memory_limit, max_tasks
        self.workers: list[_Worker] = []
        self.peak_rss = 0  # the largest resident memory seen of one worker

    def __enter__(self) -> "WorkerPool":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        for w in self.workers:
            if w.task is None:
                w.stop()
            else:
                w.kill()
        self.workers = []

    def _spawn(self) -> _Worker:
        w = _Worker(self.job)
        self.workers.append(w)
        return w

    def _retire(self, w: _Worker, kill: bool) -> None:
        self.workers.remove(w)
        w.kill() if kill else w.stop()

    def _failure(self, w: _Worker, reason: str) -> Result | CallResult:
        if isinstance(w.task, Call):
            return CallResult(w.task.index, error=f"{w.task.fn}: {reason}")
        index, source = w.task
        rep = failed_report(source, f"{source.name}: {reason}")
        return result_of(index, source, rep, seconds=time.monotonic() - w.started, limit_failure=True)

    def imap_unordered(self, tasks: Iterable[tuple[int, Source] | Call]) -> Iterator[Result | CallResult]:
        """Results of every task, as they finish. A file whose worker breaks a limit or dies
        yields a `failed` result saying so (a `Call`: a `CallResult` with the error); the other
        tasks go on."""
        todo = deque()
        it = iter(tasks)
        exhausted = False

        def next_task():
            nonlocal exhausted
            if todo:
                return todo.popleft()
            if exhausted:
                return None
            try:
                return next(it)
            except StopIteration:
                exhausted = True
                return None

        while True:
            for w in list(self.workers):
                if w.task is None and (w.done >= self.max_tasks or w.proc.poll() is not None):
                    self._retire(w, kill=w.proc.poll() is not None)
            while len(self.workers) < self.jobs:
                self._spawn()
            for w in self.workers:
                if w.task is None:
                    t = next_task()
                    if t is None:
                        break
                    try:
                        w.give(t)
                    except OSError:  # died between tasks: hand the file to a new worker
                        todo.appendleft(t)
                        w.task = None
                        w.done = self.max_tasks
            busy = [w for w in self.workers if w.task is not None]
            if not busy:
                if exhausted and not todo:
                    return
                continue
            ready = wait([w.recv_conn for w in busy], timeout=POLL)
            for w in busy:
                if w.recv_conn in ready:
                    try:
                        msg = w.recv_conn.recv()
                    except (EOFError, OSError):
                        w.proc.wait()
                        yield self._failure(w, _death(w.proc))
                        self._retire(w, kill=True)
                        continue
                    w.task, w.done = None, w.done + 1
                    rss = rss_bytes(w.proc.pid)
                    if rss:
                        self.peak_rss = max(self.peak_rss, rss)
                        if self.memory_limit and rss > self.memory_limit // 2:
                            w.done = self.max_tasks  # grown: replace it before its next file
                    if w.done < self.max_tasks and w.proc.poll() is None:
                        # the next file now, before the result is handed on: the caller may take a
                        # while with it (a shard written), and the worker would sit idle meanwhile
                        t = next_task()
                        if t is not None:
                            try:
                                w.give(t)
                            except OSError:  # died between tasks: hand the file to a new worker
                                todo.appendleft(t)
                                w.task = None
                                w.done = self.max_tasks
                    yield msg[1]
                    continue
                now = time.monotonic()
                if self.time_limit and now - w.started > self.time_limit and not isinstance(w.task, Call):
                    yield self._failure(w, f"time limit exceeded ({self.time_limit:g} s per file); the file was "
                                           f"stopped")
                    self._retire(w, kill=True)
                    continue
                rss = rss_bytes(w.proc.pid)
                if rss:
                    self.peak_rss = max(self.peak_rss, rss)
                if self.memory_limit and rss and rss > self.memory_limit:
                    yield self._failure(w, f"memory limit exceeded ({rss / 2**20:.0f} MB resident, limit "
                                           f"{self.memory_limit / 2**20:.0f} MB per file); the file was stopped")
                    self._retire(w, kill=True)
                    continue
