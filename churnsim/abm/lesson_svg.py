"""The live page's pictures as SVG text, drawn from the model's monthly table and its customers.

The browser draws SVG, so a Step costs the server only some text (milliseconds, where a
matplotlib PNG of the same pictures took half a second and 400 KiB); the pictures stay sharp
at any size on a projector; their text is real text in the page's own colour, so it reads in
the dark theme; and each picture carries a description for screen readers. The network's
acquaintances never change during a run, so they are a layer of their own that the browser
receives once. Legends are HTML beside the picture, at a fixed readable size.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from churnsim.abm.lesson import LessonModel
from churnsim.present import style
from churnsim.schema.params import STAGES
from churnsim.world.population import PROSPECT

WIDTH, HEIGHT = 640, 360  # a chart's drawing units; it scales to its panel's width
LEFT, RIGHT, TOP, BOTTOM = 70, 18, 14, 52
NET_WIDTH, NET_HEIGHT, NET_MARGIN = 1000, 700, 24
DASHES = {"solid": "", "dashed": "9 5", "dashdot": "9 4 2 4", "dotted": "2 4"}
FAINT = 0.3  # the run before Reset, behind this run's lines


def _shape_points(code: str) -> list[tuple[float, float]]:
    """A provider marker's outline on a unit circle (matplotlib's marker codes, as in style)."""
    def ring(n: int, turn: float = 0.0, radii: tuple[float, ...] = (1.0,)) -> list[tuple[float, float]]:
        return [(radii[k % len(radii)] * math.sin(2 * math.pi * k / n + turn),
                 -radii[k % len(radii)] * math.cos(2 * math.pi * k / n + turn)) for k in range(n)]

    cross = [(-0.35, -1), (0.35, -1), (0.35, -0.35), (1, -0.35), (1, 0.35), (0.35, 0.35), (0.35, 1), (-0.35, 1),
             (-0.35, 0.35), (-1, 0.35), (-1, -0.35), (-0.35, -0.35)]
    shapes = {
        "s": ring(4, math.pi / 4), "^": ring(3), "D": ring(4), "v": ring(3, math.pi), "P": cross,
        "X": [(x * 0.71 - y * 0.71, x * 0.71 + y * 0.71) for x, y in cross], "h": ring(6), "p": ring(5),
        "*": ring(10, 0.0, (1.0, 0.45)), "<": ring(3, -math.pi / 2), ">": ring(3, math.pi / 2),
    }
    return shapes[code]


def marker_path(code: str, size: float) -> str:
    """SVG path data of a provider's marker, ``size`` across, centred on the origin."""
    r = size / 2
    if code == "o":
        return f"M{-r:g} 0a{r:g} {r:g} 0 1 0 {2 * r:g} 0a{r:g} {r:g} 0 1 0 {-2 * r:g} 0Z"
    scale = r * (1.15 if code in ("s", "P", "X") else 1.3)
    return "M" + "L".join(f"{x * scale:.2f} {y * scale:.2f}" for x, y in _shape_points(code)) + "Z"


# --- Charts ------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Series:
    """One line: a provider, a stage, or the run before Reset (faint)."""

    label: str
    x: np.ndarray
    y: np.ndarray
    colour: str
    dash: str = "solid"
    marker: str | None = None
    faint: bool = False


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 times a power of ten that is at least ``value`` (axes end on it)."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    return next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= value * (1 - 1e-9))


def ticks(low: float, high: float, count: int = 5) -> list[float]:
    step = nice_ceiling((high - low) / count)
    first = math.ceil(low / step - 1e-9) * step
    return [first + k * step for k in range(int((high - first) / step + 1e-9) + 1)]


def _number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 10 or value == int(value) else f"{value:g}"


