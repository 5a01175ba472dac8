"""The validation suite: its settings and the fixed order in which its checks run.

One place decides what runs, so that the table, the report and its "reproduce with" line agree.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from churnsim.engines import Engine
from churnsim.validation.docking import DOCKING
from churnsim.validation.ensemble import Check
from churnsim.validation.outcomes import OUTCOMES, load_facts, plan

ONLY = ("all", "docking", "outcomes", *OUTCOMES)  # what --only may name: a part of the suite or one family


@dataclass(frozen=True)
class SuiteSettings:
    """Everything that determines the validation table, so that it can be reproduced exactly."""

    engines: tuple[Engine, ...]  # docking runs on each; the outcomes too, or on the last (fastest) alone when quick
    runs: int  # docking: runs per ensemble
    customers: int  # docking: customers per run on the vector engine
    agent_customers: int  # docking: customers per run on the agent engine
    seed: int
    facts_path: Path | None  # None: the definitions shipped with the package
    quick: bool = False  # CI-sized: the quick sizes of the definitions, outcomes on the fastest engine

    @property
    def outcome_engines(self) -> tuple[Engine, ...]:
        return self.engines[-1:] if self.quick else self.engines


def run_suite(settings: SuiteSettings, only: str = "all",
              progress: Callable[[int, int, str], None] | None = None) -> list[Check]:
    """Run the docking cases and the outcome families on their engines, in a fixed order.

    ``progress(step, steps, label)`` is called before each step, so a long check can say how far it is.
    """
    steps: list[tuple[str, Callable[[], list[Check]]]] = []
    if only in ("all", "docking"):
        for engine in settings.engines:
            customers = settings.agent_customers if engine == "agents" else settings.customers
            for k, (name, dock) in enumerate(DOCKING.items()):
                steps.append((f"docking {name} on {engine}", functools.partial(
                    dock, engine, settings.runs, customers, seed=settings.seed * 100 + k + 1)))
    families = [name for name in OUTCOMES if only in ("all", "outcomes", name)]
    if families:
        spec = load_facts(settings.facts_path)
        for engine in settings.outcome_engines:
            for name in families:
                seed = settings.seed * 100 + 50 + list(OUTCOMES).index(name)
                steps.append((f"{name} on {engine}", functools.partial(
                    OUTCOMES[name], spec, plan(spec[name], engine, settings.quick, seed))))
    checks: list[Check] = []
    for step, (label, run) in enumerate(steps):
        if progress:
            progress(step, len(steps), label)
        checks += run()
    return checks
