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
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar

import numpy as np

if TYPE_CHECKING:
    from churnsim.schema.params import Attention, Ladder, Offers, PhaseOut, Response, Rewards, Service, WordOfMouth

N = TypeVar("N", float, np.ndarray)
"""A plain number (the agent engine: one customer) or a numpy array (the vector engine: a column).

A rule returns what its ``N`` arguments are. An argument typed ``N | float`` may be a plain
number beside arrays (one value for everyone); a bool counts as a number, 0 or 1.
"""
B = TypeVar("B", bool, np.ndarray)  # a truth value, or an array of them
S = TypeVar("S", int, np.ndarray)  # a loyalty stage (CHOSEN, RECHOSEN, EMBEDDED), or an array of them

CHOSEN, RECHOSEN, EMBEDDED = 0, 1, 2
EXPOSURE_FLOOR = 0.01  # exposure to defections below this is forgotten (its hazard is negligible)


def _exp(x: N) -> N:
    return np.exp(x) if isinstance(x, np.ndarray) else math.exp(x)


def _expm1(x: N) -> N:
    return np.expm1(x) if isinstance(x, np.ndarray) else math.expm1(x)


def _log1p(x: N) -> N:
    return np.log1p(x) if isinstance(x, np.ndarray) else math.log1p(x)


def _pos(x: N) -> N:
    """max(x, 0)."""
    return np.maximum(x, 0.0) if isinstance(x, np.ndarray) else (x if x > 0.0 else 0.0)


def _at_most(x: N, cap: float) -> N:
    """min(x, cap)."""
    return np.minimum(x, cap) if isinstance(x, np.ndarray) else (x if x < cap else cap)


@dataclass(frozen=True, slots=True)
class Experience(Generic[N]):
    """What befell a customer this month, as ``experience_gap`` weighs it (plain values, or aligned arrays)."""

    failure: N | bool = False  # a core failure
    resolved: N | bool = False  # a contact resolved the customer's issue
    low_effort: N | bool = False  # ... and took low effort
    closure: N | float = 0.0  # experience gap a resolved contact's delight closes (``delight_closure``)
    proactive: N | float = 0.0  # the provider's level of proactive communication
    relevant_offer: N | bool = False  # an offer that fits


@dataclass(frozen=True, slots=True)
class PriceTerms(Generic[N]):
    """A provider's discounts off its list price (its levers of that name): plain values, or columns."""

    binding_discount: N | float
    tenure_bonus: N | float
    promo_discount: N | float
    promo_months: N | float


def happens(u: N, probability: N | float) -> N:
    """A Bernoulli event from a uniform draw."""
    return u < probability


def hazard_probability(hazard: N) -> N:
    """Monthly probability of an event with the given hazard (competing pressures add as hazards)."""
    return -_expm1(-_pos(hazard))


def contact_probability(failure: N, svc: Service) -> N:
    """Chance of a service contact this month: a question, or more likely after a core failure."""
    return svc.question_rate + failure * svc.contact_given_failure


def contact_steps(u: N, steps_mean: N | float) -> N:
    """Steps a contact takes: at least one, exponentially spread around the provider's mean."""
    return 1.0 + (steps_mean - 1.0) * -_log1p(-u)


def repeat_probability(repeat_contact: N, pushed: N | bool, svc: Service) -> N:
    """Chance a contact has to be repeated: the provider's rate, and a complex issue pushed to self-service
    may need a repeat on top (Customer focus in a downturn)."""
    return 1.0 - (1.0 - repeat_contact) * (1.0 - pushed * svc.digital_only_repeat)


def effort_score(steps: N, switched: N | bool, repeated: N | bool, svc: Service) -> N:
    """Customer effort of a contact (Dixon): 1 means ``steps_threshold`` steps with no switch or repeat.

    KPMG (via Billogram, Kundlojalitet del 2): more than three steps and satisfaction falls;
    channel switching and repeat contacts are the other two drivers of effort named by Graugaard.
    """
    return steps / svc.steps_threshold + svc.switch_effort * switched + svc.repeat_effort * repeated


def disloyalty_probability(high_effort: N, svc: Service) -> N:
    """Chance a contact makes the customer more disloyal: 96 % after high effort, 9 % after low (CEB)."""
    return high_effort * svc.disloyal_high_effort + (1 - high_effort) * svc.disloyal_low_effort


def delight_closure(delight: N, svc: Service) -> N:
    """Experience gap a resolved contact's delight spend closes: at most ``delight_cap``, with diminishing returns.

    Over-delivery helps most where it makes good a failure (service recovery; Billogram,
    Kundlojalitet del 2), and every further unit closes less (Dixon, Freeman and Toman 2010: delight is not repaid).
    """
    return svc.delight_cap * -_expm1(-delight / svc.delight_scale)


