"""The behavioural rules alone: shapes of the curves the sources (docs/SOURCES.md) name, scalar and array alike."""

import numpy as np
import pytest

from churnsim import rules


def test_response_curve_is_asymmetric_with_a_delight_plateau():
    args = dict(shortfall_slope=4.0, meet_level=0.8, exceed_gain=0.05, exceed_scale=0.5)
    short, meet, exceed, lavish = (rules.confirm_probability(g, **args) for g in (-0.5, 0.0, 0.5, 5.0))
    assert meet == pytest.approx(0.8)
    assert meet - short > 0.5  # falling short hurts a lot
    assert 0 < exceed - meet < 0.05  # exceeding adds little
    assert lavish == pytest.approx(0.85, abs=1e-3)  # and saturates


def test_effort_score_counts_steps_switches_and_repeats():
    assert rules.effort_score(3.0, False, False, 3, 1.0, 1.0) == pytest.approx(1.0)
    assert rules.effort_score(3.0, True, True, 3, 1.0, 1.0) == pytest.approx(3.0)


def test_disloyalty_follows_the_ceb_figures():
    p = rules.disloyalty_probability(np.array([True, False]), 0.96, 0.09)
    np.testing.assert_allclose(p, [0.96, 0.09])


def test_stage_moves_one_rung_at_a_time():
    stage = np.array([0, 1, 2, 0, 1, 2], dtype=np.int8)
    bad = np.array([False, False, False, True, True, True])
    up = rules.stage_after(stage, np.zeros(6), np.ones(6, bool), bad, 1.0, 1.0, 1.0)
    np.testing.assert_array_equal(up, [1, 2, 2, 0, 0, 1])


def test_scalar_and_array_calls_agree():
    gaps = np.linspace(-2, 2, 9)
    array = rules.confirm_probability(gaps, 4.0, 0.8, 0.05, 0.5)
    scalar = [rules.confirm_probability(float(g), 4.0, 0.8, 0.05, 0.5) for g in gaps]
    np.testing.assert_allclose(array, scalar)


def test_pick_follows_weights_and_never_picks_zero_weight():
    weights = np.array([0.0, 1.0, 3.0])
    u = np.random.default_rng(0).random(40_000)
    picked = rules.pick(np.broadcast_to(weights, (len(u), 3)), u)
    assert (picked != 0).all()
    assert np.mean(picked == 2) == pytest.approx(0.75, abs=4 * np.sqrt(0.75 * 0.25 / len(u)))


def test_price_change_notice_spreads_the_pain():
    unannounced = rules.price_change_pressure(False, True, 0.1, 1.0, 1.0, 4.0)
    per_notice_month = rules.price_change_pressure(True, False, 0.1, 1.0, 1.0, 4.0)
    assert unannounced > per_notice_month > 0


def test_leaving_is_damped_by_lock_in():
    free = rules.leave_probability(0.2, 0.1, 1.5, False, False, 0.9, 0.3)
    bound = rules.leave_probability(0.2, 0.1, 1.5, True, True, 0.9, 0.3)
    assert bound == pytest.approx(free * 0.1 * 0.7)


@pytest.mark.parametrize(("churn", "rate"), [(0.02, 0.08), (0.0, 0.08), (0.0, 0.0)])
def test_clv_is_the_geometric_series_up_to_the_horizon(churn: float, rate: float):
    margin = 10.0
    d = (1 + rate) ** (1 / 12) - 1
    series = sum(margin * (1 - churn) ** t / (1 + d) ** t for t in range(120))
    assert rules.clv(margin, churn, rate, 120) == pytest.approx(series, rel=1e-9)


def test_clv_without_churn_is_at_most_the_horizon_of_margin():
    assert rules.clv(10.0, 0.0, 0.08, 120) < 10.0 * 120