def _line(series: Series, sx, sy, every: int) -> str:
    points = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in zip(series.x, series.y, strict=True))
    look = f' stroke-opacity="{FAINT}" stroke-width="1.8"' if series.faint else ' stroke-width="3"'
    if DASHES[series.dash]:
        look += f' stroke-dasharray="{DASHES[series.dash]}"'
    out = [f'<polyline points="{points}" fill="none" stroke="{series.colour}"{look} stroke-linejoin="round">'
           f"<title>{html.escape(series.label)}</title></polyline>"]
    if series.marker and not series.faint:
        shape = marker_path(series.marker, 11)
        out += [f'<path d="{shape}" transform="translate({sx(x):.1f} {sy(y):.1f})" fill="{series.colour}" '
                'stroke="white" stroke-width="1"/>' for x, y in list(zip(series.x, series.y, strict=True))[::every]]
    return "".join(out)


def chart(title: str, ylabel: str, months: int, y_range: tuple[float, float], lines: Sequence[Series],
          summary: str, areas: Sequence[tuple[str, np.ndarray, np.ndarray, np.ndarray]] = ()) -> str:
    """A chart with the month axis fixed to the whole run and the given y range.

    ``areas`` are (colour, months, lower, upper) bands drawn under the lines; ``summary``
    is what a screen reader announces instead of the picture.
    """
    low, high = y_range
    sx = lambda m: LEFT + (WIDTH - LEFT - RIGHT) * m / months  # noqa: E731
    sy = lambda v: TOP + (HEIGHT - TOP - BOTTOM) * (1 - (v - low) / (high - low))  # noqa: E731
    out = [f'<svg viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{html.escape(summary)}" '
           'class="cs-chart" font-size="17" fill="currentColor">', f"<title>{html.escape(title)}</title>"]
    for v in ticks(low, high):
        out.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{sy(v):.1f}" y2="{sy(v):.1f}" stroke="currentColor" '
                   f'stroke-opacity="{0.45 if v == 0 else 0.15}"/>'
                   f'<text x="{LEFT - 8}" y="{sy(v) + 6:.1f}" text-anchor="end">{_number(v)}</text>')
    for m in range(0, months + 1, 6 if months <= 36 else 12):  # half years or years
        out.append(f'<text x="{sx(m):.1f}" y="{HEIGHT - BOTTOM + 24}" text-anchor="middle">{_number(m)}</text>')
    out.append(f'<text x="{(LEFT + WIDTH - RIGHT) / 2}" y="{HEIGHT - 6}" text-anchor="middle">month</text>'
               f'<text transform="translate(18 {(TOP + HEIGHT - BOTTOM) / 2}) rotate(-90)" '
               f'text-anchor="middle">{html.escape(ylabel)}</text>')
    for colour, x, lower, upper in areas:
        edge = [f"{sx(a):.1f},{sy(b):.1f}" for a, b in zip(x, upper, strict=True)]
        edge += [f"{sx(a):.1f},{sy(b):.1f}" for a, b in zip(x[::-1], lower[::-1], strict=True)]
        out.append(f'<polygon points="{" ".join(edge)}" fill="{colour}" stroke="white" stroke-width="0.8"/>')
    every = max(1, math.ceil(months / 12))
    out += [_line(s, sx, sy, every) for s in sorted(lines, key=lambda s: not s.faint)]
    out.append(f'<line x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{HEIGHT - BOTTOM}" stroke="currentColor"/></svg>')
    return "".join(out)


def _key(colour: str, dash: str = "solid", marker: str | None = None, area: bool = False,
         faint: bool = False) -> str:
    if area:
        drawing = f'<rect x="4" y="3" width="26" height="14" fill="{colour}" stroke="#404040" stroke-width="0.8"/>'
    else:
        dashes = f' stroke-dasharray="{DASHES[dash]}"' if DASHES[dash] else ""
        drawing = (f'<line x1="1" x2="33" y1="10" y2="10" stroke="{colour}" stroke-width="3"'
                   f'{dashes}{f" stroke-opacity=\"{FAINT}\"" if faint else ""}/>')
        if marker:
            drawing += f'<path d="{marker_path(marker, 12)}" transform="translate(17 10)" fill="{colour}"/>'
    return f'<svg width="34" height="20" aria-hidden="true">{drawing}</svg>'


def legend(entries: Sequence[tuple[str, str]]) -> str:
    """An HTML legend: (key drawing, label) pairs at the page's legend size (16 px)."""
    items = "".join(f"<li>{key}<span>{html.escape(label)}</span></li>" for key, label in entries)
    return f'<ul class="cs-legend">{items}</ul>'


