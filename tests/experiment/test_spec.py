"""Malformed experiment files end in one clear line and exit code 2, before any run starts."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sweep_helpers import TINY, write

from churnsim.cli.main import cli
from churnsim.experiment import design, spec

SHIPPED = ("quick", "delight_vs_effort", "word_of_mouth", "rewards_vs_price", "price_rise", "downturn", "morris",
           "sobol")
BROKEN = [
    ("name = ", "not valid TOML"),
    ("replicatons = 3\n" + TINY, "replicatons: unknown key"),
    (TINY.replace("reach_bad", "reach_badd"), "unknown parameter 'reach_badd'"),
    (TINY.replace('"word_of_mouth.reach_bad" = [3, 10]', '"phase_out.switch_rate" = [0.5, 1.5]'),
     "parameters.phase_out.switch_rate = 1.5"),
    (TINY.replace('A = "low-effort"', 'A = "low-efort"'), "'low-efort': unknown strategy"),
    (TINY.replace('A = "low-effort"', 'Z = "low-effort"'), "strategies.low-effort.Z: no such provider"),
    (TINY.replace('"profit"', '"proft"'), "unknown KPI 'proft'"),
    (TINY.replace('baseline = "status-quo"', 'baseline = "nothing"'), "baseline = 'nothing': not one of"),
    (TINY.replace('provider = "A"', 'provider = "Q"'), "provider = 'Q': no such provider"),
    (TINY.replace("replications = 3", "replications = 0"), "replications = 0"),
    (TINY.replace("[3, 10]", "[3, 3]"), "values must differ"),
    (TINY.replace("[3, 10]", '[3, "ten"]'), "of one kind"),
    (TINY.replace("[3, 10]", "{ low = 10.0, high = 3.0 }"), "must be below high"),
    (TINY.replace("[3, 10]", "{ low = 3.0, high = 10.0 }"), "full factorial design needs values"),
    (TINY + '[design]\nkind = "lhs"\n', "design.samples: required"),
    (TINY + '[design]\nkind = "morris"\nsamples = 4\n', "morris design needs a range"),
    (TINY.replace("[3, 10]", "{ low = 3.0, high = 10.0 }") + '[design]\nkind = "sobol"\nsamples = 10\n',
     "Sobol needs a power of 2"),
    (TINY.replace('"word_of_mouth.reach_bad" = [3, 10]', '"service.steps_threshold" = { low = 1.0, high = 4.0, '
                  "levels = 3 }"), "service.steps_threshold = 2.5"),
    (TINY.replace('scenario = "electricity"', 'scenario = "atlantis"'), "'atlantis': no such file or built-in"),
    (TINY + '[set]\n"market.nonsense" = 1\n', "set.market.nonsense: unknown parameter"),
    (TINY + '[design]\nkind = "fractal"\n', "design.kind = 'fractal'"),
]


@pytest.mark.parametrize(("text", "message"), BROKEN, ids=[m for _, m in BROKEN])
def test_malformed_experiment_is_one_clear_line_and_exit_2(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(spec.ExperimentError, match=None) as caught:
        spec.load(path)
    assert message in str(caught.value)
    assert str(caught.value).startswith(str(path))
    result = CliRunner().invoke(cli, ["sweep", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_missing_file_and_occupied_folder_are_input_errors(tmp_path):
    runner = CliRunner()
    result = runner.invoke(cli, ["sweep", str(tmp_path / "nope.toml")])
    assert result.exit_code == 2 and "no such experiment file" in result.output
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "manifest.json").write_text("{}")
    result = runner.invoke(cli, ["sweep", str(write(tmp_path, TINY)), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2 and "holds a sweep already; add --resume" in result.output
    result = runner.invoke(cli, ["sweep", str(write(tmp_path, TINY)), "--workers", "2", "--dask-local", "2"])
    assert result.exit_code == 2 and "choose one" in result.output
    result = runner.invoke(cli, ["analyze", str(tmp_path)])
    assert result.exit_code == 2 and "not a sweep folder" in result.output


def test_friendly_tables_become_typed_arms_and_parameters(tmp_path):
    text = TINY.replace('[parameters]\n"word_of_mouth.reach_bad" = [3, 10]',
                        "[parameters.word_of_mouth]\nreach_bad = [3, 10.5]\n"
                        "[parameters.providers.A.levers]\nprice = { low = 50, high = 70, levels = 3 }")
    text += '\n[strategies.both]\nA = ["low-effort", "digital-payment"]\nset = { "providers.B.levers.price" = 55.0 }\n'
    exp = spec.load(write(tmp_path, text), replications=7, customers=99).experiment
    assert (exp.replications, exp.customers, exp.months) == (7, 99, 4)
    wom, price = exp.parameters
    assert wom.values == (3.0, 10.5) and wom.path == "word_of_mouth.reach_bad"
    assert (price.path, price.low, price.high, price.integer) == ("providers.A.levers.price", 50, 70, True)
    both = exp.strategies[-1]
    assert both.flags() == ["A=low-effort", "A=digital-payment"]
    assert both.assignments() == ["providers.B.levers.price=55.0"]
    assert len(design.sample(exp.design, exp.parameters, seed=1)) == 6


def test_every_shipped_experiment_is_valid():
    from pathlib import Path

    folder = Path(__file__).parents[2] / "experiments"
    for name in SHIPPED:
        path = folder / f"{name}.toml"
        loaded = spec.load(path)
        assert loaded.experiment.question, f"{path.name} states no question"
