"""The classroom lesson behind ``churnsim app``: the controls, the scenario they make, the model.

Kept free of solara so it can be tested and reused alone: the page's controls become a
scenario (``lesson_scenario``), the scenario becomes a steppable ``LessonModel`` that also
remembers who told whom this month, and ``month_story`` and ``settings_line`` say in words
what happened and what is running. The pictures are drawn by ``churnsim.abm.lesson_svg``.
"""

from __future__ import annotations

import functools
import hashlib
import statistics
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from churnsim.abm.agents import Customer
from churnsim.abm.model import AgentChurnModel
from churnsim.schema.params import Scenario
from churnsim.schema.scenario import LoadedScenario, build, load
from churnsim.schema.strategies import STRATEGIES
from churnsim.world import network
from churnsim.world.population import PROSPECT

SCENARIO_ENV = "CHURNSIM_APP_SCENARIO"  # how ``churnsim app SCENARIO`` tells the page what to show
MAX_CUSTOMERS = 400  # more nodes than this no longer read as individuals on a classroom screen


@dataclass(frozen=True)
class Slider:
    """One market-wide control: its ``Controls`` field, its range on the page and how it reads."""

    field: str
    label: str
    low: float
    high: float
    step: float
    unit: str
    percent: bool = False  # the page shows the model's share as a percentage

    def shown(self, value: float) -> float:
        return round(100 * value, 4) if self.percent else value

    def stored(self, shown: float) -> float:
        return shown / 100 if self.percent else float(shown)

    def text(self, value: float) -> str:
        return f"{self.shown(value):g}{self.unit}"


# A lever slider moves the scenario's typical provider to its value and every other provider by
# the same amount, so differences the scenario sets between providers are kept.
LEVER_SLIDERS = (
    Slider("failure_rate", "Failures", 0.0, 15.0, 0.5, " % a month", percent=True),
    Slider("steps_mean", "Effort", 1.0, 8.0, 0.5, " steps a contact"),
    Slider("delight", "Delight spend", 0.0, 2.0, 0.1, " (1 = lavish)"),
    Slider("ad_pressure", "Ad pressure", 0.0, 4.0, 0.25, " × typical"),
)
MARKET_SLIDERS = (
    Slider("price_gap", "Price gap", 0.0, 40.0, 1.0, " % below list", percent=True),
    Slider("reach_bad", "Bad news reach", 0.0, 30.0, 1.0, " people"),
    Slider("reach_good", "Good news reach", 0.0, 30.0, 1.0, " people"),
)
SLIDERS = LEVER_SLIDERS + MARKET_SLIDERS
LEVER_FLOOR = {"failure_rate": 0.0, "steps_mean": 1.0, "delight": 0.0, "ad_pressure": 0.0}


@dataclass(frozen=True)
class Controls:
    """Everything a teacher can change on the page, in the model's own units."""

    strategies: tuple[tuple[str, tuple[str, ...]], ...]  # (provider, its strategies, combined in order)
    failure_rate: float  # typical share of customers with a core-service failure per month
    steps_mean: float  # typical steps a service contact takes (effort)
    delight: float  # typical over-delivery spend per contact
    ad_pressure: float  # typical advertising intensity relative to a typical firm
    price_gap: float  # how far price-cutting providers undercut their own list price (share)
    reach_bad: float
    reach_good: float
    downturn: bool
    seed: int = 1

    def changed(self, other: Controls) -> set[str]:
        """Names of the fields that differ: the page marks them as waiting for Reset."""
        return {f for f in self.__dataclass_fields__ if getattr(self, f) != getattr(other, f)}


def _touched(strategies: tuple[str, ...]) -> tuple[set[str], dict[str, float]]:
    """Levers a provider's strategies fix, and the factors they scale the rest by."""
    fixed: set[str] = set()
    factor: dict[str, float] = {}
    for name in strategies:
        fixed |= set(STRATEGIES[name].sets)
        for lever, f in STRATEGIES[name].scales.items():
            factor[lever] = factor.get(lever, 1.0) * f
    return fixed, factor


def typical_levers(spec: Scenario) -> dict[str, Any]:
    """Each slider lever's median over the providers whose strategies leave it to the slider,
    before strategy scales (a price-cutter's doubled advertising counts as typical)."""
    typical: dict[str, Any] = {}  # floats, keyed by the sliders' Controls fields
    for slider in LEVER_SLIDERS:
        values = []
        for p in spec.providers:
            fixed, factor = _touched(p.strategies)
            if slider.field not in fixed:
                values.append(getattr(p.levers, slider.field) / factor.get(slider.field, 1.0))
        typical[slider.field] = float(statistics.median(values)) if values else float(
            getattr(spec.providers[0].levers, slider.field))
    return typical


