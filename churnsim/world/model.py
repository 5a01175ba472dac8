"""The market as a Mesa model, whatever the engine: set-up, the monthly schedule, data collection.

``ChurnModel`` holds what every engine shares (scenario, providers, network, the burn-in,
the monthly table and the optional per-customer event table); an engine supplies the
customers' month (``churnsim.abm.model.AgentChurnModel``, ``churnsim.vector.VectorChurnModel``).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import overload

import numpy as np
import pandas as pd
from mesa import DataCollector, Model

from churnsim import rules
from churnsim.schema.params import CHANNELS, Scenario
from churnsim.world import events, metrics, network
from churnsim.world.market import MonthConditions, ProviderTable, month_conditions
from churnsim.world.population import Population, sample_population


class ChurnModel(Model, ABC):
    """A market of providers and customers, stepped one month at a time."""

    engine = "base"

    def __init__(self, scenario: Scenario, rng: int | np.random.Generator | None = None, threads: int = 1,
                 record_events: bool = False) -> None:
        """``threads``: how many of the engine's shards may run side by side; outputs never depend on it.

        ``record_events``: keep one row per customer and month (``events``, ``churnsim.world.events``).
        """
        if not isinstance(threads, int) or threads < 1:
            raise ValueError(f"threads {threads!r}: allowed: a whole number of at least 1")
        if record_events:
            events.check_size(scenario.market.customers, scenario.market.months)
        super().__init__(rng=rng)
        self.threads = threads
        self.spec = scenario  # Mesa 3.5 reserves `scenario` for its own parameter objects
        self.table = ProviderTable.from_scenario(scenario)
        self.providers = len(self.table)
        n = scenario.market.customers
        self.population_size = n
        self.friction = np.array([scenario.payment.friction[c] for c in CHANNELS])
        population = sample_population(scenario, n, self.rng)
        self.segment = population.segment  # fixed for life: cohorts can be followed per segment
        net = scenario.network
        self.csr = network.build(net.kind, n, net.mean_degree, net.rewire, self.rng)
        self.degree = self.csr.degree() if self.csr is not None else np.full(n, net.mean_degree)
        wom = scenario.word_of_mouth
        self.susceptibility = rules.susceptibility(self.degree, float(self.degree.mean()), wom.degree_elasticity)
        self.attending = scenario.attention.enabled and scenario.phase_out.enabled
        resistance = scenario.ladder.resistance if scenario.phase_out.enabled else (0.0, 0.0, 0.0)
        # per stage, and per provider: arrays, which the agent engine turns into lists of plain numbers
        self.resistance: np.ndarray | list[float] = np.asarray(resistance, np.float32)
        self.closure: np.ndarray | list[float] = rules.delight_closure(self.table.delight, scenario.service)
        self.datacollector = DataCollector(tables={"monthly": list(metrics.RECORDED)})
        self.tally = metrics.new_tally(self.providers)
        self.burning = False
        self.event_frames: list[pd.DataFrame] | None = None
        self.setup(population)
        self.burn_in(scenario.market.burn_in)
        self.conditions: MonthConditions = month_conditions(scenario, self.table, 0)
        self.cohort = self.start_cohort()
        self.tally = metrics.new_tally(self.providers)
        self.event_frames = [] if record_events else None
        self._record(0)

    @abstractmethod
    def setup(self, population: Population) -> None:
        """Create the engine's customers from the month-0 population."""

    @abstractmethod
    def month(self) -> None:
        """Run one month's sense, decide and apply phases for every customer, filling ``tally``."""

    @abstractmethod
    def state_columns(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """provider, stage, looking, stayed for every customer, in index order."""

    @abstractmethod
    def tenure_column(self) -> np.ndarray:
        """Months each customer has been with its provider, in index order (read-only): cohorts are followed on it."""

    @abstractmethod
    def start_cohort(self) -> np.ndarray:
        """Mark every customer as one of month 0's cohort (``stayed``); returns the cohort per provider."""

    @abstractmethod
    def month_events(self) -> dict[str, np.ndarray]:
        """The month just run, as ``world.events`` columns for the customers who had a provider at its start."""

    def burn_in(self, months: int) -> None:
        """Run the market ``months`` months before month 0, so that month 0 is the model's own long-run state.

        The burn-in's market has no dated events (no price change, no downturn) and nobody signs
        up; the month's leavers (switchers, movers and those who leave the market) take the places
        leavers vacated, dealt out again away from their own (``market.reshuffle``), and start there
        afresh (chosen, not looking, tenure 0). So each provider keeps the scenario's head count while customers
        sort themselves by where they stay, and stages, looking around, tenure, contracts and
        exposure to word of mouth settle where the model's own months take them.
        """
        self.burning = True
        self.conditions = month_conditions(self.spec, self.table, 0, dated=False)
        for _ in range(months):
            self.tally = metrics.new_tally(self.providers)
            self.month()
        self.burning = False

    @overload
    def window_open(self, tenure: int) -> bool: ...
    @overload
    def window_open(self, tenure: np.ndarray) -> np.ndarray | bool: ...
    def window_open(self, tenure: np.ndarray | int) -> np.ndarray | bool:
        """Whether a customer may leave this month (insurance: only at the yearly renewal)."""
        return True if not self.spec.market.annual_renewal else self.renewing(tenure)

    def renewing(self, tenure: np.ndarray | int) -> np.ndarray | bool:
        """Whether a customer's yearly contract renews this month (only where contracts renew yearly)."""
        return self.spec.market.annual_renewal & (tenure % 12 == 11)

    def step(self) -> None:
        month = self.steps
        self.conditions = month_conditions(self.spec, self.table, month)
        self.tally = metrics.new_tally(self.providers)
        self.month()
        if self.event_frames is not None:
            self.event_frames.append(events.month_frame(month, self.month_events(), self.table.names))
        self._record(month)

    @property
    def events(self) -> pd.DataFrame:
        """One row per customer and month (``churnsim.world.events``); needs ``record_events=True``."""
        if self.event_frames is None:
            raise ValueError("this model was made without record_events=True: no event table to give")
        return events.table(self.event_frames)

    def stock_counts(self) -> dict[str, np.ndarray]:
        """End-of-month head counts per provider (``metrics.STOCKS``), recounted from the customer columns."""
        provider, stage, looking, stayed = self.state_columns()
        return metrics.stocks(provider, stage, looking, stayed, self.providers)

    def _record(self, month: int) -> None:
        for row in metrics.month_rows(month, self.table.names, self.tally, self.stock_counts(), self.cohort):
            self.datacollector.add_table_row("monthly", row)

    @property
    def timeseries(self) -> pd.DataFrame:
        """The tidy monthly table, one row per month and provider (``metrics.COLUMNS``)."""
        return metrics.monthly_table(self.datacollector.get_table_dataframe("monthly"), self.spec, self.table.levers,
                                     self.population_size)