def _providers(ts: pd.DataFrame) -> list[str]:
    return list(dict.fromkeys(ts["provider"]))


def _by_provider(ts: pd.DataFrame, values: pd.Series, faint: bool, label: str = "Provider {}") -> list[Series]:
    out = []
    for j, name in enumerate(_providers(ts)):
        mine = (ts["provider"] == name).to_numpy()
        out.append(Series(label.format(name), ts["month"].to_numpy()[mine], values.to_numpy()[mine],
                          style.provider_colour(j), style.provider_dash(j), style.provider_marker(j), faint))
    return out


def provider_legend(names: Sequence[str], previous: bool) -> str:
    entries = [(_key(style.provider_colour(j), style.provider_dash(j), style.provider_marker(j)), f"Provider {n}")
               for j, n in enumerate(names)]
    if previous:
        entries.append((_key("currentColor", faint=True), "faint: the run before Reset"))
    return legend(entries)


def lost_so_far(ts: pd.DataFrame) -> pd.Series:
    """Customers each provider has lost since month 0, as % of the customers it started with."""
    start = ts[ts["month"] == 0].set_index("provider")["customers"].clip(lower=1)
    lost = ts["churned"].where(ts["month"] > 0, 0).groupby(ts["provider"], sort=False).cumsum()
    return 100 * lost / ts["provider"].map(start)


def profit_so_far(ts: pd.DataFrame) -> pd.Series:
    """Profit each provider has made since month 0, in thousands."""
    return ts.groupby("provider", sort=False)["profit"].cumsum() / 1000.0


def _latest(ts: pd.DataFrame, values: pd.Series, unit: str) -> str:
    last = ts["month"] == ts["month"].max()
    return ", ".join(f"Provider {p} {v:,.0f}{unit}" for p, v in zip(ts.loc[last, "provider"], values[last],
                                                                    strict=True))


def churn_chart(ts: pd.DataFrame, previous: pd.DataFrame | None, months: int) -> str:
    """Customers lost so far: a cumulative figure shows an effect where a monthly count shows noise.
    The axis runs to 100 % of the starting customers and only grows if a provider loses more."""
    values = lost_so_far(ts)
    ghosts = [] if previous is None else _by_provider(previous, lost_so_far(previous), faint=True)
    top = max([100.0, *(float(s.y.max()) for s in ghosts if len(s.y)), float(values.max())])
    summary = (f"Line chart of the customers each provider has lost since month 0, as a percentage of the "
               f"customers it started with, months 0 to {months}. Month {int(ts['month'].max())}: "
               f"{_latest(ts, values, ' %')}.")
    return chart("Customers lost so far", "% of starting customers", months, (0.0, nice_ceiling(top)),
                 _by_provider(ts, values, False) + ghosts, summary)


def profit_range(ts: pd.DataFrame, prices: Sequence[float], months: int,
                 previous: pd.DataFrame | None) -> tuple[float, float]:
    """A profit axis that holds from month 0: up to 80 % of what the largest provider would earn
    keeping every starting customer at list price the whole run, widened only if a run needs it."""
    start = ts[ts["month"] == 0]["customers"].to_numpy()
    top = 0.8 * float(np.max(start * np.asarray(prices))) * months / 1000.0
    shown = [profit_so_far(ts)] + ([] if previous is None else [profit_so_far(previous)])
    high = max(top, *(float(s.max()) for s in shown))
    low = min(-0.1 * high, *(float(s.min()) for s in shown))
    return -nice_ceiling(-low), nice_ceiling(high)


def profit_chart(ts: pd.DataFrame, previous: pd.DataFrame | None, prices: Sequence[float], months: int) -> str:
    """Profit each provider has made so far: delight and acquisition costs show up here."""
    values = profit_so_far(ts)
    ghosts = [] if previous is None else _by_provider(previous, profit_so_far(previous), faint=True)
    summary = (f"Line chart of the profit each provider has made since month 0, in thousand currency units, "
               f"months 0 to {months}. Month {int(ts['month'].max())}: {_latest(ts, values, ' thousand')}.")
    return chart("Profit so far", "thousand currency units", months, profit_range(ts, prices, months, previous),
                 _by_provider(ts, values, False) + ghosts, summary)


