"""One customer as a Mesa agent: what it senses, decides and does in a month.

The reference engine: readable, one object per customer, each calling the rules of
``churnsim.rules`` on its own numbers. The vector engine applies the same rules to
whole columns in the same order (``churnsim.vector``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from mesa.discrete_space import FixedAgent

from churnsim import rules
from churnsim.metrics import T
from churnsim.population import PROSPECT

if TYPE_CHECKING:
    from churnsim.model import AgentChurnModel

PAPER, E_INVOICE = 0, 1
DRAWS = 26  # uniforms a customer uses in a month, drawn in one call; see the index per rule below


class Customer(FixedAgent):
    """A household with one subscription, on the loyalty ladder of its current provider."""

    model: AgentChurnModel

    def __init__(self, model: AgentChurnModel, index: int, state: dict[str, object]) -> None:
        super().__init__(model)
        self.index = index
        self.neighbours: np.ndarray = np.empty(0, np.int64)
        for name, value in state.items():
            setattr(self, name, value)

    # Phase 1: sense this month's touchpoints (reads only own state and last month's messages).
    def sense(self) -> None:
        m = self.model
        self.u = m.rng.random(DRAWS).tolist()
        self.bad = self.good = False
        if self.provider == PROSPECT:
            return
        s, c, tb, u = m.spec, m.facts, m.levers, self.u
        p = self.provider
        svc, po, off = s.service, s.phase_out, s.offers
        self.reward, self.promo = rules.price_components(
            c.price[p], self.tenure, self.binding_left > 0, tb.binding_discount[p], tb.tenure_bonus[p],
            s.rewards.tenure_bonus_after, tb.promo_discount[p], tb.promo_months[p])
        if not s.rewards.enabled:
            self.reward = 0.0
        paid = c.price[p] - self.reward - self.promo

        self.failure = svc.enabled and rules.happens(u[0], tb.failure_rate[p])
        self.contacts = self.human = 0
        self.high_effort = disloyal = recovered = False
        if svc.enabled and rules.happens(u[1], svc.question_rate + self.failure * svc.contact_given_failure):
            complex_issue = rules.happens(u[2], svc.complex_share) and self.prefers_human
            pushed = complex_issue and bool(tb.digital_only[p])
            steps = rules.contact_steps(u[3], tb.steps_mean[p])
            switched = rules.happens(u[4], tb.channel_switch[p]) or pushed
            repeat_p = 1.0 - (1.0 - tb.repeat_contact[p]) * (1.0 - pushed * svc.digital_only_repeat)
            repeated = rules.happens(u[5], repeat_p)
            effort = rules.effort_score(steps, switched, repeated, svc.steps_threshold, svc.switch_effort,
                                        svc.repeat_effort)
            self.high_effort = effort > self.tolerance
            disloyal = rules.happens(u[6], rules.disloyalty_probability(
                self.high_effort, svc.disloyal_high_effort, svc.disloyal_low_effort))
            recovered = self.failure and rules.happens(u[7], tb.resolution[p]) and not self.high_effort
            self.contacts = 1 + repeated
            self.human = self.contacts if complex_issue and not pushed else 0
        self.disloyal = disloyal

        self.offer = relevant = spam = False
        if off.enabled and rules.happens(u[8], tb.offer_rate[p]):
            self.offer = True
            relevant = rules.happens(u[9], tb.offers_relevant[p])
            spam = not relevant
        proactive = tb.proactive[p] if off.enabled else 0.0
        gap = rules.experience_gap(
            tb.quality[p], self.expectation, self.failure, recovered, self.contacts > 0, tb.delight[p], proactive,
            relevant, svc.failure_loss, svc.recovery_gain, svc.delight_effect, off.proactive_gain,
            off.proactive_mitigation, off.relevant_gain)
        self.confirmed = rules.happens(u[10], rules.confirm_probability(
            gap, s.response.shortfall_slope, s.response.meet_level, s.response.exceed_gain, s.response.exceed_scale))

        pressure = 0.0
        sens = self.sensitivity * c.price_multiplier
        if po.enabled:
            value = rules.perceived_value(s.market.reference_price, gap, s.response.value_per_gap)
            pressure += rules.invoice_pressure(paid, value, sens, s.market.reference_price, po.invoice_weight)
            if rules.happens(u[11], po.comparison_site_rate):
                seen = c.best_alternative[p]
            elif rules.happens(u[11], po.comparison_site_rate + c.ad_seen[p]):
                seen = c.new_customer_price[rules.pick(c.ad_weights[p], u[12])]
            else:
                seen = paid
            pressure += rules.price_gap_pressure(paid, seen, sens, s.market.reference_price, po.ad_weight)
            sees_promo = rules.happens(u[13], po.promo_visibility) and self.tenure >= tb.promo_months[p]
            pressure += sees_promo * po.promo_unfairness * tb.promo_discount[p] * sens
            pressure += rules.price_change_pressure(c.notice_active[p], c.lands_unannounced[p], c.rise[p], sens,
                                                    po.notice_weight, po.unexplained_rise_weight)
            if rules.happens(u[14], po.bill_shock_rate):
                pressure += po.bill_shock_weight
        if s.payment.enabled:
            pressure += m.friction[self.channel]
        if s.word_of_mouth.enabled:
            bad_in, good_in = m.inbox_bad[self.index], m.inbox_good[self.index]
            wom = s.word_of_mouth
            pressure += wom.weight_bad * bad_in[p] + wom.weight_good * (good_in.sum() - good_in[p])
        pressure += spam * off.spam_hazard + disloyal * svc.disloyal_hazard
        self.pressure = pressure
        self.advantage = (paid - c.best_alternative[p]) / s.market.reference_price * sens
        self.bad = (self.failure and not recovered) or disloyal
        self.good = recovered or (self.confirmed and gap > 0)
        self.paid_list = c.price[p]

    # Phase 2: decide (still reads nothing that others change this month).
    def decide(self) -> None:
        m, s, u = self.model, self.model.spec, self.u
        self.move_to = self.provider
        self.exits = False
        wom = s.word_of_mouth
        if self.provider == PROSPECT:
            good_in = m.inbox_good[self.index] if wom.enabled else np.zeros(len(m.table))
            hazard = s.market.entry_rate + wom.referral_strength * good_in.sum()
            if rules.happens(u[15], rules.hazard_probability(hazard)):
                weights = s.market.entry_rate * m.conditions.entry
                self.move_to = int(rules.pick(weights + wom.referral_strength * good_in, u[16]))
            return
        ladder, po = s.ladder, s.phase_out
        self.next_stage = self.stage
        if ladder.enabled:
            self.next_stage = int(rules.stage_after(self.stage, u[17], self.confirmed, self.bad, ladder.promote_chosen,
                                                    ladder.promote_rechosen, ladder.demote_on_bad))
        self.next_looking = self.looking
        self.retention = False
        leaves = False
        if po.enabled and self.looking:
            self.retention = rules.happens(u[18], m.levers.retention_offers[self.provider])
            if self.retention or (self.confirmed and not self.bad and rules.happens(u[25], po.calm_down)):
                self.next_looking = False
            elif m.window_open(self.tenure):
                leaves = rules.happens(u[19], rules.leave_probability(
                    self.advantage, po.switch_rate, po.advantage_weight, s.rewards.enabled and self.binding_left > 0,
                    s.rewards.enabled and self.bundled, s.rewards.binding_lock, s.rewards.bundle_lock))
        elif po.enabled:
            hazard = rules.look_hazard(self.pressure, po.base_attention, ladder.resistance[self.stage])
            self.next_looking = rules.happens(u[18], rules.hazard_probability(hazard))
        self.started_looking = self.next_looking and not self.looking
        life = self.life_churn
        if u[20] < life:
            leaves = True
        elif u[20] < life + s.market.exit_rate:
            self.exits = True
        if leaves and not self.exits:
            weights = m.conditions.choice * (1.0 + wom.referral_pull * m.inbox_good[self.index]) if wom.enabled \
                else m.conditions.choice.copy()
            weights[self.provider] = 0.0
            self.move_to = int(rules.pick(weights, u[21]))
        self.tells_bad = wom.enabled and self.bad and rules.happens(u[16], wom.tell_bad)
        recommend = wom.ambassador_rate * wom.recommend_by_stage[self.stage]
        self.tells_good = wom.enabled and not self.tells_bad and (
            (self.good and rules.happens(u[16], wom.tell_good)) or rules.happens(u[15], recommend))

    # Phase 3: apply the decision and pass on the month's word of mouth.
    def apply(self) -> None:
        m, s = self.model, self.model.spec
        p = self.provider
        if p == PROSPECT:
            if self.move_to != PROSPECT:
                self._join(self.move_to)
                m.tally[T.entered, self.move_to] += 1
                m.tally[T.acquired, self.move_to] += 1
            return
        tally = m.tally[:, p]
        tally[T.failures] += self.failure
        tally[T.contacts] += self.contacts
        tally[T.human_contacts] += self.human
        tally[T.contacted] += self.contacts > 0
        tally[T.high_effort] += self.contacts > 0 and self.high_effort
        tally[T.disloyal] += self.disloyal
        tally[T.disloyal_high] += self.disloyal and self.high_effort
        tally[T.started_looking] += self.started_looking
        tally[T.revenue] += self.paid_list
        tally[T.reward_cost] += self.reward
        tally[T.promo_cost] += self.promo
        tally[T.delight_units] += self.contacts * m.levers.delight[p]
        tally[T.offers] += self.offer
        tally[T.retention_efforts] += self.retention
        tally[T.paper_invoices] += self.channel == PAPER
        self._tell(p)
        if self.exits:
            tally[T.churned] += 1
            tally[T.exited] += 1
            self.provider, self.stage, self.looking, self.stayed = PROSPECT, 0, False, False
            self.binding_left, self.bundled = 0, False
            return
        if self.move_to != p:
            tally[T.churned] += 1
            tally[T.switched_out] += 1
            m.tally[T.acquired, self.move_to] += 1
            self._join(self.move_to)
            return
        self.stage, self.looking = self.next_stage, self.next_looking
        self.tenure += 1
        if s.rewards.enabled and self.binding_left > 0:
            self.binding_left -= 1
            if self.binding_left == 0 and rules.happens(self.u[22], m.levers.binding_uptake[p]):
                self.binding_left = int(m.levers.binding_months[p])
        if self.channel == PAPER and rules.happens(self.u[24], m.levers.digital_push[p]):
            self.channel = E_INVOICE

    def _join(self, provider: int) -> None:
        s, tb = self.model.spec, self.model.levers
        self.provider, self.stage, self.looking, self.tenure = provider, 0, False, 0
        self.stayed = False
        bound = s.rewards.enabled and rules.happens(self.u[22], tb.binding_uptake[provider])
        self.binding_left = int(tb.binding_months[provider]) if bound else 0
        self.bundled = s.rewards.enabled and rules.happens(self.u[23], tb.bundle_share[provider])

    def _tell(self, p: int) -> None:
        m = self.model
        wom = m.spec.word_of_mouth
        if not (self.tells_bad or self.tells_good):
            return
        reach = wom.reach_bad if self.tells_bad else wom.reach_good
        who = m.recipients(self, int(m.rng.poisson(reach)))
        inbox = m.next_bad if self.tells_bad else m.next_good
        np.add.at(inbox[:, p], who, 1.0)
        m.tally[T.wom_bad if self.tells_bad else T.wom_good, p] += 1
        m.tally[T.wom_bad_reached if self.tells_bad else T.wom_good_reached, p] += len(who)
