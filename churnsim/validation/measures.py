"""Measurements on simulated customers, made the way the studies made them on real ones.

Pure functions over the tables a run produces (the monthly table, the per-customer event
table of ``churnsim.world.events``): nothing here runs a model, so each can be tested alone on a
table whose answer is known. ``churnsim.validation.outcomes`` runs the models and turns these
measurements into checks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

TENURE_BANDS = (-1, 5, 11, 23, 47, 10**6)  # months: the first half year, the first year, the second, ..., later


@dataclass(frozen=True)
class Estimate:
    """A regression coefficient (log hazard ratio) and its standard error."""

    value: float
    se: float

    @property
    def ratio(self) -> float:
        return math.exp(self.value)

    def interval(self, z: float = 1.96) -> tuple[float, float]:
        return math.exp(self.value - z * self.se), math.exp(self.value + z * self.se)


def at_risk(events: pd.DataFrame, lags: int) -> pd.DataFrame:
    """Customer-months at risk of defecting, with exposure to acquaintances' defections k months back.

    ``neighbours_left`` of a row counts the acquaintances who left the customer's provider the
    month before; lag k is that count k - 1 months earlier in the same spell with the provider
    (0 where the customer was elsewhere or not yet there), so lag 1 is last month's defections.
    ``defected``: the customer left its provider this month, for any reason (as a firm sees it).
    """
    ev = events.sort_values(["customer", "month"], kind="stable").reset_index(drop=True)
    frame = pd.DataFrame({
        "defected": (ev["left"] != "stayed").to_numpy(float),
        "stage": ev["stage"].astype(str).to_numpy(),
        "provider": ev["provider"].astype(str).to_numpy(),
        "tenure_band": np.searchsorted(TENURE_BANDS, ev["tenure"].to_numpy(), side="left"),
        "price_gap": ev["price_gap"].round(3).to_numpy(),
        "log_degree": np.log(np.maximum(ev["acquaintances"].to_numpy(float), 1.0)  # a loner counts as one
                             / ev["acquaintances"].mean()).round(3),
    })
    heard = ev["neighbours_left"].to_numpy(float)
    customer, month, tenure = (ev[c].to_numpy() for c in ("customer", "month", "tenure"))
    for k in range(1, lags + 1):
        j = k - 1  # rows back: the customer's month j months earlier, in the same spell with its provider
        lag = heard.copy() if j == 0 else np.zeros(len(ev))
        if 0 < j < len(ev):
            same = (customer[j:] == customer[:-j]) & (month[j:] == month[:-j] + j) & (tenure[j:] == tenure[:-j] + j)
            lag[j:] = np.where(same, heard[:-j], 0.0)
        frame[f"lag{k}"] = lag
    return frame


@dataclass(frozen=True)
class Contagion:
    """A discrete-time hazard regression of defection on acquaintances' defections (Nitzan and Libai 2011)."""

    lags: tuple[Estimate, ...]  # log hazard ratio per acquaintance who left k months ago, k = 1..
    lag_difference: Estimate  # lag 1 minus the last lag
    embedded: Estimate  # lag 1's log hazard ratio for embedded customers minus chosen ones
    degree: Estimate  # change of lag 1's log hazard ratio per unit of log(acquaintances / mean)
    rows: int
    defections: int
    exposed: float  # share of customer-months with a defection among acquaintances last month


def _fit(frame: pd.DataFrame, terms: list[str]) -> tuple[pd.Series, pd.DataFrame]:
    """Complementary log-log regression of ``defected`` on terms plus stage, provider and tenure dummies.

    The covariates are discrete, so the customer-months are grouped by their values and fitted as
    binomial counts: the same likelihood, hence the same estimates, as one row per customer-month.
    """
    import statsmodels.api as sm

    keys = [*dict.fromkeys([*terms, "stage", "provider", "tenure_band"])]
    grouped = frame.groupby(keys, observed=True)["defected"].agg(["sum", "size"]).reset_index()
    design = pd.get_dummies(grouped[["stage", "provider", "tenure_band"]].astype(str), drop_first=True, dtype=float)
    for term in terms:
        if term not in ("stage", "provider", "tenure_band"):
            design[term] = grouped[term].to_numpy(float)
    design = sm.add_constant(design, has_constant="add")
    counts = np.column_stack([grouped["sum"], grouped["size"] - grouped["sum"]])
    family = sm.families.Binomial(link=sm.families.links.CLogLog())
    result = sm.GLM(counts, design, family=family).fit()
    return result.params, result.cov_params()


