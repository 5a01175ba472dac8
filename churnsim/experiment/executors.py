"""Where runs execute: a local process pool, or Dask when asked, behind ``concurrent.futures``.

One process per core, each limited to one BLAS/OpenMP thread, so workers do not fight
over cores. Local workers watch the process that started them and exit when it dies, so
a killed sweep leaves no orphans. Dask (the optional extra ``churnsim[dask]``) is used as
it comes: a scheduler address, or an embedded ``LocalCluster`` with one thread per worker.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass

from churnsim.engines import available_cores

WATCH_SECONDS = 1.0


class ExecutorError(ValueError):
    """The execution back-end cannot be set up as asked (missing extra, unreachable scheduler)."""


@dataclass(frozen=True)
class Backend:
    executor: Executor
    slots: int
    description: str


def _exit_with_parent(parent: int) -> None:
    """A dead parent's children are adopted by another process: that is the signal to stop."""
    while os.getppid() == parent:
        time.sleep(WATCH_SECONDS)
    os._exit(1)


def init_worker() -> None:
    """Per worker process: one thread for numeric libraries, and exit if the sweep's process dies."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()


def process_pool(workers: int) -> ProcessPoolExecutor:
    """A local pool of fresh interpreters (``spawn``: no inherited locks or threads; the sweep is their parent)."""
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=init_worker)


@contextmanager
def backend(workers: int | None = None, scheduler: str | None = None,
            dask_local: int | None = None) -> Iterator[Backend]:
    """The executor a sweep submits to, shut down (pending runs cancelled) when the block ends."""
    if scheduler is not None or dask_local is not None:
        with _dask(scheduler, dask_local) as found:
            yield found
        return
    count = workers or available_cores()
    pool = process_pool(count)
    try:
        yield Backend(pool, count, f"{count} local worker process{'es' if count > 1 else ''}")
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


@contextmanager
def _dask(scheduler: str | None, dask_local: int | None) -> Iterator[Backend]:
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise ExecutorError("Dask is not installed: pip install 'churnsim[dask]'") from None
    cluster = None
    if dask_local is not None:
        cluster = LocalCluster(n_workers=dask_local, threads_per_worker=1, processes=True, host="127.0.0.1",
                               dashboard_address=None)
    try:
        try:
            client = Client(cluster if cluster is not None else scheduler, timeout="15s")
        except OSError as exc:
            raise ExecutorError(f"--scheduler {scheduler}: cannot connect: {exc}") from None
        with client:
            slots = sum(client.nthreads().values())
            where = f"Dask LocalCluster, {dask_local} workers" if cluster else f"Dask scheduler {scheduler}"
            executor = client.get_executor(pure=False)
            try:
                yield Backend(executor, max(slots, 1), f"{where} ({slots} threads)")
            finally:
                executor.shutdown(wait=False)
    finally:
        if cluster is not None:
            cluster.close()
