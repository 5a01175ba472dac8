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


def test_intervals_of_shares_stay_inside_0_and_1_where_the_t_interval_does_not():
    churn = np.array([0.0, 0.0, 0.01, 0.0, 0.03, 0.0])
    row = analysis.summarize(tidy({"base": churn}, kpi="annual_churn")).iloc[0]
    t_low, _ = stats.t.interval(0.95, 5, loc=churn.mean(), scale=stats.sem(churn))
    assert t_low < 0 <= row["ci_low"] < churn.mean() < row["ci_high"] <= 1
    money = analysis.summarize(tidy({"base": churn}, kpi="profit")).iloc[0]
    assert money["ci_low"] == pytest.approx(t_low)  # other KPIs keep the t-interval


def test_the_share_interval_covers_the_true_share_about_as_often_as_it_claims():
    """Shares of 300 customers, 20 replications: 95 % intervals cover the true 2 % within 3 SE of 400 trials."""
    rng = np.random.default_rng(5)
    trials, truth = 400, 0.02
    covered = sum(lo <= truth <= hi for lo, hi in (analysis.share_interval(rng.binomial(300, truth, 20) / 300)
                                                   for _ in range(trials)))
    assert abs(covered / trials - 0.95) < 3 * np.sqrt(0.95 * 0.05 / trials) + 0.02  # percentile bootstrap: ~2 % low


def test_intervals_from_fewer_than_five_replications_are_flagged_in_the_table_and_csv():
    from churnsim.experiment.table import FEW_NOTE, _interval

    out = analysis.summarize(tidy({"base": np.arange(4.0), "more": np.arange(5.0)}))
    assert out.set_index("strategy")["few"].to_dict() == {"base": True, "more": False}
    paired = analysis.paired(tidy({"base": np.arange(4.0), "more": np.arange(4.0) ** 2}), "base")
    assert paired["few"].all()
    assert _interval(1.0, 2.0, True).endswith("]*") and _interval(1.0, 2.0, False).endswith("]")
    assert "fewer than 5 replications" in FEW_NOTE


def test_a_paired_difference_is_significant_exactly_when_its_interval_excludes_zero():
    rng = np.random.default_rng(7)
    for n in (2, 3, 5, 12):
        for _ in range(15):
            base = rng.normal(0, 1, n)
            out = analysis.paired(tidy({"base": base, "other": base + rng.normal(0.3, 1, n)}), "base").iloc[0]
            assert (out["p_value"] < 0.05) == (out["ci_low"] > 0 or out["ci_high"] < 0)
