"""End to end: ``churnsim app`` on a free loopback port, driven in a real headless Chromium.

Chromium comes from Debian (``.ci/run`` installs it); Playwright drives it through
``executable_path`` because Playwright's own browser download cannot work here. Outside CI
the test skips when Chromium or Playwright is missing; in CI (CI=true) it fails instead.
axe-core comes inside the axe-playwright-python package (test extras), so the accessibility
check needs no download either.
"""

from __future__ import annotations

import queue
import socket
import subprocess
import sys
import threading
import time

import pytest

from churnsim.present import style

START_SECONDS = 120
COMMAND = [sys.executable, "-c", "from churnsim.cli.main import main; main()", "app"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def mobile_app():
    """The real command on a scenario larger than the page shows: its address and what it printed.

    Waits for the line stating the customer cap, which follows the address; stops the server by its pid.
    """
    port = free_port()
    server = subprocess.Popen([*COMMAND, "mobile", "--port", str(port)], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in server.stdout], daemon=True).start()
    output: list[str] = []
    deadline = time.monotonic() + START_SECONDS
    while not any("the page shows" in line for line in output) and time.monotonic() < deadline \
            and server.poll() is None:
        try:
            output.append(lines.get(timeout=1))
        except queue.Empty:
            continue
    try:
        url = next((line.split(" is at ")[1].split()[0] for line in output if " is at " in line), None)
        assert url == f"http://127.0.0.1:{port}/", "".join(output)
        yield url, "".join(output)
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


def test_a_port_in_use_fails_at_once_in_one_line():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run([*COMMAND, "--port", str(port)], capture_output=True, text=True, timeout=120,
                              check=False)
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1 and f"port {port} is already in use" in done.stderr, done.stderr


def month_of(page) -> str:
    return page.locator('[data-panel="month"]').inner_text()


def step_to(page, month: int) -> None:
    page.get_by_role("button", name="Step").click()
    page.wait_for_function(f"""() => document.querySelector('[data-panel="month"]')
                                  ?.innerText.startsWith('Month {month} of')""", timeout=30_000)


def serious_accessibility_problems(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    found = Axe().run(page).response["violations"]
    return [f"{v['id']} ({v['impact']}): {v['nodes'][0]['target']}" for v in found
            if v["impact"] in ("serious", "critical")]


def test_a_lesson_in_the_browser(browser, mobile_app, tmp_path):
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    url, terminal = mobile_app
    assert "the page shows 400 of the mobile scenario's 10,000 customers" in terminal
    student_a = browser.new_context(viewport={"width": 1500, "height": 1300})  # a context is a fresh profile
    page = student_a.new_page()
    errors, foreign = [], []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("requestfailed", lambda r: errors.append(f"failed {r.url}"))
    page.on("request", lambda r: None if r.url.startswith((url, "data:", "blob:")) else foreign.append(r.url))
    try:
        page.goto(url)
        step = page.get_by_role("button", name="Step")
        step.wait_for(timeout=60_000)
        assert month_of(page) == "Month 0 of 60"

        # item 11: a named page, an h1, named buttons and pictures, no serious axe-core findings
        assert page.title() == "churnsim classroom: the mobile scenario"
        assert "mobile scenario" in page.locator("h1").inner_text()
        for name in ("Reset", "Play", "Step one month", "Dark theme"):
            assert page.get_by_role("button", name=name).count() == 1, name
        for name in ("network", "stages", "churn", "profit"):
            label = page.locator(f'[data-panel="{name}"] svg[role="img"]').get_attribute("aria-label")
            assert len(label.split()) > 12 and "month" in label.lower(), label
        # solara shows its busy bar whenever the model takes a while; axe skips it while hidden
        busy_bar = ".v-application--wrap > .v-progress-linear"
        page.evaluate(f"() => document.querySelector('{busy_bar}').style.visibility = 'visible'")
        page.wait_for_function(f"() => getComputedStyle(document.querySelector('{busy_bar}')).visibility == 'visible'")
        assert serious_accessibility_problems(page) == []

        # item 5: the page is the scenario it names, combined strategies and all, and says what it leaves out
        assert "400 of the mobile scenario's 10,000 customers" in page.locator('[data-panel="cap"]').inner_text()
        news = page.locator('[data-panel="news"]')
        assert "B low-effort + digital-only + digital-payment; C price-cut + spam-offers" in news.inner_text()

        # items 5 and 6: combine a strategy for A from a list that describes each one; the change waits for Reset
        page.locator(".v-select").filter(has_text="Provider A").click()
        option = page.get_by_role("option").filter(has_text="proactive-service")
        assert "tell customers before they ask" in option.inner_text()
        option.click()
        page.get_by_role("option").filter(has_text="low-effort").click()
        page.keyboard.press("Escape")
        page.get_by_text("Provider A (waits for Reset)").wait_for()
        for _ in range(3):  # a click can be lost while the page is still busy; Reset twice does no harm
            page.get_by_role("button", name="Reset").click()
            try:
                page.get_by_text("Provider A (waits for Reset)").wait_for(state="hidden", timeout=30_000)
                break
            except PlaywrightTimeout:
                continue
        news.get_by_text("A low-effort + proactive-service;").wait_for(timeout=60_000)

        # item 7: every provider's line has its own Okabe-Ito colour and its own dash pattern
        lines = page.locator('[data-panel="churn"] polyline')
        looks = {(lines.nth(i).get_attribute("stroke"), lines.nth(i).get_attribute("stroke-dasharray"))
                 for i in range(lines.count())}
        assert len(looks) == 4 and {c for c, _ in looks} == set(style.PROVIDER_COLOURS[:4])
        assert len({d for _, d in looks}) == 4

        pictures = {n: page.locator(f'[data-panel="{n}"] svg').first for n in ("network", "stages", "churn", "profit")}
        before = {n: svg.inner_html() for n, svg in pictures.items()}
        for n in range(1, 4):
            step_to(page, n)
        for name, svg in pictures.items():
            assert svg.inner_html() != before[name], f"the {name} picture did not change"

        # item 1: a second student opens at month 0, and neither moves the other's market
        student_b = browser.new_context(viewport={"width": 1200, "height": 900})
        other = student_b.new_page()
        other.goto(url)
        other.get_by_role("button", name="Step").wait_for(timeout=60_000)
        assert month_of(other) == "Month 0 of 60"
        step_to(other, 1)
        assert month_of(page) == "Month 3 of 60"
        step_to(page, 4)
        assert month_of(other) == "Month 1 of 60"
        student_b.close()
        page.reload()
        page.get_by_role("button", name="Step").wait_for(timeout=60_000)
        assert month_of(page) == "Month 0 of 60"  # a reload starts afresh

        # item 4: Play runs month after month (Mesa's Use Threads, which broke it, is gone)
        page.get_by_role("button", name="Play").click()
        page.wait_for_function("""() => document.querySelector('[data-panel="month"]')
                                  ?.innerText.startsWith('Month 2 of')""", timeout=30_000)
        page.get_by_role("button", name="Pause").click()
        shot = tmp_path / "classroom.png"
        page.screenshot(path=str(shot), full_page=True)
        print(f"screenshot: {shot}")
    finally:
        browser.close()
    assert errors == [], errors
    assert foreign == [], f"the page reached beyond the app: {foreign}"
