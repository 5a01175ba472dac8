"""One customer as a Mesa agent: what it senses, decides and does in a month.

The reference engine: readable, one object per customer, each calling the rules of
``churnsim.rules`` on its own plain numbers. The vector engine applies the same rules to
whole columns in the same order (``churnsim.vector``).
"""

from __future__ import annotations

from enum import IntEnum
from typing import TYPE_CHECKING

import numpy as np
from mesa.discrete_space import FixedAgent

from churnsim import rules
from churnsim.metrics import T
from churnsim.population import PROSPECT

if TYPE_CHECKING:
    from churnsim.model import AgentChurnModel

PAPER, E_INVOICE = 0, 1
STAY, SWITCHED, MOVED, EXITED = 0, 1, 2, 3  # how a customer left its provider this month


class U(IntEnum):
    """A customer's uniforms of a month, one row of the model's draw; some serve two exclusive decisions."""

    failure = 0
    contact = 1
    complex_issue = 2
    steps = 3
    channel_switch = 4
    repeat = 5
    disloyal = 6
    resolved = 7
    offer = 8
    relevant = 9
    confirm = 10
    price_seen = 11  # a comparison site, else a rival's ad
    whose_ad = 12
    promo_seen = 13
    attention = 14
    sign_up = 15  # a prospect signs up; a customer recommends unprompted
    tell = 16  # a customer tells its news; a prospect picks its provider
    ladder = 17
    look = 18  # a settled customer starts looking; a looking one is reached by a retention effort
    leave = 19
    life = 20
    destination = 21
    binding = 22  # binding at signing, or renewal at expiry
    bundle = 23
    digital_push = 24
    calm = 25
    saved = 26
    offer_calms = 27


DRAWS = len(U)


