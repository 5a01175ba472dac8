"""The closed forms the docking tests compare against, checked on their own.

If a closed form were wrong, a docking test could pass against the wrong target; these
tests pin each formula to an independent derivation (the ODE, numerical integration, a
Monte Carlo of the stated assumption, or a limit).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate, special

from churnsim import validation as v


@pytest.mark.parametrize(("p", "q"), [(0.01, 0.1), (0.03, 0.38), (0.2, 0.05)])
def test_bass_curve_solves_the_bass_equation(p: float, q: float) -> None:
    t = np.linspace(0.0, 80.0, 801)
    f = v.bass_curve(t, p, q)
    numeric = integrate.solve_ivp(lambda _t, y: (1 - y) * (p + q * y), (0, 80), [0.0], t_eval=t, rtol=1e-10,
                                  atol=1e-12).y[0]
    assert np.max(np.abs(f - numeric)) < 1e-7
    assert f[0] == 0.0 and f[-1] < 1.0


@pytest.mark.parametrize(("p", "q", "d"), [(0.01, 0.1, 0.02), (0.05, 0.0, 0.1), (0.001, 0.5, 0.3)])
def test_stationary_share_is_where_inflow_balances_churn(p: float, q: float, d: float) -> None:
    f = v.bass_stationary_share(p, q, d)
    assert 0.0 < f < 1.0
    assert (1 - f) * (p + q * f) == pytest.approx(d * f, abs=1e-12)
    # and it is where the dynamics go: integrate the ODE with churn to a long horizon
    end = integrate.solve_ivp(lambda _t, y: (1 - y) * (p + q * y) - d * y, (0, 5000), [0.0], rtol=1e-10).y[0, -1]
    assert end == pytest.approx(f, abs=1e-6)


def test_monthly_bass_map_converges_to_the_closed_form_at_first_order() -> None:
    """Halving the monthly rates (and doubling the months) halves the discretisation gap."""
    p, q = 0.02, 0.2
    gaps = []
    for k in (1, 2, 4, 8):
        months = 60 * k
        f = v.bass_monthly(months, p / k, q / k)
        gaps.append(np.max(np.abs(f - v.bass_curve(np.arange(months + 1), p / k, q / k))))
    ratios = np.array(gaps[:-1]) / np.array(gaps[1:])
    assert np.all((ratios > 1.7) & (ratios < 2.3)), gaps


def test_monthly_stationary_root_is_the_fixed_point_of_the_monthly_map() -> None:
    p, q, d = 0.01, 0.1, 0.02
    f = v.bass_monthly(3000, p, q, d)
    assert f[-1] == pytest.approx(v.bass_monthly_stationary(p, q, d), abs=1e-9)
    assert abs(v.bass_monthly_stationary(p, q, d) - v.bass_stationary_share(p, q, d)) < 0.02


def test_word_of_mouth_q_matches_poisson_messages() -> None:
    """Monte Carlo of the stated messaging process: tellers with chance a send Poisson(R) messages."""
    a, reach, r, n, adopters = 0.5, 4.0, 0.05, 500, 200
    rng = np.random.default_rng(7)
    reps = 4000
    tellers = rng.random((reps, adopters)) < a
    sent = np.where(tellers, rng.poisson(reach, (reps, adopters)), 0).sum(axis=1)
    heard = rng.binomial(sent, 1.0 / n)  # messages one given person receives
    survive = np.exp(-r * heard).mean()
    expected = math.exp(-v.wom_q(a, reach, r, n) * adopters / n)
    assert survive == pytest.approx(expected, abs=4 * np.exp(-r * heard).std() / math.sqrt(reps))
    assert v.wom_q(a, reach, r, 10**9) == pytest.approx(v.wom_q(a, reach, r), rel=1e-6)


@pytest.mark.parametrize(("a", "b"), [(0.7, 3.5), (2.0, 30.0), (0.3, 0.9)])
def test_sbg_is_the_beta_mixture_of_geometric_survival(a: float, b: float) -> None:
    s = v.sbg_survival(24, a, b)
    t = np.arange(25)
    exact = np.exp(special.betaln(a, b + t) - special.betaln(a, b))
    assert np.allclose(s, exact, rtol=1e-12)
    assert s[1] == pytest.approx(b / (a + b))


def test_ladder_chain_is_a_proper_absorbing_chain() -> None:
    chain = v.ladder_chain(v.ladder_scenario(1000))
    q = chain.q
    assert q.shape == (6, 6) and np.all(q >= 0) and np.all(q.sum(axis=1) < 1)
    assert chain.start.sum() == pytest.approx(1.0)
    horizon = 4000
    s = chain.survival(horizon)
    assert s[-1] < 1e-12
    # lifetime from the fundamental matrix equals the sum of the survival curve
    assert chain.expected_lifetime() == pytest.approx(s.sum(), rel=1e-9)
    mean, var = chain.restricted_lifetime(horizon)
    assert mean == pytest.approx(chain.expected_lifetime(), rel=1e-9)
    assert var == pytest.approx(chain.lifetime_variance(), rel=1e-6)
    # the restricted mean is the fundamental matrix formula start (I - Q^H) N 1
    h = 60
    qh = np.linalg.matrix_power(q, h)
    direct = chain.start @ (np.eye(6) - qh) @ chain.fundamental() @ np.ones(6)
    assert chain.restricted_lifetime(h)[0] == pytest.approx(direct, rel=1e-12)


def test_ladder_chain_refuses_scenarios_that_are_not_homogeneous_chains() -> None:
    with pytest.raises(ValueError, match=r"word_of_mouth\.enabled must be false"):
        v.ladder_chain(v.docking_scenario([*v.LADDER_SETS, "word_of_mouth.enabled=true"], 100, 12))
    with pytest.raises(ValueError, match="sd 0"):
        v.ladder_chain(v.docking_scenario([*v.LADDER_SETS, "segments.0.expectation.sd=0.3"], 100, 12))
    with pytest.raises(ValueError, match="same levers"):
        v.ladder_chain(v.docking_scenario([*v.LADDER_SETS, "providers.1.levers.price=20"], 100, 12))


def test_bass_noise_matches_binomial_without_word_of_mouth() -> None:
    """With q = 0 adoption is independent across prospects: the variance must be binomial exactly."""
    n, p = 1000, 0.05
    noise = v.bass_noise(30, p, 0.0, n, ambassador_rate=0.0, reach=0.0, strength=0.0)
    f = 1 - np.exp(-p * np.arange(31))
    assert np.allclose(noise.mean, f)
    assert np.allclose(noise.var, f * (1 - f) / n, rtol=1e-9, atol=1e-15)
