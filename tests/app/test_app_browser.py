"""End to end: ``churnsim app`` on a free loopback port, driven in a real headless Chromium.

Chromium comes from Debian (``.ci/run`` installs it); Playwright drives it through
``executable_path`` because Playwright's own browser download cannot work here. Outside CI
the test skips when Chromium or Playwright is missing; in CI (CI=true) it fails instead.
"""

from __future__ import annotations

import os
import queue
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]
START_SECONDS = 120


def _unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"the browser test must run in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture
def playwright_api():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed (pip install -e '.[test]')")
    if not Path(CHROMIUM).is_file():
        _unavailable("Debian's chromium is not installed (apt-get install chromium)")
    with sync_playwright() as api:
        yield api


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def app_url():
    """Start the real command and wait for the address it prints; stop it by its pid afterwards."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-c", "from churnsim.cli import main; main()", "app", "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in server.stdout], daemon=True).start()
    output = []
    deadline = time.monotonic() + START_SECONDS
    url = None
    while url is None and time.monotonic() < deadline and server.poll() is None:
        try:
            line = lines.get(timeout=1)
        except queue.Empty:
            continue
        output.append(line)
        if line.startswith("churnsim app:"):
            url = line.split(" is at ")[1].split()[0]
    try:
        assert url == f"http://127.0.0.1:{port}/", "".join(output)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


def test_a_lesson_in_the_browser(playwright_api, app_url, tmp_path):
    browser = playwright_api.chromium.launch_persistent_context(  # a fresh profile for every run
        tmp_path / "profile", executable_path=CHROMIUM, args=FLAGS, viewport={"width": 1500, "height": 1300})
    page = browser.new_page()
    errors, foreign = [], []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("requestfailed", lambda r: errors.append(f"failed {r.url}"))
    page.on("request", lambda r: None if r.url.startswith((app_url, "data:", "blob:")) else foreign.append(r.url))
    try:
        page.goto(app_url)
        step = page.get_by_role("button", name="Step")
        step.wait_for(timeout=60_000)
        month = page.locator('[data-panel="month"]')
        month.wait_for()
        assert month.inner_text() == "Month 0 of 36"

        # a lesson: make Provider B low-effort and bad news travel further, then apply with Reset
        page.locator(".v-select").filter(has_text="Provider B strategy").click()
        page.get_by_role("option", name="low-effort", exact=True).click()
        reach = page.get_by_role("slider", name="Bad news reach")
        track = page.locator(".v-input").filter(has=reach).locator(".v-slider")
        box = track.bounding_box()
        track.click(position={"x": box["width"] * 0.5, "y": box["height"] / 2})  # the middle of 0-30
        page.get_by_role("button", name="Reset").click()
        news = page.locator('[data-panel="news"]')
        news.get_by_text("bad news told to 15").wait_for()
        assert "B low-effort" in news.inner_text()

        charts = {name: page.locator(f'img[data-panel="{name}"]') for name in ("network", "stages", "churn", "profit")}
        before = {name: img.get_attribute("src") for name, img in charts.items()}
        for n in range(1, 5):
            step.click()
            page.wait_for_function(f"""() => document.querySelector('[data-panel="month"]')
                                          ?.innerText.startsWith('Month {n} of')""", timeout=30_000)
        assert month.inner_text() == "Month 4 of 36"
        assert news.get_by_text("Month 4:").count() == 1
        for name, img in charts.items():
            assert img.get_attribute("src") != before[name], f"the {name} chart did not change"
        shot = tmp_path / "classroom.png"
        page.screenshot(path=str(shot), full_page=True)
        print(f"screenshot: {shot}")
        assert shot.stat().st_size > 50_000
    finally:
        browser.close()
    assert errors == [], errors
    assert foreign == [], f"the page reached beyond the app: {foreign}"
