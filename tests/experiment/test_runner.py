"""The generic runner: bounded in-flight work, failures logged without stopping, nothing of churn."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pandas as pd

from churnsim.experiment.execute import execute
from churnsim.experiment.store import RunStore


@dataclass(frozen=True)
class Job:
    key: str
    n: int

    def labels(self) -> dict:
        return {"n": self.n}


def square(job: Job) -> pd.DataFrame:
    if job.n % 7 == 3:
        raise ValueError(f"no luck with {job.n}")
    return pd.DataFrame({"key": [job.key], "square": [job.n**2]})


def test_failures_are_logged_and_the_rest_go_on_with_bounded_work_in_flight(tmp_path):
    drawn = completed = 0
    ahead = []
    lock = threading.Lock()

    def jobs():
        nonlocal drawn
        for n in range(200):
            with lock:
                drawn += 1
                ahead.append(drawn - completed)
            yield Job(f"k{n:04d}", n)

    def count(_outcome) -> None:
        nonlocal completed
        completed += 1

    store = RunStore(tmp_path)
    with store, ThreadPoolExecutor(4) as pool:
        ok, failed = execute(jobs(), square, pool, store, window=6, on_outcome=count)
    assert (ok, failed) == (171, 29)
    assert max(ahead) <= 6, "never more than the window of tasks drawn ahead of the results"
    ledger = list(store.ledger())
    errors = {e["key"]: e["error"] for e in ledger if e["status"] == "failed"}
    assert errors["k0003"] == "ValueError: no luck with 3"
    assert all(e["n"] == int(e["key"][1:]) for e in ledger)
    assert not store.done("k0003") and store.done("k0004")
    runs, rows = store.compact(f"k{n:04d}" for n in range(200))
    table = pd.read_parquet(store.results_path)
    assert (runs, rows, len(table)) == (171, 171, 171)
    assert table["key"].is_monotonic_increasing, "compaction keeps the plan's order"


def test_ledger_survives_a_line_cut_short(tmp_path):
    store = RunStore(tmp_path)
    with store:
        store.fail("a", "boom", {})
    with store.ledger_path.open("a") as fh:
        fh.write('{"status": "ok", "ke')
    assert [e["key"] for e in store.ledger()] == ["a"]
