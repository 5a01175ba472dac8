"""The behavioural rules alone: shapes of the curves the sources (docs/SOURCES.md) name, scalar and array alike.

Known answers are worked by hand from small numbers, in the comments; the schema sections are
built with the numbers the test needs, so a change of a default does not move them.
"""

import math

import numpy as np
import pytest

from churnsim import rules
from churnsim.schema.params import Attention, Ladder, Offers, PhaseOut, Response, Rewards, Service, WordOfMouth

RESP = Response(shortfall_slope=4.0, meet_level=0.8, exceed_gain=0.05, exceed_scale=0.5)
SVC = Service(question_rate=0.1, contact_given_failure=0.5, steps_threshold=3, switch_effort=1.0, repeat_effort=1.0,
              disloyal_high_effort=0.96, disloyal_low_effort=0.09, failure_loss=1.5, recovery_gain=1.0,
              delight_cap=0.8, delight_scale=0.5, digital_only_repeat=0.5)
OFF = Offers(relevant_gain=0.3, proactive_gain=0.2, proactive_mitigation=0.5)
RW = Rewards(binding_lock=0.9, bundle_lock=0.3, tenure_bonus_after=24)
WOM = WordOfMouth(weight_bad=0.04, weight_good=0.01)
TERMS = rules.PriceTerms(binding_discount=0.1, tenure_bonus=0.05, promo_discount=0.2, promo_months=6)


# ------------------------------------------------------------------ draws and hazards
def test_hazard_probability_is_one_minus_survival_and_hazards_add():
    assert rules.hazard_probability(0.0) == 0.0
    assert rules.hazard_probability(math.log(2.0)) == pytest.approx(0.5)  # survive e^-ln2 = 1/2
    assert rules.hazard_probability(-1.0) == 0.0  # a negative hazard is none
    p1, p2 = rules.hazard_probability(0.3), rules.hazard_probability(0.5)
    assert rules.hazard_probability(0.8) == pytest.approx(1 - (1 - p1) * (1 - p2))  # competing pressures
    hazards = np.array([-1.0, 0.0, 0.3, 0.8])
    np.testing.assert_allclose(rules.hazard_probability(hazards), [rules.hazard_probability(h) for h in hazards])


def test_contact_steps_are_at_least_one_and_average_the_providers_mean():
    assert rules.contact_steps(0.0, 3.0) == 1.0
    assert rules.contact_steps(1 - math.exp(-1), 3.0) == pytest.approx(3.0)  # -ln(1-u) = 1: 1 + (3 - 1) * 1
    assert rules.contact_steps(0.9, 1.0) == 1.0  # a mean of one step: always one
    u = (np.arange(100_000) + 0.5) / 100_000  # quantiles of the uniform: the mean of Exp(1) is 1
    steps = rules.contact_steps(u, 3.0)
    assert (np.diff(steps) > 0).all() and steps.mean() == pytest.approx(3.0, rel=1e-3)


# ------------------------------------------------------------------ service contacts
def test_contact_probability_adds_the_failures_share():
    assert rules.contact_probability(False, SVC) == pytest.approx(0.1)
    assert rules.contact_probability(True, SVC) == pytest.approx(0.1 + 0.5)


def test_repeat_probability_adds_the_pushed_issues_repeat():
    assert rules.repeat_probability(0.2, False, SVC) == pytest.approx(0.2)
    assert rules.repeat_probability(0.2, True, SVC) == pytest.approx(1 - 0.8 * 0.5)  # 0.6: either one repeats
    np.testing.assert_allclose(rules.repeat_probability(np.array([0.2, 0.2]), np.array([False, True]), SVC), [0.2, 0.6])


def test_effort_score_counts_steps_switches_and_repeats():
    assert rules.effort_score(3.0, False, False, SVC) == pytest.approx(1.0)  # KPMG's three steps: effort 1
    assert rules.effort_score(3.0, True, True, SVC) == pytest.approx(3.0)
    assert rules.effort_score(6.0, False, True, SVC.model_copy(update={"repeat_effort": 0.5})) == pytest.approx(2.5)


