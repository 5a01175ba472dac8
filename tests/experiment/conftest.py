"""The reference sweep every other way of running the tiny experiment must reproduce."""

from __future__ import annotations

import pandas as pd
import pytest
from sweep_helpers import results, run_sweep


@pytest.fixture(scope="session")
def reference(tmp_path_factory) -> pd.DataFrame:
    """The tiny experiment swept once on one worker: what every other way of running it must equal."""
    folder = tmp_path_factory.mktemp("reference")
    report = run_sweep(folder)
    assert report.ok == report.total == 12 and report.failed == 0
    return results(report.out)
