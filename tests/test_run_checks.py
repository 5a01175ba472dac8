"""Checks `churnsim run` makes before it simulates: memory it would need, dated events it would never reach."""

import pytest
from click.testing import CliRunner

from churnsim import engines
from churnsim.cli import cli


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
