"""Measure the targets on simulated customers the way the studies measured real ones.

A cohort table follows the customers who joined a provider in a window of months and
counts, one period after another, how many are still with it: a customer counts as long as
they stay with the provider they joined, without a break (a leaver who comes back is a new
customer, as in a firm's own books). The other targets are read off the monthly table.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from churnsim.calibration.targets import Cohort, Share, Targets
from churnsim.engines import Engine, create_model
from churnsim.schema.params import Scenario


class CohortTracker:
    """Follows one cohort month by month on the engine's provider and tenure columns."""

    def __init__(self, cohort: Cohort, scenario: Scenario) -> None:
        names = [p.name for p in scenario.providers]
        segments = [s.name for s in scenario.segments]
        self.cohort = cohort
        self.provider = names.index(cohort.provider) if cohort.provider is not None else None
        self.segment = segments.index(cohort.segment) if cohort.segment is not None else None
        self.members = np.zeros(0, np.int64)
        self.joined_at = np.zeros(0, np.int64)
        self.joined_to = np.zeros(0, np.int64)
        self.alive = np.zeros(0, bool)
        self.counts = np.zeros(cohort.last_period + 1, np.int64)

    def after_month(self, month: int, provider: np.ndarray, tenure: np.ndarray, segment: np.ndarray) -> None:
        """Update the cohort with the state at the end of ``month``: who is still there, who has just joined."""
        if len(self.members):
            idx = self.members
            age = month - self.joined_at
            self.alive &= (provider[idx] == self.joined_to) & (tenure[idx] == age)
            step = self.cohort.months_per_period
            due = (age % step == 0) & (age // step <= self.cohort.last_period)
            np.add.at(self.counts, age[due] // step, self.alive[due])
        first, last = self.cohort.joined
        if first <= month <= last:
            new = (tenure == 0) & (provider >= 0)  # tenure 0 at a month's end: joined in that month
            if self.provider is not None:
                new &= provider == self.provider
            if self.segment is not None:
                new &= segment == self.segment
            idx = np.flatnonzero(new)
            self.members = np.concatenate([self.members, idx])
            self.joined_at = np.concatenate([self.joined_at, np.full(len(idx), month)])
            self.joined_to = np.concatenate([self.joined_to, provider[idx].astype(np.int64)])
            self.alive = np.concatenate([self.alive, np.ones(len(idx), bool)])
            self.counts[0] += len(idx)

    def survival(self) -> np.ndarray:
        """Share of the cohort still there after 0, 1, ... periods (NaN for a cohort nobody joined)."""
        return self.counts / self.counts[0] if self.counts[0] else np.full(len(self.counts), np.nan)


@dataclass(frozen=True)
class Task:
    """One run of one candidate: everything a worker process needs, picklable."""

    scenario: Scenario
    seed: int
    targets: Targets
    engine: Engine


def layout(targets: Targets) -> list[tuple[str, int, int]]:
    """(name, start, stop) of each target's block in a measured vector: cohorts' survival, shares, cohort sizes."""
    blocks, at = [], 0
    for cohort in targets.cohorts:
        blocks.append((cohort.name, at, at + cohort.last_period + 1))
        at += cohort.last_period + 1
    for share in targets.shares:
        blocks.append((share.name, at, at + 1))
        at += 1
    blocks.append(("cohort sizes", at, at + len(targets.cohorts)))
    return blocks


def measure(task: Task) -> np.ndarray:
    """Run the scenario once and measure every target: the vector ``layout`` describes."""
    spec = task.scenario
    months = task.targets.horizon(spec.market.months)
    if months != spec.market.months:
        spec = spec.model_copy(update={"market": spec.market.model_copy(update={"months": months})})
    model = create_model(spec, rng=task.seed, engine=task.engine, threads=1)
    trackers = [CohortTracker(c, spec) for c in task.targets.cohorts]
    for month in range(1, months + 1):
        model.step()
        if trackers:
            provider = model.state_columns()[0]
            tenure = model.tenure_column()
            for tracker in trackers:
                tracker.after_month(month, provider, tenure, model.segment)
    ts = model.timeseries
    parts = [t.survival() for t in trackers]
    parts += [np.array([share_value(s, ts)]) for s in task.targets.shares]
    parts.append(np.array([t.counts[0] for t in trackers], float))
    return np.concatenate(parts) if parts else np.zeros(0)


def share_value(share: Share, ts: pd.DataFrame) -> float:
    """A share target measured on a run's monthly table (months 1 on: month 0 is the start)."""
    run = ts[ts["month"] >= 1]
    if share.provider != "market":
        mine = run[run["provider"] == share.provider]
    else:
        mine = run.groupby("month", sort=True).sum(numeric_only=True).reset_index()
    end = mine[mine["month"] == mine["month"].max()]
    if share.kind == "churn":
        return float(mine["churned"].sum() / max(mine["billed"].sum(), 1))
    if share.kind == "market_share":
        last = run[run["month"] == run["month"].max()]
        return float(end["customers"].sum() / max(last["customers"].sum(), 1))
    if share.measure == "considering":
        return float(mine["looking"].sum() / max(mine["customers"].sum(), 1))
    return float(end["embedded"].sum() / max(end["customers"].sum(), 1))
