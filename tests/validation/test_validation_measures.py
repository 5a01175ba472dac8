"""The measurements of churnsim.validation.measures on tables whose answer is known.

Pure functions, no model run: the contagion regression on a synthetic panel whose customers defect
with a known complementary log-log hazard, and the small measures on hand-made tables. Every
tolerance of a fitted coefficient comes from the standard error the fit returns, not from a seed
that happens to land close.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from churnsim.schema.params import STAGES
from churnsim.validation import measures
from churnsim.world.events import COLUMNS, LEFT

Z = 4.0  # a correct standard error puts the estimate this far from the truth with probability 6e-5
PROVIDERS = ("A", "B")
CATEGORIES = {"provider": PROVIDERS, "stage": STAGES, "left": LEFT}

# The synthetic market: hazard = exp(eta), eta = LOG_H0 + controls + lags . heard (+ interactions with lag 1)
LAGS = (math.log(1.8), 0.3, 0.1)  # log hazard ratio per acquaintance who left 1, 2, 3 months ago
LOG_H0 = math.log(0.01)
STAGE_EFFECT = np.array([0.0, -0.4, -1.0])  # chosen, rechosen, embedded
PROVIDER_EFFECT = np.array([0.0, 0.3])
BAND_EFFECT = np.array([0.0, 0.5, 0.3, 0.0, -0.2, -0.4])  # by tenure band 1..5 (index 0 unused)
PRICE_GAPS = np.array([-0.1, 0.0, 0.1, 0.2])
PRICE_EFFECT = 1.5
ACQUAINTANCES = np.array([4, 8, 16, 32])
HEARD_PER_ACQUAINTANCE = 0.02  # mean acquaintances who left the provider last month, per acquaintance


def _table(columns: dict[str, np.ndarray | list]) -> pd.DataFrame:
    """An event table with the dtypes of churnsim.world.events.COLUMNS, for the columns given."""
    frame = pd.DataFrame(columns)
    for name in frame:
        dtype = COLUMNS[name][0]
        frame[name] = (pd.Categorical(frame[name], categories=CATEGORIES[name]) if dtype == "category"
                       else frame[name].astype(dtype))
    return frame


def _panel(seed: int, customers: int, months: int, embedded: float = 0.0, rechosen: float = 0.0,
           degree: float = 0.0, degree_effect: float = 0.0) -> pd.DataFrame:
    """Customers who defect each month with probability 1 - exp(-h0 exp(eta)), exposures drawn at random.

    Lag k is what the customer heard k - 1 months ago while with its current provider: a customer who
    switches or moves starts a new spell with the other provider and nothing carried over; one who
    exits leaves the table. ``embedded``, ``rechosen`` and ``degree`` moderate lag 1's log hazard ratio;
    ``degree_effect`` raises the hazard of well-connected customers whatever they hear (who also hear more).
    """
    rng = np.random.default_rng(seed)
    provider = rng.integers(0, len(PROVIDERS), customers)
    stage = rng.integers(0, len(STAGES), customers)
    tenure = rng.integers(0, 72, customers)
    acquaintances = rng.choice(ACQUAINTANCES, customers)
    log_degree = np.log(acquaintances / ACQUAINTANCES.mean())  # any centring: the main effect absorbs it
    heard = np.zeros((len(LAGS), customers))  # row k: heard k months ago with the current provider
    present = np.ones(customers, bool)
    embedded_code, rechosen_code = STAGES.index("embedded"), STAGES.index("rechosen")
    parts = []
    for month in range(1, months + 1):
        heard = np.roll(heard, 1, axis=0)
        heard[0] = rng.poisson(HEARD_PER_ACQUAINTANCE * acquaintances)
        gap = rng.choice(PRICE_GAPS, customers)
        band = np.searchsorted(measures.TENURE_BANDS, tenure)
        moderation = embedded * (stage == embedded_code) + rechosen * (stage == rechosen_code) + degree * log_degree
        eta = (LOG_H0 + STAGE_EFFECT[stage] + PROVIDER_EFFECT[provider] + BAND_EFFECT[band] + PRICE_EFFECT * gap
               + degree_effect * log_degree + np.asarray(LAGS) @ heard + moderation * heard[0])
        defect = rng.random(customers) < -np.expm1(-np.exp(eta))
        left = np.where(defect, rng.choice([1, 2, 3], customers, p=[0.7, 0.2, 0.1]), 0)  # switched, moved, exited
        rows = np.flatnonzero(present)
        parts.append({"month": np.full(len(rows), month), "customer": rows, "provider": provider[rows],
                      "stage": stage[rows], "tenure": tenure[rows], "price_gap": gap[rows],
                      "acquaintances": acquaintances[rows], "neighbours_left": heard[0, rows], "left": left[rows]})
        new_spell = present & defect & (left != 3)
        provider[new_spell] = 1 - provider[new_spell]
        stage[new_spell], tenure[new_spell], heard[:, new_spell] = 0, -1, 0.0
        present &= ~(defect & (left == 3))
        tenure += 1
    columns = {name: np.concatenate([p[name] for p in parts]) for name in parts[0]}
    for name, labels in (("provider", PROVIDERS), ("stage", STAGES), ("left", LEFT)):
        columns[name] = pd.Categorical.from_codes(columns[name], labels)
    frame = _table(columns)
    return frame.iloc[rng.permutation(len(frame))].reset_index(drop=True)  # at_risk must not rely on the order


def _within(estimate: measures.Estimate, truth: float, label: str) -> None:
    assert abs(estimate.value - truth) <= Z * estimate.se, (
        f"{label}: {estimate.value:.4f} (SE {estimate.se:.4f}) against the true {truth:.4f}")


@pytest.fixture(scope="module")
def plain() -> tuple[pd.DataFrame, measures.Contagion]:
    events = _panel(seed=11, customers=20_000, months=24)
    return events, measures.contagion(events, lags=3)


@pytest.fixture(scope="module")
def moderated() -> measures.Contagion:
    return measures.contagion(_panel(seed=12, customers=20_000, months=24, embedded=-0.5, rechosen=-0.2,
                                     degree=0.5, degree_effect=0.2), lags=3)


def test_contagion_recovers_known_lag_hazard_ratios(plain: tuple[pd.DataFrame, measures.Contagion]) -> None:
    events, fit = plain
    assert len(fit.lags) == len(LAGS)
    for k, (estimate, truth) in enumerate(zip(fit.lags, LAGS, strict=True), start=1):
        assert 0 < estimate.se < 0.06, f"lag {k}: SE {estimate.se:.4f} too large for the test to mean anything"
        _within(estimate, truth, f"lag {k}")
        assert estimate.ratio == pytest.approx(math.exp(estimate.value))
    first, last = fit.lags[0], fit.lags[-1]
    assert fit.lag_difference.value == pytest.approx(first.value - last.value)
    assert fit.lag_difference.se <= first.se + last.se
    _within(fit.lag_difference, LAGS[0] - LAGS[-1], "lag 1 - lag 3")
    assert fit.rows == len(events)
    assert fit.defections == int((events["left"] != "stayed").sum())
    assert fit.exposed == pytest.approx(float((events["neighbours_left"] > 0).mean()))


def test_contagion_without_moderation_finds_none(plain: tuple[pd.DataFrame, measures.Contagion]) -> None:
    _, fit = plain
    _within(fit.embedded, 0.0, "embedded x lag 1")
    _within(fit.degree, 0.0, "log degree x lag 1")


def test_contagion_recovers_the_embedded_and_degree_interactions(moderated: measures.Contagion) -> None:
    """Against confounding that works the other way: well-connected customers defect more whatever they hear."""
    assert moderated.embedded.se < 0.15 and moderated.degree.se < 0.1
    _within(moderated.embedded, -0.5, "embedded x lag 1")
    _within(moderated.degree, 0.5, "log degree x lag 1")
    assert moderated.embedded.value < -Z * moderated.embedded.se  # the signs the outcome rows test are found
    assert moderated.degree.value > Z * moderated.degree.se


def test_contagion_lags_are_controlled_for_the_number_of_acquaintances() -> None:
    """Well-connected customers defect more whatever they hear, and hear more: the lags must not take that up."""
    fit = measures.contagion(_panel(seed=13, customers=20_000, months=24, degree_effect=0.6), lags=3)
    for k, (estimate, truth) in enumerate(zip(fit.lags, LAGS, strict=True), start=1):
        _within(estimate, truth, f"lag {k}")


def test_estimate_ratio_and_interval() -> None:
    e = measures.Estimate(0.5, 0.1)
    assert e.ratio == pytest.approx(math.exp(0.5))
    assert e.interval() == pytest.approx((math.exp(0.5 - 0.196), math.exp(0.5 + 0.196)))
    assert e.interval(3.0) == pytest.approx((math.exp(0.2), math.exp(0.8)))


def test_at_risk_lags_come_from_the_same_customer_and_provider() -> None:
    """Lag k is the customer's own count k - 1 months earlier, with the same provider, in consecutive months."""
    rows = [  # customer, month, provider, tenure, neighbours_left, left
        (7, 1, "A", 12, 1, "stayed"), (7, 2, "A", 13, 2, "stayed"), (7, 3, "A", 14, 3, "stayed"),
        (7, 4, "A", 15, 4, "moved"),
        (3, 1, "A", 30, 5, "stayed"), (3, 2, "A", 31, 6, "switched"), (3, 3, "B", 0, 7, "stayed"),
        (3, 4, "B", 1, 8, "stayed"),
        (5, 1, "B", 7, 1, "stayed"), (5, 2, "B", 8, 1, "stayed"), (5, 4, "B", 10, 9, "exited"),  # no row in month 3
    ]
    customer, month, provider, tenure, heard, left = zip(*rows, strict=True)
    n = len(rows)
    events = _table({"month": month, "customer": customer, "provider": provider, "stage": ["chosen"] * n,
                     "tenure": tenure, "price_gap": [0.0] * n, "acquaintances": [10] * n,
                     "neighbours_left": heard, "left": left})
    frame = measures.at_risk(events.iloc[::-1], lags=3)  # in any order: sorted by customer and month
    # customer 3: months 1-4 (A, A, B, B); customer 5: months 1, 2, 4; customer 7: months 1-4 with A
    assert frame["lag1"].tolist() == [5, 6, 7, 8, 1, 1, 9, 1, 2, 3, 4]
    assert frame["lag2"].tolist() == [0, 5, 0, 7, 0, 1, 0, 0, 1, 2, 3]  # nothing carried over to B, nor a gap
    assert frame["lag3"].tolist() == [0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2]
    assert frame["provider"].tolist() == ["A", "A", "B", "B", "B", "B", "B", "A", "A", "A", "A"]
    assert frame["defected"].tolist() == [0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 1]  # switched, moved, exited all count


