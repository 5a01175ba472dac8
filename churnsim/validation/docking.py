"""Docking: the real model, configured through ordinary scenarios, run against the closed forms.

Each case is the schema defaults plus ``--set`` style overrides (not a toy model), run as an
ensemble on an engine and compared with its closed form month by month. Every tolerance is
``Z_TOLERANCE`` standard errors derived from the number of runs and customers plus, where the
model's monthly time step differs from the continuous-time closed form, the exact discretisation
gap between the closed form and its monthly analogue.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from churnsim.engines import Engine
from churnsim.schema.params import STAGES, Scenario
from churnsim.validation.closed_forms import (
    bass_curve,
    bass_monthly_stationary,
    bass_noise,
    bass_stationary_share,
    ladder_chain,
    sbg_survival,
    wom_q,
)
from churnsim.validation.ensemble import Check, _fmt, market_totals, run_seeds, simulate

Z_TOLERANCE = 4.5  # standard errors a docking comparison may miss by (false alarm about 7e-6 per comparison)
OFF = 1e-9  # Beta alpha that switches life-event churn off: mean alpha / (alpha + beta) below 1e-14

MECHANISMS_OFF = (
    "ladder.enabled=false", "phase_out.enabled=false", "service.enabled=false", "word_of_mouth.enabled=false",
    "payment.enabled=false", "offers.enabled=false", "rewards.enabled=false", "economy.enabled=false",
    "market.burn_in=0", f"segments.0.baseline_churn.alpha={OFF}",
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
    "economy.enabled=false", "market.burn_in=0", f"segments.0.baseline_churn.alpha={OFF}",
    "segments.0.expectation.sd=0", "segments.0.price_sensitivity.sd=0",
    "service.question_rate=0", "service.contact_given_failure=0",
    "ladder.initial_shares=[0.5, 0.3, 0.2]", "ladder.promote_chosen=0.12", "ladder.promote_rechosen=0.06",
    "phase_out.base_attention=0.06", "phase_out.switch_rate=0.3", "phase_out.calm_down=0.3",
    "market.exit_rate=0.005",
    *(f"providers.{i}.levers.failure_rate=0.06" for i in range(3)),
)


def docking_scenario(sets: Sequence[str], customers: int, months: int) -> Scenario:
    """A scenario from the schema defaults plus overrides: the same path a user's --set takes."""
    from churnsim.schema.scenario import load

    return load({}, sets=list(sets), customers=customers, months=months).scenario


def sbg_sets(a: float = SBG_A, b: float = SBG_B) -> list[str]:
    return [*MECHANISMS_OFF[:-1], f"segments.0.baseline_churn.alpha={a}", f"segments.0.baseline_churn.beta={b}"]


def _series_check(name: str, engine: Engine, measured: np.ndarray, target: np.ndarray, se: np.ndarray,
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


def _bass_ensemble(case: BassCase, engine: Engine, runs: int, customers: int, seed: int) -> np.ndarray:
    scenario = docking_scenario(case.sets(), customers, case.months)
    shares = []
    for s in run_seeds(seed, runs):
        model = simulate(scenario, s, engine)
        shares.append(market_totals(model, "customers") / customers)
    return np.array(shares)


def dock_bass(engine: Engine, runs: int, customers: int, seed: int = 1, case: BassCase = BASS) -> list[Check]:
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


def dock_bass_churn(engine: Engine, runs: int, customers: int, seed: int = 2,
                    case: BassCase = BASS_CHURN) -> list[Check]:
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


def dock_sbg(engine: Engine, runs: int, customers: int, seed: int = 3, a: float = SBG_A, b: float = SBG_B,
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


def dock_ladder(engine: Engine, runs: int, customers: int, seed: int = 4, months: int = LADDER_MONTHS) -> list[Check]:
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

