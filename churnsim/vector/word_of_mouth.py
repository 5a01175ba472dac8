"""Word of mouth: who tells, to whom, what a message does to its recipient, and news of defections.

A teller's recipients are offsets into its CSR row drawn with integer arithmetic
(``_deliver``). The hazard a message adds to its recipient's next month depends on its
subject and on one byte of the recipient (provider and ladder weight, the ``listener``
column), so it is read from a small table (``_charge_tables``) and charged to the
recipient's clock at delivery. The month's good messages are kept as a list: only next
month's choosers read theirs (``_heard_good``), so there is no inbox per customer.

A leaver's acquaintances hear of the defection next month (``_defection_news``) and are
exposed to defections from their own provider (``_expose``).
"""

from __future__ import annotations

import numpy as np

from churnsim import rules
from churnsim.vector.sampling import EMPTY, below, poisson_counts, threshold, uniform_offsets
from churnsim.vector.state import WEIGHT_CLASSES, Month, Plan, Shard, VectorState, _count
from churnsim.world.metrics import T

Message = tuple[np.ndarray, np.ndarray, tuple[np.ndarray, np.ndarray] | None]  # charged, charges, good news
Tellers = list[tuple[np.ndarray, np.ndarray, float, T]]  # per kind of news: tellers, their providers, reach, tally row