def test_disloyalty_follows_the_ceb_figures():
    p = rules.disloyalty_probability(np.array([True, False]), SVC)
    np.testing.assert_allclose(p, [0.96, 0.09])
    assert rules.disloyalty_probability(True, SVC) == pytest.approx(0.96)


def test_delight_closes_at_most_its_cap_with_diminishing_returns():
    spend = np.array([0.0, 0.25, 0.5, 1.0, 2.0, 50.0])
    closed = rules.delight_closure(spend, SVC)
    assert closed[0] == 0.0 and closed[-1] == pytest.approx(0.8)
    assert closed[2] == pytest.approx(0.8 * (1 - np.exp(-1)))  # scale: 63 % of the cap
    steps = np.diff(closed[:5]) / np.diff(spend[:5])
    assert (np.diff(steps) < 0).all()  # each further unit closes less
    assert rules.delight_closure(0.5, SVC) == pytest.approx(closed[2])  # a plain float alike


# ------------------------------------------------------------------ the experience gap and the response curve
def test_experience_gap_gives_recovery_and_delight_only_to_resolved_contacts():
    short = rules.experience_gap(0.2, 0.0, rules.Experience(True, False, True, 0.4), SVC, OFF)
    made_good = rules.experience_gap(0.2, 0.0, rules.Experience(True, True, True, 0.4), SVC, OFF)
    high_effort = rules.experience_gap(0.2, 0.0, rules.Experience(True, True, False, 0.4), SVC, OFF)
    assert short == pytest.approx(0.2 - 1.5)
    assert made_good == pytest.approx(0.2 - 1.5 + 1.0 + 0.4)
    assert high_effort == pytest.approx(0.2 - 1.5 + 0.4)  # delight on a resolved contact, no recovery gain


def test_experience_gap_known_answers_for_proactive_messages_and_offers():
    assert rules.experience_gap(0.2, 0.1, rules.Experience(), SVC, OFF) == pytest.approx(0.1)  # a quiet month
    # a failure, warned of at proactive level 0.5: loss 1.5 * (1 - 0.5 * 0.5) = 1.125; the message adds 0.5 * 0.2
    warned = rules.experience_gap(0.2, 0.1, rules.Experience(failure=True, proactive=0.5), SVC, OFF)
    assert warned == pytest.approx(0.2 - 0.1 - 1.125 + 0.1)
    offered = rules.experience_gap(0.2, 0.1, rules.Experience(relevant_offer=True), SVC, OFF)
    assert offered == pytest.approx(0.2 - 0.1 + 0.3)


def test_experience_gap_on_columns_agrees_with_each_customer():
    months = [(True, False, True, 0.0, 0.5, False), (True, True, True, 0.3, 0.0, True), (False, True, False, 0.3, 1.0,
                                                                                         False)]
    quality, expectation = np.array([0.2, 0.0, -0.1]), np.array([0.1, 0.3, 0.0])
    columns = rules.Experience(*(np.array(field) for field in zip(*months, strict=True)))
    gaps = rules.experience_gap(quality, expectation, columns, SVC, OFF)
    each = [rules.experience_gap(float(q), float(e), rules.Experience(*m), SVC, OFF)
            for q, e, m in zip(quality, expectation, months, strict=True)]
    np.testing.assert_array_equal(gaps, each)


def test_a_failure_is_made_good_only_by_a_resolved_contact_that_meets_expectations():
    failure = np.array([True, True, True, False])
    resolved = np.array([True, False, True, True])
    gap = np.array([0.0, 0.5, -0.01, 0.5])
    np.testing.assert_array_equal(rules.recovered(failure, resolved, gap), [True, False, False, False])
    assert rules.recovered(True, True, 0.0) and not rules.recovered(True, True, -0.01)


