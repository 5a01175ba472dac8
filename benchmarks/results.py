"""Where the benchmarks leave their figures: a section per command in benchmarks/RESULTS.md.

A benchmark prints as it goes; when it finishes, ``recorded`` replaces that command's section
of RESULTS.md with what it printed, stamped with the date, the commit, the churnsim version
and the machine. The README points to that file instead of copying figures by hand, so a
quoted figure always comes with the command and the code that produced it.
"""

from __future__ import annotations

import contextlib
import datetime
import io
import os
import platform
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

RESULTS = Path(__file__).with_name("RESULTS.md")
HEADER = ("# Benchmark results\n\nWritten by the scripts in this folder, one section per command, each replaced when "
          "the command runs again. The machine is often shared, so each section gives the load beside its figures.\n")


class _Tee(io.TextIOBase):
    def __init__(self, *streams: TextIO) -> None:
        self.streams = streams

    def write(self, text: str) -> int:
        for stream in self.streams:
            stream.write(text)
        return len(text)

    def flush(self) -> None:
        for stream in self.streams:
            stream.flush()


def _commit() -> str:
    try:
        out = subprocess.run(["git", "describe", "--always", "--dirty"], capture_output=True, text=True, check=True,
                             cwd=Path(__file__).parent)
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return out.stdout.strip()


def _stamp() -> str:
    import churnsim

    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (f"{datetime.date.today().isoformat()}, commit {_commit()}, churnsim {churnsim.__version__}, "
            f"Python {platform.python_version()}, {os.cpu_count()} cores, load average before the run {load}")


def replace_section(document: str, title: str, body: str) -> str:
    """The document with the section headed ``## title`` replaced by ``body`` (appended if new)."""
    section = f"## `{title}`\n\n{body.rstrip()}\n"
    pattern = re.compile(rf"^## `{re.escape(title)}`\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(document):
        return pattern.sub(lambda _: section + "\n", document, count=1).rstrip() + "\n"
    return (document.rstrip() + "\n\n" + section) if document.strip() else HEADER + "\n" + section


@contextlib.contextmanager
def recorded() -> Iterator[None]:
    """Print as usual and, if the benchmark completes, record its output under its command line."""
    title = shlex.join(["python", f"benchmarks/{Path(sys.argv[0]).name}", *sys.argv[1:]])
    stamp = _stamp()
    buffer = io.StringIO()
    with contextlib.redirect_stdout(_Tee(sys.stdout, buffer)):
        yield
    from churnsim.outputs import write_text

    old = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else ""
    write_text(replace_section(old, title, f"{stamp}\n\n```\n{buffer.getvalue().rstrip()}\n```"), RESULTS)
    print(f"recorded in {RESULTS}")
