"""The same table whatever the worker count or backend: seeds come from the run, not the worker."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from sweep_helpers import TINY, results, run_sweep, write

from churnsim.experiment import spec
from churnsim.experiment.sweep import sweep


def test_table_is_tidy_with_seed_and_parameters_beside_every_row(reference):
    assert list(reference.columns) == ["run", "point", "strategy", "replicate", "seed", "word_of_mouth.reach_bad",
                                       "provider", "kpi", "value"]
    assert len(reference) == 12 * 5 * 2  # runs x (4 providers + market) x KPIs
    assert reference.groupby("run").size().eq(10).all()
    assert set(reference["word_of_mouth.reach_bad"]) == {3, 10}


def test_common_random_numbers_every_strategy_and_point_of_a_replicate_shares_its_seed(reference):
    seeds = reference.groupby("replicate")["seed"].nunique()
    assert seeds.eq(1).all()
    assert reference.groupby("replicate")["seed"].first().nunique() == 3


def test_two_workers_give_the_same_table_as_one(tmp_path, reference):
    report = run_sweep(tmp_path, workers=2)
    pd.testing.assert_frame_equal(results(report.out), reference)


def test_dask_local_cluster_on_loopback_gives_the_same_table(tmp_path, reference):
    pytest.importorskip("distributed")
    from churnsim.experiment import executors

    loaded = spec.load(write(tmp_path, TINY))
    with executors.backend(dask_local=2) as found:
        assert found.slots == 2
        report = sweep(loaded, tmp_path / "out", executor=found.executor, slots=found.slots)
    pd.testing.assert_frame_equal(results(report.out), reference)


def test_rerunning_a_finished_sweep_with_resume_runs_nothing_and_keeps_the_table(tmp_path, reference):
    first = run_sweep(tmp_path)
    again = run_sweep(tmp_path, resume=True)
    assert (first.ok, again.ok, again.already) == (12, 0, 12)
    pd.testing.assert_frame_equal(results(again.out), reference)


def test_without_a_seed_the_root_entropy_is_drawn_once_recorded_and_reused_on_resume(tmp_path):
    text = TINY.replace("seed = 42\n", "").replace("replications = 3", "replications = 1")
    first = run_sweep(tmp_path, text)
    entropy = json.loads((first.out / "manifest.json").read_text())["root_entropy"]
    assert int(entropy) > 2**64, "128 bits of fresh entropy"
    again = run_sweep(tmp_path, text, resume=True)
    assert (again.already, again.ok) == (4, 0)
    assert json.loads((again.out / "manifest.json").read_text())["root_entropy"] == entropy


def test_a_dask_scheduler_address_on_loopback_gives_the_same_table(tmp_path, reference):
    distributed = pytest.importorskip("distributed")
    from click.testing import CliRunner

    from churnsim.cli.main import cli

    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, host="127.0.0.1", dashboard_address=None)
    with cluster:
        assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
        result = CliRunner().invoke(cli, ["sweep", str(write(tmp_path, TINY)), "--out", str(tmp_path / "out"),
                                          "--scheduler", cluster.scheduler_address], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert f"Dask scheduler {cluster.scheduler_address} (2 threads)" in result.output
    pd.testing.assert_frame_equal(results(tmp_path / "out"), reference)
