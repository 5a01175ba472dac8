"""Closed forms the docking runs compare against, and their exact monthly analogues (pure functions).

The Bass diffusion curve and its stationary share with churn, the shifted-beta-geometric retention
curve (Fader and Hardie 2007) and the loyalty ladder as an absorbing Markov chain. Where churnsim's
monthly, synchronous schedule differs from continuous time, the monthly analogue is given as well,
so that a docking tolerance can include the discretisation gap computed, not guessed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from churnsim import rules
from churnsim.schema.params import STAGES, Scenario


def bass_curve(t: np.ndarray | float, p: float, q: float) -> np.ndarray:
    """Bass (1969) cumulative adopter share F(t) = (1 - e^{-(p+q)t}) / (1 + (q/p) e^{-(p+q)t})."""
    e = np.exp(-(p + q) * np.asarray(t, dtype=float))
    return (1.0 - e) / (1.0 + (q / p) * e)


def bass_stationary_share(p: float, q: float, d: float) -> float:
    """Adopter share where Bass inflow (1-F)(p+qF) balances churn dF: root of qF^2 + (d+p-q)F - p = 0."""
    if q == 0:
        return p / (p + d)
    b = d + p - q
    return (-b + math.sqrt(b * b + 4.0 * q * p)) / (2.0 * q)


def wom_q(ambassador_rate: float, reach: float, strength: float, customers: int | None = None) -> float:
    """The Bass imitation coefficient q that churnsim's word of mouth implies in a fully mixed population.

    Each customer tells with chance a, to Poisson(R) people drawn uniformly from everyone, and a
    prospect with M messages adopts with hazard p + r M. A prospect's M is then Poisson with mean
    (tellers) R / N, so E[e^{-rM}] = e^{-q F} with q = a R (1 - e^{-r}) as N grows; for finite N
    the exact value is q_N = -N ln(1 - a (1 - e^{-(R/N)(1 - e^{-r})})).
    """
    c = -math.expm1(-strength)
    if customers is None:
        return ambassador_rate * reach * c
    return -customers * math.log1p(-ambassador_rate * -math.expm1(-reach * c / customers))


def bass_monthly(months: int, p: float, q: float, d: float = 0.0, start: float = 0.0) -> np.ndarray:
    """The model's own (mean-field) Bass recursion, month 0..months.

    churnsim is synchronous and monthly: a prospect adopts in month t with probability
    1 - e^{-(p + q F_{t-2})} because the recommendations it reads were sent in month t-1 by those
    who were customers at the start of month t-1 (the end of month t-2); customers at the start of
    month t leave with probability d. Hence F_t = F_{t-1}(1-d) + (1-F_{t-1})(1 - e^{-(p+qF_{t-2})}),
    with no messages at all in month 1. As p, q, d -> 0 this converges to the continuous Bass model.
    """
    f = np.empty(months + 1)
    f[0] = start
    for t in range(1, months + 1):
        heard = f[t - 2] if t >= 2 else 0.0
        f[t] = f[t - 1] * (1.0 - d) - (1.0 - f[t - 1]) * math.expm1(-(p + q * heard))
    return f


def bass_monthly_stationary(p: float, q: float, d: float) -> float:
    """Fixed point of ``bass_monthly``: d F = (1 - F)(1 - e^{-(p + qF)})."""
    from scipy import optimize

    if d == 0:
        return 1.0
    return float(optimize.brentq(lambda f: d * f + (1.0 - f) * math.expm1(-(p + q * f)), 0.0, 1.0, xtol=1e-14))


@dataclass(frozen=True)
class BassNoise:
    """Linear-noise approximation of ``bass_monthly`` for N customers (van Kampen).

    ``var[t]`` is the variance of the adopter share in month t of one run; ``window_var`` the
    variance of one run's average share over the window. Sources of noise: each prospect's
    Bernoulli adoption, each customer's Bernoulli exit, and the shared randomness of who tells
    and how many they tell (Poisson), which moves every prospect's hazard together.
    """

    mean: np.ndarray
    var: np.ndarray
    window_var: float


def bass_noise(months: int, p: float, q: float, customers: int, ambassador_rate: float, reach: float,
               strength: float, d: float = 0.0, start: float = 0.0,
               window: tuple[int, int] | None = None) -> BassNoise:
    """Mean path and run-to-run variance of the adopter share, propagated through the linearised map."""
    n = customers
    c = -math.expm1(-strength)
    a = ambassador_rate
    f = bass_monthly(months, p, q, d, start)
    lo, hi = window if window else (months + 1, months + 1)
    width = max(hi - lo + 1, 1)
    # state: (F_t, F_{t-1}, running window mean)
    cov = np.zeros((3, 3))
    cov[0, 0] = start * (1.0 - start) / n
    var = np.empty(months + 1)
    var[0] = cov[0, 0]
    for t in range(1, months + 1):
        f1 = f[t - 1]
        f2 = f[t - 2] if t >= 2 else 0.0
        wom = t >= 2
        survive = math.exp(-(p + q * f2 * wom))
        adopt = 1.0 - survive
        g1 = (1.0 - d) - adopt
        g2 = (1.0 - f1) * q * survive if wom else 0.0
        noise = (f1 * d * (1.0 - d) + (1.0 - f1) * adopt * survive) / n
        if wom:
            noise += (1.0 - f1) ** 2 * survive**2 * c**2 * f2 * a * (reach + reach**2 * (1.0 - a)) / n
        w = 1.0 / width if lo <= t <= hi else 0.0
        jac = np.array([[g1, g2, 0.0], [1.0, 0.0, 0.0], [w * g1, w * g2, 1.0]])
        b = np.array([1.0, 0.0, w])
        cov = jac @ cov @ jac.T + noise * np.outer(b, b)
        var[t] = cov[0, 0]
    return BassNoise(f, var, float(cov[2, 2]))


def sbg_survival(months: int, a: float, b: float) -> np.ndarray:
    """Shifted-beta-geometric retention S(t) = prod_{i<t} (b + i) / (a + b + i), t = 0..months.

    The share of a cohort still there after t months when each customer leaves with a constant
    monthly probability drawn from Beta(a, b) (Fader and Hardie 2007): E[(1-theta)^t] = B(a, b+t) / B(a, b).
    Exact for churnsim's monthly life-event churn, with no discretisation at all.
    """
    i = np.arange(months)
    return np.concatenate([[1.0], np.cumprod((b + i) / (a + b + i))])


LADDER_STATES = tuple(f"{s}{' looking' if look else ''}" for look in (False, True) for s in STAGES)


@dataclass(frozen=True)
class LadderChain:
    """The loyalty ladder as an absorbing Markov chain over (stage, looking); leaving absorbs.

    ``q`` is the 6 x 6 transient block (rows: from, columns: to, state index stage + 3 * looking),
    ``start`` the month-0 distribution (stage by ``ladder.initial_shares``, looking by
    ``phase_out.initial_looking``, independently). The fundamental matrix N = (I - Q)^{-1} gives the
    expected months in each state before leaving, so the expected lifetime is start N 1.
    """

    q: np.ndarray
    start: np.ndarray

    def fundamental(self) -> np.ndarray:
        return np.linalg.inv(np.eye(len(self.q)) - self.q)

    def occupancy(self, months: int) -> np.ndarray:
        """Share of the cohort in each state and not yet gone, months 0..months (rows)."""
        rows = [self.start]
        for _ in range(months):
            rows.append(rows[-1] @ self.q)
        return np.array(rows)

    def survival(self, months: int) -> np.ndarray:
        return self.occupancy(months).sum(axis=1)

    def expected_lifetime(self) -> float:
        """Expected months until a customer first leaves: start (I - Q)^{-1} 1."""
        return float(self.start @ self.fundamental().sum(axis=1))

    def lifetime_variance(self) -> float:
        """Var(T) from the fundamental matrix: E[T^2] = start (2N - I) N 1 for an absorbing chain."""
        nn = self.fundamental()
        t = nn.sum(axis=1)
        second = self.start @ ((2.0 * nn - np.eye(len(nn))) @ t)
        return float(second - (self.start @ t) ** 2)

    def restricted_lifetime(self, horizon: int) -> tuple[float, float]:
        """Mean and variance of min(T, horizon), what a finite run can measure: sum of S(t), t < horizon.

        E[min(T,H)] = start (I - Q^H) N 1, the fundamental matrix again; the variance uses
        E[min(T,H)^2] = sum_{t<H} (2t + 1) S(t).
        """
        s = self.survival(horizon)[:horizon]
        t = np.arange(horizon)
        mean = float(s.sum())
        return mean, float(((2 * t + 1) * s).sum() - mean**2)


def ladder_chain(scenario: Scenario) -> LadderChain:
    """The exact monthly transition matrix the scenario implies, when it is a homogeneous Markov chain.

    A failure (never made good: there are no contacts) adds ``service.bad_hazard`` to the
    pressure; a customer who starts looking may leave in the same month, like one already looking.

    Requires what makes every customer alike and every month independent of the others: word of
    mouth, payment friction, offers, rewards and the economy off; no service contacts (failures
    only); all providers with the same levers and no promo or price change, so that nobody made to
    compare finds a better deal; identical expectations and price sensitivities; no life-event churn
    (``market.exit_rate`` is the homogeneous churn); no burn-in (the chain starts from the initial shares).
    Raises ValueError naming the first condition that fails.
    """
    s = scenario
    problems = []
    for group in ("word_of_mouth", "payment", "offers", "rewards", "economy"):
        if getattr(s, group).enabled:
            problems.append(f"{group}.enabled must be false")
    if not (s.ladder.enabled and s.phase_out.enabled and s.service.enabled):
        problems.append("ladder, phase_out and service must be enabled")
    if s.service.question_rate != 0 or s.service.contact_given_failure != 0:
        problems.append("service.question_rate and service.contact_given_failure must be 0 (no contacts)")
    if s.market.annual_renewal or s.market.prospect_share != 0 or s.market.burn_in != 0:
        problems.append("market.annual_renewal must be false, market.prospect_share and market.burn_in 0")
    levers = [p.levers.model_dump() for p in s.providers]
    if any(lv != levers[0] for lv in levers):
        problems.append("all providers need the same levers")
    lv = s.providers[0].levers
    if lv.promo_discount or lv.price_change.month or lv.retention_offers:
        problems.append("promo_discount, price_change and retention_offers must be off")
    for seg in s.segments:
        if seg.expectation.sd or seg.price_sensitivity.sd or seg.expectation != s.segments[0].expectation or \
                seg.price_sensitivity != s.segments[0].price_sensitivity:
            problems.append("every segment needs the same expectation and price sensitivity, with sd 0")
        churn = seg.baseline_churn
        if churn.alpha / (churn.alpha + churn.beta) > 1e-10:
            problems.append("life-event churn must be off (baseline_churn.alpha tiny)")
    if problems:
        raise ValueError("not a homogeneous ladder chain: " + "; ".join(dict.fromkeys(problems)))

    lad, po, svc, resp = s.ladder, s.phase_out, s.service, s.response
    seg = s.segments[0]
    ref = s.market.reference_price
    sens = max(seg.price_sensitivity.mean, 0.0)
    promote = (lad.promote_chosen, lad.promote_rechosen, 0.0)
    leave = rules.leave_probability(0.0, po.switch_rate, po.advantage_weight, False, False, s.rewards)  # no deal
    d = s.market.exit_rate
    q = np.zeros((6, 6))
    for stage in range(3):
        for looking in (0, 1):
            row = q[stage + 3 * looking]
            for failed, p_fail in ((True, lv.failure_rate), (False, 1.0 - lv.failure_rate)):
                month = rules.Experience(failure=failed)  # a failure, never made good: there are no contacts
                gap = rules.experience_gap(lv.quality, seg.expectation.mean, month, svc, s.offers)
                confirm = rules.confirm_probability(gap, resp)
                value = rules.perceived_value(ref, gap, resp.value_per_gap)
                pressure = rules.invoice_pressure(lv.price, value, sens, ref, po.invoice_weight)
                pressure += failed * svc.bad_hazard
                look = rules.hazard_probability(rules.look_hazard(pressure, po.base_attention, lad.resistance[stage]))
                for confirmed, p_conf in ((1, confirm), (0, 1.0 - confirm)):
                    if failed:
                        moves = _moves((max(stage - 1, 0), lad.demote_on_bad), (stage, 1.0 - lad.demote_on_bad))
                    elif confirmed:
                        moves = _moves((min(stage + 1, 2), promote[stage]), (stage, 1.0 - promote[stage]))
                    else:
                        moves = {stage: 1.0}
                    if looking:
                        calm = po.calm_down if confirmed and not failed else 0.0
                        looks = {0: calm, 1: (1.0 - calm) * (1.0 - leave)}
                    else:  # one who starts looking compares at once and may leave in the same month
                        looks = {0: 1.0 - look, 1: look * (1.0 - leave)}
                    weight = p_fail * p_conf * (1.0 - d)
                    for to_stage, p_stage in moves.items():
                        for to_look, p_look in looks.items():
                            row[to_stage + 3 * to_look] += weight * p_stage * p_look
    stages = np.array(lad.initial_shares) / sum(lad.initial_shares)
    start = np.concatenate([stages * (1.0 - po.initial_looking), stages * po.initial_looking])
    return LadderChain(q, start)


def _moves(*pairs: tuple[int, float]) -> dict[int, float]:
    """Probabilities of target stages, summed (a demotion on the bottom rung is a stay, so targets collide)."""
    out: dict[int, float] = {}
    for stage, prob in pairs:
        out[stage] = out.get(stage, 0.0) + prob
    return out
