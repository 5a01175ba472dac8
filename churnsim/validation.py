"""Docking with analytic models and stylized facts: the evidence that churnsim is what it claims.

Researchers trust an agent-based model when it reduces exactly to known analytic models in
special cases and when its default behaviour reproduces the regularities it encodes (Rand
and Rust 2011). This module holds both halves:

* closed forms (pure functions): the Bass diffusion curve, its stationary share with churn,
  the loyalty ladder as an absorbing Markov chain, and the shifted-beta-geometric retention
  curve (Fader and Hardie 2007), plus the exact monthly (discrete-time) analogue of each
  where the model's monthly schedule differs from continuous time;
* docking runs: the real model, configured through an ordinary scenario (``--set`` style
  overrides of the defaults, not a toy), run as an ensemble and compared with the closed
  form, with a tolerance derived from the number of runs and customers;
* stylized facts, declared with their targets in ``experiments/stylized_facts.toml``;
* ``churnsim check-model``, which runs everything and prints (or writes) the table that
  ``docs/VALIDATION.md`` is generated from.

Every tolerance is ``Z_TOLERANCE`` standard errors plus, where the model's monthly time step
differs from the continuous-time closed form, the exact discretisation gap between the
closed form and its monthly analogue (computed, not guessed).
"""

from __future__ import annotations

import importlib.util
import math
import time
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click
import numpy as np

from churnsim import rules
from churnsim.params import STAGES, Scenario

Z_TOLERANCE = 4.5  # standard errors a docking comparison may miss by (false alarm about 7e-6 per comparison)
CI_LEVEL = 0.95
OFF = 1e-9  # Beta alpha that switches life-event churn off: mean alpha / (alpha + beta) below 1e-14
REPO = Path(__file__).resolve().parents[1]
DEFAULT_FACTS = Path("experiments") / "stylized_facts.toml"


# ---------------------------------------------------------------------------------------------
# Closed forms and their monthly analogues (pure functions)
# ---------------------------------------------------------------------------------------------


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

    Requires what makes every customer alike and every month independent of the others: word of
    mouth, payment friction, offers, rewards and the economy off; no service contacts (failures
    only); all providers with the same levers and no promo or price change; identical expectations
    and price sensitivities; no life-event churn (``market.exit_rate`` is the homogeneous churn).
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
    if s.market.annual_renewal or s.market.prospect_share != 0:
        problems.append("market.annual_renewal must be false and market.prospect_share 0")
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
    leave = min(po.switch_rate, 1.0)
    d = s.market.exit_rate
    q = np.zeros((6, 6))
    for stage in range(3):
        for looking in (0, 1):
            row = q[stage + 3 * looking]
            for failed, p_fail in ((1, lv.failure_rate), (0, 1.0 - lv.failure_rate)):
                gap = lv.quality - seg.expectation.mean - failed * svc.failure_loss
                confirm = float(rules.confirm_probability(gap, resp.shortfall_slope, resp.meet_level,
                                                          resp.exceed_gain, resp.exceed_scale))
                value = ref * (1.0 + resp.value_per_gap * gap)
                pressure = po.invoice_weight * sens * max(lv.price - value, 0.0) / ref
                look = sum(w * -math.expm1(-(po.base_attention + pressure + extra) * lad.resistance[stage])
                           for w, extra in ((po.bill_shock_rate, po.bill_shock_weight), (1 - po.bill_shock_rate, 0.0)))
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
                    else:
                        looks = {0: 1.0 - look, 1: look}
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


# ---------------------------------------------------------------------------------------------
# Docking scenarios: ordinary scenarios, built by dotted-path overrides of the schema defaults
# ---------------------------------------------------------------------------------------------

MECHANISMS_OFF = (
    "ladder.enabled=false", "phase_out.enabled=false", "service.enabled=false", "word_of_mouth.enabled=false",
    "payment.enabled=false", "offers.enabled=false", "rewards.enabled=false", "economy.enabled=false",
    f"segments.0.baseline_churn.alpha={OFF}",
)


@dataclass(frozen=True)
class BassCase:
    """Bass diffusion in a fully mixed population (advertising p, word of mouth, optional churn d)."""

    p: float = 0.01
    ambassador_rate: float = 0.5
    reach: float = 4.0
    strength: float = 0.05
    d: float = 0.0
    months: int = 72
    start: float = 0.0
    window: tuple[int, int] | None = None

    @property
    def q(self) -> float:
        return wom_q(self.ambassador_rate, self.reach, self.strength)

    def sets(self) -> list[str]:
        return [
            *(x for x in MECHANISMS_OFF if not x.startswith("word_of_mouth")), "network.kind='mixed'",
            f"market.prospect_share={1.0 - self.start:g}", f"market.entry_rate={self.p}", f"market.exit_rate={self.d}",
            "word_of_mouth.tell_bad=0", "word_of_mouth.tell_good=0",
            f"word_of_mouth.ambassador_rate={self.ambassador_rate}", "word_of_mouth.recommend_by_stage=[1.0, 1.0, 1.0]",
            f"word_of_mouth.reach_good={self.reach}", f"word_of_mouth.referral_strength={self.strength}",
        ]


BASS = BassCase()
BASS_CHURN = BassCase(d=0.02, months=100, start=0.8, window=(40, 100))

SBG_A, SBG_B, SBG_MONTHS = 0.7, 3.5, 24
LADDER_MONTHS = 60
LADDER_SETS = (
    "word_of_mouth.enabled=false", "payment.enabled=false", "offers.enabled=false", "rewards.enabled=false",
    "economy.enabled=false", f"segments.0.baseline_churn.alpha={OFF}",
    "segments.0.expectation.sd=0", "segments.0.price_sensitivity.sd=0",
    "service.question_rate=0", "service.contact_given_failure=0",
    "ladder.initial_shares=[0.5, 0.3, 0.2]", "ladder.promote_chosen=0.12", "ladder.promote_rechosen=0.06",
    "phase_out.base_attention=0.06", "phase_out.switch_rate=0.3", "phase_out.calm_down=0.3",
    "market.exit_rate=0.005",
    *(f"providers.{i}.levers.failure_rate=0.06" for i in range(3)),
)


