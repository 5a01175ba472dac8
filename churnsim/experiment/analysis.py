"""Which strategy wins, by how much, and how sure are we: statistics over the tidy results table.

Plain functions over plain tables (the long table a sweep writes: one row per run,
provider and KPI), so each step can be run alone in a notebook:

* ``summarize``: mean and confidence interval of each KPI per strategy (and point): t-based, or
  a bootstrap of the mean for shares, which keeps the interval inside [0, 1];
* ``paired``: each strategy minus the baseline, replicate by replicate. The replicates of
  every strategy share seeds (common random numbers), so the difference is measured on the
  same simulated customers and its interval is far narrower than the two means' intervals;
* ``morris`` and ``sobol``: SALib's analyses of the mean KPI per design point.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from churnsim.world import metrics

LABELS = ("run", "point", "strategy", "replicate", "seed", "provider", "kpi", "value")
FEW = 5  # an interval from fewer replications is flagged: with so few, its width is itself a rough guess
BOOTSTRAP_SEED = 0  # the bootstrap is seeded, so the same results give the same intervals


class AnalysisError(ValueError):
    """The results cannot answer the question asked (missing points, unknown provider)."""


def parameter_columns(results: pd.DataFrame) -> list[str]:
    """The varied parameters: every column that is not a label."""
    return [c for c in results.columns if c not in LABELS]


def focus(results: pd.DataFrame, provider: str) -> pd.DataFrame:
    """The rows of one provider (or 'market')."""
    if provider not in set(results["provider"]):
        raise AnalysisError(f"provider {provider!r}: not in the results; found: "
                            f"{', '.join(dict.fromkeys(results['provider']))}")
    return results[results["provider"] == provider]


def _interval(mean: pd.Series, sd: pd.Series, n: pd.Series, confidence: float) -> tuple[pd.Series, pd.Series]:
    half = stats.t.ppf(0.5 + confidence / 2, (n - 1).where(n > 1)) * sd / np.sqrt(n)
    return mean - half, mean + half


def share_interval(values: np.ndarray, confidence: float = 0.95) -> tuple[float, float]:
    """Percentile bootstrap interval of the mean: it lies within the values, so a share's stays inside [0, 1].

    A t-interval is symmetric and runs below 0 for a small share measured a few times.
    """
    if len(values) < 2:
        return np.nan, np.nan
    if np.ptp(values) == 0:
        return float(values[0]), float(values[0])
    res = stats.bootstrap((values,), np.mean, confidence_level=confidence, method="percentile",
                          rng=np.random.default_rng(BOOTSTRAP_SEED))
    return float(res.confidence_interval.low), float(res.confidence_interval.high)


def summarize(results: pd.DataFrame, by: Sequence[str] = ("point",), confidence: float = 0.95) -> pd.DataFrame:
    """Mean, standard deviation and confidence interval of every KPI per strategy (and ``by``).

    ``few`` marks the rows whose interval comes from fewer than ``FEW`` replications.
    """
    keys = [*by, "strategy", "kpi"]
    g = results.groupby(keys, sort=False)["value"]
    out = g.agg(n="count", mean="mean", sd="std").reset_index()
    out["ci_low"], out["ci_high"] = _interval(out["mean"], out["sd"], out["n"], confidence)
    shares = out["kpi"].isin(metrics.SHARES).to_numpy()
    if shares.any():
        bounds = [share_interval(v.to_numpy(float), confidence) for key, v in g if key[-1] in metrics.SHARES]
        out.loc[shares, ["ci_low", "ci_high"]] = bounds
    out["few"] = out["n"] < FEW
    return out


def paired(results: pd.DataFrame, baseline: str, by: Sequence[str] = ("point",),
           confidence: float = 0.95) -> pd.DataFrame:
    """Each strategy minus the baseline on the same seeds: mean difference, its interval and p-value.

    Runs pair on every label they share (scenario, design point, replicate, provider, KPI); ``by``
    says which of them stay apart in the answer, the rest are pooled. A share's difference gets a
    bootstrap interval, which stays within the differences seen, so inside [-1, 1].
    """
    if baseline not in set(results["strategy"]):
        raise AnalysisError(f"baseline {baseline!r}: not a strategy in the results; found: "
                            f"{', '.join(dict.fromkeys(results['strategy']))}")
    match = [c for c in ("scenario", "point") if c in results.columns] + ["replicate", "provider", "kpi"]
    base = results.loc[results["strategy"] == baseline, [*match, "value"]].rename(columns={"value": "base"})
    pairs = results[results["strategy"] != baseline].merge(base, on=match, how="inner")
    pairs["diff"] = pairs["value"] - pairs["base"]
    keys = [*by, "strategy", "kpi"]
    g = pairs.groupby(keys, sort=False)
    out = g.agg(n=("diff", "count"), baseline_mean=("base", "mean"), mean=("value", "mean"),
                diff=("diff", "mean"), sd=("diff", "std")).reset_index()
    out["ci_low"], out["ci_high"] = _interval(out["diff"], out["sd"], out["n"], confidence)
    shares = out["kpi"].isin(metrics.SHARES).to_numpy()
    if shares.any():
        bounds = [share_interval(v.to_numpy(float), confidence) for key, v in g["diff"] if key[-1] in metrics.SHARES]
        out.loc[shares, ["ci_low", "ci_high"]] = bounds
    out["relative"] = out["diff"] / out["baseline_mean"].abs().where(out["baseline_mean"] != 0)
    t = out["diff"] / (out["sd"] / np.sqrt(out["n"]))
    p = 2 * stats.t.sf(t.abs(), (out["n"] - 1).where(out["n"] > 1))
    out["p_value"] = np.where(out["sd"] == 0, np.where(out["diff"] == 0, 1.0, 0.0), p)
    out["few"] = out["n"] < FEW
    return out.drop(columns="sd")


def point_means(results: pd.DataFrame, points: int) -> pd.DataFrame:
    """Mean KPI per design point (over replicates), one column per (strategy, kpi), in point order.

    Sensitivity analysis needs every point: a missing one is an error, not a silent gap.
    """
    table = results.pivot_table(index="point", columns=["strategy", "kpi"], values="value", aggfunc="mean")
    missing = sorted(set(range(points)) - set(table.index))
    if missing or table.isna().any().any():
        count = len(missing) or int(table.isna().any(axis=1).sum())
        raise AnalysisError(f"{count} of {points} design points have no result (failed or unfinished runs); "
                            "finish them with `churnsim sweep EXPERIMENT --resume` first")
    return table.sort_index()


def morris(results: pd.DataFrame, design: pd.DataFrame, problem: dict, levels: int, seed: int,
           confidence: float = 0.95) -> pd.DataFrame:
    """Morris mu* (overall influence), sigma (interaction or non-linearity) and mu* interval per parameter."""
    from SALib.analyze import morris as salib_morris

    x = design[problem["names"]].to_numpy(dtype=float)
    rows = []
    for (strategy, kpi), y in point_means(results, len(design)).items():
        res = salib_morris.analyze(problem, x, y.to_numpy(), num_levels=levels, conf_level=confidence, seed=seed)
        for i, name in enumerate(problem["names"]):
            rows.append({"strategy": strategy, "kpi": kpi, "parameter": name, "mu": res["mu"][i],
                         "mu_star": res["mu_star"][i], "sigma": res["sigma"][i],
                         "mu_star_conf": res["mu_star_conf"][i]})
    return pd.DataFrame(rows)


def sobol(results: pd.DataFrame, design: pd.DataFrame, problem: dict, seed: int,
          confidence: float = 0.95) -> pd.DataFrame:
    """Sobol first-order (S1) and total-order (ST) indices with bootstrap intervals per parameter."""
    from SALib.analyze import sobol as salib_sobol

    rows = []
    for (strategy, kpi), y in point_means(results, len(design)).items():
        values = y.to_numpy()
        if np.ptp(values) == 0:
            raise AnalysisError(f"{kpi} ({strategy}) does not vary over the design: no variance to apportion")
        res = salib_sobol.analyze(problem, values, calc_second_order=False, conf_level=confidence, seed=seed)
        for i, name in enumerate(problem["names"]):
            rows.append({"strategy": strategy, "kpi": kpi, "parameter": name, "S1": res["S1"][i],
                         "S1_conf": res["S1_conf"][i], "ST": res["ST"][i], "ST_conf": res["ST_conf"][i]})
    return pd.DataFrame(rows)
