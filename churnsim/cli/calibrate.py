"""``churnsim calibrate``: parse, call ``churnsim.calibrate``, print."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import Any

import click

from churnsim.cli.errors import InputError, check_out, user_errors
from churnsim.engines import ENGINES, Engine


class _Best:
    """A progress bar over the candidates a search may run, showing the best loss so far."""

    def __init__(self, bar: Any) -> None:
        self.bar: Any = bar
        self.best: float | None = None

    def __call__(self, count: int, best: float) -> None:
        self.best = best
        self.bar.update(count - self.bar.pos, f"best loss {best:.3g}")


@click.command()
@click.argument("scenario", required=False)
@click.option("--targets", "targets_file", required=True, type=click.Path(path_type=Path),
              help="What to fit: a TOML target file, a CSV cohort table (columns period, survivors), or a "
                   "published table by name: fader_hardie_regular, fader_hardie_high_end.")
@click.option("--free", "free_parameters", required=True, multiple=True, metavar="PATH[=LOW:HIGH]",
              help="A parameter to fit, by dotted path, within LOW:HIGH (default: the schema's range); repeat.")
@click.option("--holdout", type=click.IntRange(0, 1000), default=0, show_default=True,
              help="Fit on all but the last K periods of each cohort table and project those K.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("runs/calibration"),
              show_default=True, help="Output folder.")
@click.option("--seed", type=click.IntRange(0, 2**63 - 1), default=0, show_default=True,
              help="Root seed: every candidate runs the same seeds drawn from it (common random numbers).")
@click.option("--replications", type=click.IntRange(1, 1000), default=4, show_default=True,
              help="Runs per candidate, one per seed.")
@click.option("--customers", type=click.IntRange(10, 100_000_000), help="Population size (overrides the scenario).")
@click.option("--set", "sets", multiple=True, metavar="PATH=VALUE", help="Set a parameter before fitting (repeatable).")
@click.option("--strategy", "strategies", multiple=True, metavar="PROVIDER=NAME",
              help="Give a provider a named strategy before fitting (repeatable).")
@click.option("--engine", type=click.Choice(ENGINES), default="vector", show_default=True, help="Engine of every run.")
@click.option("--starts", type=click.IntRange(1, 100_000), help="Points of the Sobol start design [default: the "
              "power of 2 at or above 4 per free parameter].")
@click.option("--evaluations", type=click.IntRange(1, 100_000),
              help="Most candidates Nelder-Mead may try after the design [default: 10 per free parameter].")
@click.option("--workers", type=click.IntRange(1, 4096), help="Local worker processes [default: one per core].")
@click.option("--scheduler", metavar="ADDRESS", help="Run on a Dask cluster, e.g. tcp://10.0.0.5:8786.")
@click.option("--dask-local", type=click.IntRange(1, 4096), metavar="N", help="Run on an embedded Dask LocalCluster.")
@user_errors
def calibrate(scenario: str | None, targets_file: Path, free_parameters: tuple[str, ...], holdout: int, out: Path,
              seed: int, replications: int, customers: int | None, sets: tuple[str, ...],
              strategies: tuple[str, ...], engine: Engine, starts: int | None, evaluations: int | None,
              workers: int | None, scheduler: str | None, dask_local: int | None) -> None:
    """Fit free parameters of SCENARIO to a firm's retention data, and write a calibrated scenario.

    Writes the fitted values with 95 % intervals and their correlations, a fit plot with the
    sBG baseline, the holdout projection errors and calibrated.toml, which `churnsim run`
    and `churnsim sweep` take as it is.

    \b
    Example:
      churnsim calibrate mobile --targets cohort.csv --free phase_out.switch_rate=0.1:0.6 \\
          --free ladder.promote_chosen=0.01:0.2 --holdout 3 --out runs/fitted
    """
    from churnsim.calibration import api
    from churnsim.experiment.executors import ExecutorError
    from churnsim.outputs import OutputError, check_run_folder

    if sum(x is not None for x in (workers, scheduler, dask_local)) > 1:
        raise InputError("--workers, --scheduler and --dask-local: choose one")
    check_out(out)
    try:
        check_run_folder(out)
    except OutputError as exc:
        raise InputError(f"--out {exc}") from None
    options: dict[str, Any] = {"holdout": holdout, "seed": seed, "replications": replications, "customers": customers,
               "sets": sets, "strategies": strategies, "engine": engine}
    loaded, plan = api.prepare(scenario, targets_file, free_parameters, **options)
    dims = len(plan.frees)
    starts = starts or api.default_starts(dims)
    evaluations = evaluations or api.default_evaluations(dims)
    label = f"calibrating {dims} parameter{'s' if dims > 1 else ''} of {loaded.scenario.meta.name}"
    command = shlex.join(["churnsim", *click.get_current_context().find_root().meta.get("argv", [])])
    try:
        with click.progressbar(length=api.budget(dims, starts, evaluations), label=label, file=sys.stderr,
                               show_eta=False, item_show_func=lambda s: s) as bar:
            result = api.calibrate(scenario, plan.targets, free_parameters, **options, starts=starts,
                                   evaluations=evaluations, workers=workers, scheduler=scheduler,
                                   dask_local=dask_local, on_evaluation=_Best(bar), command=command)
    except ExecutorError as exc:
        raise InputError(str(exc)) from None
    written = result.write(out)
    click.echo(api.describe(result))
    click.echo(f"\nWrote {len(written)} files to {out}/")
    click.echo(f"Next: churnsim run {shlex.quote(str(out / 'calibrated.toml'))}   or   churnsim report {out}")