def test_response_curve_is_asymmetric_with_a_delight_plateau():
    short, meet, exceed, lavish = (rules.confirm_probability(g, RESP) for g in (-0.5, 0.0, 0.5, 5.0))
    assert meet == pytest.approx(0.8)
    assert meet - short > 0.5  # falling short hurts a lot
    assert 0 < exceed - meet < 0.05  # exceeding adds little
    assert lavish == pytest.approx(0.85, abs=1e-3)  # and saturates


def test_response_curve_known_answers_and_edges():
    assert rules.confirm_probability(-0.25, RESP) == pytest.approx(0.8 * math.exp(-1.0))  # 4 * 0.25 = 1
    assert rules.confirm_probability(0.5, RESP) == pytest.approx(0.8 + 0.05 * (1 - math.exp(-1.0)))
    assert rules.confirm_probability(0.0, RESP) == 0.8  # exactly the meet level, from both sides
    assert rules.confirm_probability(-1e-12, RESP) == pytest.approx(0.8) == rules.confirm_probability(1e-12, RESP)
    assert rules.confirm_probability(-50.0, RESP) < 1e-80  # far short: no confirmation
    flat = RESP.model_copy(update={"exceed_gain": 0.0})
    assert rules.confirm_probability(3.0, flat) == 0.8  # no delight gain: the curve stops at meeting
    steep = RESP.model_copy(update={"shortfall_slope": 0.0})
    assert rules.confirm_probability(-3.0, steep) == 0.8  # slope 0: falling short costs nothing
    gaps = np.linspace(-3, 3, 61)
    assert (np.diff(rules.confirm_probability(gaps, RESP)) >= 0).all()  # never less likely for a better month


def test_scalar_and_array_calls_agree():
    gaps = np.linspace(-2, 2, 9)
    array = rules.confirm_probability(gaps, RESP)
    scalar = [rules.confirm_probability(float(g), RESP) for g in gaps]
    np.testing.assert_allclose(array, scalar, rtol=1e-14)  # numpy's exp and math's may differ in the last bit


def test_perceived_value_is_the_reference_price_moved_by_the_gap():
    assert rules.perceived_value(30.0, 0.0, 0.5) == 30.0  # meeting expectations is worth the reference price
    assert rules.perceived_value(30.0, 0.4, 0.5) == pytest.approx(36.0)  # 30 * (1 + 0.5 * 0.4)
    assert rules.perceived_value(30.0, -1.0, 0.5) == pytest.approx(15.0)
    np.testing.assert_allclose(rules.perceived_value(30.0, np.array([-1.0, 0.0, 0.4]), 0.5), [15.0, 30.0, 36.0])


# ------------------------------------------------------------------ prices
def test_price_components_known_answers():
    # bound, tenure 30 (past the bonus threshold 24 and the promo's 6 months): 100 * (0.1 + 0.05) off
    assert rules.price_components(100.0, 30, True, TERMS, RW) == pytest.approx((15.0, 0.0, 85.0))
    assert rules.price_components(100.0, 3, False, TERMS, RW) == pytest.approx((0.0, 20.0, 80.0))  # the promo only
    assert rules.price_components(100.0, 3, True, TERMS, RW) == pytest.approx((10.0, 20.0, 70.0))
    assert rules.price_components(100.0, 24, False, TERMS, RW) == pytest.approx((5.0, 0.0, 95.0))  # bonus from 24
    assert rules.price_components(100.0, 6, False, TERMS, RW) == pytest.approx((0.0, 0.0, 100.0))  # promo until 6


def test_price_components_give_no_reward_with_rewards_off_and_columns_agree():
    off = RW.model_copy(update={"enabled": False})
    assert rules.price_components(100.0, 30, True, TERMS, off) == pytest.approx((0.0, 0.0, 100.0))
    assert rules.price_components(100.0, 3, True, TERMS, off) == pytest.approx((0.0, 20.0, 80.0))  # the promo stays
    tenure, binding = np.array([30, 3, 3, 24]), np.array([True, False, True, False])
    columns = rules.price_components(np.full(4, 100.0), tenure, binding, TERMS, RW)
    each = [rules.price_components(100.0, int(t), bool(b), TERMS, RW) for t, b in zip(tenure, binding, strict=True)]
    np.testing.assert_array_equal(np.array(columns).T, each)


