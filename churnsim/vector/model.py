"""``VectorChurnModel``: set-up, and the month as three phases over shards run side by side.

A population of more than ``SHARD`` customers is cut into equal shards, each with its own
random stream spawned from the model's. The rules touch a shard's own customers only, so
the shards' months run side by side on threads (numpy lets go of the interpreter lock in
its loops); what crosses shards, the good news a chooser heard and the messages charged to
recipients' clocks, is handled between the phases in shard order. The shards follow from
the population size alone, so the outputs are the same for any number of threads.

The mechanisms are mixin classes over the shared state (``state.VectorState``): ``Service``
senses, ``Pressure`` keeps the cached hazards and runs the clocks, ``Moves`` (built on
``Pressure``, whose caches its changes refresh) decides and applies, ``WordOfMouth`` tells.
This class composes them: set-up, and the month's phases over the shards.
"""

from __future__ import annotations

import builtins
import functools
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, ThreadPoolExecutor
from contextlib import nullcontext

import numpy as np

from churnsim import rules
from churnsim.vector.moves import Moves
from churnsim.vector.pressure import CHUNK
from churnsim.vector.sampling import EMPTY
from churnsim.vector.service import Service
from churnsim.vector.state import WEIGHT_CLASSES, Plan, Shard, _count
from churnsim.vector.word_of_mouth import Tellers, WordOfMouth
from churnsim.world import metrics
from churnsim.world.market import reshuffle
from churnsim.world.metrics import T
from churnsim.world.population import Population

SHARD = 1 << 19  # customers per shard at most: a larger population is cut into shards that can run side by side


