"""Running ensembles of the real model, and the row every check reports.

Shared by the docking runs and the outcome checks, so that both seed, run and summarise the model
the same way: seeds derive from one master seed, runs are independent replications, and intervals
are Student-t over runs (a bootstrap for shares, which keeps them inside [0, 1]).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from churnsim.engines import Engine
from churnsim.schema.params import Scenario

CI_LEVEL = 0.95
# What a row can prove, in report order: docking (the code computes what the rules say), outcome (emergent
# regularities), calibration (a target the parameters were tuned to) and echo (an input measured back).
GROUPS = ("docking", "outcome", "calibration", "echo")
VERDICT_GROUPS = ("docking", "outcome", "calibration")  # echo rows are information only


def run_seeds(seed: int, runs: int) -> list[int]:
    """Independent seeds for an ensemble from one master seed (numpy SeedSequence), never hand-picked."""
    return [int(s) for s in np.random.SeedSequence(seed).generate_state(runs, dtype=np.uint32)]


def simulate(scenario: Scenario, seed: int, engine: Engine,
             observe: Callable[[Any, int], None] | None = None, record_events: bool = False) -> Any:
    """Run one model to the scenario's horizon, calling ``observe(model, month)`` after months 0..T."""
    from churnsim.engines import create_model

    model = create_model(scenario, rng=seed, engine=engine, record_events=record_events)
    if observe:
        observe(model, 0)
    for month in range(1, scenario.market.months + 1):
        model.step()
        if observe:
            observe(model, month)
    return model


def market_totals(model: Any, column: str) -> np.ndarray:
    """A timeseries column summed over providers, indexed by month."""
    return model.timeseries.groupby("month")[column].sum().to_numpy(dtype=float)


@dataclass
class Check:
    """One row of the validation table: what was expected, what was measured, and the verdict.

    ``group`` is one of GROUPS. An echo row re-measures a calibration input, so a verdict on it would
    claim evidence it cannot give: constructing one with a verdict is refused.
    """

    group: str
    name: str
    engine: Engine
    target: str
    measured: str
    accepted: str
    passed: bool | None  # None: reported for information, no verdict
    detail: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.group not in GROUPS:
            raise ValueError(f"check group {self.group!r}: must be one of {', '.join(GROUPS)}")
        if self.group == "echo" and self.passed is not None:
            raise ValueError(f"echo row {self.name!r} cannot carry a verdict: it re-measures an input")

    @property
    def verdict(self) -> str:
        return "info" if self.passed is None else "pass" if self.passed else "FAIL"


def _fmt(x: float, digits: int = 3) -> str:
    return f"{x:.{digits}f}"


def _pct(x: float, digits: int = 1) -> str:
    return f"{100 * x:.{digits}f} %"


def _share_ci(values: Sequence[float] | np.ndarray) -> tuple[float, float, float]:
    """Mean and bootstrap interval of per-run shares: unlike a t-interval it stays inside [0, 1]."""
    from churnsim.experiment.analysis import share_interval

    v = np.asarray(values, dtype=float)
    return float(v.mean()), *share_interval(v, CI_LEVEL)


def _ci_text(mean: float, low: float, high: float, runs: int, fmt: Callable[[float], str]) -> str:
    """A measurement with its interval, flagged when fewer than ``FEW`` runs make the interval a rough guess."""
    from churnsim.experiment.analysis import FEW

    return f"{fmt(mean)} [{fmt(low)}, {fmt(high)}]" + (f" (rough: {runs} runs)" if runs < FEW else "")


def meets(low: float, high: float, band_low: float, band_high: float, point: float) -> bool:
    """Pass when the interval shown reaches the accepted band, so a fail always shows an interval clear of it.

    Without an interval (one run), the point itself must lie in the band.
    """
    if math.isnan(low) or math.isnan(high):
        return band_low <= point <= band_high
    return high >= band_low and low <= band_high


def _t_ci(values: Sequence[float]) -> tuple[float, float, float]:
    """Mean and Student-t confidence interval of per-run values (runs are independent replications)."""
    from scipy import stats

    v = np.asarray(values, dtype=float)
    mean = float(v.mean())
    if len(v) < 2:
        return mean, float("nan"), float("nan")
    half = float(stats.t.ppf(0.5 + CI_LEVEL / 2, len(v) - 1) * v.std(ddof=1) / math.sqrt(len(v)))
    return mean, mean - half, mean + half

