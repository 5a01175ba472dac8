"""A run folder records enough to make the same run again: the command, every override, the whole scenario."""

from __future__ import annotations

import json
import re
import shlex

from click.testing import CliRunner

from churnsim.cli.main import cli
from churnsim.present.report import build_report

OVERRIDES = ("--set", "word_of_mouth.reach_bad=20", "--set", "providers.A.levers.price=70",
             "--strategy", "A=price-cut", "--strategy", "A=low-effort", "--strategy", "B=spam-offers")


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args))


def run(out, *extra: str) -> dict:
    args = ("run", "classroom", "--months", "5", "--customers", "150", "--seed", "11", *OVERRIDES, *extra,
            "--out", str(out))
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    return json.loads((out / "summary.json").read_text())


def test_summary_records_the_command_every_override_and_the_resolved_scenario(tmp_path):
    out = tmp_path / "r"
    summary = run(out, "--no-plots")
    assert summary["command"] == shlex.join(
        ["churnsim", "run", "classroom", "--months", "5", "--customers", "150", "--seed", "11", *OVERRIDES,
         "--no-plots", "--out", str(out)])
    assert summary["sets"] == ["word_of_mouth.reach_bad=20", "providers.A.levers.price=70"]
    assert summary["strategy_flags"] == ["A=price-cut", "A=low-effort", "B=spam-offers"]
    assert summary["resolved_scenario"] == json.loads((out / "scenario.json").read_text())
    assert summary["resolved_scenario"]["providers"][0]["levers"]["price"] == 70 * 0.85  # the preset scaled it


def test_the_written_scenario_toml_makes_byte_identical_tables(tmp_path):
    first = tmp_path / "first"
    summary = run(first, "--no-plots", "--events", "--format", "parquet")
    again = tmp_path / "again"
    result = invoke("run", str(first / "scenario.toml"), "--seed", "11", "--events", "--format", "parquet",
                    "--no-plots", "--out", str(again))
    assert result.exit_code == 0, result.output
    for table in ("timeseries.parquet", "events.parquet"):
        assert (again / table).read_bytes() == (first / table).read_bytes(), table
    assert json.loads((again / "summary.json").read_text())["scenario_hash"] == summary["scenario_hash"]
    header = (first / "scenario.toml").read_text().splitlines()[0]
    assert summary["scenario_hash"] in header and "seed 11" in header and summary["churnsim_version"] in header


def test_the_run_reports_reproduce_line_is_complete_and_makes_the_same_tables(tmp_path):
    first = tmp_path / "first"
    run(first, "--no-plots", "--events")
    page = build_report(first)
    assert "add them" not in page
    command = re.search(r"<pre>(churnsim run [^<]*)</pre>", page).group(1).replace("&#x27;", "'")
    words = shlex.split(command)
    for flag in (*OVERRIDES, "--events", "--seed", "11"):
        assert flag in words, flag
    again = tmp_path / "again"
    assert invoke(*words[1:], "--no-plots", "--out", str(again)).exit_code == 0
    for table in ("timeseries.csv", "events.parquet"):
        assert (again / table).read_bytes() == (first / table).read_bytes(), table
