"""Run many tasks on any ``concurrent.futures`` executor and store each result as it lands.

Generic: a task is anything with a ``key`` and ``labels()``, the function turns one task
into a table. At most ``window`` tasks are in flight, so memory does not grow with the
number of tasks; a task that raises is logged as failed and the rest go on; a dead local
process pool stops the sweep (the runs done so far are stored, ``--resume`` continues).
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, BrokenExecutor, Executor, Future, wait
from dataclasses import dataclass
from typing import Any, Protocol

import pandas as pd

from churnsim.experiment.store import RunStore


class Task(Protocol):
    @property
    def key(self) -> str: ...

    def labels(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class Outcome:
    key: str
    ok: bool
    seconds: float | None
    error: str | None = None


class SweepAbortedError(RuntimeError):
    """The executor itself broke (a local worker process died): resume to continue."""


def timed(fn: Callable[[Any], pd.DataFrame], task: Any) -> tuple[pd.DataFrame, float]:
    """Run one task where it is executed, measuring only the work itself."""
    start = time.perf_counter()
    frame = fn(task)
    return frame, time.perf_counter() - start


def error_line(exc: BaseException) -> str:
    """The exception as one line: type and message, as it is kept in the ledger."""
    return " ".join("".join(traceback.format_exception_only(exc)).split())


def execute(tasks: Iterable[Task], fn: Callable[[Any], pd.DataFrame], executor: Executor, store: RunStore, *,
            window: int, on_outcome: Callable[[Outcome], None] | None = None) -> tuple[int, int]:
    """Run every task through ``executor``, store results in ``store``; returns (succeeded, failed)."""
    pending: dict[Future, Task] = {}
    ok = failed = 0
    source = iter(tasks)
    exhausted = False
    try:
        while pending or not exhausted:
            while not exhausted and len(pending) < window:
                task = next(source, None)
                if task is None:
                    exhausted = True
                else:
                    pending[executor.submit(timed, fn, task)] = task
            if not pending:
                break
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                task = pending.pop(future)
                exc = future.exception()
                if isinstance(exc, BrokenExecutor):
                    raise SweepAbortedError(f"a worker process died ({error_line(exc)}); rerun with --resume") from exc
                if exc is None:
                    frame, seconds = future.result()
                    store.save(task.key, frame, task.labels(), seconds)
                    outcome = Outcome(task.key, True, seconds)
                    ok += 1
                else:
                    outcome = Outcome(task.key, False, None, error_line(exc))
                    store.fail(task.key, outcome.error or "", task.labels())
                    failed += 1
                if on_outcome is not None:
                    on_outcome(outcome)
    finally:
        for future in pending:
            future.cancel()
    return ok, failed
