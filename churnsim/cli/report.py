"""``churnsim report``: one self-contained HTML page from a run or sweep folder."""

from __future__ import annotations

from pathlib import Path

import click

from churnsim.cli.errors import InputError, check_out, user_errors


@click.command("report")
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the page (default: FOLDER/report.html).")
@user_errors
def report(folder: Path, out: Path | None) -> None:
    """Turn a run FOLDER (churnsim run), a sweep FOLDER (churnsim sweep) or a calibration FOLDER
    (churnsim calibrate) into one HTML page.

    The page holds the scenario in words, the key figures, the plots, the strategy comparison
    (with confidence intervals when there are replications) and what is needed to reproduce
    it. Images are embedded, so the file opens offline and can be mailed as it is.

    \b
    Example:
      churnsim run classroom --out runs/classroom && churnsim report runs/classroom
    """
    from churnsim.present.report import ReportError, write_report

    if out is not None:
        check_out(out.parent)
    try:
        written = write_report(folder, out)
    except ReportError as exc:
        raise InputError(str(exc)) from None
    click.echo(f"Wrote {written} ({written.stat().st_size / 1e6:.1f} MB, opens offline)")
