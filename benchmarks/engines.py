"""Benchmark of the two engines on the default scenario with every mechanism on; prints, asserts nothing.

    python benchmarks/engines.py             # N = 1k, 10k, 100k, 1M (agents up to 100k), then 1M x 120 months
    python benchmarks/engines.py --large     # also 10M customers on the vector engine

"Every mechanism on" switches on each mechanism's ``enabled`` flag of the default scenario,
the economic downturn (from month 12) included; the last line repeats the 1M x 120 run on
the scenario as shipped, for comparison.

Each measurement runs in a fresh interpreter, so peak memory is the run's own:
* setup s: building the model (population, network, engine state, month-0 row), without the burn-in;
* burn-in s: the months the model runs before month 0 (``market.burn_in``, 24), timed apart;
* threads: the vector engine's shards (over half a million customers: one per 2**19) run on this
  many threads; every size runs on one, and 1M and 10M once more on every core (``churnsim run``'s
  default). The outputs are the same for any thread count;
* cust-months/s: customers x months / wall time of the months after set-up;
* B/customer: peak resident memory above the interpreter's baseline (after imports), per customer;
* collect %: share of the months' time spent recording the monthly table;
* wom %: share of the months' time the vector engine spends delivering word of mouth (one thread), and
  msgs/cust-month: messages told per customer and month. Months at 1M customers cannot run
  faster than customers x months / (time delivering them), whatever the rest costs;
* a month's time (1M customers and more, one thread): the share of each step of the vector engine's
  month; the rest is the month's glue (prices, tallies, charging messages to clocks).
The vector engine's targets: >= 30 M customer-months/s at 1M on one core; >= 50x the agent engine at
100k; 1M x 120 months end to end (network included) < 15 s; < 300 bytes a customer; 10M runs; collect < 5 %.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from collections.abc import Callable

from results import recorded

SCENARIO = "electricity"  # the default scenario
MECHANISMS = ("ladder", "phase_out", "service", "word_of_mouth", "payment", "offers", "rewards", "economy")
# the vector engine's steps of a month (none calls another), timed to show where a month goes
PHASES = {"_deliver": "word of mouth", "_sense": "sense", "_apply": "apply", "_looking_around": "looking around",
          "_ladder": "ladder", "_tellers": "tellers", "_run_clock": "clocks", "_heard_good": "good news heard",
          "_life_events": "life events", "_choose": "choice", "_record": "collect"}


def measure(engine: str, customers: int, months: int, every_mechanism: bool = True,
            threads: int = 1) -> dict[str, float]:
    """One run in this process: set-up and month timings, peak memory above the baseline."""
    from churnsim.engines import engine_class
    from churnsim.schema.scenario import load

    sets = [f"{name}.enabled=true" for name in MECHANISMS] if every_mechanism else []
    scenario = load(SCENARIO, sets=sets, customers=customers, months=months).scenario
    engine_model = engine_class(engine, customers)  # imports the engine (and Mesa) before the baseline
    burn = {"burn_in": 0.0}
    engine_model.burn_in = timed(engine_model.burn_in, burn, "burn_in")  # this process's class only
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    start = time.perf_counter()
    model = engine_model(scenario, rng=1, threads=threads)
    setup = time.perf_counter() - start - burn["burn_in"]
    spent = dict.fromkeys(PHASES, 0.0)  # the agent engine has only _record: its customers tell inline
    for name in spent:
        if hasattr(model, name):
            setattr(model, name, timed(getattr(model, name), spent, name))
    start = time.perf_counter()
    for _ in range(months):
        model.step()
    run = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    messages = model.timeseries[["wom_bad_reached", "wom_good_reached"]].to_numpy().sum()
    return {"setup": setup, "burn_in": burn["burn_in"], "run": run, "rate": customers * months / run,
            "bytes": (peak - baseline) / customers, "collect": spent["_record"] / run, "wom": spent["_deliver"] / run,
            "messages": messages / (customers * months), "total": setup + burn["burn_in"] + run,
            "phases": {PHASES[name]: seconds / run for name, seconds in spent.items()}}


def timed[R](method: Callable[..., R], spent: dict[str, float], name: str) -> Callable[..., R]:
    """``method``, adding its wall time to ``spent[name]``."""

    def wrapper(*args: object) -> R:
        t = time.perf_counter()
        result = method(*args)
        spent[name] += time.perf_counter() - t
        return result

    return wrapper


def isolated(engine: str, customers: int, months: int, every_mechanism: bool = True,
             threads: int = 1) -> dict[str, float]:
    """``measure`` in a fresh interpreter."""
    out = subprocess.run([sys.executable, __file__, "--one", engine, str(customers), str(months),
                          str(int(every_mechanism)), str(threads)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def months_for(engine: str, customers: int) -> int:
    """Enough months for a stable rate, few enough for the agent engine at 100k."""
    if engine == "agents":
        return max(3, min(24, 500_000 // customers))
    return max(12, min(60, 50_000_000 // customers))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--large", action="store_true", help="also run 10M customers on the vector engine")
    parser.add_argument("--one", nargs=5, metavar=("ENGINE", "CUSTOMERS", "MONTHS", "EVERY", "THREADS"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        engine, customers, months, every, threads = args.one
        print(json.dumps(measure(engine, int(customers), int(months), every == "1", int(threads))))
        return
    with recorded():
        compare(args.large)


def compare(large: bool) -> None:
    """Every size on each engine, each in a fresh interpreter, then the 1M x 120 months runs."""
    from churnsim.engines import available_cores

    cores = available_cores()
    print(f"scenario {SCENARIO}, mechanisms on: {', '.join(MECHANISMS)}; {cores} cores")
    print(f"{'engine':<8}{'customers':>12}{'months':>8}{'threads':>9}{'setup s':>10}{'burn-in s':>11}"
          f"{'cust-months/s':>16}{'B/customer':>12}{'collect %':>11}{'wom %':>8}{'msgs/cust-month':>17}")
    rates: dict[tuple[str, int], float] = {}
    wom_share: dict[tuple[str, int], float] = {}
    phases: dict[int, dict[str, float]] = {}
    sizes = [1_000, 10_000, 100_000, 1_000_000] + ([10_000_000] if large else [])
    for customers in sizes:
        for engine, threads in (("agents", 1), ("vector", 1), ("vector", cores)):
            if (engine == "agents" and customers > 100_000) or (threads > 1 and customers < 1_000_000):
                continue
            months = months_for(engine, customers)
            r = isolated(engine, customers, months, threads=threads)
            if threads == 1:
                rates[engine, customers] = r["rate"]
                wom_share[engine, customers] = r["wom"]
                if engine == "vector" and customers >= 1_000_000:
                    phases[customers] = r["phases"]
            wom = f"{100 * r['wom']:>7.0f}%" if threads == 1 else f"{'-':>8}"
            print(f"{engine:<8}{customers:>12,}{months:>8}{threads:>9}{r['setup']:>10.2f}{r['burn_in']:>11.2f}"
                  f"{r['rate']:>16,.0f}{r['bytes']:>12.0f}{100 * r['collect']:>10.1f}%{wom}{r['messages']:>17.2f}",
                  flush=True)
    for customers in sizes:
        if ("agents", customers) in rates:
            print(f"vector / agents at {customers:,}: {rates['vector', customers] / rates['agents', customers]:.0f}x")
    for customers in sizes:
        if wom_share["vector", customers] > 0:
            print(f"vector at {customers:,}: word of mouth alone caps the rate at "
                  f"{rates['vector', customers] / wom_share['vector', customers]:,.0f} customer-months/s")
    for customers, shares in phases.items():
        steps = ", ".join(f"{label} {100 * share:.0f} %" for label, share in
                          sorted(shares.items(), key=lambda item: -item[1]) if share >= 0.005)
        print(f"vector at {customers:,}, one thread, a month's time: {steps}, "
              f"the rest {100 * (1 - sum(shares.values())):.0f} %")
    for every_mechanism, label in ((True, "every mechanism on"), (False, f"{SCENARIO} as shipped, no downturn")):
        for threads in sorted({1, cores}):
            r = isolated("vector", 1_000_000, 120, every_mechanism, threads)
            print(f"vector 1,000,000 x 120 months end to end, network and burn-in included ({label}, {threads} "
                  f"thread{'s' if threads > 1 else ''}): {r['total']:.1f} s (set-up {r['setup']:.1f} s, burn-in "
                  f"{r['burn_in']:.1f} s, {r['rate']:,.0f} customer-months/s, {r['bytes']:.0f} B/customer)", flush=True)


if __name__ == "__main__":
    main()
