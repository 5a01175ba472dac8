"""The classroom lesson behind ``churnsim app``: the model the page steps and what it shows.

Kept free of solara so it can be tested and reused alone: the page's controls become a
scenario (``lesson_scenario``), the scenario becomes a steppable ``LessonModel`` that also
remembers who told whom this month, and the pictures and the monthly news line are drawn
from the model's tidy monthly table and its customers (``draw_network``, ``stage_chart``,
``churn_chart``, ``profit_chart``, ``month_story``).
"""

from __future__ import annotations

import hashlib
import inspect
import statistics
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from churnsim import network, style
from churnsim.agents import Customer
from churnsim.model import AgentChurnModel
from churnsim.params import STAGES, Scenario
from churnsim.population import PROSPECT
from churnsim.scenario import LoadedScenario, build, load
from churnsim.strategies import STRATEGIES

SCENARIO_ENV = "CHURNSIM_APP_SCENARIO"  # how ``churnsim app SCENARIO`` tells the page what to show
NO_STRATEGY = "none"
MAX_CUSTOMERS = 400  # more nodes than this no longer read as individuals on a classroom screen
STAGE_NAMES = dict(enumerate(STAGES))


@dataclass(frozen=True)
class Controls:
    """Everything a teacher can change on the page, in the model's own units."""

    strategies: tuple[tuple[str, str], ...]  # (provider, strategy or NO_STRATEGY)
    failure_rate: float  # share of customers with a core-service failure per month
    steps_mean: float  # steps a service contact takes (effort)
    delight: float  # over-delivery spend per contact
    price_gap: float  # how far price-cutting providers undercut their own list price (share)
    ad_pressure: float  # advertising intensity relative to a typical firm
    reach_bad: float
    reach_good: float
    downturn: bool


def _touched(strategies: tuple[str, ...]) -> tuple[set[str], dict[str, float]]:
    """Levers a provider's strategies fix, and the factors they scale the rest by."""
    fixed: set[str] = set()
    factor: dict[str, float] = {}
    for name in strategies:
        fixed |= set(STRATEGIES[name].sets)
        for lever, f in STRATEGIES[name].scales.items():
            factor[lever] = factor.get(lever, 1.0) * f
    return fixed, factor


def default_controls(loaded: LoadedScenario) -> Controls:
    """The controls that reproduce the scenario as shipped, as far as one slider per lever can."""
    spec = loaded.scenario

    def typical(lever: str) -> float:
        values = []
        for p in spec.providers:
            fixed, factor = _touched(p.strategies)
            if lever not in fixed:
                values.append(getattr(p.levers, lever) / factor.get(lever, 1.0))
        return float(statistics.median(values)) if values else float(getattr(spec.providers[0].levers, lever))

    cuts = [_touched(p.strategies)[1]["price"] for p in spec.providers if "price" in _touched(p.strategies)[1]]
    wom = spec.word_of_mouth
    return Controls(
        strategies=tuple((p.name, p.strategies[0] if p.strategies else NO_STRATEGY) for p in spec.providers),
        failure_rate=typical("failure_rate"), steps_mean=typical("steps_mean"), delight=typical("delight"),
        price_gap=round(1.0 - min(cuts), 4) if cuts else 0.15, ad_pressure=typical("ad_pressure"),
        reach_bad=wom.reach_bad, reach_good=wom.reach_good, downturn=spec.economy.enabled)