def contagion(events: pd.DataFrame, lags: int = 3) -> Contagion:
    """Measure churn's contagion as the study did: hazard of defecting against last months' defecting neighbours.

    Controls: loyalty stage, provider, tenure band, the price gap to the cheapest rival and the
    number of acquaintances (who hear more news of every kind, defections among it). The
    moderation by stage compares embedded with chosen customers; by degree, customers with more
    acquaintances with those with fewer (both as interactions with lag 1).
    """
    frame = at_risk(events, lags)
    names = [f"lag{k}" for k in range(1, lags + 1)]
    params, cov = _fit(frame, [*names, "price_gap", "log_degree"])
    first, last = names[0], names[-1]
    frame["lag1_embedded"] = frame["lag1"] * (frame["stage"] == "embedded")
    frame["lag1_rechosen"] = frame["lag1"] * (frame["stage"] == "rechosen")
    frame["lag1_degree"] = frame["lag1"] * frame["log_degree"]
    moderated, mcov = _fit(frame, [*names, "price_gap", "log_degree", "lag1_embedded", "lag1_rechosen",
                                   "lag1_degree"])
    return Contagion(
        lags=tuple(_estimate(params, cov, {n: 1.0}) for n in names),
        lag_difference=_estimate(params, cov, {first: 1.0, last: -1.0}),
        embedded=_estimate(moderated, mcov, {"lag1_embedded": 1.0}),
        degree=_estimate(moderated, mcov, {"lag1_degree": 1.0}),
        rows=len(frame), defections=int(frame["defected"].sum()), exposed=float((frame["lag1"] > 0).mean()),
    )


def _estimate(params: pd.Series, cov: pd.DataFrame, weights: dict[str, float]) -> Estimate:
    """A linear combination of coefficients and its standard error."""
    names = list(weights)
    w = np.array([weights[n] for n in names])
    return Estimate(float(w @ params[names].to_numpy()), float(math.sqrt(w @ cov.loc[names, names].to_numpy() @ w)))


def share_before(extra: np.ndarray, before: int) -> float:
    """Share of a window's extra switching that came in its first ``before`` months (months after: net, >= 0).

    When switching after the change falls below the baseline (a price cut), the window's extra
    switching all came before it: the share is 1.
    """
    pre, post = float(np.sum(extra[:before])), float(np.sum(extra[before:]))
    total = pre + max(post, 0.0)
    return pre / total if total > 0 else float("nan")


@dataclass(frozen=True)
class Considered:
    """Among the customers there at the start of a window: who considered switching, who switched."""

    considered: float  # looked around, started to, or was made to compare, in any month of the window
    switched: float  # left for another provider by their own decision
    moved: float  # left for any reason (a life event's move included)


def considered_and_switched(events: pd.DataFrame, start: int, months: int) -> Considered:
    """The survey's questions asked of simulated customers: in these months, did you consider switching, did you?"""
    window = events[(events["month"] >= start) & (events["month"] < start + months)]
    base = window.loc[window["month"] == start, "customer"].unique()
    window = window[window["customer"].isin(base)]
    by = window.groupby("customer", sort=False)
    n = max(len(base), 1)
    considered = (window["looking"] | window["attentive"] | window["started_looking"]).groupby(window["customer"])
    return Considered(
        considered=float(considered.any().sum()) / n,
        switched=float((window["left"] == "switched").groupby(window["customer"]).any().sum()) / n,
        moved=float(by["left"].agg(lambda s: bool((s != "stayed").any())).sum()) / n,
    )


def slope(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Least-squares slope of y on x and its standard error (from the residuals)."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    dx = x - x.mean()
    b = float((dx * (y - y.mean())).sum() / (dx * dx).sum())
    resid = y - y.mean() - b * dx
    dof = max(len(x) - 2, 1)
    return b, float(math.sqrt((resid @ resid) / dof / (dx * dx).sum()))


def yearly_retention(retained: np.ndarray, years: int) -> np.ndarray:
    """Year-on-year retention of a cohort from its monthly head count (month 0 first): S(12k) / S(12(k-1))."""
    retained = np.asarray(retained, float)
    return np.array([retained[12 * k] / retained[12 * (k - 1)] for k in range(1, years + 1)])


def band(values: np.ndarray, level: float = 0.95) -> tuple[float, float]:
    """The range holding ``level`` of the values: their central quantiles."""
    tail = (1.0 - level) / 2.0
    lo, hi = np.quantile(np.asarray(values, float), [tail, 1.0 - tail])
    return float(lo), float(hi)
