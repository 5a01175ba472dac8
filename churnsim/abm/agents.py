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
from churnsim.world.metrics import T
from churnsim.world.population import E_INVOICE, PAPER, PROSPECT

if TYPE_CHECKING:
    from churnsim.abm.model import AgentChurnModel

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
    """A household with one subscription, on the loyalty ladder of its current provider.

    A month has three phases, each run for every customer before the next (``AgentChurnModel.month``):
    ``sense`` the month's touchpoints, ``decide``, ``apply``. A customer reads its row of the
    month's uniforms (``U``), its provider's levers and the month's conditions as plain numbers.
    """

    model: AgentChurnModel
    # state, from the population's row (``population.Population``)
    provider: int  # PROSPECT outside the market
    stage: int  # rules.CHOSEN, RECHOSEN or EMBEDDED
    looking: bool
    tenure: int
    binding_left: int
    bundled: bool
    channel: int
    stayed: bool
    # traits
    sensitivity: float
    expectation: float
    tolerance: float
    prefers_human: bool
    life_churn: float
    segment: int
    initial_provider: int

    def __init__(self, model: AgentChurnModel, index: int, state: dict[str, object]) -> None:
        super().__init__(model)
        self.index = index
        self.neighbours: np.ndarray = np.empty(0, np.int64)
        self.exposure = 0.0  # acquaintances' defections from the provider, fading (rules.exposure_after)
        self.susceptibility = 1.0
        for name, value in state.items():
            setattr(self, name, value)

    def sense(self) -> None:
        """Phase 1: this month's touchpoints (reads only own state and last month's messages)."""
        self.u = u = self.model.draws[self.index]
        self.bad = self.good = self.attentive = self.offer = self.relevant = False
        self.heard_left = 0.0
        self.contacts = self.human = 0
        self.failure = self.high_effort = self.disloyal = False
        if self.provider == PROSPECT:
            return
        p = self.provider
        self._price(p)
        resolved, low_effort = self._service_contact(u, p)
        self._offer(u, p)
        gap = self._experience(u, p, resolved, low_effort)
        self.pressure = self._pressure(u, p, gap)
        self._attention(u, p)

    def _price(self, p: int) -> None:
        """The month's invoice (reward and promo discounts, the price paid) and what the best alternative saves."""
        m = self.model
        s, c = m.spec, m.facts
        self.reward, self.promo, self.paid = rules.price_components(
            c.price[p], self.tenure, self.binding_left > 0, m.terms[p], s.rewards)
        self.sens = self.sensitivity * c.price_multiplier
        self.advantage = rules.advantage(self.paid * c.announced[p], c.best_alternative[p], self.sens,
                                         s.market.reference_price)

    def _service_contact(self, u: list[float], p: int) -> tuple[bool, bool]:
        """A core failure, and a service contact with its effort (U.failure to U.resolved).

        Sets failure, high_effort, disloyal, contacts and human; returns whether a contact
        resolved the issue, and whether it took low effort.
        """
        svc, tb = self.model.spec.service, self.model.levers
        self.failure = svc.enabled and u[U.failure] < tb.failure_rate[p]
        if not (svc.enabled and u[U.contact] < rules.contact_probability(self.failure, svc)):
            return False, False
        complex_issue = u[U.complex_issue] < svc.complex_share and self.prefers_human
        pushed = complex_issue and tb.digital_only[p] > 0
        steps = rules.contact_steps(u[U.steps], tb.steps_mean[p])
        switched = u[U.channel_switch] < tb.channel_switch[p] or pushed
        repeated = u[U.repeat] < rules.repeat_probability(tb.repeat_contact[p], pushed, svc)
        self.high_effort = rules.effort_score(steps, switched, repeated, svc) > self.tolerance
        self.disloyal = u[U.disloyal] < rules.disloyalty_probability(self.high_effort, svc)
        self.contacts = 1 + repeated
        self.human = self.contacts if complex_issue and not pushed else 0
        return u[U.resolved] < tb.resolution[p], not self.high_effort

    def _offer(self, u: list[float], p: int) -> None:
        """An offer from the provider (U.offer), relevant (U.relevant) or else spam."""
        off, tb = self.model.spec.offers, self.model.levers
        if off.enabled and u[U.offer] < tb.offer_rate[p]:
            self.offer = True
            self.relevant = u[U.relevant] < tb.offers_relevant[p]

    def _experience(self, u: list[float], p: int, resolved: bool, low_effort: bool) -> float:
        """The month's experience gap; whether a failure was made good, the month bad, confirming (U.confirm), good."""
        m, s = self.model, self.model.spec
        off = s.offers
        month = rules.Experience(self.failure, resolved, low_effort, resolved * m.closure[p],
                                 m.levers.proactive[p] * off.enabled, self.relevant)
        gap = rules.experience_gap(m.levers.quality[p], self.expectation, month, s.service, off)
        self.recovered = rules.recovered(self.failure, resolved, gap)
        self.bad = (self.failure and not self.recovered) or self.disloyal
        self.confirmed = u[U.confirm] < rules.confirm_probability(gap, s.response)
        self.good = self.recovered or (self.confirmed and gap > 0)
        return gap

    def _pressure(self, u: list[float], p: int, gap: float) -> float:
        """The month's look-around hazard before the ladder's damping: price pushes, payment friction, word of
        mouth, a spam offer and a bad month."""
        s = self.model.spec
        pressure = self._price_pressure(u, p, gap) if s.phase_out.enabled else 0.0
        if s.payment.enabled:
            pressure += self.model.friction[self.channel]
        if s.word_of_mouth.enabled:
            pressure = self._word_of_mouth(p, pressure)
        return pressure + (self.offer and not self.relevant) * s.offers.spam_hazard \
            + self.bad * s.service.bad_hazard

    def _price_pressure(self, u: list[float], p: int, gap: float) -> float:
        """The phase-out effect's pushes: the invoice against the month's value, a rival's price seen (U.price_seen,
        U.whose_ad), the own promo seen (U.promo_seen), a price change."""
        m = self.model
        s, c, tb = m.spec, m.facts, m.levers
        po, ref, sens = s.phase_out, s.market.reference_price, self.sens
        value = rules.perceived_value(ref, gap, s.response.value_per_gap)
        pressure = rules.invoice_pressure(self.paid, value, sens, ref, po.invoice_weight)
        if u[U.price_seen] < po.comparison_site_rate:
            seen = c.best_alternative[p]
        elif u[U.price_seen] < po.comparison_site_rate + c.ad_seen[p]:
            seen = c.new_customer_price[rules.pick(c.ad_weights[p], u[U.whose_ad])]
        else:
            seen = self.paid
        pressure += rules.price_gap_pressure(self.paid, seen, sens, ref, po.ad_weight)
        if u[U.promo_seen] < po.promo_visibility and self.tenure >= tb.promo_months[p]:
            pressure += rules.unfair_promo_pressure(tb.promo_discount[p], sens, po.promo_unfairness)
        return pressure + rules.price_change_pressure(c.notice_active[p], c.lands_unannounced[p], c.rise[p], sens, po)

    def _word_of_mouth(self, p: int, pressure: float) -> float:
        """``pressure`` plus last month's messages and acquaintances' defections (sets heard_left and exposure)."""
        m, wom = self.model, self.model.spec.word_of_mouth
        bad_in, good_in = m.inbox_bad[self.index], m.inbox_good[self.index]
        pressure += rules.word_of_mouth_pressure(bad_in[p], good_in.sum() - good_in[p], wom)
        self.heard_left = float(m.inbox_left[self.index, p])
        self.exposure = rules.exposure_after(self.exposure, self.heard_left, wom.defection_decay)
        return pressure + rules.defection_pressure(self.exposure, self.susceptibility, wom.defection_weight)

    def _attention(self, u: list[float], p: int) -> None:
        """Whether something this month makes the customer compare now (U.attention): a notice, a surprise, a
        shock, talk, or the yearly renewal."""
        m = self.model
        if m.attending:
            hazard = rules.attention_hazard(m.facts.attention[p], m.renewing(self.tenure), m.resistance[self.stage],
                                            m.spec.attention.renewal)
            self.attentive = u[U.attention] < rules.hazard_probability(hazard)

    def decide(self) -> None:
        """Phase 2: climb or slip on the ladder, look around or leave, tell (reads nothing others change this month)."""
        s, u = self.model.spec, self.u
        self.move_to = self.provider
        self.left = STAY
        self.retention = self.saved = self.started_looking = False
        if self.provider == PROSPECT:
            self._sign_up(u)
            return
        self.next_stage = self.stage
        if s.ladder.enabled:
            self.next_stage = int(rules.stage_after(self.stage, u[U.ladder], self.confirmed, self.bad, s.ladder))
        self.next_looking = self.looking
        leaves = self._look_or_leave(u) if s.phase_out.enabled else False
        self.left = self._how_left(u, leaves)
        if self.left in (SWITCHED, MOVED):
            self.move_to = self._destination(u)
        self._tells(u)

    def _how_left(self, u: list[float], leaves: bool) -> int:
        """A life event (U.life) moves the customer to another provider or out of the market, whatever it
        decided; else it switches if it decided to leave."""
        if u[U.life] < self.life_churn:
            return MOVED
        if u[U.life] < self.life_churn + self.model.spec.market.exit_rate:
            return EXITED
        return SWITCHED if leaves else STAY

    def _sign_up(self, u: list[float]) -> None:
        """A prospect signs up through advertising or friends' recommendations (Bass), except in the burn-in."""
        m, wom = self.model, self.model.spec.word_of_mouth
        if m.burning:
            return
        good_in = m.inbox_good[self.index] if wom.enabled else np.zeros(len(m.table))
        entry_rate, strength = m.spec.market.entry_rate, wom.referral_strength
        if u[U.sign_up] < rules.hazard_probability(rules.sign_up_hazard(1.0, good_in.sum(), entry_rate, strength)):
            weights = rules.sign_up_hazard(m.conditions.entry, good_in, entry_rate, strength)
            self.move_to = int(rules.pick(weights, u[U.tell]))

    def _look_or_leave(self, u: list[float]) -> bool:
        """The phase-out effect: start looking around, stop (calmed, saved) or leave; True to leave.

        A customer who starts looking compares at once and may leave in the same month; one made
        to compare who finds a deal worth taking acts with the attention's ``act``, or else starts
        looking around; a looking customer leaves at the base rate.
        """
        m, s = self.model, self.model.spec
        po, att = s.phase_out, s.attention
        deal = self.attentive and self.advantage > att.min_saving
        if self.looking:
            if self._stops_looking(u):
                self.next_looking = False
                return False
        elif not deal:
            hazard = rules.look_hazard(self.pressure, po.base_attention, m.resistance[self.stage])
            if u[U.look] >= rules.hazard_probability(hazard):
                return False
        self.started_looking = not self.looking
        leaves = m.window_open(self.tenure) and u[U.leave] < rules.leave_probability(
            self.advantage, att.act if deal else po.switch_rate, po.advantage_weight, self.binding_left > 0,
            self.bundled, s.rewards)
        self.next_looking = not leaves
        return leaves

    def _stops_looking(self, u: list[float]) -> bool:
        """A looking customer is kept by a retention effort (U.look, U.saved), or calms down after a confirming
        month (U.calm) or a relevant offer (U.offer_calms)."""
        m, s = self.model, self.model.spec
        self.retention = u[U.look] < m.levers.retention_offers[self.provider]
        self.saved = self.retention and u[U.saved] < s.retention.save_share
        calmed = (self.confirmed and not self.bad and u[U.calm] < s.phase_out.calm_down) or (
            self.relevant and u[U.offer_calms] < s.offers.relevant_calm)
        return self.saved or calmed

    def _destination(self, u: list[float]) -> int:
        """Where a leaver goes (U.destination): by the providers' attraction, tilted by friends' recommendations."""
        m, wom = self.model, self.model.spec.word_of_mouth
        weights = rules.referral_choice(m.conditions.choice, m.inbox_good[self.index], wom.referral_pull) \
            if wom.enabled else m.conditions.choice.copy()
        weights[self.provider] = 0.0
        return int(rules.pick(weights, u[U.destination]))

    def _tells(self, u: list[float]) -> None:
        """Whether the customer tells others (U.tell): bad news after a bad month, else good news after a good one,
        or unprompted as an ambassador of its provider (U.sign_up)."""
        wom = self.model.spec.word_of_mouth
        self.tells_bad = wom.enabled and self.bad and u[U.tell] < wom.tell_bad
        recommend = wom.ambassador_rate * wom.recommend_by_stage[self.stage]
        self.tells_good = wom.enabled and not self.tells_bad and (
            (self.good and u[U.tell] < wom.tell_good) or u[U.sign_up] < recommend)

    def apply(self) -> None:
        """Phase 3: apply the decision and pass on the month's word of mouth."""
        m = self.model
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
        else:
            self._stay(p)

    def _stay(self, p: int) -> None:
        """Another month with provider p: the decided stage and looking around, tenure, the binding contract run
        down and maybe renewed (U.binding), a paper invoice maybe moved to e-invoice (U.digital_push)."""
        m = self.model
        self.stage, self.looking = self.next_stage, self.next_looking
        self.tenure += 1
        if m.spec.rewards.enabled and self.binding_left > 0:
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