def _price_gap(spec: Scenario) -> float:
    cuts = [f["price"] for p in spec.providers if "price" in (f := _touched(p.strategies)[1])]
    return round(1.0 - min(cuts), 4) if cuts else 0.15


def default_controls(loaded: LoadedScenario) -> Controls:
    """The controls that reproduce the scenario exactly as shipped."""
    spec = loaded.scenario
    wom = spec.word_of_mouth
    return Controls(strategies=tuple((p.name, p.strategies) for p in spec.providers), **typical_levers(spec),
                    price_gap=_price_gap(spec), reach_bad=wom.reach_bad, reach_good=wom.reach_good,
                    downturn=spec.economy.enabled)


@dataclass(frozen=True)
class PageSetup:
    """What the page needs to know about its scenario before any model is built."""

    source: str
    name: str
    customers: int  # in the scenario
    shown: int  # on the page (capped)
    months: int
    downturn_month: int
    defaults: Controls

    @property
    def providers(self) -> list[str]:
        return [name for name, _ in self.defaults.strategies]


@functools.lru_cache(maxsize=8)
def page_setup(source: str) -> PageSetup:
    """The scenario's facts and default controls (cached: every browser of a class asks the same)."""
    customers = load(source).scenario.market.customers
    loaded = load(source, customers=min(customers, MAX_CUSTOMERS))
    spec = loaded.scenario
    return PageSetup(source, spec.meta.name, customers, spec.market.customers, spec.market.months,
                     spec.economy.downturn_month, default_controls(loaded))


def cap_note(name: str, customers: int) -> str:
    """Why the page shows fewer customers than the scenario has, in the page's and the terminal's words."""
    return (f"the page shows {MAX_CUSTOMERS} of the {name} scenario's {customers:,} customers (more no longer "
            "read as individuals on a classroom screen): shares and rates carry over, totals are smaller.")


def lesson_scenario(source: str, controls: Controls) -> Scenario:
    """The scenario the page runs: the source scenario (capped) with the controls applied.

    Each provider keeps the strategies chosen for it, combined in order, and the levers its
    scenario sets. A lever slider shifts every provider by the slider's distance from the
    scenario's typical value, except where a chosen strategy fixes that lever (a low-effort
    firm keeps its 2-step contacts); a strategy's scale still applies to the shifted value
    (a price-cutter advertises twice as hard). The price gap sets how far price-cutting
    providers undercut their own list price. Untouched controls leave the scenario as it is.
    """
    setup = page_setup(source)
    defaults = setup.defaults
    sets = [f"word_of_mouth.reach_bad={controls.reach_bad}", f"word_of_mouth.reach_good={controls.reach_good}",
            f"economy.enabled={str(controls.downturn).lower()}"]
    flags = []
    for provider, chosen in controls.strategies:
        if chosen:
            flags += [f"{provider}={name}" for name in chosen]
        else:
            sets.append(f"providers.{provider}.strategies=[]")
    loaded = load(source, sets=sets, strategies=flags, customers=setup.shown)
    raw = loaded.scenario.model_dump(mode="json")
    for prov in raw["providers"]:
        fixed, factor = _touched(tuple(prov["strategies"]))
        levers = prov["levers"]
        for slider in LEVER_SLIDERS:
            lever, shift = slider.field, getattr(controls, slider.field) - getattr(defaults, slider.field)
            if shift and lever not in fixed:
                f = factor.get(lever, 1.0)
                levers[lever] = max(LEVER_FLOOR[lever], levers[lever] / f + shift) * f
        if controls.price_gap != defaults.price_gap and "price" in factor and "price" not in fixed:
            levers["price"] = levers["price"] / factor["price"] * (1.0 - controls.price_gap)
    return build(raw, loaded.source, resolve=False)


def build_model(source: str, controls: Controls) -> LessonModel:
    """A fresh model at month 0 for one browser: each session steps its own."""
    return LessonModel(lesson_scenario(source, controls), controls.seed, controls)


_LAYOUTS: dict[str, np.ndarray] = {}  # network digest -> positions, for the networks seen lately


def edges(csr: network.Csr | None) -> np.ndarray:
    """Each acquaintance once, as (i, j) rows with i < j."""
    if csr is None:
        return np.empty((0, 2), np.int64)
    rows = np.repeat(np.arange(csr.nodes), csr.degree())
    upper = rows < csr.indices
    return np.column_stack([rows[upper], csr.indices[upper]]).astype(np.int64)


