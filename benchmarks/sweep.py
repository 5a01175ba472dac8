"""Benchmarks of the experiment runner; prints figures, asserts nothing.

    python benchmarks/sweep.py                 # overhead, speed-up, memory
    python benchmarks/sweep.py --large         # also the 1,000-run sweep of 10k customers x 60 months

* overhead: the runner's cost per run beyond the simulation itself (target < 50 ms), from a
  sweep of tiny runs on one worker against the same runs evaluated in a plain loop;
* speed-up: the same sweep of real-sized runs on 2 workers against 1 (target >= 1.7 on 2 cores);
* memory: the driver's resident memory as a long sweep goes on (it should stay flat);
* large: wall time of 1,000 runs of 10,000 customers x 60 months (target: minutes).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import psutil
from results import recorded

from churnsim.experiment import executors, plan, spec
from churnsim.experiment.simulate import evaluate
from churnsim.experiment.sweep import sweep


def experiment(runs: int, customers: int, months: int, engine: str = "auto") -> spec.LoadedExperiment:
    return spec.validate({"name": "bench", "scenario": "electricity", "seed": 1, "replications": runs,
                          "customers": customers, "months": months, "engine": engine,
                          "kpis": ["annual_churn", "profit"]})


def busy() -> str:
    """Other processes' load matters on a shared 2-core machine: print it beside every figure."""
    return f"load average {os.getloadavg()[0]:.2f} before"


def timed_sweep(loaded: spec.LoadedExperiment, workers: int, on_outcome=None) -> tuple[float, float, float]:
    """Wall seconds of a whole sweep, of starting its workers (processes and imports) alone, and driver CPU."""
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        with executors.backend(workers) as found:
            for warm in [found.executor.submit(exec, "import churnsim.runner") for _ in range(workers)]:
                warm.result()
            startup = time.perf_counter() - start
            cpu = time.process_time()
            report = sweep(loaded, Path(folder) / "out", executor=found.executor, slots=found.slots,
                           on_outcome=on_outcome)
            cpu = time.process_time() - cpu
        assert report.failed == 0 and report.stored_runs == report.total
        return time.perf_counter() - start, startup, cpu


def overhead(runs: int) -> None:
    loaded = experiment(runs, customers=10, months=1)
    _, points = plan.design_points(loaded, 1)
    todo = list(plan.runs(loaded, points, 1))
    evaluate(todo[0])  # imports and caches, as a worker's first run does
    print(f"overhead: {runs} runs of 10 customers x 1 month on 1 worker ({busy()})")
    start = time.perf_counter()
    for run in todo:
        evaluate(run)
    bare = (time.perf_counter() - start) / runs
    wall, startup, cpu = timed_sweep(loaded, workers=1)
    per_run = (wall - startup) / runs
    print(f"  simulation alone        {bare * 1000:7.1f} ms per run")
    print(f"  through the sweep       {per_run * 1000:7.1f} ms per run (pool start-up {startup:.1f} s excluded)")
    print(f"  runner overhead         {(per_run - bare) * 1000:7.1f} ms per run (target < 50 ms)")
    print(f"  driver CPU              {cpu / runs * 1000:7.1f} ms per run (plan, store, ledger, compaction)")


def speedup(runs: int, customers: int, months: int) -> None:
    loaded = experiment(runs, customers=customers, months=months)
    print(f"speed-up: {runs} runs of {customers:,} customers x {months} months (engine auto; {busy()})")
    one, _, _ = timed_sweep(loaded, workers=1)
    two, _, _ = timed_sweep(loaded, workers=2)
    print(f"  1 worker {one:6.1f} s, 2 workers {two:6.1f} s: {one / two:.2f}x "
          f"(target >= 1.7 on {os.cpu_count()} cores)")


def memory(runs: int) -> None:
    loaded = experiment(runs, customers=10, months=1)
    me = psutil.Process()
    samples: list[float] = []
    wall, _, _ = timed_sweep(loaded, workers=2, on_outcome=lambda _: samples.append(me.memory_info().rss / 2**20))
    marks = [samples[int(f * (len(samples) - 1))] for f in (0.1, 0.5, 1.0)]
    print(f"memory: driver resident memory during a {runs:,}-run sweep ({wall:.0f} s)")
    print(f"  after 10 % {marks[0]:.0f} MiB, 50 % {marks[1]:.0f} MiB, 100 % {marks[2]:.0f} MiB")


def large(runs: int) -> None:
    loaded = experiment(runs, customers=10_000, months=60)
    print(f"large: {runs:,} runs of 10,000 customers x 60 months on 2 workers (engine auto; {busy()})")
    wall, startup, _ = timed_sweep(loaded, workers=2)
    print(f"  {wall:.0f} s = {wall / 60:.1f} min ({wall / runs * 1000:.0f} ms per run wall, "
          f"pool start-up {startup:.1f} s)")


def main() -> None:
    parser = argparse.ArgumentParser(description="Benchmarks of churnsim sweep; prints figures.")
    parser.add_argument("--overhead-runs", type=int, default=300)
    parser.add_argument("--speedup-runs", type=int, default=16)
    parser.add_argument("--speedup-customers", type=int, default=1000)
    parser.add_argument("--speedup-months", type=int, default=24)
    parser.add_argument("--memory-runs", type=int, default=3000)
    parser.add_argument("--large", action="store_true", help="also run the 1,000-run sweep of 10k x 60")
    parser.add_argument("--large-runs", type=int, default=1000)
    args = parser.parse_args()
    overhead(args.overhead_runs)
    speedup(args.speedup_runs, args.speedup_customers, args.speedup_months)
    memory(args.memory_runs)
    if args.large:
        large(args.large_runs)


if __name__ == "__main__":
    with recorded():
        main()
