"""One look for every picture: provider and stage colours, slide-sized fonts.

Plots, reports and the live page all take their colours from here, so Provider B is
the same orange everywhere and "embedded" is always the same dark blue.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import matplotlib as mpl

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

# Okabe and Ito's colour-blind-safe palette, ordered so that the first five stay at least
# 20 CAM02-UCS apart under simulated deuteranopia and protanopia (tests/test_style_colours.py);
# every picture adds a second cue (marker, line style or shape), so the colours never carry
# a distinction alone.
PROVIDER_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#56B4E9", "#000000", "#D55E00", "#CC79A7", "#F0E442")
# The ladder is a light-to-dark ramp, so its order survives any colour vision and greyscale.
STAGE_COLOURS = {"chosen": "#CDE7F7", "rechosen": "#56B4E9", "embedded": "#0072B2", "looking": "#D55E00"}
STAGE_LABELS = {"chosen": "chosen", "rechosen": "re-chosen", "embedded": "embedded", "looking": "looking around"}
PROVIDER_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "h", "p", "*", "<", ">")
PROVIDER_DASHES = ("solid", "dashed", "dashdot", "dotted")  # the second cue for providers' lines
# Word of mouth: bad news is a thick solid vermillion line, good news a thin dashed blue one.
NEWS_COLOURS = {"bad": "#D55E00", "good": "#0072B2"}
SWITCHED_COLOUR = "#F0E442"

RC: dict[RcKeyType, Any] = {
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


def provider_dash(index: int) -> str:
    return PROVIDER_DASHES[index % len(PROVIDER_DASHES)]


def use() -> None:
    """Headless backend and the house style, before any figure is made."""
    mpl.use("Agg")
    mpl.rcParams.update(RC)
