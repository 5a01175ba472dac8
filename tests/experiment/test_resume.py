"""A sweep killed with SIGKILL part-way loses no finished run and resumes to the same table."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import psutil
import pytest
from sweep_helpers import TINY, results, write

from churnsim.experiment.store import RunStore

SLOWER = TINY.replace("months = 4", "months = 8").replace("customers = 60", "customers = 120")


def ok_keys(folder: Path) -> list[str]:
    return [e["key"] for e in RunStore(folder).ledger() if e["status"] == "ok"]


def sweep_command(experiment: Path, out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "churnsim", "sweep", str(experiment), "--out", str(out), "--workers", "2", *extra]


def test_sigkilled_sweep_resumes_without_losing_or_rerunning_a_finished_run(tmp_path):
    experiment = write(tmp_path, SLOWER)
    out = tmp_path / "out"
    proc = subprocess.Popen(sweep_command(experiment, out), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while len(ok_keys(out)) < 3:
            assert proc.poll() is None, proc.stderr.read().decode()
            assert time.monotonic() < deadline, "the sweep never got going"
            time.sleep(0.02)
        workers = psutil.Process(proc.pid).children(recursive=True)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        # the worker processes notice their sweep is gone and exit on their own
        _, alive = psutil.wait_procs(workers, timeout=15)
        assert not alive, f"orphaned workers: {alive}"
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    before = ok_keys(out)
    stored = {p.stem: p.stat().st_mtime_ns for p in (out / "runs").rglob("*.parquet")}
    assert set(before) <= set(stored), "a run was logged as done without its file"
    assert 3 <= len(stored) < 12, "the kill should land part-way through the sweep"
    assert not (out / "results.parquet").exists()

    done = subprocess.run(sweep_command(experiment, out, "--resume"), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert f"{len(stored)} already stored" in done.stderr

    after = ok_keys(out)
    assert len(after) == len(set(after)) == 12, "every run logged once: none lost, none run twice"
    assert {p.stem: p.stat().st_mtime_ns for p in (out / "runs").rglob("*.parquet") if p.stem in stored} == stored

    uninterrupted = tmp_path / "uninterrupted"
    clean = subprocess.run(sweep_command(experiment, uninterrupted), capture_output=True, text=True, timeout=300)
    assert clean.returncode == 0, clean.stderr
    pd.testing.assert_frame_equal(results(out), results(uninterrupted))
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["root_entropy"] == "42" and manifest["runs"] == 12


def test_a_dask_worker_killed_mid_sweep_loses_and_duplicates_nothing(tmp_path, reference):
    distributed = pytest.importorskip("distributed")
    from churnsim.experiment import spec
    from churnsim.experiment.sweep import sweep

    loaded = spec.load(write(tmp_path, TINY))
    killed = []
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, host="127.0.0.1", dashboard_address=None)
    with cluster, distributed.Client(cluster) as client:
        pids = client.run(os.getpid)

        def kill_one_worker(outcome) -> None:
            if not killed:
                victim = sorted(pids.values())[0]
                os.kill(victim, signal.SIGKILL)
                killed.append(victim)

        report = sweep(loaded, tmp_path / "out", executor=client.get_executor(pure=False), slots=2,
                       on_outcome=kill_one_worker)
        assert killed and killed[0] not in client.run(os.getpid).values()
    assert (report.ok, report.failed, report.stored_runs) == (12, 0, 12)
    keys = ok_keys(tmp_path / "out")
    assert len(keys) == len(set(keys)) == 12
    pd.testing.assert_frame_equal(results(report.out), reference)
