"""The lesson behind the live page: controls to scenario, the model's extra memory, the pictures and news."""

from __future__ import annotations

import inspect

import numpy as np
import pandas as pd
import pytest

from churnsim import lesson
from churnsim.scenario import load


@pytest.fixture(scope="module")
def classroom():
    return load("classroom")


def test_strategy_choices_win_over_sliders_and_scales_apply(classroom):
    controls = lesson.Controls(
        strategies=(("A", "low-effort"), ("B", "over-delivery"), ("C", "price-cut")), failure_rate=0.05,
        steps_mean=6.0, delight=0.5, price_gap=0.3, ad_pressure=1.5, reach_bad=20, reach_good=1, downturn=True)
    spec = lesson.lesson_scenario("classroom", controls)
    a, b, c = (p.levers for p in spec.providers)
    assert (a.steps_mean, b.steps_mean, c.steps_mean) == (2.0, 6.0, 6.0)  # low-effort keeps its 2 steps
    assert (a.delight, b.delight, c.delight) == (0.5, 1.0, 0.5)  # over-delivery keeps its lavish spend
    assert c.price == pytest.approx(30.0 * 0.7) and a.price == b.price == 30.0
    assert (a.ad_pressure, c.ad_pressure) == (1.5, 3.0)  # the price-cutter advertises twice as hard
    assert {p.levers.failure_rate for p in spec.providers} == {0.05}
    assert (spec.word_of_mouth.reach_bad, spec.word_of_mouth.reach_good, spec.economy.enabled) == (20, 1, True)


def test_default_controls_keep_the_scenario(classroom):
    spec = lesson.lesson_scenario("classroom", lesson.default_controls(classroom))
    shipped = classroom.scenario
    for mine, theirs in zip(spec.providers, shipped.providers, strict=True):
        assert mine.strategies == theirs.strategies
        shipped_levers = theirs.levers.model_dump()
        differ = {k for k, v in mine.levers.model_dump().items() if v != shipped_levers[k]}
        # one failure-rate slider for all: only C's deliberately higher rate in the file is evened out
        assert differ <= {"failure_rate"}
    assert spec.word_of_mouth == shipped.word_of_mouth and spec.economy == shipped.economy


def test_no_strategy_clears_a_providers_presets(classroom):
    controls = lesson.default_controls(classroom)
    controls = lesson.Controls(**{**controls.__dict__, "strategies": (("A", "none"), ("B", "none"), ("C", "none"))})
    spec = lesson.lesson_scenario("classroom", controls)
    assert all(p.strategies == () for p in spec.providers)
    assert spec.providers[0].levers.steps_mean == controls.steps_mean


def test_model_remembers_who_told_whom_and_who_switched(classroom):
    model = lesson.LessonModel(classroom.scenario, seed=3)
    for _ in range(4):
        model.step()
        month = model.timeseries[model.timeseries["month"] == model.steps]
        for bad, told, reached in ((True, "wom_bad", "wom_bad_reached"), (False, "wom_good", "wom_good_reached")):
            mine = [who for _, who, is_bad in model.heard if is_bad == bad]
            assert len(mine) == month[told].sum()
            assert sum(len(who) for who in mine) == month[reached].sum()
        assert model.switched.sum() == month["switched_out"].sum()


def test_layout_is_computed_once_per_network_and_seeded(classroom):
    first, again = lesson.LessonModel(classroom.scenario, seed=5), lesson.LessonModel(classroom.scenario, seed=5)
    other = lesson.LessonModel(classroom.scenario, seed=6)
    assert again.layout is first.layout  # the same network is laid out once, then reused
    assert first.layout.shape == (300, 2) and np.isfinite(first.layout).all()
    assert not np.allclose(other.layout, first.layout)
    assert len(first.edges) == first.csr.indices.size // 2


def test_month_story_reads_like_the_issue():
    ts = pd.DataFrame({
        "month": [3, 3, 3], "provider": ["A", "B", "C"], "customers": [100, 90, 110],
        "wom_bad": [5, 7, 0], "wom_bad_reached": [40, 57, 0], "wom_good": [0, 0, 0], "wom_good_reached": [0, 0, 0],
        "started_looking": [0, 0, 0], "churned": [0, 4, 0]})
    assert lesson.month_story(ts, 3) == "Month 3: 12 bad experiences told to 97 people; 4 customers left Provider B."
    ts.loc[0, "churned"], ts.loc[2, "started_looking"] = 1, 2
    assert lesson.month_story(ts, 3) == ("Month 3: 12 bad experiences told to 97 people; 2 customers started looking "
                                         "around; 5 customers left (1 Provider A, 4 Provider B).")


def test_page_model_takes_exactly_the_pages_inputs():
    model_class = lesson.page_model("classroom")
    signature = inspect.signature(model_class.__init__)
    assert list(signature.parameters)[1:] == list(model_class.params)
    model = model_class(strategy_1="low-effort", reach_bad=25, seed=7)
    assert model.spec.providers[1].strategies == ("low-effort",)
    assert model.spec.word_of_mouth.reach_bad == 25 and model.seed == 7
    assert "B low-effort" in lesson.settings_line(model.controls, model.seed)


def test_large_scenarios_are_capped_to_a_visible_network():
    model = lesson.page_model("electricity")()
    assert model.population_size == lesson.MAX_CUSTOMERS


def test_pictures_label_their_axes_with_units(classroom):
    model = lesson.LessonModel(classroom.scenario, seed=1)
    model.step()
    ts = model.timeseries
    for draw, unit in ((lesson.stage_chart, "customers"), (lesson.churn_chart, "customers lost that month"),
                       (lesson.profit_chart, "thousand currency units")):
        ax = draw(ts).axes[0]
        assert ax.get_xlabel() == "month" and unit in ax.get_ylabel()
    fig = lesson.draw_network(model)
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert labels[:3] == ["Provider A", "Provider B", "Provider C"] and "switched this month" in labels
