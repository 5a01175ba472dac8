"""What the market looks like in a given month: each provider's levers as arrays, prices
after scheduled changes, notices running, the downturn, and where choosers go.

Computed once a month for all providers and read by every customer, in both engines.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import SimpleNamespace
from typing import TYPE_CHECKING

import numpy as np

from churnsim import rules
from churnsim.schema.params import Levers, Scenario

LEVER_NAMES = tuple(name for name in Levers.model_fields if name != "price_change")


@dataclass(frozen=True)
class ProviderTable:
    """One array of length P per lever, so a customer's levers are ``table.x[provider]``."""

    names: tuple[str, ...]
    levers: dict[str, np.ndarray]
    change_month: np.ndarray
    change: np.ndarray
    notice_months: np.ndarray

    @classmethod
    def from_scenario(cls, scenario: Scenario) -> ProviderTable:
        lv = [p.levers for p in scenario.providers]
        return cls(
            names=tuple(p.name for p in scenario.providers),
            levers={name: np.array([getattr(x, name) for x in lv], dtype=float) for name in LEVER_NAMES},
            change_month=np.array([x.price_change.month for x in lv]),
            change=np.array([x.price_change.change for x in lv]),
            notice_months=np.array([x.price_change.notice_months for x in lv]),
        )

    def __post_init__(self) -> None:
        for name, values in self.levers.items():  # table.price etc. as attributes
            object.__setattr__(self, name, values)

    def __len__(self) -> int:
        return len(self.names)

    if TYPE_CHECKING:  # for type checkers: the levers set as attributes in __post_init__

        def __getattr__(self, name: str) -> np.ndarray: ...


@dataclass(frozen=True)
class MonthConditions:
    """Per-provider facts of one month (arrays of length P unless noted)."""

    month: int
    price: np.ndarray  # list price after any change that has landed
    new_customer_price: np.ndarray  # what a switcher or a comparison site sees
    notice_active: np.ndarray  # bool: an announced rise is pending
    lands_unannounced: np.ndarray  # bool: an unannounced rise hits the invoice this month
    rise: np.ndarray  # relative size of the scheduled change
    announced: np.ndarray  # factor on a customer's price while a notice runs: what it will be (1 otherwise)
    attention: np.ndarray  # hazard that the month makes a customer of p compare (notice, surprise, shock, talk)
    best_alternative: np.ndarray  # cheapest new-customer price among the *other* providers
    ad_seen: np.ndarray  # chance a customer of p sees a competitor's ad this month
    ad_weights: np.ndarray  # (P, P): which competitor's ad, rows own provider, diagonal 0
    choice: np.ndarray  # logit attraction to choosers (P,)
    entry: np.ndarray  # share of a new customer's choice per provider: by ads, or by price and quality (P,)
    price_multiplier: float  # economy: price sensitivity multiplier this month


def month_conditions(scenario: Scenario, table: ProviderTable, month: int, dated: bool = True) -> MonthConditions:
    """The month's conditions; ``dated=False`` leaves out price changes and the downturn (the burn-in's market)."""
    changes = (table.change_month > 0) & (table.change != 0) & dated  # a change of 0 announces nothing
    landed = changes & (month >= table.change_month)
    price = table.price * np.where(landed, 1.0 + table.change, 1.0)
    new_price = price * (1.0 - table.promo_discount)
    notice_active = changes & (table.notice_months > 0) & (month >= table.change_month - table.notice_months) & (
        month < table.change_month
    )
    lands_unannounced = changes & (table.notice_months == 0) & (month == table.change_month)
    others = ~np.eye(len(table), dtype=bool)
    best = np.array([new_price[row].min() for row in others])
    pressure = table.ad_pressure
    ad_weights = np.where(others, pressure[None, :], 0.0)
    mean_other = ad_weights.sum(axis=1) / max(len(table) - 1, 1)
    ad_seen = np.minimum(scenario.phase_out.ad_exposure * mean_other, 1.0)
    po = scenario.phase_out
    choice = rules.choice_weights(new_price, table.quality, table.brand, scenario.market.reference_price, po)
    heard_of = choice * pressure  # prospects hear of providers through their ads ...
    entry = heard_of / heard_of.sum() if heard_of.sum() > 0 else choice / choice.sum()  # ... or, with none, compare
    economy, att = scenario.economy, scenario.attention
    downturn = dated and economy.enabled and month >= economy.downturn_month
    surprise = lands_unannounced & (table.change > 0)
    attention = rules.attention_triggers(notice_active, surprise, downturn, att) * att.enabled
    return MonthConditions(
        month=month, price=price, new_customer_price=new_price, notice_active=notice_active,
        lands_unannounced=lands_unannounced, rise=table.change,
        announced=np.where(notice_active, 1.0 + table.change, 1.0), attention=attention, best_alternative=best,
        ad_seen=ad_seen,
        ad_weights=ad_weights, choice=choice, entry=entry,
        price_multiplier=economy.price_sensitivity_multiplier if downturn else 1.0,
    )


def plain(values: Mapping[str, object]) -> SimpleNamespace:
    """Per-provider arrays as Python lists, for code that reads one provider's entry at a time.

    An entry of a list is a plain float or bool, and the agent engine's scalar arithmetic on
    those is several times faster than on numpy scalars (the values are the same doubles).
    """
    return SimpleNamespace(**{k: v.tolist() if isinstance(v, np.ndarray) else v for k, v in values.items()})


def reshuffle(left: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """New providers for a month's leavers: the places they vacated, dealt out again, away from their own.

    The burn-in's rule (``ChurnModel.burn_in``): every provider keeps its head count exactly,
    while customers sort themselves by where they stay. The leavers are lined up by provider
    (the providers in a random order, the leavers at random within each) and each takes the place
    of the leaver as many positions on as the largest provider has leavers: nobody gets their own
    provider back, unless one provider has more than half the leavers, and then only as many of its
    own as cannot go elsewhere.
    """
    if not len(left):
        return left.copy()
    providers, group = np.unique(left, return_inverse=True)
    rank = rng.permutation(len(providers))[group]
    line = np.lexsort((rng.random(len(left)), rank))
    places = np.empty_like(left)
    places[line] = np.roll(left[line], -int(np.bincount(group).max()))
    return places
