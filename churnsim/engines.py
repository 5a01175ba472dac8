"""Choosing an engine: the readable agent engine or the vectorised one, same model.

The engines (and Mesa) are imported when a model is made, so the command line starts fast.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    import numpy as np

    from churnsim.model import ChurnModel
    from churnsim.params import Scenario

Engine = Literal["agents", "vector", "auto"]
ENGINES = ("agents", "vector", "auto")
AUTO_AGENT_LIMIT = 2_000  # above this many customers "auto" takes the vector engine


def engine_class(engine: Engine, customers: int) -> type[ChurnModel]:
    if engine == "auto":
        engine = "agents" if customers <= AUTO_AGENT_LIMIT else "vector"
    if engine == "agents":
        from churnsim.model import AgentChurnModel

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
