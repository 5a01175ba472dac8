"""Tiny experiments for the sweep tests: a 60-customer market for a few months, a handful of runs."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from churnsim.experiment import executors, spec
from churnsim.experiment.sweep import SweepReport, sweep

TINY = """
name = "tiny"
scenario = "electricity"
seed = 42
replications = 3
customers = 60
months = 4
kpis = ["annual_churn", "profit"]
provider = "A"
baseline = "status-quo"

[parameters]
"word_of_mouth.reach_bad" = [3, 10]

[strategies.status-quo]

[strategies.low-effort]
A = "low-effort"
"""


def write(folder: Path, text: str, name: str = "exp.toml") -> Path:
    path = folder / name
    path.write_text(text)
    return path


def run_sweep(folder: Path, text: str = TINY, workers: int = 1, **kwargs) -> SweepReport:
    """A whole sweep of an experiment text on a local pool."""
    loaded = spec.load(write(folder, text))
    with executors.backend(workers) as found:
        return sweep(loaded, folder / "out", executor=found.executor, slots=found.slots, **kwargs)


def results(folder: Path) -> pd.DataFrame:
    return pd.read_parquet(folder / "results.parquet")
