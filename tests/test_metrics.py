"""Money from the tallies: what each counted event costs or earns."""

import numpy as np
import pandas as pd
import pytest

from churnsim.schema.params import Scenario
from churnsim.world import metrics
from churnsim.world.market import LEVER_NAMES, ProviderTable

NO_LEVER_COSTS = {name: np.zeros(1) for name in LEVER_NAMES}  # one provider whose levers cost nothing


def test_a_retention_save_books_its_discount_in_profit():
    """Each save costs retention.discount of the month's list price for retention.discount_months, at once."""
    scenario = Scenario()
    tally = metrics.new_tally(1)
    tally[metrics.T.billed], tally[metrics.T.revenue] = 100, 100 * 30.0
    tally[metrics.T.retention_efforts], tally[metrics.T.retention_saves] = 10, 3
    cash = metrics.money(tally, scenario, NO_LEVER_COSTS, 2, 100)
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
    return metrics.money(tally, scenario, NO_LEVER_COSTS, 2, billed)


def test_cost_of_goods_is_paid_for_every_billed_customer_and_comes_off_profit():
    """100 customers billed 60 with goods at 40 and serving at 8: 4,000 of goods, profit 6,000 - 2,000 - 800."""
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


# ---------------------------------------------------------------------------------------------
# Known answers: a two-provider market over months 0-2 in round numbers, priced by hand
# ---------------------------------------------------------------------------------------------
# Both engines hand their tallies to the same money and KPI code, so the engine-equivalence
# test cannot see a wrong formula there: these figures are worked out below by hand, line by
# line, and every cost line is nonzero in some row, so dropping one or flipping its sign fails.

KNOWN = Scenario.model_validate({
    "economics": {"cost_of_goods": 10.0, "serve_cost": 2.0, "contact_cost_digital": 1.0, "contact_cost_human": 5.0,
                  "delight_unit_cost": 3.0, "offer_cost": 0.5, "proactive_cost": 0.25, "retention_cost": 4.0,
                  "acquisition_multiplier": 10.0, "ad_cost": 0.1, "annual_discount_rate": 0.08},
    "payment": {"paper_cost": 0.5},
    "retention": {"discount": 0.2, "discount_months": 3},
    "providers": [{"name": "A", "levers": {"proactive": 0.5, "process_investment": 1.0, "ad_pressure": 1.0}},
                  {"name": "B", "levers": {"proactive": 0.0, "process_investment": 0.0, "ad_pressure": 2.0}}],
})
POPULATION = 1_000  # ad cost is per customer in the market: 0.1 x pressure x 1,000 a month

# What an engine records for each month and provider: head counts at the end of the month and the month's tallies.
RECORDED = [
    {"month": 0, "provider": "A", "customers": 100, "chosen": 30, "rechosen": 40, "embedded": 30, "looking": 10,
     "retained": 100, "cohort": 100},  # month 0 is the starting state: nothing billed or done yet
    {"month": 0, "provider": "B", "customers": 50, "chosen": 20, "rechosen": 20, "embedded": 10, "looking": 5,
     "retained": 50, "cohort": 50},
    {"month": 1, "provider": "A", "customers": 98, "chosen": 30, "rechosen": 40, "embedded": 28, "looking": 49,
     "retained": 95, "cohort": 100,
     "billed": 100, "revenue": 3_000.0, "contacts": 20, "human_contacts": 5, "paper_invoices": 10, "offers": 8,
     "delight_units": 6, "reward_cost": 40.0, "promo_cost": 50.0, "acquired": 3, "retention_efforts": 4,
     "retention_saves": 2, "churned": 5, "wom_bad": 4, "wom_good": 2},
    {"month": 1, "provider": "B", "customers": 51, "chosen": 21, "rechosen": 20, "embedded": 10, "looking": 0,
     "retained": 49, "cohort": 50,
     "billed": 50, "revenue": 2_000.0, "contacts": 10, "human_contacts": 10, "acquired": 2, "churned": 1},
    {"month": 2, "provider": "A", "customers": 95, "chosen": 28, "rechosen": 40, "embedded": 27, "looking": 19,
     "retained": 92, "cohort": 100,
     "billed": 100, "revenue": 2_700.0, "contacts": 10, "paper_invoices": 10, "reward_cost": 40.0,
     "retention_efforts": 2, "retention_saves": 1, "churned": 3},
    {"month": 2, "provider": "B", "customers": 49, "chosen": 19, "rechosen": 20, "embedded": 10, "looking": 0,
     "retained": 47, "cohort": 50,
     "billed": 50, "revenue": 2_000.0, "churned": 2, "wom_good": 1},
]

