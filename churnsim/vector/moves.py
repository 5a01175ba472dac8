"""Where customers go: the ladder, leaving, life events, choosing a provider, and the month's changes applied.

The decisions (``_ladder``, ``_looking_around``, ``_life_events``) read the shard's state
as it stood at the start of the month; the choices of leavers and joiners and ``_apply``
then change it, keep the head counts up to date (``Stocks``), and recompute the cached
hazards of exactly the customers whose provider, stage, state or price class changed
(``Pressure._refresh``).
"""

from __future__ import annotations

import numpy as np

from churnsim import rules
from churnsim.vector.pressure import Pressure
from churnsim.vector.sampling import EMPTY, below
from churnsim.vector.state import CLASSES, UNPRESSED, Month, Plan, Shard, _count, _count2
from churnsim.world.metrics import T
from churnsim.world.population import E_INVOICE, PAPER, PROSPECT


class Moves(Pressure):
    """Decide who moves (up or down the ladder, out, to whom), then apply the month's changes."""

    # ------------------------------------------------------------------ decide
    def _ladder(self, z: Shard, m: Month) -> tuple[np.ndarray, np.ndarray]:
        """U.ladder: below the stage's promotion chance (for the unharmed) or the demotion chance (for the bad)."""
        ladder = self.spec.ladder
        if not ladder.enabled:
            return EMPTY, np.zeros(0, np.int8)
        rates = np.array([ladder.promote_chosen, ladder.promote_rechosen, 0.0])
        idx, u = below(z.rng, float(rates.max()), z.n)
        keep = m.active[idx] & ~m.bad[idx] & (u < rates[z.stage[idx]])
        bad_idx = m.bad_idx
        idx = np.concatenate([idx[keep], bad_idx])
        u = np.concatenate([u[keep], z.rng.random(len(bad_idx))])
        new = rules.stage_after(z.stage[idx], u, m.confirmed[idx], m.bad[idx], ladder)
        changed = new != z.stage[idx]
        return idx[changed], new[changed]

    def _looking_around(self, z: Shard, m: Month,
                        deal: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Customers looking around: a retention effort (U.look, U.saved), calming down (U.calm, U.offer_calms)
        or leaving (U.leave), at the attention's ``act`` for those who were made to compare and found a deal.

        Returns the looking customers, who of them stop and who leave, and those reached and kept.
        """
        s, lv, nprov = self.spec, self.lever, self.providers
        po = s.phase_out
        if not po.enabled:
            return EMPTY, np.zeros(0, bool), np.zeros(0, bool), EMPTY, EMPTY
        idx = np.flatnonzero(z.looking)
        p = z.provider[idx]
        u = z.rng.random((5, len(idx)))
        reached = rules.happens(u[0], lv["retention_offers"][p])
        saved = reached & rules.happens(u[1], s.retention.save_share)
        offered = np.zeros(z.n, bool)
        offered[m.offer_idx[m.relevant]] = True
        calm = m.confirmed[idx] & ~m.bad[idx] & rules.happens(u[2], po.calm_down)
        calm |= offered[idx] & rules.happens(u[3], s.offers.relevant_calm)
        stop = saved | calm
        rate = np.where(deal[idx], np.float32(s.attention.act), np.float32(po.switch_rate))
        leave = ~stop & self.window_open(z.tenure[idx]) & rules.happens(u[4], self._leave_chance(z, idx, rate))
        z.tally[T.retention_efforts] = _count(p[reached], nprov)
        z.tally[T.retention_saves] = _count(p[saved], nprov)
        return idx, stop, leave, idx[reached], idx[saved]

    def _advantage(self, z: Shard, idx: np.ndarray) -> np.ndarray:
        """What the best alternative saves each of ``idx``, against the announced price while a notice runs."""
        p = z.provider[idx].astype(np.intp)
        price = self._paid(z, idx, p) * self.announced[p]
        return rules.advantage(price, self.best[p], z.sensitivity[idx] * self.sens_factor,
                               self.spec.market.reference_price)

    def _leave_chance(self, z: Shard, idx: np.ndarray, rate: np.ndarray | np.float32) -> np.ndarray:
        """rules.leave_probability for customers ``idx`` comparing at ``rate``."""
        po, rw = self.spec.phase_out, self.spec.rewards
        return rules.leave_probability(self._advantage(z, idx), rate, po.advantage_weight, z.binding_left[idx] > 0,
                                       z.bundled[idx], rw)

    def _life_hazard(self, z: Shard, idx: np.ndarray) -> np.ndarray:
        """Monthly hazard of a life event: P(U.life < life churn + exit rate) = 1 - exp(-hazard)."""
        event = np.minimum(z.life_churn[idx] + np.float32(self.spec.market.exit_rate), np.float32(1.0))
        return -np.log1p(-event)

    def _life_events(self, z: Shard, leavers: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """U.life: a life event makes the customer switch (below life churn) or exit (above it).

        Returns those who leave by their own decision, those a life event moves to another
        provider, and the exits; a life event wins over the decision.
        """
        z.life_clock -= z.life_hazard
        life = np.flatnonzero(z.life_clock < 0.0)
        z.life_clock[life] = z.rng.standard_exponential(len(life), dtype=np.float32)
        u = -np.expm1(-z.life_hazard[life]) * z.rng.random(len(life))
        moves = u < z.life_churn[life]
        taken = np.zeros(z.n, bool)
        taken[life] = True
        return leavers[~taken[leavers]], life[moves], life[~moves]

    # ------------------------------------------------------------------ choose
    def _leaver_weights(self, z: Shard, idx: np.ndarray, heard: np.ndarray) -> np.ndarray:
        wom, c = self.spec.word_of_mouth, self.conditions
        weights = np.repeat(c.choice[None, :], len(idx), axis=0)
        if wom.enabled:
            weights = rules.referral_choice(weights, heard, wom.referral_pull)
        weights[np.arange(len(idx)), z.provider[idx]] = 0.0
        return weights

    def _joiner_weights(self, heard: np.ndarray) -> np.ndarray:
        s, c = self.spec, self.conditions
        if s.word_of_mouth.enabled:
            return rules.sign_up_hazard(c.entry, heard, s.market.entry_rate, s.word_of_mouth.referral_strength)
        return np.repeat((s.market.entry_rate * c.entry)[None, :], len(heard), axis=0)

    def _choose(self, z: Shard, idx: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """U.destination (a leaver) or U.tell (a prospect signing up) picks the provider."""
        return np.asarray(rules.pick(weights, z.rng.random(len(idx))), dtype=np.intp)

    # ------------------------------------------------------------------ apply
    def _apply(self, z: Shard, plan: Plan, switch_to: np.ndarray, join_to: np.ndarray) -> None:
        s, tally, nprov, prov = self.spec, z.tally, self.providers, z.provider
        m, started, stopped, switch_idx, exit_idx, joining = (
            plan.m, plan.started, plan.stopped, plan.switch_idx, plan.exit_idx, plan.joining)
        tally[T.exited] = _count(prov[exit_idx], nprov)
        tally[T.switched_out] = _count(prov[switch_idx], nprov)
        tally[T.churned] = tally[T.exited] + tally[T.switched_out]
        tally[T.entered] = _count(join_to, nprov)
        tally[T.acquired] = _count(switch_to, nprov) + tally[T.entered]
        moved = np.zeros(z.n, bool)
        moved[switch_idx] = True
        moved[exit_idx] = True
        self._leave(z, np.concatenate([switch_idx, exit_idx]))
        started, stopped = started[~moved[started]], stopped[~moved[stopped]]
        z.stocks.looking += _count(prov[started], nprov) - _count(prov[stopped], nprov)
        z.looking[started] = True
        z.looking[stopped] = False
        stays = ~moved[plan.next_stage_idx]
        idx, new = plan.next_stage_idx[stays], plan.next_stage[stays]
        p = prov[idx].astype(np.intp)
        z.stocks.stage += _count2(p, new, (nprov, 3)) - _count2(p, z.stage[idx], (nprov, 3))
        z.stage[idx] = new
        z.tenure += m.active
        z.hazard[started] = z.weight[started] = z.wsens[started] = 0.0  # looking: no hazard to run
        z.listener[started] |= UNPRESSED  # the weight class is the low two bits: WEIGHT_CLASSES is 4
        dirty = [stopped, idx, self._reclass_by_tenure(z, moved)]  # a new stage: new resistance
        if s.rewards.enabled and self.table.binding_uptake.any():  # no uptake, no binding ever
            dirty.append(self._bindings(z, moved))
        dirty.append(self._push_digital(z, m, moved))
        prov[exit_idx] = PROSPECT
        z.life_hazard[exit_idx] = 0.0
        movers = np.concatenate([switch_idx, joining])
        self._join(z, movers, np.concatenate([switch_to, join_to]))
        self._refresh_gap(z, np.concatenate([exit_idx, movers]))
        dirty += [exit_idx, movers]
        self._refresh(z, np.concatenate(dirty))

    def _leave(self, z: Shard, idx: np.ndarray) -> None:
        """Take switchers and exits out of their provider's head counts and clear their state."""
        st, nprov = z.stocks, self.providers
        p = z.provider[idx].astype(np.intp)
        st.customers -= _count(p, nprov)
        st.stage -= _count2(p, z.stage[idx], (nprov, 3))
        st.price_class -= _count2(p, z.price_class[idx], (nprov, CLASSES))
        st.looking -= _count(p[z.looking[idx]], nprov)
        st.retained -= _count(p[z.stayed[idx]], nprov)
        st.paper -= _count(p[z.channel[idx] == PAPER], nprov)
        z.stage[idx] = 0
        z.looking[idx] = False
        z.stayed[idx] = False
        z.binding_left[idx] = 0
        z.bundled[idx] = False
        z.exposure[idx] = 0.0

    def _reclass(self, z: Shard, idx: np.ndarray) -> np.ndarray:
        p = z.provider[idx].astype(np.intp)
        shape = (self.providers, CLASSES)
        z.stocks.price_class -= _count2(p, z.price_class[idx], shape)
        z.price_class[idx] = self._classify(z, idx)
        z.stocks.price_class += _count2(p, z.price_class[idx], shape)
        return idx

    def _reclass_by_tenure(self, z: Shard, moved: np.ndarray) -> np.ndarray:
        """Stayers whose tenure just reached the tenure-bonus or promo threshold change price class."""
        s, tb = self.spec, self.table
        found = []
        if s.rewards.enabled and (tb.tenure_bonus > 0).any():
            found.append(np.flatnonzero(z.tenure == s.rewards.tenure_bonus_after))
        for months in np.unique(tb.promo_months[tb.promo_discount > 0]):
            found.append(np.flatnonzero(z.tenure == months))
        if not found:
            return EMPTY
        idx = np.concatenate(found)
        return self._reclass(z, idx[(z.provider[idx] >= 0) & ~moved[idx]])

    def _bindings(self, z: Shard, moved: np.ndarray) -> np.ndarray:
        """Binding contracts run down; at expiry a stayer renews with the provider's uptake chance (U.binding)."""
        bound = z.binding_left > 0
        z.binding_left -= bound
        idx = np.flatnonzero(bound & (z.binding_left == 0) & ~moved)
        p = z.provider[idx]
        renew = rules.happens(z.rng.random(len(idx)), self.lever["binding_uptake"][p])
        z.binding_left[idx[renew]] = self.lever["binding_months"][p[renew]]
        return self._reclass(z, idx[~renew])

    def _push_digital(self, z: Shard, m: Month, moved: np.ndarray) -> np.ndarray:
        """U.digital_push: a stayer paying by paper is moved to e-invoice with the provider's push rate."""
        push = self.lever["digital_push"]
        idx, u = below(z.rng, float(push.max()), z.n)
        p = z.provider[idx]
        keep = m.active[idx] & ~moved[idx] & (z.channel[idx] == PAPER) & (u < push[p])
        idx = idx[keep]
        z.channel[idx] = E_INVOICE
        z.stocks.paper -= _count(p[keep].astype(np.intp), self.providers)
        return idx

    def _join(self, z: Shard, idx: np.ndarray, to: np.ndarray) -> None:
        """New customers of a provider: chosen, not looking, tenure 0, maybe bound (U.binding) or bundled (U.bundle)."""
        st, nprov, lv = z.stocks, self.providers, self.lever
        z.provider[idx] = to
        z.stage[idx] = 0
        z.looking[idx] = False
        z.tenure[idx] = 0
        z.stayed[idx] = False
        if self.spec.rewards.enabled:
            u = z.rng.random((2, len(idx)))
            bound = rules.happens(u[0], lv["binding_uptake"][to])
            z.binding_left[idx] = np.where(bound, lv["binding_months"][to], 0)
            z.bundled[idx] = rules.happens(u[1], lv["bundle_share"][to])
        z.price_class[idx] = self._classify(z, idx)
        z.life_hazard[idx] = self._life_hazard(z, idx)
        st.price_class += _count2(to, z.price_class[idx], (nprov, CLASSES))
        st.customers += _count(to, nprov)
        st.stage[:, 0] += _count(to, nprov)
        st.paper += _count(to[z.channel[idx] == PAPER], nprov)
