"""``churnsim app``: serve the live classroom page and say where to open it."""

from __future__ import annotations

import importlib.util
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import click

from churnsim import scenario as scenarios
from churnsim.errors import InputError, user_errors

APP = Path(__file__).with_name("app.py")
STARTUP_SECONDS = 120.0


def page_url(host: str, port: int) -> str:
    """The address a browser on this machine opens (a wildcard host is reached on loopback)."""
    if host in ("0.0.0.0", "::", ""):
        host = "127.0.0.1"
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


def wait_until_ready(url: str, server: subprocess.Popen, timeout: float = STARTUP_SECONDS) -> None:
    """Block until solara answers ``/readyz``; fail early if the server process has died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise click.ClickException(f"the page server stopped during start-up (exit code {server.returncode})")
        try:
            with urllib.request.urlopen(url + "readyz", timeout=2) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.25)
    server.terminate()
    raise click.ClickException(f"the page server did not answer at {url} within {timeout:.0f} s")


@click.command("app")
@click.argument("scenario", required=False)
@click.option("--port", type=click.IntRange(1, 65535), default=8765, show_default=True, help="Port to serve on.")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (0.0.0.0 lets the rest of the classroom network connect).")
@user_errors
def app(scenario: str | None, port: int, host: str) -> None:
    """Serve the live classroom page for SCENARIO (default: the built-in classroom scenario).

    The page shows the customer network, live charts and an explanation for students, with
    controls for each provider's strategy and the market's levers. It needs no internet
    connection. Stop it with Ctrl-C.

    \b
    Example:
      churnsim app                        # then open http://127.0.0.1:8765/
      churnsim app mobile --port 9000     # another scenario, capped at a few hundred customers
    """
    name = scenario or "classroom"
    scenarios.load(name)  # a bad name or file is reported here, not as a blank page
    if importlib.util.find_spec("solara") is None or importlib.util.find_spec("solara_assets") is None:
        raise InputError("the live page needs the app extra: pip install 'churnsim[app]'")
    from churnsim.lesson import SCENARIO_ENV

    command = [sys.executable, "-m", "solara", "run", str(APP), "--production", "--no-open",
               "--host", host, "--port", str(port), "--log-level", "warning"]
    server = subprocess.Popen(command, env={**os.environ, SCENARIO_ENV: name})
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # a plain `kill` also stops the server below
    interrupted = False
    try:
        url = page_url(host, port)
        wait_until_ready(url, server)
        click.echo(f"churnsim app: the {name} lesson is at {url}  (Ctrl-C to stop)")
        sys.stdout.flush()
        server.wait()
    except KeyboardInterrupt:
        interrupted = True
    finally:
        if server.poll() is None:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
    if server.returncode and not interrupted:
        raise click.ClickException(f"the page server stopped with exit code {server.returncode}")
