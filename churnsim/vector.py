"""The vectorised engine: the agent engine's month on whole columns of numpy arrays.

Customers are a struct of arrays with compact dtypes. Every behaviour comes from the same
functions of ``churnsim.rules`` that ``Customer`` calls, applied to columns, with the same
sense/decide/apply order and the same sharing of uniforms between decisions (the ``U.name``
comments name the agent's draw, ``agents.U``, each step stands for). The outputs have the agent
engine's distribution, not its random stream. Five exact devices make it fast:

* Thinning. A rare event (u < rate) is found without a uniform per customer: the indices
  with u < r_max come from geometric gaps or one 32-bit draw per customer, and given
  u < r_max, u is uniform on [0, r_max), so a per-provider rate is a comparison of that
  conditional uniform (which later decisions may reuse, exactly as the agent reuses a draw).
* Exponential clocks. Starting to look around (U.look), a prospect signing up (U.sign_up)
  and a life event (U.life) are hazard decisions: P(E < h) = 1 - exp(-h) for E ~ Exp(1) and a
  survivor's E - h is again Exp(1). So each customer keeps a clock that the month's
  hazard runs down; it rings when it goes below zero and is then wound up afresh. A
  customer made to compare who acts on a deal is taken out of that month's look-around
  decision; its clock is memoryless, so this biases nothing.
* Cached hazards. The part of a customer's look-around hazard that no random event of
  the month touches (invoice against expected value, price-change notice, payment
  friction, ladder resistance) changes only when the customer's provider, stage, state or
  price class changes, or when the month's prices do; it is cached and recomputed for
  those customers only. The month's random events (contacts, offers, bad months, word of
  mouth, acquaintances' defections) add their hazards for the few customers they reach.
* Integrated pressures. A random pressure with no other consequence (a price ad or a
  comparison site, U.price_seen and U.whose_ad; the own promo seen, U.promo_seen) is
  drawn afresh each month, so a clock it runs down by w X survives the month with
  probability E[exp(-w X)]. Minus the log of that is a fixed hazard with the same chance of
  ringing, month after month, and it joins the cached hazard: no draw at all.
* Word of mouth. A teller's recipients are offsets into its CSR row drawn with integer
  arithmetic. The hazard a message adds to its recipient's next month depends on its
  subject and on one byte of the recipient (provider and ladder weight), so it is read from
  a small table and charged to the recipient's clock at delivery. The month's good
  messages are kept as a list: only next month's choosers read theirs, so there is no
  inbox per customer.

Head counts per provider are kept up to date from each month's moves rather than
recounted, so recording a month costs next to nothing.

A population of more than ``SHARD`` customers is cut into equal shards, each with its own
random stream spawned from the model's. The rules touch a shard's own customers only, so
the shards' months run side by side on threads (numpy lets go of the interpreter lock in
its loops); what crosses shards, the good news a chooser heard and the messages charged to
recipients' clocks, is handled between the phases in shard order. The shards follow from
the population size alone, so the outputs are the same for any number of threads.
"""

from __future__ import annotations

import builtins
import functools
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass, fields

import numpy as np

from churnsim import metrics, rules
from churnsim.agents import E_INVOICE, PAPER
from churnsim.market import MonthConditions, reshuffle
from churnsim.metrics import T
from churnsim.model import ChurnModel
from churnsim.network import sparse_bernoulli
from churnsim.population import PROSPECT, Population

DENSE_RATE = 0.2  # above this, one 32-bit draw per customer finds u < rate faster than geometric gaps
INVERTED_MEAN = 30.0  # Poisson means up to this are drawn by inverting the CDF (at most 125 entries)
CHUNK = 1 << 18  # customers per block when every cached hazard is recomputed (bounds temporaries)
CLASSES = 8  # price classes: bound | tenure bonus due << 1 | promo over << 2
SHARD = 1 << 19  # customers per shard at most: a larger population is cut into shards that can run side by side
UNPRESSED = 3  # a listener's weight class without ladder resistance (looking around, or a prospect)
WEIGHT_CLASSES = UNPRESSED + 1  # a listener's weight class: its stage if pressured, else UNPRESSED
TWO32 = 2.0**32
EMPTY = np.empty(0, np.int64)

Message = tuple[np.ndarray, np.ndarray, tuple[np.ndarray, np.ndarray] | None]  # charged, charges, good news
Tellers = list[tuple[np.ndarray, np.ndarray, float, T]]  # per kind of news: tellers, their providers, reach, tally row


