"""The market as a Mesa model: set-up, the monthly schedule, data collection.

``ChurnModel`` holds what every engine shares (scenario, providers, network, the burn-in,
the monthly table and the optional per-customer event table); ``AgentChurnModel`` runs one
``Customer`` agent per customer. A month is synchronous: everyone senses, then everyone
decides, then changes apply and word of mouth is delivered for next month, so agent order
does not matter.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import overload

import numpy as np
import pandas as pd
from mesa import DataCollector, Model
from mesa.discrete_space import Network

from churnsim import rules
from churnsim.abm.agents import DRAWS, MOVED, STAY, SWITCHED, Customer
from churnsim.schema.params import CHANNELS, Scenario
from churnsim.world import events, metrics, network
from churnsim.world.market import MonthConditions, ProviderTable, month_conditions, plain, reshuffle
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


class AgentChurnModel(ChurnModel):
    """Reference engine: one Mesa agent per customer on a Mesa network."""

    engine = "agents"

    def setup(self, population: Population) -> None:
        self.levers = plain(self.table.levers)  # what a customer reads of its provider, as plain numbers
        lv = self.levers
        self.terms = [rules.PriceTerms(*terms) for terms in zip(
            lv.binding_discount, lv.tenure_bonus, lv.promo_discount, lv.promo_months, strict=True)]
        self.closure = np.asarray(self.closure).tolist()
        self.resistance = np.asarray(self.resistance).tolist()
        shape = (len(population), self.providers)  # messages per recipient and provider: read now, told for next month
        self.inbox_bad, self.inbox_good = np.zeros(shape, np.float32), np.zeros(shape, np.float32)
        self.next_bad, self.next_good = np.zeros(shape, np.float32), np.zeros(shape, np.float32)
        self.inbox_left, self.next_left = np.zeros(shape, np.float32), np.zeros(shape, np.float32)  # defections
        self.customers = [Customer(self, i, population.row(i)) for i in range(len(population))]
        for customer, heed in zip(self.customers, self.susceptibility.tolist(), strict=True):
            customer.susceptibility = heed
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

    def defected(self, customer: Customer, provider: int) -> None:
        """A customer left ``provider``: next month its acquaintances hear of it (all of them, on a network)."""
        if not self.spec.word_of_mouth.enabled:
            return
        if self.csr is None:
            who = self.rng.integers(0, self.population_size, self.spec.network.mean_degree)
            np.add.at(self.next_left[:, provider], who, 1.0)
        else:
            self.next_left[customer.neighbours, provider] += 1.0

    def month(self) -> None:
        self.inbox_bad, self.next_bad = self.next_bad, self.inbox_bad
        self.inbox_good, self.next_good = self.next_good, self.inbox_good
        self.inbox_left, self.next_left = self.next_left, self.inbox_left
        for inbox in (self.next_bad, self.next_good, self.next_left):
            inbox.fill(0.0)
        self.facts = plain(vars(self.conditions))  # this month's conditions, as plain numbers
        self.draws = self.rng.random((self.population_size, DRAWS)).tolist()
        if self.event_frames is not None:
            self.start = [(c.provider, c.stage, c.looking, c.tenure) for c in self.customers]
        for customer in self.customers:
            if customer.provider >= 0:
                self.tally[metrics.T.billed, customer.provider] += 1
        self.agents.do("sense")
        self.agents.do("decide")
        if self.burning:
            leavers = [c for c in self.customers if c.provider >= 0 and c.left != STAY]
            places = reshuffle(np.array([c.provider for c in leavers], np.int64), self.rng).tolist()
            for customer, place in zip(leavers, places, strict=True):
                customer.move_to = place
        self.agents.do("apply")

    def start_cohort(self) -> np.ndarray:
        for customer in self.customers:
            customer.stayed = customer.provider >= 0
        provider = np.array([c.provider for c in self.customers])
        return np.bincount(provider[provider >= 0], minlength=self.providers)

    def month_events(self) -> dict[str, np.ndarray]:
        ref, best = self.spec.market.reference_price, self.facts.best_alternative
        rows = [(i, c) for i, c in enumerate(self.customers) if self.start[i][0] >= 0]
        start = [self.start[i] for i, _ in rows]
        cs = [c for _, c in rows]
        columns = {name: np.array(values) for name, values in zip(
            ("provider", "stage", "looking", "tenure"), zip(*start, strict=True), strict=True)} if start else {
            name: np.zeros(0, np.int64) for name in ("provider", "stage", "looking", "tenure")}
        columns["customer"] = np.array([i for i, _ in rows], np.int64)
        columns["price_gap"] = np.array([(c.paid - best[p]) / ref for c, (p, *_) in zip(cs, start, strict=True)])
        columns["acquaintances"] = self.degree[columns["customer"]]
        columns["neighbours_left"] = np.array([c.heard_left for c in cs])
        columns["contacted"] = np.array([c.contacts > 0 for c in cs], bool)
        for name in ("attentive", "started_looking", "failure", "high_effort", "disloyal", "bad", "offer",
                     "retention", "saved"):
            columns[name] = np.array([getattr(c, name) for c in cs], bool)
        columns["high_effort"] &= columns["contacted"]
        columns["left"] = np.array([c.left for c in cs], np.int64)
        columns["moved_to"] = np.array([c.move_to if c.left in (SWITCHED, MOVED) else -1 for c in cs], np.int64)
        return columns

    def tenure_column(self) -> np.ndarray:
        return np.array([c.tenure for c in self.customers], np.int64)

    def state_columns(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Column by column: a tuple per customer would set off the garbage collector's full sweeps."""
        cs = self.customers
        return (np.array([c.provider for c in cs], np.int64), np.array([c.stage for c in cs], np.int64),
                np.array([c.looking for c in cs], bool), np.array([c.stayed for c in cs], bool))
