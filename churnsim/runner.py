"""One run of one scenario: the single Python call behind ``churnsim run``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import mesa
import numpy as np
import pandas as pd

import churnsim
from churnsim.engines import Engine, create_model
from churnsim.outputs import (
    FORMATS,
    SUMMARY,
    check_run_folder,
    file_digest,
    replace_folder,
    write_json,
    write_table,
    write_text,
)
from churnsim.present import plots
from churnsim.schema.params import Scenario
from churnsim.schema.scenario import LoadedScenario, load, scenario_hash, to_toml
from churnsim.world import events as event_table
from churnsim.world import metrics

EVENTS_FILE = "events.parquet"


@dataclass
class RunResult:
    """A finished run: the monthly table, the KPIs and everything needed to reproduce it.

    ``events`` is the per-customer monthly table (``churnsim.world.events``) of a run made with
    ``events=True``, None otherwise. ``scenario_toml`` is the scenario as a file that
    ``churnsim run`` reads back into the same scenario.
    """

    timeseries: pd.DataFrame
    summary: dict[str, Any]
    scenario: Scenario = field(repr=False)
    scenario_toml: str = field(repr=False)
    events: pd.DataFrame | None = field(default=None, repr=False)

    def write(self, folder: str | Path, fmt: str = "csv", with_plots: bool = True) -> list[Path]:
        """Tables, summary.json, the scenario (JSON and TOML) and PNG plots, as one folder swapped in whole.

        A folder that holds anything but an earlier run's files is refused (OutputError), and
        nothing of an earlier run is left beside the new files. summary.json lists every file
        with its hash. The event table, when the run has one, is always ``events.parquet``.
        """
        if fmt not in FORMATS:
            raise ValueError(f"format {fmt!r}: allowed: {', '.join(FORMATS)}")
        folder = Path(folder)
        check_run_folder(folder)
        names: list[str] = []

        def build(fresh: Path) -> None:
            written = [
                write_table(self.timeseries, fresh / f"timeseries.{fmt}"),
                write_json(self.scenario.model_dump(mode="json"), fresh / "scenario.json"),
                write_text(self.scenario_toml, fresh / "scenario.toml"),
            ]
            if self.events is not None:
                written.append(event_table.write(self.events, fresh / EVENTS_FILE))
            if with_plots:
                written += plots.write_plots(self.timeseries, fresh / "plots")
            files = {p.relative_to(fresh).as_posix(): file_digest(p) for p in written}
            write_json({**self.summary, "files": files}, fresh / SUMMARY)
            names.extend([*files, SUMMARY])

        replace_folder(folder, build)
        return [folder / name for name in names]


def provenance(loaded: LoadedScenario, seed: int, engine: str) -> dict[str, Any]:
    """What anyone needs to reproduce a result exactly."""
    return {
        "scenario": loaded.scenario.meta.name,
        "scenario_source": loaded.source,
        "scenario_hash": scenario_hash(loaded.scenario),
        "sets": list(loaded.sets),
        "strategy_flags": list(loaded.strategies),
        "seed": seed,
        "engine": engine,
        "churnsim_version": churnsim.__version__,
        "mesa_version": mesa.__version__,
        "numpy_version": np.__version__,
    }


def run(
    scenario: str | Path | Scenario | LoadedScenario | dict | None = None,
    *,
    seed: int = 0,
    months: int | None = None,
    customers: int | None = None,
    sets: list[str] | tuple[str, ...] = (),
    strategies: list[str] | tuple[str, ...] = (),
    engine: Engine = "auto",
    threads: int = 1,
    progress: Callable[[int, int], None] | None = None,
    events: bool = False,
    command: str | None = None,
) -> RunResult:
    """Simulate a scenario (a built-in name, a TOML path, a dict, a Scenario or an already loaded one).

    ``threads`` lets a large population's shards run side by side on the vector engine; the
    results are the same for any value, so sweeps keep it at 1 and run one process per core.

    ``events=True`` also records one row per customer and month (``result.events``, see
    ``churnsim.world.events``); a run of more than ``events.MAX_ROWS`` customer-months raises
    ValueError before it simulates.

    ``command`` is the command line that asked for the run, recorded in the summary as typed.
    """
    if isinstance(scenario, LoadedScenario) and not (sets or strategies or months or customers):
        loaded = scenario
    else:
        source = scenario.scenario if isinstance(scenario, LoadedScenario) else scenario
        loaded = load(source, sets=sets, strategies=strategies, months=months, customers=customers)
    spec = loaded.scenario
    model = create_model(spec, rng=seed, engine=engine, threads=threads, record_events=events)
    total = spec.market.months
    for month in range(1, total + 1):
        model.step()
        if progress:
            progress(month, total)
    ts = model.timeseries
    summary = {"command": command, **provenance(loaded, seed, model.engine)}
    summary.update({
        "months": total,
        "customers": spec.market.customers,
        "calibration": spec.meta.calibration.model_dump(),
        "strategies": {p.name: list(p.strategies) for p in spec.providers},
        "kpis": metrics.summarize(ts, spec),
        "clv_horizon_months": metrics.CLV_HORIZON_MONTHS,
        "currency": spec.meta.currency,
        "definitions": metrics.definitions(spec.meta.currency, total),
    })
    table = model.events if events else None
    if table is not None:
        summary["events"] = {"file": EVENTS_FILE, "rows": len(table)}
    summary["resolved_scenario"] = spec.model_dump(mode="json")
    return RunResult(ts, summary, spec, scenario_file(loaded, summary), table)


def scenario_file(loaded: LoadedScenario, summary: dict[str, Any]) -> str:
    """scenario.toml: the scenario as ``churnsim run`` reads it, under a comment saying how it was run."""
    seed, engine = summary["seed"], summary["engine"]
    return (f"# churnsim {summary['churnsim_version']}: scenario {summary['scenario']} (hash "
            f"{summary['scenario_hash']}), run with seed {seed} on the {engine} engine.\n"
            f"# The same run: churnsim run scenario.toml --seed {seed} --engine {engine}\n\n" + to_toml(loaded))
