"""The month's experience: service failures, contacts and their effort, offers, the gap and confirmation.

Failures and offers are rare per-provider events found by thinning (``sampling.below``);
questions by one rate for all. Only the few customers with a failure, a contact or a
relevant offer have a gap other than their provider's quiet one, so only theirs is
computed; the others' confirmation threshold and sign of the gap are cached
(``Pressure._refresh_gap``).
"""

from __future__ import annotations

import numpy as np

from churnsim import rules
from churnsim.vector.sampling import EMPTY, below, bernoulli_indices, threshold, uniform32
from churnsim.vector.state import Month, Shard, VectorState, _count
from churnsim.world.metrics import T


class Service(VectorState):
    """Sense: what the month's service and offers did to each customer's experience."""

    proactive: np.ndarray  # per provider and a prospect's entry: proactive communication, 0 with offers off

    def _sense(self, z: Shard) -> Month:
        """Failures and contacts (U.failure to U.resolved), offers, the experience gap and confirmation (U.confirm)."""
        s, rng, lv, tally = self.spec, z.rng, self.lever, z.tally
        n, nprov, prov = z.n, self.providers, z.provider
        svc, off, resp = s.service, s.offers, s.response
        active = prov >= 0
        failed = np.zeros(n, bool)
        resolved = np.zeros(n, bool)
        low_effort = np.zeros(n, bool)
        bad = np.zeros(n, bool)
        contact_idx, disloyal, high = EMPTY, np.zeros(0, bool), np.zeros(0, bool)
        fail_idx = EMPTY
        if svc.enabled:
            idx, u = below(rng, float(lv["failure_rate"].max()), n)
            fail_idx = idx[u < lv["failure_rate"][prov[idx]]]
            failed[fail_idx] = True
            idx = bernoulli_indices(rng, svc.question_rate, n)
            asks = idx[active[idx] & ~failed[idx]]
            also = rules.happens(rng.random(len(fail_idx)), rules.contact_probability(True, svc))
            contact_idx = np.concatenate([asks, fail_idx[also]])
            pc = prov[contact_idx].astype(np.intp)
            u = rng.random((6, len(contact_idx)))
            complex_issue = rules.happens(u[0], svc.complex_share) & z.prefers_human[contact_idx]
            pushed = complex_issue & (lv["digital_only"][pc] > 0)
            steps = rules.contact_steps(u[1], lv["steps_mean"][pc])
            switched = rules.happens(u[2], lv["channel_switch"][pc]) | pushed
            repeat_p = rules.repeat_probability(lv["repeat_contact"][pc], pushed, svc)
            repeated = rules.happens(u[3], repeat_p)
            high = rules.effort_score(steps, switched, repeated, svc) > z.tolerance[contact_idx]
            disloyal = rules.happens(u[4], rules.disloyalty_probability(high, svc))
            resolved[contact_idx] = rules.happens(u[5], lv["resolution"][pc])
            low_effort[contact_idx] = ~high
            contacts = 1.0 + repeated
            tally[T.contacts] = _count(pc, nprov, contacts)
            tally[T.human_contacts] = _count(pc, nprov, np.where(complex_issue & ~pushed, contacts, 0.0))
            tally[T.contacted] = _count(pc, nprov)
            tally[T.high_effort] = _count(pc[high], nprov)
            tally[T.disloyal] = _count(pc[disloyal], nprov)
            tally[T.disloyal_high] = _count(pc[disloyal & high], nprov)
            tally[T.delight_units] = tally[T.contacts] * self.table.delight
            tally[T.failures] = _count(prov[fail_idx], nprov)
        offer_idx, relevant = EMPTY, np.zeros(0, bool)
        if off.enabled:
            idx, u = below(rng, float(lv["offer_rate"].max()), n)
            offer_idx = idx[u < lv["offer_rate"][prov[idx]]]
            relevant = rules.happens(rng.random(len(offer_idx)), lv["offers_relevant"][prov[offer_idx]])
            tally[T.offers] = _count(prov[offer_idx], nprov)

        # the gap of customers with a failure, a contact or a relevant offer differs from the cached one
        is_relevant = np.zeros(n, bool)
        is_relevant[offer_idx[relevant]] = True
        is_contact = np.zeros(n, bool)
        is_contact[contact_idx] = True
        event_idx = np.flatnonzero(failed | is_contact | is_relevant)
        pe = prov[event_idx].astype(np.intp)
        solved = resolved[event_idx]
        event_gap = rules.experience_gap(lv["quality"][pe], z.expectation[event_idx], rules.Experience(
            failed[event_idx], solved, low_effort[event_idx], solved * self.closure[pe], self.proactive[pe],
            is_relevant[event_idx]), svc, off)
        recovered = np.zeros(n, bool)
        recovered[event_idx] = rules.recovered(failed[event_idx], solved, event_gap)
        bad[fail_idx] = ~recovered[fail_idx]
        bad[contact_idx[disloyal]] = True
        u10, u16 = uniform32(z.rng, n), uniform32(z.rng, n)
        confirmed = u10 < z.conf
        confirmed[event_idx] = u10[event_idx] < threshold(rules.confirm_probability(event_gap, resp))
        pleased = z.pleased.copy()
        pleased[event_idx] = event_gap > 0
        return Month(active=active, bad=bad, bad_idx=np.flatnonzero(bad), recovered=recovered, confirmed=confirmed,
                     pleased=pleased, u16=u16, fail_idx=fail_idx, contact_idx=contact_idx, high=high,
                     disloyal=disloyal, offer_idx=offer_idx, relevant=relevant, event_idx=event_idx,
                     event_gap=event_gap)
