"""A sweep folder holds one experiment: --resume refuses other settings, readers check the hashes."""

from __future__ import annotations

import json
import re
import shlex
import shutil

from click.testing import CliRunner
from sweep_helpers import TINY, write

from churnsim.cli.main import cli

QUICK = ("--replications", "2", "--customers", "60", "--workers", "1")


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args))


def test_resume_with_other_settings_is_refused_naming_what_differs(tmp_path):
    path = write(tmp_path, TINY)
    out = tmp_path / "out"
    assert invoke("sweep", str(path), *QUICK, "--out", str(out)).exit_code == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    result = invoke("sweep", str(path), "--replications", "3", "--customers", "60", "--out", str(out), "--resume")
    assert result.exit_code == 2 and result.output.count("\n") == 1
    assert "holds a sweep made with other settings (replications 2 -> 3)" in result.output
    write(tmp_path, TINY.replace('"word_of_mouth.reach_bad" = [3, 10]', '"word_of_mouth.reach_bad" = [3, 12]'))
    result = invoke("sweep", str(path), *QUICK, "--out", str(out), "--resume")
    assert result.exit_code == 2 and "(parameters differ)" in result.output
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    write(tmp_path, TINY)
    assert invoke("sweep", str(path), *QUICK, "--out", str(out), "--resume").exit_code == 0


def test_a_non_empty_folder_that_is_not_a_sweep_is_refused(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    result = invoke("sweep", str(write(tmp_path, TINY)), *QUICK, "--out", str(out))
    assert result.exit_code == 2 and result.output.count("\n") == 1
    assert "not empty and not a churnsim sweep" in result.output
    assert [p.name for p in out.iterdir()] == ["notes.txt"]


def test_analyze_and_report_refuse_a_results_table_of_another_sweep(tmp_path):
    path = write(tmp_path, TINY)
    one, two = tmp_path / "one", tmp_path / "two"
    assert invoke("sweep", str(path), *QUICK, "--out", str(one)).exit_code == 0
    assert invoke("sweep", str(path), "--replications", "1", "--customers", "60", "--out", str(two)).exit_code == 0
    assert invoke("analyze", str(one), "--no-plots").exit_code == 0
    shutil.copy(two / "results.parquet", one / "results.parquet")
    for command in ("analyze", "report"):
        result = invoke(command, str(one))
        assert result.exit_code == 2, command
        assert "results.parquet: not the file the run" in result.output and result.output.count("\n") == 1


def test_the_sweep_reports_reproduce_line_keeps_the_overrides_and_the_folder(tmp_path):
    path = write(tmp_path, TINY)
    out = tmp_path / "sweeps" / "tiny"
    assert invoke("sweep", str(path), *QUICK, "--months", "3", "--out", str(out)).exit_code == 0
    assert invoke("report", str(out)).exit_code == 0
    command = re.search(r"<pre>(churnsim sweep [^<]*)</pre>", (out / "report.html").read_text()).group(1)
    assert shlex.split(command) == ["churnsim", "sweep", str(path), "--replications", "2", "--customers", "60",
                                    "--months", "3", "--out", str(out)]
    page = (out / "report.html").read_text()
    assert "What the figures mean" in page and "EUR over the 3 simulated months" in page


def test_the_manifest_records_the_currency_and_what_money_means(tmp_path):
    out = tmp_path / "out"
    assert invoke("sweep", str(write(tmp_path, TINY)), *QUICK, "--months", "3", "--out", str(out)).exit_code == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["currency"] == "EUR"
    assert manifest["definitions"]["profit"].startswith("EUR over the 3 simulated months")


def test_a_damaged_manifest_is_named_in_one_line_by_every_reader(tmp_path):
    out = tmp_path / "out"
    path = write(tmp_path, TINY)
    assert invoke("sweep", str(path), *QUICK, "--out", str(out)).exit_code == 0
    (out / "manifest.json").write_text("{bad")
    for args in (("analyze", str(out)), ("report", str(out)), ("sweep", str(path), *QUICK, "--out", str(out),
                                                                  "--resume")):
        result = invoke(*args)
        assert result.exit_code == 2, args
        assert "manifest.json: not readable JSON" in result.output and result.output.count("\n") == 1, args