class WordOfMouth(VectorState):
    """Tellers, the delivery of their messages, good news heard, and defections heard of."""

    listeners: int  # values of the listener byte: (P + 1) * WEIGHT_CLASSES
    charge_of: dict[T, np.ndarray]  # per kind of news, the hazard a message adds (``_charge_tables``)
    good_news: tuple[np.ndarray, ...]  # last month's good messages: recipient, charge key
    left_news: tuple[np.ndarray, ...]  # last month's leavers' acquaintances and the provider left
    mark: np.ndarray  # bool (N,): scratch for ``_heard_good``, left all False

    def _charge_tables(self) -> dict[T, np.ndarray]:
        """Per kind of news, the hazard a message adds, by the provider it is about and the listener.

        Flattened: read at about * ``listeners`` + listener, the key ``_deliver`` forms per message.

        Bad news charges its weight times the listener's resistance if it is about the listener's own
        provider; good news about another provider, and a referral to a prospect.
        """
        wom, nprov = self.spec.word_of_mouth, self.providers
        listener = np.arange(self.listeners)
        own, about = listener // WEIGHT_CLASSES - 1, np.arange(nprov)[:, None]
        resistance = np.append(self.resistance, np.float32(0.0))[listener % WEIGHT_CLASSES]
        own_news = (about == own).astype(np.float32)  # 1: the message is about the listener's own provider
        none = np.zeros_like(own_news)
        bad = resistance * rules.word_of_mouth_pressure(own_news, none, wom)
        good = resistance * rules.word_of_mouth_pressure(none, 1 - own_news, wom) + np.float32(
            wom.referral_strength) * (own < 0)
        return {T.wom_bad: bad.ravel(), T.wom_good: good.ravel()}

    def _heard_by_shard(self, plans: list[Plan]) -> list[np.ndarray]:
        """Per shard, the good news each of its choosers heard (``_heard_good``), by provider.

        Every shard's choosers are counted in one pass over last month's messages: a pass per
        shard would read every message once for each shard.
        """
        choosers = [plan.choosers + z.lo for z, plan in zip(self.shards, plans, strict=True)]
        heard = self._heard_good(np.concatenate(choosers))
        return np.split(heard, np.cumsum([len(c) for c in choosers[:-1]]))

    def _tell(self, z: Shard, tellers: Tellers) -> list[Message]:
        """The shard's tellers' messages, bad news first."""
        return [self._deliver(z, told + z.lo, about, reach, kind) for told, about, reach, kind in tellers]

    def _defection_news(self, z: Shard, leavers: np.ndarray, left: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Who hears of the month's leavers (every acquaintance; mean-degree random people if fully mixed)."""
        wom, csr = self.spec.word_of_mouth, self.csr
        if not wom.enabled or not len(leavers):
            return EMPTY, np.zeros(0, np.int8)
        if csr is None:
            told = self.spec.network.mean_degree
            return z.rng.integers(0, self.population_size, len(leavers) * told), np.repeat(left, told)
        start = csr.indptr[leavers + z.lo]
        degree = csr.indptr[leavers + z.lo + 1] - start
        offsets = np.arange(int(degree.sum())) - np.repeat(np.cumsum(degree) - degree, degree)
        return csr.indices[np.repeat(start, degree) + offsets].astype(np.intp), np.repeat(left, degree)

    def _expose(self) -> None:
        """Last month's leavers' acquaintances hear of it: exposure to defections from one's own provider."""
        recipients, left = self.left_news
        heard = np.bincount(recipients[self.provider[recipients] == left], minlength=self.population_size)
        # a float32 column times a Python float stays float32 (numpy's weak scalars)
        self.exposure[:] = rules.exposure_after(self.exposure, heard.astype(np.float32),
                                                self.spec.word_of_mouth.defection_decay)
        if self.event_frames is not None:
            self.heard_left[:] = heard

    def _heard_good(self, idx: np.ndarray) -> np.ndarray:
        """(len(idx), P): good messages each of ``idx`` (distinct customers) heard last month, by provider.

        Only the few customers choosing a provider read them, so last month's messages are
        kept as a list and counted for those customers alone.
        """
        if not len(idx):
            return np.zeros((0, self.providers), np.float32)
        heard, key = self.good_news
        self.mark[idx] = True
        hit = np.flatnonzero(self.mark[heard])
        self.mark[idx] = False
        order = np.argsort(idx)
        rows = order[np.searchsorted(idx, heard[hit], sorter=order)]
        counts = np.bincount(rows * self.providers + key[hit] // self.listeners, minlength=len(idx) * self.providers)
        return counts.reshape(len(idx), self.providers).astype(np.float32)

    def _tellers(self, z: Shard, m: Month) -> Tellers:
        """U.tell below tell_bad (bad news) or, failing that, below tell_good (good news); U.sign_up for ambassadors."""
        wom, rng, n = self.spec.word_of_mouth, z.rng, z.n
        if not wom.enabled:
            return []
        good = m.confirmed & m.pleased
        good |= m.recovered
        tells = m.u16 < threshold(wom.tell_good)
        tells &= good
        tells &= ~m.bad
        bad_idx = m.bad_idx  # their U.tell is drawn afresh: it must also be compared with tell_bad
        u = rng.random(len(bad_idx))
        tells_bad = rules.happens(u, wom.tell_bad)
        tells[bad_idx[~tells_bad & good[bad_idx] & rules.happens(u, wom.tell_good)]] = True
        rates = np.asarray(wom.recommend_by_stage) * wom.ambassador_rate
        idx, u = below(rng, float(rates.max()), n)
        tells[idx[m.active[idx] & (u < rates[z.stage[idx]])]] = True
        tells[bad_idx[tells_bad]] = False
        bad_tellers, good_tellers = bad_idx[tells_bad], np.flatnonzero(tells)
        return [(bad_tellers, z.provider[bad_tellers], wom.reach_bad, T.wom_bad),
                (good_tellers, z.provider[good_tellers], wom.reach_good, T.wom_good)]

    def _deliver(self, z: Shard, tellers: np.ndarray, q: np.ndarray, reach: float, kind: T) -> Message:
        """Each teller tells Poisson(reach) random acquaintances (with replacement) about its provider.

        Returns the recipients a message charges and the hazard it adds to their next month
        (bad news about the recipient's own provider, good news about another, a referral to
        a prospect), to be charged now to their clocks from their state after this month,
        and for good news every message's recipient and key into the charge table (which holds
        its subject), kept for next month's choices (``_heard_good``). ``tellers`` are indices
        into the whole population.
        """
        rng, nprov, csr = z.rng, self.providers, self.csr
        counts = poisson_counts(rng, reach, len(tellers))
        if csr is not None:
            start = csr.indptr[tellers]
            degree = csr.indptr[tellers + 1] - start
            counts[degree == 0] = 0
            positions = uniform_offsets(rng, np.repeat(degree, counts))
            positions += np.repeat(start, counts)
            heard = csr.indices.take(positions).astype(np.intp)  # intp: every gather below would convert it
        else:
            heard = rng.integers(0, self.population_size, int(counts.sum()))
        qpi = q.astype(np.intp)
        z.tally[kind] = _count(qpi, nprov)
        z.tally[T.wom_bad_reached if kind == T.wom_bad else T.wom_good_reached] = _count(qpi, nprov, counts)
        key = np.repeat(q.astype(np.int16) * np.int16(self.listeners), counts)
        key += self.listener[heard]
        charge = self.charge_of[kind].take(key)
        charged = np.flatnonzero(charge != 0)  # most charge nothing; a bool mask is found ~10x faster than floats
        return heard[charged], charge[charged], None if kind == T.wom_bad else (heard, key)
