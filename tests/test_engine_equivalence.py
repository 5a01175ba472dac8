"""The vector engine is the agent engine, statistically: same scenario, same outputs' distribution.

For every built-in scenario, 30 seeds per engine (600 customers, 24 months after a 6-month
burn-in, independent seeds) give per provider the annual churn, the end-of-run shares of chosen, re-chosen and
embedded customers, the profit, and the run's total of every counted event (contacts,
high-effort contacts, customers starting to look around, good and bad news told and heard,
...). Each is compared with Welch's two-sample t-test.
Besides the built-in scenarios as they are, three variants reach the remaining code paths (an
open market with entry and exit, a downturn, price rises, rewards, spam and retention on a
random network; a fully mixed population; word of mouth loud enough to drive churn, where a
message's hazard charged to the wrong recipients shows), and loud word of mouth once more with the
vector engine's population cut into three shards, as a large population is. Level: Holm's step-down
correction over the comparisons of a case at 0.01 / (number of families), so the family-wise error
rate over all comparisons of this module is at most 0.01 (Bonferroni across families). A
deliberately mis-wired rule in the vector engine (good and bad news swapped, the ladder's resistance
dropped, bad news charged to customers of the other providers) makes this fail.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest
from scipy import stats

from churnsim.engines import create_model
from churnsim.schema.scenario import builtin_scenarios, load
from churnsim.world import metrics

SEEDS = 30
CUSTOMERS = 600
MONTHS = 24
BURN_IN = 6  # months before month 0: the burn-in's code path on both engines at a quarter of its default length
FAMILY_LEVEL = 0.01
KPIS = ("annual_churn", "share_chosen_end", "share_rechosen_end", "share_embedded_end", "share_looking_mean", "profit")
# each built-in scenario as it is, and variants that reach every remaining code path:
# an open market (prospects, entry, exit) in a downturn with price rises, loyalty rewards,
# spam and a retention desk on a random network; a fully mixed population; loud word of mouth
CASES: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    name: (name, (), ()) for name in sorted(builtin_scenarios())
} | {
    "electricity-open-market": (
        "electricity",
        ("market.prospect_share=0.2", "market.entry_rate=0.03", "market.exit_rate=0.01", "economy.enabled=true",
         "economy.downturn_month=6", "network.kind='random'"),
        ("A=price-rise-notice", "B=price-rise-no-notice", "B=digital-payment", "C=price-cut", "C=spam-offers",
         "D=loyalty-rewards", "D=retention-desk", "D=proactive-service"),
    ),
    "classroom-mixed": ("classroom", ("network.kind='mixed'",), ()),
    "mobile-loud-word-of-mouth": (
        "mobile", ("word_of_mouth.weight_bad=0.5", "word_of_mouth.weight_good=0.25", "word_of_mouth.referral_pull=5",
                   "market.prospect_share=0.2", "market.entry_rate=0.02", "word_of_mouth.referral_strength=0.2"), (),
    ),
}


FAMILIES = len(CASES) + 1  # every case, and loud word of mouth on shards
SHARDED = "mobile-loud-word-of-mouth"


def provider_kpis(case: str, engine: str, seed: int) -> dict[str, float]:
    """One run's KPIs, keyed 'provider:kpi'."""
    name, sets, strategies = CASES[case]
    scenario = load(name, sets=[*sets, f"market.burn_in={BURN_IN}"], strategies=strategies, customers=CUSTOMERS,
                    months=MONTHS).scenario
    model = create_model(scenario, rng=seed, engine=engine)
    for _ in range(MONTHS):
        model.step()
    summary = metrics.summarize(model.timeseries, scenario)
    events = model.timeseries.groupby("provider")[list(metrics.EVENTS)].sum()
    out = {f"{provider}:{kpi}": summary[provider][kpi] for provider in model.table.names for kpi in KPIS}
    out.update({f"{provider}:{event}": float(events.loc[provider, event]) for provider in model.table.names
                for event in metrics.EVENTS})
    return out


def ensemble(case: str, engine: str, seeds: range) -> dict[str, np.ndarray]:
    runs = [provider_kpis(case, engine, seed) for seed in seeds]
    return {key: np.array([run[key] for run in runs]) for key in runs[0]}


@functools.cache
def reference(case: str) -> dict[str, np.ndarray]:
    """The agent engine's ensemble of a case, run once for every comparison with it."""
    return ensemble(case, "agents", range(SEEDS))


def welch_p(a: np.ndarray, b: np.ndarray) -> float:
    """Two-sided Welch p-value; two constant samples agree exactly or not at all."""
    if a.std() == 0 and b.std() == 0:
        return 1.0 if a[0] == b[0] else 0.0
    return float(stats.ttest_ind(a, b, equal_var=False).pvalue)


def holm_rejected(pvalues: dict[str, float], level: float) -> list[str]:
    """Holm's step-down procedure: the hypotheses rejected at family-wise level `level`."""
    ordered = sorted(pvalues.items(), key=lambda item: item[1])
    rejected = []
    for rank, (key, p) in enumerate(ordered):
        if p > level / (len(ordered) - rank):
            break
        rejected.append(key)
    return rejected


def engine_differences(case: str) -> tuple[list[str], dict[str, tuple[float, float, float]]]:
    """KPIs on which the engines differ at the module's level, and every KPI's means and p-value."""
    agents = reference(case)
    vector = ensemble(case, "vector", range(SEEDS, 2 * SEEDS))
    pvalues = {key: welch_p(agents[key], vector[key]) for key in agents}
    table = {key: (float(agents[key].mean()), float(vector[key].mean()), pvalues[key]) for key in agents}
    return holm_rejected(pvalues, FAMILY_LEVEL / FAMILIES), table


def test_holm_steps_down_from_the_smallest_p_value() -> None:
    assert holm_rejected({"a": 0.001, "b": 0.004, "c": 0.5}, 0.01) == ["a", "b"]  # 0.004 <= 0.01 / 2
    assert holm_rejected({"c": 0.5, "b": 0.006, "a": 0.001}, 0.01) == ["a"]  # 0.006 > 0.01 / 2: stop
    assert holm_rejected({"a": 0.02, "b": 0.001}, 0.01) == ["b"]


@pytest.mark.slow
@pytest.mark.parametrize("case", [*CASES, "sharded"])
def test_engines_agree(case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    if case == "sharded":  # shards draw from their own streams and tell each other's customers
        monkeypatch.setattr("churnsim.vector.model.SHARD", CUSTOMERS // 3)
        case = SHARDED
        assert len(create_model(load(CASES[case][0], customers=CUSTOMERS).scenario, engine="vector").shards) == 3
    rejected, table = engine_differences(case)
    detail = "; ".join(f"{key}: agents {table[key][0]:.4g}, vector {table[key][1]:.4g}, p={table[key][2]:.2g}"
                       for key in rejected)
    assert not rejected, f"{case}: the engines differ on {detail}"