def layout(csr: network.Csr | None, nodes: int) -> np.ndarray:
    """Node positions, computed once per network and reused on every redraw and on Reset.

    The spring layout is seeded, so the same network always looks the same; a fully mixed
    market has no acquaintances to lay out and gets a sunflower disc instead.
    """
    if csr is None:
        i = np.arange(nodes) + 0.5
        r, theta = np.sqrt(i / nodes), np.pi * (1 + 5**0.5) * i
        return np.column_stack([r * np.cos(theta), r * np.sin(theta)])
    digest = hashlib.sha256(csr.indptr.tobytes() + csr.indices.tobytes()).hexdigest()
    if digest not in _LAYOUTS:
        if len(_LAYOUTS) >= 32:
            _LAYOUTS.pop(next(iter(_LAYOUTS)))
        pos = nx.spring_layout(network.to_networkx(csr), seed=0, iterations=60)
        _LAYOUTS[digest] = np.array([pos[i] for i in range(nodes)])
    return _LAYOUTS[digest]


class LessonModel(AgentChurnModel):
    """The agent engine plus what a class watches: who told whom, who just moved, node positions."""

    def __init__(self, spec: Scenario, seed: int = 0, controls: Controls | None = None) -> None:
        self.heard: list[tuple[int, np.ndarray, bool]] = []  # (teller, recipients, bad news?) this month
        super().__init__(spec, rng=seed)
        self.seed = seed
        self.controls = controls  # what the page set, when the page built this model
        self.switched = np.zeros(self.population_size, bool)
        self.layout = layout(self.csr, self.population_size)
        self.edges = edges(self.csr)
        self.running = spec.market.months > 0
        self._stories: list[str] = []

    def recipients(self, teller: Customer, count: int) -> np.ndarray:
        who = super().recipients(teller, count)
        self.heard.append((teller.index, who, bool(teller.tells_bad)))
        return who

    def step(self) -> None:
        before = np.array([c.provider for c in self.customers])
        self.heard = []
        super().step()
        after = np.array([c.provider for c in self.customers])
        self.switched = (after != before) & (after != PROSPECT)
        self.running = self.steps < self.spec.market.months

    def stories(self, ts: pd.DataFrame) -> list[str]:
        """Each month's news line (``month_story``) up to now, newest first. A month's line never
        changes once the month has run, so each is written once: the page shows them every Step."""
        self._stories += [month_story(ts, m) for m in range(len(self._stories), self.steps + 1)]
        return self._stories[::-1]


def strategy_text(chosen: tuple[str, ...]) -> str:
    return " + ".join(chosen) if chosen else "no strategy"


def settings_line(controls: Controls) -> str:
    """What the running model was built with: a changed control only takes effect on Reset,
    so the page says what is running."""
    strategies = "; ".join(f"{name} {strategy_text(chosen)}" for name, chosen in controls.strategies)
    sliders = "; ".join(f"{s.label.lower()} {s.text(getattr(controls, s.field))}" for s in SLIDERS)
    return (f"Running: {strategies}; {sliders}; {'downturn' if controls.downturn else 'no downturn'}; "
            f"seed {controls.seed}.")


def _people(n: int, one: str = "customer", many: str = "customers") -> str:
    return f"{n} {one if n == 1 else many}"


def month_story(ts: pd.DataFrame, month: int) -> str:
    """One plain sentence on what happened in a month, for students to read aloud."""
    rows = ts[ts["month"] == month]
    if month == 0:
        shares = ", ".join(f"Provider {r.provider} {r.customers}" for r in rows.itertuples())
        return f"Month 0: the market opens with {shares} customers."
    parts = []
    bad, good = int(rows["wom_bad"].sum()), int(rows["wom_good"].sum())
    if bad:
        parts.append(f"{bad} bad {'experience' if bad == 1 else 'experiences'} told to "
                     f"{_people(int(rows['wom_bad_reached'].sum()), 'person', 'people')}")
    if good:
        parts.append(f"{good} good {'one' if good == 1 else 'ones'} told to "
                     f"{_people(int(rows['wom_good_reached'].sum()), 'person', 'people')}")
    looking = int(rows["started_looking"].sum())
    if looking:
        parts.append(f"{_people(looking)} started looking around")
    lost = rows[rows["churned"] > 0]
    if len(lost) == 1:
        parts.append(f"{_people(int(lost['churned'].iloc[0]))} left Provider {lost['provider'].iloc[0]}")
    elif len(lost) > 1:
        each = ", ".join(f"{int(r.churned)} Provider {r.provider}" for r in lost.itertuples())
        parts.append(f"{_people(int(lost['churned'].sum()))} left ({each})")
    else:
        parts.append("nobody left")
    return f"Month {month}: " + "; ".join(parts) + "."
