"""Checks `churnsim run` makes before it simulates: memory it would need, dated events it would never reach."""

import pytest
from click.testing import CliRunner

from churnsim import engines
from churnsim.cli.main import cli


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args))


def test_a_run_too_large_for_the_memory_stops_before_it_starts_with_the_estimate(tmp_path, monkeypatch):
    monkeypatch.setattr(engines, "available_memory", lambda: 4 * 10**9)
    out = tmp_path / "big"
    result = invoke("run", "--engine", "agents", "--customers", "1000000", "--out", str(out))
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "7.5 GB" in lines[0] and "4.0 GB is available" in lines[0]
    assert "--engine vector" in lines[0] and "Traceback" not in result.output
    assert not out.exists()


def test_the_memory_estimate_follows_the_engine_auto_picks():
    assert engines.available_memory() > 0  # Linux says what is free
    engines.check_memory("auto", 1_000_000)  # the vector engine: about 250 MB
    with pytest.raises(engines.NotEnoughMemoryError, match=r"750\.0 GB"):
        engines.check_memory("agents", 100_000_000)


def test_a_downturn_after_the_last_month_gets_a_warning_from_run(tmp_path):
    result = invoke("run", "classroom", "--months", "3", "--customers", "60", "--set", "economy.enabled=true",
                    "--no-plots", "--out", str(tmp_path / "r"))
    assert result.exit_code == 0, result.output
    assert "warning: the downturn starts in month 12, after the last month simulated (3)" in result.stderr
    quiet = invoke("run", "classroom", "--months", "12", "--customers", "60", "--set", "economy.enabled=true",
                   "--no-plots", "--out", str(tmp_path / "q"))
    assert "warning" not in quiet.stderr


def test_a_price_change_after_the_last_month_gets_a_warning_from_run(tmp_path):
    result = invoke("run", "classroom", "--months", "3", "--customers", "60", "--strategy", "A=price-rise-notice",
                    "--no-plots", "--out", str(tmp_path / "r"))
    assert result.exit_code == 0, result.output
    assert "provider A's price change starts in month 10" in result.stderr  # two months' notice before month 12


def test_a_run_says_how_long_it_should_take_before_it_starts(tmp_path):
    result = invoke("run", "classroom", "--months", "3", "--customers", "60", "--no-plots", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert "classroom: 60 customers, about 0 s" in result.stderr
    hours = engines.estimated_seconds("agents", 1_000_000, 60 + 24) / 3600  # the README's 13 k customer-months/s
    assert engines.duration(hours * 3600) == f"{hours:.1f} h" and 1 < hours < 3
    assert engines.duration(engines.estimated_seconds("auto", 1_000_000, 144)) == "36 s"


def test_a_notice_longer_than_the_months_before_its_change_gets_a_warning_from_run(tmp_path):
    def run(month: int):
        return invoke("run", "classroom", "--months", "4", "--customers", "60", "--no-plots", "--out",
                      str(tmp_path / str(month)), "--set", f"providers.A.levers.price_change.month={month}",
                      "--set", "providers.A.levers.price_change.change=0.1",
                      "--set", "providers.A.levers.price_change.notice_months=2")

    short = run(2)
    assert short.exit_code == 0, short.output
    assert ("warning: provider A's price change lands in month 2, and its notice would start before month 1, the "
            "first month simulated: customers get 1 of the 2 notice months") in short.stderr
    assert "warning" not in run(3).stderr  # months 1 and 2 carry the whole notice
