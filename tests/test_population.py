"""The month-0 population (``population.sample_population``): the shares and distributions the scenario asks for.

One large draw (N customers) per scenario, fixed seed; every statistical check allows 4 standard
errors of its own sample size (binomial for shares, sd / sqrt(n) for means), so a check fails for a
wrong share or moment, not for an unlucky seed.
"""

import math

import numpy as np
import pytest

from churnsim.schema.params import CHANNELS, Scenario
from churnsim.world.population import INITIAL_TENURE_MAX, PROSPECT, Population, sample_population

N = 100_000
Z = 4.0

MIX_HUNTERS = {"paper": 0.1, "e_invoice": 0.2, "direct_debit": 0.3, "mobile": 0.4}
SCENARIO = Scenario.model_validate({
    "market": {"prospect_share": 0.2},
    "segments": [
        {"name": "hunters", "share": 0.25, "price_sensitivity": {"mean": 1.5, "sd": 0.3},
         "expectation": {"mean": -0.5, "sd": 0.4}, "effort_tolerance": {"mean": 1.0, "sd": 0.2},
         "prefers_human": 0.3, "payment_mix": MIX_HUNTERS, "baseline_churn": {"alpha": 2.0, "beta": 198.0}},
        {"name": "loyal", "share": 0.75, "price_sensitivity": {"mean": 0.8, "sd": 0.1},
         "expectation": {"mean": 0.2, "sd": 0.0}, "effort_tolerance": {"mean": 1.5, "sd": 0.3},
         "prefers_human": 0.7, "payment_mix": {"paper": 1.0, "e_invoice": 3.0},  # not normalised: 1 in 4 on paper
         "baseline_churn": {"alpha": 1.0, "beta": 49.0}},
    ],
    "ladder": {"initial_shares": [0.5, 0.3, 0.2]},
    "phase_out": {"initial_looking": 0.1},
    "providers": [
        {"name": "A", "share": 0.5, "levers": {"binding_uptake": 0.4, "binding_months": 12, "bundle_share": 0.25}},
        {"name": "B", "share": 0.3, "levers": {"binding_uptake": 0.0, "bundle_share": 0.0}},
        {"name": "C", "share": 0.2, "levers": {"binding_uptake": 1.0, "binding_months": 6, "bundle_share": 0.5}},
    ],
})


def _draw(scenario: Scenario = SCENARIO, n: int = N, seed: int = 11) -> Population:
    return sample_population(scenario, n, np.random.default_rng(seed))


@pytest.fixture(scope="module")
def population() -> Population:
    return _draw()


def assert_share(flags: np.ndarray, p: float) -> None:
    """The share of True among ``flags`` is p, within Z binomial standard errors (exactly, for p of 0 or 1)."""
    n = len(flags)
    assert n > 0
    tolerance = Z * math.sqrt(p * (1 - p) / n)
    assert abs(flags.mean() - p) <= tolerance, f"share {flags.mean():.5f}, expected {p} +- {tolerance:.5f} (n {n})"


def assert_mean(values: np.ndarray, mean: float, sd: float) -> None:
    n = len(values)
    tolerance = Z * sd / math.sqrt(n)
    assert abs(values.mean(dtype=float) - mean) <= tolerance, f"mean {values.mean():.5f}, expected {mean} (n {n})"


def assert_normal(values: np.ndarray, mean: float, sd: float) -> None:
    """Mean and standard deviation of a normal sample (SE of the sd: sd / sqrt(2 (n - 1)))."""
    assert_mean(values, mean, sd)
    n = len(values)
    tolerance = Z * sd / math.sqrt(2 * (n - 1))
    assert abs(values.std(dtype=float, ddof=1) - sd) <= tolerance, f"sd {values.std():.5f}, expected {sd} (n {n})"


def test_segments_are_drawn_in_the_scenario_s_shares(population: Population):
    assert_share(population.segment == 1, 0.75)
    assert set(np.unique(population.segment)) == {0, 1}


def test_each_segment_s_traits_have_its_means_and_spreads(population: Population):
    hunters, loyal = population.segment == 0, population.segment == 1
    assert_normal(population.sensitivity[hunters], 1.5, 0.3)
    assert_normal(population.sensitivity[loyal], 0.8, 0.1)
    assert_normal(population.expectation[hunters], -0.5, 0.4)
    assert (population.expectation[loyal] == np.float32(0.2)).all()  # sd 0: everyone at the mean
    assert_normal(population.tolerance[hunters], 1.0, 0.2)
    assert_normal(population.tolerance[loyal], 1.5, 0.3)
    assert_share(population.prefers_human[hunters], 0.3)
    assert_share(population.prefers_human[loyal], 0.7)


def test_life_event_churn_is_beta_distributed_per_segment(population: Population):
    """Beta(a, b): mean a / (a + b), variance ab / ((a + b)^2 (a + b + 1))."""
    for segment, (a, b) in enumerate(((2.0, 198.0), (1.0, 49.0))):
        values = population.life_churn[population.segment == segment]
        sd = math.sqrt(a * b / ((a + b) ** 2 * (a + b + 1)))
        assert_mean(values, a / (a + b), sd)
        assert ((values >= 0) & (values <= 1)).all()