def test_at_risk_bands_tenure_and_centres_degree() -> None:
    tenures = [0, 5, 6, 11, 12, 23, 24, 47, 48, 200]
    n = len(tenures)
    events = _table({"month": [1] * n, "customer": range(n), "provider": ["A"] * n, "stage": ["embedded"] * n,
                     "tenure": tenures, "price_gap": [0.12345] * n, "acquaintances": [5, 20] * (n // 2),
                     "neighbours_left": [0] * n, "left": ["stayed"] * n})
    frame = measures.at_risk(events, lags=1)
    assert frame["tenure_band"].tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]  # half year, year, 2nd year, ..., later
    assert frame["log_degree"].tolist() == pytest.approx([round(math.log(0.4), 3), round(math.log(1.6), 3)] * (n // 2))
    assert frame["price_gap"].tolist() == pytest.approx([0.123] * n)
    assert frame["stage"].tolist() == ["embedded"] * n


@pytest.mark.parametrize(("extra", "share"), [
    ([1, 2, 3, 1, 1, 0], 0.75),  # a rise: 6 of 8 extra switchers came before the change
    ([2, 2, 0, 3, -1, -1], 0.8),  # after the change counts net
    ([1, 1, 2, -3, -2, -1], 1.0),  # a cut: switching after it falls below the baseline, so all came before
    ([0, 0, 0, 2, 1, 0], 0.0),
])
def test_share_before(extra: list[float], share: float) -> None:
    assert measures.share_before(np.array(extra, float), 3) == pytest.approx(share)


def test_share_before_without_extra_switching_is_nan() -> None:
    assert math.isnan(measures.share_before(np.zeros(6), 3))


def test_considered_and_switched_asks_the_customers_there_at_the_start() -> None:
    rows = [  # customer, month, looking, attentive, started_looking, left
        (1, 3, False, False, False, "stayed"), (1, 4, False, True, False, "stayed"),  # made to compare: considered
        (1, 5, False, False, False, "switched"),  # after the window
        (2, 3, False, False, True, "switched"),  # started looking and switched
        (3, 3, True, False, False, "stayed"), (3, 4, True, False, False, "stayed"),  # looking at the start
        (4, 3, False, False, False, "stayed"), (4, 4, False, False, False, "moved"),  # a life event's move
        (5, 3, False, False, False, "exited"),
        (6, 2, False, True, True, "stayed"), (6, 3, False, False, False, "stayed"),  # considered before the window
        (7, 4, True, True, True, "switched"),  # arrived after the start: not asked
        (8, 2, True, False, False, "switched"),  # gone before the start: not asked
    ]
    customer, month, looking, attentive, started, left = zip(*rows, strict=True)
    events = _table({"month": month, "customer": customer, "looking": looking, "attentive": attentive,
                     "started_looking": started, "left": left})
    answer = measures.considered_and_switched(events, start=3, months=2)
    assert answer == measures.Considered(considered=3 / 6, switched=1 / 6, moved=3 / 6)


def test_slope_is_least_squares_with_its_standard_error() -> None:
    # by hand: dx = -2..2, Sxx = 10, Sxy = 8, b = 0.8; residuals -0.4, 0.8, -1, 1.2, -0.6: SSR 3.6 over 3 dof
    assert measures.slope(np.arange(5), np.array([1, 3, 2, 5, 4])) == pytest.approx((0.8, math.sqrt(0.12)))
    rng = np.random.default_rng(3)
    x = rng.uniform(-1, 1, 40)
    y = 0.3 - 1.7 * x + rng.normal(0, 0.2, 40)
    b, se = measures.slope(x, y)
    assert b == pytest.approx(np.polyfit(x, y, 1)[0], rel=1e-10)
    assert se == pytest.approx(stats.linregress(x, y).stderr, rel=1e-10)
    assert measures.slope([0, 1, 2], [1, 3, 5]) == pytest.approx((2.0, 0.0))


def test_yearly_retention_takes_every_twelfth_month() -> None:
    t = np.arange(37)
    assert measures.yearly_retention(1000 * 0.99**t, 3) == pytest.approx([0.99**12] * 3)
    assert measures.yearly_retention(100.0 - np.arange(25), 2) == pytest.approx([88 / 100, 76 / 88])


def test_band_holds_the_central_share() -> None:
    assert measures.band(np.arange(101)) == pytest.approx((2.5, 97.5))
    assert measures.band(np.arange(101), 0.9) == pytest.approx((5.0, 95.0))
