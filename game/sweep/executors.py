"""Executors: one pure function over many tasks, on a serial loop, local processes or Dask.

`run_tasks(fn, shared, tasks, executor, workers, scheduler)` calls `fn(shared, task)`
for every task and yields `(index, result)` as tasks finish, in any order. `shared`
travels once per worker on Dask (scattered) and once per task on the process pool.
Only a bounded number of tasks is in flight, so memory stays flat on long sweeps.
Sweeps (game.sweep.runner), `highfence compare` (game.compare, and the browser's compare
over seeds) and `highfence validate` (game.validation) all run here.

This module imports nothing heavy, so a command can call `start_local_workers` before
its own imports: the pool's fork server then imports the engine on one core while the
command imports and loads on the other.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from multiprocessing import forkserver

from game.errors import SweepError

EXECUTORS = ("local", "dask", "serial")
INFLIGHT_PER_WORKER = 2
ENGINE = "game.model"  # every task runs the engine; modules that run it may import it lazily


def start_local_workers(module: str) -> None:
    """Start the local pool's fork server now, importing the engine and `module` (where
    the tasks' function lives), unless it is running already.

    Workers fork from that server, so they start with everything imported. Starting it
    before the caller's own imports and loading overlaps the two (about a second each on
    a fresh process) instead of running them one after the other."""
    # forkserver: workers start clean (no inherited threads from tqdm or the caller), as on Dask.
    multiprocessing.get_context("forkserver").set_forkserver_preload([ENGINE, module])
    forkserver.ensure_running()  # returns at once; the server imports in its own process


def command_executor(executor: str, workers: int | None, scheduler: str | None, module: str,
                     one_task: bool = False) -> str:
    """The executor a command's runs take: Dask when given a scheduler; serial where one
    process would do (one worker, or one task). For the local pool, its fork server starts
    now (start_local_workers: the engine and `module`), while the command imports and loads."""
    if scheduler:
        return "dask"
    if executor == "local" and (workers == 1 or one_task):
        return "serial"  # one process: no pool to start
    if executor == "local":
        start_local_workers(module)
    return executor


def _indexed(fn: Callable, shared, index: int, task):
    return index, fn(shared, task)


def _quiet_worker() -> None:
    # Everything the fork server imported is shared with it until written to; the cyclic
    # GC writes to every object it scans, so frozen objects stay shared (Python's advice for
    # pre-fork servers). About 30 MiB a worker on the default scenario's sweeps.
    gc.freeze()
    # Ctrl-C goes to the whole process group; only the parent should handle it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # A worker blocked on its task queue does not notice a SIGKILLed parent and would
    # linger (holding the caller's stdout), so it waits on the parent's sentinel and leaves with it.
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        parent.join()
        os._exit(1)

    threading.Thread(target=watch, daemon=True, name="orphan-watch").start()


def _stream(submit: Callable, wait_first: Callable, tasks: Iterable, inflight: int) -> Iterator:
    """Keep `inflight` tasks submitted; yield results as they finish (any order)."""
    pending = set()
    tasks = iter(enumerate(tasks))
    exhausted = False
    while True:
        while not exhausted and len(pending) < inflight:
            item = next(tasks, None)
            if item is None:
                exhausted = True
            else:
                pending.add(submit(*item))
        if not pending:
            return
        done, pending = wait_first(pending)
        for f in done:
            yield f.result()


def _serial(fn, shared, tasks, workers, scheduler) -> Iterator:
    for i, task in enumerate(tasks):
        yield i, fn(shared, task)


def _local(fn, shared, tasks, workers, scheduler) -> Iterator:
    # The server imports the engine once; each worker forks from it instead of importing anew.
    start_local_workers(fn.__module__)
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("forkserver"),
                               initializer=_quiet_worker)
    try:
        yield from _stream(lambda i, t: pool.submit(_indexed, fn, shared, i, t),
                           lambda fs: wait(fs, return_when=FIRST_COMPLETED), tasks, workers * INFLIGHT_PER_WORKER)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _dask(fn, shared, tasks, workers, scheduler) -> Iterator:
    try:
        from distributed import Client, LocalCluster
        from distributed import wait as dwait
    except ImportError:
        raise SweepError("--executor dask needs dask.distributed: pip install 'highfence[dask]'") from None
    cluster = None
    if scheduler:
        try:
            client = Client(scheduler, timeout="20s")
        except OSError as exc:
            raise SweepError(f"--scheduler {scheduler}: cannot connect ({exc})") from None
    else:
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               dashboard_address=None, silence_logs=logging.ERROR)
        client = Client(cluster)
    try:
        slots = sum(client.nthreads().values()) or workers
        [shared_future] = client.scatter([shared], broadcast=True)
        yield from _stream(lambda i, t: client.submit(_indexed, fn, shared_future, i, t, pure=False),
                           lambda fs: dwait(fs, return_when="FIRST_COMPLETED"), tasks, slots * INFLIGHT_PER_WORKER)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


_EXECUTORS = {"serial": _serial, "local": _local, "dask": _dask}


def run_tasks(fn: Callable, shared, tasks: Iterable, executor: str = "local", workers: int | None = None,
              scheduler: str | None = None) -> Iterator[tuple[int, object]]:
    """Yield (task index, fn(shared, task)) for every task, as they finish.

    fn must be a module-level function (it is pickled to the workers)."""
    if executor not in _EXECUTORS:
        raise SweepError(f"--executor: expected one of {', '.join(EXECUTORS)} (got {executor!r})")
    workers = workers or os.cpu_count() or 1
    if workers < 1:
        raise SweepError("--workers: expected at least 1")
    return _EXECUTORS[executor](fn, shared, tasks, workers, scheduler)
