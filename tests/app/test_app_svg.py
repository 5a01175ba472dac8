"""The live page's pictures: axes that hold from month 0, the run before Reset, descriptions, cheap layers."""

from __future__ import annotations

import re

import pytest

from churnsim.abm import lesson, lesson_svg


@pytest.fixture(scope="module")
def run():
    setup = lesson.page_setup("classroom")
    model = lesson.build_model("classroom", setup.defaults)
    tables = [model.timeseries]
    for _ in range(3):
        model.step()
        tables.append(model.timeseries)
    return setup, model, tables


def y_labels(svg: str) -> list[str]:
    return re.findall(r'text-anchor="end">([^<]+)<', svg)


def test_axes_hold_from_month_0(run):
    setup, model, tables = run
    prices = [p.levers.price for p in model.spec.providers]
    for draw in (lambda ts: lesson_svg.churn_chart(ts, None, setup.months),
                 lambda ts: lesson_svg.stage_chart(ts, None, model.population_size, setup.months),
                 lambda ts: lesson_svg.profit_chart(ts, None, prices, setup.months)):
        first, later = draw(tables[0]), draw(tables[-1])
        assert y_labels(first) == y_labels(later) and len(y_labels(first)) >= 3
        assert ">36</text>" in first  # the month axis spans the whole run from the start
    assert y_labels(lesson_svg.churn_chart(tables[0], None, setup.months))[-1] == "100"


def test_the_run_before_reset_is_drawn_faint(run):
    setup, _, tables = run
    svg = lesson_svg.churn_chart(tables[1], tables[-1], setup.months)
    assert svg.count(f'stroke-opacity="{lesson_svg.FAINT}"') == 3  # one faint line per provider
    assert "the run before Reset" in lesson_svg.provider_legend(setup.providers, previous=True)


def test_pictures_describe_themselves(run):
    setup, model, tables = run
    label = re.search(r'aria-label="([^"]+)"', lesson_svg.churn_chart(tables[-1], None, setup.months)).group(1)
    assert label.startswith("Line chart of the customers each provider has lost") and "Month 3: Provider A" in label
    assert f"Network of 300 customers in month {model.steps}" in lesson_svg.network_picture(model)


def test_the_network_backdrop_is_one_layer_that_steps_leave_alone(run):
    _, model, _ = run
    backdrop, picture = lesson_svg.network_backdrop(model), lesson_svg.network_picture(model)
    assert backdrop.count("<path") == 1 and backdrop.count("L") == len(model.edges)
    assert picture.count("<use ") == sum(1 for j in model.state_columns()[0] if j >= 0)
    model.step()
    assert lesson_svg.network_backdrop(model) == backdrop and lesson_svg.network_picture(model) != picture


def test_nice_axis_ends():
    assert [lesson_svg.nice_ceiling(v) for v in (0.0, 0.7, 3, 101, 240, 260)] == [1, 1, 5, 200, 250, 500]
    assert lesson_svg.ticks(0, 300) == [0, 100, 200, 300] and lesson_svg.ticks(-25, 250) == [0, 100, 200]
