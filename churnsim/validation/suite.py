"""The validation suite: its settings and the fixed order in which its checks run.

One place decides what runs, so that the table, the report and its "reproduce with" line agree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from churnsim.validation.docking import DOCKING
from churnsim.validation.ensemble import Check, run_seeds
from churnsim.validation.outcomes import FACTS, load_facts


@dataclass(frozen=True)
class SuiteSettings:
    """Everything that determines the validation table, so that it can be reproduced exactly."""

    engines: tuple[str, ...]
    fact_engine: str
    runs: int
    customers: int
    agent_customers: int
    seed: int
    facts_path: Path | None  # None: the definitions shipped with the package
    facts_runs: int
    facts_customers: int
    quick: bool = False  # sizes from the [quick] section of the definitions (check-model --quick)


def run_suite(settings: SuiteSettings, only: str = "all",
              progress: Callable[[str], None] | None = None) -> list[Check]:
    """Run the docking cases on every requested engine and the stylized facts, in a fixed order."""
    checks: list[Check] = []
    if only in ("all", "docking"):
        for engine in settings.engines:
            for k, (name, dock) in enumerate(DOCKING.items()):
                if progress:
                    progress(f"docking {name} on {engine}")
                customers = settings.agent_customers if engine == "agents" else settings.customers
                checks += dock(engine, settings.runs, customers, seed=settings.seed * 100 + k + 1)
    if only in ("all", "facts"):
        spec = load_facts(settings.facts_path)
        fact_settings = dict(spec["settings"])
        fact_settings["customers"] = settings.facts_customers
        seeds = run_seeds(settings.seed * 100 + 50, settings.facts_runs)
        for name, fact in FACTS.items():
            if progress:
                progress(f"stylized fact {name} on {settings.fact_engine}")
            checks += fact(spec, fact_settings, settings.fact_engine, seeds)
    return checks

