"""The outcome definitions, their sizes and `churnsim check-model` on the command line.

The definitions ship as package data (churnsim/validation/outcomes.toml) and are checked on load;
a bad file is one line on stderr and exit code 2. The outcome families themselves run the model,
so they are exercised once, end to end, by the slow test at the bottom: `check-model --quick`
from an empty folder, which is the CI's check that the quick mode runs and passes.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from churnsim import rules
from churnsim import validation as v
from churnsim.cli.main import cli
from churnsim.schema.params import Scenario
from churnsim.schema.scenario import builtin_scenarios, load

REPO = Path(__file__).resolve().parents[2]
SHIPPED = v.definitions().read_text(encoding="utf-8")

# (edit of the shipped text, the message that names what is wrong)
BAD_DEFINITIONS = {
    "unknown key": (("max_slope_ratio = 0.25\n", "max_slope_ratio = 0.25\nmax_slope_ratoi = 1\n"),
                    r"\[response_curve\] unknown key\(s\) \['max_slope_ratoi'\]; allowed: "),
    "unknown section": (("[poking]", "[pokeing]"), r"unknown section\(s\) \['pokeing'\]; allowed: z, "),
    "missing section": ((re.compile(r"\n\[echo\]\n.*?\n(?=\[)", re.S), "\n"), r"missing section \[echo\]$"),
    "missing key": ((re.compile(r"\nmin_share_before = [^\n]*"), ""),
                    r"\[poking\] missing key\(s\) \['min_share_before'\]$"),
    "bad TOML": (("\nz = 3.0\n", "\nz = [3.0\n"), "not valid TOML"),
    "runs below 2": (("\nruns = 4\n", "\nruns = 1\n"), r"\[contagion\] runs = 1: must be an integer of at least 2$"),
    "customers below 100": (("quick_agent_customers = 500", "quick_agent_customers = 5"),
                            r"\[docking\] quick_agent_customers = 5: must be an integer of at least 100$"),
    "size not an integer": (("\ncustomers = 25000\n", "\ncustomers = 2.5e4\n"),
                            r"\[contagion\] customers = 25000.0: must be an integer of at least 100$"),
    "z of 0": (("\nz = 3.0\n", "\nz = 0\n"), r"z = 0: must be a number above 0"),
    "negative z": (("\nz = 3.0\n", "\nz = -1.5\n"), r"z = -1.5: must be a number above 0"),
    "z a string": (("\nz = 3.0\n", '\nz = "3"\n'), r"z = '3': must be a number above 0"),
    "z a boolean": (("\nz = 3.0\n", "\nz = true\n"), r"z = True: must be a number above 0"),
    "no z": (("\nz = 3.0\n", "\n"), r"z = None: must be a number above 0"),
}


def _bad_definitions(case: str) -> tuple[str, str]:
    (old, new), message = BAD_DEFINITIONS[case]
    text = old.sub(new, SHIPPED, count=1) if isinstance(old, re.Pattern) else SHIPPED.replace(old, new, 1)
    assert text != SHIPPED, f"{case}: the edit no longer applies to the shipped definitions"
    return text, message


# ---------------------------------------------------------------------------------------------
# The definitions
# ---------------------------------------------------------------------------------------------


def test_definitions_load_from_the_package_in_any_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No source checkout needed: the definitions are package data, found through importlib.resources."""
    monkeypatch.chdir(tmp_path)
    assert not list(tmp_path.iterdir())
    assert v.definitions().is_file()
    packaged = Path(v.__file__).parent / "outcomes.toml"
    assert Path(str(v.definitions())) == packaged
    with packaged.open("rb") as fh:
        expected = tomllib.load(fh)
    assert v.load_facts() == expected
    assert v.load_facts(packaged) == expected  # an explicit path reads the same
    assert set(expected) == {"z", *v.KEYS}
    assert set(v.OUTCOMES) <= set(v.KEYS)  # every family has its section


@pytest.mark.parametrize("case", list(BAD_DEFINITIONS))
def test_bad_definitions_are_refused_with_a_clear_message(case: str, tmp_path: Path) -> None:
    text, message = _bad_definitions(case)
    bad = tmp_path / "bad.toml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(v.ValidationInputError) as raised:
        v.load_facts(bad)
    assert raised.value.exit_code == 2
    assert raised.value.message.startswith(f"{bad}: ")  # names the file
    assert "\n" not in raised.value.message
    assert re.search(message, raised.value.message), raised.value.message


