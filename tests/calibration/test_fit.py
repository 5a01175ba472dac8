"""Calibration end to end: known values recovered inside their intervals; the same output on 1 or 2 workers."""

import numpy as np
import pytest

import churnsim
from churnsim.calibration import survival, targets
from churnsim.experiment import spec
from churnsim.present.report import build_report
from churnsim.schema import scenario

SETS = ["market.burn_in=12"]
TRUTH = {"phase_out.switch_rate": 0.4, "phase_out.base_attention": 0.01}
PERIODS = 18


def observed(customers: int) -> targets.Targets:
    """A firm's data from a market with known values: a monthly cohort table and a survey of 400 customers."""
    shape = {"cohort": [{"name": "new", "unit": "month", "joined": [1, 6], "period": list(range(PERIODS + 1)),
                         "survivors": [PERIODS + 1 - k for k in range(PERIODS + 1)]}],
             "survey": [{"measure": "considering", "value": 0.5, "n": 400}]}
    truth = scenario.load("mobile", customers=customers, sets=SETS + [f"{k}={v}" for k, v in TRUTH.items()])
    runs = np.array([survival.measure(survival.Task(truth.scenario, 1000 + s, targets.from_dict(shape), "vector"))
                     for s in range(3)])
    shape["cohort"][0]["survivors"] = np.round(runs[:, : PERIODS + 1] * runs[:, -1:]).sum(axis=0).tolist()
    shape["survey"][0]["value"] = float(np.random.default_rng(5).binomial(400, runs[:, PERIODS + 1].mean()) / 400)
    return targets.from_dict(shape, "truth")


def test_calibrate_recovers_known_values_inside_their_intervals():
    result = churnsim.calibrate("mobile", observed(1500), ["phase_out.switch_rate=0.1:0.7",
                                                            "phase_out.base_attention=0.001:0.03"],
                                customers=1500, sets=SETS, replications=4, starts=4, evaluations=16, workers=2)
    fitted = result.parameters.set_index("path")
    for path, value in TRUTH.items():
        row = fitted.loc[path]
        assert row["ci_low"] <= value <= row["ci_high"], (path, row.to_dict())
        assert row["identified"], row["note"]
        assert (row["ci_high"] - row["ci_low"]) < 0.3 * (row["high"] - row["low"])


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """A tiny calibration with a holdout, written by one worker and by two."""
    base = tmp_path_factory.mktemp("tiny")
    table = base / "cohort.csv"
    table.write_text("period,survivors,unit\n" + "".join(f"{k},{v},month\n" for k, v in
                                                          enumerate([500, 450, 410, 380, 360, 345, 330])))
    folders = {}
    for workers in (1, 2):
        result = churnsim.calibrate("mobile", table, ["phase_out.switch_rate=0.1:0.7"], holdout=2, customers=400,
                                    sets=["market.burn_in=6"], replications=2, starts=2, evaluations=2,
                                    workers=workers)
        folders[workers] = base / f"w{workers}"
        result.write(folders[workers])
    return folders


def test_the_same_calibration_on_one_or_two_workers(tiny):
    for name in ("parameters.csv", "correlations.csv", "fit.csv", "holdout.csv", "evaluations.csv",
                 "calibrated.toml", "plots/fit.png"):
        assert (tiny[1] / name).read_bytes() == (tiny[2] / name).read_bytes(), name


def test_the_calibrated_scenario_runs_and_sweeps_as_it_is(tiny, tmp_path):
    path = tiny[1] / "calibrated.toml"
    fitted = float((tiny[1] / "parameters.csv").read_text().splitlines()[1].split(",")[1])
    assert scenario.load(path).scenario.phase_out.switch_rate == pytest.approx(fitted)
    as_fitted, low_effort = (scenario.load(path, strategies=flags).scenario.providers[0].levers
                             for flags in ([], ["A=low-effort"]))
    assert low_effort.steps_mean < as_fitted.steps_mean  # a strategy acts on the calibrated market
    experiment = tmp_path / "what_if.toml"
    experiment.write_text(f'name = "what-if"\nscenario = "{path}"\nreplications = 2\n'
                          '[strategies.base]\n[strategies.effort]\nA = "low-effort"\n')
    assert spec.load(experiment).base_hash == scenario.load(path).hash


def test_the_report_page_of_a_calibration(tiny):
    page = build_report(tiny[1])
    for text in ("phase_out.switch_rate", "held-out periods", "sBG", "calibrated.toml", "data:image/png;base64"):
        assert text in page, text
