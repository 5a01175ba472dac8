"""Dated events (the downturn, a provider's price change) and the months a run simulates.

An event dated after the last month never happens, nor does a downturn the scenario switches off,
so the parameters that act only through it change nothing: a run should say when an event is
late, and a sweep that varies such a parameter would report an effect of exactly zero for a
reason no table shows, so it is refused.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from fnmatch import fnmatchcase

from churnsim.schema.params import Scenario

# Parameters that act only through every price change, whoever makes it.
PRICE_CHANGE_PARAMETERS = ("attention.notice", "attention.unannounced", "phase_out.notice_weight",
                           "phase_out.unexplained_rise_weight")


@dataclass(frozen=True)
class DatedEvent:
    """An event of a scenario: what it is, the first month it touches customers, the parameters acting through it."""

    what: str
    month: int
    parameters: tuple[str, ...]  # dotted paths, with * for any part
    switched_off_by: str | None = None  # the flag set to false, when the scenario switches the event off

    def acts_through(self, path: str) -> bool:
        return any(fnmatchcase(path, pattern) for pattern in self.parameters)

    def happens_by(self, months: int) -> bool:
        return self.switched_off_by is None and self.month <= months


def dated_events(scenario: Scenario) -> list[DatedEvent]:
    """The downturn, on or off, and the price changes the scenario makes."""
    economy = scenario.economy
    events = [DatedEvent("the downturn", economy.downturn_month, ("economy.*", "attention.downturn_talk"),
                         None if economy.enabled else "economy.enabled")]
    for i, provider in enumerate(scenario.providers):
        change = provider.levers.price_change
        if change.month and change.change:
            own = tuple(f"providers.{key}.levers.price_change.*" for key in (i, provider.name))
            events.append(DatedEvent(f"provider {provider.name}'s price change",
                                     max(change.month - change.notice_months, 1), own + PRICE_CHANGE_PARAMETERS))
    return events


def late_events(scenario: Scenario) -> list[DatedEvent]:
    """The events switched on that start after the last month simulated, so never happen."""
    return [e for e in dated_events(scenario) if e.switched_off_by is None and e.month > scenario.market.months]


def cut_notices(scenario: Scenario) -> list[str]:
    """One line per notice longer than the months before its change: the run starts in month 1, so it gives less."""
    return [f"provider {p.name}'s price change lands in month {c.month}, and its notice would start before month "
            f"1, the first month simulated: customers get {c.month - 1} of the {c.notice_months} notice months; set "
            f"price_change.month to {c.notice_months + 1} or more for the full notice"
            for p in scenario.providers if (c := p.levers.price_change).month and c.change
            and 0 < c.month <= c.notice_months]


def warnings(scenario: Scenario) -> list[str]:
    """One line per event the run will not reach, or reach only in part."""
    months = scenario.market.months
    return [f"{e.what} starts in month {e.month}, after the last month simulated ({months}): it has no effect "
            f"in this run; use --months {e.month} or more" for e in late_events(scenario)] + cut_notices(scenario)


def inert_through(path: str, scenarios: Iterable[Scenario]) -> DatedEvent | None:
    """The late or switched-off event a parameter acts through, when it acts through no event that happens in any of
    the scenarios."""
    missed = None
    for scenario in scenarios:
        for event in dated_events(scenario):
            if event.acts_through(path):
                if event.happens_by(scenario.market.months):
                    return None
                missed = missed or event
    return missed
