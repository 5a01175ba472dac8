"""Browser fixtures shared by the live page's test and the report's.

Chromium comes from Debian (``.ci/run`` installs it); Playwright drives it through
``executable_path`` because Playwright's own browser download cannot work here. Outside CI a
browser test skips when Chromium or Playwright is missing; in CI (CI=true) it fails instead.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]


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


@pytest.fixture
def browser(playwright_api: Any) -> Any:
    """Debian's headless Chromium with the flags that keep it off the closed network."""
    launched = playwright_api.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
    yield launched
    launched.close()