def test_payment_channels_follow_each_segment_s_mix_normalised(population: Population):
    loyal_mix = {"paper": 0.25, "e_invoice": 0.75, "direct_debit": 0.0, "mobile": 0.0}
    for segment, mix in enumerate((MIX_HUNTERS, loyal_mix)):
        channel = population.channel[population.segment == segment]
        for k, name in enumerate(CHANNELS):
            assert_share(channel == k, mix[name])


def test_prospects_are_the_scenario_s_share_and_start_outside_with_nothing(population: Population):
    prospect = population.provider == PROSPECT
    assert_share(prospect, 0.2)
    for column in ("stage", "tenure", "binding_left"):
        assert (getattr(population, column)[prospect] == 0).all(), column
    for column in ("looking", "bundled", "stayed"):
        assert not getattr(population, column)[prospect].any(), column
    np.testing.assert_array_equal(population.stayed, ~prospect)  # every customer is month 0's cohort
    np.testing.assert_array_equal(population.initial_provider, population.provider)


def test_customers_are_dealt_to_providers_by_market_share(population: Population):
    provider = population.provider[population.provider != PROSPECT]
    for k, share in enumerate((0.5, 0.3, 0.2)):
        assert_share(provider == k, share)


def test_customers_start_on_the_ladder_s_initial_shares_with_uniform_tenure(population: Population):
    customer = population.provider != PROSPECT
    for stage, share in enumerate((0.5, 0.3, 0.2)):
        assert_share(population.stage[customer] == stage, share)
    tenure = population.tenure[customer]
    assert tenure.min() == 0 and tenure.max() == INITIAL_TENURE_MAX - 1
    assert_mean(tenure, (INITIAL_TENURE_MAX - 1) / 2, math.sqrt((INITIAL_TENURE_MAX**2 - 1) / 12))
    assert_share(population.looking[customer], 0.1)


def test_binding_contracts_and_bundles_follow_each_provider_s_levers(population: Population):
    """A: 40 % bound for up to 12 months, 25 % bundled; B: neither; C: all bound for up to 6, half bundled."""
    for k, (uptake, months, bundle) in enumerate(((0.4, 12, 0.25), (0.0, None, 0.0), (1.0, 6, 0.5))):
        mine = population.provider == k
        bound = population.binding_left[mine] > 0
        assert_share(bound, uptake)
        assert_share(population.bundled[mine], bundle)
        if months:
            left = population.binding_left[mine][bound]
            assert left.min() == 1 and left.max() == months  # somewhere in a contract: 1 to `months` left
            for month in range(1, months + 1):
                assert_share(left == month, 1 / months)


def test_switched_off_mechanisms_leave_their_columns_at_rest():
    raw = SCENARIO.model_dump()
    for mechanism in ("ladder", "rewards", "phase_out"):
        raw[mechanism]["enabled"] = False
    population = _draw(Scenario.model_validate(raw), n=20_000)
    assert (population.stage == 0).all()  # no ladder: everyone is 'chosen'
    assert (population.binding_left == 0).all() and not population.bundled.any()
    assert not population.looking.any()


def test_traits_are_truncated_where_the_schema_says_and_only_there():
    """Price sensitivity stops at 0 and effort tolerance at 0.05, each piling up Phi(-mean / sd) of the draws
    there; expectation is not truncated."""
    segment = {"price_sensitivity": {"mean": 0.2, "sd": 1.0}, "expectation": {"mean": -0.5, "sd": 0.4},
               "effort_tolerance": {"mean": 0.05, "sd": 0.5}}
    raw = SCENARIO.model_dump()
    raw["segments"] = [raw["segments"][0] | segment]
    population = _draw(Scenario.model_validate(raw))
    below = 0.5 * (1 + math.erf(-0.2 / math.sqrt(2)))  # Phi(-0.2): share of N(0.2, 1) below 0
    assert population.sensitivity.min() == 0.0
    assert_share(population.sensitivity == 0.0, below)
    assert population.tolerance.min() == np.float32(0.05)
    assert_share(population.tolerance == np.float32(0.05), 0.5)
    assert_share(population.expectation < 0, 0.5 * (1 + math.erf(0.5 / 0.4 / math.sqrt(2))))


def test_the_draw_is_seeded():
    first, again, other = _draw(n=5_000, seed=3), _draw(n=5_000, seed=3), _draw(n=5_000, seed=4)
    for name in Population.__dataclass_fields__:
        np.testing.assert_array_equal(getattr(first, name), getattr(again, name), err_msg=name)
    assert any((getattr(first, name) != getattr(other, name)).any() for name in ("provider", "sensitivity", "tenure"))


def test_columns_are_compact(population: Population):
    """About 30 bytes a customer, as the Population docstring says."""
    assert sum(getattr(population, name).itemsize for name in Population.__dataclass_fields__) <= 32
    assert population.provider.dtype == np.int8 and population.tenure.dtype == np.int16
    assert population.sensitivity.dtype == np.float32 and population.life_churn.dtype == np.float32