class Customer(FixedAgent):
    """A household with one subscription, on the loyalty ladder of its current provider."""

    model: AgentChurnModel

    def __init__(self, model: AgentChurnModel, index: int, state: dict[str, object]) -> None:
        super().__init__(model)
        self.index = index
        self.neighbours: np.ndarray = np.empty(0, np.int64)
        self.exposure = 0.0  # acquaintances' defections from the provider, fading (rules.exposure_after)
        self.susceptibility = 1.0
        for name, value in state.items():
            setattr(self, name, value)

    # Phase 1: sense this month's touchpoints (reads only own state and last month's messages).
    def sense(self) -> None:
        m = self.model
        self.u = u = m.draws[self.index]
        self.bad = self.good = self.attentive = self.offer = self.relevant = False
        self.heard_left = 0.0
        self.contacts = self.human = 0
        self.failure = self.high_effort = self.disloyal = False
        if self.provider == PROSPECT:
            return
        s, c = m.spec, m.facts
        p = self.provider
        self.reward, self.promo, self.paid = rules.price_components(
            c.price[p], self.tenure, self.binding_left > 0, m.terms[p], s.rewards)
        gap = self._service_and_offers(u, p)
        self.confirmed = u[U.confirm] < rules.confirm_probability(gap, s.response)
        self.good = self.recovered or (self.confirmed and gap > 0)
        self.sens = self.sensitivity * c.price_multiplier
        self.advantage = rules.advantage(self.paid * c.announced[p], c.best_alternative[p], self.sens,
                                         s.market.reference_price)
        self.pressure = self._pressure(u, p, gap)
        self._attention(u, p)

    def _service_and_offers(self, u: list[float], p: int) -> float:
        """Failure, service contact and its effort, offers: the month's experience gap (sets bad and recovered)."""
        s, tb = self.model.spec, self.model.levers
        svc, off = s.service, s.offers
        self.failure = svc.enabled and u[U.failure] < tb.failure_rate[p]
        resolved = low_effort = False
        if svc.enabled and u[U.contact] < svc.question_rate + self.failure * svc.contact_given_failure:
            complex_issue = u[U.complex_issue] < svc.complex_share and self.prefers_human
            pushed = complex_issue and tb.digital_only[p] > 0
            steps = rules.contact_steps(u[U.steps], tb.steps_mean[p])
            switched = u[U.channel_switch] < tb.channel_switch[p] or pushed
            repeated = u[U.repeat] < 1.0 - (1.0 - tb.repeat_contact[p]) * (1.0 - pushed * svc.digital_only_repeat)
            self.high_effort = rules.effort_score(steps, switched, repeated, svc) > self.tolerance
            low_effort = not self.high_effort
            self.disloyal = u[U.disloyal] < rules.disloyalty_probability(self.high_effort, svc)
            resolved = u[U.resolved] < tb.resolution[p]
            self.contacts = 1 + repeated
            self.human = self.contacts if complex_issue and not pushed else 0
        if off.enabled and u[U.offer] < tb.offer_rate[p]:
            self.offer = True
            self.relevant = u[U.relevant] < tb.offers_relevant[p]
        month = rules.Experience(self.failure, resolved, low_effort, resolved * self.model.closure[p],
                                 tb.proactive[p] * off.enabled, self.relevant)
        gap = rules.experience_gap(tb.quality[p], self.expectation, month, svc, off)
        self.recovered = rules.recovered(self.failure, resolved, gap)
        self.bad = (self.failure and not self.recovered) or self.disloyal
        return gap

    def _pressure(self, u: list[float], p: int, gap: float) -> float:
        """The month's look-around hazard before the ladder's damping: the phase-out effect's pushes."""
        m = self.model
        s, c, tb = m.spec, m.facts, m.levers
        po, ref, sens = s.phase_out, s.market.reference_price, self.sens
        pressure = 0.0
        if po.enabled:
            value = rules.perceived_value(ref, gap, s.response.value_per_gap)
            pressure += rules.invoice_pressure(self.paid, value, sens, ref, po.invoice_weight)
            if u[U.price_seen] < po.comparison_site_rate:
                seen = c.best_alternative[p]
            elif u[U.price_seen] < po.comparison_site_rate + c.ad_seen[p]:
                seen = c.new_customer_price[rules.pick(c.ad_weights[p], u[U.whose_ad])]
            else:
                seen = self.paid
            pressure += rules.price_gap_pressure(self.paid, seen, sens, ref, po.ad_weight)
            if u[U.promo_seen] < po.promo_visibility and self.tenure >= tb.promo_months[p]:
                pressure += rules.unfair_promo_pressure(tb.promo_discount[p], sens, po.promo_unfairness)
            pressure += rules.price_change_pressure(c.notice_active[p], c.lands_unannounced[p], c.rise[p], sens, po)
        if s.payment.enabled:
            pressure += m.friction[self.channel]
        if s.word_of_mouth.enabled:
            wom, bad_in, good_in = s.word_of_mouth, m.inbox_bad[self.index], m.inbox_good[self.index]
            pressure += rules.word_of_mouth_pressure(bad_in[p], good_in.sum() - good_in[p], wom)
            self.heard_left = float(m.inbox_left[self.index, p])
            self.exposure = rules.exposure_after(self.exposure, self.heard_left, wom.defection_decay)
            pressure += rules.defection_pressure(self.exposure, self.susceptibility, wom.defection_weight)
        return pressure + (self.offer and not self.relevant) * s.offers.spam_hazard \
            + self.bad * s.service.bad_hazard

    def _attention(self, u: list[float], p: int) -> None:
        """Whether something this month makes the customer compare now: a notice, a surprise, a shock, talk, or
        the yearly renewal."""
        m = self.model
        if m.attending:
            hazard = m.facts.attention[p] + m.renewing(self.tenure) * m.spec.attention.renewal
            self.attentive = u[U.attention] < rules.hazard_probability(hazard * m.resistance[self.stage])

    # Phase 2: decide (still reads nothing that others change this month).
    def decide(self) -> None:
        m, s, u = self.model, self.model.spec, self.u
        self.move_to = self.provider
        self.left = STAY
        self.retention = self.saved = self.started_looking = False
        wom = s.word_of_mouth
        if self.provider == PROSPECT:
            self._sign_up(u)
            return
        ladder = s.ladder
        self.next_stage = self.stage
        if ladder.enabled:
            self.next_stage = int(rules.stage_after(self.stage, u[U.ladder], self.confirmed, self.bad, ladder))
        self.next_looking = self.looking
        leaves = self._look_or_leave(u) if s.phase_out.enabled else False
        if u[U.life] < self.life_churn:
            self.left = MOVED
        elif u[U.life] < self.life_churn + s.market.exit_rate:
            self.left = EXITED
        elif leaves:
            self.left = SWITCHED
        if self.left in (SWITCHED, MOVED):
            weights = m.conditions.choice * (1.0 + wom.referral_pull * m.inbox_good[self.index]) if wom.enabled \
                else m.conditions.choice.copy()
            weights[self.provider] = 0.0
            self.move_to = int(rules.pick(weights, u[U.destination]))
        self.tells_bad = wom.enabled and self.bad and u[U.tell] < wom.tell_bad
        recommend = wom.ambassador_rate * wom.recommend_by_stage[self.stage]
        self.tells_good = wom.enabled and not self.tells_bad and (
            (self.good and u[U.tell] < wom.tell_good) or u[U.sign_up] < recommend)

    def _sign_up(self, u: list[float]) -> None:
        """A prospect signs up through advertising or friends' recommendations (Bass), except in the burn-in."""
        m, wom = self.model, self.model.spec.word_of_mouth
        if m.burning:
            return
        good_in = m.inbox_good[self.index] if wom.enabled else np.zeros(len(m.table))
        hazard = m.spec.market.entry_rate + wom.referral_strength * good_in.sum()
        if u[U.sign_up] < rules.hazard_probability(hazard):
            weights = m.spec.market.entry_rate * m.conditions.entry
            self.move_to = int(rules.pick(weights + wom.referral_strength * good_in, u[U.tell]))

    def _look_or_leave(self, u: list[float]) -> bool:
        """The phase-out effect: start looking around, stop (calmed, saved) or leave; True to leave.

        A customer who starts looking compares at once and may leave in the same month; one made
        to compare who finds a deal worth taking acts with the attention's ``act``, or else starts
        looking around; a looking customer leaves at the base rate.
        """
        m, s = self.model, self.model.spec
        po, rw, att = s.phase_out, s.rewards, s.attention
        p = self.provider
        deal = self.attentive and self.advantage > att.min_saving
        if self.looking:
            self.retention = u[U.look] < m.levers.retention_offers[p]
            self.saved = self.retention and u[U.saved] < s.retention.save_share
            calmed = (self.confirmed and not self.bad and u[U.calm] < po.calm_down) or (
                self.relevant and u[U.offer_calms] < s.offers.relevant_calm)
            if self.saved or calmed:
                self.next_looking = False
                return False
        elif not deal:
            hazard = rules.look_hazard(self.pressure, po.base_attention, m.resistance[self.stage])
            if u[U.look] >= rules.hazard_probability(hazard):
                return False
        self.started_looking = not self.looking
        leaves = m.window_open(self.tenure) and u[U.leave] < rules.leave_probability(
            self.advantage, att.act if deal else po.switch_rate, po.advantage_weight, self.binding_left > 0,
            self.bundled, rw)
        self.next_looking = not leaves
        return leaves

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
        self._count(m.tally[:, p])
        self._tell(p)
        if self.left != STAY:
            self._leave(p)
            return
        self.stage, self.looking = self.next_stage, self.next_looking
        self.tenure += 1
        if s.rewards.enabled and self.binding_left > 0:
            self.binding_left -= 1
            if self.binding_left == 0 and self.u[U.binding] < m.levers.binding_uptake[p]:
                self.binding_left = int(m.levers.binding_months[p])
        if self.channel == PAPER and self.u[U.digital_push] < m.levers.digital_push[p]:
            self.channel = E_INVOICE

    def _count(self, tally: np.ndarray) -> None:
        """This month's events, counted for the customer's provider."""
        tally[T.failures] += self.failure
        tally[T.contacts] += self.contacts
        tally[T.human_contacts] += self.human
        tally[T.contacted] += self.contacts > 0
        tally[T.high_effort] += self.contacts > 0 and self.high_effort
        tally[T.disloyal] += self.disloyal
        tally[T.disloyal_high] += self.disloyal and self.high_effort
        tally[T.started_looking] += self.started_looking
        tally[T.attentive] += self.attentive
        tally[T.revenue] += self.model.facts.price[self.provider]
        tally[T.reward_cost] += self.reward
        tally[T.promo_cost] += self.promo
        tally[T.delight_units] += self.contacts * self.model.levers.delight[self.provider]
        tally[T.offers] += self.offer
        tally[T.retention_efforts] += self.retention
        tally[T.retention_saves] += self.saved
        tally[T.paper_invoices] += self.channel == PAPER

    def _leave(self, p: int) -> None:
        """Leave provider p: to another (switch or move), out of the market, or in the burn-in to a vacated place."""
        m = self.model
        m.defected(self, p)
        if m.burning:
            self._join(self.move_to)
            return
        tally = m.tally
        tally[T.churned, p] += 1
        if self.left == EXITED:
            tally[T.exited, p] += 1
            self.provider, self.stage, self.looking, self.stayed = PROSPECT, 0, False, False
            self.binding_left, self.bundled, self.exposure = 0, False, 0.0
            return
        tally[T.switched_out, p] += 1
        tally[T.acquired, self.move_to] += 1
        self._join(self.move_to)

    def _join(self, provider: int) -> None:
        s, tb = self.model.spec, self.model.levers
        self.provider, self.stage, self.looking, self.tenure = provider, 0, False, 0
        self.stayed, self.exposure = False, 0.0
        bound = s.rewards.enabled and self.u[U.binding] < tb.binding_uptake[provider]
        self.binding_left = int(tb.binding_months[provider]) if bound else 0
        self.bundled = s.rewards.enabled and self.u[U.bundle] < tb.bundle_share[provider]

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
