"""``churnsim app``: serve the live classroom page and say where to open it."""

from __future__ import annotations

import contextlib
import errno
import importlib.util
import ipaddress
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import click

from churnsim.cli.errors import InputError, user_errors
from churnsim.schema import scenario as scenarios

APP = Path(__file__).parents[1] / "abm" / "app.py"
STARTUP_SECONDS = 120.0


WILDCARDS = ("0.0.0.0", "::", "")
# Solara warns on every browser connection that its session cookie falls back to samesite=lax
# over plain http: true, harmless on a classroom network, and noise in the teacher's terminal.
QUIET = "ignore:Cookies with samesite=none require https:UserWarning"


def page_url(host: str, port: int) -> str:
    """The address a browser on this machine opens (a wildcard host is reached on loopback)."""
    if host in WILDCARDS:
        host = "127.0.0.1"
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


def reachable_addresses() -> list[str]:
    """This machine's IPv4 addresses that other machines can reach (loopback left out).

    The host name's addresses, plus the address of the interface that routes outwards: a
    UDP socket's connect sends nothing, it only makes the kernel pick that interface.
    """
    found: set[str] = set()
    with contextlib.suppress(OSError):
        found |= {str(info[4][0]) for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)}
    with contextlib.suppress(OSError), socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.connect(("10.254.254.254", 9))
        found.add(probe.getsockname()[0])
    return sorted(a for a in found if not ipaddress.ip_address(a).is_loopback and a != "0.0.0.0")


def student_urls(host: str, port: int) -> list[str]:
    """The addresses to tell the class: every reachable address when serving on all interfaces."""
    if host in WILDCARDS:
        return [page_url(a, port) for a in reachable_addresses()] or [page_url(host, port)]
    return [page_url(host, port)]


def check_port_free(host: str, port: int) -> None:
    """Fail in one line, before anything is printed or started, when the port is taken."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as trial:
        trial.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server will: a closing socket is no user
        try:
            trial.bind((host or "0.0.0.0", port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise InputError(f"port {port} is already in use on {host}: stop what uses it or choose "
                                 "another with --port") from None
            raise InputError(f"cannot serve on {host} port {port}: {exc.strerror}") from None


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
    customers = scenarios.load(name).scenario.market.customers  # a bad name or file is reported here
    if importlib.util.find_spec("solara") is None or importlib.util.find_spec("solara_assets") is None:
        raise InputError("the live page needs the app extra: pip install 'churnsim[app]'")
    check_port_free(host, port)
    from churnsim.abm.lesson import MAX_CUSTOMERS, SCENARIO_ENV, cap_note

    command = [sys.executable, "-m", "solara", "run", str(APP), "--production", "--no-open",
               "--host", host, "--port", str(port), "--log-level", "warning"]
    # No "made with solara" badge: it sat over the profit chart. Solara's own stdout says only that it
    # starts, at the address it listens on (0.0.0.0 is no use to a student); its errors go to stderr.
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, env={
        **os.environ, SCENARIO_ENV: name, "SOLARA_THEME_SHOW_BANNER": "False",
        "PYTHONWARNINGS": ",".join(filter(None, [os.environ.get("PYTHONWARNINGS"), QUIET]))})
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # a plain `kill` also stops the server below
    interrupted = False
    try:
        wait_until_ready(page_url(host, port), server)
        click.echo(f"churnsim app: the {name} lesson is at {' and '.join(student_urls(host, port))}  (Ctrl-C to stop)")
        if customers > MAX_CUSTOMERS:
            click.echo(f"churnsim app: {cap_note(name, customers)}")
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
