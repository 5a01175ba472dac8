"""Money from the tallies: what each counted event costs or earns."""

import numpy as np
import pandas as pd
import pytest

from churnsim import metrics
from churnsim.params import Scenario


def test_a_retention_save_books_its_discount_in_profit():
    """Each save costs retention.discount of the month's list price for retention.discount_months, at once."""
    scenario = Scenario()
    tally = metrics.new_tally(1)
    tally[metrics.T.billed], tally[metrics.T.revenue] = 100, 100 * 30.0
    tally[metrics.T.retention_efforts], tally[metrics.T.retention_saves] = 10, 3
    levers = {"proactive": np.zeros(1), "process_investment": np.zeros(1), "ad_pressure": np.zeros(1)}
    cash = metrics.money(tally, scenario, levers, 2, 100)
    r = scenario.retention
    expected = 10 * scenario.economics.retention_cost + 3 * 30.0 * r.discount * r.discount_months
    assert cash["retention_cost"][0] == pytest.approx(expected)
    assert cash["profit"][0] == pytest.approx(cash["revenue"][0] - sum(cash[k][0] for k in metrics.MONEY[1:-1]))


def test_a_run_without_churn_values_a_customer_over_the_horizon_not_forever():
    """With no churn the infinite series gives about 156 months of margin at 8 %; CLV stops at ten years."""
    import churnsim
    from churnsim import rules

    result = churnsim.run("classroom", customers=60, months=3)
    timeseries = result.timeseries.assign(churned=0)
    kpis = metrics.summarize(timeseries, result.scenario)["A"]
    margin, rate = kpis["margin_per_customer_month"], result.scenario.economics.annual_discount_rate
    assert kpis["clv"] == pytest.approx(float(rules.clv(margin, 0.0, rate, metrics.CLV_HORIZON_MONTHS)))
    assert kpis["clv"] < margin * metrics.CLV_HORIZON_MONTHS
    assert result.summary["clv_horizon_months"] == metrics.CLV_HORIZON_MONTHS


def _one_month(scenario: Scenario, billed: int, price: float) -> dict[str, np.ndarray]:
    tally = metrics.new_tally(1)
    tally[metrics.T.billed], tally[metrics.T.revenue] = billed, billed * price
    levers = {"proactive": np.zeros(1), "process_investment": np.zeros(1), "ad_pressure": np.zeros(1)}
    return metrics.money(tally, scenario, levers, 2, billed)


def test_cost_of_goods_is_paid_for_every_billed_customer_and_comes_off_profit():
    """100 customers billed 60 with goods at 40 and serving at 8: 2,000 of goods, profit 6,000 - 2,000 - 800."""
    scenario = Scenario.model_validate({"economics": {"cost_of_goods": 40.0, "serve_cost": 8.0}})
    cash = _one_month(scenario, 100, 60.0)
    assert cash["cost_of_goods"][0] == pytest.approx(4_000.0)
    assert cash["profit"][0] == pytest.approx(6_000.0 - 4_000.0 - 800.0)


def test_summary_margin_and_clv_follow_from_the_table():
    """Margin per customer-month is profit before acquisition over billed months; CLV discounts it over 120 months."""
    from churnsim import rules

    scenario = Scenario.model_validate({"economics": {"cost_of_goods": 40.0}})
    rows = []
    for month in (1, 2):
        row = dict.fromkeys(metrics.COLUMNS, 0) | {"month": month, "provider": "A", "customers": 100, "billed": 100,
                                                    "churned": 2, "revenue": 6_000.0, "cost_of_goods": 4_000.0,
                                                    "cost_to_serve": 800.0, "acquisition_cost": 300.0}
        row["profit"] = 6_000.0 - 4_000.0 - 800.0 - 300.0
        rows.append(row)
    kpis = metrics.summarize(pd.DataFrame(rows), scenario)["A"]
    assert kpis["margin_per_customer_month"] == pytest.approx(12.0)
    assert kpis["monthly_churn"] == pytest.approx(0.02)
    assert kpis["annual_churn"] == pytest.approx(1 - 0.98**12)
    assert kpis["profit"] == pytest.approx(2 * 900.0)
    assert kpis["clv"] == pytest.approx(float(rules.clv(12.0, 0.02, 0.08, metrics.CLV_HORIZON_MONTHS)))


@pytest.mark.parametrize("name", ["electricity", "mobile", "broadband", "insurance", "classroom"])
def test_built_in_markets_earn_a_sector_like_margin_not_most_of_revenue(name: str):
    """With cost of goods, the market's profit is 5-45 % of revenue (it was 45-89 % before the scenarios had one)."""
    import churnsim

    result = churnsim.run(name, customers=3_000, months=24, engine="vector")
    market = result.timeseries[["profit", "revenue"]].sum()
    assert 0.05 < market["profit"] / market["revenue"] < 0.45
    assert result.summary["currency"] == "EUR"
    assert set(result.summary["definitions"]) >= {"profit", "clv", "annual_churn"}
    assert "24 simulated months" in result.summary["definitions"]["profit"]
