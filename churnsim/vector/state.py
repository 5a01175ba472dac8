"""The engine's state: the customer columns, shards, head counts, price classes and a month's working records.

Customers are a struct of arrays with compact dtypes (``Columns``): the model holds whole
columns, a ``Shard`` views its run of them. ``VectorState`` is the model's state that every
mechanism reads, and the ``ChurnModel`` interface that reports it.

Head counts per provider are kept up to date from each month's moves rather than
recounted (``Stocks``), so recording a month costs next to nothing.

A customer's price class says which of its provider's reward and promo conditions hold
(bound | tenure bonus due << 1 | promo over << 2): the month's price, and the hazards that
follow from it, are the same for all customers of a provider in one class.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from churnsim.world.model import ChurnModel
from churnsim.world.population import PAPER

CLASSES = 8  # price classes: bound | tenure bonus due << 1 | promo over << 2
UNPRESSED = 3  # a listener's weight class without ladder resistance (looking around, or a prospect)
WEIGHT_CLASSES = UNPRESSED + 1  # a listener's weight class: its stage if pressured, else UNPRESSED


def _count(p: np.ndarray, providers: int, weights: np.ndarray | None = None) -> np.ndarray:
    return np.bincount(p, weights=weights, minlength=providers)


def _count2(p: np.ndarray, j: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Counts of (p, j) pairs as a matrix (``np.add.at`` with two indices is far slower)."""
    return np.bincount(p.astype(np.intp) * shape[1] + j, minlength=shape[0] * shape[1]).reshape(shape)


class Columns:
    """One entry per customer: the layout of the model's columns, which a shard views in part."""

    __slots__ = ()
    provider: np.ndarray  # int8: the provider's index, PROSPECT for a prospect
    stage: np.ndarray  # int8: the loyalty ladder's stage (chosen, rechosen, embedded)
    looking: np.ndarray  # bool: looking around
    tenure: np.ndarray  # int16: months with the provider
    binding_left: np.ndarray  # int16: months of a binding contract left
    bundled: np.ndarray  # bool
    channel: np.ndarray  # int8: payment channel (PAPER, E_INVOICE, ...)
    sensitivity: np.ndarray  # float32: price sensitivity
    expectation: np.ndarray  # float32
    tolerance: np.ndarray  # float32: effort tolerated before a contact is high effort
    prefers_human: np.ndarray  # bool
    life_churn: np.ndarray  # float32: monthly chance of a life event that moves the customer
    stayed: np.ndarray  # bool: of month 0's cohort, still with its provider
    clock: np.ndarray  # float32: U.look (not looking) or U.sign_up (prospect), run down by the hazard
    life_hazard: np.ndarray  # float32: U.life's constant hazard (0 for prospects)
    life_clock: np.ndarray  # float32: U.life's clock
    price_class: np.ndarray  # uint8: which reward and promo conditions hold (CLASSES)
    hazard: np.ndarray  # float32: cached look-around (or sign-up) hazard of a quiet month
    weight: np.ndarray  # float32: ladder resistance if the clock runs on pressure, else 0
    wsens: np.ndarray  # float32: weight x price sensitivity, hazard per unit of price pressure
    conf: np.ndarray  # uint32: threshold of U.confirm in a quiet month
    pleased: np.ndarray  # bool: gap above zero in a quiet month
    listener: np.ndarray  # uint8: (provider + 1) * WEIGHT_CLASSES + weight class, what a message charges
    exposure: np.ndarray  # float32: acquaintances' defections from the provider, fading
    heed: np.ndarray  # float32: how much the customer heeds a defection
    heard_left: np.ndarray  # int16: acquaintances who left the provider last month (events table)


COLUMNS = tuple(Columns.__annotations__)


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


class Shard(Columns):
    """Customers lo to hi - 1: views of the model's columns (writes go through), a random stream, head counts, a tally.

    The rules read and change a shard's own customers only, so shards can run side by side;
    ``VectorChurnModel.month`` handles what crosses them (good news heard, messages delivered).
    """

    __slots__ = (*COLUMNS, "events", "lo", "n", "rng", "stocks", "tally")
    lo: int  # the shard's first customer in the whole population
    n: int
    rng: np.random.Generator  # the shard's own stream
    stocks: Stocks  # counted at set-up, kept up to date by the shard's moves
    tally: np.ndarray  # this month's events, summed into the model's when the month ends
    events: dict[str, np.ndarray]  # this month's rows of the event table, when recorded

    def __init__(self, model: Columns, lo: int, hi: int, rng: np.random.Generator) -> None:
        for name in COLUMNS:
            setattr(self, name, getattr(model, name)[lo:hi])
        self.lo, self.n, self.rng = lo, hi - lo, rng


class VectorState(ChurnModel, Columns):
    """The vector engine's state, which every mechanism reads: whole columns, shards, lever tables, price classes."""

    shards: list[Shard]
    lever: dict[str, np.ndarray]  # per-provider levers, float32, one more entry read by prospects (``_ext``)
    closure: np.ndarray  # per provider and a prospect's entry: the gap a resolved contact's delight closes
    resistance: np.ndarray  # per loyalty stage, float32 (the agent engine keeps a list of floats)
    class_tenure: np.ndarray  # (P, CLASSES): a tenure of each price class (``_class_tenures``)

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
