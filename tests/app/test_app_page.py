"""The live page rendered in-process (solara's test renderer): panels appear, Step advances, Reset applies controls."""

from __future__ import annotations

import pytest

solara = pytest.importorskip("solara", reason="the live page needs the app extra: pip install 'churnsim[app]'")
v = pytest.importorskip("ipyvuetify")

from solara.widgets import HTML  # noqa: E402

from churnsim import app  # noqa: E402


def panels(rc) -> dict[str, HTML]:
    return {w.attributes.get("data-panel"): w for w in rc.find(HTML).widgets}


def picture(rc, name: str) -> str:
    return panels(rc)[name].attributes["src"]


@pytest.fixture
def page():
    _box, rc = solara.render(solara.AppLayout(children=[app.lesson_page("classroom")]), handle_error=False)
    yield rc
    rc.close()


def test_every_panel_renders_offline(page):
    shown = panels(page)
    assert set(shown) >= {"network", "stages", "churn", "profit", "news", "explanation"}
    for name in ("network", "stages", "churn", "profit"):
        assert shown[name].attributes["src"].startswith("data:image/png;base64,")  # no file or URL to fetch
    assert "Month 0 of 36" in shown["news"].unsafe_innerHTML
    text = shown["explanation"].unsafe_innerHTML
    assert "phase-out effect" in text and "Stop Trying to Delight Your Customers" in text
    assert "http" not in text


def test_step_advances_the_month_and_redraws(page):
    before = {name: picture(page, name) for name in ("network", "stages", "churn", "profit")}
    step = page.find(v.Btn, children=["Step"])
    for _ in range(3):
        step.widget.click()
    news = panels(page)["news"].unsafe_innerHTML
    assert "Month 3 of 36" in news and "Month 3:" in news and "Month 1:" in news
    for name, src in before.items():
        assert picture(page, name) != src, name


def test_reset_rebuilds_the_model_from_the_controls(page):
    page.find(v.Btn, children=["Step"]).widget.click()
    page.find(v.Slider, label="Bad news reach").widget.v_model = 20
    page.find(v.Select, label="Provider B strategy").widget.v_model = "low-effort"
    page.find(v.Btn, children=["Reset"]).widget.click()
    news = panels(page)["news"].unsafe_innerHTML
    assert "Month 0 of 36" in news
    assert "B low-effort" in news and "bad news told to 20" in news