def lesson_scenario(source: str | None, controls: Controls, customers: int | None = None) -> Scenario:
    """The scenario the page runs: the source scenario with the controls applied.

    A strategy's own choices win over the sliders (a low-effort firm keeps its 2-step
    contacts whatever the effort slider says); a strategy that scales a lever scales the
    slider's value (a price-cutter advertises twice as hard as the ad-pressure slider).
    The price gap sets how far price-cutting providers undercut their own list price.
    """
    sets = [f"word_of_mouth.reach_bad={controls.reach_bad}", f"word_of_mouth.reach_good={controls.reach_good}",
            f"economy.enabled={str(controls.downturn).lower()}"]
    flags = []
    for provider, strategy in controls.strategies:
        if strategy == NO_STRATEGY:
            sets.append(f"providers.{provider}.strategies=[]")
        else:
            flags.append(f"{provider}={strategy}")
    loaded = load(source, sets=sets, strategies=flags, customers=customers)
    raw = loaded.scenario.model_dump(mode="json")
    for prov in raw["providers"]:
        fixed, factor = _touched(tuple(prov["strategies"]))
        levers = prov["levers"]
        for lever in ("failure_rate", "steps_mean", "delight", "ad_pressure"):
            if lever not in fixed:
                levers[lever] = getattr(controls, lever) * factor.get(lever, 1.0)
        if "price" in factor and "price" not in fixed:
            levers["price"] = levers["price"] / factor["price"] * (1.0 - controls.price_gap)
    return build(raw, loaded.source, resolve=False)


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


# --- The page's controls, as Mesa's SolaraViz declares them --------------------------------------------

def model_params(loaded: LoadedScenario, defaults: Controls) -> dict[str, dict[str, Any]]:
    """SolaraViz inputs, one per control, keyed by the page model's keyword arguments."""
    choices = [NO_STRATEGY, *STRATEGIES]
    params: dict[str, dict[str, Any]] = {
        "seed": {"type": "SliderInt", "value": 1, "min": 0, "max": 99, "step": 1,
                 "label": "Seed"},
    }
    for i, (name, strategy) in enumerate(defaults.strategies):
        params[f"strategy_{i}"] = {"type": "Select", "value": strategy, "values": choices,
                                   "label": f"Provider {name} strategy"}
    params |= {
        "failure_pct": {"type": "SliderFloat", "value": round(100 * defaults.failure_rate, 1), "min": 0.0,
                        "max": 15.0, "step": 0.5, "label": "Failures (%/month)"},
        "effort_steps": {"type": "SliderFloat", "value": defaults.steps_mean, "min": 1.0, "max": 8.0, "step": 0.5,
                         "label": "Effort (steps)"},
        "delight": {"type": "SliderFloat", "value": defaults.delight, "min": 0.0, "max": 2.0, "step": 0.1,
                    "label": "Delight spend"},
        "price_gap_pct": {"type": "SliderInt", "value": round(100 * defaults.price_gap), "min": 0, "max": 40,
                          "step": 1, "label": "Price gap (%)"},
        "ad_pressure": {"type": "SliderFloat", "value": defaults.ad_pressure, "min": 0.0, "max": 4.0, "step": 0.25,
                        "label": "Ad pressure"},
        "reach_bad": {"type": "SliderInt", "value": round(defaults.reach_bad), "min": 0, "max": 30, "step": 1,
                      "label": "Bad news reach"},
        "reach_good": {"type": "SliderInt", "value": round(defaults.reach_good), "min": 0, "max": 30, "step": 1,
                       "label": "Good news reach"},
        "downturn": {"type": "Checkbox", "value": defaults.downturn,
                     "label": f"Downturn from month {loaded.scenario.economy.downturn_month}"},
    }
    return params


def controls_from_page(providers: list[str], values: dict[str, Any]) -> Controls:
    """The page's input values (percent, steps, checkboxes) in the model's units."""
    return Controls(
        strategies=tuple((name, str(values[f"strategy_{i}"])) for i, name in enumerate(providers)),
        failure_rate=float(values["failure_pct"]) / 100.0, steps_mean=float(values["effort_steps"]),
        delight=float(values["delight"]), price_gap=float(values["price_gap_pct"]) / 100.0,
        ad_pressure=float(values["ad_pressure"]), reach_bad=float(values["reach_bad"]),
        reach_good=float(values["reach_good"]), downturn=bool(values["downturn"]))


