"""From an experiment to its runs: every (replicate, design point, strategy), keyed and seeded.

The plan is a generator, so a sweep of 100,000 runs never holds them all: it is walked
once to count what is missing, once to submit, and once to compact, always in the same
order. A run's key is a hash of everything that makes its result what it is (base
scenario, parameter values, strategy, replicate and seed, months, customers, engine), so
the same run is never stored twice and a changed experiment never reuses a stale result.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from churnsim.engines import Engine
from churnsim.experiment.design import applied, sample
from churnsim.experiment.seeds import design_seed, run_seed
from churnsim.experiment.spec import Arm, LoadedExperiment, Value, assignment


@dataclass(frozen=True)
class Run:
    """One simulation of the sweep: what to run, and the labels its result rows carry."""

    key: str
    point: int
    strategy: str
    replicate: int
    seed: int
    params: dict[str, Value]
    scenario: dict[str, Any] = field(repr=False)
    sets: tuple[str, ...]
    strategies: tuple[str, ...]
    months: int | None
    customers: int | None
    engine: Engine
    kpis: tuple[str, ...]

    def labels(self) -> dict[str, Any]:
        """What the ledger records beside the key."""
        return {"point": self.point, "strategy": self.strategy, "replicate": self.replicate, "seed": self.seed}


def design_points(loaded: LoadedExperiment, entropy: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The raw design (what SALib analyses) and the applied values (what the model is given)."""
    exp = loaded.experiment
    raw = sample(exp.design, exp.parameters, design_seed(entropy))
    return raw, applied(exp.design, exp.parameters, raw)


def count(loaded: LoadedExperiment, points: pd.DataFrame) -> int:
    return len(points) * len(loaded.experiment.strategies) * loaded.experiment.replications


def runs(loaded: LoadedExperiment, points: pd.DataFrame, entropy: int) -> Iterator[Run]:
    """Every run, replicate by replicate, so a sweep stopped early has all points and strategies alike."""
    exp = loaded.experiment
    records = [{k: _plain(v) for k, v in row.items()} for row in points.to_dict("records")]
    for replicate in range(exp.replications):
        seed = run_seed(entropy, replicate)
        for point, params in enumerate(records):
            for arm in exp.strategies:
                yield _run(loaded, point, params, arm, replicate, seed)


def _run(loaded: LoadedExperiment, point: int, params: dict[str, Value], arm: Arm, replicate: int,
         seed: int) -> Run:
    exp = loaded.experiment
    sets = tuple(assignment(p, v) for p, v in params.items()) + tuple(arm.assignments())
    identity = {"scenario": loaded.base_hash, "params": params, "strategy": arm.name, "sets": sets,
                "strategies": arm.flags(), "replicate": replicate, "seed": seed, "months": exp.months,
                "customers": exp.customers, "engine": exp.engine, "kpis": exp.kpis}
    key = hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()[:20]
    return Run(key=key, point=point, strategy=arm.name, replicate=replicate, seed=seed, params=params,
               scenario=loaded.base, sets=sets, strategies=tuple(arm.flags()), months=exp.months,
               customers=exp.customers, engine=exp.engine, kpis=exp.kpis)


def _plain(value: Any) -> Value:
    """numpy scalars as Python values, so keys and JSON never depend on numpy's types."""
    return value.item() if isinstance(value, np.generic) else value
