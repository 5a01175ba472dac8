"""The behavioural rules: how one month's experiences move a customer.

Pure functions of numbers or numpy arrays (every engine calls the same ones: the agent
engine with one customer's plain floats, the vector engine with whole columns; plain
arithmetic on booleans stands in for ``np.where`` where that would slow the agent engine).
Random draws come in as uniforms ``u`` so that each rule is deterministic and testable alone.
Each function's docstring names the mechanism it encodes and its source (short names of
docs/SOURCES.md).

The few elementary functions go through ``_exp``, ``_expm1``, ``_log1p``, ``_pos`` and
``_at_most``: numpy for arrays, ``math`` and comparisons for a plain number, where numpy's
scalar machinery costs several times the arithmetic (the same doubles either way).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

CHOSEN, RECHOSEN, EMBEDDED = 0, 1, 2
EXPOSURE_FLOOR = 0.01  # exposure to defections below this is forgotten (its hazard is negligible)


def _exp(x: ArrayLike) -> ArrayLike:
    return np.exp(x) if isinstance(x, np.ndarray) else math.exp(x)


def _expm1(x: ArrayLike) -> ArrayLike:
    return np.expm1(x) if isinstance(x, np.ndarray) else math.expm1(x)


def _log1p(x: ArrayLike) -> ArrayLike:
    return np.log1p(x) if isinstance(x, np.ndarray) else math.log1p(x)


def _pos(x: ArrayLike) -> ArrayLike:
    """max(x, 0)."""
    return np.maximum(x, 0.0) if isinstance(x, np.ndarray) else (x if x > 0.0 else 0.0)


def _at_most(x: ArrayLike, cap: float) -> ArrayLike:
    """min(x, cap)."""
    return np.minimum(x, cap) if isinstance(x, np.ndarray) else (x if x < cap else cap)


def happens(u: ArrayLike, probability: ArrayLike) -> ArrayLike:
    """A Bernoulli event from a uniform draw."""
    return u < probability


def hazard_probability(hazard: ArrayLike) -> ArrayLike:
    """Monthly probability of an event with the given hazard (competing pressures add as hazards)."""
    return -_expm1(-_pos(hazard))


def contact_steps(u: ArrayLike, steps_mean: ArrayLike) -> ArrayLike:
    """Steps a contact takes: at least one, exponentially spread around the provider's mean."""
    return 1.0 + (steps_mean - 1.0) * -_log1p(-u)


def effort_score(steps: ArrayLike, switched: ArrayLike, repeated: ArrayLike, threshold: float,
                 switch_effort: float, repeat_effort: float) -> ArrayLike:
    """Customer effort of a contact (Dixon): 1 means `threshold` steps with no switch or repeat.

    KPMG (via Billogram, Kundlojalitet del 2): more than three steps and satisfaction falls;
    channel switching and repeat contacts are the other two drivers of effort named by Graugaard.
    """
    return steps / threshold + switch_effort * switched + repeat_effort * repeated


def disloyalty_probability(high_effort: ArrayLike, p_high: float, p_low: float) -> ArrayLike:
    """Chance a contact makes the customer more disloyal: 96 % after high effort, 9 % after low (CEB)."""
    return high_effort * p_high + (1 - high_effort) * p_low


def delight_closure(delight: ArrayLike, cap: float, scale: float) -> ArrayLike:
    """Experience gap a resolved contact's delight spend closes: at most ``cap``, with diminishing returns.

    Over-delivery helps most where it makes good a failure (service recovery; Billogram,
    Kundlojalitet del 2), and every further unit closes less (Dixon, Freeman and Toman 2010: delight is not repaid).
    """
    return cap * -_expm1(-delight / scale)


def experience_gap(quality: ArrayLike, expectation: ArrayLike, failure: ArrayLike, resolved: ArrayLike,
                   low_effort: ArrayLike, closure: ArrayLike, proactive: ArrayLike, relevant_offer: ArrayLike,
                   failure_loss: float, recovery_gain: float, proactive_gain: float, proactive_mitigation: float,
                   relevant_gain: float) -> ArrayLike:
    """Delivered value minus expectation this month (Billogram, Vald omvald invald: value against expectation).

    A core failure costs ``failure_loss`` (less what proactive warning avoids); a contact that
    resolves it with low effort gives ``recovery_gain`` back (service recovery; Billogram, Kundlojalitet
    del 2), and a resolved contact's delight closes ``closure`` more; proactive messages and relevant offers add value.
    """
    loss = failure * failure_loss * (1.0 - proactive * proactive_mitigation)
    return (quality - expectation - loss + resolved * (failure * low_effort * recovery_gain + closure)
            + proactive * proactive_gain + relevant_offer * relevant_gain)


