"""Money from the tallies: what each counted event costs or earns."""

import numpy as np
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
