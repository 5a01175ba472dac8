"""The page ``churnsim report`` makes for a calibration folder, from the files the folder lists alone."""

from __future__ import annotations

import html
import shlex
from pathlib import Path
from typing import Any

import pandas as pd

from churnsim.outputs import check_listed, read_table
from churnsim.present.report import ReportError, _figure, _provenance, _table, page, png_uri


def _read(folder: Path, files: dict[str, str], name: str) -> pd.DataFrame | None:
    path = check_listed(folder, files, name)
    return read_table(path) if path is not None else None


def _number(x: float) -> str:
    return f"{x:.4g}"


def calibration_report(folder: Path, summary: dict[str, Any]) -> str:
    files = summary.get("files")
    if not isinstance(files, dict):
        raise ReportError(f"{folder / 'summary.json'}: lists no files with their hashes; calibrate again")
    parameters = _read(folder, files, "parameters.csv")
    fit = _read(folder, files, "fit.csv")
    if parameters is None or fit is None:
        raise ReportError(f"{folder}: parameters.csv or fit.csv is missing; calibrate again into this folder")
    calibration = summary["calibration"]
    rows = [[html.escape(r["path"]), _number(r["value"]), f"[{_number(r['ci_low'])}, {_number(r['ci_high'])}]",
             f"[{_number(r['low'])}, {_number(r['high'])}]", _number(r["start"]),
             "yes" if r["identified"] else f"<b>no</b>: {html.escape(r['note'])}"]
            for r in parameters.to_dict(orient="records")]
    unidentified = calibration.get("unidentified") or []
    warning = (f"<p><b>Not pinned down by these targets: {html.escape(', '.join(unidentified))}.</b> Its value "
               "is one of many that fit about as well; treat what-ifs that hinge on it with care, or add targets "
               "that speak to it.</p>") if unidentified else \
        "<p>Every free parameter is pinned down by the targets.</p>"
    fitted = [
        _table(["parameter", "fitted", "95 % interval", "searched", "scenario's value", "identified"], rows) + warning,
    ]
    correlations = _read(folder, files, "correlations.csv")
    if correlations is not None and len(correlations) > 1:
        names = list(correlations.columns[1:])
        fitted.append("<p>Correlations of the fitted values over the bootstrap (strong ones mean the targets "
                      "trade one parameter against another):</p>" + _table(
                          ["", *map(html.escape, names)],
                          [[html.escape(r["path"]), *[_number(r[n]) for n in names]]
                           for r in correlations.to_dict(orient="records")]))
    png = check_listed(folder, files, "plots/fit.png")
    plot = _figure(png_uri(png.read_bytes()), "Observed (dots) against churnsim calibrated (line, 95 % band over "
                   "seeds and data) and the sBG fitted to the same periods (dashed).") if png is not None else ""
    cohort_rows = fit[fit["period"].notna()]
    table = _table(["cohort", "period", "used for", "observed", "churnsim", "95 % band", "sBG"],
                   [[html.escape(str(r["target"])), str(int(r["period"])), r["role"], _percent(r["observed"]),
                     _percent(r["simulated"]), f"{_percent(r['band_low'])} &ndash; {_percent(r['band_high'])}",
                     _percent(r["sbg"])] for r in cohort_rows.to_dict(orient="records")], left=3)
    shares = fit[fit["period"].isna()]
    if not shares.empty:
        table += _table(["target", "observed", "churnsim", "95 % band"],
                        [[html.escape(str(r["target"])), _percent(r["observed"]), _percent(r["simulated"]),
                          f"{_percent(r['band_low'])} &ndash; {_percent(r['band_high'])}"]
                         for r in shares.to_dict(orient="records")])
    sbg = calibration.get("sbg") or {}
    baseline = _table(["cohort", "alpha", "beta", "periods fitted"],
                      [[html.escape(name), _number(v["alpha"]), _number(v["beta"]), str(v["fitted_periods"])]
                       for name, v in sbg.items()]) if sbg else "<p>No cohort table, so no sBG baseline.</p>"
    sections = [
        ("What was fitted", f"<p>Scenario <b>{html.escape(str(summary['scenario']))}</b> fitted to "
         f"<code>{html.escape(str(summary['targets']))}</code>: {summary['candidates']} candidates, each run on the "
         f"same {summary['replications']} seeds (common random numbers); loss {summary['loss']:.3g}.</p>"
         + "".join(fitted)),
        ("Observed against simulated", plot + table),
        ("The sBG baseline (Fader and Hardie 2007)", baseline),
    ]
    holdout = calibration.get("holdout")
    if holdout:
        errors = _read(folder, files, "holdout.csv")
        lines = "".join(f"<li>cohort {html.escape(name)}, periods {e['periods'][0]}&ndash;{e['periods'][-1]}: mean "
                        f"absolute error {e['churnsim']:.1f} % of the observed share for churnsim, {e['sbg']:.1f} % "
                        "for the sBG</li>" for name, e in holdout.items())
        detail = _table(["cohort", "period", "observed", "churnsim", "error", "sBG", "error"],
                        [[html.escape(str(r["target"])), str(int(r["period"])), _percent(r["observed"]),
                          _percent(r["churnsim"]), f"{100 * r['churnsim_error']:+.1f} pp", _percent(r["sbg"]),
                          f"{100 * r['sbg_error']:+.1f} pp"] for r in errors.to_dict(orient="records")]) \
            if errors is not None else ""
        sections.append((f"Projection of the {summary['holdout']} held-out periods", f"<ul>{lines}</ul>{detail}"))
    toml = shlex.quote(str(folder / "calibrated.toml"))
    sections.append(("Use the calibrated market", f"<p><code>calibrated.toml</code> is the scenario with the fitted "
                     f"values: <code>churnsim run {html.escape(toml)} --strategy A=low-effort</code> asks a what-if "
                     "of it, and an experiment file naming it as its <code>scenario</code> sweeps it.</p>"))
    sections.append(("Reproduce this calibration", _provenance(
        [("scenario", summary.get("scenario")), ("scenario hash", summary.get("scenario_hash")),
         ("calibrated scenario hash", summary.get("calibrated_hash")), ("seed", summary.get("seed")),
         ("engine", summary.get("engine")), ("churnsim", summary.get("churnsim_version"))],
        str(summary.get("command") or ""), "The same command, seed and versions give the same numbers, on any "
        "number of workers.")))
    return page(f"churnsim calibration: {summary['scenario']}", f"{len(parameters)} free parameters fitted to "
                f"{html.escape(Path(str(summary['targets'])).name)}.", sections)


def _percent(x: float) -> str:
    return f"{100 * float(x):.1f} %"
