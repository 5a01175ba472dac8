"""The window in which a customer may switch: any month, or only at the yearly renewal (insurance).

``ChurnModel.window_open`` decides it from the months with the provider at the start of the month;
``renewing`` says which months a yearly contract renews in (the renewal also prompts a comparison).
Life events (moving, leaving the market) are not held to the window; a binding contract is not a
window either: it lowers the chance of acting on a comparison (``rewards.binding_lock``).
"""

import numpy as np
import pytest

from churnsim.engines import create_model
from churnsim.schema.params import Scenario
from churnsim.schema.scenario import load

ENGINES = ["agents", "vector"]
TENURES = np.arange(0, 61)


def _model(engine: str, annual_renewal: bool):
    spec = Scenario.model_validate({"market": {"customers": 20, "months": 1, "burn_in": 0,
                                               "annual_renewal": annual_renewal}})
    return create_model(spec, rng=0, engine=engine)


@pytest.mark.parametrize("engine", ENGINES)
def test_without_annual_renewal_a_customer_may_switch_at_any_tenure(engine: str):
    model = _model(engine, annual_renewal=False)
    assert np.broadcast_to(model.window_open(TENURES), TENURES.shape).all()
    for tenure in (0, 1, 11, 12, 23, 59):
        assert model.window_open(tenure)
    assert not np.any(model.renewing(TENURES))  # no renewal month, so no renewal prompt either


@pytest.mark.parametrize("engine", ENGINES)
def test_with_annual_renewal_the_window_opens_in_the_last_month_of_each_contract_year(engine: str):
    """Tenure counts months completed at the start of the month: 11 is the twelfth, when the year renews."""
    model = _model(engine, annual_renewal=True)
    np.testing.assert_array_equal(TENURES[np.asarray(model.window_open(TENURES), bool)], [11, 23, 35, 47, 59])
    for tenure, is_open in ((0, False), (1, False), (10, False), (11, True), (12, False), (22, False), (23, True),
                            (24, False)):
        assert bool(model.window_open(tenure)) is is_open, tenure
    np.testing.assert_array_equal(model.renewing(TENURES), model.window_open(TENURES))
    stored = TENURES.astype(np.int16)  # the vector engine keeps tenure as int16
    np.testing.assert_array_equal(model.window_open(stored), model.window_open(TENURES))


@pytest.mark.parametrize(("engine", "customers"), [("agents", 400), ("vector", 4_000)])
def test_under_annual_renewal_switchers_leave_only_at_renewal_and_movers_at_any_time(engine: str, customers: int):
    """The insurance scenario, run: every switch happens in a renewal month; life events do not wait for one."""
    spec = load("insurance", sets=["market.burn_in=0"], customers=customers, months=13).scenario
    assert spec.market.annual_renewal
    model = create_model(spec, rng=3, engine=engine, record_events=True)
    for _ in range(spec.market.months):
        model.step()
    events = model.events
    switched = events[events["left"] == "switched"]
    assert len(switched) > 0
    assert (switched["tenure"] % 12 == 11).all()
    moved = events[events["left"] == "moved"]
    assert (moved["tenure"] % 12 != 11).any()
