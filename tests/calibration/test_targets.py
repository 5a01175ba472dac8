"""Target files: what is read, and every bad input as one line through the command line (exit 2)."""

import pytest
from click.testing import CliRunner

from churnsim.calibration import targets
from churnsim.calibration.survival import CohortTracker
from churnsim.cli.main import cli
from churnsim.schema.params import Scenario

GOOD = "period,survivors\n0,100\n1,80\n2,70\n3,65\n"


def test_a_csv_with_several_cohorts_reads_each(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("cohort,period,survivors,unit\na,0,10,month\na,1,8,month\na,2,7,month\n"
                    "b,1,40,month\nb,0,50,month\nb,2,30,month\n")
    found = targets.load(path)
    assert [(c.name, c.survivors, c.unit, c.joined) for c in found.cohorts] == [
        ("a", (10, 8, 7), "month", (1, 1)), ("b", (50, 40, 30), "month", (1, 1))]


def test_a_toml_mixes_kinds_with_weights(tmp_path):
    path = tmp_path / "t.toml"
    path.write_text('[[cohort]]\nname = "new"\nprovider = "A"\nperiod = [0, 1, 2]\nsurvivors = [9, 5, 4]\n'
                    'weight = 2\n[[churn]]\nprovider = "B"\nvalue = 0.01\n[[survey]]\nmeasure = "embedded"\n'
                    "value = 0.3\nn = 500\n")
    found = targets.load(path)
    assert found.cohorts[0].weight == 2 and found.cohorts[0].provider == "A"
    assert [s.name for s in found.shares] == ["churn (B)", "embedded (market)"]
    assert found.shares[1].n == 500


def test_a_cohort_is_followed_until_its_members_leave_or_switch():
    """Customers 0-2 join provider 0 in month 1; 1 switches in month 2, 2 leaves and rejoins (a new customer)."""
    cohort = targets.Cohort("c", "month", (3, 2, 1), joined=(1, 1))
    tracker = CohortTracker(cohort, Scenario())
    segment = [0, 0, 0, 0]
    tracker.after_month(1, _a([0, 0, 0, 1]), _a([0, 0, 0, 5]), _a(segment))
    tracker.after_month(2, _a([0, 1, -1, 1]), _a([1, 0, 0, 6]), _a(segment))
    tracker.after_month(3, _a([0, 1, 0, 1]), _a([2, 1, 0, 7]), _a(segment))
    assert tracker.counts.tolist() == [3, 1, 1]


def _a(values):
    import numpy as np

    return np.array(values)


def fails_cleanly(tmp_path, *args, message):
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["calibrate", *args, "--out", str(out)])
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], result.output
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)
    assert not out.exists()


@pytest.mark.parametrize(("suffix", "text", "message"), [
    ("csv", "period,count\n0,10\n1,8\n2,7\n", "missing column 'survivors'"),
    ("csv", "period,survivors\n0,100\n1,80\n2,90\n", "rise from 80 in period 1 to 90 in period 2"),
    ("csv", "period,survivors\n0,100\n1,eighty\n2,70\n", "line 3: survivors = 'eighty': must be a number"),
    ("csv", "period,survivors\n0,100\n2,80\n3,70\n", "must be 0, 1, 2, ... once each"),
    ("csv", "period,survivors\n0,100\n1,80\n", "needs period 0 and at least 2 more"),
    ("csv", "period,survivors,colour\n0,1,x\n1,1,x\n2,1,x\n", "unknown column 'colour'"),
    ("toml", "[[cohort]\n", "not valid TOML"),
    ("toml", "[[retention]]\nvalue = 1\n", "unknown target kind 'retention'; allowed: cohort, churn"),
    ("toml", '[[survey]]\nmeasure = "happy"\nvalue = 0.5\n', "measure = 'happy': allowed: considering, embedded"),
    ("toml", "[[churn]]\nvalue = 1.5\n", "churn.0.value = 1.5: must be a number [0, 1]"),
    ("toml", '[[churn]]\nprovider = "Z"\nvalue = 0.1\n', "churn.provider = 'Z': no such provider in the scenario"),
    ("toml", "[[cohort]]\nperiod = [0, 1, 2]\nsurvivors = [5, 6, 4]\n", "rise from 5 in period 0 to 6 in period 1"),
])
def test_a_bad_target_file_is_one_line(tmp_path, suffix, text, message):
    path = tmp_path / f"t.{suffix}"
    path.write_text(text)
    fails_cleanly(tmp_path, "mobile", "--targets", str(path), "--free", "phase_out.switch_rate", message=message)


@pytest.mark.parametrize(("free", "message"), [
    ("phase_out.switch_rat", "unknown parameter 'switch_rat'"),
    ("phase_out.switch_rate=0.1:1.5", "high 1.5 is outside the range phase_out.switch_rate allows, [0, 1]"),
    ("phase_out.switch_rate=0.5:0.2", "low (0.5) must be below high (0.2)"),
    ("phase_out.switch_rate=a:b", "expected PATH=LOW:HIGH"),
    ("phase_out", "a group of parameters, not one"),
    ("segments.everyone.baseline_churn.beta", "open or infinite end"),
    ("phase_out.enabled", "only numbers can be calibrated"),
])
def test_a_bad_free_parameter_is_one_line(tmp_path, free, message):
    path = tmp_path / "t.csv"
    path.write_text(GOOD)
    fails_cleanly(tmp_path, "classroom", "--targets", str(path), "--free", free, message=message)


def test_a_holdout_that_leaves_too_little_is_one_line(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text(GOOD)
    fails_cleanly(tmp_path, "mobile", "--targets", str(path), "--free", "phase_out.switch_rate", "--holdout", "2",
                  message="--holdout 2: leaves cohort t 1 fitted periods")


def test_a_missing_target_file_is_one_line(tmp_path):
    fails_cleanly(tmp_path, "mobile", "--targets", str(tmp_path / "none.csv"), "--free", "phase_out.switch_rate",
                  message="no such target file")