def test_delight_closes_at_most_its_cap_with_diminishing_returns():
    spend = np.array([0.0, 0.25, 0.5, 1.0, 2.0, 50.0])
    closed = rules.delight_closure(spend, cap=0.8, scale=0.5)
    assert closed[0] == 0.0 and closed[-1] == pytest.approx(0.8)
    assert closed[2] == pytest.approx(0.8 * (1 - np.exp(-1)))  # scale: 63 % of the cap
    steps = np.diff(closed[:5]) / np.diff(spend[:5])
    assert (np.diff(steps) < 0).all()  # each further unit closes less
    assert rules.delight_closure(0.5, 0.8, 0.5) == pytest.approx(closed[2])  # a plain float alike


def test_a_failure_is_made_good_only_by_a_resolved_contact_that_meets_expectations():
    failure = np.array([True, True, True, False])
    resolved = np.array([True, False, True, True])
    gap = np.array([0.0, 0.5, -0.01, 0.5])
    np.testing.assert_array_equal(rules.recovered(failure, resolved, gap), [True, False, False, False])


def test_experience_gap_gives_recovery_and_delight_only_to_resolved_contacts():
    args = dict(failure_loss=1.5, recovery_gain=1.0, proactive_gain=0.2, proactive_mitigation=0.5, relevant_gain=0.3)
    short = rules.experience_gap(0.2, 0.0, True, False, True, 0.4, 0.0, False, **args)
    made_good = rules.experience_gap(0.2, 0.0, True, True, True, 0.4, 0.0, False, **args)
    high_effort = rules.experience_gap(0.2, 0.0, True, True, False, 0.4, 0.0, False, **args)
    assert short == pytest.approx(0.2 - 1.5)
    assert made_good == pytest.approx(0.2 - 1.5 + 1.0 + 0.4)
    assert high_effort == pytest.approx(0.2 - 1.5 + 0.4)  # delight on a resolved contact, no recovery gain


def test_attention_triggers_add_as_hazards_and_a_bill_shock_is_its_chance():
    shock = rules.attention_triggers(False, False, False, 0.2, 1.0, 0.25, 0.01)
    assert rules.hazard_probability(shock) == pytest.approx(0.01)
    every = rules.attention_triggers(np.array([True]), np.array([True]), True, 0.2, 1.0, 0.25, 0.01)
    assert every[0] == pytest.approx(0.2 + 1.0 + 0.25 + shock)


def test_exposure_to_defections_fades_and_is_forgotten_below_the_floor():
    exposure = rules.exposure_after(np.array([0.0, 1.0, 0.02]), np.array([2.0, 0.0, 0.0]), 0.3)
    np.testing.assert_allclose(exposure, [2.0, 0.3, 0.0])  # 0.006 is below EXPOSURE_FLOOR
    assert rules.exposure_after(1.0, 1.0, 0.3) == pytest.approx(1.3)
    assert rules.defection_pressure(2.0, 1.5, 0.07) == pytest.approx(0.21)


def test_susceptibility_rises_with_acquaintances_by_the_elasticity():
    heed = rules.susceptibility(np.array([5, 10, 20]), 10.0, 1.0)
    np.testing.assert_allclose(heed, [0.5, 1.0, 2.0])
    np.testing.assert_allclose(rules.susceptibility(np.array([5, 20]), 10.0, 0.0), [1.0, 1.0])


def test_advantage_weighs_the_saving_by_price_sensitivity():
    assert rules.advantage(36.0, 30.0, 2.0, 30.0) == pytest.approx(0.4)
    assert rules.advantage(np.array([27.0]), 30.0, 1.0, 30.0)[0] == pytest.approx(-0.1)


@pytest.mark.parametrize("x", [-1.5, 0.0, 0.7])
def test_elementary_helpers_agree_for_floats_and_arrays(x):
    for f in (rules._exp, rules._expm1, rules._pos):
        assert f(x) == pytest.approx(float(f(np.array([x]))[0]))
    assert rules._log1p(abs(x) / 2) == pytest.approx(float(rules._log1p(np.array([abs(x) / 2]))[0]))
    assert rules._at_most(x, 0.5) == pytest.approx(float(rules._at_most(np.array([x]), 0.5)[0]))
