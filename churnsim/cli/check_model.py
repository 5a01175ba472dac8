"""``churnsim check-model``: run the validation suite, print the table, optionally write the report."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

import click

from churnsim.engines import Engine, duration
from churnsim.validation.outcomes import SIZE_MINIMUM, ValidationInputError, load_facts
from churnsim.validation.report import render_groups, render_report, summary_line
from churnsim.validation.suite import ONLY, SuiteSettings, run_suite


def _write_atomic(path: Path, text: str) -> None:
    from churnsim.outputs import write_text

    write_text(text, path)


@click.command("check-model")
@click.option("--engine", type=click.Choice(["all", "agents", "vector", "auto"]), default="all", show_default=True,
              help="Engine to run on (all: both engines; with --quick, the outcomes use the fastest).")
@click.option("--quick", is_flag=True,
              help="CI-sized run: the quick sizes of the definitions file, the outcomes on the fastest engine only "
                   "(a few minutes on 2 cores). The docking size flags below override it.")
@click.option("--runs", type=int, default=None, help="Runs per docking ensemble [default: from [docking]].")
@click.option("--customers", type=int, default=None,
              help="Customers per docking run on the vector engine [default: from [docking]].")
@click.option("--agent-customers", type=int, default=None,
              help="Customers per docking run on the agent engine [default: from [docking]].")
@click.option("--seed", type=int, default=0, show_default=True, help="Master seed; every run's seed derives from it.")
@click.option("--facts", "facts_path", type=click.Path(path_type=Path), default=None,
              help="Definitions file of the outcomes and sizes [default: the one shipped with churnsim].")
@click.option("--only", type=click.Choice(ONLY), default="all", show_default=True,
              help="Run only the docking cases, only the outcomes, or one outcome family.")
@click.option("--write", "write", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write the full report (e.g. docs/VALIDATION.md), atomically.")
def check_model(engine: str, quick: bool, runs: int | None, customers: int | None, agent_customers: int | None,
                seed: int, facts_path: Path | None, only: str, write: Path | None) -> None:
    """Run the docking tests and the outcome checks and print target versus measured, one table per group.

    Groups: docking, outcome and calibration rows pass or fail; echo rows re-measure a model input and
    are information only. Exit 0 when every pass/fail check passes, 1 when one fails, 2 on bad input.

    \b
    Examples:
      churnsim check-model --write docs/VALIDATION.md   # full: both engines (about an hour on 2 cores)
      churnsim check-model --quick                       # CI-sized
      churnsim check-model --only contagion --engine vector
    """
    engines: dict[str, tuple[Engine, ...]] = {"all": ("agents", "vector"), "auto": ("vector",),
                                              "agents": ("agents",), "vector": ("vector",)}
    chosen = engines[engine]  # the last is the fastest
    given = {"runs": runs, "customers": customers, "agent_customers": agent_customers}
    for key, value in given.items():
        if value is not None and value < SIZE_MINIMUM[key]:
            raise ValidationInputError(f"--{key.replace('_', '-')} {value}: must be at least {SIZE_MINIMUM[key]}")
    if seed < 0:
        raise ValidationInputError(f"--seed {seed}: must be at least 0")
    if facts_path is not None and not facts_path.is_file():
        raise ValidationInputError(f"--facts {facts_path}: no such file")
    docking = load_facts(facts_path)["docking"]
    sizes = {key: int(docking[f"quick_{key}" if quick else key] if value is None else value)
             for key, value in given.items()}
    settings = SuiteSettings(engines=chosen, seed=seed, facts_path=facts_path, quick=quick, **sizes)
    started = time.perf_counter()

    def progress(step: int, steps: int, label: str) -> None:
        spent = time.perf_counter() - started
        left = f"; about {duration(spent / step * (steps - step))} left at the pace so far" if step else ""
        click.echo(f"... [{step + 1}/{steps}] {label} ({duration(spent)} so far{left})", err=True)

    checks = run_suite(settings, only, progress=progress)
    options = [("--engine", engine, "all"), *((f"--{k.replace('_', '-')}", v, None) for k, v in given.items()),
               ("--seed", seed, 0), ("--facts", facts_path, None), ("--only", only, "all"), ("--write", write, None)]
    command = _command_line(quick, options)
    click.echo(render_groups(checks))
    failed = [c for c in checks if c.passed is False]
    mode = "quick mode, " if quick else ""
    click.echo(f"\n{summary_line(checks)} ({mode}{time.perf_counter() - started:.0f} s).", err=True)
    if write is not None:
        _write_atomic(write, render_report(checks, settings, command))
        click.echo(f"Wrote {write}", err=True)
    if failed:
        raise click.exceptions.Exit(1)


def _command_line(quick: bool, options: Sequence[tuple[str, object, object]]) -> str:
    """The command that reproduces the table: the mode and every option that differs from its default."""
    parts = ["churnsim check-model", *(["--quick"] if quick else [])]
    parts += [f"{flag} {value}" for flag, value, default in options if value != default]
    return " ".join(parts)
