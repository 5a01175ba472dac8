"""Every built-in scenario lands in the annual-churn band it states.

The ensemble mean over seeds must lie inside the band, and the band must be wider than
the ensemble's own uncertainty (otherwise the check would be a coin toss).
"""

import numpy as np
import pytest

from churnsim.schema.scenario import builtin_scenarios, load
from tests.ensemble import kpi_ensemble

SEEDS = range(6)


@pytest.mark.parametrize("name", list(builtin_scenarios()))
def test_builtin_scenario_churn_is_inside_its_band(name):
    spec = load(name).scenario
    cal = spec.meta.calibration
    churn = kpi_ensemble(name, [], "annual_churn", SEEDS)
    mean, se = churn.mean(), churn.std(ddof=1) / np.sqrt(len(churn))
    assert cal.annual_churn_min <= mean <= cal.annual_churn_max, f"{name}: {mean:.3f} +- {se:.3f}"
    assert 2 * se < cal.annual_churn_max - cal.annual_churn_min
