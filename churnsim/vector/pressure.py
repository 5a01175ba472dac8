"""What makes customers look around: the month's prices, cached hazards, clocks and attention.

Exponential clocks. Starting to look around (U.look), a prospect signing up (U.sign_up)
and a life event (U.life) are hazard decisions: P(E < h) = 1 - exp(-h) for E ~ Exp(1) and a
survivor's E - h is again Exp(1). So each customer keeps a clock that the month's
hazard runs down (``_run_clock``); it rings when it goes below zero and is then wound up
afresh. A customer made to compare who acts on a deal is taken out of that month's
look-around decision; its clock is memoryless, so this biases nothing.

Cached hazards. The part of a customer's look-around hazard that no random event of
the month touches (invoice against expected value, price-change notice, payment
friction, ladder resistance) changes only when the customer's provider, stage, state or
price class changes, or when the month's prices do (``_prices``); it is cached and
recomputed for those customers only (``_refresh``). The month's random events (contacts,
offers, bad months, word of mouth, acquaintances' defections) add their hazards for the
few customers they reach.

Integrated pressures. A random pressure with no other consequence (a price ad or a
comparison site, U.price_seen and U.whose_ad; the own promo seen, U.promo_seen) is
drawn afresh each month, so a clock it runs down by w X survives the month with
probability E[exp(-w X)] (``survival``). Minus the log of that is a fixed hazard with the
same chance of ringing, month after month, and it joins the cached hazard: no draw at all
(``_random_hazard``).

Attention. The month's triggers make customers compare (U.attention): found by thinning,
per provider and stage (``_attention``).
"""

from __future__ import annotations

import numpy as np

from churnsim import rules
from churnsim.vector.sampling import EMPTY, below, threshold
from churnsim.vector.state import CLASSES, UNPRESSED, WEIGHT_CLASSES, Month, Shard, VectorState
from churnsim.world.market import MonthConditions

CHUNK = 1 << 18  # customers per block when every cached hazard is recomputed (bounds temporaries)
Values = np.ndarray | np.floating | float  # a table read at the customers' keys, or one number for all


def survival(weight: np.ndarray, none: Values, outcomes: list[tuple[Values, Values]]) -> np.ndarray:
    """E[exp(-weight X)]: a clock's chance to outlast a random pressure X of the month.

    X takes each outcome's pressure with its chance (exclusive outcomes), else 0 with chance ``none``.
    """
    total = np.full(len(weight), none, np.float32) if np.isscalar(none) else none.astype(np.float32)
    for chance, pressure in outcomes:
        total += chance * np.exp(-weight * pressure)
    return total