LADDER = ("embedded", "rechosen", "chosen")  # stacked from the bottom: the most loyal first


def _market(ts: pd.DataFrame) -> pd.DataFrame:
    return ts.groupby("month", sort=True).sum(numeric_only=True).reset_index()


def stage_chart(ts: pd.DataFrame, previous: pd.DataFrame | None, population: int, months: int) -> str:
    """Customers per loyalty stage in the whole market, with those looking around as a line on top."""
    market = _market(ts)
    x = market["month"].to_numpy()
    lower = np.zeros(len(market))
    areas = []
    for stage in LADDER:
        upper = lower + market[stage].to_numpy()
        areas.append((style.STAGE_COLOURS[stage], x, lower, upper))
        lower = upper
    lines = [Series("looking around", x, market["looking"].to_numpy(), style.STAGE_COLOURS["looking"], "solid", "o")]
    if previous is not None:
        before = _market(previous)
        lines += [Series("embedded before Reset", before["month"].to_numpy(), before["embedded"].to_numpy(),
                         "currentColor", "dashed", faint=True),
                  Series("looking before Reset", before["month"].to_numpy(), before["looking"].to_numpy(),
                         style.STAGE_COLOURS["looking"], "solid", faint=True)]
    last = market.iloc[-1]
    summary = (f"Stacked chart of customers per loyalty stage, months 0 to {months}. Month {int(last['month'])}: "
               + ", ".join(f"{int(last[s])} {style.STAGE_LABELS[s]}" for s in LADDER)
               + f", and {int(last['looking'])} looking around.")
    return chart("Customers per loyalty stage", "customers", months, (0.0, float(population)), lines, summary, areas)


def stage_legend(previous: bool) -> str:
    entries = [(_key(style.STAGE_COLOURS[s], area=True), style.STAGE_LABELS[s]) for s in reversed(LADDER)]
    entries.append((_key(style.STAGE_COLOURS["looking"], marker="o"), style.STAGE_LABELS["looking"]))
    if previous:
        entries += [(_key("currentColor", "dashed", faint=True), "embedded, run before Reset"),
                    (_key(style.STAGE_COLOURS["looking"], faint=True), "looking around, run before Reset")]
    return legend(entries)


# --- The customer network ----------------------------------------------------------------------------------

def node_positions(layout: np.ndarray) -> np.ndarray:
    """The layout stretched over the network picture's drawing area, keeping its proportions."""
    low, high = layout.min(axis=0), layout.max(axis=0)
    span = np.maximum(high - low, 1e-9)
    scale = min((NET_WIDTH - 2 * NET_MARGIN) / span[0], (NET_HEIGHT - 2 * NET_MARGIN) / span[1])
    centre = np.array([NET_WIDTH, NET_HEIGHT]) / 2
    return np.round(centre + (layout - (low + high) / 2) * scale, 1)


def _net_svg(body: str, label: str | None) -> str:
    name = f'role="img" aria-label="{html.escape(label)}"' if label else 'aria-hidden="true"'
    return (f'<svg viewBox="0 0 {NET_WIDTH} {NET_HEIGHT}" preserveAspectRatio="xMidYMid meet" {name} '
            f'class="cs-network">{body}</svg>')


def network_backdrop(model: LessonModel) -> str:
    """The acquaintances, as one faint layer: it never changes during a run."""
    pos = node_positions(model.layout)
    path = "".join(f"M{a[0]:g} {a[1]:g}L{b[0]:g} {b[1]:g}" for a, b in pos[model.edges])
    return _net_svg(f'<path d="{path}" stroke="#8a8a8a" stroke-width="1" stroke-opacity="0.45" fill="none"/>', None)


def _news_path(pos: np.ndarray, heard: list[tuple[int, np.ndarray, bool]], bad: bool) -> str:
    return "".join(f"M{pos[t][0]:g} {pos[t][1]:g}L{pos[w][0]:g} {pos[w][1]:g}"
                   for t, who, is_bad in heard if is_bad == bad for w in who)