def test_invoice_pressure_weighs_the_excess_over_value():
    assert rules.invoice_pressure(40.0, 30.0, 2.0, 20.0, 0.1) == pytest.approx(0.1)  # 0.1 * 2 * 10 / 20
    assert rules.invoice_pressure(25.0, 30.0, 2.0, 20.0, 0.1) == 0.0  # worth more than it costs: no pressure
    paid = np.linspace(20.0, 50.0, 31)
    pressure = rules.invoice_pressure(paid, 30.0, 2.0, 20.0, 0.1)
    assert (np.diff(pressure) >= 0).all() and (pressure[paid <= 30.0] == 0).all()


def test_price_gap_pressure_counts_only_a_cheaper_price_seen():
    assert rules.price_gap_pressure(36.0, 30.0, 1.5, 30.0, 0.04) == pytest.approx(0.04 * 1.5 * 6 / 30)
    assert rules.price_gap_pressure(30.0, 36.0, 1.5, 30.0, 0.04) == 0.0  # a dearer rival does not push
    seen = np.array([24.0, 30.0, 36.0])
    np.testing.assert_allclose(rules.price_gap_pressure(30.0, seen, 1.0, 30.0, 0.04), [0.04 * 6 / 30, 0.0, 0.0])


def test_unfair_promo_pressure_grows_with_discount_and_sensitivity():
    assert rules.unfair_promo_pressure(0.2, 1.5, 0.4) == pytest.approx(0.12)  # 0.4 * 0.2 * 1.5
    assert rules.unfair_promo_pressure(0.0, 1.5, 0.4) == 0.0  # no promo, nothing unfair
    discount = np.array([0.1, 0.2, 0.3], np.float32)
    pressure = rules.unfair_promo_pressure(discount, 1.0, 0.4)
    assert pressure.dtype == np.float32  # the vector engine's columns keep their dtype
    np.testing.assert_allclose(pressure, [0.04, 0.08, 0.12], rtol=1e-6)


def test_price_change_notice_spreads_the_pain():
    po = PhaseOut(notice_weight=1.0, unexplained_rise_weight=4.0)
    unannounced = rules.price_change_pressure(False, True, 0.1, 1.0, po)
    per_notice_month = rules.price_change_pressure(True, False, 0.1, 1.0, po)
    assert unannounced == pytest.approx(0.4) and per_notice_month == pytest.approx(0.1)
    assert rules.price_change_pressure(True, False, -0.1, 1.0, po) == 0.0  # a cut does not push


# ------------------------------------------------------------------ word of mouth
def test_word_of_mouth_pressure_weighs_bad_news_of_the_own_provider_and_good_news_of_others():
    assert rules.word_of_mouth_pressure(3.0, 2.0, WOM) == pytest.approx(0.14)  # 0.04 * 3 + 0.01 * 2
    assert rules.word_of_mouth_pressure(0.0, 0.0, WOM) == 0.0
    assert rules.word_of_mouth_pressure(1.0, 0.0, WOM) > rules.word_of_mouth_pressure(0.0, 1.0, WOM)


def test_word_of_mouth_pressure_keeps_the_messages_dtype():
    """Both engines count messages in float32; the hazard stays float32, a scalar and an array alike."""
    scalar = rules.word_of_mouth_pressure(np.float32(3.0), np.float32(2.0), WOM)
    column = rules.word_of_mouth_pressure(np.array([3.0, 1.0], np.float32), np.array([2.0, 0.0], np.float32), WOM)
    assert scalar.dtype == column.dtype == np.float32
    assert column[0] == scalar
    assert column[1] == np.float32(0.04)  # one bad message is worth its weight, as the vector's charge table has it


