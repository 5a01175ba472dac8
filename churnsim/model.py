"""The market as a Mesa model: set-up, the monthly schedule, data collection.

``ChurnModel`` holds what every engine shares (scenario, providers, network, the
monthly table); ``AgentChurnModel`` runs one ``Customer`` agent per customer. A
month is synchronous: everyone senses, then everyone decides, then changes apply and
word of mouth is delivered for next month, so agent order does not matter.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np
import pandas as pd
from mesa import DataCollector, Model
from mesa.discrete_space import Network

from churnsim import metrics, network
from churnsim.agents import Customer
from churnsim.market import MonthConditions, ProviderTable, month_conditions, plain
from churnsim.params import CHANNELS, Scenario
from churnsim.population import Population, sample_population


class ChurnModel(Model, ABC):
    """A market of providers and customers, stepped one month at a time."""

    engine = "base"

    def __init__(self, scenario: Scenario, rng: int | np.random.Generator | None = None, threads: int = 1) -> None:
        """``threads``: how many of the engine's shards may run side by side; outputs never depend on it."""
        if not isinstance(threads, int) or threads < 1:
            raise ValueError(f"threads {threads!r}: allowed: a whole number of at least 1")
        super().__init__(rng=rng)
        self.threads = threads
        self.spec = scenario  # Mesa 3.5 reserves `scenario` for its own parameter objects
        self.table = ProviderTable.from_scenario(scenario)
        self.providers = len(self.table)
        n = scenario.market.customers
        self.population_size = n
        self.friction = np.array([scenario.payment.friction[c] for c in CHANNELS])
        population = sample_population(scenario, n, self.rng)
        net = scenario.network
        self.csr = network.build(net.kind, n, net.mean_degree, net.rewire, self.rng)
        self.cohort = np.bincount(population.provider[population.provider >= 0], minlength=self.providers)
        self.datacollector = DataCollector(tables={"monthly": list(metrics.RECORDED)})
        self.conditions: MonthConditions = month_conditions(scenario, self.table, 0)
        self.tally = metrics.new_tally(self.providers)
        self.setup(population)
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

    def window_open(self, tenure: np.ndarray | int) -> np.ndarray | bool:
        """Whether a customer may leave this month (insurance: only at the yearly renewal)."""
        if not self.spec.market.annual_renewal:
            return True
        return tenure % 12 == 11

    def step(self) -> None:
        month = self.steps
        self.conditions = month_conditions(self.spec, self.table, month)
        self.tally = metrics.new_tally(self.providers)
        self.month()
        self._record(month)

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


class AgentChurnModel(ChurnModel):
    """Reference engine: one Mesa agent per customer on a Mesa network."""

    engine = "agents"

    def setup(self, population: Population) -> None:
        self.levers = plain(self.table.levers)  # what a customer reads of its provider, as plain numbers
        shape = (len(population), self.providers)  # messages per recipient and provider: read now, told for next month
        self.inbox_bad, self.inbox_good = np.zeros(shape, np.float32), np.zeros(shape, np.float32)
        self.next_bad, self.next_good = np.zeros(shape, np.float32), np.zeros(shape, np.float32)
        self.customers = [Customer(self, i, population.row(i)) for i in range(len(population))]
        if self.csr is not None:
            self.grid = Network(network.to_networkx(self.csr), layout=None, random=self.random)
            for customer in self.customers:
                customer.cell = self.grid[customer.index]
                start, end = self.csr.indptr[customer.index], self.csr.indptr[customer.index + 1]
                customer.neighbours = self.csr.indices[start:end]

    def recipients(self, teller: Customer, count: int) -> np.ndarray:
        """Who hears one customer's story: random acquaintances (anyone, when fully mixed)."""
        if self.csr is None:
            return self.rng.integers(0, self.population_size, count)
        if len(teller.neighbours) == 0:
            return teller.neighbours
        return teller.neighbours[self.rng.integers(0, len(teller.neighbours), count)]

    def month(self) -> None:
        self.inbox_bad, self.next_bad = self.next_bad, self.inbox_bad
        self.inbox_good, self.next_good = self.next_good, self.inbox_good
        self.next_bad.fill(0.0)
        self.next_good.fill(0.0)
        self.facts = plain(vars(self.conditions))  # this month's conditions, as plain numbers
        for customer in self.customers:
            if customer.provider >= 0:
                self.tally[metrics.T.billed, customer.provider] += 1
        self.agents.do("sense")
        self.agents.do("decide")
        self.agents.do("apply")

    def state_columns(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Column by column: a tuple per customer would set off the garbage collector's full sweeps."""
        cs = self.customers
        return (np.array([c.provider for c in cs], np.int64), np.array([c.stage for c in cs], np.int64),
                np.array([c.looking for c in cs], bool), np.array([c.stayed for c in cs], bool))
