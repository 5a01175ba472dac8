"""The per-customer event table: its columns, that its rows add up to the monthly table, ``--events``, the README."""

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import churnsim
from churnsim.cli.main import cli
from churnsim.engines import create_model
from churnsim.schema.params import STAGES
from churnsim.schema.scenario import load
from churnsim.world import events

README = Path(__file__).resolve().parents[1] / "README.md"
MONTHS = 12
# exits, sign-ups and retention efforts on, so that every kind of row occurs in a small run
SETS = ["market.exit_rate=0.01", "market.entry_rate=0.05", "providers.A.levers.retention_offers=0.5"]


def spec(months: int = MONTHS, customers: int = 300):
    return load("classroom", months=months, customers=customers, sets=SETS).scenario


def simulate(engine: str, seed: int = 5, months: int = MONTHS, customers: int = 300):
    model = create_model(spec(months, customers), rng=seed, engine=engine, record_events=True)
    for _ in range(months):
        model.step()
    return model


@pytest.fixture(scope="module", params=["agents", "vector"])
def model(request):
    return simulate(request.param)


def test_columns_and_dtypes_are_those_declared(model):
    table = model.events
    assert list(table.columns) == list(events.COLUMNS)
    assert {name: str(dtype) for name, dtype in table.dtypes.items()} == {
        name: dtype for name, (dtype, _) in events.COLUMNS.items()}
    names = list(model.table.names)
    assert list(table["provider"].cat.categories) == names
    assert list(table["moved_to"].cat.categories) == names
    assert list(table["stage"].cat.categories) == list(STAGES)
    assert list(table["left"].cat.categories) == list(events.LEFT)
    assert sorted(set(table["month"])) == list(range(1, MONTHS + 1))
    assert not table.duplicated(["month", "customer"]).any()


def test_rows_are_the_customers_with_a_provider_at_the_start_of_each_month(model):
    table, monthly = model.events, model.timeseries
    left = table["left"].astype(str)
    assert {"switched", "moved", "exited"} <= set(left)  # the scenario makes every kind of leaver
    assert table["retention"].any()
    counted = table.assign(
        rows=1, churned=left != "stayed", switched_out=left.isin(["switched", "moved"]), exited=left == "exited",
    ).groupby(["month", "provider"], observed=False)[["rows", "churned", "switched_out", "exited"]].sum()
    expected = monthly[monthly["month"] > 0].set_index(["month", "provider"])
    expected = expected.loc[counted.index, ["billed", "churned", "switched_out", "exited"]]
    assert (counted["rows"].to_numpy() == expected["billed"].to_numpy()).all()
    for name in ("churned", "switched_out", "exited"):
        assert (counted[name].to_numpy() == expected[name].to_numpy()).all(), name


def test_moved_to_is_set_exactly_for_switchers_and_movers(model):
    table = model.events
    moving = table["left"].isin(["switched", "moved"])
    assert moving.any()
    assert (table["moved_to"].notna() == moving).all()
    assert (table.loc[moving, "moved_to"].astype(str) != table.loc[moving, "provider"].astype(str)).all()
    # next month the mover is at moved_to, newly arrived
    after = table.assign(month=table["month"] - 1).set_index(["month", "customer"])
    movers = table[moving].set_index(["month", "customer"])
    seen = movers.index.intersection(after.index)
    assert len(seen)
    assert (after.loc[seen, "provider"].astype(str) == movers.loc[seen, "moved_to"].astype(str)).all()
    assert (after.loc[seen, "tenure"] == 0).all()


def test_neighbours_left_counts_last_months_leavers_among_acquaintances(model):
    table, csr = model.events, model.csr
    assert csr is not None
    n = model.population_size
    for month in range(2, MONTHS + 1):
        before, now = table[table["month"] == month - 1], table[table["month"] == month]
        provider_now = np.full(n, -1)
        provider_now[now["customer"].to_numpy()] = now["provider"].cat.codes.to_numpy()
        expected = np.zeros(n, np.int64)
        leavers = before[before["left"] != "stayed"]
        for customer, provider in zip(leavers["customer"], leavers["provider"].cat.codes, strict=True):
            friends = csr.indices[csr.indptr[customer]:csr.indptr[customer + 1]]
            np.add.at(expected, friends[provider_now[friends] == provider], 1)
        assert (now["neighbours_left"].to_numpy() == expected[now["customer"].to_numpy()]).all(), month


