"""Bad input as the command line reports it: one line on stderr, exit code 2, no traceback.

A module of its own so that ``churnsim.cli`` and the subcommand modules it registers can
all import it without importing each other.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from churnsim.outputs import OutputError, check_writable
from churnsim.schema.scenario import ScenarioError


class InputError(click.ClickException):
    """Bad input from the user: one line on stderr, exit code 2, no traceback."""

    exit_code = 2


def user_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """Turn the library's input errors into clean CLI errors, so no command shows a traceback for them."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except (ScenarioError, OutputError) as exc:
            raise InputError(str(exc)) from None

    return wrapper


def check_out(folder: Path) -> Path:
    """``--out`` checked before any simulation, so a folder that cannot be written fails at once, in one line."""
    try:
        return check_writable(folder)
    except OutputError as exc:
        raise InputError(f"--out {exc}") from None
