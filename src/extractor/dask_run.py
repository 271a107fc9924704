"""`extractor run --dask ADDRESS` (or `--dask local`): the per-file work on a dask.distributed
cluster, the rest of the run unchanged.

Each file is one Dask task running `worker.process` — inside a one-process `pool.WorkerPool`
kept by the Dask worker thread, so the per-file time and memory limits hold on a cluster
exactly as in the local pool (a runaway file is killed, the Dask worker lives on). Results come
back to the client, which writes the shards, the cache entries (sent back with each result,
so the cache needs no shared disk; the inputs must be readable by the workers at the same
paths) and the final datasets: the bytes are the same as with the process pool.

At most `WINDOW_PER_WORKER` tasks per worker thread are in flight, so the client's memory does
not grow with the corpus. `--dask local` starts a `LocalCluster` of `--jobs` single-threaded
worker processes (default: one per core) and closes it at the end.
"""
from __future__ import annotations

import threading
import uuid
from typing import Iterable, Iterator

from .sources import Source
from .worker import Job, Result

WINDOW_PER_WORKER = 4
_local = threading.local()


def process_on_worker(index: int, source: Source, job: Job, time_limit: float | None,
                      memory_limit: int | None) -> Result:
    """The Dask task: one file, through this worker thread's own one-process pool."""
    from .pool import WorkerPool

    pool = getattr(_local, "pool", None)
    if pool is None or pool.job != job or pool.time_limit != time_limit or pool.memory_limit != memory_limit:
        if pool is not None:
            pool.close()
        pool = _local.pool = WorkerPool(1, job, time_limit=time_limit, memory_limit=memory_limit)
    results = pool.imap_unordered([(index, source)])
    res = next(results)
    results.close()
    return res


def dask_results(tasks: Iterable[tuple[int, Source]], job: Job, opts) -> Iterator[Result]:
    from distributed import Client, LocalCluster, as_completed

    from .runner import cpu_count

    cluster = None
    if opts.dask == "local":
        cluster = LocalCluster(n_workers=opts.jobs or cpu_count(), threads_per_worker=1, processes=True,
                               dashboard_address=None, memory_limit=0, silence_logs=40)
        client = Client(cluster)
    else:
        client = Client(opts.dask)
    mem = opts.memory_limit_mb * 2**20 if opts.memory_limit_mb else None
    try:
        threads = sum(client.nthreads().values()) or 1
        window = WINDOW_PER_WORKER * threads
        it = iter(tasks)
        ac = as_completed()
        run_token = uuid.uuid4().hex[:12]  # task keys of two runs sharing a cluster never collide
        n = 0

        def submit_next() -> bool:
            t = next(it, None)
            if t is None:
                return False
            ac.add(client.submit(process_on_worker, t[0], t[1], job, opts.time_limit, mem, pure=False,
                                 key=f"extractor-{run_token}-{t[0]}"))
            return True

        while n < window and submit_next():
            n += 1
        for fut in ac:
            res = fut.result()
            fut.release()
            submit_next()
            yield res
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