@pytest.mark.parametrize("case", ["unknown key", "missing section", "bad TOML", "customers below 100", "z of 0"])
def test_check_model_refuses_bad_definitions_with_one_line_and_exit_2(case: str, tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Checked before anything runs: one line on stderr, nothing on stdout."""
    text, message = _bad_definitions(case)
    monkeypatch.chdir(tmp_path)
    Path("bad.toml").write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["check-model", "--quick", "--facts", "bad.toml"])
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("Error: bad.toml: ") and re.search(message, line), line


# ---------------------------------------------------------------------------------------------
# Sizes, seeds and the delight level
# ---------------------------------------------------------------------------------------------

SECTION = {"runs": 5, "customers": 3000, "agent_customers": 700, "quick_runs": 2, "quick_customers": 400}


def test_plan_picks_the_sizes_for_the_engine_and_the_mode() -> None:
    assert v.plan(SECTION, "vector", False, 7) == v.Plan("vector", 5, 3000, tuple(v.run_seeds(7, 5)))
    assert v.plan(SECTION, "agents", False, 7) == v.Plan("agents", 5, 700, tuple(v.run_seeds(7, 5)))
    for engine in ("vector", "agents"):
        assert v.plan(SECTION, engine, True, 7) == v.Plan(engine, 2, 400, tuple(v.run_seeds(7, 2)))
    spec = v.load_facts()
    for family in v.OUTCOMES:
        quick = v.plan(spec[family], "vector", True, 0)
        assert (quick.runs, quick.customers) == (spec[family]["quick_runs"], spec[family]["quick_customers"])


def test_plan_seeds_follow_the_master_seed() -> None:
    first, again, other = (v.plan(SECTION, "vector", False, s).seeds for s in (3, 3, 4))
    assert first == again
    assert len(set(first)) == len(first) == SECTION["runs"]
    assert not set(first) & set(other)
    assert v.plan(SECTION, "agents", False, 3).seeds == first  # the engines share seeds


def _mean_expectation(scenario: Scenario) -> float:
    share = np.array([s.share for s in scenario.segments])
    return float(share @ np.array([s.expectation.mean for s in scenario.segments]) / share.sum())


def _after_failure(scenario: Scenario, delight: np.ndarray, dtype: type = np.float64) -> np.ndarray:
    """Experience gap per provider after a failure resolved with low effort, at the mean expectation."""
    svc, off = scenario.service, scenario.offers
    levers = [p.levers for p in scenario.providers]
    closure = rules.delight_closure(np.asarray(delight, dtype), svc)
    month = rules.Experience(failure=True, resolved=True, low_effort=True, closure=closure,
                             proactive=np.array([lv.proactive for lv in levers], dtype) * off.enabled)
    return rules.experience_gap(np.array([lv.quality for lv in levers], dtype), dtype(_mean_expectation(scenario)),
                                month, svc, off)


def test_delight_to_meet_brings_a_failed_contact_back_to_meeting_expectations() -> None:
    scenario = load("electricity").scenario
    level = v.delight_to_meet(scenario)
    assert level.shape == (len(scenario.providers),)
    assert np.isfinite(level).all() and (level >= 0).all()
    assert (_after_failure(scenario, level) >= 0).all()
    assert (_after_failure(scenario, level, np.float32) >= 0).all()  # as the vector engine computes it
    short = _after_failure(scenario, np.zeros(len(level))) < 0
    assert short.any() and (level[~short] == 0).all()  # a provider already meeting needs no delight
    assert (_after_failure(scenario, 0.98 * level)[short] < 0).all()  # the least level that meets, plus 1 %


def test_delight_to_meet_is_infinite_where_the_cap_cannot_close_the_gap() -> None:
    scenario = load("electricity", sets=["service.delight_cap=0.1"]).scenario
    level = v.delight_to_meet(scenario)
    cannot = -_after_failure(scenario, np.zeros(len(level))) >= scenario.service.delight_cap
    assert cannot.any() and not cannot.all()
    assert (np.isinf(level) == cannot).all()
    assert (_after_failure(scenario, np.where(cannot, 0.0, level))[~cannot] >= 0).all()


# ---------------------------------------------------------------------------------------------
# Rows, the summary and the command line
# ---------------------------------------------------------------------------------------------


def test_echo_rows_never_carry_a_verdict() -> None:
    """An echo re-measures an input: a verdict is refused, and the summary counts pass/fail groups only."""
    with pytest.raises(ValueError, match="cannot carry a verdict"):
        v.Check("echo", "reach", "vector", "3.33x", "3.33x", "-", passed=True)
    with pytest.raises(ValueError, match="cannot carry a verdict"):
        v.Check("echo", "reach", "vector", "3.33x", "3.33x", "-", passed=False)
    with pytest.raises(ValueError, match="must be one of"):
        v.Check("stylized fact", "x", "vector", "t", "m", "a", passed=True)
    rows = [v.Check("docking", "d", "vector", "t", "m", "a", passed=True),
            v.Check("calibration", "c", "vector", "t", "m", "a", passed=False),
            v.Check("outcome", "o", "vector", "t", "m", "reported beside the survey, no verdict", passed=None),
            v.Check("echo", "e", "vector", "t", "m", "a", passed=None)]
    assert [r.verdict for r in rows] == ["pass", "FAIL", "info", "info"]
    assert v.summary_line(rows) == ("1 of 2 pass/fail checks pass (docking, outcome, calibration); "
                                    "2 rows are information only")
    tables = v.render_groups(rows)
    assert tables.index("## Docking") < tables.index("## Outcomes") < tables.index("## Calibration") \
        < tables.index("## Echo")


@pytest.mark.parametrize(("args", "message"), [
    (["--runs", "1"], "--runs 1: must be at least 2"),
    (["--customers", "5"], "--customers 5: must be at least 100"),
    (["--facts", "no/such.toml"], "--facts no/such.toml: no such file"),
])
def test_check_model_rejects_bad_input_with_one_line_and_exit_2(args: list[str], message: str) -> None:
    result = CliRunner().invoke(cli, ["check-model", *args])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.strip().splitlines() == [f"Error: {message}"]


def _suite_returning(checks: list[v.Check], monkeypatch: pytest.MonkeyPatch) -> list[v.SuiteSettings]:
    """check-model with the suite replaced by a fixed table: the settings it was asked to run are recorded."""
    from churnsim.cli import check_model as check_cli

    asked: list[v.SuiteSettings] = []

    def run_suite(settings: v.SuiteSettings, only: str, progress: object = None) -> list[v.Check]:
        asked.append(settings)
        return checks

    monkeypatch.setattr(check_cli, "run_suite", run_suite)
    return asked


def test_check_model_exits_0_when_every_pass_fail_check_passes(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Rows without a verdict (echo, information-only outcomes) neither pass nor fail the run."""
    _suite_returning([v.Check("docking", "d", "vector", "t", "m", "a", passed=True),
                      v.Check("outcome", "o", "vector", "t", "m", "a", passed=True),
                      v.Check("outcome", "survey", "vector", "t", "m", "no verdict", passed=None),
                      v.Check("echo", "e", "vector", "t", "m", "a", passed=None)], monkeypatch)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["check-model", "--quick", "--write", "VALIDATION.md"])
    assert result.exit_code == 0, result.output
    assert "**FAIL**" not in result.stdout and result.stdout.count("**pass**") == 2
    assert "2 of 2 pass/fail checks pass" in result.stderr
    assert (tmp_path / "VALIDATION.md").is_file()


