"""``churnsim check-model``: run the validation suite, print the table, optionally write the report."""

from __future__ import annotations

import time
from pathlib import Path

import click

from churnsim.validation.ensemble import available_engines
from churnsim.validation.outcomes import ValidationInputError, load_facts
from churnsim.validation.report import render_groups, render_report, summary_line
from churnsim.validation.suite import SuiteSettings, run_suite


def _write_atomic(path: Path, text: str) -> None:
    from churnsim.outputs import write_text

    write_text(text, path)


@click.command("check-model")
@click.option("--engine", type=click.Choice(["all", "agents", "vector", "auto"]), default="all", show_default=True,
              help="Engine for docking (all: every available engine); stylized facts use vector when available.")
@click.option("--runs", type=int, default=10, show_default=True, help="Runs per docking ensemble.")
@click.option("--customers", type=int, default=4000, show_default=True,
              help="Customers per docking run on the vector engine.")
@click.option("--agent-customers", type=int, default=1000, show_default=True,
              help="Customers per docking run on the agent engine (about 50 times slower per customer).")
@click.option("--facts-runs", type=int, default=None, help="Runs per stylized-fact arm [default: from the facts file].")
@click.option("--facts-customers", type=int, default=None,
              help="Customers per stylized-fact run [default: from the facts file].")
@click.option("--seed", type=int, default=0, show_default=True, help="Master seed; every run's seed derives from it.")
@click.option("--facts", "facts_path", type=click.Path(path_type=Path), default=None,
              help="Definitions file of the stylized facts [default: the one shipped with churnsim].")
@click.option("--only", type=click.Choice(["all", "docking", "facts"]), default="all", show_default=True,
              help="Run only the docking cases or only the stylized facts.")
@click.option("--write", "write", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write the full report (e.g. docs/VALIDATION.md), atomically.")
def check_model(engine: str, runs: int, customers: int, agent_customers: int, facts_runs: int | None,
                facts_customers: int | None, seed: int, facts_path: Path | None, only: str,
                write: Path | None) -> None:
    """Run the docking tests and stylized facts and print target versus measured, one table per group.

    Groups: docking, outcome and calibration rows pass or fail; echo rows re-measure a model input and
    are information only. Exit 0 when every pass/fail check passes, 1 when one fails, 2 on bad input.

    \b
    Example:
      churnsim check-model --write docs/VALIDATION.md
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
    for flag, value, low in (("--runs", runs, 2), ("--customers", customers, 100),
                             ("--agent-customers", agent_customers, 100), ("--seed", seed, 0),
                             ("--facts-runs", facts_runs, 2), ("--facts-customers", facts_customers, 100)):
        if value is not None and value < low:
            raise ValidationInputError(f"{flag} {value}: must be at least {low}")
    if facts_path is not None and not facts_path.is_file():
        raise ValidationInputError(f"--facts {facts_path}: no such file")
    spec_settings = load_facts(facts_path)["settings"] if only != "docking" else {}
    settings = SuiteSettings(
        engines=chosen, fact_engine=fact_engine, runs=runs, customers=customers, agent_customers=agent_customers,
        seed=seed, facts_path=facts_path,
        facts_runs=facts_runs or int(spec_settings.get("runs", 5)),
        facts_customers=facts_customers or int(spec_settings.get("customers", 5000)),
    )
    started = time.perf_counter()
    checks = run_suite(settings, only, progress=lambda msg: click.echo(f"... {msg}", err=True))
    command = _command_line(engine, runs, customers, agent_customers, facts_runs, facts_customers, seed, facts_path,
                            only, write)
    click.echo(render_groups(checks))
    failed = [c for c in checks if c.passed is False]
    click.echo(f"\n{summary_line(checks)} ({time.perf_counter() - started:.0f} s).", err=True)
    if write is not None:
        _write_atomic(write, render_report(checks, settings, command))
        click.echo(f"Wrote {write}", err=True)
    if failed:
        raise click.exceptions.Exit(1)


def _command_line(engine: str, runs: int, customers: int, agent_customers: int, facts_runs: int | None,
                  facts_customers: int | None, seed: int, facts_path: Path | None, only: str,
                  write: Path | None) -> str:
    parts = ["churnsim check-model"]
    for flag, value, default in (("--engine", engine, "all"), ("--runs", runs, 10), ("--customers", customers, 4000),
                                 ("--agent-customers", agent_customers, 1000),
                                 ("--facts-runs", facts_runs, None), ("--facts-customers", facts_customers, None),
                                 ("--seed", seed, 0), ("--facts", facts_path, None), ("--only", only, "all")):
        if value != default:
            parts.append(f"{flag} {value}")
    if write is not None:
        parts.append(f"--write {write}")
    return " ".join(parts)
