"""One look for every picture: provider and stage colours, slide-sized fonts.

Plots, reports and the live page all take their colours from here, so Provider B is
the same orange everywhere and "embedded" is always the same green.
"""

from __future__ import annotations

import matplotlib as mpl

PROVIDER_COLOURS = ("#1f77b4", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf",
                    "#bcbd22", "#7f7f7f", "#393b79", "#637939", "#8c6d31", "#843c39")
STAGE_COLOURS = {"chosen": "#c6dbef", "rechosen": "#6baed6", "embedded": "#2ca02c", "looking": "#d62728"}
STAGE_LABELS = {"chosen": "chosen", "rechosen": "re-chosen", "embedded": "embedded", "looking": "looking around"}
# The live page marks providers by shape as well as colour (nodes are coloured by stage there).
PROVIDER_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "h", "p", "*", "<", ">")
NEWS_COLOURS = {"bad": "#d62728", "good": "#2ca02c"}  # word of mouth: the same red and green as the ladder
SWITCHED_COLOUR = "#ffd92f"

RC = {
    "figure.dpi": 110,
    "savefig.dpi": 110,
    "font.size": 13,
    "axes.titlesize": 15,
    "axes.labelsize": 13,
    "xtick.labelsize": 12,
    "ytick.labelsize": 12,
    "legend.fontsize": 11,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
}


def provider_colour(index: int) -> str:
    return PROVIDER_COLOURS[index % len(PROVIDER_COLOURS)]


def provider_marker(index: int) -> str:
    return PROVIDER_MARKERS[index % len(PROVIDER_MARKERS)]


def use() -> None:
    """Headless backend and the house style, before any figure is made."""
    mpl.use("Agg")
    mpl.rcParams.update(RC)
