"""The live classroom page: ``churnsim app`` serves this module with ``solara run``.

Every browser gets its own model: ``LessonPage`` builds it inside the component, so each
session (each tab, and each reload) starts at month 0 and nobody's Step moves anyone
else's market. The page is its own layout: a header with the scenario's name, the controls
at the side (each provider's strategies, the levers' sliders with their values, Reset,
Play, Step) and the panels: the customer network, the month's news, three charts and the
explanation. The pictures are SVG text from ``churnsim.abm.lesson_svg``; nothing on the page
needs a network connection.
"""

from __future__ import annotations

import functools
import html
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import solara
import solara.lab

from churnsim.abm import lesson, lesson_svg, lesson_text
from churnsim.schema.strategies import STRATEGIES

PLAY_SECONDS = 0.7  # between months while playing: long enough to read the news line
STRATEGY_ITEMS = [{"name": s.name, "description": s.description} for s in STRATEGIES.values()]

CSS = lesson_svg.CSS + """
.cs-header{display:flex;align-items:center;gap:16px;padding:10px 20px 4px}
.cs-header h1{font-size:26px;font-weight:600;margin:0;flex:1}
.cs-cap{margin:0 20px 4px;font-size:16px}
.cs-page{display:grid;grid-template-columns:minmax(290px,350px) minmax(0,1fr);gap:20px;padding:8px 20px 20px}
.cs-controls{display:flex;flex-direction:column;gap:6px}
.cs-controls h2,.cs-panel h2{font-size:19px;font-weight:600;margin:8px 0 4px}
.cs-buttons{display:flex;gap:8px;flex-wrap:wrap}
.cs-pending{font-size:15px;font-weight:600;color:#B85000;min-height:1.4em}
.theme--dark .cs-pending{color:#F5B041}
.cs-main{display:grid;grid-template-columns:repeat(12,minmax(0,1fr));gap:20px;align-items:start}
.cs-panel{min-width:0}
.cs-network-panel{grid-column:span 8}
.cs-news{grid-column:span 4;align-self:stretch;height:0;min-height:100%;overflow-y:auto;font-size:17px}
.cs-news ol{line-height:1.5;padding-left:2.2em}
.cs-chart-panel{grid-column:span 4}
.cs-explain{grid-column:1/-1;columns:3 24em;column-gap:36px;font-size:17px;line-height:1.5}
.cs-explain h2,.cs-explain h3{break-after:avoid}
.cs-stack{display:grid}.cs-stack>*{grid-area:1/1}
.cs-chart svg,.cs-stack svg{width:100%;height:auto;display:block}
.cs-muted{opacity:.8}
@media (max-width:1500px){.cs-chart-panel{grid-column:span 6}}
@media (max-width:1100px){.cs-page{grid-template-columns:1fr}.cs-main>*{grid-column:1/-1}
  .cs-news{height:auto;max-height:480px}}
"""


@solara.component_vue(str(Path(__file__).with_name("strategy_select.vue")))
def StrategySelect(label: str, items: list, value: list, on_value: Callable[[list], None], hint: str) -> None:
    """A multi-select of strategy names whose dropdown describes each strategy."""


@solara.component_vue(str(Path(__file__).with_name("page_document.vue")))
def PageDocument() -> None:
    """Sets the document's language, lets readers zoom and names the busy bar (solara's template does none)."""


def _html(tag: str, inner: str, classes: str = "", **attributes: str) -> solara.Element:
    return solara.HTML(tag=tag, unsafe_innerHTML=inner, classes=[classes] if classes else [],
                       attributes=attributes)


def _box(tag: str, classes: str, children: list, **attributes: str) -> solara.Element:
    return solara.v.Html(tag=tag, class_=classes, children=children, attributes=attributes)


def _set_slider(update: Callable[..., None], slider: lesson.Slider, shown: float) -> None:
    update(**{slider.field: slider.stored(shown)})


def _wait_mark(waiting: bool) -> str:
    return " (waits for Reset)" if waiting else ""