def test_check_model_exits_1_when_one_check_fails_and_still_writes_the_report(tmp_path: Path,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    _suite_returning([v.Check("docking", "d", "vector", "t", "m", "a", passed=True),
                      v.Check("calibration", "band", "vector", "t", "m", "a", passed=False),
                      v.Check("echo", "e", "vector", "t", "m", "a", passed=None)], monkeypatch)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["check-model", "--quick", "--write", "VALIDATION.md"])
    assert result.exit_code == 1, result.output
    assert result.stdout.count("**FAIL**") == 1
    assert "1 of 2 pass/fail checks pass" in result.stderr
    assert "**FAIL**" in (tmp_path / "VALIDATION.md").read_text(encoding="utf-8")


def test_check_model_exits_1_on_a_real_failing_check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No stand-in: a delight cap too small to close a failed contact's gap fails the delight family at once."""
    monkeypatch.chdir(tmp_path)
    Path("small_cap.toml").write_text("[service]\ndelight_cap = 0.01\n", encoding="utf-8")
    Path("facts.toml").write_text(SHIPPED.replace('scenario = "electricity"\nmonths = 36',
                                                  'scenario = "small_cap.toml"\nmonths = 36', 1), encoding="utf-8")
    assert "small_cap.toml" in Path("facts.toml").read_text(encoding="utf-8")
    result = CliRunner().invoke(cli, ["check-model", "--only", "delight", "--engine", "vector", "--facts",
                                      "facts.toml"])
    assert result.exit_code == 1, result.output
    (row,) = [line for line in result.stdout.splitlines() if line.startswith("| delight closes gaps")]
    assert "delight cannot close" in row and row.endswith("| **FAIL** |")