def recovered(failure: ArrayLike, resolved: ArrayLike, gap: ArrayLike) -> ArrayLike:
    """A failure is made good when its contact resolved it and the month still meets expectations."""
    return failure & resolved & (gap >= 0.0)


def confirm_probability(gap: ArrayLike, shortfall_slope: float, meet_level: float, exceed_gain: float,
                        exceed_scale: float) -> ArrayLike:
    """The asymmetric response curve (Dixon, Freeman, Toman 2010; Graugaard).

    Falling short lowers the chance the month confirms the choice steeply; meeting the
    expectation gives ``meet_level``; exceeding it adds at most ``exceed_gain``: the plateau.
    """
    below = meet_level * _exp(shortfall_slope * -_pos(-gap))
    above = exceed_gain * -_expm1(-_pos(gap) / exceed_scale)
    return below + above


def perceived_value(reference_price: float, gap: ArrayLike, value_per_gap: float) -> ArrayLike:
    """What the month's service felt worth, in money, to set against the invoice."""
    return reference_price * (1.0 + value_per_gap * gap)


def price_components(list_price: ArrayLike, tenure: ArrayLike, binding: ArrayLike, binding_discount: ArrayLike,
                     tenure_bonus: ArrayLike, tenure_after: int, promo_discount: ArrayLike,
                     promo_months: ArrayLike) -> tuple[ArrayLike, ArrayLike]:
    """Loyalty-reward and promo discounts off the list price.

    Sources: Billogram and Novus; Billogram, Vald omvald invald for promos.
    """
    reward = list_price * (binding * binding_discount + (tenure >= tenure_after) * tenure_bonus)
    promo = list_price * (tenure < promo_months) * promo_discount
    return reward, promo


def invoice_pressure(paid: ArrayLike, value: ArrayLike, sensitivity: ArrayLike, reference_price: float,
                     weight: float) -> ArrayLike:
    """The invoice sets cost against perceived value, black on white (Billogram, Vald omvald invald)."""
    return weight * sensitivity * _pos(paid - value) / reference_price


def price_gap_pressure(paid: ArrayLike, seen_price: ArrayLike, sensitivity: ArrayLike, reference_price: float,
                       weight: float) -> ArrayLike:
    """A competitor's lower price seen in an ad or on a comparison site.

    Sources: Billogram, Vald omvald invald; Billogram and Novus.
    """
    return weight * sensitivity * _pos(paid - seen_price) / reference_price


def price_change_pressure(notice_active: ArrayLike, lands_unannounced: ArrayLike, rise: ArrayLike,
                          sensitivity: ArrayLike, notice_weight: float, unexplained_weight: float) -> ArrayLike:
    """An announced rise stirs customers while the notice runs; an unannounced one hits harder (Billogram and Novus)."""
    rise = _pos(rise)
    return sensitivity * rise * (notice_active * notice_weight + lands_unannounced * unexplained_weight)


def look_hazard(pressure: ArrayLike, base: float, stage_resistance: ArrayLike) -> ArrayLike:
    """Hazard of starting to look around: the phase-out effect, damped by loyalty stage.

    Source: Billogram, Vald omvald invald.
    """
    return (base + pressure) * stage_resistance


def attention_triggers(notice: ArrayLike, surprise: ArrayLike, downturn: ArrayLike, notice_hazard: float,
                       surprise_hazard: float, talk_hazard: float, bill_shock: float) -> ArrayLike:
    """Hazard that the month makes a customer compare now (per provider, before the ladder's damping).

    A running notice of a price change (Røhr 2018: the notice pokes), a rise that lands
    unannounced, price talk in a downturn (Billogram and Novus) and a bill shock wake inattentive customers.
    """
    return (notice * notice_hazard + surprise * surprise_hazard + downturn * talk_hazard
            - math.log1p(-min(bill_shock, 1.0 - 1e-12)))


