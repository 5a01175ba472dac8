"""Writing results so that a crash or Ctrl-C never leaves a half-written file behind.

A run folder is built whole in a fresh sibling folder and then swapped in, so files of an
earlier run never sit next to a new one; ``summary.json`` lists every file with its hash,
so a reader can check that what it reads belongs to that run.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

FORMATS = ("csv", "parquet")
SUMMARY = "summary.json"
# Files churnsim writes into a run folder without listing them (the report of the run).
UNLISTED = ("report.html",)
# What a run folder held before summary.json listed its files: such a folder may still be replaced.
LEGACY_FILES = ("timeseries.csv", "timeseries.parquet", "scenario.json", "events.parquet", "plots/*.png")


class OutputError(ValueError):
    """A folder that results cannot or must not be written to, or a results file that cannot be read back or
    is not from the run it sits in; the message says why."""


def check_writable(folder: Path) -> Path:
    """Fail before a long run rather than after it when ``folder`` cannot take files.

    The folder need not exist yet: its nearest existing parent must be a folder in which a new
    folder can be made. The probe is a temporary folder, removed at once, so nothing is left behind.
    """
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise OutputError(f"{folder}: {existing} is a file, not a folder")
    try:
        tempfile.TemporaryDirectory(dir=existing).cleanup()
    except OSError as exc:
        raise OutputError(f"{folder}: cannot write in {existing} ({exc.strerror})") from None
    return folder


def atomic_write(path: Path, write: Callable[[Path], object]) -> Path:
    """Write through a temporary file in the same folder, then rename it into place.

    The file gets the permissions of any newly created file (mkstemp's are owner-only).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_table(frame: pd.DataFrame, path: Path) -> Path:
    """CSV or Parquet by suffix; byte-identical for identical frames."""
    if path.suffix == ".parquet":
        return atomic_write(path, lambda p: frame.to_parquet(p, index=False))
    return atomic_write(path, lambda p: frame.to_csv(p, index=False, lineterminator="\n"))


def read_table(path: Path) -> pd.DataFrame:
    """A table that write_table wrote; a damaged or foreign file is an OutputError naming it, not a parser's trace."""
    import pandas as pd

    try:
        return pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)
    except (OSError, ValueError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise OutputError(f"{path}: cannot be read as a table ({reason}); it is damaged or not written by churnsim") \
            from None


def write_json(data: Any, path: Path) -> Path:
    text = json.dumps(data, indent=2, sort_keys=False) + "\n"
    return atomic_write(path, lambda p: p.write_text(text))


def write_text(text: str, path: Path) -> Path:
    return atomic_write(path, lambda p: p.write_text(text))


def file_digest(path: Path) -> str:
    """A short SHA-256 of a file's bytes: what summary.json and manifest.json record for each file."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:16]


def listed_files(folder: Path) -> dict[str, str] | None:
    """The files, with their hashes, that the run in ``folder`` wrote; None if it is not a churnsim run.

    A run from before summary.json listed its files gives the names such a run wrote, as patterns.
    """
    try:
        summary = json.loads((folder / SUMMARY).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(summary, dict) or "churnsim_version" not in summary:
        return None
    return summary.get("files") or dict.fromkeys(LEGACY_FILES, "")


def read_json(path: Path) -> dict[str, Any]:
    """A JSON table churnsim wrote (summary, manifest, scenario); a damaged one is an OutputError naming it."""
    try:
        data = json.loads(path.read_bytes())
    except (ValueError, OSError) as exc:
        raise OutputError(f"{path}: not readable JSON ({str(exc).splitlines()[0]})") from None
    if not isinstance(data, dict):
        raise OutputError(f"{path}: must hold a JSON object (a table of names and values), not {type(data).__name__}")
    return data


def check_run_folder(folder: Path) -> None:
    """Refuse a folder a run may not replace: one holding anything but an earlier churnsim run's files."""
    if not folder.is_dir() or not any(folder.iterdir()):
        return
    listed = listed_files(folder)
    if listed is None:
        raise OutputError(f"{folder}: not empty and not a churnsim run (no churnsim {SUMMARY}); "
                          "choose an empty or new folder")
    known = {*listed, SUMMARY, *UNLISTED}
    for path in sorted(folder.rglob("*")):
        name = path.relative_to(folder).as_posix()
        if path.is_file() and not any(fnmatch.fnmatchcase(name, pattern) for pattern in known):
            raise OutputError(f"{folder}: holds {name}, which is not a file of the churnsim run "
                              "there; move it away or choose another folder")


def replace_folder(folder: Path, build: Callable[[Path], None]) -> None:
    """Build a folder's new content in a fresh sibling folder, then swap it in whole.

    ``build`` fills the fresh folder; if it fails, the old folder is untouched. Call
    ``check_run_folder`` first: whatever the old folder held is removed.
    """
    folder = Path(os.path.abspath(folder))  # ``.`` and ``..`` have no name to make a sibling of
    folder.parent.mkdir(parents=True, exist_ok=True)
    fresh = Path(tempfile.mkdtemp(prefix=f".{folder.name}.new-", dir=folder.parent))
    try:
        build(fresh)
        os.chmod(fresh, 0o777 & ~_umask())
        if not folder.exists():
            os.rename(fresh, folder)
            return
        old = Path(tempfile.mkdtemp(prefix=f".{folder.name}.old-", dir=folder.parent))
        os.rename(folder, old)
        try:
            os.rename(fresh, folder)
        except BaseException:
            os.rename(old, folder)
            raise
        shutil.rmtree(old)
    finally:
        if fresh.exists():
            shutil.rmtree(fresh)


def check_listed(folder: Path, files: dict[str, str], name: str) -> Path | None:
    """The path of ``name`` in a run or sweep folder if it exists; OutputError if its hash is not the recorded one."""
    path = folder / name
    if not path.is_file():
        return None
    if name not in files:
        raise OutputError(f"{path}: not listed as a file of the run in {folder}: left from another run, or that "
                          "run did not finish")
    if file_digest(path) != files[name]:
        raise OutputError(f"{path}: not the file the run in {folder} wrote (its hash differs from the recorded "
                          "one)")
    return path
