"""The live page rendered in-process (solara's test renderer): panels appear, Step advances, Reset applies controls."""

from __future__ import annotations

import time

import pytest

solara = pytest.importorskip("solara", reason="the live page needs the app extra: pip install 'churnsim[app]'")
v = pytest.importorskip("ipyvuetify")

from solara.widgets import HTML  # noqa: E402

from churnsim.abm import app  # noqa: E402

PICTURES = ("network", "stages", "churn", "profit")


def panels(rc) -> dict[str, str]:
    return {w.attributes.get("data-panel"): w.unsafe_innerHTML for w in rc.find(HTML).widgets}


def button(rc, name: str):
    return rc.find(v.Btn, attributes={"aria-label": name}).widget


@pytest.fixture
def page():
    _box, rc = solara.render(solara.AppLayout(children=[app.lesson_page("classroom")]), handle_error=False)
    yield rc
    rc.close()


def test_every_panel_renders_offline(page):
    shown = panels(page)
    assert set(shown) >= {*PICTURES, "news", "explanation", "cap"}
    for name in PICTURES:
        assert "<svg" in shown[name] and "href=\"http" not in shown[name]  # drawn in the page, nothing to fetch
    assert "Month 0 of 36" in shown["news"]
    text = shown["explanation"]
    assert "phase-out effect" in text and "Stop Trying to Delight Your Customers" in text
    assert "http" not in text


def test_step_advances_the_month_and_redraws(page):
    before = {name: panels(page)[name] for name in PICTURES}
    for _ in range(3):
        button(page, "Step one month").click()
    news = panels(page)["news"]
    assert "Month 3 of 36" in news and "Month 3:" in news and "Month 1:" in news
    for name, svg in before.items():
        assert panels(page)[name] != svg, name


def test_controls_wait_for_reset_then_apply(page):
    button(page, "Step one month").click()
    page.find(v.Slider, label="Bad news reach: 10 people").widget.v_model = 20
    assert page.find(v.Slider, label="Bad news reach: 20 people (waits for Reset)").widgets
    assert panels(page)["pending"] == "1 change waits for Reset"
    button(page, "Reset: start again with the controls as set").click()
    news = panels(page)["news"]
    assert "Month 0 of 36" in news and "bad news reach 20 people" in news
    assert not page.find(v.Slider, label="Bad news reach: 20 people (waits for Reset)").widgets
    button(page, "Step one month").click()
    assert 'stroke-opacity="0.3"' in panels(page)["churn"]  # the run before Reset, faint


def test_play_runs_month_after_month(page, monkeypatch):
    monkeypatch.setattr(app, "PLAY_SECONDS", 0.01)
    button(page, "Play").click()
    deadline = time.monotonic() + 20
    while "Month 2 of" not in panels(page)["news"] and time.monotonic() < deadline:
        time.sleep(0.05)
    button(page, "Pause").click()
    assert "Month 0 of" not in panels(page)["news"]
