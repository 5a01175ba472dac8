"""The command line: parse, call the library, print. Exit 0 ok, 2 bad input, 1 our failure."""

from __future__ import annotations

import shlex
import sys
import textwrap
from pathlib import Path

import click

from churnsim.cli.app import app
from churnsim.cli.calibrate import calibrate
from churnsim.cli.check_model import check_model
from churnsim.cli.errors import InputError, check_out, user_errors
from churnsim.cli.experiment import analyze, sweep
from churnsim.cli.report import report
from churnsim.engines import ENGINES, Engine
from churnsim.outputs import FORMATS
from churnsim.schema import horizon
from churnsim.schema import scenario as scenarios
from churnsim.schema.strategies import STRATEGIES


class _RecordingGroup(click.Group):
    """Keeps the arguments as typed (``ctx.meta["argv"]``), so a run can record its exact command line."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        ctx.meta["argv"] = list(args)
        return super().parse_args(ctx, args)


@click.group(cls=_RecordingGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="churnsim")
def cli() -> None:
    """churnsim: what happens to our customers if we do X instead of Y?

    \b
    Quick start:
      churnsim run                                  # the default scenario
      churnsim run mobile --strategy A=low-effort --months 36
      churnsim params broadband | grep word_of_mouth
    """


scenario_argument = click.argument("scenario", required=False)
LISTING_WIDTH = 100  # characters a line of `churnsim scenarios`, as the help text


@cli.command()
@scenario_argument
@click.option("--months", type=click.IntRange(1, 1200), help="Months to simulate (overrides the scenario).")
@click.option("--customers", type=click.IntRange(10, 100_000_000), help="Population size (overrides the scenario).")
@click.option("--seed", type=click.IntRange(0, 2**63 - 1), default=0, show_default=True, help="Random seed.")
@click.option("--set", "sets", multiple=True, metavar="PATH=VALUE",
              help="Set any parameter by dotted path, e.g. --set word_of_mouth.reach_bad=20 (repeatable).")
@click.option("--strategy", "strategies", multiple=True, metavar="PROVIDER=NAME",
              help="Give a provider a named strategy, e.g. --strategy A=low-effort (repeat to combine).")
@click.option("--engine", type=click.Choice(ENGINES), default="auto", show_default=True,
              help="Agent engine (one Mesa agent per customer) or vectorised engine; auto picks by size.")
@click.option("--threads", type=click.IntRange(1, 1024), help="Threads for a population of over half a million "
              "on the vector engine (default: every core); the results do not depend on it.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("runs/latest"),
              show_default=True, help="Output folder for tables, summary.json and plots.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="csv", show_default=True,
              help="Format of the monthly table.")
@click.option("--plots/--no-plots", default=True, show_default=True, help="Draw the PNG plots.")
@click.option("--events", is_flag=True, help="Also write events.parquet, micro-data for researchers: one row per "
              "customer and month (every customer with a provider at the start of the month), at most "
              "50,000,000 customer-months (customers x months) a run.")
@user_errors
def run(scenario: str | None, months: int | None, customers: int | None, seed: int, sets: tuple[str, ...],
        strategies: tuple[str, ...], engine: Engine, threads: int | None, out: Path, fmt: str, plots: bool,
        events: bool) -> None:
    """Run SCENARIO (a built-in name or a TOML file; default: the built-in default) and write its results.

    \b
    Example:
      churnsim run electricity --strategy B=digital-payment --set economy.enabled=true --out runs/downturn
    """
    from churnsim.engines import NotEnoughMemoryError, available_cores, check_memory, duration, estimated_seconds
    from churnsim.outputs import OutputError, check_run_folder
    from churnsim.present.report_text import summary_table
    from churnsim.runner import run as run_scenario

    if engine == "agents" and threads is not None:
        raise InputError(f"--threads {threads}: threads apply to the vector engine only; use --engine vector or auto, "
                         "or drop --threads")
    loaded = scenarios.load(scenario, sets=sets, strategies=strategies, months=months, customers=customers)
    check_out(out)
    try:
        check_run_folder(out)
    except OutputError as exc:
        raise InputError(f"--out {exc}") from None
    total = loaded.scenario.market.months
    for note in horizon.warnings(loaded.scenario):
        click.echo(f"warning: {note}", err=True)
    try:
        check_memory(engine, loaded.scenario.market.customers)
    except NotEnoughMemoryError as exc:
        raise InputError(str(exc)) from None
    if events:
        from churnsim.world.events import check_size

        try:
            check_size(loaded.scenario.market.customers, total)
        except ValueError as exc:
            raise InputError(str(exc)) from None
    market = loaded.scenario.market
    expected = estimated_seconds(engine, market.customers, total + market.burn_in)
    label = f"{loaded.scenario.meta.name}: {market.customers:,} customers, about {duration(expected)}"
    with click.progressbar(length=total, label=label, file=sys.stderr, show_eta=True) as bar:
        result = run_scenario(loaded, seed=seed, engine=engine, threads=threads or available_cores(),
                              progress=lambda month, _: bar.update(1), events=events,
                              command=shlex.join(["churnsim", *click.get_current_context().meta.get("argv", [])]))
    written = result.write(out, fmt=fmt, with_plots=plots)
    click.echo(summary_table(result.summary))
    click.echo(f"\nWrote {len(written)} files to {out}/")


@cli.command()
@scenario_argument
@click.option("--set", "sets", multiple=True, metavar="PATH=VALUE", help="Show values after these overrides.")
@user_errors
def params(scenario: str | None, sets: tuple[str, ...]) -> None:
    """List every parameter of SCENARIO by dotted path, with its value, allowed range and meaning."""
    rows = scenarios.describe_parameters(scenarios.load(scenario, sets=sets).scenario)
    width = max(len(r["path"]) for r in rows)
    vwidth = min(max(len(r["value"]) for r in rows), 28)
    for r in rows:
        click.echo(f"{r['path']:<{width}}  {r['value']:<{vwidth}}  {r['allowed']:<24}  {r['meaning']}")


@cli.command("scenarios")
def list_scenarios() -> None:
    """List the built-in scenarios."""
    for name, path in scenarios.builtin_scenarios().items():
        spec = scenarios.load(path).scenario
        default = " (default)" if name == scenarios.DEFAULT_SCENARIO else ""
        cal = spec.meta.calibration
        band = f"annual churn {cal.annual_churn_min:.0%}-{cal.annual_churn_max:.0%}"
        head = f"{name:<12} {band:<22} "
        # The whole description, wrapped under its column: a first line alone stops mid-sentence.
        click.echo(textwrap.fill(" ".join(spec.meta.description.split()) + default, width=LISTING_WIDTH,
                                 initial_indent=head, subsequent_indent=" " * len(head), break_on_hyphens=False))


@cli.command("strategies")
def list_strategies() -> None:
    """List the named strategies a provider can run."""
    width = max(map(len, STRATEGIES))
    for name, strategy in STRATEGIES.items():
        click.echo(f"{name:<{width}}  {strategy.description}")


@cli.command()
@click.argument("file", type=click.Path(path_type=Path))
@user_errors
def validate(file: Path) -> None:
    """Check a scenario FILE and report the first problems, or that it is valid."""
    loaded = scenarios.load(scenarios.require_file(file))
    click.echo(f"{file}: valid ({loaded.scenario.meta.name}, hash {loaded.hash})")


def main() -> None:
    cli(prog_name="churnsim")


# Commands defined in their own modules: the live page, experiments (sweep, analyze), calibration, the HTML report
# and check-model (docking with analytic models and stylized facts).
for command in (app, sweep, analyze, calibrate, report, check_model):
    cli.add_command(command)