def test_exposure_to_defections_fades_and_is_forgotten_below_the_floor():
    exposure = rules.exposure_after(np.array([0.0, 1.0, 0.02]), np.array([2.0, 0.0, 0.0]), 0.3)
    np.testing.assert_allclose(exposure, [2.0, 0.3, 0.0])  # 0.006 is below EXPOSURE_FLOOR
    assert rules.exposure_after(1.0, 1.0, 0.3) == pytest.approx(1.3)


def test_defection_pressure_is_linear_in_exposure_and_susceptibility():
    assert rules.defection_pressure(2.0, 1.5, 0.07) == pytest.approx(0.21)  # 0.07 * 1.5 * 2
    assert rules.defection_pressure(0.0, 1.5, 0.07) == 0.0
    exposure = np.array([0.0, 1.0, 2.0])
    np.testing.assert_allclose(rules.defection_pressure(exposure, 2.0, 0.07), [0.0, 0.14, 0.28])


def test_susceptibility_rises_with_acquaintances_by_the_elasticity():
    heed = rules.susceptibility(np.array([5, 10, 20]), 10.0, 1.0)
    np.testing.assert_allclose(heed, [0.5, 1.0, 2.0])
    np.testing.assert_allclose(rules.susceptibility(np.array([5, 20]), 10.0, 0.0), [1.0, 1.0])


# ------------------------------------------------------------------ looking around, attention, leaving
def test_look_hazard_is_damped_by_the_stage():
    assert rules.look_hazard(0.19, 0.01, 0.5) == pytest.approx(0.1)  # (0.01 + 0.19) * 0.5
    assert rules.look_hazard(0.19, 0.01, 0.0) == 0.0  # a stage with no resistance left to pressure: immune
    assert rules.look_hazard(0.0, 0.01, 1.0) == pytest.approx(0.01)  # the base hazard with no pressure at all
    resistance = np.array([1.0, 0.5, 0.05])
    hazards = rules.look_hazard(0.19, 0.01, resistance)
    np.testing.assert_allclose(hazards, [0.2, 0.1, 0.01])
    assert (np.diff(hazards) < 0).all()  # higher on the ladder, less likely to start looking


def test_attention_triggers_add_as_hazards_and_a_bill_shock_is_its_chance():
    att = Attention(notice=0.2, unannounced=1.0, downturn_talk=0.25, bill_shock=0.01)
    shock = rules.attention_triggers(False, False, False, att)
    assert rules.hazard_probability(shock) == pytest.approx(0.01)
    every = rules.attention_triggers(np.array([True]), np.array([True]), True, att)
    assert every[0] == pytest.approx(0.2 + 1.0 + 0.25 + shock)


def test_attention_hazard_adds_the_renewal_and_is_damped_by_the_stage():
    assert rules.attention_hazard(0.3, False, 0.5, 0.7) == pytest.approx(0.15)
    assert rules.attention_hazard(0.3, True, 0.5, 0.7) == pytest.approx(0.5)  # (0.3 + 0.7) * 0.5
    renewing = np.array([False, True])
    np.testing.assert_allclose(rules.attention_hazard(np.array([0.3, 0.3]), renewing, 1.0, 0.7), [0.3, 1.0])


def test_advantage_weighs_the_saving_by_price_sensitivity():
    assert rules.advantage(36.0, 30.0, 2.0, 30.0) == pytest.approx(0.4)
    assert rules.advantage(np.array([27.0]), 30.0, 1.0, 30.0)[0] == pytest.approx(-0.1)


