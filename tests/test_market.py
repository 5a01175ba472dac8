"""The market's monthly schedule (``market.month_conditions``): dated events, month by month.

Five providers at a list price of 30 and a downturn from month 3 (price sensitivity doubled):

* A announces a 10 % rise two months ahead: notice in months 3 and 4, 33 on the invoice from month 5;
* B raises 20 % unannounced: 36 from month 4, landing in month 4 without a word;
* C announces a 10 % cut one month ahead: notice in month 5, 27 from month 6;
* D changes nothing, but new customers get 5 % off (28.5);
* E cuts 20 % unannounced: 24 from month 7.
"""

import math

import numpy as np
import pytest

from churnsim.schema.params import Scenario
from churnsim.world import market
from churnsim.world.market import ProviderTable, month_conditions


def _provider(name: str, month: int = 0, change: float = 0.0, notice: int = 0, promo: float = 0.0) -> dict:
    return {"name": name, "levers": {"price": 30.0, "promo_discount": promo, "ad_pressure": 1.0, "quality": 0.2,
                                     "brand": 0.0,
                                     "price_change": {"month": month, "change": change, "notice_months": notice}}}


SCHEDULE = {
    "market": {"reference_price": 30.0},
    "economy": {"enabled": True, "downturn_month": 3, "price_sensitivity_multiplier": 2.0},
    "attention": {"enabled": True, "notice": 0.2, "unannounced": 1.0, "downturn_talk": 0.25, "bill_shock": 0.01},
    "phase_out": {"choice_price": 4.0, "choice_quality": 1.0},
    "providers": [_provider("A", 5, 0.10, 2), _provider("B", 4, 0.20, 0), _provider("C", 6, -0.10, 1),
                  _provider("D", promo=0.05), _provider("E", 7, -0.20, 0)],
}
MONTHS = range(9)

# Month by month, providers A, B, C, D, E: worked out from the module docstring.
PRICE = {0: [30, 30, 30, 30, 30], 1: [30, 30, 30, 30, 30], 2: [30, 30, 30, 30, 30], 3: [30, 30, 30, 30, 30],
         4: [30, 36, 30, 30, 30], 5: [33, 36, 30, 30, 30], 6: [33, 36, 27, 30, 30], 7: [33, 36, 27, 30, 24],
         8: [33, 36, 27, 30, 24]}
NOTICE = {3: "A", 4: "A", 5: "C"}  # the months a notice runs, and whose
LANDS_UNANNOUNCED = {4: "B", 7: "E"}  # a cut lands unannounced too (E), but only a rise surprises
ANNOUNCED = {3: [1.1, 1, 1, 1, 1], 4: [1.1, 1, 1, 1, 1], 5: [1, 1, 0.9, 1, 1]}  # else 1 for all
SHOCK = -math.log(1 - 0.01)  # a 1 % monthly bill shock as a hazard, every month
# hazard of comparing: the shock, + 0.25 of downturn talk from month 3, + 0.2 in a notice month, + 1.0 for B's surprise
ATTENTION = {0: [SHOCK] * 5, 1: [SHOCK] * 5, 2: [SHOCK] * 5,
             3: [SHOCK + 0.25 + 0.2, SHOCK + 0.25, SHOCK + 0.25, SHOCK + 0.25, SHOCK + 0.25],
             4: [SHOCK + 0.25 + 0.2, SHOCK + 0.25 + 1.0, SHOCK + 0.25, SHOCK + 0.25, SHOCK + 0.25],
             5: [SHOCK + 0.25, SHOCK + 0.25, SHOCK + 0.25 + 0.2, SHOCK + 0.25, SHOCK + 0.25],
             6: [SHOCK + 0.25] * 5, 7: [SHOCK + 0.25] * 5, 8: [SHOCK + 0.25] * 5}
# the cheapest rival's new-customer price: D's 28.5 until C's cut (27, month 6) and E's (24, month 7)
BEST_ALTERNATIVE = {**{month: [28.5, 28.5, 28.5, 30, 28.5] for month in range(6)}, 6: [27, 27, 28.5, 27, 27],
                    7: [24, 24, 24, 24, 27], 8: [24, 24, 24, 24, 27]}


def _conditions(overrides: dict | None = None, dated: bool = True) -> dict[int, market.MonthConditions]:
    scenario = Scenario.model_validate({**SCHEDULE, **(overrides or {})})
    table = ProviderTable.from_scenario(scenario)
    return {month: month_conditions(scenario, table, month, dated) for month in MONTHS}