def docking_scenario(sets: Sequence[str], customers: int, months: int) -> Scenario:
    """A scenario from the schema defaults plus overrides: the same path a user's --set takes."""
    from churnsim.scenario import load

    return load({}, sets=list(sets), customers=customers, months=months).scenario


def sbg_sets(a: float = SBG_A, b: float = SBG_B) -> list[str]:
    return [*MECHANISMS_OFF[:-1], f"segments.0.baseline_churn.alpha={a}", f"segments.0.baseline_churn.beta={b}"]


# ---------------------------------------------------------------------------------------------
# Ensembles
# ---------------------------------------------------------------------------------------------


def available_engines() -> tuple[str, ...]:
    """The engines this installation has: the agent engine always, the vector engine once written."""
    has_vector = importlib.util.find_spec("churnsim.vector") is not None
    return ("agents", "vector") if has_vector else ("agents",)


def run_seeds(seed: int, runs: int) -> list[int]:
    """Independent seeds for an ensemble from one master seed (numpy SeedSequence), never hand-picked."""
    return [int(s) for s in np.random.SeedSequence(seed).generate_state(runs, dtype=np.uint32)]


def simulate(scenario: Scenario, seed: int, engine: str,
             observe: Callable[[Any, int], None] | None = None) -> Any:
    """Run one model to the scenario's horizon, calling ``observe(model, month)`` after months 0..T."""
    from churnsim.engines import create_model

    model = create_model(scenario, rng=seed, engine=engine)
    if observe:
        observe(model, 0)
    for month in range(1, scenario.market.months + 1):
        model.step()
        if observe:
            observe(model, month)
    return model


def market_totals(model: Any, column: str) -> np.ndarray:
    """A timeseries column summed over providers, indexed by month."""
    return model.timeseries.groupby("month")[column].sum().to_numpy(dtype=float)


# ---------------------------------------------------------------------------------------------
# Check rows
# ---------------------------------------------------------------------------------------------


@dataclass
class Check:
    """One row of the validation table: what was expected, what was measured, and the verdict."""

    group: str
    name: str
    engine: str
    target: str
    measured: str
    accepted: str
    passed: bool | None  # None: reported for information, no verdict
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def verdict(self) -> str:
        return "info" if self.passed is None else "pass" if self.passed else "FAIL"


def _fmt(x: float, digits: int = 3) -> str:
    return f"{x:.{digits}f}"


def _pct(x: float, digits: int = 1) -> str:
    return f"{100 * x:.{digits}f} %"


def _t_ci(values: Sequence[float]) -> tuple[float, float, float]:
    """Mean and Student-t confidence interval of per-run values (runs are independent replications)."""
    from scipy import stats

    v = np.asarray(values, dtype=float)
    mean = float(v.mean())
    if len(v) < 2:
        return mean, float("nan"), float("nan")
    half = float(stats.t.ppf(0.5 + CI_LEVEL / 2, len(v) - 1) * v.std(ddof=1) / math.sqrt(len(v)))
    return mean, mean - half, mean + half


def _series_check(name: str, engine: str, measured: np.ndarray, target: np.ndarray, se: np.ndarray,
                  extra: np.ndarray, months: np.ndarray, label: str) -> Check:
    """Compare a measured monthly series with its target month by month: |m - t| <= z SE + extra."""
    tol = Z_TOLERANCE * se + extra
    dev = np.abs(measured - target)
    worst = int(np.argmax(dev / tol))
    ok = bool(np.all(dev <= tol))
    return Check(
        "docking", name, engine,
        target=f"{label} at month {months[worst]}: {_fmt(target[worst])}",
        measured=f"{_fmt(measured[worst])} (worst month of {len(months)}; max |dev|/tol = {np.max(dev / tol):.2f})",
        accepted=f"every month within {Z_TOLERANCE} SE" + (f" + discretisation <= {_fmt(float(extra.max()))}"
                                                           if np.any(extra > 0) else "")
        + f" (SE at worst month {float(se[worst]):.4f})",
        passed=ok,
        detail={"max_ratio": float(np.max(dev / tol)), "max_dev": float(dev.max()),
                "worst_month": int(months[worst]), "se": float(se[worst]), "extra": float(extra.max())},
    )


# ---------------------------------------------------------------------------------------------
# Docking runs
# ---------------------------------------------------------------------------------------------


def _bass_ensemble(case: BassCase, engine: str, runs: int, customers: int, seed: int) -> np.ndarray:
    scenario = docking_scenario(case.sets(), customers, case.months)
    shares = []
    for s in run_seeds(seed, runs):
        model = simulate(scenario, s, engine)
        shares.append(market_totals(model, "customers") / customers)
    return np.array(shares)


def dock_bass(engine: str, runs: int, customers: int, seed: int = 1, case: BassCase = BASS) -> list[Check]:
    """Bass diffusion without churn: ensemble mean adopter share against the closed form and its monthly analogue."""
    shares = _bass_ensemble(case, engine, runs, customers, seed)
    months = np.arange(case.months + 1)
    q_n = wom_q(case.ambassador_rate, case.reach, case.strength, customers)
    noise = bass_noise(case.months, case.p, q_n, customers, case.ambassador_rate, case.reach, case.strength)
    mean = shares.mean(axis=0)
    se = np.maximum(np.sqrt(noise.var / runs), shares.std(axis=0, ddof=1) / math.sqrt(runs) if runs > 1 else 0.0)
    se = np.maximum(se, 1e-12)
    closed = bass_curve(months, case.p, case.q)
    gap = np.abs(noise.mean - closed)
    sel = months >= 1
    label = f"p={case.p}, q={case.q:.4f}"
    monthly = _series_check(f"Bass F(t), monthly analogue ({label})", engine, mean[sel], noise.mean[sel], se[sel],
                            np.zeros(sel.sum()), months[sel], "F")
    closed_check = _series_check(f"Bass F(t), closed form ({label})", engine, mean[sel], closed[sel], se[sel],
                                 gap[sel], months[sel], "F")
    for c in (monthly, closed_check):
        c.detail.update(runs=runs, customers=customers, months=case.months)
    return [monthly, closed_check]


