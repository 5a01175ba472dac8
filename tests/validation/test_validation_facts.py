"""Stylized facts of the default behaviour, and `churnsim check-model` that reports them.

The facts run on the fastest available engine with the targets of the definitions shipped in
the package (churnsim/validation/outcomes.toml); confidence intervals are over independent runs. The
sector bands are covered by tests/test_calibration.py and are only smoke-tested here.
"""

from __future__ import annotations

import importlib.resources
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from churnsim import validation as v
from churnsim.cli import cli

REPO = Path(__file__).resolve().parents[2]
FACTS = importlib.resources.files("churnsim.validation").joinpath("outcomes.toml")
ENGINE = v.available_engines()[-1]
RUNS, CUSTOMERS = (6, 3000) if ENGINE == "vector" else (3, 800)


@pytest.fixture(scope="module")
def spec() -> dict:
    return v.load_facts(FACTS)


@pytest.fixture(scope="module")
def settings(spec: dict) -> dict:
    return {**spec["settings"], "customers": CUSTOMERS}


@pytest.fixture(scope="module")
def seeds() -> list[int]:
    return v.run_seeds(2024, RUNS)


def _by_name(checks: list[v.Check], fragment: str) -> v.Check:
    (match,) = [c for c in checks if fragment in c.name]
    return match


def test_effort_asymmetry_and_word_of_mouth_reach_are_echoes(spec: dict, settings: dict, seeds: list[int]) -> None:
    """Inputs measured back: no verdict in the table, but the plumbing from parameter to output is tested here."""
    checks = v.fact_effort_and_reach(spec, settings, ENGINE, seeds)
    assert {c.group for c in checks} == {"echo"} and all(c.passed is None for c in checks)
    high, low = _by_name(checks, "high-effort"), _by_name(checks, "low-effort")
    for row in (high, low):
        lo, hi = row.detail["ci"]
        assert lo - 0.02 <= row.detail["target"] <= hi + 0.02, row.measured
    assert high.detail["measured"] > 5 * low.detail["measured"]  # "far more": 96 % vs 9 %
    reach = _by_name(checks, "reach")
    assert reach.detail["measured"] == pytest.approx(reach.detail["target"], rel=0.1), reach.measured
    assert reach.detail["bad"] > reach.detail["good"]


def test_echo_rows_never_carry_a_verdict() -> None:
    """An echo re-measures an input: a verdict is refused, and the summary counts pass/fail groups only."""
    with pytest.raises(ValueError, match="cannot carry a verdict"):
        v.Check("echo", "reach", "vector", "3.33x", "3.33x", "-", passed=True)
    with pytest.raises(ValueError, match="must be one of"):
        v.Check("stylized fact", "x", "vector", "t", "m", "a", passed=True)
    rows = [v.Check("docking", "d", "vector", "t", "m", "a", passed=True),
            v.Check("calibration", "c", "vector", "t", "m", "a", passed=False),
            v.Check("echo", "e", "vector", "t", "m", "a", passed=None)]
    assert rows[2].verdict == "info"
    assert v.summary_line(rows) == ("1 of 2 pass/fail checks pass (docking, outcome, calibration); "
                                    "1 rows are information only")
    tables = v.render_groups(rows)
    assert tables.index("## Docking") < tables.index("## Calibration") < tables.index("## Echo")


def test_delight_plateau(spec: dict, settings: dict, seeds: list[int]) -> None:
    (check,) = v.fact_delight_plateau(spec, settings, ENGINE, seeds)
    assert check.passed, check.measured
    loyal = check.detail["loyal"]
    assert loyal["short"] < loyal["meet"] <= loyal["exceed"] + 0.02


def test_downturn_raises_the_share_considering_a_switch(spec: dict, settings: dict, seeds: list[int]) -> None:
    checks = v.fact_downturn(spec, settings, ENGINE, seeds)
    rise = _by_name(checks, "raises")
    assert rise.passed, rise.measured
    considered = _by_name(checks, "considering a switch in a year").detail["measured"]
    switched = _by_name(checks, "switching (while").detail["measured"]
    assert 0 < switched < considered < 1


def test_downturn_considering_is_well_above_switching(spec: dict, settings: dict, seeds: list[int]) -> None:
    ratio = _by_name(v.fact_downturn(spec, settings, ENGINE, seeds), "/ share switching")
    assert ratio.passed, ratio.measured


def test_facts_file_is_checked(tmp_path: Path) -> None:
    raw = FACTS.read_text()
    bad = tmp_path / "facts.toml"
    bad.write_text(raw.replace("\nmax_ratio = 0.25\n", "\nmax_ratio = 0.25\nmax_ratoi = 1\n"))
    with pytest.raises(v.ValidationInputError, match=r"\[delight_plateau\] unknown key"):
        v.load_facts(bad)
    bad.write_text(raw.replace("[wom_reach]", "[wom_reech]"))
    with pytest.raises(v.ValidationInputError, match=r"missing section \[wom_reach\]"):
        v.load_facts(bad)
    bad.write_text("not = [toml")
    with pytest.raises(v.ValidationInputError, match="not valid TOML"):
        v.load_facts(bad)
    assert tomllib.loads(raw)["effort_asymmetry"]["high_effort"] == 0.96