@pytest.mark.parametrize(("engine", "engines", "outcome_engines"), [
    ("all", ("agents", "vector"), ("vector",)),
    ("auto", ("vector",), ("vector",)),
    ("agents", ("agents",), ("agents",)),
    ("vector", ("vector",), ("vector",)),
])
def test_check_model_runs_the_engines_asked_for(engine: str, engines: tuple[str, ...],
                                                outcome_engines: tuple[str, ...],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """Docking on each engine named (both for "all", the vector engine for "auto"); quick outcomes on the last."""
    asked = _suite_returning([v.Check("docking", "d", "vector", "t", "m", "a", passed=True)], monkeypatch)
    result = CliRunner().invoke(cli, ["check-model", "--quick", "--engine", engine])
    assert result.exit_code == 0, result.output
    (settings,) = asked
    assert settings.engines == engines
    assert settings.outcome_engines == outcome_engines


# ---------------------------------------------------------------------------------------------
# End to end
# ---------------------------------------------------------------------------------------------

# A fragment of every family's rows, as the table names them
ROWS = (
    "contagious churn: hazard ratio per acquaintance who left the provider last month",
    "contagion decays: lag 1 above lag 3",
    "contagion is weaker for embedded customers",
    "contagion is stronger for customers with more acquaintances",
    "a notice pokes: share of a 10 % rise's extra switching",
    "a notice pokes: share of a 10 % cut's extra switching",
    "an unannounced rise hits in the month it lands",
    "intention-behaviour gap, normal times",
    "intention-behaviour gap, downturn times",
    "a downturn raises considering far more than switching",
    "response curve: churn falls steeply up to meeting expectations",
    "delight closes gaps",
    "delight has diminishing returns",
    "delight's cost is not repaid in profit",
    *(f"sorting: '{name}' month-0 cohort" for name in builtin_scenarios()),
    *(f"a stationary start: '{name}'" for name in builtin_scenarios()),
    *(f"annual churn of built-in scenario '{name}'" for name in builtin_scenarios()),
    "disloyal after a high-effort contact",
    "disloyal after a low-effort contact",
    "people told per bad story / per good story",
)
DOCKING_ROWS = ("Bass F(t), monthly analogue", "Bass with churn, stationary share", "ladder occupancy",
                "ladder expected lifetime", "sBG retention")
SECTIONS = ("## Docking", "## Outcomes", "## Calibration", "## Echo")


@pytest.mark.slow
def test_check_model_quick_runs_and_passes_from_an_empty_folder(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """The CI's check: `churnsim check-model --quick` (docking on every engine, the outcomes on the fastest)."""
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["check-model", "--quick", "--write", "VALIDATION.md"])
    assert result.exit_code == 0, result.output
    table, text = result.stdout, (tmp_path / "VALIDATION.md").read_text(encoding="utf-8")
    assert "**FAIL**" not in table and "**FAIL**" not in text
    for fragment in ROWS:
        assert fragment in table and fragment in text, fragment
    lines = table.splitlines()
    for engine in ("agents", "vector"):
        for fragment in DOCKING_ROWS:
            assert any(line.startswith(f"| {fragment}") and f"| {engine} |" in line for line in lines), \
                f"{fragment} on {engine}"
    echo = [line for line in lines if "disloyal after a" in line or "per bad story" in line]
    assert echo and all(line.endswith("| **info** |") for line in echo)
    for section in SECTIONS:
        assert section in table and section in text, section
    assert "pass/fail checks pass" in result.stderr and "quick mode" in result.stderr
    steps = re.findall(r"^\.\.\. \[(\d+)/(\d+)\] ", result.stderr, re.M)
    total = int(steps[0][1])
    assert [int(k) for k, _ in steps] == list(range(1, total + 1))  # every step counted, none skipped
    assert "left at the pace so far" in result.stderr.splitlines()[1]  # an estimate from the second step on
    assert "Reproduce with `churnsim check-model --quick --write VALIDATION.md`" in text
    assert "Quick mode (`--quick`, CI-sized)" in text
    assert "<!-- Generated by `churnsim check-model`; do not edit by hand. -->" in text
    assert sorted(p.name for p in tmp_path.iterdir()) == ["VALIDATION.md"]  # no temporary file left behind


def test_committed_validation_report_is_generated_and_complete() -> None:
    """docs/VALIDATION.md is the output of check-model (not hand-written) and has every family's rows."""
    text = (REPO / "docs" / "VALIDATION.md").read_text(encoding="utf-8")
    assert "<!-- Generated by `churnsim check-model`; do not edit by hand. -->" in text
    assert "Reproduce with `churnsim check-model" in text
    for engine in ("agents", "vector"):
        assert f"| {engine} |" in text, f"docking on the {engine} engine missing from docs/VALIDATION.md"
    for fragment in (*DOCKING_ROWS, "contagious churn", "a notice pokes", "intention-behaviour gap",
                     "response curve", "delight closes gaps", "sorting:", "a stationary start",
                     "annual churn of built-in scenario", "disloyal after a high-effort contact",
                     "people told per bad story"):
        assert fragment in text, f"{fragment!r} missing from docs/VALIDATION.md: regenerate it with check-model"
