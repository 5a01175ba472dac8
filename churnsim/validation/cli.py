"""``churnsim check-model``: run the validation suite, print the table, optionally write the report."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

import click

from churnsim.validation.ensemble import available_engines
from churnsim.validation.outcomes import SIZE_MINIMUM, ValidationInputError, load_facts
from churnsim.validation.report import render_groups, render_report, summary_line
from churnsim.validation.suite import SuiteSettings, run_suite

FULL_DOCKING = {"runs": 10, "customers": 4000, "agent_customers": 1000}  # the full run's docking sizes


def _write_atomic(path: Path, text: str) -> None:
    from churnsim.outputs import write_text

    write_text(text, path)


@click.command("check-model")
@click.option("--engine", type=click.Choice(["all", "agents", "vector", "auto"]), default="all", show_default=True,
              help="Engine for docking (all: every available engine); stylized facts use vector when available.")
@click.option("--quick", is_flag=True,
              help="CI-sized run: fewer runs and customers, from the [quick] section of the definitions file (the "
                   "whole suite on both engines in well under 3 minutes on 2 cores). Tolerances follow the smaller "
                   "samples, so they widen. The size flags below override it.")
@click.option("--runs", type=int, default=None, help=f"Runs per docking ensemble [default: {FULL_DOCKING['runs']}].")
@click.option("--customers", type=int, default=None,
              help=f"Customers per docking run on the vector engine [default: {FULL_DOCKING['customers']}].")
@click.option("--agent-customers", type=int, default=None,
              help="Customers per docking run on the agent engine (about 50 times slower per customer) "
                   f"[default: {FULL_DOCKING['agent_customers']}].")
@click.option("--facts-runs", type=int, default=None,
              help="Runs per stylized-fact arm [default: from [settings] of the definitions file].")
@click.option("--facts-customers", type=int, default=None,
              help="Customers per stylized-fact run [default: from [settings] of the definitions file].")
@click.option("--seed", type=int, default=0, show_default=True, help="Master seed; every run's seed derives from it.")
@click.option("--facts", "facts_path", type=click.Path(path_type=Path), default=None,
              help="Definitions file of the stylized facts [default: the one shipped with churnsim].")
@click.option("--only", type=click.Choice(["all", "docking", "facts"]), default="all", show_default=True,
              help="Run only the docking cases or only the stylized facts.")
@click.option("--write", "write", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write the full report (e.g. docs/VALIDATION.md), atomically.")
def check_model(engine: str, quick: bool, runs: int | None, customers: int | None, agent_customers: int | None,
                facts_runs: int | None, facts_customers: int | None, seed: int, facts_path: Path | None, only: str,
                write: Path | None) -> None:
    """Run the docking tests and stylized facts and print target versus measured, one table per group.

    Groups: docking, outcome and calibration rows pass or fail; echo rows re-measure a model input and
    are information only. Exit 0 when every pass/fail check passes, 1 when one fails, 2 on bad input.

    \b
    Examples:
      churnsim check-model --write docs/VALIDATION.md
      churnsim check-model --quick                     # CI-sized
    """
    engines = available_engines()
    if engine == "all":
        chosen = engines
    elif engine == "auto":
        chosen = (engines[-1],)
    elif engine not in engines:
        raise ValidationInputError(f"--engine {engine}: not available here; available: {', '.join(engines)}")
    else:
        chosen = (engine,)
    fact_engine = chosen[-1]
    given = {"runs": runs, "customers": customers, "agent_customers": agent_customers, "facts_runs": facts_runs,
             "facts_customers": facts_customers}
    for key, value in given.items():
        if value is not None and value < SIZE_MINIMUM[key]:
            raise ValidationInputError(f"--{key.replace('_', '-')} {value}: must be at least {SIZE_MINIMUM[key]}")
    if seed < 0:
        raise ValidationInputError(f"--seed {seed}: must be at least 0")
    if facts_path is not None and not facts_path.is_file():
        raise ValidationInputError(f"--facts {facts_path}: no such file")
    spec = load_facts(facts_path)
    base = spec["quick"] if quick else {**FULL_DOCKING, "facts_runs": spec["settings"]["runs"],
                                        "facts_customers": spec["settings"]["customers"]}
    sizes = {key: int(base[key] if value is None else value) for key, value in given.items()}
    settings = SuiteSettings(engines=chosen, fact_engine=fact_engine, seed=seed, facts_path=facts_path, quick=quick,
                             **sizes)
    started = time.perf_counter()
    checks = run_suite(settings, only, progress=lambda msg: click.echo(f"... {msg}", err=True))
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
