"""The shifted-beta-geometric model (Fader and Hardie 2007): the standard projection of a cohort table.

Each customer renews every period with their own probability; churn probabilities are
Beta(alpha, beta) across customers. The maximum-likelihood fit to the survivor counts is the
baseline a calibrated churnsim must project as well as.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import optimize


@dataclass(frozen=True)
class SBGFit:
    alpha: float
    beta: float
    log_likelihood: float

    def survival(self, periods: int) -> np.ndarray:
        """Share of the cohort still there after 0..periods periods."""
        return survival(self.alpha, self.beta, periods)


def churn_probabilities(alpha: float, beta: float, periods: int) -> np.ndarray:
    """P(T = t), t = 1..periods: the share of the cohort lost in period t (the paper's recursion)."""
    t = np.arange(2, periods + 1)
    ratios = (beta + t - 2) / (alpha + beta + t - 1)
    return alpha / (alpha + beta) * np.concatenate([[1.0], np.cumprod(ratios)])


def survival(alpha: float, beta: float, periods: int) -> np.ndarray:
    """S(t), t = 0..periods."""
    return np.concatenate([[1.0], 1.0 - np.cumsum(churn_probabilities(alpha, beta, periods))])


def log_likelihood(alpha: float, beta: float, survivors: Sequence[float]) -> float:
    """Customers lost in each period, and those still there after the last, under sBG(alpha, beta)."""
    counts = np.asarray(survivors, float)
    periods = len(counts) - 1
    lost = -np.diff(counts)
    p = churn_probabilities(alpha, beta, periods)
    tail = max(1.0 - p.sum(), 1e-300)
    return float(lost @ np.log(np.maximum(p, 1e-300)) + counts[-1] * np.log(tail))


def fit(survivors: Sequence[float]) -> SBGFit:
    """Maximum-likelihood alpha and beta for a cohort's survivor counts (period 0 first)."""
    def negative(log_params: np.ndarray) -> float:
        alpha, beta = np.exp(log_params)
        return -log_likelihood(alpha, beta, survivors)

    best = min((optimize.minimize(negative, start, method="Nelder-Mead",
                                  options={"xatol": 1e-8, "fatol": 1e-10, "maxiter": 4000})
                for start in ([0.0, 0.0], [-1.0, 1.0], [1.0, 3.0])), key=lambda r: r.fun)
    alpha, beta = np.exp(best.x)
    return SBGFit(float(alpha), float(beta), float(-best.fun))
