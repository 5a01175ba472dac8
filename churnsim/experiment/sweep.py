"""A sweep: plan an experiment's runs, run the missing ones on an executor, compact the results.

The glue between the churn-specific parts (experiment, plan, ``evaluate``) and the
generic ones (``runner.execute``, ``RunStore``). Everything a sweep needs to be resumed
or analysed is on disk: the manifest (experiment, root entropy, versions), the design,
the ledger and one file per finished run.
"""

from __future__ import annotations

import platform
import time
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from churnsim.experiment import plan
from churnsim.experiment.design import problem
from churnsim.experiment.execute import Outcome, execute
from churnsim.experiment.seeds import new_entropy
from churnsim.experiment.simulate import evaluate
from churnsim.experiment.spec import ExperimentError, LoadedExperiment
from churnsim.experiment.store import RunStore
from churnsim.outputs import write_table
from churnsim.schema import scenario as scenarios
from churnsim.world import metrics

PACKAGES = ("churnsim", "mesa", "numpy", "pandas", "pyarrow", "scipy", "salib", "pydantic")


@dataclass
class SweepReport:
    """What a sweep did, for the CLI to print."""

    out: Path
    total: int
    already: int
    ok: int
    failed: int
    stored_runs: int
    rows: int
    seconds: float
    warnings: list[str] = field(default_factory=list)


def versions() -> dict[str, str]:
    found = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            continue
    return found


def manifest(loaded: LoadedExperiment, entropy: int, points: int) -> dict[str, Any]:
    exp = loaded.experiment
    ranged = tuple(p for p in exp.parameters if p.is_range)
    spec = scenarios.load(loaded.base, months=exp.months, customers=exp.customers).scenario
    return {
        "experiment": exp.model_dump(mode="json"),
        "experiment_file": loaded.source,
        "scenario_hash": loaded.base_hash,
        "providers": list(loaded.provider_names),
        "root_entropy": str(entropy),
        "design": {"kind": exp.design.kind, "points": points,
                   "problem": problem(ranged) if ranged and exp.design.kind in ("morris", "sobol") else None},
        "runs": points * len(exp.strategies) * exp.replications,
        "versions": versions(),
        "currency": spec.meta.currency,
        "months": spec.market.months,
        "definitions": metrics.definitions(spec.meta.currency, spec.market.months),
    }


def _differences(before: dict[str, Any], loaded: LoadedExperiment) -> list[str]:
    """What differs between a stored manifest and an experiment, one phrase a setting, e.g. ``replications 2 -> 5``."""
    old, new = before.get("experiment", {}), loaded.experiment.model_dump(mode="json")
    changed = [f"{key} {old.get(key)!r} -> {new.get(key)!r}" if not isinstance(new.get(key), (dict, list))
               else f"{key} differ" for key in dict.fromkeys([*old, *new]) if old.get(key) != new.get(key)]
    if before.get("scenario_hash") != loaded.base_hash:
        changed.append(f"scenario hash {before.get('scenario_hash')} -> {loaded.base_hash}")
    return changed


def check_folder(loaded: LoadedExperiment, out: str | Path, resume: bool) -> None:
    """Refuse, before any work, a folder holding anything but this sweep (or, without --resume, any sweep).

    One folder holds one experiment: mixing the runs of two would give a table of neither.
    """
    store = RunStore(out)
    if not store.exists():
        if store.root.is_dir() and any(store.root.iterdir()):
            raise ExperimentError(f"{store.root}: not empty and not a churnsim sweep (no manifest.json); choose an "
                                  "empty or new --out")
        return
    if not resume:
        raise ExperimentError(f"{store.root}: holds a sweep already; add --resume to continue it, or choose "
                              "another --out")
    differences = _differences(store.read_manifest(), loaded)
    if differences:
        raise ExperimentError(f"{store.root}: holds a sweep made with other settings ({'; '.join(differences)}); "
                              "--resume continues only the same experiment: choose another --out")


def root_entropy(loaded: LoadedExperiment, store: RunStore, resume: bool) -> int:
    """The file's seed; else the one the sweep began with; else fresh entropy, recorded in the manifest."""
    if loaded.experiment.seed is not None:
        return loaded.experiment.seed
    if resume and store.exists():
        return int(store.read_manifest()["root_entropy"])
    return new_entropy()


def sweep(loaded: LoadedExperiment, out: str | Path, *, executor: Executor, slots: int, resume: bool = False,
          on_start: Callable[[int, int], None] | None = None,
          on_outcome: Callable[[Outcome], None] | None = None) -> SweepReport:
    """Run every missing run of the experiment and compact all of them into ``results.parquet``.

    ``on_start(missing, total)`` is called once the plan is counted; ``on_outcome`` after each run.
    """
    started = time.perf_counter()
    check_folder(loaded, out, resume)
    store = RunStore(out)
    entropy = root_entropy(loaded, store, resume)
    raw, points = plan.design_points(loaded, entropy)
    notes = []
    if store.exists():
        before = store.read_manifest().get("versions", {})
        changed = [f"{k} {before[k]} -> {v}" for k, v in versions().items() if k in before and before[k] != v]
        if changed:
            notes.append("versions changed since this sweep began (" + ", ".join(changed) + "); stored runs "
                         "were made with the old ones")
    store.root.mkdir(parents=True, exist_ok=True)
    store.write_manifest(manifest(loaded, entropy, len(points)))
    write_table(raw.rename_axis("point").reset_index(), store.design_path)
    total = plan.count(loaded, points)
    missing = sum(not store.done(run.key) for run in plan.runs(loaded, points, entropy))
    if on_start is not None:
        on_start(missing, total)
    with store:
        ok, failed = execute((r for r in plan.runs(loaded, points, entropy) if not store.done(r.key)), evaluate,
                             executor, store, window=2 * slots + 2, on_outcome=on_outcome)
    stored, rows = store.compact(run.key for run in plan.runs(loaded, points, entropy))
    store.seal()
    return SweepReport(store.root, total, total - missing, ok, failed, stored, rows,
                       time.perf_counter() - started, notes)
