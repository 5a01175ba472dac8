"""``churnsim sweep`` and ``churnsim analyze``: parse, call the library, print."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from churnsim.cli.errors import InputError, check_out, user_errors
from churnsim.present.words import plural


class _Progress:
    """A progress bar with ETA and a running count of failures, opened once the plan is counted."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.bar: Any = None
        self.failed = 0

    def start(self, missing: int, total: int) -> None:
        click.echo(f"{total:,} runs planned, {total - missing:,} already stored, {missing:,} to run", err=True)
        self.bar = click.progressbar(length=missing, label=self.label, file=sys.stderr,
                                     show_eta=True, show_pos=True, item_show_func=lambda s: s)
        self.bar.__enter__()

    def outcome(self, outcome: Any) -> None:
        self.failed += not outcome.ok
        self.bar.update(1, f"{self.failed} failed" if self.failed else "")

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


@click.command()
@click.argument("experiment", type=click.Path(path_type=Path))
@click.option("--workers", type=click.IntRange(1, 4096), help="Local worker processes [default: one per core].")
@click.option("--scheduler", metavar="ADDRESS",
              help="Run on a Dask cluster, e.g. tcp://10.0.0.5:8786 (churnsim[dask]).")
@click.option("--dask-local", type=click.IntRange(1, 4096), metavar="N",
              help="Run on an embedded Dask LocalCluster of N one-thread workers.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the sweep [default: runs/<experiment name>].")
@click.option("--resume", is_flag=True, help="Continue a sweep in --out: run only what is missing.")
@click.option("--replications", type=click.IntRange(1, 1_000_000), help="Override the file (a quick look).")
@click.option("--customers", type=click.IntRange(10, 100_000_000), help="Override the file (a quick look).")
@click.option("--months", type=click.IntRange(1, 1200), help="Override the file (a quick look).")
@click.pass_context
@user_errors
def sweep(ctx: click.Context, experiment: Path, workers: int | None, scheduler: str | None, dask_local: int | None,
          out: Path | None, resume: bool, replications: int | None, customers: int | None,
          months: int | None) -> None:
    """Run every strategy, design point and replicate of an EXPERIMENT file; store one file per run.

    Results are identical whatever the workers or backend: each run's seed comes from the
    experiment's root entropy and its replicate. A killed sweep continues with --resume.

    \b
    Examples:
      churnsim sweep experiments/quick.toml --replications 2 --customers 200   # a quick look
      churnsim sweep experiments/word_of_mouth.toml --out runs/wom --resume
      churnsim sweep experiments/morris.toml --scheduler tcp://10.0.0.5:8786
    """
    from churnsim.experiment import executors, spec
    from churnsim.experiment.execute import SweepAbortedError
    from churnsim.experiment.sweep import check_folder
    from churnsim.experiment.sweep import sweep as run_sweep

    if sum(x is not None for x in (workers, scheduler, dask_local)) > 1:
        raise InputError("--workers, --scheduler and --dask-local: choose one")
    loaded = spec.load(experiment, replications=replications, customers=customers, months=months)
    out = check_out(out or Path("runs") / loaded.experiment.name)
    check_folder(loaded, out, resume)
    progress = _Progress(loaded.experiment.name)
    try:
        with executors.backend(workers, scheduler, dask_local) as found:
            click.echo(f"{loaded.experiment.name}: running on {found.description}", err=True)
            report = run_sweep(loaded, out, executor=found.executor, slots=found.slots, resume=resume,
                               on_start=progress.start, on_outcome=progress.outcome)
    except executors.ExecutorError as exc:
        raise InputError(str(exc)) from None
    except SweepAbortedError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        progress.close()
    for note in report.warnings:
        click.echo(f"warning: {note}", err=True)
    click.echo(f"Ran {plural(report.ok + report.failed, 'run')} in {report.seconds:.1f} s ({report.failed:,} failed); "
               f"{report.stored_runs:,} of {report.total:,} runs in {report.out / 'results.parquet'} "
               f"({report.rows:,} rows)")
    if report.failed:
        click.echo(f"{report.failed:,} runs failed: errors in {report.out / 'ledger.jsonl'}; add --resume to retry "
                   "them", err=True)
        ctx.exit(1)
    click.echo(f"Next: churnsim analyze {report.out}")


@click.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--provider", help="Whose KPIs to analyse: a provider or 'market' [default: the experiment's].")
@click.option("--baseline", help="Strategy the others are compared with [default: the experiment's].")
@click.option("--plots/--no-plots", default=True, show_default=True, help="Draw the PNG plots.")
@user_errors
def analyze(folder: Path, provider: str | None, baseline: str | None, plots: bool) -> None:
    """Means, confidence intervals, paired comparisons and sensitivity indices of a sweep FOLDER.

    Writes FOLDER/analysis/*.csv and plots, and prints the compact table.

    \b
    Example:
      churnsim analyze runs/quick --provider A
    """
    from churnsim.experiment.analysis import AnalysisError
    from churnsim.experiment.analyze import analyze as run_analysis
    from churnsim.experiment.table import render

    try:
        result = run_analysis(folder, provider=provider, baseline=baseline, with_plots=plots)
    except AnalysisError as exc:
        raise InputError(str(exc)) from None
    click.echo(render(result), nl=False)
    click.echo(f"\nWrote {len(result.written)} files to {folder / 'analysis'}/")