def _flags(who: str | None) -> list[bool]:
    return [name == who for name in "ABCDE"]


@pytest.mark.parametrize("month", MONTHS)
def test_each_month_s_prices_notices_and_landings_follow_the_dated_events(month: int):
    c = _conditions()[month]
    assert c.month == month
    np.testing.assert_allclose(c.price, PRICE[month], rtol=1e-12)
    np.testing.assert_allclose(c.new_customer_price, np.array(PRICE[month]) * [1, 1, 1, 0.95, 1], rtol=1e-12)
    np.testing.assert_array_equal(c.notice_active, _flags(NOTICE.get(month)))
    np.testing.assert_array_equal(c.lands_unannounced, _flags(LANDS_UNANNOUNCED.get(month)))
    np.testing.assert_allclose(c.announced, ANNOUNCED.get(month, [1] * 5), rtol=1e-12)
    np.testing.assert_allclose(c.rise, [0.10, 0.20, -0.10, 0.0, -0.20])
    np.testing.assert_allclose(c.best_alternative, BEST_ALTERNATIVE[month], rtol=1e-12)


@pytest.mark.parametrize("month", MONTHS)
def test_each_month_s_attention_and_price_sensitivity_follow_notices_surprises_and_the_downturn(month: int):
    c = _conditions()[month]
    np.testing.assert_allclose(c.attention, ATTENTION[month], rtol=1e-12)
    assert c.price_multiplier == (2.0 if month >= 3 else 1.0)


def test_the_burn_in_s_market_has_no_dated_events():
    """dated=False: list prices, no notice, nothing lands, no downturn; the bill shock is still there."""
    for month, c in _conditions(dated=False).items():
        np.testing.assert_array_equal(c.price, [30.0] * 5, err_msg=str(month))
        assert not c.notice_active.any() and not c.lands_unannounced.any()
        np.testing.assert_array_equal(c.announced, [1.0] * 5)
        np.testing.assert_allclose(c.attention, [SHOCK] * 5, rtol=1e-12)
        assert c.price_multiplier == 1.0


def test_a_disabled_downturn_or_attention_leaves_the_schedule_of_prices_alone():
    calm = _conditions({"economy": {"enabled": False, "downturn_month": 3, "price_sensitivity_multiplier": 2.0}})
    for month, c in calm.items():
        assert c.price_multiplier == 1.0
        expected = np.array(ATTENTION[month]) - (0.25 if month >= 3 else 0.0)
        np.testing.assert_allclose(c.attention, expected, rtol=1e-12)
        np.testing.assert_allclose(c.price, PRICE[month], rtol=1e-12)
    for c in _conditions({"attention": {"enabled": False}}).values():
        np.testing.assert_array_equal(c.attention, [0.0] * 5)


def test_choosers_lean_to_the_cheapest_new_customer_price_by_the_logit_weight():
    """Equal quality and brand: A at 33 against E at 24 is exp(-4 x 9 / 30) as attractive; with equal ad
    pressure, a prospect's choice is the same logit, normalised."""
    c = _conditions()[7]
    assert c.choice[0] / c.choice[4] == pytest.approx(math.exp(-4.0 * (33 - 24) / 30))
    assert c.choice[3] / c.choice[4] == pytest.approx(math.exp(-4.0 * (28.5 - 24) / 30))
    np.testing.assert_allclose(c.entry, c.choice / c.choice.sum(), rtol=1e-12)


def test_a_dated_change_of_zero_announces_nothing_and_lands_nothing():
    """D and a sixth provider F date a change of 0 (F with two months' notice): no notice, no surprise, no poke."""
    same = {**SCHEDULE, "providers": [*SCHEDULE["providers"][:3], _provider("D", 4, 0.0, 0, promo=0.05),
                                      _provider("E", 7, -0.20, 0), _provider("F", 5, 0.0, 2)]}
    scenario = Scenario.model_validate(same)
    table = ProviderTable.from_scenario(scenario)
    for month in MONTHS:
        c = month_conditions(scenario, table, month)
        assert not c.notice_active[3:].any() and not c.lands_unannounced[[3, 5]].any(), month
        assert c.announced[3] == c.announced[5] == 1.0
        np.testing.assert_allclose(c.attention[[3, 5]], ATTENTION[month][3], rtol=1e-12, err_msg=str(month))
        assert c.price[3] == c.price[5] == 30.0
