"""Scenario files: every built-in validates; every kind of bad input is one clear error."""

import pytest

from churnsim.schema import scenario
from churnsim.schema.scenario import ScenarioError


@pytest.mark.parametrize("name", list(scenario.builtin_scenarios()))
def test_builtin_scenarios_validate_and_declare_a_band(name):
    spec = scenario.load(name).scenario
    cal = spec.meta.calibration
    assert 0 < cal.annual_churn_min < cal.annual_churn_max < 1
    assert spec.meta.description and cal.source


def test_default_scenario_is_found_from_any_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert scenario.load(None).scenario.meta.name == scenario.DEFAULT_SCENARIO


def test_set_overrides_by_dotted_path_and_provider_name():
    spec = scenario.load("electricity", sets=["word_of_mouth.reach_bad=20", "providers.B.levers.price=55",
                                             "ladder.enabled=false"]).scenario
    assert spec.word_of_mouth.reach_bad == 20
    assert spec.providers[1].levers.price == 55
    assert spec.ladder.enabled is False


def test_strategies_combine_and_scale_relative_to_the_provider():
    spec = scenario.load("electricity", strategies=["A=price-cut", "A=low-effort"]).scenario
    a = spec.providers[0]
    assert a.strategies == ("price-cut", "low-effort")
    assert a.levers.price == pytest.approx(62.0 * 0.85)
    assert a.levers.steps_mean == 2.0


def test_explicit_levers_beat_preset_values(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text('[[providers]]\nname="A"\nstrategies=["low-effort"]\n[providers.levers]\nsteps_mean=4.0\n'
                    '[[providers]]\nname="B"\n')
    assert scenario.load(path).scenario.providers[0].levers.steps_mean == 4.0


def test_hash_changes_with_content_only():
    a = scenario.load("mobile")
    assert a.hash == scenario.load("mobile").hash
    assert a.hash != scenario.load("mobile", sets=["market.months=12"]).hash


def test_parameter_listing_covers_every_leaf_with_allowed_values():
    rows = scenario.describe_parameters(scenario.load("mobile").scenario)
    paths = {r["path"] for r in rows}
    assert {"service.disloyal_high_effort", "providers.A.levers.price", "segments.deal seekers.share"} <= paths
    price = next(r for r in rows if r["path"] == "providers.A.levers.price")
    assert price["allowed"] == "number in [0, 1e+06]" and price["meaning"]


BAD = [
    ('[market]\ncustomers = "many"\n', "market.customers = 'many'"),
    ("[market]\ncustomers = 5\n", "market.customers = 5: Input should be greater than or equal to 10"),
    ("[marker]\ncustomers = 50\n", "marker: unknown parameter"),
    ("[service]\nquestion_rate = 1.5\n", "service.question_rate = 1.5"),
    ('[[providers]]\nname = "A"\nstrategies = ["discount"]\n[[providers]]\nname = "B"\n',
     "bad.toml: providers.A.strategies = 'discount': unknown strategy"),
    ('[[providers]]\nname = "A"\nstrategies = [["low-effort"]]\n[[providers]]\nname = "B"\n',
     "bad.toml: providers.A.strategies = [['low-effort']]: must be a list of strategy names; allowed: over-delivery"),
    ("providers = 3\n", "bad.toml: providers = 3: must be a list of provider tables ([[providers]] in a file)"),
    ("providers = [1, 2]\n", "bad.toml: providers.0 = 1: must be a table with name, share, strategies, levers"),
    ("[market]\ncustmers = 50\n", "bad.toml: market.custmers: unknown parameter 'custmers'; allowed here: customers, "
     "months"),
    ("[market]\ncustmers = 50\n", "did you mean 'customers'?"),
    ('[[providers]]\nname = "A"\n', "between 2 and 12 providers"),
    ("[market\n", "not valid TOML"),
]


@pytest.mark.parametrize(("text", "message"), BAD)
def test_bad_files_give_one_clear_message(tmp_path, text, message):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(ScenarioError) as err:
        scenario.load(path)
    assert message in str(err.value)


@pytest.mark.parametrize(("assignment", "message"), [
    ("market.custmers=5", "unknown parameter 'custmers'; allowed here: customers"),
    ("market.custmers=5", "; did you mean 'customers'?"),
    ("providers=3", "electricity: providers = 3: must be a list of provider tables"),
    ("market=3", "electricity: market = 3: must be a table of market settings"),
    ("providers=[1, 2]", "electricity: providers.0 = 1: must be a table"),
    ("providers.Z.levers.price=5", "no item 'Z'; allowed: A, B, C, D"),
    ("market.customers", "expected dotted.path=value"),
    ("network.kind=torus", "network.kind = 'torus'"),
])
def test_bad_overrides_name_the_path(assignment, message):
    with pytest.raises(ScenarioError) as err:
        scenario.load("electricity", sets=[assignment])
    assert message in str(err.value)


def test_missing_file_is_a_clear_error():
    with pytest.raises(ScenarioError, match=r"no such file or built-in scenario; built-ins: .*mobile"):
        scenario.load("does/not/exist.toml")