def threshold(probability: np.ndarray | float) -> np.ndarray:
    """uint32 t with P(u32 < t) = probability to within 2**-32, for comparing with 32-bit draws."""
    return np.minimum(np.asarray(probability, dtype=np.float64) * TWO32, TWO32 - 1.0).astype(np.uint32)


def below(rng: np.random.Generator, rate: float, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Sorted indices i < n where an i.i.d. uniform u_i < rate, and those u_i (uniform on [0, rate) given that).

    A small rate walks geometric gaps between hits instead of drawing n uniforms.
    """
    if rate <= 0.0 or n == 0:
        return EMPTY, np.zeros(0)
    if rate >= 1.0:
        return np.arange(n), rng.random(n)
    if rate > DENSE_RATE:
        u = uniform32(rng, n)
        idx = np.flatnonzero(u < threshold(rate))
        return idx, u[idx] * (1.0 / TWO32)
    idx = sparse_bernoulli(rate, n, rng)
    return idx, rate * rng.random(len(idx))


def bernoulli_indices(rng: np.random.Generator, rate: float, n: int) -> np.ndarray:
    """Sorted indices i < n where an i.i.d. uniform u_i < rate."""
    if rate <= DENSE_RATE or rate >= 1.0:
        return below(rng, rate, n)[0]
    return np.flatnonzero(uniform32(rng, n) < threshold(rate))


def uniform32(rng: np.random.Generator, n: int) -> np.ndarray:
    """n uniform 32-bit integers: both halves of n/2 raw 64-bit draws (faster than ``integers``)."""
    return rng.bit_generator.random_raw((n + 1) // 2).view(np.uint32)[:n]


def uniform_offsets(rng: np.random.Generator, size: np.ndarray) -> np.ndarray:
    """One uniform integer in [0, size) per entry (size < 2**31): Lemire's multiply-shift on 32-bit draws.

    In int64, where the product fits: a uint64 copy of ``size`` would cost more than the arithmetic.
    """
    draws = uniform32(rng, len(size)).astype(np.int64)
    draws *= size
    draws >>= 32
    return draws


@functools.cache
def _poisson_cdf(mean: float) -> np.ndarray:
    k = np.arange(int(mean + 12.0 * np.sqrt(mean) + 30))
    return np.cumsum(np.exp(k * np.log(max(mean, 1e-300)) - mean - np.cumsum(np.log(np.maximum(k, 1)))))


def poisson_counts(rng: np.random.Generator, mean: float, size: int) -> np.ndarray:
    """Poisson(mean) draws by inverting the CDF (numpy's sampler is ~10x slower for small means)."""
    if mean > INVERTED_MEAN:
        return rng.poisson(mean, size)
    cdf = _poisson_cdf(mean)
    u = rng.random(size)
    counts = np.zeros(size, np.uint8)  # no count passes the CDF's length: a third of int64's time
    bulk = int(np.searchsorted(cdf, 0.9)) + 1  # thresholds most draws pass: compare everyone
    for c in cdf[:bulk]:
        counts += u >= c
    tail = np.flatnonzero(counts == bulk)
    for c in cdf[bulk:]:
        tail = tail[u[tail] >= c]
        if not len(tail):
            break
        counts[tail] += 1
    return counts.astype(np.int64)


def survival(weight: np.ndarray, none: np.ndarray | float,
             outcomes: list[tuple[np.ndarray | float, np.ndarray | float]]) -> np.ndarray:
    """E[exp(-weight X)]: a clock's chance to outlast a random pressure X of the month.

    X takes each outcome's pressure with its chance (exclusive outcomes), else 0 with chance ``none``.
    """
    total = np.full(len(weight), none, np.float32) if np.isscalar(none) else none.astype(np.float32)
    for chance, pressure in outcomes:
        total += chance * np.exp(-weight * pressure)
    return total


def _count(p: np.ndarray, providers: int, weights: np.ndarray | None = None) -> np.ndarray:
    return np.bincount(p, weights=weights, minlength=providers)


def _count2(p: np.ndarray, j: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Counts of (p, j) pairs as a matrix (``np.add.at`` with two indices is far slower)."""
    return np.bincount(p.astype(np.intp) * shape[1] + j, minlength=shape[0] * shape[1]).reshape(shape)


@dataclass
class Stocks:
    """End-of-month head counts per provider, kept up to date from each month's moves."""

    customers: np.ndarray  # (P,)
    stage: np.ndarray  # (P, 3)
    looking: np.ndarray  # (P,)
    retained: np.ndarray  # (P,)
    paper: np.ndarray  # (P,) customers paying by paper invoice
    price_class: np.ndarray  # (P, CLASSES) customers per price class

    def as_dict(self) -> dict[str, np.ndarray]:
        """The counts as ``metrics.STOCKS`` names them: views, read at once (``month_rows`` copies them out)."""
        return {"customers": self.customers, "chosen": self.stage[:, 0], "rechosen": self.stage[:, 1],
                "embedded": self.stage[:, 2], "looking": self.looking, "retained": self.retained}


@dataclass
class Month:
    """What one month's sense phase found, shared by the decide and apply steps."""

    active: np.ndarray  # bool (n,): has a provider
    bad: np.ndarray  # bool (n,): core failure not recovered, or made disloyal
    bad_idx: np.ndarray
    recovered: np.ndarray  # bool (n,)
    confirmed: np.ndarray  # bool (n,): U.confirm below the confirmation chance
    pleased: np.ndarray  # bool (n,): experience gap above zero
    u16: np.ndarray  # uint32 (n,): U.tell, compared with thresholds of 32-bit resolution
    fail_idx: np.ndarray
    contact_idx: np.ndarray
    high: np.ndarray  # bool per contact: high effort
    disloyal: np.ndarray  # bool per contact
    offer_idx: np.ndarray
    relevant: np.ndarray  # bool per offer
    event_idx: np.ndarray  # customers whose gap differs from the cached one
    event_gap: np.ndarray


@dataclass
class Plan:
    """What a shard decided this month, before any of it applies."""

    m: Month
    started: np.ndarray  # start looking around
    next_stage_idx: np.ndarray
    next_stage: np.ndarray
    stopped: np.ndarray  # stop looking around
    switch_idx: np.ndarray  # leave for another provider: by decision, then by a life event (``moved``)
    exit_idx: np.ndarray
    joining: np.ndarray  # prospects signing up
    attentive: np.ndarray  # made to compare this month
    reached: np.ndarray  # looking customers a retention effort reached
    saved: np.ndarray  # ... and kept
    moved: np.ndarray  # the switchers a life event moved
    start: dict[str, np.ndarray] | None  # the shard's state at the start of the month, when events are recorded

    @property
    def choosers(self) -> np.ndarray:
        """Those who choose a provider this month: switchers, then joiners (distinct customers)."""
        return np.concatenate([self.switch_idx, self.joining])


COLUMNS = ("provider", "stage", "looking", "tenure", "binding_left", "bundled", "channel", "sensitivity",
           "expectation", "tolerance", "prefers_human", "life_churn", "stayed", "clock", "life_hazard", "life_clock",
           "price_class", "hazard", "weight", "wsens", "conf", "pleased", "listener", "exposure", "heed", "heard_left")


class Shard:
    """Customers lo to hi - 1: views of the model's columns (writes go through), a random stream, head counts, a tally.

    The rules read and change a shard's own customers only, so shards can run side by side;
    ``VectorChurnModel.month`` handles what crosses them (good news heard, messages delivered).
    """

    __slots__ = (*COLUMNS, "events", "lo", "n", "rng", "stocks", "tally")
    stocks: Stocks  # counted at set-up, kept up to date by the shard's moves
    tally: np.ndarray  # this month's events, summed into the model's when the month ends
    events: dict[str, np.ndarray]  # this month's rows of the event table, when recorded

    def __init__(self, model: VectorChurnModel, lo: int, hi: int, rng: np.random.Generator) -> None:
        for name in COLUMNS:
            setattr(self, name, getattr(model, name)[lo:hi])
        self.lo, self.n, self.rng = lo, hi - lo, rng


class VectorChurnModel(ChurnModel):
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
        self._condition_key: tuple[bytes, ...] = ()
        self.good_news = (EMPTY, np.zeros(0, np.int16))  # last month's good messages: recipient, charge key
        self.mark = np.zeros(n, bool)  # scratch for _heard_good, left all False

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

    def _shards(self) -> list[Shard]:
        """Equal runs of customers, as many as the population size asks for (the thread count plays no part).

        One shard draws from the model's own stream; several draw from streams spawned from it.
        """
        n = self.population_size
        count = max(1, -(-n // SHARD))
        streams = [self.rng] if count == 1 else self.rng.spawn(count)
        bounds = np.linspace(0, n, count + 1).astype(int).tolist()
        return [Shard(self, lo, hi, rng) for lo, hi, rng in zip(bounds[:-1], bounds[1:], streams, strict=True)]

    def _life_hazard(self, z: Shard, idx: np.ndarray) -> np.ndarray:
        """Monthly hazard of a life event: P(U.life < life churn + exit rate) = 1 - exp(-hazard)."""
        event = np.minimum(z.life_churn[idx] + np.float32(self.spec.market.exit_rate), np.float32(1.0))
        return -np.log1p(-event)

    def _ext(self, values: np.ndarray, prospect: float = 0.0) -> np.ndarray:
        """A per-provider table with one more entry, read at index -1 by prospects."""
        return np.append(np.asarray(values, dtype=np.float32), np.float32(prospect))

    def _class_tenures(self) -> np.ndarray:
        """(P, CLASSES) a tenure with each class's threshold bits (bonus due, promo over), where one exists."""
        after = self.spec.rewards.tenure_bonus_after
        out = np.zeros((self.providers, CLASSES))
        for p, months in enumerate(self.table.promo_months):
            for code in range(CLASSES):
                due, over = code >> 1 & 1, code >> 2 & 1
                for tenure in (0, after, months, max(after, months)):
                    if (tenure >= after) == due and (tenure >= months) == over:
                        out[p, code] = tenure
                        break
        return out

    def _classify(self, z: Shard, idx: np.ndarray | slice) -> np.ndarray:
        """Price class of customers: which of the reward and promo conditions of their provider hold."""
        tenure = z.tenure[idx]
        code = (z.binding_left[idx] > 0).view(np.uint8).copy()
        code |= (tenure >= self.spec.rewards.tenure_bonus_after).view(np.uint8) << 1
        code |= (tenure >= self.lever["promo_months"][z.provider[idx]]).view(np.uint8) << 2
        return code

    def _count_stocks(self, z: Shard) -> Stocks:
        inside = np.flatnonzero(z.provider >= 0)
        p = z.provider[inside].astype(np.intp)
        nprov = self.providers
        return Stocks(
            customers=_count(p, nprov),
            stage=np.bincount(p * 3 + z.stage[inside], minlength=3 * nprov).reshape(nprov, 3),
            looking=_count(p[z.looking[inside]], nprov),
            retained=_count(p[z.stayed[inside]], nprov),
            paper=_count(p[z.channel[inside] == PAPER], nprov),
            price_class=np.bincount(p * CLASSES + z.price_class[inside],
                                    minlength=CLASSES * nprov).reshape(nprov, CLASSES),
        )

    def start_cohort(self) -> np.ndarray:
        self.stayed[:] = self.provider >= 0
        for z in self.shards:
            z.stocks.retained = z.stocks.customers.copy()
        return self.stocks.customers.copy()

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
        """The month's rows of the event table for the shard (``churnsim.events``), before its changes apply."""
        start, m = plan.start, plan.m
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

    def tenure_column(self) -> np.ndarray:
        view = self.tenure.view()
        view.flags.writeable = False
        return view

    def state_columns(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        views = tuple(c.view() for c in (self.provider, self.stage, self.looking, self.stayed))
        for v in views:
            v.flags.writeable = False
        return views  # type: ignore[return-value]

    def stock_counts(self) -> dict[str, np.ndarray]:
        """Head counts kept up to date from each month's moves, not recounted."""
        return self.stocks.as_dict()

    @property
    def stocks(self) -> Stocks:
        """The shards' head counts, summed."""
        return Stocks(*(sum(getattr(z.stocks, f.name) for z in self.shards) for f in fields(Stocks)))

    # ------------------------------------------------------------------ cached quiet-month hazards
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
        chances = np.zeros((nprov + 1, CLASSES, nprov), np.float32)
        chances[:-1] = chance[:, None, :]
        pressures = np.zeros_like(chances)
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
            news = [heard for _, heard in changed]
            self.left_news = tuple(np.concatenate(c) for c in zip(*news, strict=True))
            good = []
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

    def _heard_by_shard(self, plans: list[Plan]) -> list[np.ndarray]:
        """Per shard, the good news each of its choosers heard (``_heard_good``), by provider.

        Every shard's choosers are counted in one pass over last month's messages: a pass per
        shard would read every message once for each shard.
        """
        choosers = [plan.choosers + z.lo for z, plan in zip(self.shards, plans, strict=True)]
        heard = self._heard_good(np.concatenate(choosers))
        return np.split(heard, np.cumsum([len(c) for c in choosers[:-1]]))

    def _decide(self, z: Shard, reprice: bool) -> Plan:
        """Sense, then the month's decisions on the shard's state as it stood: nothing changes yet but the clocks.

        A settled customer made to compare who finds a deal worth taking acts now (``U.leave``
        below the attention's ``act``) or starts looking around; its look-around clock's ring, if
        any, is not its decision this month (the clock is memoryless, so this biases nothing).
        """
        if reprice:
            for start in range(0, z.n, CHUNK):
                self._refresh(z, slice(start, start + CHUNK))
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
        acts = [idx[self.window_open(z.tenure[idx]) & (z.rng.random(len(idx)) < self._leave_chance(z, idx, rate))]
                for idx, rate in zip((settled, started), rates, strict=True)]  # those who start looking compare
        started = np.union1d(started, settled)
        acts = np.concatenate(acts)
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

    def _tell(self, z: Shard, tellers: Tellers) -> list[Message]:
        """The shard's tellers' messages, bad news first."""
        return [self._deliver(z, told + z.lo, about, reach, kind) for told, about, reach, kind in tellers]

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
            also = rules.happens(rng.random(len(fail_idx)), svc.question_rate + svc.contact_given_failure)
            contact_idx = np.concatenate([asks, fail_idx[also]])
            pc = prov[contact_idx].astype(np.intp)
            u = rng.random((6, len(contact_idx)))
            complex_issue = rules.happens(u[0], svc.complex_share) & z.prefers_human[contact_idx]
            pushed = complex_issue & (lv["digital_only"][pc] > 0)
            steps = rules.contact_steps(u[1], lv["steps_mean"][pc])
            switched = rules.happens(u[2], lv["channel_switch"][pc]) | pushed
            repeat_p = 1.0 - (1.0 - lv["repeat_contact"][pc]) * (1.0 - pushed * svc.digital_only_repeat)
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

    def _attention(self, z: Shard) -> np.ndarray:
        """U.attention: the customers the month's triggers make compare, sorted.

        The month's triggers give each provider and stage a chance, found by thinning; a customer
        whose yearly contract renews draws afresh against the triggers plus the renewal's hazard.
        """
        if not self.attending:
            return EMPTY
        chance = rules.hazard_probability(np.outer(self.trigger, self.resistance))  # (P + 1, 3), prospects' row 0
        idx, u = below(z.rng, float(chance.max()), z.n)
        hit = idx[u < chance[z.provider[idx], z.stage[idx]]]
        if not self.spec.market.annual_renewal:
            return hit
        renewing = np.flatnonzero(self.renewing(z.tenure) & (z.provider >= 0))
        hazard = (self.trigger[z.provider[renewing]] + self.spec.attention.renewal) * self.resistance[z.stage[renewing]]
        return np.union1d(hit[~self.renewing(z.tenure[hit])],
                          renewing[z.rng.random(len(renewing)) < rules.hazard_probability(hazard)])

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
        self.exposure[:] = rules.exposure_after(self.exposure, heard.astype(np.float32),
                                                np.float32(self.spec.word_of_mouth.defection_decay))
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

    def _leaver_weights(self, z: Shard, idx: np.ndarray, heard: np.ndarray) -> np.ndarray:
        wom, c = self.spec.word_of_mouth, self.conditions
        weights = np.repeat(c.choice[None, :], len(idx), axis=0)
        if wom.enabled:
            weights *= 1.0 + wom.referral_pull * heard
        weights[np.arange(len(idx)), z.provider[idx]] = 0.0
        return weights

    def _joiner_weights(self, heard: np.ndarray) -> np.ndarray:
        s, c = self.spec, self.conditions
        weights = np.repeat((s.market.entry_rate * c.entry)[None, :], len(heard), axis=0)
        if s.word_of_mouth.enabled:
            weights += s.word_of_mouth.referral_strength * heard
        return weights

    def _choose(self, z: Shard, idx: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """U.destination (a leaver) or U.tell (a prospect signing up) picks the provider."""
        return rules.pick(weights, z.rng.random(len(idx))).astype(np.intp)

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
