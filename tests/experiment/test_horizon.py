"""A sweep refuses to vary a parameter whose only event is dated after its last month: the effect would be 0."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from sweep_helpers import TINY, write

from churnsim.cli.main import cli
from churnsim.experiment import spec

SOBOL = Path(__file__).parents[2] / "experiments" / "sobol.toml"


def test_a_sobol_sweep_too_short_for_its_downturn_is_refused_before_it_runs(tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["sweep", str(SOBOL), "--months", "6", "--out", str(out)])
    assert result.exit_code == 2, result.output
    line = result.output.strip()
    assert "parameters.attention.downturn_talk: acts only through the downturn, which starts in month 12" in line
    assert len(line.splitlines()) == 1 and not out.exists()
    spec.load(SOBOL, months=12)  # the downturn's first month is inside: accepted


def test_a_parameter_of_a_late_price_change_is_refused_and_one_that_is_reached_is_not(tmp_path):
    text = TINY.replace('A = "low-effort"', 'A = "price-rise-notice"').replace(
        '"word_of_mouth.reach_bad" = [3, 10]', '"attention.notice" = [0.1, 0.4]')
    with pytest.raises(spec.ExperimentError, match="provider A's price change, which starts in month 10"):
        spec.load(write(tmp_path, text))  # four months; the notice starts in month 10
    spec.load(write(tmp_path, text), months=10)


def test_a_parameter_that_varies_the_event_month_into_the_run_is_accepted(tmp_path):
    text = TINY.replace('"word_of_mouth.reach_bad" = [3, 10]', '"economy.downturn_month" = [2, 12]')
    spec.load(write(tmp_path, text + '[set]\n"economy.enabled" = true\n'))


def test_a_parameter_of_a_switched_off_downturn_is_refused_and_switching_it_on_is_accepted(tmp_path):
    text = TINY.replace('"word_of_mouth.reach_bad" = [3, 10]', '"economy.price_sensitivity_multiplier" = [1, 2]')
    with pytest.raises(spec.ExperimentError, match=r"parameters.economy.price_sensitivity_multiplier: acts only "
                       r"through the downturn, which economy.enabled = false switches off in every strategy"):
        spec.load(write(tmp_path, text))
    spec.load(write(tmp_path, text + '[set]\n"economy.enabled" = true\n"economy.downturn_month" = 2\n'))


def test_varying_the_downturn_switch_itself_is_accepted(tmp_path):
    text = TINY.replace('"word_of_mouth.reach_bad" = [3, 10]', '"economy.enabled" = [false, true]')
    spec.load(write(tmp_path, text + '[set]\n"economy.downturn_month" = 2\n'))