# Each row's money by hand, rows in the order above (month 0 A, month 0 B, month 1 A, ...).
BY_HAND = {
    "revenue": [0.0, 0.0, 3_000.0, 2_000.0, 2_700.0, 2_000.0],
    "cost_of_goods": [0.0, 0.0, 100 * 10.0, 50 * 10.0, 100 * 10.0, 50 * 10.0],
    # billed x serve + digital contacts (contacts - human) x 1 + human x 5 + paper x 0.5 + offers x 0.5
    # + billed x proactive x 0.25 + billed x process investment (in month 1 only)
    "cost_to_serve": [0.0, 0.0,
                      100 * 2.0 + (20 - 5) * 1.0 + 5 * 5.0 + 10 * 0.5 + 8 * 0.5 + 100 * 0.5 * 0.25 + 100 * 1.0,
                      50 * 2.0 + (10 - 10) * 1.0 + 10 * 5.0,
                      100 * 2.0 + 10 * 1.0 + 10 * 0.5 + 100 * 0.5 * 0.25,
                      50 * 2.0],
    "delight_cost": [0.0, 0.0, 6 * 3.0, 0.0, 0.0, 0.0],
    "reward_cost": [0.0, 0.0, 40.0, 0.0, 40.0, 0.0],
    # acquired x retention cost x 10 + promo cost + pressure x 0.1 x 1,000 from month 1 (no ads run in month 0)
    "acquisition_cost": [0.0, 0.0, 3 * 4.0 * 10.0 + 50.0 + 1.0 * 0.1 * 1_000, 2 * 4.0 * 10.0 + 2.0 * 0.1 * 1_000,
                         1.0 * 0.1 * 1_000, 2.0 * 0.1 * 1_000],
    # efforts x 4 + saves x list price (revenue / billed) x 20 % x 3 months, booked at once
    "retention_cost": [0.0, 0.0, 4 * 4.0 + 2 * (3_000 / 100) * 0.2 * 3, 0.0, 2 * 4.0 + 1 * (2_700 / 100) * 0.2 * 3,
                       0.0],
    "profit": [0.0, 0.0,
               3_000 - 1_000 - 361.5 - 18 - 40 - 270 - 52,
               2_000 - 500 - 150 - 280,
               2_700 - 1_000 - 227.5 - 40 - 100 - 24.2,
               2_000 - 500 - 100 - 200],
}


def _known_table() -> pd.DataFrame:
    recorded = pd.DataFrame([dict.fromkeys(metrics.RECORDED, 0) | row for row in RECORDED])
    return metrics.monthly_table(recorded, KNOWN, ProviderTable.from_scenario(KNOWN).levers, POPULATION)


def _clv_by_hand(margin: float, churn: float) -> float:
    """The series written out: month t's margin, kept t times over and discounted t months at 8 % a year."""
    monthly_rate = 1.08 ** (1 / 12) - 1
    return sum(margin * (1 - churn) ** t / (1 + monthly_rate) ** t for t in range(120))


@pytest.mark.parametrize("column", list(BY_HAND))
def test_each_money_line_of_the_monthly_table_has_its_hand_priced_value(column: str):
    np.testing.assert_allclose(_known_table()[column].to_numpy(), BY_HAND[column], rtol=1e-12, atol=1e-9)