def experience_gap(quality: N, expectation: N | float, month: Experience[N], svc: Service, off: Offers) -> N:
    """Delivered value minus expectation this month (Billogram, Vald omvald invald: value against expectation).

    A core failure costs ``failure_loss`` (less what proactive warning avoids); a contact that
    resolves it with low effort gives ``recovery_gain`` back (service recovery; Billogram, Kundlojalitet
    del 2), and a resolved contact's delight closes ``closure`` more; proactive messages and relevant offers add value.
    """
    m = month
    loss = m.failure * svc.failure_loss * (1.0 - m.proactive * off.proactive_mitigation)
    return (quality - expectation - loss + m.resolved * (m.failure * m.low_effort * svc.recovery_gain + m.closure)
            + m.proactive * off.proactive_gain + m.relevant_offer * off.relevant_gain)


def recovered(failure: B, resolved: B | bool, gap: B | float) -> B:
    """A failure is made good when its contact resolved it and the month still meets expectations."""
    return failure & resolved & (gap >= 0.0)


def confirm_probability(gap: N, resp: Response) -> N:
    """The asymmetric response curve (Dixon, Freeman, Toman 2010; Graugaard).

    Falling short lowers the chance the month confirms the choice steeply; meeting the
    expectation gives ``meet_level``; exceeding it adds at most ``exceed_gain``: the plateau.
    """
    below = resp.meet_level * _exp(resp.shortfall_slope * -_pos(-gap))
    above = resp.exceed_gain * -_expm1(-_pos(gap) / resp.exceed_scale)
    return below + above


def perceived_value(reference_price: float, gap: N, value_per_gap: float) -> N:
    """What the month's service felt worth, in money, to set against the invoice."""
    return reference_price * (1.0 + value_per_gap * gap)


def price_components(list_price: N, tenure: N | float, binding: N | bool, terms: PriceTerms[N],
                     rw: Rewards) -> tuple[N, N, N]:
    """Loyalty-reward and promo discounts off the list price, and the price paid: (reward, promo, paid).

    A binding contract and, after ``tenure_bonus_after`` months, the tenure bonus earn the
    reward (none with rewards off); a new customer pays the promo price for its first
    ``promo_months``. Sources: Billogram and Novus; Billogram, Vald omvald invald for promos.
    """
    t = terms
    reward = list_price * (binding * t.binding_discount + (tenure >= rw.tenure_bonus_after) * t.tenure_bonus)
    reward = reward * rw.enabled
    promo = list_price * (tenure < t.promo_months) * t.promo_discount
    return reward, promo, list_price - reward - promo


def invoice_pressure(paid: N, value: N | float, sensitivity: N | float, reference_price: float,
                     weight: float) -> N:
    """The invoice sets cost against perceived value, black on white (Billogram, Vald omvald invald)."""
    return weight * sensitivity * _pos(paid - value) / reference_price


def price_gap_pressure(paid: N, seen_price: N | float, sensitivity: N | float, reference_price: float,
                       weight: float) -> N:
    """A competitor's lower price seen in an ad or on a comparison site.

    Sources: Billogram, Vald omvald invald; Billogram and Novus.
    """
    return weight * sensitivity * _pos(paid - seen_price) / reference_price


def unfair_promo_pressure(promo_discount: N, sensitivity: N | float, unfairness: float) -> N:
    """An existing customer past the promo who sees the own provider's new-customer promo feels it unfair.

    Hazard per unit of discount and of price sensitivity (``phase_out.promo_unfairness``);
    source: Billogram, Vald omvald invald (promos that reward the new customer, not the loyal one).
    """
    return unfairness * promo_discount * sensitivity


def price_change_pressure(notice_active: N, lands_unannounced: N | bool, rise: N, sensitivity: N | float,
                          po: PhaseOut) -> N:
    """An announced rise stirs customers while the notice runs; an unannounced one hits harder (Billogram and Novus)."""
    rise = _pos(rise)
    return sensitivity * rise * (notice_active * po.notice_weight + lands_unannounced * po.unexplained_rise_weight)


def word_of_mouth_pressure(bad: N, good: N, wom: WordOfMouth) -> N:
    """Look-around hazard from last month's messages: bad news about the own provider, good news about others.

    Each message adds its weight (Graugaard: bad news travels further and weighs more than good).
    ``bad`` counts the bad messages about the customer's own provider, ``good`` the good ones about
    the others; the result has their dtype.
    """
    return wom.weight_bad * bad + wom.weight_good * good


def look_hazard(pressure: N, base: float, stage_resistance: N | float) -> N:
    """Hazard of starting to look around: the phase-out effect, damped by loyalty stage.

    Source: Billogram, Vald omvald invald.
    """
    return (base + pressure) * stage_resistance


def attention_triggers(notice: N, surprise: N | bool, downturn: N | bool, att: Attention) -> N:
    """Hazard that the month makes a customer compare now (per provider, before the ladder's damping).

    A running notice of a price change (Røhr 2018: the notice pokes), a rise that lands
    unannounced, price talk in a downturn (Billogram and Novus) and a bill shock wake inattentive customers.
    """
    return (notice * att.notice + surprise * att.unannounced + downturn * att.downturn_talk
            - math.log1p(-min(att.bill_shock, 1.0 - 1e-12)))


