"""``churnsim report``: one HTML file that opens offline and holds everything needed to read and redo a result."""

from __future__ import annotations

import base64
import json
import re
import shlex
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import churnsim
from churnsim.cli.main import cli
from churnsim.experiment import analysis
from churnsim.outputs import file_digest
from churnsim.present.report import SWEEP_COLUMNS, build_report, verdict


def images(page: str) -> list[bytes]:
    return [base64.b64decode(m) for m in re.findall(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)]


def assert_offline(page: str) -> None:
    """Nothing to fetch: no URL, no script, no stylesheet link, every image inline."""
    assert not re.search(r"https?://|<script|<link|<iframe|url\(", page)
    assert len(re.findall(r"<img ", page)) == len(images(page))
    assert all(png.startswith(b"\x89PNG\r\n\x1a\n") for png in images(page))


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("run")
    result = CliRunner().invoke(cli, ["run", "classroom", "--months", "6", "--customers", "200", "--seed", "4",
                                      "--strategy", "B=low-effort", "--out", str(folder)])
    assert result.exit_code == 0, result.output
    return folder


def test_run_report_is_one_offline_file_with_everything(run_folder):
    result = CliRunner().invoke(cli, ["report", str(run_folder)])
    assert result.exit_code == 0, result.output
    page = (run_folder / "report.html").read_text()
    assert_offline(page)
    assert len(images(page)) == 5  # the five standard plots
    summary = json.loads((run_folder / "summary.json").read_text())
    for text in ("The scenario", "Key figures", "Strategies compared", "Reproduce this run",
                 "A teaching market of 200 customers over 6 months", "low-effort",
                 summary["scenario_hash"], churnsim.__version__, summary["mesa_version"]):
        assert text in page, text
    churn = summary["kpis"]["B"]["annual_churn"]
    assert f"{100 * churn:.1f} %" in page


def test_run_report_says_what_profit_clv_and_annual_churn_mean(run_folder):
    """The currency and the months come from the run: profit in EUR over 6 months, CLV over at most 120."""
    page = build_report(run_folder)
    assert "What the figures mean" in page
    for text in ("EUR over the 6 simulated months", "summed over at most 120 months", "1 - (1 - monthly churn)^12"):
        assert text in page, text


def test_the_reproduce_command_in_the_report_makes_the_same_run(run_folder, tmp_path):
    page = build_report(run_folder)
    command = re.search(r"<pre>(churnsim run [^<]*)</pre>", page).group(1)
    args = [*shlex.split(command)[1:], "--out", str(tmp_path / "again"), "--no-plots"]
    assert CliRunner().invoke(cli, args).exit_code == 0
    first = json.loads((run_folder / "summary.json").read_text())
    again = json.loads((tmp_path / "again" / "summary.json").read_text())
    assert again["scenario_hash"] == first["scenario_hash"] and again["kpis"] == first["kpis"]


def test_missing_plots_are_drawn_from_the_table(tmp_path):
    folder = tmp_path / "bare"
    assert CliRunner().invoke(cli, ["run", "classroom", "--months", "3", "--customers", "100", "--no-plots",
                                    "--out", str(folder)]).exit_code == 0
    out = tmp_path / "elsewhere" / "page.html"
    assert CliRunner().invoke(cli, ["report", str(folder), "--out", str(out)]).exit_code == 0
    assert len(images(out.read_text())) == 5


def sweep_table(replicates: int = 5) -> pd.DataFrame:
    """The compacted table a sweep writes: one row per run, provider and KPI (columns: SWEEP_COLUMNS + run)."""
    rng = np.random.default_rng(0)
    rows = []
    for r in range(replicates):
        noise = rng.normal(0, 0.02)
        for strategy, shift in (("status-quo", 0.0), ("low-effort", -0.03)):
            for provider in ("A", "market"):
                rows.append({"run": f"{strategy}-{r}", "point": 0, "strategy": strategy, "replicate": r,
                             "seed": 1000 + r, "provider": provider, "kpi": "annual_churn",
                             "value": 0.20 + noise + shift})
    return pd.DataFrame(rows)