def test_the_hand_priced_lines_add_up_to_the_hand_priced_profit():
    """The by-hand figures are consistent, so a wrong profit above is the code's, not the test's."""
    costs = [k for k in metrics.MONEY if k not in ("revenue", "profit")]
    assert set(BY_HAND) == set(metrics.MONEY)
    for row in range(len(RECORDED)):
        assert BY_HAND["profit"][row] == pytest.approx(BY_HAND["revenue"][row] - sum(BY_HAND[k][row] for k in costs))


def test_the_monthly_table_keeps_the_recorded_counts_and_the_currency():
    table = _known_table()
    assert list(table.columns) == list(metrics.COLUMNS)
    assert table["churned"].tolist() == [0, 0, 5, 1, 3, 2]
    assert table["customers"].tolist() == [100, 50, 98, 51, 95, 49]
    assert table["churned"].dtype == np.int64
    assert table.attrs["currency"] == KNOWN.meta.currency


KPIS_BY_HAND = {
    "A": {"customers_end": 95, "market_share_end": 95 / 144, "monthly_churn": (5 + 3) / (100 + 100),
          "annual_churn": 1 - (1 - 0.04) ** 12, "share_chosen_end": 28 / 95, "share_rechosen_end": 40 / 95,
          "share_embedded_end": 27 / 95, "share_looking_mean": (10 / 100 + 49 / 98 + 19 / 95) / 3,
          "retained_of_cohort": 92 / 100, "acquired": 3, "profit": 1_258.5 + 1_308.3,
          # profit before acquisition, per billed customer-month
          "margin_per_customer_month": (1_258.5 + 1_308.3 + 270 + 100) / (100 + 100),
          "clv": _clv_by_hand((1_258.5 + 1_308.3 + 270 + 100) / 200, 0.04), "wom_bad": 4, "wom_good": 2},
    "B": {"customers_end": 49, "market_share_end": 49 / 144, "monthly_churn": (1 + 2) / (50 + 50),
          "annual_churn": 1 - (1 - 0.03) ** 12, "share_chosen_end": 19 / 49, "share_rechosen_end": 20 / 49,
          "share_embedded_end": 10 / 49, "share_looking_mean": (5 / 50 + 0 / 51 + 0 / 49) / 3,
          "retained_of_cohort": 47 / 50, "acquired": 2, "profit": 1_070.0 + 1_200.0,
          "margin_per_customer_month": (1_070 + 1_200 + 280 + 200) / (50 + 50),
          "clv": _clv_by_hand((1_070 + 1_200 + 280 + 200) / 100, 0.03), "wom_bad": 0, "wom_good": 1},
    "market": {"customers_end": 144, "market_share_end": 1.0, "monthly_churn": 11 / 300,
               "annual_churn": 1 - (1 - 11 / 300) ** 12, "share_chosen_end": 47 / 144,
               "share_rechosen_end": 60 / 144, "share_embedded_end": 37 / 144,
               "share_looking_mean": (15 / 150 + 49 / 149 + 19 / 144) / 3, "retained_of_cohort": 139 / 150,
               "acquired": 5, "profit": 2_566.8 + 2_270.0,
               "margin_per_customer_month": (2_566.8 + 2_270 + 370 + 480) / 300,
               "clv": _clv_by_hand((2_566.8 + 2_270 + 370 + 480) / 300, 11 / 300), "wom_bad": 4, "wom_good": 3},
}


@pytest.mark.parametrize("who", list(KPIS_BY_HAND))
def test_summarize_gives_each_kpi_its_hand_computed_value(who: str):
    kpis = metrics.summarize(_known_table(), KNOWN)
    assert list(kpis) == ["A", "B", "market"]
    assert kpis[who] == pytest.approx(KPIS_BY_HAND[who], rel=1e-12)
    assert set(kpis[who]) == set(KPIS_BY_HAND[who])  # no KPI left unchecked
