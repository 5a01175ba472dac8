"""``churnsim sweep`` and ``churnsim analyze`` as a user meets them, and a failing run that does not stop a sweep."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pandas as pd
from click.testing import CliRunner
from sweep_helpers import TINY, write

from churnsim.cli.main import cli
from churnsim.experiment import spec
from churnsim.experiment import sweep as sweep_module
from churnsim.experiment.simulate import evaluate
from churnsim.experiment.store import RunStore


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_sweep_then_analyze_prints_the_table_and_writes_tables_and_plots(tmp_path):
    path = write(tmp_path, TINY)
    out = tmp_path / "out"
    result = invoke("sweep", str(path), "--out", str(out), "--workers", "2", "--replications", "4")
    assert result.exit_code == 0, result.output
    assert "16 of 16 runs" in result.output and f"churnsim analyze {out}" in result.output
    result = invoke("analyze", str(out))
    assert result.exit_code == 0, result.output
    assert "minus status-quo" in result.output and "low-effort" in result.output
    assert "annual_churn @ word_of_mouth.reach_bad=3" in result.output
    names = sorted(p.name for p in (out / "analysis").rglob("*.*"))
    assert names == ["kpis_by_strategy.png", "paired.csv", "paired_differences.png", "summary.csv",
                     "summary_by_point.csv"]
    paired = pd.read_csv(out / "analysis" / "paired.csv")
    assert set(paired["strategy"]) == {"low-effort"} and len(paired) == 2 * 2  # points x KPIs
    result = invoke("analyze", str(out), "--provider", "market", "--no-plots")
    assert "KPIs of the market" in result.output
    result = CliRunner().invoke(cli, ["analyze", str(out), "--provider", "Q"])
    assert result.exit_code == 2 and "provider 'Q': not in the results" in result.output


def test_morris_and_sobol_sweeps_give_indices_tables_and_plots(tmp_path):
    ranges = ('"word_of_mouth.reach_bad" = { low = 3.0, high = 12.0 }\n'
              '"phase_out.switch_rate" = { low = 0.05, high = 0.3 }')
    base = TINY.replace("replications = 3", "replications = 1").replace('"word_of_mouth.reach_bad" = [3, 10]', ranges)
    base = base.replace('\n[strategies.low-effort]\nA = "low-effort"\n', "")
    for kind, extra, index in (("morris", "samples = 3", "mu_star"), ("sobol", "samples = 4", "ST")):
        path = write(tmp_path, base + f'\n[design]\nkind = "{kind}"\n{extra}\n', f"{kind}.toml")
        out = tmp_path / kind
        assert invoke("sweep", str(path), "--out", str(out), "--workers", "2").exit_code == 0
        result = invoke("analyze", str(out))
        assert result.exit_code == 0, result.output
        assert f"{kind.capitalize()}: annual_churn" in result.output
        table = pd.read_csv(out / "analysis" / f"{kind}.csv")
        assert set(table["parameter"]) == {"word_of_mouth.reach_bad", "phase_out.switch_rate"}
        assert table[index].notna().all()
        assert (out / "analysis" / "plots" / f"{kind}.png").is_file()


def fail_second_replicate(run):
    if run.replicate == 1:
        raise RuntimeError("simulated crash")
    return evaluate(run)


def test_a_failing_run_is_logged_does_not_stop_the_sweep_and_is_retried_on_resume(tmp_path, monkeypatch, reference):
    loaded = spec.load(write(tmp_path, TINY))
    monkeypatch.setattr(sweep_module, "evaluate", fail_second_replicate)
    with ThreadPoolExecutor(2) as pool:
        report = sweep_module.sweep(loaded, tmp_path / "out", executor=pool, slots=2)
    assert (report.ok, report.failed, report.stored_runs) == (8, 4, 8)
    errors = [e for e in RunStore(report.out).ledger() if e["status"] == "failed"]
    assert {e["replicate"] for e in errors} == {1} and errors[0]["error"] == "RuntimeError: simulated crash"
    monkeypatch.setattr(sweep_module, "evaluate", evaluate)
    with ThreadPoolExecutor(2) as pool:
        again = sweep_module.sweep(loaded, tmp_path / "out", executor=pool, slots=2, resume=True)
    assert (again.already, again.ok, again.failed) == (8, 4, 0)
    pd.testing.assert_frame_equal(pd.read_parquet(again.out / "results.parquet"), reference)
