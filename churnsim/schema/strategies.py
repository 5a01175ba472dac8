"""Named strategy presets: the moves a provider can make, as changes to its levers.

A preset sets lever values (which a scenario's explicit ``levers`` table still
overrides, so a file can say "low effort, but with 4 steps") and may scale levers
relative to the provider's own base (a price cut is 15 % off *its* price).
Presets combine: a provider lists several and they apply in order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Strategy:
    name: str
    description: str
    sets: dict[str, Any] = field(default_factory=dict)
    scales: dict[str, float] = field(default_factory=dict)


STRATEGIES: dict[str, Strategy] = {
    s.name: s
    for s in (
        Strategy(
            "over-delivery",
            "delight: spend on every contact to exceed expectations (Graugaard says it barely pays)",
            sets={"delight": 1.0},
        ),
        Strategy(
            "low-effort",
            "Dixon's four levers: few steps, no channel switching, anticipate repeats, empowered staff",
            sets={"steps_mean": 2.0, "channel_switch": 0.05, "repeat_contact": 0.05, "resolution": 0.9,
                  "process_investment": 15.0},
        ),
        Strategy(
            "price-cut",
            "cut the list price 15 % and chase new customers with a promo price and double advertising",
            sets={"promo_discount": 0.15},
            scales={"price": 0.85, "ad_pressure": 2.0},
        ),
        Strategy(
            "loyalty-rewards",
            "binding discount for 12 months, bundles and a tenure bonus (Billogram and Novus)",
            sets={"binding_discount": 0.1, "binding_months": 12, "binding_uptake": 0.3, "bundle_share": 0.2,
                  "tenure_bonus": 0.05},
        ),
        Strategy(
            "digital-payment",
            "move customers off paper to e-invoice and direct debit (Billogram and Novus: 8 in 10 say payment decides)",
            sets={"digital_push": 0.08},
        ),
        Strategy(
            "relevant-offers",
            "personalised offers at the right moment, such as a better-fitting plan at payment",
            sets={"offer_rate": 0.15, "offers_relevant": 0.9},
        ),
        Strategy(
            "spam-offers",
            "frequent generic offers to everyone",
            sets={"offer_rate": 0.5, "offers_relevant": 0.1},
        ),
        Strategy(
            "proactive-service",
            "tell customers before they ask: outages, a plan fitted to their usage",
            sets={"proactive": 0.8},
        ),
        Strategy(
            "price-rise-notice",
            "raise the price 10 % in month 12, announced and explained 2 months ahead",
            sets={"price_change": {"month": 12, "change": 0.10, "notice_months": 2}},
        ),
        Strategy(
            "price-rise-no-notice",
            "raise the price 10 % in month 12 with no notice or explanation",
            sets={"price_change": {"month": 12, "change": 0.10, "notice_months": 0}},
        ),
        Strategy(
            "digital-only",
            "all service through digital self-service, no person for complex issues",
            sets={"digital_only": True},
        ),
        Strategy(
            "digital-plus-human",
            "digital self-service for simple matters, a person for complex ones (Customer focus in a downturn)",
            sets={"digital_only": False},
        ),
        Strategy(
            "retention-desk",
            "reach customers who look around with a retention effort before they leave",
            sets={"retention_offers": 0.3},
        ),
    )
}


def resolve_levers(base: dict[str, Any], strategies: list[str] | tuple[str, ...],
                   explicit: dict[str, Any]) -> dict[str, Any]:
    """Merge preset values, explicit levers and relative scales into one lever table.

    Raises KeyError naming the first unknown strategy.
    """
    merged: dict[str, Any] = dict(base)
    for name in strategies:
        if name not in STRATEGIES:
            raise KeyError(name)
        _deep_update(merged, STRATEGIES[name].sets)
    _deep_update(merged, explicit)
    for name in strategies:
        for lever, factor in STRATEGIES[name].scales.items():
            merged[lever] = merged[lever] * factor
    return merged


def _deep_update(target: dict[str, Any], changes: dict[str, Any]) -> None:
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            target[key] = {**target[key]}
            _deep_update(target[key], value)
        else:
            target[key] = value