def dock_bass_churn(engine: str, runs: int, customers: int, seed: int = 2, case: BassCase = BASS_CHURN) -> list[Check]:
    """Bass with churn at rate d: long-run adopter share against the root of qF^2 + (d+p-q)F - p = 0."""
    if case.window is None:
        raise ValueError("dock_bass_churn needs a case with a measurement window")
    shares = _bass_ensemble(case, engine, runs, customers, seed)
    lo, hi = case.window
    per_run = shares[:, lo:hi + 1].mean(axis=1)
    q_n = wom_q(case.ambassador_rate, case.reach, case.strength, customers)
    noise = bass_noise(case.months, case.p, q_n, customers, case.ambassador_rate, case.reach, case.strength,
                       d=case.d, start=case.start, window=case.window)
    analogue = float(noise.mean[lo:hi + 1].mean())
    closed = bass_stationary_share(case.p, case.q, case.d)
    root = bass_monthly_stationary(case.p, q_n, case.d)
    se = max(math.sqrt(noise.window_var / runs), float(per_run.std(ddof=1) / math.sqrt(runs)) if runs > 1 else 0.0)
    measured = float(per_run.mean())
    checks = []
    for name, target, extra, text in (
        ("monthly analogue", analogue, 0.0, f"root of dF = (1-F)(1-e^(-(p+qF))): {root:.4f}; window mean of the map"),
        ("closed form", closed, abs(analogue - closed), "root of qF^2 + (d+p-q)F - p = 0"),
    ):
        tol = Z_TOLERANCE * se + extra
        checks.append(Check(
            "docking", f"Bass with churn, stationary share, {name} (p={case.p}, q={case.q:.4f}, d={case.d})", engine,
            target=f"{target:.4f} ({text})",
            measured=f"{measured:.4f} (months {lo}-{hi}, SE {se:.4f})",
            accepted=f"within {Z_TOLERANCE} SE" + (f" + discretisation {extra:.4f}" if extra else "") + f" = {tol:.4f}",
            passed=abs(measured - target) <= tol,
            detail={"measured": measured, "target": target, "se": se, "tol": tol, "runs": runs,
                    "customers": customers, "ratio": abs(measured - target) / tol},
        ))
    return checks


def dock_sbg(engine: str, runs: int, customers: int, seed: int = 3, a: float = SBG_A, b: float = SBG_B,
             months: int = SBG_MONTHS) -> list[Check]:
    """Heterogeneous constant churn with Beta(a, b) monthly probabilities: cohort retention is sBG."""
    scenario = docking_scenario(sbg_sets(a, b), customers, months)
    retained = np.zeros(months + 1)
    cohort = 0.0
    for s in run_seeds(seed, runs):
        model = simulate(scenario, s, engine)
        retained += market_totals(model, "retained")
        cohort += market_totals(model, "cohort")[0]
    measured = retained / cohort
    target = sbg_survival(months, a, b)
    se = np.sqrt(target * (1.0 - target) / cohort)  # customers are independent: binomial, exactly
    t = np.arange(months + 1)
    sel = t >= 1
    check = _series_check(f"sBG retention S(t), Beta({a}, {b}) churn", engine, measured[sel], target[sel], se[sel],
                          np.zeros(sel.sum()), t[sel], "S")
    check.detail.update(runs=runs, customers=customers, months=months, s_end=float(measured[-1]),
                        target_end=float(target[-1]))
    return [check]


def ladder_scenario(customers: int, months: int = LADDER_MONTHS) -> Scenario:
    return docking_scenario(LADDER_SETS, customers, months)


def dock_ladder(engine: str, runs: int, customers: int, seed: int = 4, months: int = LADDER_MONTHS) -> list[Check]:
    """The loyalty ladder as a Markov chain: stage occupancy over time and expected lifetime (I - Q)^{-1}."""
    scenario = ladder_scenario(customers, months)
    chain = ladder_chain(scenario)
    counts = np.zeros((months + 1, 6))
    cohort = 0.0

    def observe(model: Any, month: int) -> None:
        _provider, stage, looking, stayed = model.state_columns()
        counts[month] += np.bincount(stage[stayed] + 3 * looking[stayed], minlength=6)

    for s in run_seeds(seed, runs):
        model = simulate(scenario, s, engine, observe)
        cohort += float(market_totals(model, "cohort")[0])
    measured = counts / cohort
    target = chain.occupancy(months)
    t = np.arange(months + 1)
    checks = []
    for k, stage in enumerate(STAGES):
        m = measured[1:, k] + measured[1:, k + 3]
        g = target[1:, k] + target[1:, k + 3]
        checks.append(_series_check(f"ladder occupancy: {stage}", engine, m, g, np.sqrt(g * (1 - g) / cohort),
                                    np.zeros(months), t[1:], "share"))
    m, g = measured[1:, 3:].sum(axis=1), target[1:, 3:].sum(axis=1)
    checks.append(_series_check("ladder occupancy: looking around", engine, m, g, np.sqrt(g * (1 - g) / cohort),
                                np.zeros(months), t[1:], "share"))
    survival = measured.sum(axis=1)
    life_mean, life_var = chain.restricted_lifetime(months)
    got = float(survival[:months].sum())
    se = math.sqrt(life_var / cohort)
    tol = Z_TOLERANCE * se
    full = chain.expected_lifetime()
    checks.append(Check(
        "docking", f"ladder expected lifetime within {months} months", engine,
        target=f"{life_mean:.3f} months (start (I - Q^H)(I - Q)^-1 1; unrestricted E[T] = {full:.2f}, "
               f"sd {math.sqrt(chain.lifetime_variance()):.1f})",
        measured=f"{got:.3f} months (sum of measured S(t))",
        accepted=f"within {Z_TOLERANCE} SE = {tol:.3f}",
        passed=abs(got - life_mean) <= tol,
        detail={"measured": got, "target": life_mean, "se": se, "tol": tol, "expected_lifetime": full},
    ))
    for c in checks:
        c.detail.update(runs=runs, customers=customers, months=months)
    return checks


