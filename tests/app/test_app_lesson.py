"""The lesson behind the live page: controls to scenario, the model's extra memory, the pictures and news."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from churnsim.abm import lesson
from churnsim.schema.scenario import load


@pytest.fixture(scope="module")
def classroom():
    return load("classroom")


def test_default_controls_are_the_scenario_as_shipped():
    for name in ("classroom", "mobile"):
        setup = lesson.page_setup(name)
        shipped = load(name, customers=setup.shown).scenario
        assert lesson.lesson_scenario(name, setup.defaults) == shipped  # levers, combined strategies and all


def test_sliders_shift_every_provider_and_keep_their_differences():
    setup = lesson.page_setup("mobile")
    controls = replace(setup.defaults, failure_rate=0.05, steps_mean=4.0, ad_pressure=1.5, price_gap=0.3,
                       reach_bad=20, reach_good=1, downturn=True)
    spec = lesson.lesson_scenario("mobile", controls)
    shipped = load("mobile", customers=setup.shown).scenario
    a, b, c, d = (p.levers for p in spec.providers)
    assert [p.levers.failure_rate for p in spec.providers] == pytest.approx(
        [p.levers.failure_rate + 0.02 for p in shipped.providers])  # C keeps its extra 0.5 point
    assert (a.steps_mean, b.steps_mean) == (4.0, 2.0)  # B's low-effort strategy keeps its 2 steps
    assert (a.ad_pressure, c.ad_pressure) == (1.5, 3.0)  # the price-cutter advertises twice as hard
    assert c.price == pytest.approx(shipped.providers[2].levers.price / 0.85 * 0.7)
    assert spec.providers[1].strategies == ("low-effort", "digital-only", "digital-payment")
    assert (spec.word_of_mouth.reach_bad, spec.word_of_mouth.reach_good, spec.economy.enabled) == (20, 1, True)
    assert d.failure_rate >= 0 and lesson.lesson_scenario(
        "mobile", replace(controls, failure_rate=0.0)).providers[0].levers.failure_rate == 0.0  # floored at 0


def test_strategies_combine_or_clear():
    setup = lesson.page_setup("classroom")
    chosen = (("A", ("low-effort", "proactive-service")), ("B", ()), ("C", ("price-cut",)))
    spec = lesson.lesson_scenario("classroom", replace(setup.defaults, strategies=chosen))
    assert [p.strategies for p in spec.providers] == [s for _, s in chosen]
    assert spec.providers[0].levers.proactive == 0.8 and spec.providers[1].levers.delight == 0.0
    assert "A low-effort + proactive-service; B no strategy" in lesson.settings_line(
        replace(setup.defaults, strategies=chosen))


def test_changed_controls_are_named():
    defaults = lesson.page_setup("classroom").defaults
    assert defaults.changed(replace(defaults, seed=5, reach_bad=12)) == {"seed", "reach_bad"}
    assert defaults.changed(defaults) == set()


def test_large_scenarios_are_capped_and_say_so():
    setup = lesson.page_setup("electricity")
    assert (setup.customers, setup.shown) == (10_000, lesson.MAX_CUSTOMERS)
    assert lesson.build_model("electricity", setup.defaults).population_size == lesson.MAX_CUSTOMERS
    assert "400 of the electricity scenario's 10,000 customers" in lesson.cap_note(setup.name, setup.customers)


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


def test_news_lines_are_written_once_per_month(classroom):
    model = lesson.LessonModel(classroom.scenario, seed=2)
    model.step()
    first = model.stories(model.timeseries)
    model.step()
    assert model.stories(model.timeseries)[1:] == first
    assert model.stories(model.timeseries)[0].startswith("Month 2:")
