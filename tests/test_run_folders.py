"""A run folder holds one run: a rerun replaces it whole, a foreign folder is refused, readers check the hashes."""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

from churnsim import runner
from churnsim.cli.main import cli
from churnsim.outputs import OutputError, replace_folder

SMALL = ("--months", "4", "--customers", "150")


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args))


def files(folder) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def test_a_rerun_into_a_used_folder_leaves_nothing_of_the_earlier_run(tmp_path):
    out = tmp_path / "latest"
    assert invoke("run", "classroom", *SMALL, "--format", "parquet", "--out", str(out)).exit_code == 0
    assert invoke("report", str(out)).exit_code == 0
    result = invoke("run", "mobile", *SMALL, "--no-plots", "--out", str(out))
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["scenario"] == "mobile"
    assert files(out) == {*summary["files"], "summary.json"}
    assert files(out) == {"timeseries.csv", "scenario.json", "scenario.toml", "summary.json"}
    assert [p.name for p in tmp_path.iterdir()] == ["latest"]  # no fresh or old folder left beside it


@pytest.mark.parametrize(("extra", "message"), [
    ("notes.txt", "not empty and not a churnsim run"),
    ("plots/mine.png", "holds plots/mine.png, which is not a file of the churnsim run"),
])
def test_a_folder_with_anything_but_a_run_is_refused_before_simulating(tmp_path, monkeypatch, extra, message):
    out = tmp_path / "out"
    if extra.startswith("plots/"):  # a run folder with a file of the user's in it
        assert invoke("run", "classroom", *SMALL, "--out", str(out)).exit_code == 0
    (out / extra).parent.mkdir(parents=True, exist_ok=True)
    (out / extra).write_text("mine")
    before = {name: (out / name).read_bytes() for name in files(out)}
    monkeypatch.setattr(runner, "run", lambda *a, **k: pytest.fail("simulated before refusing the folder"))
    result = invoke("run", "classroom", *SMALL, "--out", str(out))
    assert result.exit_code == 2
    assert result.output.startswith(f"Error: --out {out}: ") and result.output.count("\n") == 1
    assert message in result.output and "Traceback" not in result.output
    assert {name: (out / name).read_bytes() for name in files(out)} == before


def test_a_run_folder_from_before_files_were_listed_is_replaced(tmp_path):
    out = tmp_path / "latest"
    (out / "plots").mkdir(parents=True)
    (out / "summary.json").write_text(json.dumps({"scenario": "classroom", "churnsim_version": "0.1.0"}))
    for name in ("timeseries.parquet", "scenario.json", "plots/churn.png", "report.html"):
        (out / name).write_text("old")
    result = invoke("run", "classroom", *SMALL, "--no-plots", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert files(out) == {"timeseries.csv", "scenario.json", "scenario.toml", "summary.json"}


def test_a_failed_build_leaves_the_old_folder_whole_and_no_debris(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "summary.json").write_text("old")

    def crash(fresh):
        (fresh / "summary.json").write_text("half")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        replace_folder(out, crash)
    assert (out / "summary.json").read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_result_write_refuses_a_folder_that_is_not_a_run(tmp_path):
    (tmp_path / "data.csv").write_text("1,2\n")
    result = runner.run("classroom", months=2, customers=100)
    with pytest.raises(OutputError, match="not a churnsim run"):
        result.write(tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["data.csv"]


@pytest.fixture
def two_runs(tmp_path):
    """A classroom run with plots and parquet, and a mobile run without plots, in folders of their own."""
    classroom, mobile = tmp_path / "classroom", tmp_path / "mobile"
    assert invoke("run", "classroom", *SMALL, "--format", "parquet", "--out", str(classroom)).exit_code == 0
    assert invoke("run", "mobile", *SMALL, "--no-plots", "--out", str(mobile)).exit_code == 0
    return classroom, mobile


@pytest.mark.parametrize(("copied", "message"), [
    ("timeseries.parquet", "timeseries.parquet: not listed as a file of the run"),
    ("scenario.json", "scenario.json: not the file the run"),
])
def test_report_refuses_a_file_of_another_run(two_runs, copied, message):
    classroom, mobile = two_runs
    shutil.copy(classroom / copied, mobile / copied)
    result = invoke("report", str(mobile))
    assert result.exit_code == 2 and message in result.output
    assert result.output.count("\n") == 1 and not (mobile / "report.html").exists()


def test_report_refuses_a_plot_of_another_run(two_runs):
    classroom, mobile = two_runs
    assert invoke("run", "mobile", *SMALL, "--out", str(mobile)).exit_code == 0
    shutil.copy(classroom / "plots" / "churn.png", mobile / "plots" / "churn.png")
    result = invoke("report", str(mobile))
    assert result.exit_code == 2 and "plots/churn.png: not the file the run" in result.output


def test_report_refuses_a_summary_that_lists_no_files(two_runs):
    _, mobile = two_runs
    summary = json.loads((mobile / "summary.json").read_text())
    del summary["files"]
    (mobile / "summary.json").write_text(json.dumps(summary))
    result = invoke("report", str(mobile))
    assert result.exit_code == 2 and "lists no files with their hashes" in result.output