@pytest.mark.parametrize("engine", ["agents", "vector"])
def test_same_seed_same_table(engine):
    one, two = (simulate(engine, seed=11, months=6, customers=150).events for _ in range(2))
    pd.testing.assert_frame_equal(one, two)
    other = simulate(engine, seed=12, months=6, customers=150).events
    assert not one.equals(other)


def test_run_carries_the_table_and_writes_it_as_parquet(tmp_path):
    plain = churnsim.run("classroom", seed=2, months=4, customers=120)
    assert plain.events is None and "events" not in plain.summary
    assert not any(p.name == "events.parquet" for p in plain.write(tmp_path / "plain", with_plots=False))

    result = churnsim.run("classroom", seed=2, months=4, customers=120, events=True)
    pd.testing.assert_frame_equal(result.timeseries, plain.timeseries)  # recording changes nothing else
    assert result.summary["events"] == {"file": "events.parquet", "rows": len(result.events)}
    result.write(tmp_path / "run", fmt="csv", with_plots=False)
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "run" / "events.parquet"), result.events)
    assert json.loads((tmp_path / "run" / "summary.json").read_text())["events"]["rows"] == len(result.events)


def test_run_over_the_limit_refuses_before_simulating():
    with pytest.raises(ValueError, match="customer-months"):
        churnsim.run("classroom", months=1200, customers=100_000, events=True)


@pytest.mark.parametrize(("engine", "fmt"), [("agents", "csv"), ("vector", "parquet")])
def test_cli_events_writes_events_parquet(tmp_path, engine, fmt):
    out = tmp_path / "run"
    result = CliRunner().invoke(cli, ["run", "classroom", "--months", "4", "--customers", "150", "--engine", engine,
                                      "--format", fmt, "--events", "--no-plots", "--out", str(out)])
    assert result.exit_code == 0, result.output
    table = pd.read_parquet(out / "events.parquet")
    assert list(table.columns) == list(events.COLUMNS)
    assert sorted(set(table["month"])) == [1, 2, 3, 4]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["engine"] == engine and summary["events"]["rows"] == len(table)
    assert (out / f"timeseries.{fmt}").is_file()


def test_cli_events_over_the_limit_is_one_line_exit_2_and_writes_nothing(tmp_path):
    out = tmp_path / "run"
    result = CliRunner().invoke(cli, ["run", "--customers", "1000000", "--months", "60", "--events",
                                      "--out", str(out)])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith("Error: --events: 1,000,000 customers x 60 months")
    assert f"{events.MAX_ROWS:,} customer-months" in lines[0]
    assert "Traceback" not in result.output
    assert not out.exists()


def test_cli_help_names_the_file_and_the_limit():
    result = CliRunner().invoke(cli, ["run", "--help"])
    text = " ".join(result.output.split())
    assert "--events" in text and "events.parquet" in text and f"{events.MAX_ROWS:,}" in text


def readme_section() -> str:
    text = README.read_text()
    start = text.index("### Micro-data for researchers")
    end = text.index("\n#", start + 1)
    return text[start:end]


def test_readme_lists_every_column_with_its_type_and_meaning():
    rows = re.findall(r"^\| `(\w+)` \| (\w+) \| (.+) \|$", readme_section(), flags=re.MULTILINE)
    expected = [(name, dtype, meaning) for name, (dtype, meaning) in events.COLUMNS.items()]
    assert rows == expected, "regenerate the README's table from churnsim.world.events.COLUMNS:\n" + "\n".join(
        f"| `{name}` | {dtype} | {meaning} |" for name, dtype, meaning in expected)


def test_readme_states_the_size_limit():
    assert f"at most {events.MAX_ROWS:,} customer-months" in readme_section()