@solara.component
def ControlPanel(setup: lesson.PageSetup, chosen: solara.Reactive[lesson.Controls], applied: lesson.Controls) -> None:
    """Strategies per provider, the levers' sliders and the downturn; each shows its value and
    is marked while its change waits for Reset."""
    now = chosen.value
    waiting = now.changed(applied)

    def update(**change: object) -> None:
        chosen.set(lesson.Controls(**{**now.__dict__, **change}))

    _html("h2", "Strategies")
    for i, (name, picked) in enumerate(now.strategies):
        def pick(names: list, i: int = i, name: str = name) -> None:
            order = [s for s in STRATEGIES if s in names]
            update(strategies=tuple((n, tuple(order) if k == i else c) for k, (n, c) in enumerate(now.strategies)))

        was = dict(applied.strategies)[name]
        StrategySelect(label=f"Provider {name}{_wait_mark(picked != was)}", items=STRATEGY_ITEMS,
                       value=list(picked), on_value=pick,
                       hint="no strategy: the scenario's own levers" if not picked else "")
    _html("h2", "Market")
    for slider in lesson.SLIDERS:
        value = getattr(now, slider.field)
        widget: Any = solara.SliderInt if float(slider.step).is_integer() else solara.SliderFloat
        widget(f"{slider.label}: {slider.text(value)}{_wait_mark(slider.field in waiting)}",
               value=slider.shown(value), min=slider.low, max=slider.high, step=slider.step,
               on_value=functools.partial(_set_slider, update, slider))
    solara.Checkbox(label=f"Downturn from month {setup.downturn_month}{_wait_mark('downturn' in waiting)}",
                    value=now.downturn, on_value=lambda on: update(downturn=bool(on)))
    solara.SliderInt(f"Seed: {now.seed}{_wait_mark('seed' in waiting)}", value=now.seed, min=0, max=99,
                     on_value=lambda seed: update(seed=int(seed)))


def news_panel(model: lesson.LessonModel, ts: pd.DataFrame, setup: lesson.PageSetup) -> solara.Element:
    """The month counter, what is running, and one line per month, newest first."""
    lines = "".join(f"<li>{html.escape(story)}</li>" for story in model.stories(ts))
    done = "" if model.running else " &mdash; the end: press Reset to start again"
    settings = lesson.settings_line(model.controls) if model.controls else ""
    body = (f'<h2 data-panel="month">Month {model.steps} of {setup.months}{done}</h2>'
            f'<p class="cs-muted" style="font-size:15px">{html.escape(settings)}</p>'
            f'<ol reversed>{lines}</ol>')
    return _html("section", body, "cs-panel cs-news", **{"data-panel": "news", "aria-label": "This month's news"})


def chart_panel(name: str, heading: str, svg: str, legend: str) -> solara.Element:
    return _html("section", f"<h2>{heading}</h2>{svg}{legend}", "cs-panel cs-chart-panel cs-chart",
                 **{"data-panel": name})


def panels(model: lesson.LessonModel, previous: pd.DataFrame | None, setup: lesson.PageSetup) -> None:
    """Every picture of the month; a fixed month axis and y-axes that hold from month 0."""
    ts = model.timeseries
    names = setup.providers
    prices = [p.levers.price for p in model.spec.providers]
    with _box("section", "cs-panel cs-network-panel", [], **{"data-panel": "network-panel"}):
        _html("h2", f"{model.population_size} customers and who talks to whom")
        with _box("div", "cs-stack", []):
            _html("div", lesson_svg.network_backdrop(model))
            _html("div", lesson_svg.network_picture(model), **{"data-panel": "network"})
        _html("div", lesson_svg.network_legend(names))
    news_panel(model, ts, setup)
    chart_panel("stages", "Customers per loyalty stage",
                lesson_svg.stage_chart(ts, previous, model.population_size, setup.months),
                lesson_svg.stage_legend(previous is not None))
    chart_panel("churn", "Customers lost so far", lesson_svg.churn_chart(ts, previous, setup.months),
                lesson_svg.provider_legend(names, previous is not None))
    chart_panel("profit", "Profit so far", lesson_svg.profit_chart(ts, previous, prices, setup.months),
                lesson_svg.provider_legend(names, previous is not None))
    _html("section", lesson_text.EXPLANATION, "cs-panel cs-explain", **{"data-panel": "explanation"})