def test_definitions_load_from_the_package_in_any_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No source checkout needed: the definitions are package data, found through importlib.resources."""
    monkeypatch.chdir(tmp_path)
    assert not list(tmp_path.iterdir())
    assert v.definitions().is_file()
    assert Path(str(v.definitions())).parent == Path(v.__file__).parent
    assert v.load_facts() == tomllib.loads(FACTS.read_text())


@pytest.mark.parametrize(("args", "message"), [
    (["--runs", "1"], "--runs 1: must be at least 2"),
    (["--customers", "5"], "--customers 5: must be at least 100"),
    (["--facts", "no/such.toml"], "--facts no/such.toml: no such file"),
])
def test_check_model_rejects_bad_input_with_one_line_and_exit_2(args: list[str], message: str) -> None:
    result = CliRunner().invoke(cli, ["check-model", *args])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [f"Error: {message}"]


def test_check_model_quick_runs_from_an_empty_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The CI-sized mode end to end on the cheapest engine: sizes from [quick], mode named in the report."""
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["check-model", "--quick", "--only", "docking", "--engine", ENGINE,
                                      "--write", "VALIDATION.md"])
    assert result.exit_code == 0, result.output
    assert "## Docking" in result.output and "| check | engine | target | measured | accepted if | result |" in \
        result.output
    assert "sBG retention" in result.output and "**FAIL**" not in result.output
    assert "pass/fail checks pass" in result.output and "quick mode" in result.output
    text = (tmp_path / "VALIDATION.md").read_text()
    quick = v.load_facts()["quick"]
    assert f"Reproduce with `churnsim check-model --quick --engine {ENGINE} --only docking --write VALIDATION.md`" \
        in text
    assert f"Docking: {quick['runs']} runs per case of {quick['customers']:,} customers" in text
    assert "Quick mode (`--quick`, CI-sized)" in text


def test_quick_sizes_are_checked(tmp_path: Path) -> None:
    """A bad [quick] section is one line and exit 2, like every other bad input."""
    bad = tmp_path / "facts.toml"
    bad.write_text(FACTS.read_text().replace("agent_customers = 500 ", "agent_customers = 5 "))
    result = CliRunner().invoke(cli, ["check-model", "--quick", "--only", "docking", "--facts", str(bad)])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        f"Error: {bad}: [quick] agent_customers = 5: must be an integer of at least 100"]
    bad.write_text(FACTS.read_text().replace("[quick]", "[quik]"))
    with pytest.raises(v.ValidationInputError, match=r"missing section \[quick\]"):
        v.load_facts(bad)


def test_check_model_writes_the_generated_report(tmp_path: Path) -> None:
    """A small run end to end: table on stdout, report written atomically, verdicts consistent."""
    out = tmp_path / "VALIDATION.md"
    facts = tmp_path / "facts.toml"
    facts.write_text(FACTS.read_text().replace('months = 36 ', 'months = 14 '))
    args = ["check-model", "--engine", ENGINE, "--runs", "2", "--customers", "300", "--agent-customers", "300",
            "--facts-runs", "2", "--facts-customers", "300", "--facts", str(facts), "--write", str(out)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code in (0, 1), result.output
    text = out.read_text()
    assert text.startswith("# Validation") and "Generated by `churnsim check-model`" in text
    assert "--runs 2 --customers 300 --agent-customers 300" in text
    for name in ("Bass F(t), monthly analogue", "Bass with churn", "ladder occupancy: embedded",
                 "ladder expected lifetime", "sBG retention", "effort asymmetry", "delight plateau",
                 "word-of-mouth reach", "annual churn of built-in scenario 'electricity'", "downturn"):
        assert name in text and name in result.output, name
    failed = "**FAIL**" in text
    assert (result.exit_code == 1) == failed
    for group in ("## Docking", "## Outcomes", "## Calibration", "## Echo"):
        assert group in text and group in result.output, group
    assert "nothing beyond the plumbing" in text
    assert not list(tmp_path.glob(".*.tmp"))  # no temporary file left behind


def test_committed_validation_report_is_generated_and_complete() -> None:
    """docs/VALIDATION.md is the output of check-model (not hand-written) and covers every check."""
    text = (REPO / "docs" / "VALIDATION.md").read_text()
    assert "<!-- Generated by `churnsim check-model`; do not edit by hand. -->" in text
    assert "Reproduce with `churnsim check-model" in text
    for engine in v.available_engines():
        assert f"| {engine} |" in text, f"docking on the {engine} engine missing from docs/VALIDATION.md"
    for case in ("Bass F(t), closed form", "Bass with churn, stationary share, closed form", "ladder occupancy",
                 "ladder expected lifetime", "sBG retention", "effort asymmetry", "delight plateau",
                 "word-of-mouth reach", "annual churn of built-in scenario", "downturn raises"):
        assert case in text, case
