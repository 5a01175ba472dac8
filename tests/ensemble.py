"""Small ensembles and their comparison with tolerances from the sample size."""

from __future__ import annotations

import numpy as np

import churnsim


def kpi_ensemble(scenario: str, sets: list[str], kpi: str, seeds: range, provider: str = "market",
                 engine: str = "vector", **overrides: int) -> np.ndarray:
    """One KPI per seed: the unit of every statistical test here."""
    return np.array([
        churnsim.run(scenario, seed=seed, sets=sets, engine=engine, **overrides).summary["kpis"][provider][kpi]
        for seed in seeds
    ])


def paired_effect(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """Mean paired difference b - a and its standard error (common random numbers: same seeds)."""
    diff = b - a
    return float(diff.mean()), float(diff.std(ddof=1) / np.sqrt(len(diff)))