def attention_hazard(triggers: N, renewing: N | bool, stage_resistance: N | float, renewal: float) -> N:
    """Hazard a customer is made to compare this month: the month's triggers (``attention_triggers``),
    plus the yearly renewal where contracts renew yearly (UK motor insurance), damped by loyalty stage."""
    return (triggers + renewing * renewal) * stage_resistance


def defection_pressure(exposure: N, susceptibility: N | float, weight: float) -> N:
    """Look-around hazard from acquaintances' recent defections from one's provider (Nitzan and Libai 2011)."""
    return weight * susceptibility * exposure


def exposure_after(exposure: N, heard: N | float, decay: float) -> N:
    """Exposure to acquaintances' defections: last month's news added, older news fading by ``decay`` a month."""
    exposure = exposure * decay + heard
    return exposure * (exposure >= EXPOSURE_FLOOR)


def susceptibility(degree: np.ndarray, mean_degree: float, elasticity: float) -> np.ndarray:
    """How much a customer heeds a defection among acquaintances: more for the well connected (Nitzan and Libai)."""
    return (np.asarray(degree, dtype=float) / max(mean_degree, 1e-9)) ** elasticity


def advantage(price: N, best_alternative: N | float, sensitivity: N | float, reference_price: float) -> N:
    """What switching to the best alternative saves, in reference prices weighed by price sensitivity."""
    return (price - best_alternative) / reference_price * sensitivity


def leave_probability(advantage: N, switch_rate: N | float, advantage_weight: float, binding: N | bool,
                      bundled: N | bool, rw: Rewards) -> N:
    """Chance a customer who compares acts: more when the best alternative saves money, less under lock-in.

    ``switch_rate`` is the base rate of a customer looking around, or the attention's ``act``
    for one who was just made to compare and found a deal worth taking. A binding contract
    and a bundle lock the customer in only with rewards on.
    """
    act = _at_most(switch_rate * (1.0 + advantage_weight * _pos(advantage)), 1.0)
    locked, tied = binding * rw.enabled, bundled * rw.enabled
    return act * (1.0 - locked * rw.binding_lock) * (1.0 - tied * rw.bundle_lock)


def stage_after(stage: S, u: S | float, confirmed: S | bool, bad: S | bool, ladder: Ladder) -> S:
    """One step on the loyalty ladder: confirming months lift, bad core experiences drop.

    Source: Billogram, Vald omvald invald.
    """
    promote = (stage == CHOSEN) * ladder.promote_chosen + (stage == RECHOSEN) * ladder.promote_rechosen
    up = (bad == 0) & confirmed & (u < promote)  # bad == 0: 'not bad' for a bool and a bool array alike
    down = bad & (u < ladder.demote_on_bad) & (stage > CHOSEN)
    return stage + up - down


def choice_weights(prices: np.ndarray, qualities: np.ndarray, brands: np.ndarray, reference_price: float,
                   po: PhaseOut) -> np.ndarray:
    """Logit attraction of each provider to someone choosing (lower price, higher quality, a stronger brand win)."""
    utility = -po.choice_price * prices / reference_price + po.choice_quality * qualities + brands
    return np.exp(utility - utility.max())


def referral_choice(choice: np.ndarray, heard_good: np.ndarray, referral_pull: float) -> np.ndarray:
    """A leaver's attraction to each provider, tilted towards those friends recommended last month (Graugaard)."""
    return choice * (1.0 + referral_pull * heard_good)


def sign_up_hazard(entry: N | float, heard_good: N, entry_rate: float, referral_strength: float) -> N:
    """A prospect's hazard of signing up: advertising and recommendations heard (Bass p and q per message).

    Per provider with ``entry`` its share of advertised choice and ``heard_good`` the recommendations
    of it, or in all with ``entry`` 1 and every recommendation heard.
    """
    return entry_rate * entry + referral_strength * heard_good


def pick(weights: np.ndarray, u: float | np.ndarray) -> np.ndarray | np.intp:
    """Index drawn from (rows of) non-negative weights by inverse CDF."""
    cumulative = np.cumsum(weights, axis=-1)
    target = np.asarray(u)[..., None] * cumulative[..., -1:]
    return (cumulative <= target).sum(axis=-1)


def clv(margin: float | np.ndarray, monthly_churn: float | np.ndarray, annual_discount_rate: float,
        horizon_months: int) -> np.ndarray:
    """Customer lifetime value: a margin per month, kept with probability 1 - churn, discounted (Gupta and Lehmann).

    The sum stops after ``horizon_months``: with no churn the infinite series is the margin over the
    discount rate alone (decades of margin), a value no firm books.
    """
    d = (1.0 + annual_discount_rate) ** (1.0 / 12.0) - 1.0
    kept = (1.0 - np.asarray(monthly_churn, dtype=float)) / (1.0 + d)  # a month's margin, a month later, today
    months = np.where(kept < 1.0, (1.0 - kept**horizon_months) / np.where(kept < 1.0, 1.0 - kept, 1.0),
                      horizon_months)
    return margin * months


def annual_churn(monthly_churn: float | np.ndarray) -> np.ndarray:
    """Annual churn equivalent to a constant monthly churn rate."""
    return 1.0 - (1.0 - np.asarray(monthly_churn, dtype=float)) ** 12
