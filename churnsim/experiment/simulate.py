"""The model as a function: parameters and a random source in, KPIs out, no global state.

``simulate`` is what EMA Workbench, a notebook or any exploratory-modelling tool calls;
``evaluate`` is what a sweep's worker calls for one planned run. Both go through
``churnsim.run``, so a sweep, the CLI and a notebook share one path.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from churnsim.engines import Engine
from churnsim.experiment.plan import Run
from churnsim.experiment.spec import assignment
from churnsim.schema.params import Scenario

RandomSource = int | np.integer | np.random.SeedSequence | np.random.Generator


def seed_of(rng: RandomSource) -> int:
    """An integer seed from any numpy random source (a Generator gives up one draw)."""
    if isinstance(rng, np.random.Generator):
        return int(rng.integers(0, 2**63 - 1))
    if isinstance(rng, np.random.SeedSequence):
        high, low = rng.generate_state(2, np.uint32)
        return ((int(high) << 32) | int(low)) >> 1
    if isinstance(rng, int | np.integer) and not isinstance(rng, bool) and rng >= 0:
        return int(rng)
    raise TypeError(f"rng must be a non-negative int, a SeedSequence or a Generator, not {rng!r}")


def strategy_flags(strategies: Mapping[str, str | Sequence[str]] | Sequence[str]) -> list[str]:
    """``{"A": "low-effort"}`` or ``["A=low-effort"]`` as ``--strategy`` flags."""
    if isinstance(strategies, Mapping):
        return [f"{p}={s}" for p, names in strategies.items()
                for s in ([names] if isinstance(names, str) else names)]
    return list(strategies)


def simulate_kpis(scenario: str | Path | Scenario | dict | None = None, *, rng: RandomSource,
                  months: int | None = None, customers: int | None = None,
                  strategies: Mapping[str, str | Sequence[str]] | Sequence[str] = (), engine: Engine = "auto",
                  **params: Any) -> dict[str, dict[str, float]]:
    """KPIs per provider and for the market; see ``simulate`` for the arguments."""
    sets = [assignment(path.replace("__", "."), value.item() if isinstance(value, np.generic) else value)
            for path, value in params.items()]
    return _kpis(scenario, seed_of(rng), months, customers, sets, strategy_flags(strategies), engine)


def _kpis(scenario: str | Path | Scenario | dict | None, seed: int, months: int | None, customers: int | None,
          sets: Sequence[str], flags: Sequence[str], engine: Engine) -> dict[str, dict[str, float]]:
    from churnsim.runner import run

    result = run(scenario, seed=seed, months=months, customers=customers, sets=list(sets), strategies=list(flags),
                 engine=engine)
    return result.summary["kpis"]


def simulate(scenario: str | Path | Scenario | dict | None = None, *, rng: RandomSource,
             months: int | None = None, customers: int | None = None,
             strategies: Mapping[str, str | Sequence[str]] | Sequence[str] = (), engine: Engine = "auto",
             **params: Any) -> dict[str, float]:
    """Run the model once and return its KPIs as a flat dict: ``{"A.annual_churn": 0.12, ...}``.

    ``params`` are scenario parameters by dotted path (pass ``**{"word_of_mouth.reach_bad": 10}``)
    or with ``__`` for the dots (``word_of_mouth__reach_bad=10``), so a tool that only speaks
    keyword names can set any of them. ``rng`` is required: the result is a function of the
    arguments alone, which is what EMA Workbench's replications (``{"rng": seed}``) need.
    """
    kpis = simulate_kpis(scenario, rng=rng, months=months, customers=customers, strategies=strategies,
                         engine=engine, **params)
    return {f"{provider}.{name}": float(value) for provider, values in kpis.items() for name, value in values.items()}


def evaluate(run: Run) -> pd.DataFrame:
    """One planned run as tidy rows: labels, parameter values, then provider, KPI and value."""
    kpis = _kpis(run.scenario, run.seed, run.months, run.customers, run.sets, run.strategies, run.engine)
    rows = [(provider, kpi, float(values[kpi])) for provider, values in kpis.items() for kpi in run.kpis]
    frame = pd.DataFrame(rows, columns=["provider", "kpi", "value"])
    labels = {"run": run.key, "point": run.point, "strategy": run.strategy, "replicate": run.replicate,
              "seed": run.seed, **run.params}
    for i, (name, value) in enumerate(labels.items()):
        frame.insert(i, name, value)
    return frame
