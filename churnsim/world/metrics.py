"""From a month's events to the tidy monthly table and the run's KPIs.

Engines only count events per provider (``tally``) and report stocks; the money and the
KPIs are computed here once, for every engine.
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np
import pandas as pd

from churnsim import rules
from churnsim.schema.params import Scenario


class T(IntEnum):
    """Rows of the per-month tally: events counted per provider."""

    billed = 0
    failures = 1
    contacts = 2
    human_contacts = 3
    high_effort = 4
    disloyal = 5
    started_looking = 6
    churned = 7
    switched_out = 8
    exited = 9
    acquired = 10
    entered = 11
    wom_bad = 12
    wom_good = 13
    wom_bad_reached = 14
    wom_good_reached = 15
    revenue = 16
    reward_cost = 17
    promo_cost = 18
    delight_units = 19
    offers = 20
    retention_efforts = 21
    paper_invoices = 22
    contacted = 23
    disloyal_high = 24
    attentive = 25
    retention_saves = 26


STOCKS = ("customers", "chosen", "rechosen", "embedded", "looking", "retained")
MONEY = ("revenue", "cost_of_goods", "cost_to_serve", "delight_cost", "reward_cost", "acquisition_cost",
         "retention_cost", "profit")
EVENTS = ("billed", "churned", "switched_out", "exited", "acquired", "entered", "failures", "contacted", "contacts",
          "human_contacts", "high_effort", "disloyal", "disloyal_high", "attentive", "started_looking",
          "retention_efforts", "retention_saves", "wom_bad", "wom_good", "wom_bad_reached", "wom_good_reached")
COLUMNS = ("month", "provider", *STOCKS, "cohort", *EVENTS, *MONEY)
TALLIES = tuple(t.name for t in T)
RECORDED = ("month", "provider", *STOCKS, "cohort", *TALLIES)  # an engine's monthly row; see month_rows
CLV_HORIZON_MONTHS = 120  # CLV counts ten years of margin at most: a run with no churn would otherwise sum decades


# KPIs that are shares of customers, bounded by 0 and 1: their intervals must stay inside.
SHARES = ("market_share_end", "monthly_churn", "annual_churn", "share_chosen_end", "share_rechosen_end",
          "share_embedded_end", "share_looking_mean", "retained_of_cohort")


def new_tally(providers: int) -> np.ndarray:
    return np.zeros((len(T), providers))


def stocks(provider: np.ndarray, stage: np.ndarray, looking: np.ndarray, stayed: np.ndarray,
           providers: int) -> dict[str, np.ndarray]:
    """End-of-month head counts per provider from customer columns."""
    inside = provider >= 0
    p = provider[inside].astype(np.intp)
    count = np.bincount(p, minlength=providers)
    per_stage = np.bincount(p * 3 + stage[inside], minlength=3 * providers).reshape(providers, 3)
    return {
        "customers": count,
        "chosen": per_stage[:, 0],
        "rechosen": per_stage[:, 1],
        "embedded": per_stage[:, 2],
        "looking": np.bincount(p, weights=looking[inside], minlength=providers).astype(np.int64),
        "retained": np.bincount(p, weights=stayed[inside], minlength=providers).astype(np.int64),
    }


def money(tally: np.ndarray, scenario: Scenario, levers: dict[str, np.ndarray], month: np.ndarray | int,
          population: int) -> dict[str, np.ndarray]:
    """Revenue and costs from the tallies (Graugaard: acquisition ~ 10 x retention).

    A retention save's discount (``retention.discount`` of the month's list price for
    ``retention.discount_months``) is booked in the month it is granted.

    Elementwise, so one call prices every month and provider of a run: ``tally[T.x]``,
    ``levers[...]`` and ``month`` are aligned arrays.
    """
    e = scenario.economics
    billed = tally[T.billed]
    list_price = np.divide(tally[T.revenue], billed, out=np.zeros_like(billed, dtype=float), where=billed > 0)
    digital = tally[T.contacts] - tally[T.human_contacts]
    cost_to_serve = (billed * e.serve_cost + digital * e.contact_cost_digital
                     + tally[T.human_contacts] * e.contact_cost_human
                     + tally[T.paper_invoices] * scenario.payment.paper_cost
                     + tally[T.offers] * e.offer_cost + billed * levers["proactive"] * e.proactive_cost
                     + (month == 1) * billed * levers["process_investment"])
    out = {
        "revenue": tally[T.revenue],
        "cost_of_goods": billed * e.cost_of_goods,
        "cost_to_serve": cost_to_serve,
        "delight_cost": tally[T.delight_units] * e.delight_unit_cost,
        "reward_cost": tally[T.reward_cost],
        "acquisition_cost": (tally[T.acquired] * e.retention_cost * e.acquisition_multiplier + tally[T.promo_cost]
                             + (month > 0) * levers["ad_pressure"] * e.ad_cost * population),
        "retention_cost": tally[T.retention_efforts] * e.retention_cost + tally[T.retention_saves] * list_price
        * scenario.retention.discount * scenario.retention.discount_months,
    }
    out["profit"] = out["revenue"] - sum(out[k] for k in MONEY[1:-1])
    return out


def definitions(currency: str, months: int) -> dict[str, str]:
    """What each money and churn figure means, in the run's currency and time span.

    Written beside the figures (summary.json, the terminal, the report) because "profit" and
    "CLV" mean different things in different firms' books.
    """
    return {
        "profit": f"{currency} over the {months} simulated months: revenue less cost of goods, cost to serve, "
                  "delight, rewards, acquisition and retention; before overheads and tax",
        "margin_per_customer_month": f"{currency} per billed customer-month: revenue less every cost but acquisition",
        "clv": f"{currency} per customer: the margin per customer-month, kept each month with probability "
               "1 - monthly churn and discounted at economics.annual_discount_rate, summed over at most "
               f"{CLV_HORIZON_MONTHS} months; acquisition cost not deducted",
        "monthly_churn": f"customers who left their provider (to a rival or out of the market) over the {months} "
                         "months, divided by billed customer-months",
        "annual_churn": "1 - (1 - monthly churn)^12: the share of its customers a provider loses in a year at the "
                        "run's mean monthly churn",
    }


def month_rows(month: int, names: tuple[str, ...], tally: np.ndarray, stock: dict[str, np.ndarray],
               cohort: np.ndarray) -> list[dict[str, object]]:
    """What an engine records at the end of a month, one row per provider: head counts and every tally.

    Money is left to ``monthly_table``, which prices all months at once: recording stays a
    small fraction of a month even for a few hundred customers.
    """
    columns = [[month] * len(names), names, *(stock[k].tolist() for k in STOCKS), cohort.tolist(), *tally.tolist()]
    return [dict(zip(RECORDED, values, strict=True)) for values in zip(*columns, strict=True)]


def monthly_table(recorded: pd.DataFrame, scenario: Scenario, levers: dict[str, np.ndarray],
                  population: int) -> pd.DataFrame:
    """The tidy monthly table (``COLUMNS``) from the recorded rows: events as counts, money per row."""
    months = len(recorded) // max(len(scenario.providers), 1)
    per_row = {name: np.tile(values, months) for name, values in levers.items()}
    tally = recorded[list(TALLIES)].to_numpy(dtype=float).T
    cash = money(tally, scenario, per_row, recorded["month"].to_numpy(), population)
    table = recorded[["month", "provider", *STOCKS, "cohort"]].copy()
    for name in EVENTS:
        table[name] = np.rint(tally[T[name]]).astype(np.int64)
    for name in MONEY:
        table[name] = cash[name]
    table.attrs["currency"] = scenario.meta.currency  # the unit of the money columns, for plots and readers
    return table


def summarize(timeseries: pd.DataFrame, scenario: Scenario) -> dict[str, dict[str, float]]:
    """KPIs per provider and for the whole market, from the monthly table alone."""
    kpis: dict[str, dict[str, float]] = {}
    last = timeseries["month"].max()
    total_end = timeseries.loc[timeseries["month"] == last, "customers"].sum()
    groups = list(timeseries.groupby("provider", sort=False))
    market = timeseries.groupby("month").sum(numeric_only=True).reset_index()
    for name, g in [*groups, ("market", market)]:
        end = g[g["month"] == last].iloc[0]
        billed = g["billed"].sum()
        monthly = g["churned"].sum() / billed if billed else 0.0
        margin = (g["profit"] + g["acquisition_cost"]).sum() / billed if billed else 0.0
        customers = max(int(end["customers"]), 1)
        kpis[str(name)] = {
            "customers_end": int(end["customers"]),
            "market_share_end": float(end["customers"] / total_end) if total_end else 0.0,
            "monthly_churn": float(monthly),
            "annual_churn": float(rules.annual_churn(monthly)),
            "share_chosen_end": float(end["chosen"] / customers),
            "share_rechosen_end": float(end["rechosen"] / customers),
            "share_embedded_end": float(end["embedded"] / customers),
            "share_looking_mean": float((g["looking"] / g["customers"].clip(lower=1)).mean()),
            "retained_of_cohort": float(end["retained"] / end["cohort"]) if end["cohort"] else 0.0,
            "acquired": int(g["acquired"].sum()),
            "profit": float(g["profit"].sum()),
            "margin_per_customer_month": float(margin),
            "clv": float(rules.clv(margin, monthly, scenario.economics.annual_discount_rate, CLV_HORIZON_MONTHS)),
            "wom_bad": int(g["wom_bad"].sum()),
            "wom_good": int(g["wom_good"].sum()),
        }
    return kpis
