"""Every `churnsim ...` line of the README runs as written, at CI size, in README order from a fresh folder.

Sizes are appended to each line (the last value of an option wins), so the commands, their files and
their folders are the README's own; only customers, months, replications, the sensitivity designs and
check-model's sizes shrink.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner

from churnsim.abm.lesson import SCENARIO_ENV
from churnsim.cli.main import cli
from churnsim.validation.outcomes import DEFINITIONS

REPO = Path(__file__).parents[1]
SMALL_RUN = ["--customers", "100", "--months", "3"]
SMALL_SWEEP = ["--replications", "2", "--customers", "60", "--months", "12"]  # the sobol downturn starts in month 12
SMALL_CALIBRATION = ["--customers", "300", "--replications", "2", "--starts", "2", "--evaluations", "2"]


def readme_commands() -> list[str]:
    """The `churnsim` command lines of the README's bash blocks, comments dropped, in order."""
    blocks = re.findall(r"```bash\n(.*?)```", (REPO / "README.md").read_text(encoding="utf-8"), re.S)
    lines = [re.sub(r"\s+#.*$", "", line).strip() for block in blocks for line in block.splitlines()]
    return [line for line in lines if line.startswith("churnsim ")]


def tiny_facts(folder: Path) -> Path:
    """check-model's definitions with every ensemble at its smallest allowed size."""
    text = (REPO / "churnsim" / "validation" / DEFINITIONS).read_text(encoding="utf-8")
    text = re.sub(r"(?m)^((?:quick_)?runs) = \d+", r"\1 = 2", text)
    text = re.sub(r"(?m)^((?:quick_|agent_)?customers) = \d+", r"\1 = 100", text)
    path = folder / "tiny.toml"
    path.write_text(text, encoding="utf-8")
    return path


def tiny_experiments(folder: Path) -> None:
    """The experiment files with Morris and Sobol designs of 4 (trajectories, base samples): 64 Sobol
    samples alone would take two minutes of a CI's time even at the smallest sizes."""
    folder.mkdir()
    for path in (REPO / "experiments").glob("*.toml"):
        text = re.sub(r"(?m)^samples = \d+", "samples = 4", path.read_text(encoding="utf-8"))
        (folder / path.name).write_text(text, encoding="utf-8")


def ci_sized(line: str, facts: Path) -> list[str]:
    args = line.split()[1:]
    command = args[0]
    if command == "run":
        return args + SMALL_RUN
    if command == "calibrate":
        return args + SMALL_CALIBRATION
    if command == "sweep":
        return args + SMALL_SWEEP + ([] if {"--dask-local", "--scheduler"} & set(args) else ["--workers", "1"])
    if command == "check-model":
        return [*args, "--quick", "--facts", str(facts), "--runs", "2", "--customers", "100",
                "--agent-customers", "100"]
    return args


class _Server:
    """Stands in for the page server `churnsim app` starts: the command's own steps all run."""

    returncode = 0

    def __init__(self, command: list[str], env: dict[str, str], **streams: object) -> None:
        assert command[1:4] == ["-m", "solara", "run"] and env[SCENARIO_ENV]

    def poll(self) -> int:
        return 0

    def wait(self, timeout: float | None = None) -> int:
        return 0


def test_the_readme_has_the_commands_this_test_runs():
    lines = readme_commands()
    assert len(lines) >= 20
    for text in ("churnsim run my_market.toml", "churnsim report runs/quick", "churnsim check-model --quick"):
        assert any(line.startswith(text) for line in lines), text
    assert (REPO / "my_market.toml").read_text(encoding="utf-8").split("\n", 1)[1] in (REPO / "README.md").read_text(
        encoding="utf-8"), "my_market.toml is not the README's example"


def execute(args: list[str]) -> tuple[int, str, str]:
    """A README line in a shell of its own, as a user runs it (Dask's local cluster needs a process of its own)."""
    churnsim = Path(sys.executable).with_name("churnsim")
    done = subprocess.run([str(churnsim), *args], capture_output=True, text=True, timeout=900, check=False)
    return done.returncode, done.stdout, done.stderr


def expected_exit(args: list[str], stdout: str) -> int:
    """0, except check-model's verdict: 1 when a row of the table it printed fails (at toy size some may)."""
    return int(args[0] == "check-model" and "| **FAIL** |" in stdout)


@pytest.mark.slow
def test_every_readme_command_runs_as_written(tmp_path, monkeypatch):
    from churnsim.cli import app as app_cli  # after churnsim.cli.main, which imports it last

    shutil.copy(REPO / "my_market.toml", tmp_path)
    tiny_experiments(tmp_path / "experiments")
    (tmp_path / "docs").mkdir()
    facts = tiny_facts(tmp_path)
    monkeypatch.chdir(tmp_path)
    # `churnsim app` runs in here, without its server (tests/app serve the page)
    monkeypatch.setattr(app_cli, "subprocess", SimpleNamespace(Popen=_Server, TimeoutExpired=TimeoutError,
                                                               DEVNULL=subprocess.DEVNULL))
    monkeypatch.setattr(app_cli, "signal", SimpleNamespace(signal=lambda *args: None, SIGTERM=None))
    monkeypatch.setattr(app_cli, "wait_until_ready", lambda url, server: None)
    failed = []
    for line in readme_commands():
        args = ci_sized(line, facts)
        if args[0] == "app":
            result = CliRunner().invoke(cli, args)
            code, stdout, stderr = result.exit_code, result.stdout, result.stderr
        else:
            code, stdout, stderr = execute(args)
        output, expected = stdout[-300:] + stderr[-500:], expected_exit(args, stdout)
        if code != expected or "Traceback" in output:
            failed.append(f"{line}: exit {code}, expected {expected}: {output}")
        elif args[0] == "report" and not report_page(args).is_file():  # a later run replaces its folder whole
            failed.append(f"{line}: wrote no {report_page(args)}")
    assert not failed, "\n".join(failed)


def report_page(args: list[str]) -> Path:
    """Where `churnsim report FOLDER [--out FILE]` writes its page."""
    return Path(args[args.index("--out") + 1]) if "--out" in args else Path(args[1]) / "report.html"
