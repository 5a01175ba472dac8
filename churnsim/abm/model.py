"""The agent engine's model: one ``Customer`` agent per customer on a Mesa network.

``AgentChurnModel`` adds the agents' month to what every engine shares
(``churnsim.world.model.ChurnModel``). A month is synchronous: everyone senses, then everyone
decides, then changes apply and word of mouth is delivered for next month, so agent order
does not matter.
"""

from __future__ import annotations

import numpy as np
from mesa.discrete_space import Network

from churnsim import rules
from churnsim.abm.agents import DRAWS, MOVED, STAY, SWITCHED, Customer
from churnsim.world import metrics, network
from churnsim.world.market import plain, reshuffle
from churnsim.world.model import ChurnModel
from churnsim.world.population import Population


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
