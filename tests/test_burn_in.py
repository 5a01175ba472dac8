"""The burn-in: month 0 is the model's own state, with the scenario's market shares kept exactly."""

import numpy as np
import pytest

from churnsim.engines import create_model
from churnsim.schema.scenario import load
from churnsim.world.market import reshuffle


def month_zero(engine: str, burn_in: int, seed: int = 4):
    spec = load("electricity", sets=[f"market.burn_in={burn_in}"], customers=800, months=1).scenario
    return create_model(spec, rng=seed, engine=engine)


@pytest.mark.parametrize("engine", ["agents", "vector"])
def test_burn_in_keeps_every_provider_s_head_count_and_starts_the_cohort_at_month_0(engine):
    drawn, burnt = month_zero(engine, 0), month_zero(engine, 24)
    first = burnt.timeseries.set_index("provider")
    np.testing.assert_array_equal(first["customers"], drawn.timeseries.set_index("provider")["customers"])
    np.testing.assert_array_equal(first["retained"], first["customers"])  # everyone there is the cohort
    np.testing.assert_array_equal(first["cohort"], first["customers"])
    provider, _stage, looking, stayed = burnt.state_columns()
    assert stayed[provider >= 0].all()
    # the burn-in moved the customers' state: the drawn share looking (8 %) is not the model's own
    assert looking.mean() != pytest.approx(drawn.state_columns()[2].mean(), abs=0.005)


@pytest.mark.parametrize("engine", ["agents", "vector"])
def test_burn_in_is_seeded(engine):
    a, b = month_zero(engine, 12, seed=9), month_zero(engine, 12, seed=9)
    assert all((x == y).all() for x, y in zip(a.state_columns(), b.state_columns(), strict=True))


def test_reshuffle_deals_the_vacated_places_away_from_each_leaver_s_own():
    rng = np.random.default_rng(0)
    left = np.repeat(np.arange(4), [30, 20, 25, 25])  # no provider has half the leavers
    places = reshuffle(left, rng)
    np.testing.assert_array_equal(np.sort(places), np.sort(left))  # every vacated place filled once
    assert (places != left).all()


def test_reshuffle_sends_back_only_those_who_cannot_go_elsewhere():
    left = np.repeat([0, 1, 2], [80, 10, 10])  # 80 of 100 places are provider 0's
    places = reshuffle(left, np.random.default_rng(1))
    np.testing.assert_array_equal(np.sort(places), np.sort(left))
    assert (places[left != 0] == 0).all()  # the 20 others all take provider 0's places
    assert ((places == left).sum()) == 60  # and 60 of provider 0's leavers must return to it