def page_model(source: str | None = "classroom") -> type[LessonModel]:
    """A model class whose keyword arguments are exactly the page's inputs.

    SolaraViz rebuilds the model on Reset by calling its class with the inputs' values and
    checks them against the constructor's signature, so the signature is declared from the
    scenario's providers (a market may have 2 to 12 of them).
    """
    probe = load(source)
    customers = min(probe.scenario.market.customers, MAX_CUSTOMERS)
    loaded = load(source, customers=customers)
    params = model_params(loaded, default_controls(loaded))
    names = [p.name for p in loaded.scenario.providers]

    def init(self: LessonModel, **values: Any) -> None:
        values = {k: spec["value"] for k, spec in params.items()} | values
        controls = controls_from_page(names, values)
        spec = lesson_scenario(source, controls, customers=customers)
        LessonModel.__init__(self, spec, int(values["seed"]), controls)

    keyword = inspect.Parameter.KEYWORD_ONLY
    init.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
        + [inspect.Parameter(k, keyword, default=spec["value"]) for k, spec in params.items()])
    title = f"{loaded.scenario.meta.name.capitalize()}Lesson"
    return type(title, (LessonModel,), {"__init__": init, "params": params, "source": source,
                                        "scenario_name": loaded.scenario.meta.name,
                                        "__module__": __name__,
                                        "__doc__": f"The {loaded.scenario.meta.name} scenario, set from the page."})


# --- What the class sees ---------------------------------------------------------------------------------

def _figure(width: float = 6.4, height: float = 4.2) -> Figure:
    return Figure(figsize=(width, height), layout="constrained")


def draw_network(model: LessonModel) -> Figure:
    """Every customer as a node: colour = loyalty stage, shape = provider, red ring = looking
    around, yellow halo = switched this month; lines = word of mouth travelling this month."""
    style.use()
    fig = _figure(7.4, 5.0)
    ax = fig.add_subplot()
    pos = model.layout
    if len(model.edges):
        ax.add_collection(LineCollection(pos[model.edges], colors="#b8b8b8", linewidths=0.5, alpha=0.6, zorder=0))
    for bad in (False, True):
        segments = [np.stack([np.broadcast_to(pos[teller], (len(who), 2)), pos[who]], axis=1)
                    for teller, who, is_bad in model.heard if is_bad == bad and len(who)]
        if segments:
            ax.add_collection(LineCollection(np.concatenate(segments), colors=style.NEWS_COLOURS["bad" if bad else
                                                                                                 "good"],
                                             linewidths=2.0 if bad else 1.2, alpha=0.9 if bad else 0.6, zorder=1))
    provider, stage, looking, _ = model.state_columns()
    faces = np.array([style.STAGE_COLOURS[STAGE_NAMES[s]] for s in stage])
    switched = model.switched
    if switched.any():
        ax.scatter(pos[switched, 0], pos[switched, 1], s=420, color=style.SWITCHED_COLOUR, alpha=0.8, zorder=2,
                   linewidths=0)
    for j in range(model.providers):
        mine = provider == j
        calm = mine & ~looking
        ax.scatter(pos[calm, 0], pos[calm, 1], s=60, marker=style.provider_marker(j), c=faces[calm],
                   edgecolors="#404040", linewidths=0.6, zorder=3)
        watch = mine & looking
        ax.scatter(pos[watch, 0], pos[watch, 1], s=90, marker=style.provider_marker(j), c=faces[watch],
                   edgecolors=style.STAGE_COLOURS["looking"], linewidths=2.0, zorder=4)
    outside = provider == PROSPECT
    if outside.any():
        ax.scatter(pos[outside, 0], pos[outside, 1], s=30, marker=".", color="#9a9a9a", zorder=3)
    ax.set_axis_off()
    ax.autoscale_view()
    names = model.table.names
    handles = [Line2D([], [], ls="", marker=style.provider_marker(j), ms=9, mfc="white", mec="#404040",
                      label=f"Provider {name}") for j, name in enumerate(names)]
    handles += [Patch(fc=style.STAGE_COLOURS[s], ec="#404040", label=style.STAGE_LABELS[s]) for s in STAGES]
    handles += [Line2D([], [], ls="", marker="o", ms=9, mfc="white", mec=style.STAGE_COLOURS["looking"], mew=2,
                       label=style.STAGE_LABELS["looking"]),
                Line2D([], [], ls="", marker="o", ms=14, mfc=style.SWITCHED_COLOUR, mec="none",
                       label="switched this month"),
                Line2D([], [], color=style.NEWS_COLOURS["bad"], lw=2, label="bad news told"),
                Line2D([], [], color=style.NEWS_COLOURS["good"], lw=2, label="good news told")]
    fig.legend(handles=handles, loc="outside lower center", ncols=4, frameon=False, fontsize=11, handlelength=1.5,
               columnspacing=1.2)
    ax.set_title(f"{model.population_size} customers, month {model.steps}", fontsize=13)
    return fig


