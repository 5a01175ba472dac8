"""The command line as a user meets it: outputs, byte-identical reruns, clean errors."""

import json
import subprocess
import sys

import pandas as pd
import pytest
from click.testing import CliRunner

from churnsim import runner
from churnsim.cli.main import cli
from churnsim.outputs import file_digest
from churnsim.present.words import plural, with_article
from churnsim.schema import scenario


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_run_writes_tables_summary_and_plots_byte_identically(tmp_path, fmt):
    """The same command run again into its own folder replaces it with byte-identical files."""
    one = tmp_path / "one"
    folders = []
    for _ in range(2):
        result = invoke("run", "classroom", "--months", "6", "--seed", "3", "--out", str(one), "--format", fmt)
        assert result.exit_code == 0, result.output
        folders.append({p.relative_to(one).as_posix(): p.read_bytes() for p in one.rglob("*") if p.is_file()})
    assert folders[0] == folders[1]
    assert {f"timeseries.{fmt}", "summary.json", "scenario.json", "scenario.toml"} <= folders[0].keys()
    summary = json.loads((one / "summary.json").read_text())
    assert {"scenario", "scenario_hash", "seed", "churnsim_version", "mesa_version", "kpis"} <= summary.keys()
    assert summary["seed"] == 3
    assert {"A", "B", "C", "market"} == summary["kpis"].keys()
    assert sorted(p.name for p in (one / "plots").iterdir()) == [
        "churn.png", "market_share.png", "profit.png", "retention.png", "stage_shares.png"]
    ts = pd.read_parquet(one / "timeseries.parquet") if fmt == "parquet" else pd.read_csv(one / "timeseries.csv")
    assert set(ts["month"]) == set(range(7))
    assert "annual churn" in result.output and "scenario classroom (hash" in result.output


def test_run_options_reach_the_model(tmp_path):
    out = tmp_path / "r"
    result = invoke("run", "classroom", "--months", "3", "--customers", "120", "--strategy", "A=spam-offers",
                    "--set", "word_of_mouth.reach_bad=20", "--out", str(out), "--no-plots")
    assert result.exit_code == 0, result.output
    spec = json.loads((out / "scenario.json").read_text())
    assert spec["market"]["customers"] == 120 and spec["word_of_mouth"]["reach_bad"] == 20
    assert spec["providers"][0]["strategies"] == ["spam-offers"]
    assert not (out / "plots").exists()


def test_threads_change_nothing_in_the_outputs(tmp_path, monkeypatch):
    monkeypatch.setattr("churnsim.vector.model.SHARD", 1000)  # as over half a million customers are cut: into three
    for threads in ("1", "3"):
        result = invoke("run", "--customers", "3000", "--months", "6", "--engine", "vector", "--threads", threads,
                        "--out", str(tmp_path / threads), "--no-plots")
        assert result.exit_code == 0, result.output
    assert (tmp_path / "1" / "timeseries.csv").read_bytes() == (tmp_path / "3" / "timeseries.csv").read_bytes()
    summaries = [json.loads((tmp_path / threads / "summary.json").read_text()) for threads in ("1", "3")]
    assert [s.pop("command") for s in summaries] != [None, None]  # the commands differ in --threads and --out
    assert summaries[0] == summaries[1]