def defection_pressure(exposure: ArrayLike, susceptibility: ArrayLike, weight: float) -> ArrayLike:
    """Look-around hazard from acquaintances' recent defections from one's provider (Nitzan and Libai 2011)."""
    return weight * susceptibility * exposure


def exposure_after(exposure: ArrayLike, heard: ArrayLike, decay: float) -> ArrayLike:
    """Exposure to acquaintances' defections: last month's news added, older news fading by ``decay`` a month."""
    exposure = exposure * decay + heard
    return exposure * (exposure >= EXPOSURE_FLOOR)


def susceptibility(degree: ArrayLike, mean_degree: float, elasticity: float) -> ArrayLike:
    """How much a customer heeds a defection among acquaintances: more for the well connected (Nitzan and Libai)."""
    return (np.asarray(degree, dtype=float) / max(mean_degree, 1e-9)) ** elasticity


def advantage(price: ArrayLike, best_alternative: ArrayLike, sensitivity: ArrayLike,
              reference_price: float) -> ArrayLike:
    """What switching to the best alternative saves, in reference prices weighed by price sensitivity."""
    return (price - best_alternative) / reference_price * sensitivity


def leave_probability(advantage: ArrayLike, switch_rate: ArrayLike, advantage_weight: float, binding: ArrayLike,
                      bundled: ArrayLike, binding_lock: float, bundle_lock: float) -> ArrayLike:
    """Chance a customer who compares acts: more when the best alternative saves money, less under lock-in.

    ``switch_rate`` is the base rate of a customer looking around, or the attention's ``act``
    for one who was just made to compare and found a deal worth taking.
    """
    act = _at_most(switch_rate * (1.0 + advantage_weight * _pos(advantage)), 1.0)
    return act * (1.0 - binding * binding_lock) * (1.0 - bundled * bundle_lock)


def stage_after(stage: ArrayLike, u: ArrayLike, confirmed: ArrayLike, bad: ArrayLike, promote_chosen: float,
                promote_rechosen: float, demote_on_bad: float) -> ArrayLike:
    """One step on the loyalty ladder: confirming months lift, bad core experiences drop.

    Source: Billogram, Vald omvald invald.
    """
    promote = (stage == CHOSEN) * promote_chosen + (stage == RECHOSEN) * promote_rechosen
    up = (bad == 0) & confirmed & (u < promote)  # bad == 0: 'not bad' for a bool and a bool array alike
    down = bad & (u < demote_on_bad) & (stage > CHOSEN)
    return stage + up - down


def choice_weights(prices: np.ndarray, qualities: np.ndarray, brands: np.ndarray, reference_price: float,
                   price_weight: float, quality_weight: float) -> np.ndarray:
    """Logit attraction of each provider to someone choosing (lower price, higher quality, a stronger brand win)."""
    utility = -price_weight * prices / reference_price + quality_weight * qualities + brands
    return np.exp(utility - utility.max())


def pick(weights: np.ndarray, u: ArrayLike) -> ArrayLike:
    """Index drawn from (rows of) non-negative weights by inverse CDF."""
    cumulative = np.cumsum(weights, axis=-1)
    target = np.asarray(u)[..., None] * cumulative[..., -1:]
    return (cumulative <= target).sum(axis=-1)


def clv(margin: ArrayLike, monthly_churn: ArrayLike, annual_discount_rate: float, horizon_months: int) -> ArrayLike:
    """Customer lifetime value: a margin per month, kept with probability 1 - churn, discounted (Gupta and Lehmann).

    The sum stops after ``horizon_months``: with no churn the infinite series is the margin over the
    discount rate alone (decades of margin), a value no firm books.
    """
    d = (1.0 + annual_discount_rate) ** (1.0 / 12.0) - 1.0
    kept = (1.0 - np.asarray(monthly_churn, dtype=float)) / (1.0 + d)  # a month's margin, a month later, today
    months = np.where(kept < 1.0, (1.0 - kept**horizon_months) / np.where(kept < 1.0, 1.0 - kept, 1.0),
                      horizon_months)
    return margin * months


def annual_churn(monthly_churn: ArrayLike) -> ArrayLike:
    """Annual churn equivalent to a constant monthly churn rate."""
    return 1.0 - (1.0 - np.asarray(monthly_churn, dtype=float)) ** 12
