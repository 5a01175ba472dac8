"""Choosing an engine: the readable agent engine or the vectorised one, same model.

The engines (and Mesa) are imported when a model is made, so the command line starts fast.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    import numpy as np

    from churnsim.schema.params import Scenario
    from churnsim.world.model import ChurnModel

Engine = Literal["agents", "vector", "auto"]
ENGINES = ("agents", "vector", "auto")
AUTO_AGENT_LIMIT = 2_000  # above this many customers "auto" takes the vector engine
# Memory a customer takes while a run is in progress, from the README's benchmark figures (rounded up).
BYTES_PER_CUSTOMER = {"agents": 7_500, "vector": 250}


# Customer-months a second on one core, from the same benchmark (the low end of its range).
SPEED = {"agents": 13_000, "vector": 4_000_000}


def estimated_seconds(engine: Engine, customers: int, months: int) -> float:
    """How long a run should take, burn-in included, at the benchmark's speed: said before a long run starts."""
    return customers * months / SPEED[resolve(engine, customers)]


def duration(seconds: float) -> str:
    """A rough duration a person reads at a glance."""
    if seconds < 90:
        return f"{seconds:.0f} s"
    return f"{seconds / 60:.0f} min" if seconds < 5400 else f"{seconds / 3600:.1f} h"


class NotEnoughMemoryError(ValueError):
    """A run would need more memory than the machine has free: refused before it starts."""


def resolve(engine: Engine, customers: int) -> Literal["agents", "vector"]:
    """The engine "auto" stands for at this population size (others stand for themselves)."""
    if engine == "auto":
        return "agents" if customers <= AUTO_AGENT_LIMIT else "vector"
    return engine


def available_memory() -> int | None:
    """Bytes the kernel reports as available for new work (MemAvailable), or None where it does not say."""
    try:
        with open("/proc/meminfo") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def check_memory(engine: Engine, customers: int) -> None:
    """Refuse a run whose estimated memory exceeds what is available, rather than let it swap or be killed."""
    name = resolve(engine, customers)
    need, free = BYTES_PER_CUSTOMER.get(name, 0) * customers, available_memory()
    if free is not None and need > free:
        hint = "use --engine vector or fewer --customers" if name == "agents" else "use fewer --customers"
        raise NotEnoughMemoryError(
            f"--customers {customers:,} on the {name} engine: needs about {need / 1e9:.1f} GB of memory (about "
            f"{BYTES_PER_CUSTOMER[name]:,} bytes a customer), {free / 1e9:.1f} GB is available; {hint}")


def engine_class(engine: Engine, customers: int) -> type[ChurnModel]:
    engine = resolve(engine, customers)
    if engine == "agents":
        from churnsim.abm.model import AgentChurnModel

        return AgentChurnModel
    if engine == "vector":
        from churnsim.vector import VectorChurnModel

        return VectorChurnModel
    raise ValueError(f"engine {engine!r}: allowed: {', '.join(ENGINES)}")


def create_model(scenario: Scenario, rng: int | np.random.Generator | None = None,
                 engine: Engine = "auto", threads: int = 1, record_events: bool = False) -> ChurnModel:
    """A ready-to-step model of the scenario on the chosen engine (the vector engine may use ``threads``).

    ``record_events`` keeps one row per customer and month (``model.events``).
    """
    return engine_class(engine, scenario.market.customers)(scenario, rng=rng, threads=threads,
                                                          record_events=record_events)


def available_cores() -> int:
    """The cores this process may run on: the default thread count of a single run."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