class VectorChurnModel(Service, WordOfMouth, Moves):
    """Vector engine: the same model as ``AgentChurnModel``, one numpy column per customer attribute."""

    engine = "vector"

    # ------------------------------------------------------------------ set-up
    def setup(self, population: Population) -> None:
        s, n, nprov = self.spec, len(population), self.providers
        self.provider = population.provider.astype(np.int8)
        self.stage = population.stage.astype(np.int8)
        self.looking = population.looking.astype(bool)
        self.tenure = population.tenure.astype(np.int16)
        self.binding_left = population.binding_left.astype(np.int16)
        self.bundled = population.bundled.astype(bool)
        self.channel = population.channel.astype(np.int8)
        self.sensitivity = population.sensitivity.astype(np.float32)
        self.expectation = population.expectation.astype(np.float32)
        self.tolerance = population.tolerance.astype(np.float32)
        self.prefers_human = population.prefers_human.astype(bool)
        self.life_churn = population.life_churn.astype(np.float32)
        self.stayed = population.stayed.astype(bool)
        # U.look of customers not looking and U.sign_up of prospects share one clock (one use a month)
        self.clock = self.rng.standard_exponential(n, dtype=np.float32)
        # U.life: life events (switch, or exit the category) run on a clock of constant hazard (0 for prospects)
        self.life_hazard = np.zeros(n, np.float32)
        self.life_clock = self.rng.standard_exponential(n, dtype=np.float32)

        self.exposure = np.zeros(n, np.float32)  # acquaintances' defections from the provider, fading
        self.heed = self.susceptibility.astype(np.float32)  # how much each customer heeds a defection
        self.heard_left = np.zeros(n, np.int16)  # acquaintances who left the provider last month (events table)
        self.left_news = (EMPTY, np.zeros(0, np.int8))  # last month's leavers' acquaintances and the provider left
        self.lever = {name: self._ext(values) for name, values in self.table.levers.items()}
        self.closure = self._ext(self.closure)
        self.channel_friction = (self.friction if s.payment.enabled else 0.0 * self.friction).astype(np.float32)
        proactive = self.lever["proactive"] if s.offers.enabled else np.zeros(nprov + 1, np.float32)
        svc, off = s.service, s.offers
        # a month without events: the gap is this per-provider constant minus the expectation
        self.base_gap = rules.experience_gap(
            self.lever["quality"], 0.0, rules.Experience(proactive=proactive), svc, off).astype(np.float32)
        self.proactive = proactive
        self.class_tenure = self._class_tenures()
        self.price_class = np.zeros(n, np.uint8)
        self.hazard = np.zeros(n, np.float32)  # cached look-around (or sign-up) hazard of a quiet month
        self.weight = np.zeros(n, np.float32)  # ladder resistance if the clock runs on pressure, else 0
        self.wsens = np.zeros(n, np.float32)  # weight x price sensitivity: hazard per unit of price pressure
        self.conf = np.zeros(n, np.uint32)  # threshold of U.confirm in a quiet month
        self.pleased = np.zeros(n, bool)  # gap above zero in a quiet month
        # what a message's charge depends on, in one byte: (provider + 1) * WEIGHT_CLASSES + weight class
        self.listener = np.zeros(n, np.uint8)
        self.listeners = (nprov + 1) * WEIGHT_CLASSES
        self.charge_of = self._charge_tables()
        self.shards = self._shards()
        for z in self.shards:
            inside = np.flatnonzero(z.provider >= 0)
            z.life_hazard[inside] = self._life_hazard(z, inside)
            z.price_class[:] = self._classify(z, slice(None))
            z.stocks = self._count_stocks(z)
            for start in range(0, z.n, CHUNK):
                self._refresh_gap(z, slice(start, start + CHUNK))
        self._condition_key = ()
        self.good_news = (EMPTY, np.zeros(0, np.int16))  # last month's good messages: recipient, charge key
        self.mark = np.zeros(n, bool)  # scratch for _heard_good, left all False

    def _shards(self) -> list[Shard]:
        """Equal runs of customers, as many as the population size asks for (the thread count plays no part).

        One shard draws from the model's own stream; several draw from streams spawned from it.
        """
        n = self.population_size
        count = max(1, -(-n // SHARD))
        streams = [self.rng] if count == 1 else self.rng.spawn(count)
        bounds = np.linspace(0, n, count + 1).astype(int).tolist()
        return [Shard(self, lo, hi, rng) for lo, hi, rng in zip(bounds[:-1], bounds[1:], streams, strict=True)]

    # ------------------------------------------------------------------ the month
    def month(self) -> None:
        """The shards' month in three phases, side by side when there are threads to spare.

        Word of mouth crosses shards: the good news every shard's choosers heard last month is
        counted between the decisions and the changes, and each month's messages are found
        once every shard's changes have applied, and charged to their recipients' clocks in
        shard order.
        """
        c, tally = self.conditions, self.tally
        reprice = self._prices(c)
        self._expose()
        st = self.stocks
        tally[T.billed] = st.customers
        tally[T.revenue] = st.customers * c.price
        tally[T.reward_cost] = (st.price_class * self.reward).sum(axis=1)
        tally[T.promo_cost] = (st.price_class * self.promo).sum(axis=1)
        tally[T.paper_invoices] = st.paper
        for z in self.shards:
            z.tally = metrics.new_tally(self.providers)
        workers = min(self.threads, len(self.shards))
        with ThreadPoolExecutor(workers) if workers > 1 else nullcontext() as pool:
            plans = list(self._each(pool, functools.partial(self._decide, reprice=reprice)))
            changed = list(self._each(pool, self._change, plans, self._heard_by_shard(plans)))
            tellers = [told for told, _ in changed]
            defections = [news for _, news in changed]
            self.left_news = tuple(np.concatenate(c) for c in zip(*defections, strict=True))
            good: list[tuple[np.ndarray, np.ndarray]] = []
            for messages in self._each(pool, self._tell, tellers):  # a shard's, charged while later ones run
                for recipients, charge, news in messages:
                    np.subtract.at(self.clock, recipients, charge)
                    if news is not None:
                        good.append(news)
        if good:  # one shard's list is kept as it is: joining it would copy every message
            self.good_news = good[0] if len(good) == 1 else tuple(np.concatenate(c) for c in zip(*good, strict=True))
        for z in self.shards:
            tally += z.tally

    def _each[R](self, pool: Executor | None, step: Callable[..., R], *per_shard: list) -> Iterator[R]:
        """step(shard, *its share of per_shard) for every shard, the results in shard order as they come."""
        return (pool or builtins).map(step, self.shards, *per_shard)

    def _decide(self, z: Shard, reprice: bool) -> Plan:
        """Sense, then the month's decisions on the shard's state as it stood: nothing changes yet but the clocks.

        A settled customer made to compare who finds a deal worth taking acts now (``U.leave``
        below the attention's ``act``) or starts looking around; its look-around clock's ring, if
        any, is not its decision this month (the clock is memoryless, so this biases nothing).
        """
        if reprice:
            for block in range(0, z.n, CHUNK):
                self._refresh(z, slice(block, block + CHUNK))
        start = self._start_of_month(z) if self.event_frames is not None else None
        m = self._sense(z)
        attentive = self._attention(z)
        self._run_clock(z, m)
        rings = np.flatnonzero(z.clock < 0.0)
        z.clock[rings] = z.rng.standard_exponential(len(rings), dtype=np.float32)
        started, joining = rings[m.active[rings]], rings[~m.active[rings]]
        if self.burning:  # nobody signs up in the burn-in
            joining = EMPTY
        deal = np.zeros(z.n, bool)
        deal[attentive[self._advantage(z, attentive) > self.spec.attention.min_saving]] = True
        started = started[~deal[started]]
        settled = np.flatnonzero(deal & ~z.looking)
        rates = (np.float32(self.spec.attention.act), np.float32(self.spec.phase_out.switch_rate))
        acting = [idx[self.window_open(z.tenure[idx]) & (z.rng.random(len(idx)) < self._leave_chance(z, idx, rate))]
                for idx, rate in zip((settled, started), rates, strict=True)]  # those who start looking compare
        started = np.union1d(started, settled)
        acts = np.concatenate(acting)
        z.tally[T.started_looking] = _count(z.provider[started], self.providers)
        z.tally[T.attentive] = _count(z.provider[attentive], self.providers)
        next_stage_idx, next_stage = self._ladder(z, m)
        looking_idx, stop, leave, reached, saved = self._looking_around(z, m, deal)
        decided, moved, exit_idx = self._life_events(z, np.concatenate([looking_idx[leave], acts]))
        return Plan(m, started, next_stage_idx, next_stage, looking_idx[stop], np.concatenate([decided, moved]),
                    exit_idx, joining, attentive, reached, saved, moved, start)

    def _change(self, z: Shard, plan: Plan, heard: np.ndarray) -> tuple[Tellers, tuple[np.ndarray, np.ndarray]]:
        """Leavers and joiners choose, tellers are found, and the month's changes apply.

        Returns the tellers and the news of the month's defections: each leaver's acquaintances
        (whole-population indices) and the provider it left. In the burn-in the leavers take the
        places leavers vacated (``market.reshuffle``) instead of choosing.
        """
        if self.burning:
            plan.switch_idx, plan.exit_idx = np.concatenate([plan.switch_idx, plan.exit_idx]), EMPTY
            switch_to = reshuffle(z.provider[plan.switch_idx].astype(np.int64), z.rng).astype(np.intp)
            join_to = EMPTY
        else:
            switched = len(plan.switch_idx)
            switch_to = self._choose(z, plan.switch_idx, self._leaver_weights(z, plan.switch_idx, heard[:switched]))
            join_to = self._choose(z, plan.joining, self._joiner_weights(heard[switched:]))
        if plan.start is not None:
            z.events = self._shard_events(z, plan, switch_to)
        leavers = np.concatenate([plan.switch_idx, plan.exit_idx])
        left = z.provider[leavers]
        tellers = self._tellers(z, plan.m)
        self._apply(z, plan, switch_to, join_to)
        return tellers, self._defection_news(z, leavers, left)

    # ------------------------------------------------------------------ the event table
    def month_events(self) -> dict[str, np.ndarray]:
        return {name: np.concatenate([z.events[name] for z in self.shards]) for name in self.shards[0].events}

    def _start_of_month(self, z: Shard) -> dict[str, np.ndarray]:
        """The shard's customers with a provider, as they start the month (the event table's state columns)."""
        rows = np.flatnonzero(z.provider >= 0)
        p = z.provider[rows].astype(np.intp)
        return {"rows": rows, "provider": p, "stage": z.stage[rows].copy(), "looking": z.looking[rows].copy(),
                "tenure": z.tenure[rows].copy(), "neighbours_left": z.heard_left[rows].copy(),
                "price_gap": (self._paid(z, rows, p) - self.best[p]) / self.spec.market.reference_price}

    def _shard_events(self, z: Shard, plan: Plan, switch_to: np.ndarray) -> dict[str, np.ndarray]:
        """The month's rows of the event table for the shard (``churnsim.world.events``), before its changes apply."""
        start, m = plan.start, plan.m
        assert start is not None  # ``_change`` asks only when the month's start was recorded
        rows = start.pop("rows")

        def flag(idx: np.ndarray) -> np.ndarray:
            mask = np.zeros(z.n, bool)
            mask[idx] = True
            return mask[rows]

        left = np.zeros(z.n, np.int8)
        left[plan.switch_idx] = 1
        left[plan.moved] = 2
        left[plan.exit_idx] = 3
        moved_to = np.full(z.n, -1, np.int64)
        moved_to[plan.switch_idx] = switch_to
        return start | {
            "customer": rows + z.lo, "acquaintances": self.degree[rows + z.lo], "attentive": flag(plan.attentive),
            "started_looking": flag(plan.started), "failure": flag(m.fail_idx), "contacted": flag(m.contact_idx),
            "high_effort": flag(m.contact_idx[m.high]), "disloyal": flag(m.contact_idx[m.disloyal]),
            "bad": m.bad[rows], "offer": flag(m.offer_idx), "retention": flag(plan.reached),
            "saved": flag(plan.saved), "left": left[rows], "moved_to": moved_to[rows]}