def network_summary(model: LessonModel) -> str:
    provider, stage, looking, _ = model.state_columns()
    served = provider != PROSPECT
    counts = ", ".join(f"{int(np.sum(served & (stage == k)))} {style.STAGE_LABELS[s]}" for k, s in enumerate(STAGES))
    bad = sum(1 for *_, is_bad in model.heard if is_bad)
    return (f"Network of {model.population_size} customers in month {model.steps}: {counts}; "
            f"{int(np.sum(looking & served))} looking around, {int(model.switched.sum())} switched this month; "
            f"{bad} bad and {len(model.heard) - bad} good experiences told. Shapes mark providers.")


def network_picture(model: LessonModel) -> str:
    """This month's customers over the backdrop: fill = loyalty stage, shape = provider, vermillion
    ring = looking around, yellow halo = switched this month; lines = word of mouth this month."""
    pos = node_positions(model.layout)
    provider, stage, looking, _ = model.state_columns()
    defs = "".join(f'<path id="cs-m{j}" d="{marker_path(style.provider_marker(j), 17)}"/>'
                   for j in range(model.providers))
    out = [f"<defs>{defs}</defs>"]
    for x, y in pos[model.switched]:
        out.append(f'<circle cx="{x:g}" cy="{y:g}" r="19" fill="{style.SWITCHED_COLOUR}" fill-opacity="0.9"/>')
    for bad, attrs in ((False, f'stroke="{style.NEWS_COLOURS["good"]}" stroke-width="2" stroke-dasharray="7 5"'),
                       (True, f'stroke="{style.NEWS_COLOURS["bad"]}" stroke-width="3.5"')):
        path = _news_path(pos, model.heard, bad)
        if path:
            out.append(f'<path d="{path}" {attrs} fill="none" stroke-opacity="0.85"/>')
    for (x, y), j, k, ring in zip(pos, provider, stage, looking, strict=True):
        if j == PROSPECT:
            out.append(f'<circle cx="{x:g}" cy="{y:g}" r="3" class="cs-out"/>')
        else:
            out.append(f'<use href="#cs-m{j}" x="{x:g}" y="{y:g}" class="cs-s{k}{" cs-l" if ring else ""}"/>')
    return _net_svg("".join(out), network_summary(model))


def network_legend(names: Sequence[str]) -> str:
    def node(marker: str, fill: str = "white", ring: str = "#404040", width: float = 1.2) -> str:
        return (f'<svg width="34" height="20" aria-hidden="true"><path d="{marker_path(marker, 14)}" '
                f'transform="translate(17 10)" fill="{fill}" stroke="{ring}" stroke-width="{width}"/></svg>')

    entries = [(node(style.provider_marker(j)), f"Provider {n}") for j, n in enumerate(names)]
    entries += [(node("o", style.STAGE_COLOURS[s]), style.STAGE_LABELS[s]) for s in STAGES]
    entries += [(node("o", "white", style.STAGE_COLOURS["looking"], 3), "looking around (ring)"),
                (f'<svg width="34" height="20" aria-hidden="true"><circle cx="17" cy="10" r="9" '
                 f'fill="{style.SWITCHED_COLOUR}"/></svg>', "switched this month (halo)"),
                (_key(style.NEWS_COLOURS["bad"]), "bad news told"),
                (_key(style.NEWS_COLOURS["good"], "dashed"), "good news told")]
    return legend(entries)


CSS = "".join(f".cs-s{k}{{fill:{style.STAGE_COLOURS[s]}}}" for k, s in enumerate(STAGES)) + (
    ".cs-network use{stroke:#303030;stroke-width:1.2}"
    f".cs-network use.cs-l{{stroke:{style.STAGE_COLOURS['looking']};stroke-width:4.5}}"
    ".cs-out{fill:#9a9a9a}"
    ".cs-legend{list-style:none;margin:4px 0 0;padding:0;display:flex;flex-wrap:wrap;gap:2px 18px;"
    "font-size:16px;line-height:1.6}"
    ".cs-legend li{display:flex;align-items:center;gap:6px;white-space:nowrap}"
)
"""Stage fills and rings for the network, and the legends' layout: included once by the page."""