def _month_axis(ax: Axes, ts: pd.DataFrame) -> None:
    ax.set_xlabel("month")
    ax.set_xlim(0, max(int(ts["month"].max()), 1))
    ax.xaxis.get_major_locator().set_params(integer=True)


def stage_chart(ts: pd.DataFrame) -> Figure:
    """Customers per loyalty stage in the whole market, with those looking around on top."""
    style.use()
    fig = _figure()
    ax = fig.add_subplot()
    market = ts.groupby("month", sort=True).sum(numeric_only=True).reset_index()
    order = ("embedded", "rechosen", "chosen")
    ax.stackplot(market["month"], *[market[s] for s in order], colors=[style.STAGE_COLOURS[s] for s in order],
                 labels=[style.STAGE_LABELS[s] for s in order], edgecolor="white", linewidth=0.5)
    ax.plot(market["month"], market["looking"], color=style.STAGE_COLOURS["looking"], lw=2.5, marker=".",
            label=style.STAGE_LABELS["looking"])
    ax.set_title("Customers per loyalty stage")
    ax.set_ylabel("customers")
    ax.set_ylim(0, max(float(market["customers"].max()), 1.0))
    _month_axis(ax, ts)
    fig.legend(loc="outside lower center", ncols=4, frameon=False, fontsize=10)
    return fig


def _provider_lines(ts: pd.DataFrame, values: pd.Series, title: str, ylabel: str) -> Figure:
    style.use()
    fig = _figure()
    ax = fig.add_subplot()
    for j, name in enumerate(dict.fromkeys(ts["provider"])):
        mine = ts["provider"] == name
        ax.plot(ts.loc[mine, "month"], values[mine], color=style.provider_colour(j), lw=2.2,
                marker=style.provider_marker(j), ms=5, label=f"Provider {name}")
    ax.set_title(title)
    ax.set_ylabel(ylabel)
    _month_axis(ax, ts)
    ax.legend(loc="best", fontsize=10)
    return fig


def churn_chart(ts: pd.DataFrame) -> Figure:
    """Customers each provider lost in each month (to a rival or out of the market)."""
    fig = _provider_lines(ts, ts["churned"], "Churn per provider", "customers lost that month")
    fig.axes[0].set_ylim(bottom=0, top=max(float(ts["churned"].max()), 1.0) * 1.1)
    fig.axes[0].yaxis.get_major_locator().set_params(integer=True)
    return fig


def profit_chart(ts: pd.DataFrame) -> Figure:
    """Profit each provider has made so far: delight and acquisition costs show up here."""
    cumulative = ts.groupby("provider", sort=False)["profit"].cumsum() / 1000.0
    fig = _provider_lines(ts, cumulative, "Profit per provider", "profit so far (thousand currency units)")
    fig.axes[0].axhline(0.0, color="#404040", lw=0.8)
    return fig


def settings_line(controls: Controls, seed: int) -> str:
    """What the running model was built with: the sliders show no numbers, and a changed
    control only takes effect on Reset, so the page says what is running."""
    strategies = ", ".join(f"{name} {strategy}" for name, strategy in controls.strategies)
    return (f"Running: {strategies}; failures {100 * controls.failure_rate:g} % a month; "
            f"{controls.steps_mean:g} steps a contact; delight {controls.delight:g}; "
            f"price gap {100 * controls.price_gap:g} %; ad pressure {controls.ad_pressure:g}; "
            f"bad news told to {controls.reach_bad:g}, good news to {controls.reach_good:g}; "
            f"{'downturn' if controls.downturn else 'no downturn'}; seed {seed}.")


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