def test_leaving_is_damped_by_lock_in():
    free = rules.leave_probability(0.2, 0.1, 1.5, False, False, RW)
    bound = rules.leave_probability(0.2, 0.1, 1.5, True, True, RW)
    assert free == pytest.approx(0.1 * (1 + 1.5 * 0.2))
    assert bound == pytest.approx(free * 0.1 * 0.7)
    off = RW.model_copy(update={"enabled": False})
    assert rules.leave_probability(0.2, 0.1, 1.5, True, True, off) == free  # no rewards, no lock-in
    assert rules.leave_probability(5.0, 0.5, 1.5, False, False, RW) == 1.0  # capped at certainty
    assert rules.leave_probability(-1.0, 0.1, 1.5, False, False, RW) == pytest.approx(0.1)  # a dearer deal: base rate
    binding = np.array([False, True, True])
    np.testing.assert_allclose(rules.leave_probability(np.full(3, 0.2), 0.1, 1.5, binding, binding & False, RW),
                               [free, free * 0.1, free * 0.1])


def test_stage_moves_one_rung_at_a_time():
    ladder = Ladder(promote_chosen=1.0, promote_rechosen=1.0, demote_on_bad=1.0)
    stage = np.array([0, 1, 2, 0, 1, 2], dtype=np.int8)
    bad = np.array([False, False, False, True, True, True])
    up = rules.stage_after(stage, np.zeros(6), np.ones(6, bool), bad, ladder)
    np.testing.assert_array_equal(up, [1, 2, 2, 0, 0, 1])
    assert rules.stage_after(0, 0.5, True, False, Ladder(promote_chosen=0.4)) == 0  # u above the promotion chance
    assert rules.stage_after(1, 0.5, False, False, ladder) == 1  # an unconfirming month moves nobody


# ------------------------------------------------------------------ choosing a provider
def test_choice_weights_follow_the_logit_of_price_quality_and_brand():
    po = PhaseOut(choice_price=4.0, choice_quality=1.0)
    weights = rules.choice_weights(np.array([30.0, 36.0, 30.0]), np.array([0.0, 0.0, 0.5]), np.array([0.0, 0.0, 0.2]),
                                   30.0, po)
    assert weights.max() == 1.0  # scaled to the most attractive
    assert weights[1] / weights[0] == pytest.approx(math.exp(-4.0 * 6 / 30))  # 20 % dearer: e^-0.8
    assert weights[2] / weights[0] == pytest.approx(math.exp(0.5 + 0.2))  # better quality and brand
    cheaper = rules.choice_weights(np.array([30.0, 24.0]), np.zeros(2), np.zeros(2), 30.0, po)
    assert cheaper[1] > cheaper[0]


def test_referral_choice_tilts_towards_recommended_providers():
    choice = np.array([1.0, 0.5, 0.25])
    np.testing.assert_allclose(rules.referral_choice(choice, np.array([0.0, 2.0, 0.0]), 1.0), [1.0, 1.5, 0.25])
    np.testing.assert_array_equal(rules.referral_choice(choice, np.zeros(3), 1.0), choice)


def test_sign_up_hazard_is_advertising_plus_recommendations_heard():
    assert rules.sign_up_hazard(1.0, 3.0, 0.01, 0.05) == pytest.approx(0.16)  # Bass: p + q per message
    per_provider = rules.sign_up_hazard(np.array([0.5, 0.5]), np.array([0.0, 3.0]), 0.01, 0.05)
    np.testing.assert_allclose(per_provider, [0.005, 0.155])
    assert per_provider.sum() == pytest.approx(rules.sign_up_hazard(1.0, 3.0, 0.01, 0.05))


def test_pick_follows_weights_and_never_picks_zero_weight():
    weights = np.array([0.0, 1.0, 3.0])
    u = np.random.default_rng(0).random(40_000)
    picked = rules.pick(np.broadcast_to(weights, (len(u), 3)), u)
    assert (picked != 0).all()
    assert np.mean(picked == 2) == pytest.approx(0.75, abs=4 * np.sqrt(0.75 * 0.25 / len(u)))