def test_sweep_report_compares_strategies_with_confidence_intervals(tmp_path):
    table = sweep_table()
    assert set(SWEEP_COLUMNS) <= set(table.columns)
    table.to_parquet(tmp_path / "results.parquet")
    (tmp_path / "manifest.json").write_text(json.dumps({
        "experiment": {"name": "effort", "question": "Does low effort keep customers?", "scenario": "classroom",
                       "seed": 7, "provider": "A", "baseline": "status-quo", "replications": 5, "customers": 200,
                       "strategies": [{"name": "status-quo", "providers": {}, "sets": {}},
                                      {"name": "low-effort", "providers": {"A": ["low-effort"]}, "sets": {}}]},
        "experiment_file": "experiments/effort.toml", "versions": {"churnsim": "0.1.0", "mesa": "3.5.1"},
        "files": {"results.parquet": file_digest(tmp_path / "results.parquet")}}))
    result = CliRunner().invoke(cli, ["report", str(tmp_path)])
    assert result.exit_code == 0, result.output
    page = (tmp_path / "report.html").read_text()
    assert_offline(page)
    assert len(images(page)) == 1  # one comparison figure per KPI
    values = table[(table["strategy"] == "low-effort") & (table["provider"] == "A")]["value"]
    low, high = analysis.share_interval(values.to_numpy())  # a share: its interval stays inside [0, 1]
    assert f"[{100 * low:.1f} %, {100 * high:.1f} %]" in page
    assert "rough" not in page  # five replications
    assert "[-3.0 pp, -3.0 pp]" in page  # the same seeds: the paired difference has no noise left
    answer = page.index("<h2>The answer</h2>")
    assert answer < page.index("<h2>The experiment</h2>")  # the report leads with its verdict
    assert "<b>low-effort</b> lowers A's annual churn by 3.0 pp [3.0 pp; 3.0 pp], against status-quo" in page
    for text in ("Does low effort keep customers?", "Provider A: low-effort", "experiments/effort.toml",
                 f"churnsim sweep experiments/effort.toml --replications 5 --customers 200 --out {tmp_path}",
                 "1000, 1001"):
        assert text in page, text


def test_a_sweep_table_without_a_manifest_still_reports(tmp_path):
    sweep_table(3).drop(columns=["run", "point"]).to_csv(tmp_path / "results.csv", index=False)
    page = build_report(tmp_path)
    assert "A sweep of 6 runs" in page and "minus status-quo" in page
    assert "(rough: fewer than 5 runs)" in page
    assert "Only 3 replications per strategy: every interval below is a rough guess" in page
    assert "(only 3 paired runs: a rough interval)" in page


def _difference(diff: float, low: float, high: float, kpi: str = "profit", n: int = 8):
    return SimpleNamespace(strategy="low-effort", provider="A", kpi=kpi, diff=diff, ci_low=low, ci_high=high, n=n,
                           few=n < analysis.FEW)


@pytest.mark.parametrize(("row", "text"), [
    (_difference(8975, 5220, 12730), "<b>low-effort</b> raises A's profit by 8,975 EUR [5,220 EUR; 12,730 EUR] "
                                      "over 36 months, against status-quo."),
    (_difference(-0.012, -0.019, -0.005, "annual_churn"),
     "<b>low-effort</b> lowers A's annual churn by 1.2 pp [0.5 pp; 1.9 pp], against status-quo."),
    (_difference(-300, -900, 250, n=3),
     "<b>low-effort</b> does not clearly change A's profit: -300 EUR [-900 EUR; +250 EUR] over 36 months against "
     "status-quo, an interval that holds 0 (only 3 paired runs: a rough interval)."),
])
def test_a_verdict_says_raises_or_lowers_only_when_the_interval_is_clear_of_zero(row, text):
    assert verdict(row, "status-quo", 36, "EUR") == text


def test_a_paired_share_difference_keeps_its_interval_inside_the_differences_seen():
    """Three noisy pairs of a share: a t-interval would run past the differences, a bootstrap cannot."""
    table = sweep_table(3)
    table.loc[table["strategy"] == "low-effort", "value"] += [0.30, 0.30, -0.25, -0.25, 0.01, 0.01]
    diffs = analysis.paired(table, "status-quo", by=["provider"])
    row = diffs[diffs["provider"] == "A"].iloc[0]
    assert -0.28 <= row["ci_low"] <= row["diff"] <= row["ci_high"] <= 0.27


@pytest.mark.parametrize("make, message", [
    (lambda p: None, "neither a run folder"),
    (lambda p: pd.DataFrame({"strategy": ["x"], "value": [1.0]}).to_csv(p / "results.csv"), "missing columns"),
])
def test_folders_that_are_not_results_are_input_errors(tmp_path, make, message):
    make(tmp_path)
    result = CliRunner().invoke(cli, ["report", str(tmp_path)])
    assert result.exit_code == 2 and message in result.output
    assert CliRunner().invoke(cli, ["report", str(tmp_path / "nope")]).exit_code == 2


def test_the_ladder_plot_puts_two_providers_a_row_and_its_legend_off_the_data():
    from churnsim.present import plots

    ts = churnsim.run("mobile", customers=400, months=3, engine="vector").timeseries
    fig = plots.stage_shares(ts)
    shown = [ax for ax in fig.axes if ax.get_visible()]
    assert len(shown) == 4 and len({ax.get_position().y0 for ax in shown}) == 2  # 2 x 2
    assert fig.legends and not any(ax.get_legend() for ax in fig.axes)
    lines = plots.profit(ts).axes[0].get_lines()
    assert {line.get_marker() for line in lines} >= {"o", "s"}  # each provider has its own marker
    assert plots.profit(ts).axes[0].get_ylabel() == "cumulative profit (EUR)"  # whole units, as the tables
