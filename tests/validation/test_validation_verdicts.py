"""A check-model verdict agrees with the interval it shows; intervals of shares stay inside [0, 1]."""

from __future__ import annotations

import math

import pytest

from churnsim.schema.scenario import load
from churnsim.validation import outcomes
from churnsim.validation.ensemble import meets


@pytest.mark.parametrize(("low", "high", "point", "passed"), [
    (0.037, 0.112, 0.074, True),  # the FAIL: 7.4 % [3.7, 11.2] against 9 %; the interval holds 9 %
    (0.080, 0.085, 0.082, False),  # the whole interval below the band
    (0.095, 0.120, 0.100, True),
    (math.nan, math.nan, 0.074, False),  # one run, no interval: the point decides
    (math.nan, math.nan, 0.090, True),
])
def test_a_verdict_passes_exactly_when_the_interval_shown_meets_the_band(low, high, point, passed):
    assert meets(low, high, 0.09, 0.10, point) is passed


def test_a_calibration_row_agrees_with_its_interval_and_keeps_it_inside_0_and_1():
    scenario = load("classroom").scenario  # band 15 %-40 %
    plan = outcomes.Plan("vector", 3, 300, (1, 2, 3))
    near = outcomes._band("classroom", scenario, [0.10, 0.13, 0.17], plan, 60)  # mean 13.3 %, interval to 17 %
    assert near.passed and "(rough: 3 runs)" in near.measured
    low, high = near.detail["ci"]
    assert low < 0.15 <= high
    clear = outcomes._band("classroom", scenario, [0.001, 0.0, 0.03, 0.02, 0.01], plan, 60)
    low, high = clear.detail["ci"]
    assert clear.passed is False and 0.0 <= low <= high < 0.15 and "rough" not in clear.measured
