"""The statistics on data whose answer is known."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from churnsim.experiment import analysis, design
from churnsim.experiment.spec import Design, Parameter


def tidy(values: dict[str, np.ndarray], kpi: str = "churn") -> pd.DataFrame:
    """A results table: one point, one value per replicate for each strategy."""
    rows = [{"run": f"{s}{r}", "point": 0, "strategy": s, "replicate": r, "seed": r, "provider": "A", "kpi": kpi,
             "value": float(v)} for s, vs in values.items() for r, v in enumerate(vs)]
    return pd.DataFrame(rows)


def test_mean_and_confidence_interval_are_the_t_interval():
    rng = np.random.default_rng(1)
    base = rng.normal(10, 2, 15)
    out = analysis.summarize(tidy({"base": base}))
    low, high = stats.t.interval(0.95, 14, loc=base.mean(), scale=stats.sem(base))
    row = out.iloc[0]
    assert (row["n"], row["mean"]) == (15, pytest.approx(base.mean()))
    assert (row["ci_low"], row["ci_high"]) == (pytest.approx(low), pytest.approx(high))


def test_paired_comparison_sees_a_small_effect_through_large_shared_noise():
    rng = np.random.default_rng(2)
    shared = rng.normal(0, 5, 20)  # the seed's luck, common to both strategies
    base = 10 + shared
    better = base - 0.5 + rng.normal(0, 0.1, 20)
    out = analysis.paired(tidy({"base": base, "better": better}), "base").iloc[0]
    assert out["strategy"] == "better" and out["n"] == 20
    assert out["diff"] == pytest.approx((better - base).mean())
    assert out["ci_high"] < 0, "the paired interval excludes zero"
    assert out["p_value"] == pytest.approx(stats.ttest_rel(better, base).pvalue)
    assert out["relative"] == pytest.approx((better - base).mean() / base.mean())
    unpaired = analysis.summarize(tidy({"base": base, "better": better}))
    assert (unpaired["ci_high"] - unpaired["ci_low"]).min() > 5 * (out["ci_high"] - out["ci_low"])
    with pytest.raises(analysis.AnalysisError, match="baseline 'nobody'"):
        analysis.paired(tidy({"base": base}), "nobody")


def sensitivity_table(kind: str, samples: int, f) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    params = (Parameter(path="x1", low=0.0, high=1.0), Parameter(path="x2", low=0.0, high=1.0),
              Parameter(path="x3", low=0.0, high=1.0))
    raw = design.sample(Design(kind=kind, samples=samples), params, seed=3)
    y = f(raw.to_numpy())
    rows = pd.DataFrame({"run": range(len(y)), "point": range(len(y)), "strategy": "s", "replicate": 0, "seed": 0,
                         "provider": "market", "kpi": "y", "value": y})
    return rows, raw, design.problem(params)


def test_morris_ranks_a_linear_function_exactly():
    rows, raw, problem = sensitivity_table("morris", 20, lambda x: 3 * x[:, 0] + 0.5 * x[:, 1])
    assert len(raw) == 20 * 4
    out = analysis.morris(rows, raw, problem, levels=4, seed=1).set_index("parameter")
    assert out.loc["x1", "mu_star"] == pytest.approx(3)
    assert out.loc["x2", "mu_star"] == pytest.approx(0.5)
    assert out.loc["x3", "mu_star"] == pytest.approx(0)
    assert out["sigma"].max() == pytest.approx(0, abs=1e-9), "no interactions in a linear function"


def test_sobol_indices_of_an_additive_function_match_the_variance_shares():
    rows, raw, problem = sensitivity_table("sobol", 1024, lambda x: x[:, 0] + 2 * x[:, 1])
    assert len(raw) == 1024 * 5
    out = analysis.sobol(rows, raw, problem, seed=1).set_index("parameter")
    assert out.loc["x1", "S1"] == pytest.approx(0.2, abs=0.03)
    assert out.loc["x2", "S1"] == pytest.approx(0.8, abs=0.03)
    assert out.loc["x3", "ST"] == pytest.approx(0, abs=0.01)
    assert (out.loc[["x1", "x2"], "S1_conf"] > 0).all()


def test_sensitivity_refuses_a_design_with_missing_points():
    rows, raw, problem = sensitivity_table("morris", 4, lambda x: x[:, 0])
    with pytest.raises(analysis.AnalysisError, match="1 of 16 design points have no result"):
        analysis.morris(rows[rows["point"] != 5], raw, problem, levels=4, seed=1)