class Pressure(VectorState):
    """The month's prices and random pressures as tables, the cached hazards, the clocks and attention."""

    channel_friction: np.ndarray  # per payment channel: its friction, 0 with payment off
    base_gap: np.ndarray  # per provider and a prospect's entry: a quiet month's gap, less the expectation
    # the month's tables (``_prices``), per provider and a prospect's entry unless noted
    reward: np.ndarray  # (P, CLASSES): the reward discount of each price class
    promo: np.ndarray  # (P, CLASSES): the promo discount of each price class
    paid: np.ndarray  # flat ((P + 1) x CLASSES): the price paid, read at provider * CLASSES + price class
    change: np.ndarray  # price-change pressure per unit of price sensitivity
    sens_factor: np.float32  # the economy's multiplier on price sensitivity
    announced: np.ndarray  # factor on the price while a notice runs: what it will be
    best: np.ndarray  # the cheapest alternative's price
    trigger: np.ndarray  # attention hazard before the ladder's resistance
    ad_none: np.ndarray  # flat like ``paid``: chance of neither a comparison site nor a rival's ad
    ad_chance: np.ndarray  # (outcomes, flat like ``paid``): chance of each outcome that brings pressure
    ad_pressure: np.ndarray  # (outcomes, flat like ``paid``): its pressure per unit of price sensitivity
    promo_pressure: np.ndarray  # flat like ``paid``: pressure of the own promo seen, once it is over
    _condition_key: tuple[bytes, ...]  # the tables the cached hazards follow from

    def _prices(self, c: MonthConditions) -> bool:
        """This month's prices per (provider, price class); whether every cached hazard follows from new ones."""
        s, tb = self.spec, self.table
        code = np.arange(CLASSES)
        col = slice(None), None
        terms = rules.PriceTerms(tb.binding_discount[col], tb.tenure_bonus[col], tb.promo_discount[col],
                                 tb.promo_months[col])
        paid = np.zeros((self.providers + 1, CLASSES), np.float32)
        self.reward, self.promo, paid[:-1] = rules.price_components(
            c.price[col], self.class_tenure, (code & 1).astype(bool), terms, s.rewards)
        self.paid = paid.reshape(-1)
        self.change = self._ext(rules.price_change_pressure(
            c.notice_active, c.lands_unannounced, c.rise, 1.0, s.phase_out))  # linear in the sensitivity
        self.sens_factor = np.float32(c.price_multiplier)
        self.announced = self._ext(c.announced, 1.0)
        self.best = self._ext(c.best_alternative)
        self.trigger = self._ext(c.attention)
        self._random_pressures(c)
        key = (self.paid.tobytes(), self.change.tobytes(), self.sens_factor.tobytes(), self.ad_chance.tobytes(),
               self.ad_pressure.tobytes())
        changed = key != self._condition_key  # prices or the economy changed: so did every cached hazard
        self._condition_key = key
        return changed

    def _random_pressures(self, c: MonthConditions) -> None:
        """Tables of the month's random pressures per unit of price sensitivity, per (provider, price class).

        U.price_seen below the site rate shows the cheapest rival (``best_alternative``); below the
        site rate plus p's ad exposure, a rival's ad, whose by ``ad_weights`` (U.whose_ad): the
        exclusive outcomes of the first table, one column for the site and one per rival. A
        customer past the promo (price class bit 2) sees it with the promo's visibility
        (U.promo_seen). Prospects' rows (the last provider's index) never apply.
        """
        s, nprov, tb = self.spec, self.providers, self.table
        po, ref = s.phase_out, s.market.reference_price
        site = po.comparison_site_rate
        ad = np.minimum(site + c.ad_seen, 1.0) - site
        rivals = ~np.eye(nprov, dtype=bool)
        weights = c.ad_weights[rivals].reshape(nprov, nprov - 1)
        total = weights.sum(axis=1, keepdims=True)
        chance = np.column_stack([np.full(nprov, site), ad[:, None] * np.divide(
            weights, total, out=np.zeros_like(weights), where=total > 0)]) * po.enabled
        seen = np.column_stack([c.best_alternative, np.broadcast_to(c.new_customer_price, (nprov, nprov))[rivals]
                                .reshape(nprov, nprov - 1)])
        paid = self.paid.reshape(nprov + 1, CLASSES)[:-1, :, None]
        chances: np.ndarray = np.zeros((nprov + 1, CLASSES, nprov), np.float32)
        chances[:-1] = chance[:, None, :]
        pressures: np.ndarray = np.zeros_like(chances)
        pressures[:-1] = rules.price_gap_pressure(paid, seen[:, None, :], 1.0, ref, po.ad_weight)
        chances, pressures = chances.reshape(-1, nprov), pressures.reshape(-1, nprov)
        chances[pressures <= 0] = 0.0  # an outcome without pressure is as good as none
        order = np.argsort(chances == 0, axis=1, kind="stable")  # per (provider, class): outcomes first
        chances, pressures = np.take_along_axis(chances, order, 1), np.take_along_axis(pressures, order, 1)
        used = int((chances > 0).sum(axis=1).max())
        self.ad_none = 1.0 - chances.sum(axis=1)
        self.ad_chance, self.ad_pressure = chances.T[:used].copy(), pressures.T[:used].copy()
        promo_over = np.arange(CLASSES) >> 2 & 1
        promo = np.zeros((nprov + 1, CLASSES), np.float32)
        promo[:-1] = rules.unfair_promo_pressure(tb.promo_discount[:, None], 1.0, po.promo_unfairness) * promo_over
        self.promo_pressure = promo.reshape(-1)

    def _paid(self, z: Shard, idx: np.ndarray, p: np.ndarray) -> np.ndarray:
        return self.paid[p.astype(np.intp) * CLASSES + z.price_class[idx]]

    def _refresh_gap(self, z: Shard, idx: np.ndarray | slice) -> None:
        """Recompute the quiet month's confirmation threshold and sign of the gap (they follow the provider)."""
        resp = self.spec.response
        p = z.provider[idx]
        gap = self.base_gap[p] - z.expectation[idx]
        z.conf[idx] = np.where(p >= 0, threshold(rules.confirm_probability(gap, resp)), 0)
        z.pleased[idx] = (p >= 0) & (gap > 0)

    def _refresh(self, z: Shard, idx: np.ndarray | slice) -> None:
        """Recompute the cached hazard (a quiet month's, random pressures integrated) and the weight events get."""
        s = self.spec
        po, resp, ref = s.phase_out, s.response, s.market.reference_price
        p = z.provider[idx].astype(np.intp)
        active = p >= 0
        pressured = active & ~z.looking[idx]
        stage = z.stage[idx]
        weight = np.where(pressured, self.resistance[stage], np.float32(0.0))
        z.listener[idx] = (p + 1) * WEIGHT_CLASSES + np.where(pressured, stage, UNPRESSED)
        sens = z.sensitivity[idx] * self.sens_factor
        key = p * CLASSES + z.price_class[idx]
        paid = self.paid[key]
        value = rules.perceived_value(ref, self.base_gap[p] - z.expectation[idx], resp.value_per_gap)
        pressure = rules.invoice_pressure(paid, value, sens, ref, po.invoice_weight) if po.enabled else 0.0
        pressure = pressure + sens * self.change[p] + self.channel_friction[z.channel[idx]]
        ws = weight * sens
        z.weight[idx] = weight
        z.wsens[idx] = ws
        hazard = rules.look_hazard(pressure, po.base_attention, weight)
        hazard += self._random_hazard(key, ws)
        z.hazard[idx] = np.where(active, hazard, np.float32(s.market.entry_rate))

    def _random_hazard(self, key: np.ndarray, ws: np.ndarray) -> np.ndarray:
        """Integrated hazard of price ads and comparison sites and of the own promo seen (independent draws)."""
        po = self.spec.phase_out
        promo = np.float32(po.promo_visibility * po.enabled)
        survive = survival(ws, self.ad_none.take(key), [
            (c.take(key), x.take(key)) for c, x in zip(self.ad_chance, self.ad_pressure, strict=True)])
        survive *= survival(ws, 1 - promo, [(promo, self.promo_pressure.take(key))])
        return -np.log(survive)

    def _run_clock(self, z: Shard, m: Month) -> None:
        """Run each clock down by the month's hazard: the cached part, then the month's events.

        Word of mouth received last month was charged at delivery; looking customers and
        prospects have weight 0, so pressures reach only customers deciding whether to look.
        """
        s = self.spec
        po, svc, off, ref = s.phase_out, s.service, s.offers, s.market.reference_price
        prov, clock = z.provider, z.clock
        clock -= z.hazard
        if not po.enabled:
            return
        idx, gap = m.event_idx, m.event_gap
        p = prov[idx]
        paid = self._paid(z, idx, p)
        quiet = self.base_gap[p] - z.expectation[idx]
        value = rules.perceived_value(ref, gap, s.response.value_per_gap)
        pressure = rules.invoice_pressure(paid, value, 1.0, ref, po.invoice_weight) - rules.invoice_pressure(
            paid, rules.perceived_value(ref, quiet, s.response.value_per_gap), 1.0, ref, po.invoice_weight)
        clock[idx] -= z.wsens[idx] * pressure  # price pressures are linear in the sensitivity
        if off.enabled:
            idx = m.offer_idx[~m.relevant]
            clock[idx] -= z.weight[idx] * np.float32(off.spam_hazard)
        idx = m.bad_idx
        clock[idx] -= z.weight[idx] * np.float32(svc.bad_hazard)
        wom = s.word_of_mouth
        if wom.enabled:
            idx = np.flatnonzero(z.exposure)
            clock[idx] -= z.weight[idx] * rules.defection_pressure(z.exposure[idx], z.heed[idx], wom.defection_weight)

    def _attention(self, z: Shard) -> np.ndarray:
        """U.attention: the customers the month's triggers make compare, sorted.

        The month's triggers give each provider and stage a chance, found by thinning; a customer
        whose yearly contract renews draws afresh against the triggers plus the renewal's hazard.
        """
        if not self.attending:
            return EMPTY
        renewal = self.spec.attention.renewal
        hazard = rules.attention_hazard(self.trigger[:, None], False, self.resistance, renewal)
        chance = rules.hazard_probability(hazard)
        idx, u = below(z.rng, float(chance.max()), z.n)
        hit = idx[u < chance[z.provider[idx], z.stage[idx]]]
        if not self.spec.market.annual_renewal:
            return hit
        renewing = np.flatnonzero(self.renewing(z.tenure) & (z.provider >= 0))
        hazard = rules.attention_hazard(self.trigger[z.provider[renewing]], True, self.resistance[z.stage[renewing]],
                                        renewal)
        return np.union1d(hit[~self.renewing(z.tenure[hit])],
                          renewing[z.rng.random(len(renewing)) < rules.hazard_probability(hazard)])