DOCKING: dict[str, Callable[..., list[Check]]] = {
    "bass": dock_bass, "bass_churn": dock_bass_churn, "ladder": dock_ladder, "sbg": dock_sbg,
}


# ---------------------------------------------------------------------------------------------
# Stylized facts
# ---------------------------------------------------------------------------------------------

FACT_KEYS = {
    "settings": {"scenario", "runs", "customers", "months"},
    "effort_asymmetry": {"source", "high_effort", "low_effort"},
    "delight_plateau": {"source", "gap", "expectation_sd", "max_ratio"},
    "wom_reach": {"source", "target", "low", "high"},
    "sector_bands": {"source", "months"},
    "downturn": {"source", "downturn_month", "window", "min_ratio", "published_considered", "published_switched"},
}


class ValidationInputError(click.ClickException):
    """Bad input to check-model: one line on stderr, exit code 2."""

    exit_code = 2


def load_facts(path: Path) -> dict[str, dict[str, Any]]:
    """Read and check the stylized-facts file: every section and key known, nothing missing."""
    try:
        with path.open("rb") as fh:
            spec = tomllib.load(fh)
    except OSError as exc:
        raise ValidationInputError(f"{path}: cannot read: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ValidationInputError(f"{path}: not valid TOML: {exc}") from None
    for section, keys in FACT_KEYS.items():
        if section not in spec:
            raise ValidationInputError(f"{path}: missing section [{section}]")
        given = set(spec[section])
        if given - keys:
            raise ValidationInputError(f"{path}: [{section}] unknown key(s) {sorted(given - keys)}; "
                                       f"allowed: {', '.join(sorted(keys))}")
        required = keys - {"source", "scenario", "months"}
        if required - given:
            raise ValidationInputError(f"{path}: [{section}] missing key(s) {sorted(required - given)}")
    unknown = set(spec) - set(FACT_KEYS)
    if unknown:
        raise ValidationInputError(f"{path}: unknown section(s) {sorted(unknown)}; allowed: {', '.join(FACT_KEYS)}")
    return spec


def _fact_scenario(source: str | None, customers: int, months: int | None, sets: Sequence[str] = ()) -> Scenario:
    from churnsim.scenario import load

    return load(source, sets=list(sets), customers=customers, months=months).scenario


def _runs_of(scenario: Scenario, seeds: Sequence[int], engine: str,
             observe: Callable[[int], Callable[[Any, int], None]] | None = None) -> list[Any]:
    return [simulate(scenario, s, engine, observe(i) if observe else None) for i, s in enumerate(seeds)]


def fact_effort_and_reach(spec: dict[str, Any], settings: dict[str, Any], engine: str,
                          seeds: Sequence[int]) -> list[Check]:
    """Effort asymmetry (CEB: 96 % vs 9 %) and word-of-mouth reach (seed 002: about 10 vs 3), default scenario."""
    scenario = _fact_scenario(settings.get("scenario"), settings["customers"], settings.get("months"))
    high, low, reach_bad, reach_good = [], [], [], []
    for model in _runs_of(scenario, seeds, engine):
        ts = model.timeseries
        tot = ts.sum(numeric_only=True)
        high.append(tot["disloyal_high"] / max(tot["high_effort"], 1))
        low.append((tot["disloyal"] - tot["disloyal_high"]) / max(tot["contacted"] - tot["high_effort"], 1))
        reach_bad.append(tot["wom_bad_reached"] / max(tot["wom_bad"], 1))
        reach_good.append(tot["wom_good_reached"] / max(tot["wom_good"], 1))
    e, w = spec["effort_asymmetry"], spec["wom_reach"]
    checks = []
    for label, values, target in (("high-effort", high, e["high_effort"]), ("low-effort", low, e["low_effort"])):
        mean, lo, hi = _t_ci(values)
        se = float(np.std(values, ddof=1) / math.sqrt(len(values)))
        checks.append(Check(
            "stylized fact", f"effort asymmetry: disloyal after a {label} contact", engine,
            target=f"{_pct(target, 0)} ({e.get('source', '')})",
            measured=f"{_pct(mean)} [{_pct(lo)}, {_pct(hi)}]",
            accepted=f"within {Z_TOLERANCE} SE of target",
            passed=abs(mean - target) <= Z_TOLERANCE * se + 1e-12,
            detail={"measured": mean, "ci": (lo, hi), "target": target},
        ))
    ratio = [b / g for b, g in zip(reach_bad, reach_good, strict=True)]
    mean, lo, hi = _t_ci(ratio)
    checks.append(Check(
        "stylized fact", "word-of-mouth reach: people told per bad vs per good story", engine,
        target=f"about {w['target']:g}x ({w.get('source', '')})",
        measured=f"{mean:.2f}x [{lo:.2f}, {hi:.2f}] (bad {np.mean(reach_bad):.2f}, good {np.mean(reach_good):.2f})",
        accepted=f"{w['low']:g} <= ratio <= {w['high']:g}",
        passed=w["low"] <= mean <= w["high"],
        detail={"measured": mean, "ci": (lo, hi), "bad": float(np.mean(reach_bad)), "good": float(np.mean(reach_good))},
    ))
    return checks


def fact_delight_plateau(spec: dict[str, Any], settings: dict[str, Any], engine: str,
                         seeds: Sequence[int]) -> list[Check]:
    """Falling short of expectations costs loyalty; exceeding them adds little (Dixon et al. 2010).

    Three arms of the default scenario with every provider's quality set to the segment's mean
    expectation minus, plus or exactly the gap (expectations identical within a segment, so
    'met' means met for everyone); loyalty is the share re-chosen or embedded at the end. Same
    seeds in every arm (common random numbers), so the per-run ratio is a paired comparison.
    """
    f = spec["delight_plateau"]
    base = _fact_scenario(settings.get("scenario"), settings["customers"], settings.get("months"))
    expect = sum(s.share * s.expectation.mean for s in base.segments) / sum(s.share for s in base.segments)
    loyal: dict[str, list[float]] = {}
    churn: dict[str, list[float]] = {}
    for arm, offset in (("short", -f["gap"]), ("meet", 0.0), ("exceed", f["gap"])):
        sets = [f"segments.{i}.expectation.sd={f['expectation_sd']}" for i in range(len(base.segments))]
        sets += [f"segments.{i}.expectation.mean={expect}" for i in range(len(base.segments))]
        sets += [f"providers.{i}.levers.quality={expect + offset}" for i in range(len(base.providers))]
        scenario = _fact_scenario(settings.get("scenario"), settings["customers"], settings.get("months"), sets)
        for model in _runs_of(scenario, seeds, engine):
            ts = model.timeseries
            end = ts[ts["month"] == ts["month"].max()].sum(numeric_only=True)
            loyal.setdefault(arm, []).append((end["rechosen"] + end["embedded"]) / max(end["customers"], 1))
            tot = ts.sum(numeric_only=True)
            churn.setdefault(arm, []).append(float(rules.annual_churn(tot["churned"] / max(tot["billed"], 1))))
    short, meet, exceed = (np.array(loyal[k]) for k in ("short", "meet", "exceed"))
    ratio = (exceed - meet) / np.where(meet - short > 0, meet - short, np.nan)
    mean, lo, hi = _t_ci(ratio)
    text = ", ".join(f"{k} {np.mean(loyal[k]):.1%} (churn {np.mean(churn[k]):.1%}/yr)" for k in loyal)
    return [Check(
        "stylized fact", "delight plateau: loyalty gained by exceeding / lost by falling short", engine,
        target=f"small: <= {f['max_ratio']:g} ({f.get('source', '')})",
        measured=f"{mean:.3f} [{lo:.3f}, {hi:.3f}]; loyal share {text}",
        accepted=f"ratio <= {f['max_ratio']:g} and meeting beats falling short",
        passed=bool(mean <= f["max_ratio"] and np.mean(meet) > np.mean(short)),
        detail={"measured": mean, "ci": (lo, hi), "loyal": {k: float(np.mean(v)) for k, v in loyal.items()},
                "churn": {k: float(np.mean(v)) for k, v in churn.items()}, "gap": f["gap"]},
    )]


def fact_sector_bands(spec: dict[str, Any], settings: dict[str, Any], engine: str,
                      seeds: Sequence[int]) -> list[Check]:
    """Annual churn of every built-in scenario against its own calibration band ([meta.calibration])."""
    from churnsim import metrics
    from churnsim.scenario import builtin_scenarios

    months = spec["sector_bands"].get("months")
    checks = []
    for name in builtin_scenarios():
        scenario = _fact_scenario(name, settings["customers"], months)
        band = scenario.meta.calibration
        values = [metrics.summarize(m.timeseries, scenario)["market"]["annual_churn"]
                  for m in _runs_of(scenario, seeds, engine)]
        mean, lo, hi = _t_ci(values)
        checks.append(Check(
            "stylized fact", f"annual churn of built-in scenario '{name}' ({scenario.meta.sector})", engine,
            target=f"{_pct(band.annual_churn_min, 0)}-{_pct(band.annual_churn_max, 0)} ({band.source or 'band'})",
            measured=f"{_pct(mean)} [{_pct(lo)}, {_pct(hi)}] over {scenario.market.months} months",
            accepted="mean inside the band",
            passed=band.annual_churn_min <= mean <= band.annual_churn_max,
            detail={"measured": mean, "ci": (lo, hi), "band": (band.annual_churn_min, band.annual_churn_max)},
        ))
    return checks


def fact_downturn(spec: dict[str, Any], settings: dict[str, Any], engine: str, seeds: Sequence[int]) -> list[Check]:
    """In a downturn far more customers consider switching than switch (Novus for Billogram: 56 % vs >10 %).

    Among customers in the market when the downturn starts: *considered* means looking around at
    the end of any month of the window (or already at its start); *switched* means leaving for
    another provider while looking around, i.e. the phase-out path the survey asks about ("switched
    supplier to save money"). Moves forced by life events (moving house) are not a decision to save
    money; they are reported separately as all moves. Paired arms with and without the downturn.
    """
    f = spec["downturn"]
    start, window = int(f["downturn_month"]), int(f["window"])
    end = start + window - 1
    months = max(settings.get("months") or 0, end)
    result: dict[str, dict[str, list[float]]] = {}
    for arm, on in (("downturn", True), ("no downturn", False)):
        sets = [f"economy.enabled={str(on).lower()}", f"economy.downturn_month={start}"]
        scenario = _fact_scenario(settings.get("scenario"), settings["customers"], months, sets)
        out = result.setdefault(arm, {"considered": [], "switched": [], "moved": []})

        def observer(_i: int, out: dict[str, list[float]] = out) -> Callable[[Any, int], None]:
            state: dict[str, np.ndarray] = {}

            def observe(model: Any, month: int) -> None:
                # copies: an engine may hand out views of arrays it updates in place
                provider, _stage, looking, _stayed = (np.array(c) for c in model.state_columns())
                if month == start - 1:
                    state["base"] = provider >= 0
                    state["considered"] = looking & state["base"]
                    state["switched"] = np.zeros_like(looking)
                    state["moved"] = np.zeros_like(looking)
                elif start <= month <= end:
                    state["considered"] |= looking & state["base"]
                    moved = (provider != state["provider"]) & (provider >= 0) & (state["provider"] >= 0)
                    state["moved"] |= moved & state["base"]
                    state["switched"] |= moved & state["looking"] & state["base"]
                    if month == end:
                        n = max(int(state["base"].sum()), 1)
                        for key in ("considered", "switched", "moved"):
                            out[key].append(float(state[key].sum()) / n)
                state["provider"], state["looking"] = provider, looking

            return observe

        _runs_of(scenario, seeds, engine, observer)
    down, base = result["downturn"], result["no downturn"]
    ratio = [c / max(s, 1e-9) for c, s in zip(down["considered"], down["switched"], strict=True)]
    rise = [a - b for a, b in zip(down["considered"], base["considered"], strict=True)]
    r_mean, r_lo, r_hi = _t_ci(ratio)
    d_mean, d_lo, d_hi = _t_ci(rise)
    c_mean, c_lo, c_hi = _t_ci(down["considered"])
    s_mean, s_lo, s_hi = _t_ci(down["switched"])
    m_mean, m_lo, m_hi = _t_ci(down["moved"])
    b_mean = float(np.mean(base["considered"]))
    src = f.get("source", "")
    span = f"months {start}-{end}"
    return [
        Check("stylized fact", "downturn: share considering a switch / share switching", engine,
              target=f"well above 1: >= {f['min_ratio']:g} (published {_pct(f['published_considered'], 0)} vs "
                     f">{_pct(f['published_switched'], 0)}, {src})",
              measured=f"{r_mean:.2f} [{r_lo:.2f}, {r_hi:.2f}] ({span})",
              accepted=f"ratio >= {f['min_ratio']:g}", passed=r_mean >= f["min_ratio"],
              detail={"measured": r_mean, "ci": (r_lo, r_hi)}),
        Check("stylized fact", "downturn raises the share considering a switch", engine,
              target="higher than without the downturn",
              measured=f"+{100 * d_mean:.1f} points [{100 * d_lo:+.1f}, {100 * d_hi:+.1f}] "
                       f"({_pct(b_mean)} without)",
              accepted="95 % CI of the paired difference above 0", passed=bool(d_lo > 0),
              detail={"measured": d_mean, "ci": (d_lo, d_hi), "baseline": b_mean}),
        Check("stylized fact", "downturn: share considering a switch in a year", engine,
              target=f"{_pct(f['published_considered'], 0)} ({src})",
              measured=f"{_pct(c_mean)} [{_pct(c_lo)}, {_pct(c_hi)}]", accepted="reported, no verdict",
              passed=None, detail={"measured": c_mean, "ci": (c_lo, c_hi)}),
        Check("stylized fact", "downturn: share switching (while looking around) in a year", engine,
              target=f">{_pct(f['published_switched'], 0)} ({src})",
              measured=f"{_pct(s_mean)} [{_pct(s_lo)}, {_pct(s_hi)}]; all moves incl. life events "
                       f"{_pct(m_mean)} [{_pct(m_lo)}, {_pct(m_hi)}]",
              accepted="reported, no verdict",
              passed=None, detail={"measured": s_mean, "ci": (s_lo, s_hi), "moved": m_mean}),
    ]


FACTS: dict[str, Callable[..., list[Check]]] = {
    "effort_and_reach": fact_effort_and_reach,
    "delight_plateau": fact_delight_plateau,
    "sector_bands": fact_sector_bands,
    "downturn": fact_downturn,
}


# ---------------------------------------------------------------------------------------------
# The ODD parameter table (docs/ODD.md): generated from the schema, units and sources by hand
# ---------------------------------------------------------------------------------------------

ODD_START = "<!-- parameter-table:start (columns default, range and meaning are generated from the schema) -->"
ODD_END = "<!-- parameter-table:end -->"
ODD_HEADER = ("| parameter | default | range | unit | source | meaning |", "|---|---|---|---|---|---|")


def schema_rows() -> dict[str, dict[str, str]]:
    """Every schema path (``*`` for a provider or segment) with its default, allowed range and meaning."""
    import re

    from churnsim.scenario import describe_parameters

    rows: dict[str, dict[str, str]] = {}
    for row in describe_parameters(Scenario()):
        path = re.sub(r"^(providers|segments)\.[^.]+\.", r"\1.*.", row["path"])
        rows.setdefault(path, row)
    return rows


def _cells(line: str) -> list[str]:
    import re

    inner = line.strip()[1:-1]
    return [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", inner)]


def parse_odd_table(text: str) -> dict[str, dict[str, str]]:
    """The parameter rows of an ODD document (between the table markers, if present): path -> cells."""
    if ODD_START in text and ODD_END in text:
        text = text[text.index(ODD_START) + len(ODD_START):text.index(ODD_END)]
    rows: dict[str, dict[str, str]] = {}
    for line in text.splitlines():
        if not line.startswith("| `"):
            continue
        cells = _cells(line)
        if len(cells) != 6:
            raise ValueError(f"ODD parameter row needs 6 cells, got {len(cells)}: {line[:80]}")
        path = cells[0].strip("`")
        if path in rows:
            raise ValueError(f"ODD parameter row {path!r} appears twice")
        rows[path] = dict(zip(("default", "range", "unit", "source", "meaning"),
                              (c.strip("`") if i == 0 else c for i, c in enumerate(cells[1:])), strict=True))
    return rows


def render_odd_table(documented: dict[str, dict[str, str]]) -> str:
    """The parameter table from the schema, keeping the hand-written unit and source of each path."""
    lines = list(ODD_HEADER)
    for path, row in sorted(schema_rows().items()):
        old = documented.get(path, {})
        cells = [f"`{path}`", f"`{row['value']}`", row["allowed"], old.get("unit", ""), old.get("source", ""),
                 row["meaning"]]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines)


def sync_odd(path: str | Path = "docs/ODD.md") -> list[str]:
    """Regenerate the ODD parameter table in place after a schema change; returns paths lacking unit or source.

    Run ``python -c "from churnsim.validation import sync_odd; print(sync_odd())"`` from the
    repository root, then write the unit and source of every path it lists.
    """
    from churnsim.outputs import write_text

    path = Path(path)
    text = path.read_text()
    start, end = text.index(ODD_START) + len(ODD_START), text.index(ODD_END)
    table = render_odd_table(parse_odd_table(text))
    write_text(text[:start] + "\n" + table + "\n" + text[end:], path)
    return [p for p, r in parse_odd_table(table).items() if not r["unit"] or not r["source"]]


# ---------------------------------------------------------------------------------------------
# The suite and its table
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SuiteSettings:
    """Everything that determines the validation table, so that it can be reproduced exactly."""

    engines: tuple[str, ...]
    fact_engine: str
    runs: int
    customers: int
    agent_customers: int
    seed: int
    facts_path: Path | None
    facts_runs: int
    facts_customers: int


def run_suite(settings: SuiteSettings, only: str = "all",
              progress: Callable[[str], None] | None = None) -> list[Check]:
    """Run the docking cases on every requested engine and the stylized facts, in a fixed order."""
    checks: list[Check] = []
    if only in ("all", "docking"):
        for engine in settings.engines:
            for k, (name, dock) in enumerate(DOCKING.items()):
                if progress:
                    progress(f"docking {name} on {engine}")
                customers = settings.agent_customers if engine == "agents" else settings.customers
                checks += dock(engine, settings.runs, customers, seed=settings.seed * 100 + k + 1)
    if only in ("all", "facts") and settings.facts_path is not None:
        spec = load_facts(settings.facts_path)
        fact_settings = dict(spec["settings"])
        fact_settings["customers"] = settings.facts_customers
        seeds = run_seeds(settings.seed * 100 + 50, settings.facts_runs)
        for name, fact in FACTS.items():
            if progress:
                progress(f"stylized fact {name} on {settings.fact_engine}")
            checks += fact(spec, fact_settings, settings.fact_engine, seeds)
    return checks


def render_table(checks: Sequence[Check], measured: str = "measured") -> str:
    """Markdown table: one row per check (pipes in cells escaped)."""
    lines = [f"| check | engine | target | {measured} | accepted if | result |",
             "|---|---|---|---|---|---|"]
    for c in checks:
        cells = [c.name, c.engine, c.target, c.measured, c.accepted, f"**{c.verdict}**"]
        lines.append("| " + " | ".join(x.replace("|", "\\|").replace("\n", " ") for x in cells) + " |")
    return "\n".join(lines)


def render_report(checks: Sequence[Check], settings: SuiteSettings, command: str) -> str:
    """The whole of docs/VALIDATION.md: how to reproduce it, the tables, how tolerances are derived."""
    import churnsim

    docking = [c for c in checks if c.group == "docking"]
    facts = [c for c in checks if c.group != "docking"]
    verdicts = [c.passed for c in checks if c.passed is not None]
    parts = [
        "# Validation: docking with analytic models and stylized facts",
        "",
        "<!-- Generated by `churnsim check-model`; do not edit by hand. -->",
        "",
        f"Reproduce with `{command}` (churnsim {churnsim.__version__}). "
        f"Docking: {settings.runs} runs per case of {settings.customers:,} customers on the vector engine and "
        f"{settings.agent_customers:,} on the agent engine (engines: {', '.join(settings.engines)}); "
        f"stylized facts: {settings.facts_runs} runs x "
        f"{settings.facts_customers:,} customers on {settings.fact_engine}; master seed {settings.seed}.",
        "",
        f"**{sum(verdicts)} of {len(verdicts)} checks pass.**"
        + "".join(f" FAIL: {c.name} ({c.engine}): measured {c.measured.split(' (')[0]}, target {c.target}."
                  for c in checks if c.passed is False),
        "",
    ]
    if docking:
        parts += [
            "## Docking: the model reduced to analytic models",
            "",
            "Each case is an ordinary scenario (schema defaults plus the `--set` overrides listed below) "
            "run on the real engines. Tolerance: "
            f"{Z_TOLERANCE} standard errors of the ensemble mean, from the number of runs and customers "
            "(binomial where customers are independent; the linear-noise approximation of the monthly "
            "Bass map, or the run-to-run spread if larger, where word of mouth couples them), plus for "
            "the continuous-time closed forms the exact gap between the closed form and the model's "
            "monthly analogue (computed, and shown in the accepted-if column).",
            "",
            render_table(docking),
            "",
        ]
        parts += ["### Docking scenarios", "",
                  "Schema defaults plus these overrides (`churnsim run --set ...` reproduces any single run):", ""]
        cases = (("Bass diffusion", BASS.sets()), ("Bass with churn", BASS_CHURN.sets()),
                 ("loyalty ladder", list(LADDER_SETS)), ("shifted-beta-geometric", sbg_sets()))
        for label, sets in cases:
            parts.append(f"* {label}: " + " ".join(f"`{x}`" for x in sets))
        parts.append("")
    if facts:
        parts += [
            "## Stylized facts of the default behaviour",
            "",
            "Targets and settings are declared in `experiments/stylized_facts.toml`. Confidence "
            "intervals are Student-t over independent runs; arms of one comparison share seeds.",
            "",
            render_table(facts, "measured [95 % CI]"),
            "",
        ]
    parts += [
        "## Notes",
        "",
        "* Time is monthly and synchronous: recommendations sent in month t are read in month t+1, so a "
        "prospect's adoption hazard in month t depends on the customers of month t-2. The model's exact "
        "mean-field map is F_t = F_{t-1}(1-d) + (1-F_{t-1})(1-exp(-(p+qF_{t-2}))). It converges to the "
        "continuous Bass curve as the monthly rates shrink (first order in p+q); the rows marked "
        "*monthly analogue* test the model against it within sampling error alone.",
        "* q is a R (1 - e^{-r}) for ambassador rate a, reach R and referral strength r "
        "(Poisson messages, fully mixed); the monthly analogue uses its exact finite-N value.",
        "* Life-event churn is switched off in the Bass and ladder cases with a Beta(1e-9, 400) "
        "monthly probability (mean below 1e-11).",
    ]
    return "\n".join(parts) + "\n"


def resolve_facts_path(path: Path | None) -> Path:
    """The facts file: as given, else experiments/stylized_facts.toml here or in the source tree."""
    if path is not None:
        if not path.is_file():
            raise ValidationInputError(f"--facts {path}: no such file")
        return path
    for candidate in (Path.cwd() / DEFAULT_FACTS, REPO / DEFAULT_FACTS):
        if candidate.is_file():
            return candidate
    raise ValidationInputError(f"no {DEFAULT_FACTS} here or in {REPO}; pass --facts PATH")


def _write_atomic(path: Path, text: str) -> None:
    from churnsim.outputs import write_text

    write_text(text, path)


@click.command("check-model")
@click.option("--engine", type=click.Choice(["all", "agents", "vector", "auto"]), default="all", show_default=True,
              help="Engine for docking (all: every available engine); stylized facts use vector when available.")
@click.option("--runs", type=int, default=10, show_default=True, help="Runs per docking ensemble.")
@click.option("--customers", type=int, default=4000, show_default=True,
              help="Customers per docking run on the vector engine.")
@click.option("--agent-customers", type=int, default=1000, show_default=True,
              help="Customers per docking run on the agent engine (about 50 times slower per customer).")
@click.option("--facts-runs", type=int, default=None, help="Runs per stylized-fact arm [default: from the facts file].")
@click.option("--facts-customers", type=int, default=None,
              help="Customers per stylized-fact run [default: from the facts file].")
@click.option("--seed", type=int, default=0, show_default=True, help="Master seed; every run's seed derives from it.")
@click.option("--facts", "facts_path", type=click.Path(path_type=Path), default=None,
              help="Stylized-facts file [default: experiments/stylized_facts.toml].")
@click.option("--only", type=click.Choice(["all", "docking", "facts"]), default="all", show_default=True,
              help="Run only the docking cases or only the stylized facts.")
@click.option("--write", "write", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write the full report (e.g. docs/VALIDATION.md), atomically.")
def check_model(engine: str, runs: int, customers: int, agent_customers: int, facts_runs: int | None,
                facts_customers: int | None, seed: int, facts_path: Path | None, only: str,
                write: Path | None) -> None:
    """Run the docking tests and stylized facts and print target versus measured.

    Exit 0 when every check passes, 1 when one fails, 2 on bad input.

    \b
    Example:
      churnsim check-model --write docs/VALIDATION.md
    """
    engines = available_engines()
    if engine == "all":
        chosen = engines
    elif engine == "auto":
        chosen = (engines[-1],)
    elif engine not in engines:
        raise ValidationInputError(f"--engine {engine}: not available here; available: {', '.join(engines)}")
    else:
        chosen = (engine,)
    fact_engine = chosen[-1]
    for flag, value, low in (("--runs", runs, 2), ("--customers", customers, 100),
                             ("--agent-customers", agent_customers, 100), ("--seed", seed, 0),
                             ("--facts-runs", facts_runs, 2), ("--facts-customers", facts_customers, 100)):
        if value is not None and value < low:
            raise ValidationInputError(f"{flag} {value}: must be at least {low}")
    path = resolve_facts_path(facts_path) if only != "docking" else None
    spec_settings = load_facts(path)["settings"] if path else {}
    settings = SuiteSettings(
        engines=chosen, fact_engine=fact_engine, runs=runs, customers=customers, agent_customers=agent_customers,
        seed=seed, facts_path=path,
        facts_runs=facts_runs or int(spec_settings.get("runs", 5)),
        facts_customers=facts_customers or int(spec_settings.get("customers", 5000)),
    )
    started = time.perf_counter()
    checks = run_suite(settings, only, progress=lambda msg: click.echo(f"... {msg}", err=True))
    command = _command_line(engine, runs, customers, agent_customers, facts_runs, facts_customers, seed, facts_path,
                            only, write)
    click.echo(render_table(checks))
    failed = [c for c in checks if c.passed is False]
    click.echo(f"\n{len(checks) - len(failed)} of {len(checks)} checks pass or are informational "
               f"({time.perf_counter() - started:.0f} s).", err=True)
    if write is not None:
        _write_atomic(write, render_report(checks, settings, command))
        click.echo(f"Wrote {write}", err=True)
    if failed:
        raise click.exceptions.Exit(1)


def _command_line(engine: str, runs: int, customers: int, agent_customers: int, facts_runs: int | None,
                  facts_customers: int | None, seed: int, facts_path: Path | None, only: str,
                  write: Path | None) -> str:
    parts = ["churnsim check-model"]
    for flag, value, default in (("--engine", engine, "all"), ("--runs", runs, 10), ("--customers", customers, 4000),
                                 ("--agent-customers", agent_customers, 1000),
                                 ("--facts-runs", facts_runs, None), ("--facts-customers", facts_customers, None),
                                 ("--seed", seed, 0), ("--facts", facts_path, None), ("--only", only, "all")):
        if value != default:
            parts.append(f"{flag} {value}")
    if write is not None:
        parts.append(f"--write {write}")
    return " ".join(parts)
