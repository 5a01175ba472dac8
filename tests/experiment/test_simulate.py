"""``churnsim.simulate``: a pure function of its arguments, for EMA Workbench and notebooks."""

from __future__ import annotations

import random

import numpy as np
import pytest

import churnsim

SMALL = {"scenario": "electricity", "customers": 60, "months": 4}


def test_same_rng_same_kpis_and_no_global_state_touched():
    np.random.seed(5)
    random.seed(5)
    numpy_state, python_state = np.random.get_state()[1].copy(), random.getstate()
    one = churnsim.simulate(**SMALL, rng=11)
    two = churnsim.simulate(**SMALL, rng=11)
    other = churnsim.simulate(**SMALL, rng=12)
    assert one == two and one != other
    assert (np.random.get_state()[1] == numpy_state).all() and random.getstate() == python_state
    assert {"market.annual_churn", "A.profit", "D.clv"} <= one.keys()
    assert all(isinstance(v, float) for v in one.values())


def test_parameters_by_dotted_path_or_double_underscore_and_strategies_as_a_mapping():
    dotted = churnsim.simulate(**SMALL, rng=3, **{"word_of_mouth.reach_bad": 30}, strategies={"A": "low-effort"})
    named = churnsim.simulate(**SMALL, rng=3, word_of_mouth__reach_bad=np.int64(30), strategies=["A=low-effort"])
    plain = churnsim.simulate(**SMALL, rng=3)
    assert dotted == named != plain


def test_any_numpy_random_source_is_accepted_and_bad_ones_are_refused():
    seq = churnsim.simulate(**SMALL, rng=np.random.SeedSequence(9))
    assert seq == churnsim.simulate(**SMALL, rng=np.random.SeedSequence(9))
    gen = churnsim.simulate(**SMALL, rng=np.random.default_rng(9))
    assert gen == churnsim.simulate(**SMALL, rng=np.random.default_rng(9))
    with pytest.raises(TypeError, match="rng must be"):
        churnsim.simulate(**SMALL, rng=-1)
    with pytest.raises(ValueError, match="unknown parameter"):
        churnsim.simulate(**SMALL, rng=1, word_of_mouth__reach_badd=3)


def test_the_ema_workbench_example_runs_and_reports_outcomes(monkeypatch, capsys):
    pytest.importorskip("ema_workbench")
    import runpy
    from pathlib import Path

    monkeypatch.setattr("sys.argv", ["ema_example.py", "--scenarios", "3", "--replications", "2", "--customers", "60",
                                     "--months", "4"])
    runpy.run_path(str(Path(__file__).parents[2] / "experiments" / "ema_example.py"), run_name="__main__")
    out = capsys.readouterr().out
    assert "3 scenarios x 2 policies" in out and "market_annual_churn" in out
