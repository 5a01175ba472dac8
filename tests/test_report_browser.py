"""The report pages on a phone: at 390 px wide nothing makes the page scroll sideways."""

from __future__ import annotations

import json

from click.testing import CliRunner
from test_report import sweep_table

from churnsim.cli.main import cli
from churnsim.outputs import file_digest

PHONE = {"width": 390, "height": 844}


def test_run_and_sweep_reports_fit_a_390_px_screen(browser, tmp_path):
    run = tmp_path / "run"
    assert CliRunner().invoke(cli, ["run", "mobile", "--months", "4", "--customers", "300", "--seed", "2",
                                    "--strategy", "B=low-effort", "--out", str(run)]).exit_code == 0
    sweep = tmp_path / "sweep"
    sweep.mkdir()
    sweep_table(3).to_parquet(sweep / "results.parquet")
    (sweep / "manifest.json").write_text(json.dumps({
        "experiment": {"name": "effort", "scenario": "classroom", "baseline": "status-quo", "replications": 3},
        "files": {"results.parquet": file_digest(sweep / "results.parquet")}}))
    page = browser.new_page(viewport=PHONE)
    for folder in (run, sweep):
        assert CliRunner().invoke(cli, ["report", str(folder)]).exit_code == 0
        page.goto((folder / "report.html").as_uri())
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{folder.name} report is {width} px wide on a 390 px screen"
        assert page.locator("h1").count() == 1