@solara.component
def ThemeButton() -> None:
    dark = solara.lab.use_dark_effective()  # re-renders when the theme changes, so the name stays true
    solara.Button(icon_name="mdi-weather-sunny" if dark else "mdi-weather-night", text=True,
                  on_click=lambda: setattr(solara.lab.theme, "dark", not dark),
                  attributes={"aria-label": "Light theme" if dark else "Dark theme"})


@solara.component
def LessonPage(source: str) -> None:
    """One browser's lesson: its own controls, its own model and the run before its last Reset."""
    setup = lesson.page_setup(source)
    chosen = solara.use_reactive(setup.defaults)  # the controls as set in the sidebar
    applied = solara.use_reactive(setup.defaults)  # the controls the running model was built with
    runs = solara.use_reactive(0)  # a Reset with unchanged controls still starts afresh
    model = solara.use_memo(lambda: lesson.build_model(source, applied.value), [applied.value, runs.value])
    previous = solara.use_reactive(None)
    month = solara.use_reactive(0)
    playing = solara.use_reactive(False)

    def step() -> None:
        model.step()
        month.set(model.steps)
        if not model.running:
            playing.set(False)

    def reset() -> None:
        playing.set(False)
        previous.set(model.timeseries if model.steps else previous.value)
        applied.set(chosen.value)
        runs.set(runs.value + 1)
        month.set(0)

    def play() -> None:
        while playing.value and model.running:
            time.sleep(PLAY_SECONDS)
            if playing.value:
                step()

    solara.lab.use_task(play, dependencies=[playing.value, model], prefer_threaded=True)

    solara.Title(f"churnsim classroom: the {setup.name} scenario")
    solara.Style(CSS)
    PageDocument()
    capped = setup.customers > setup.shown
    with _box("header", "", []):
        with _box("div", "cs-header", []):
            _html("h1", f"How loyalty spreads and erodes: the {html.escape(setup.name)} scenario")
            ThemeButton()
        _html("p", (lesson.cap_note(setup.name, setup.customers).capitalize() if capped
                    else f"All {setup.customers:,} customers of the {setup.name} scenario are on the page."),
              "cs-cap", **{"data-panel": "cap"})
    with _box("div", "cs-page", []):
        with _box("aside", "cs-controls", [], **{"aria-label": "Controls"}):
            waiting = len(chosen.value.changed(applied.value))
            with _box("div", "cs-buttons", []):
                solara.Button("Reset", icon_name="mdi-restart", color="primary", on_click=reset,
                              attributes={"aria-label": "Reset: start again with the controls as set"})
                solara.Button("Pause" if playing.value else "Play",
                              icon_name="mdi-pause" if playing.value else "mdi-play", color="primary",
                              on_click=lambda: playing.set(not playing.value), disabled=not model.running,
                              attributes={"aria-label": "Pause" if playing.value else "Play"})
                solara.Button("Step", icon_name="mdi-skip-next", color="primary", on_click=step,
                              disabled=playing.value or not model.running,
                              attributes={"aria-label": "Step one month"})
            _html("p", f"{waiting} {'change waits' if waiting == 1 else 'changes wait'} for Reset" if waiting else "",
                  "cs-pending", role="status", **{"data-panel": "pending"})
            ControlPanel(setup, chosen, applied.value)
        with _box("main", "cs-main", [], **{"data-month": str(month.value)}):
            panels(model, previous.value, setup)


@solara.component
def Layout(children: list | None = None) -> None:
    """The page lays itself out: solara's default app bar would add an unnamed menu button."""
    solara.Column(children=children or [], gap="0px")


def lesson_page(source: str = "classroom") -> solara.Element:
    """A fresh page for a scenario; each rendering of it builds its own model."""
    return LessonPage(source=source)


@solara.component
def Page() -> None:
    lesson_page(os.environ.get(lesson.SCENARIO_ENV) or "classroom")