# ------------------------------------------------------------------ value
@pytest.mark.parametrize(("churn", "rate"), [(0.02, 0.08), (0.0, 0.08), (0.0, 0.0)])
def test_clv_is_the_geometric_series_up_to_the_horizon(churn: float, rate: float):
    margin = 10.0
    d = (1 + rate) ** (1 / 12) - 1
    series = sum(margin * (1 - churn) ** t / (1 + d) ** t for t in range(120))
    assert rules.clv(margin, churn, rate, 120) == pytest.approx(series, rel=1e-9)


def test_clv_without_churn_is_at_most_the_horizon_of_margin():
    assert rules.clv(10.0, 0.0, 0.08, 120) < 10.0 * 120


# ------------------------------------------------------------------ one number or a column: the same numbers
FLOAT_AND_ARRAY = {
    "hazard_probability": lambda x: rules.hazard_probability(x),
    "contact_steps": lambda x: rules.contact_steps(x / 4, 4.0),
    "repeat_probability": lambda x: rules.repeat_probability(x / 3, x > 1, SVC),
    "effort_score": lambda x: rules.effort_score(x + 1, x > 1, x > 2, SVC),
    "disloyalty_probability": lambda x: rules.disloyalty_probability(x > 1, SVC),
    "delight_closure": lambda x: rules.delight_closure(x, SVC),
    "experience_gap": lambda x: rules.experience_gap(x - 1, 0.3, rules.Experience(x > 1, x > 0.5, x > 2, x / 4,
                                                                                  x / 3, x > 1.5), SVC, OFF),
    "confirm_probability": lambda x: rules.confirm_probability(x - 1.5, RESP),
    "perceived_value": lambda x: rules.perceived_value(30.0, x - 1.5, 0.5),
    "invoice_pressure": lambda x: rules.invoice_pressure(30.0 + 10 * x, 40.0, 1.2, 30.0, 0.02),
    "price_gap_pressure": lambda x: rules.price_gap_pressure(30.0 + 10 * x, 40.0, 1.2, 30.0, 0.04),
    "unfair_promo_pressure": lambda x: rules.unfair_promo_pressure(x / 10, 1.2, 0.4),
    "word_of_mouth_pressure": lambda x: rules.word_of_mouth_pressure(x, 3 - x, WOM),
    "look_hazard": lambda x: rules.look_hazard(x / 10, 0.001, 0.5),
    "attention_hazard": lambda x: rules.attention_hazard(x / 10, x > 1, 0.5, 0.7),
    "defection_pressure": lambda x: rules.defection_pressure(x, 1.3, 0.07),
    "advantage": lambda x: rules.advantage(30.0 + x, 30.0, 1.2, 30.0),
    "leave_probability": lambda x: rules.leave_probability(x - 1, 0.25, 1.5, x > 1, x > 2, RW),
}


@pytest.mark.parametrize("name", FLOAT_AND_ARRAY)
def test_rules_give_a_column_what_they_give_each_customer(name: str):
    rule = FLOAT_AND_ARRAY[name]
    xs = np.array([0.0, 0.75, 1.5, 2.25, 3.0])
    column = rule(xs)
    each = [rule(float(x)) for x in xs]
    assert isinstance(column, np.ndarray) and column.shape == xs.shape
    assert all(type(e) is float for e in each)  # a plain number stays plain: the agent engine's fast path
    np.testing.assert_allclose(column, each, rtol=1e-14, atol=0.0)  # numpy's exp and math's may differ in the last bit


@pytest.mark.parametrize("x", [-1.5, 0.0, 0.7])
def test_elementary_helpers_agree_for_floats_and_arrays(x):
    for f in (rules._exp, rules._expm1, rules._pos):
        assert f(x) == pytest.approx(float(f(np.array([x]))[0]))
    assert rules._log1p(abs(x) / 2) == pytest.approx(float(rules._log1p(np.array([abs(x) / 2]))[0]))
    assert rules._at_most(x, 0.5) == pytest.approx(float(rules._at_most(np.array([x]), 0.5)[0]))
