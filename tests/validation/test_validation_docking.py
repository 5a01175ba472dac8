"""Docking: the real model, configured through scenarios, reduces to analytic models.

Each case runs an ensemble on both engines and compares its mean with the closed
form month by month. Tolerances are 4.5 standard errors derived from the number of runs and
customers (binomial where customers are independent; the linear-noise approximation of the
Bass map, or the observed run-to-run spread if larger, where word of mouth couples them),
plus, against a continuous-time closed form, the exact gap between that closed form and the
model's monthly analogue. Seeds come from ``numpy.random.SeedSequence``; the same checks
were run with 20 other master seeds on the vector engine without a failure (worst case
0.91 of the tolerance).

The vector engine makes the big ensembles cheap; the agent engine runs smaller ones (its
tolerances widen accordingly, since they are computed from the sample size).
"""

from __future__ import annotations

import pytest

from churnsim import validation as v
from churnsim.validation.docking import _bass_ensemble

ENGINES = ("agents", "vector")
# (runs, customers) per engine: the agent engine is about 50x slower per customer-month.
SIZES = {
    "agents": {"bass": (5, 800), "bass_churn": (4, 800), "ladder": (3, 1000), "sbg": (4, 1500)},
    "vector": {"bass": (16, 5000), "bass_churn": (16, 5000), "ladder": (16, 5000), "sbg": (16, 10000)},
}

pytestmark = pytest.mark.slow  # each docking case is an ensemble of runs (5-20 s)


def _assert_all_pass(checks: list[v.Check]) -> None:
    assert checks
    failed = [f"{c.name} [{c.engine}]: target {c.target}; measured {c.measured}; accepted if {c.accepted}"
              for c in checks if not c.passed]
    assert not failed, "\n".join(failed)


@pytest.mark.parametrize("engine", ENGINES)
def test_bass_diffusion_in_a_fully_mixed_population(engine: str) -> None:
    runs, customers = SIZES[engine]["bass"]
    checks = v.dock_bass(engine, runs, customers)
    _assert_all_pass(checks)
    monthly, closed = checks
    # the test has teeth: the tolerance is far below the signal (F climbs from 0 to ~1)
    assert monthly.detail["se"] * v.Z_TOLERANCE < 0.08
    assert closed.detail["extra"] < 0.08  # the stated discretisation gap of the monthly schedule


@pytest.mark.parametrize("engine", ENGINES)
def test_bass_with_churn_reaches_the_stationary_share(engine: str) -> None:
    runs, customers = SIZES[engine]["bass_churn"]
    checks = v.dock_bass_churn(engine, runs, customers)
    _assert_all_pass(checks)
    assert all(c.detail["tol"] < 0.04 for c in checks)  # F* = 0.81: a wrong d or q moves it by more


@pytest.mark.parametrize("engine", ENGINES)
def test_loyalty_ladder_is_the_markov_chain(engine: str) -> None:
    runs, customers = SIZES[engine]["ladder"]
    checks = v.dock_ladder(engine, runs, customers)
    _assert_all_pass(checks)
    lifetime = checks[-1]
    assert lifetime.detail["tol"] < 0.1 * lifetime.detail["target"]


@pytest.mark.parametrize("engine", ENGINES)
def test_beta_distributed_churn_gives_shifted_beta_geometric_retention(engine: str) -> None:
    runs, customers = SIZES[engine]["sbg"]
    (check,) = v.dock_sbg(engine, runs, customers)
    _assert_all_pass([check])
    assert check.detail["target_end"] < 0.5  # the curve falls far enough to discriminate


def test_docking_detects_a_wrong_model() -> None:
    """The comparison is not vacuous: a mis-specified target (p off by 20 %) is rejected."""
    engine = ENGINES[-1]
    runs, customers = SIZES[engine]["bass"]
    wrong = v.BassCase(p=0.012)  # the analytic side believes p = 0.012 ...
    shares = _bass_ensemble(v.BASS, engine, runs, customers, seed=1)  # ... the model runs p = 0.01
    noise = v.bass_noise(wrong.months, wrong.p, v.wom_q(0.5, 4.0, 0.05, customers), customers, 0.5, 4.0, 0.05)
    se = (noise.var[1:] / runs) ** 0.5
    assert (abs(shares.mean(axis=0)[1:] - noise.mean[1:]) > v.Z_TOLERANCE * se).any()


def test_docking_scenarios_are_ordinary_scenarios() -> None:
    """The cases go through the same loader and validation as a user's --set overrides."""
    scenario = v.docking_scenario(v.BASS.sets(), 100, 12)
    assert scenario.network.kind == "mixed"
    assert scenario.market.prospect_share == 1.0
    assert scenario.market.entry_rate == v.BASS.p
    assert not scenario.service.enabled and scenario.word_of_mouth.enabled
