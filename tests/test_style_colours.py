"""Colours shown together stay apart for readers with red-green colour blindness.

Each pair is compared after simulating full deuteranopia and protanopia (Machado et al.'s
model, as colorspacious implements it), in CAM02-UCS, where a difference of about 1 is just
noticeable between two large patches side by side. Thin lines and small markers need far
more than that (colour differences shrink with the size of the mark: Stone, Szafir and
Setlur 2014), so pairs must stay at least 20 apart: well clear of the ΔE 7-8 that issue 21
found between green and red, and between the old blue and purple.
"""

from __future__ import annotations

import itertools

import pytest

from churnsim.present import style
from churnsim.schema import scenario

colorspacious = pytest.importorskip("colorspacious")

MIN_DELTA_E = 20.0
SIMULATIONS = ("deuteranomaly", "protanomaly")  # at severity 100: deuteranopia and protanopia


def rgb(colour: str) -> tuple[float, float, float]:
    return tuple(int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5))


def seen_apart(a: str, b: str, deficiency: str) -> float:
    space = {"name": "sRGB1+CVD", "cvd_type": deficiency, "severity": 100}
    sim = [colorspacious.cspace_convert(rgb(c), space, "sRGB1").clip(0, 1) for c in (a, b)]
    return float(colorspacious.deltaE(*sim, input_space="sRGB1", uniform_space="CAM02-UCS"))


def most_providers() -> int:
    return max(len(scenario.load(name).scenario.providers) for name in scenario.builtin_scenarios())


# Pairs that appear in one picture: every provider of a shipped scenario in a chart's lines;
# the ladder's stages as node fills and stacked areas, with the looking-around ring and the
# switched halo drawn over them; bad against good news on the network.
GROUPS = {
    "providers": lambda: style.PROVIDER_COLOURS[:most_providers()],
    "stages and rings": lambda: (*style.STAGE_COLOURS.values(), style.SWITCHED_COLOUR),
    "news": lambda: tuple(style.NEWS_COLOURS.values()),
}


@pytest.mark.parametrize("deficiency", SIMULATIONS)
@pytest.mark.parametrize("group", GROUPS)
def test_colours_shown_together_stay_apart(group, deficiency):
    colours = GROUPS[group]()
    close = [(a, b, round(seen_apart(a, b, deficiency), 1)) for a, b in itertools.combinations(colours, 2)
             if seen_apart(a, b, deficiency) < MIN_DELTA_E]
    assert close == [], f"{group} under {deficiency}: {close}"


def test_the_old_palette_would_fail():
    """The check can fail: the issue's green 'embedded' and red 'looking around' collapse."""
    assert seen_apart("#2ca02c", "#d62728", "deuteranomaly") < MIN_DELTA_E
    assert seen_apart("#1f77b4", "#9467bd", "deuteranomaly") < MIN_DELTA_E


def test_every_provider_has_a_second_cue():
    assert len(set(style.PROVIDER_MARKERS)) == len(style.PROVIDER_MARKERS) >= len(style.PROVIDER_COLOURS)
    assert len(set(style.PROVIDER_DASHES)) >= 2