@pytest.mark.parametrize(("args", "message"), [
    (["run", "nowhere.toml"], "no such file or built-in scenario"),
    (["run", "--set", "market.customers=0"], "market.customers = 0"),
    (["run", "--set", "service.nope=1"], "unknown parameter 'nope'"),
    (["run", "--strategy", "A=teleport"], "unknown strategy 'teleport'"),
    (["run", "--months", "0"], "Invalid value for '--months'"),
    (["run", "--engine", "quantum"], "Invalid value for '--engine'"),
    (["run", "--threads", "0"], "Invalid value for '--threads'"),
    (["run", "--engine", "agents", "--threads", "2"], "--threads 2: threads apply to the vector engine only"),
    (["run", "--frobnicate"], "No such option"),
    (["validate", "missing.toml"], "missing.toml: no such scenario file"),
])
def test_bad_input_is_one_line_exit_2_no_traceback(args, message):
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_validate_reports_the_field(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[word_of_mouth]\nreach_bad = -3\n")
    result = CliRunner().invoke(cli, ["validate", str(bad)])
    assert result.exit_code == 2
    assert "word_of_mouth.reach_bad = -3: Input should be greater than or equal to 0" in result.output
    good = invoke("validate", "churnsim/schema/scenarios/mobile.toml")
    assert good.exit_code == 0 and "valid (mobile, hash" in good.output


def test_listings():
    assert "low-effort" in invoke("strategies").output
    listing = invoke("scenarios").output
    for name in ("mobile", "broadband", "electricity", "insurance", "classroom"):
        assert name in listing
    params = invoke("params", "insurance").output
    assert "market.annual_renewal" in params and "true" in params


def test_console_script_runs_from_another_directory(tmp_path):
    """The installed entry point finds the built-in default scenario wherever it is started."""
    result = subprocess.run([sys.executable, "-m", "churnsim", "run", "--months", "2", "--customers", "200",
                             "--out", "r", "--no-plots"], cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "r" / "summary.json").is_file()


@pytest.mark.parametrize("module", ["churnsim.cli.app", "churnsim.cli.experiment", "churnsim.cli.report"])
def test_subcommand_modules_import_on_their_own(module):
    """No import circle through cli.py: each subcommand module imports first in a fresh interpreter."""
    result = subprocess.run([sys.executable, "-c", f"import {module}; import churnsim.cli.main"], capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stderr


def fails_cleanly(*args: str, message: str) -> None:
    """Exit code 2, the message, and no traceback: how every bad input must end."""
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output and not isinstance(result.exception, (TypeError, UnicodeError))


@pytest.mark.parametrize("command", ["run", "validate", "sweep"])
def test_a_binary_file_is_one_line(tmp_path, command):
    path = tmp_path / "picture.toml"
    path.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF")
    fails_cleanly(command, str(path), message="picture.toml: not a UTF-8 text file (byte 0 is 0xff)")


def test_a_file_with_a_byte_order_mark_is_read(tmp_path):
    path = tmp_path / "notepad.toml"
    path.write_bytes(b"\xef\xbb\xbf" + b'[meta]\nname = "notepad"\n')
    result = invoke("validate", str(path))
    assert result.exit_code == 0 and "valid (notepad, hash" in result.output


@pytest.mark.parametrize(("command", "kind"), [("run", "scenario file"), ("validate", "scenario file"),
                                               ("sweep", "experiment file")])
def test_a_directory_is_called_a_directory(tmp_path, command, kind):
    fails_cleanly(command, str(tmp_path), message=f"{tmp_path}: a directory, where a .toml {kind} is needed")


def test_providers_as_a_number_names_the_field(tmp_path):
    path = tmp_path / "three.toml"
    path.write_text("providers = 3\n")
    fails_cleanly("validate", str(path), message="three.toml: providers = 3: must be a list of provider tables")
    fails_cleanly("run", "--set", "providers=3", message="electricity: providers = 3: must be a list of provider")


def test_an_unknown_provider_in_strategy_is_said_plainly():
    fails_cleanly("run", "--strategy", "Z=low-effort",
                  message="--strategy Z=low-effort (electricity): no provider 'Z'; allowed: A, B, C, D")


def test_a_strategy_error_names_the_file(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text('[[providers]]\nname = "A"\nstrategies = ["nope"]\n[[providers]]\nname = "B"\n')
    fails_cleanly("run", str(path), message=f"{path}: providers.A.strategies = 'nope': unknown strategy; allowed: ")


def test_an_unknown_key_in_a_file_lists_the_allowed_keys(tmp_path):
    path = tmp_path / "typo.toml"
    path.write_text("[word_of_mouth]\nreach_bda = 3\n")
    fails_cleanly("validate", str(path), message="word_of_mouth.reach_bda: unknown parameter 'reach_bda'; allowed "
                  "here: enabled, tell_bad")
    fails_cleanly("validate", str(path), message="; did you mean 'reach_bad'?")


@pytest.mark.parametrize("where", ["a-file/results", "/proc/churnsim-results"])
def test_an_unwritable_out_fails_before_simulating(tmp_path, monkeypatch, where):
    (tmp_path / "a-file").write_text("not a folder")
    monkeypatch.chdir(tmp_path)

    def simulate(*args, **kwargs):
        raise AssertionError("the run started before --out was checked")

    monkeypatch.setattr(runner, "run", simulate)
    fails_cleanly("run", "classroom", "--out", where, message=f"--out {where}: ")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]


def test_sweep_and_report_check_their_out_too(tmp_path):
    (tmp_path / "a-file").write_text("not a folder")
    fails_cleanly("sweep", "experiments/quick.toml", "--out", str(tmp_path / "a-file" / "sweep"),
                  message="a-file is a file, not a folder")
    (tmp_path / "summary.json").write_text("{}")
    fails_cleanly("report", str(tmp_path), "--out", str(tmp_path / "a-file" / "report.html"),
                  message="a-file is a file, not a folder")


@pytest.mark.parametrize(("text", "message"), [
    ('{"scenario": "mobile", "seed": 0, "months": 12, "customers": 100}', "summary.json: missing kpis"),
    ('{"scenario": "mobile", "seed": 0, "months": 12, "customers": 100, "kpis": {"A": {}}}',
     "summary.json: kpis must hold a table per provider with the numbers customers_end"),
    ("{not json", "summary.json: not readable JSON"),
    ("[1, 2]", "summary.json: must hold a JSON object"),
])
def test_report_on_a_damaged_summary_is_one_line(tmp_path, text, message):
    (tmp_path / "summary.json").write_text(text)
    fails_cleanly("report", str(tmp_path), message=message)
    assert not (tmp_path / "report.html").exists()


def test_analyze_on_a_damaged_results_table_is_one_line(tmp_path):
    """Damaged after the sweep recorded its hash (say, by a disk): the table itself cannot be read."""
    damaged = tmp_path / "results.parquet"
    damaged.write_bytes(b"PAR1 truncated")
    (tmp_path / "manifest.json").write_text(json.dumps({"files": {"results.parquet": file_digest(damaged)}}))
    fails_cleanly("analyze", str(tmp_path), message="results.parquet: cannot be read as a table (")


def test_scenarios_lists_whole_descriptions():
    listing = " ".join(invoke("scenarios").output.split())
    for name in scenario.builtin_scenarios():
        description = " ".join(scenario.load(name).scenario.meta.description.split())
        assert description in listing, name


def test_counts_and_articles_read_as_english(tmp_path):
    out = tmp_path / "one-month"
    result = invoke("run", "electricity", "--months", "1", "--customers", "100", "--out", str(out), "--no-plots")
    assert result.exit_code == 0, result.output
    assert ", 1 month, churnsim" in result.output
    assert invoke("report", str(out)).exit_code == 0
    page = (out / "report.html").read_text()
    assert "An electricity market of 100 customers over 1 month at" in page
    assert "over 1 month, seed 0" in page


def test_plural_and_article():
    assert [plural(1, "replication"), plural(2, "replication"), plural(1, "strategy", "strategies"),
            plural(3, "strategy", "strategies"), plural(1000, "run")] == [
        "1 replication", "2 replications", "1 strategy", "3 strategies", "1,000 runs"]
    assert [with_article("electricity"), with_article("mobile"), with_article("insurance")] == [
        "an electricity", "a mobile", "an insurance"]
