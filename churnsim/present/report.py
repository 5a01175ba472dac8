"""One self-contained HTML page that explains a run or a sweep to someone who was not there.

A strategist hands the file on: it opens offline in any browser, because the plots are
embedded as base64 PNGs, the styles are inline and nothing refers to a URL. The page is
built only from what the run or sweep wrote to its folder:

* a run folder (``churnsim run``): ``summary.json`` (KPIs, provenance and the hash of every
  file), ``scenario.json``, ``timeseries.csv|parquet`` and ``plots/*.png`` (redrawn from the
  table when missing); a file whose hash is not the one in summary.json is refused;
* a sweep folder (``churnsim sweep``): the compacted tidy table ``results.parquet`` (or
  ``results.csv``) with one row per run, provider and KPI and at least the columns of
  ``SWEEP_COLUMNS``; optional columns ``point``, ``scenario`` and varied parameters; and,
  when present, ``manifest.json`` for the question, the strategies and the versions, whose
  hash of ``results.parquet`` the table must match.
"""

from __future__ import annotations

import base64
import html
import io
import shlex
import textwrap
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

import churnsim
from churnsim.experiment import analysis
from churnsim.outputs import OutputError, check_listed, read_json, read_table, write_text
from churnsim.present import plots, style
from churnsim.present.words import plural, with_article
from churnsim.schema.strategies import STRATEGIES

SWEEP_TABLES = ("results.parquet", "results.csv")
SWEEP_COLUMNS = ("strategy", "replicate", "seed", "provider", "kpi", "value")
CONFIDENCE = 0.95
PLOT_CAPTIONS = {
    "stage_shares": "Where each provider's customers stand on the loyalty ladder, month by month.",
    "churn": "Share of each provider's customers lost per month (3-month mean).",
    "retention": "Share of each provider's month-0 customers who never left.",
    "profit": "Profit each provider has made so far.",
    "market_share": "Each provider's share of all customers in the market.",
}


class ReportError(ValueError):
    """The folder is not something a report can be made from; the message says why."""


def _percent(x: float) -> str:
    return f"{100 * x:.1f} %"


# How each kind of KPI is printed, and the unit its axis says.
KINDS: dict[str, tuple[Callable[[float], str], str, float]] = {
    "share": (_percent, "%", 100.0),
    "money": (lambda x: f"{x:,.0f}", "currency units", 1.0),
    "count": (lambda x: f"{x:,.0f}", "count", 1.0),
    "number": (lambda x: f"{x:.4g}", "", 1.0),
}
# KPI name -> (what a reader calls it, its kind, is higher better?)
KPIS: dict[str, tuple[str, str, bool]] = {
    "customers_end": ("customers at the end", "count", True),
    "market_share_end": ("market share at the end", "share", True),
    "monthly_churn": ("monthly churn", "share", False),
    "annual_churn": ("annual churn", "share", False),
    "share_chosen_end": ("share chosen at the end", "share", False),
    "share_rechosen_end": ("share re-chosen at the end", "share", True),
    "share_embedded_end": ("share embedded at the end", "share", True),
    "share_looking_mean": ("share looking around (mean)", "share", False),
    "retained_of_cohort": ("month-0 customers retained", "share", True),
    "acquired": ("customers won", "count", True),
    "profit": ("profit", "money", True),
    "margin_per_customer_month": ("margin per customer and month", "money", True),
    "clv": ("customer lifetime value", "money", True),
    "wom_bad": ("bad experiences told", "count", False),
    "wom_good": ("good experiences told", "count", True),
}
RUN_SUMMARY_KEYS = ("scenario", "seed", "months", "customers", "kpis")
RUN_TABLE_KPIS = ("annual_churn", "share_embedded_end", "profit", "clv")
KEY_FIGURES = ("customers_end", "market_share_end", "annual_churn", "share_embedded_end", "share_looking_mean",
               "profit", "clv")


def kpi_label(kpi: str) -> str:
    return KPIS.get(kpi, (kpi.replace("_", " "), "number", True))[0]


def kpi_kind(kpi: str) -> str:
    return KPIS.get(kpi, ("", "number", True))[1]


def kpi_value(kpi: str, value: float) -> str:
    if value is None or np.isnan(float(value)):
        return "&ndash;"
    return KINDS[kpi_kind(kpi)][0](float(value))


def kpi_change(kpi: str, diff: float) -> str:
    """A signed difference; shares change by percentage points."""
    if np.isnan(float(diff)):
        return "&ndash;"
    if kpi_kind(kpi) == "share":
        return f"{100 * diff:+.1f} pp"
    return ("+" if diff > 0 else "") + kpi_value(kpi, diff)


# --- Building blocks -------------------------------------------------------------------------------------

def png_uri(data: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(data).decode("ascii")


def figure_uri(fig: Figure) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", metadata={"Software": None})
    plt.close(fig)
    return png_uri(buffer.getvalue())


def _figure(uri: str, caption: str) -> str:
    return (f'<figure><img src="{uri}" alt="{html.escape(caption)}">'
            f"<figcaption>{html.escape(caption)}</figcaption></figure>")


def _table(header: list[str], rows: list[list[str]], left: int = 1) -> str:
    """Text columns (the first ``left``) align left, numbers right."""
    head = "".join(f'<th{" class=l" if i < left else ""}>{h}</th>' for i, h in enumerate(header))
    body = "".join("<tr>" + "".join(f'<td{" class=l" if i < left else ""}>{c}</td>'
                                     for i, c in enumerate(row)) + "</tr>" for row in rows)
    return f'<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>'


def _swatch(colour: str) -> str:
    return f'<span class="sw" style="background:{colour}"></span>'


CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: #222;
       max-width: 1000px; margin: 2em auto; padding: 0 1.5em; line-height: 1.5; font-size: 16px; }
h1 { font-size: 1.9em; margin-bottom: 0.2em; } h2 { margin-top: 1.8em; border-bottom: 2px solid #ddd; }
.sub { color: #555; margin-top: 0; }
table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.95em; }
th, td { padding: 0.35em 0.8em; border-bottom: 1px solid #ddd; text-align: right; }
th { background: #f3f3f3; } .l { text-align: left; } td:first-child { white-space: nowrap; }
figure { margin: 1.2em 0; } figure img { max-width: 100%; border: 1px solid #eee; }
figcaption { color: #555; font-size: 0.9em; }
.sw { display: inline-block; width: 0.9em; height: 0.9em; border: 1px solid #555; vertical-align: middle;
      margin-right: 0.3em; }
.keys { display: flex; flex-wrap: wrap; gap: 0.8em; margin: 1em 0; }
.key { background: #f6f8fa; border-radius: 8px; padding: 0.6em 1em; min-width: 12em; }
.key b { display: block; font-size: 1.5em; }
code, pre { background: #f3f3f3; padding: 0.1em 0.3em; border-radius: 4px; font-size: 0.9em; }
pre { padding: 0.8em; white-space: pre-wrap; }
code, pre, td { overflow-wrap: anywhere; }
.scroll { overflow-x: auto; max-width: 100%; }
.warn { background: #fff4e5; border-left: 4px solid #b35900; padding: 0.5em 0.8em; }
@media (max-width: 600px) {
  body { margin: 1em auto; padding: 0 0.7em; font-size: 15px; }
  th, td { padding: 0.3em 0.45em; } .key { min-width: 8em; }
}
"""


def page(title: str, subtitle: str, sections: list[tuple[str, str]]) -> str:
    """The whole HTML document: inline style, no scripts, no external references."""
    made = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    body = "".join(f"<section><h2>{html.escape(head)}</h2>{content}</section>" for head, content in sections)
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{html.escape(title)}</title><style>{CSS}</style></head><body>"
            f"<h1>{html.escape(title)}</h1><p class=sub>{subtitle}</p>{body}"
            f"<p class=sub>Made by churnsim {html.escape(churnsim.__version__)} on {made}.</p></body></html>\n")


# --- A run folder ----------------------------------------------------------------------------------------

def describe_scenario(scenario: dict[str, Any]) -> str:
    """The scenario in words: the market, who competes with what strategy, which mechanisms act."""
    meta, market, net = scenario["meta"], scenario["market"], scenario["network"]
    parts = []
    if meta.get("description"):
        parts.append(f"<p>{html.escape(' '.join(meta['description'].split()))}</p>")
    network = ("customers meet at random (fully mixed)" if net["kind"] == "mixed" else
               f"each customer knows about {net['mean_degree']} others on a "
               f"{'small-world' if net['kind'] == 'small_world' else 'random'} network")
    market_kind = with_article(html.escape(meta.get("sector", "generic")))
    parts.append(f"<p>{market_kind[0].upper()}{market_kind[1:]} market of {market['customers']:,} customers "
                 f"over {plural(market['months'], 'month')} at a typical price of {market['reference_price']:g} "
                 f"a month; {network}.</p>")
    rows = []
    for j, p in enumerate(scenario["providers"]):
        lv = p["levers"]
        names = p["strategies"] or []
        told = "; ".join(f"<b>{html.escape(n)}</b>: {html.escape(STRATEGIES[n].description)}" if n in STRATEGIES
                         else html.escape(n) for n in names) or "none (the market's default way of working)"
        rows.append([f"{_swatch(style.provider_colour(j))}Provider {html.escape(p['name'])}", told,
                     f"{lv['price']:.2f}", _percent(lv["failure_rate"]), f"{lv['steps_mean']:g}",
                     f"{lv['delight']:g}"])
    parts.append(_table(["provider", "strategy", "price a month", "failures a month", "steps a contact",
                         "delight spend"], rows, left=2))
    switches = {"ladder": "loyalty ladder (chosen, re-chosen, embedded)",
                "phase_out": "phase-out effect (price exposure, looking around)",
                "service": "service failures and contacts (effort)", "word_of_mouth": "word of mouth",
                "payment": "payment friction", "offers": "offers", "rewards": "loyalty rewards"}
    on = [label for key, label in switches.items() if scenario.get(key, {}).get("enabled", True)]
    off = [label for key, label in switches.items() if not scenario.get(key, {}).get("enabled", True)]
    wom = scenario.get("word_of_mouth", {})
    text = f"Mechanisms at work: {', '.join(on)}."
    if off:
        text += f" Switched off: {', '.join(off)}."
    if wom.get("enabled", True):
        text += (f" A bad experience is told to about {wom.get('reach_bad', 10):g} people, a good one to about "
                 f"{wom.get('reach_good', 3):g}.")
    economy = scenario.get("economy", {})
    if economy.get("enabled"):
        talk = scenario.get("attention", {}).get("downturn_talk", 0.25)
        text += f" A downturn starts in month {economy['downturn_month']}: price talk makes customers compare"
        text += (f" (hazard {talk:g} a month)" if economy.get("price_sensitivity_multiplier", 1) == 1 else
                 f" (hazard {talk:g} a month) and price sensitivity is multiplied by "
                 f"{economy['price_sensitivity_multiplier']:g}") + "."
    parts.append(f"<p>{html.escape(text)}</p>")
    return "".join(parts)


def _headline(kpis: dict[str, dict[str, float]]) -> str:
    providers = {k: v for k, v in kpis.items() if k != "market"}
    lines = []
    for kpi in ("market_share_end", "annual_churn", "profit"):
        label, _, higher = KPIS[kpi]
        values = {name: figures[kpi] for name, figures in providers.items()}
        best = (max if higher else min)(values, key=values.__getitem__)
        word = "highest" if higher else "lowest"
        lines.append(f"{word} {label}: <b>Provider {html.escape(best)}</b> ({kpi_value(kpi, providers[best][kpi])})")
    market = kpis.get("market")
    intro = f"Across the market, annual churn was {_percent(market['annual_churn'])}. " if market else ""
    text = "; ".join(lines)
    return f"<p>{intro}{text[0].upper()}{text[1:]}.</p>"


def _key_figures(summary: dict[str, Any]) -> str:
    kpis = summary["kpis"]
    cards = "".join(f'<div class="key">{html.escape(kpi_label(k))}<b>{kpi_value(k, kpis["market"][k])}</b></div>'
                    for k in ("annual_churn", "share_embedded_end", "profit") if "market" in kpis)
    rows = [[(f"{_swatch(style.provider_colour(j))}Provider {html.escape(name)}" if name != "market"
              else "<b>whole market</b>"), *[kpi_value(k, values[k]) for k in KEY_FIGURES]]
            for j, (name, values) in enumerate(kpis.items())]
    band = summary.get("calibration") or {}
    note = ""
    if band and band.get("annual_churn_max", 1.0) < 1.0:
        note = (f"<p>The scenario aims at annual churn between {_percent(band['annual_churn_min'])} and "
                f"{_percent(band['annual_churn_max'])} ({html.escape(band.get('source', ''))}).</p>")
    return f'<div class="keys">{cards}</div>{_headline(kpis)}' + _table(
        ["", *[kpi_label(k) for k in KEY_FIGURES]], rows) + note


def _definitions(record: dict[str, Any]) -> str:
    """What the money and churn figures mean, as the run or sweep recorded it (currency, months, CLV horizon)."""
    told = record.get("definitions")
    if not isinstance(told, dict) or not told:
        return ("<p>This folder records no definitions (an older churnsim wrote it): money is in the scenario's "
                "currency units over the simulated months.</p>")
    rows = [[html.escape(kpi_label(k).capitalize()), html.escape(str(v))] for k, v in told.items()]
    return _table(["figure", "what it means"], rows, left=2)


def _run_plots(folder: Path, summary: dict[str, Any], files: dict[str, str]) -> str:
    pictures = []
    timeseries = None
    for name, draw in plots.PLOTS.items():
        png = check_listed(folder, files, f"plots/{name}.png")
        if png is not None:
            uri = png_uri(png.read_bytes())
        else:
            if timeseries is None:
                timeseries = _timeseries(folder, files)
                timeseries.attrs["currency"] = summary.get("currency", "currency units")
            uri = figure_uri(draw(timeseries))
        pictures.append(_figure(uri, PLOT_CAPTIONS.get(name, name.replace("_", " "))))
    return "".join(pictures)


def _timeseries(folder: Path, files: dict[str, str]) -> pd.DataFrame:
    for name in ("timeseries.parquet", "timeseries.csv"):
        path = check_listed(folder, files, name)
        if path is not None:
            return read_table(path)
    raise ReportError(f"{folder}: no plots/ and no timeseries.csv or timeseries.parquet to draw them from")


def reproduce_command(summary: dict[str, Any]) -> str:
    """The whole ``churnsim run`` line that makes the same run, every override included."""
    parts = ["churnsim", "run", str(summary.get("scenario_source") or summary["scenario"]),
             "--seed", str(summary["seed"]), "--engine", str(summary["engine"])]
    for assignment in summary["sets"]:
        parts += ["--set", assignment]
    for flag in summary["strategy_flags"]:
        parts += ["--strategy", flag]
    parts += ["--months", str(summary["months"]), "--customers", str(summary["customers"])]
    if "timeseries.parquet" in summary["files"]:
        parts += ["--format", "parquet"]
    if summary.get("events"):
        parts.append("--events")
    return shlex.join(parts)


def _run_files(folder: Path, summary: dict[str, Any]) -> dict[str, str]:
    """The files summary.json lists with their hashes: without them nothing shows that the files are one run's."""
    files = summary.get("files")
    if not isinstance(files, dict):
        raise ReportError(f"{folder / 'summary.json'}: lists no files with their hashes (an older churnsim wrote "
                          "it), so its other files cannot be checked to be from the same run; run it again")
    return files


def _provenance(rows: list[tuple[str, Any]], command: str, note: str) -> str:
    table = _table(["", ""], [[html.escape(k), f"<code>{html.escape(str(v))}</code>"] for k, v in rows
                              if v not in (None, "")], left=2)
    return f"{table}<p>{note}</p><pre>{html.escape(command)}</pre>"


def run_summary(path: Path) -> dict[str, Any]:
    """summary.json with every entry the page needs, so a file from elsewhere fails in one line, not half-way."""
    summary = read_json(path)
    missing = [key for key in RUN_SUMMARY_KEYS if key not in summary]
    if missing:
        raise ReportError(f"{path}: missing {', '.join(missing)}; a churnsim run summary has "
                          f"{', '.join(RUN_SUMMARY_KEYS)} (rerun `churnsim run` into this folder)")
    kpis = summary["kpis"]
    if not (isinstance(kpis, dict) and set(kpis) - {"market"} and all(_kpi_table(k) for k in kpis.values())):
        raise ReportError(f"{path}: kpis must hold a table per provider with the numbers {', '.join(KEY_FIGURES)}")
    return summary


def _kpi_table(table: Any) -> bool:
    return isinstance(table, dict) and all(isinstance(table.get(k), (int, float)) for k in KEY_FIGURES)


def run_report(folder: Path) -> str:
    summary = run_summary(folder / "summary.json")
    files = _run_files(folder, summary)
    scenario_file = check_listed(folder, files, "scenario.json")
    scenario = read_json(scenario_file) if scenario_file is not None else None
    name = summary.get("scenario", "run")
    strategies = summary.get("strategies") or {}
    comparison = _table(
        ["provider", "strategy", *[kpi_label(k) for k in RUN_TABLE_KPIS]],
        [[f"{_swatch(style.provider_colour(j))}Provider {html.escape(p)}",
          html.escape(", ".join(strategies.get(p, [])) or "none"),
          *[kpi_value(k, summary["kpis"][p][k]) for k in RUN_TABLE_KPIS]]
         for j, p in enumerate(k for k in summary["kpis"] if k != "market")], left=2)
    sections = [
        ("The scenario", describe_scenario(scenario) if scenario else "<p>(scenario.json is missing)</p>"),
        ("Key figures", _key_figures(summary)),
        ("What the figures mean", _definitions(summary)),
        ("Plots", _run_plots(folder, summary, files)),
        ("Strategies compared", comparison + "<p>This is one run, so there are no confidence intervals: differences "
         "of a few percent may be chance. A sweep with replications (<code>churnsim sweep</code>) gives them, and "
         "<code>churnsim report</code> on the sweep's folder shows them.</p>"),
        ("Reproduce this run", _provenance(
            [("scenario", summary.get("scenario")), ("scenario source", summary.get("scenario_source")),
             ("scenario hash", summary.get("scenario_hash")), ("seed", summary.get("seed")),
             ("engine", summary.get("engine")), ("churnsim", summary.get("churnsim_version")),
             ("mesa", summary.get("mesa_version")), ("numpy", summary.get("numpy_version"))],
            reproduce_command(summary),
            "The same scenario, overrides, seed, engine and versions give the same numbers; the scenario hash "
            "that <code>churnsim run</code> writes to summary.json must equal the one above. The folder's "
            "<code>scenario.toml</code> holds the whole scenario as it was run: <code>churnsim run "
            f"{html.escape(shlex.quote(str(folder / 'scenario.toml')))} --seed {summary['seed']} --engine "
            f"{html.escape(str(summary['engine']))}</code> makes the same run too.")),
    ]
    months, customers = summary["months"], summary["customers"]
    return page(f"churnsim report: {name}", f"One run of {customers:,} customers over {plural(months, 'month')}, seed "
                f"{summary.get('seed')}.", sections)


# --- A sweep folder --------------------------------------------------------------------------------------

def _by(results: pd.DataFrame) -> list[str]:
    """A sweep report keeps scenarios and providers apart and pools design points."""
    return [c for c in ("scenario",) if c in results.columns] + ["provider"]


def _wrap(text: str, width: int = 70) -> str:
    return "\n".join(textwrap.wrap(text, width))


def interval_figure(table: pd.DataFrame, kpi: str, providers: list[str], *, column: str = "mean",
                    currency: str = "currency units", baseline: str | None = None) -> Figure:
    """One KPI per strategy and provider with its confidence interval: the means, or (``column="diff"``) the
    paired differences from ``baseline``, on the tables' own scale (percent or points for shares, whole units)."""
    style.use()
    rows = table[table["kpi"] == kpi]
    strategies = list(dict.fromkeys(rows["strategy"]))
    fig, ax = plt.subplots(figsize=(8, 0.5 * len(strategies) * max(len(providers), 1) ** 0.5 + 2.0),
                           layout="constrained")
    offsets = np.linspace(-0.25, 0.25, len(providers)) if len(providers) > 1 else np.zeros(1)
    kind = kpi_kind(kpi)
    _, unit, scale = KINDS[kind]
    unit = currency if kind == "money" else ("pp" if kind == "share" and baseline else unit)
    for j, (provider, dy) in enumerate(zip(providers, offsets, strict=True)):
        mine = rows[rows["provider"] == provider].set_index("strategy").reindex(strategies)
        y = np.arange(len(strategies)) + dy
        err = np.vstack([mine[column] - mine["ci_low"], mine["ci_high"] - mine[column]]) * scale
        colour = "#333333" if provider == "market" else style.provider_colour(j)
        label = "whole market" if provider == "market" else f"Provider {provider}"
        ax.errorbar(mine[column] * scale, y, xerr=np.nan_to_num(err), fmt=style.provider_marker(j), ms=8,
                    capsize=4, color=colour, lw=2, label=label)
        few = mine["few"].eq(True).to_numpy()
        ax.plot(mine[column][few] * scale, y[few], style.provider_marker(j), ms=8, mfc="white", color=colour,
                zorder=3)  # above the error bar's own marker
    if baseline:
        ax.axvline(0, color="black", lw=1)
    elif kind == "share":
        low, high = ax.get_xlim()
        ax.set_xlim(max(low, 0.0), min(high, 100.0))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:,.0f}" if kind == "money" else f"{x:g}"))
    ax.set_yticks(np.arange(len(strategies)), strategies)
    ax.set_ylim(len(strategies) - 0.4, -0.6)
    ax.set_xlabel(f"{kpi_label(kpi)} ({unit})" if unit else kpi_label(kpi))
    what = f"minus {baseline} on the same seeds" if baseline else "mean"
    ax.set_title(_wrap(f"{kpi_label(kpi).capitalize()}: {what}, {CONFIDENCE:.0%} confidence interval")
                 + (f"\nhollow: fewer than {analysis.FEW} replications, a rough interval" if rows["few"].any()
                    else ""), fontsize=12)
    ax.legend(loc="best", fontsize=10)
    return fig


def _amount(kpi: str, value: float, currency: str, signed: bool = False) -> str:
    """A size of change as a sentence says it: points for shares, currency for money."""
    sign = "+" if signed else ""
    if kpi_kind(kpi) == "share":
        return f"{round(100 * value, 1) + 0.0:{sign}.1f} pp"  # + 0.0: no "-0.0"
    return f"{round(value) + 0:{sign},d}" + (f" {currency}" if kpi_kind(kpi) == "money" else "")


def verdict(row: Any, baseline: str, months: int | None, currency: str) -> str:
    """One sentence a strategist can act on, read off a paired difference and its interval.

    "Raises" or "lowers" only when the whole interval is on one side of 0; otherwise the sentence
    says that the runs cannot tell the strategy from the baseline.
    """
    who = html.escape("the market's" if row.provider == "market" else f"{row.provider}'s", quote=False)
    label = kpi_label(row.kpi)
    span = f" over {plural(months, 'month')}" if months and row.kpi == "profit" else ""  # CLV is per customer
    if row.ci_low > 0 or row.ci_high < 0:
        sign = 1 if row.ci_low > 0 else -1
        low, high = sorted((sign * row.ci_low, sign * row.ci_high))
        text = (f"<b>{html.escape(row.strategy)}</b> {'raises' if sign > 0 else 'lowers'} {who} "
                f"{label} by {_amount(row.kpi, sign * row.diff, currency)} [{_amount(row.kpi, low, currency)}; "
                f"{_amount(row.kpi, high, currency)}]{span}, against {html.escape(baseline)}")
    else:
        low, high = (_amount(row.kpi, x, currency, signed=True) for x in (row.ci_low, row.ci_high))
        text = (f"<b>{html.escape(row.strategy)}</b> does not clearly change {who} {label}: "
                f"{_amount(row.kpi, row.diff, currency, signed=True)} [{low}; {high}]{span} against "
                f"{html.escape(baseline)}, an interval that holds 0")
    return text + (f" (only {int(row.n)} paired runs: a rough interval)" if row.few else "") + "."


def _rough(few: bool) -> str:
    """The mark beside an interval from fewer than ``analysis.FEW`` replications."""
    return f" (rough: fewer than {analysis.FEW} runs)" if few else ""


def _read_sweep(folder: Path, manifest: dict[str, Any]) -> pd.DataFrame:
    """The sweep's table; with a manifest, only the one whose hash the manifest recorded."""
    name = next(n for n in SWEEP_TABLES if (folder / n).is_file())
    path = folder / name
    if manifest:
        check_listed(folder, manifest.get("files") or {}, name)
    results = read_table(path)
    missing = [c for c in SWEEP_COLUMNS if c not in results.columns]
    if missing:
        raise ReportError(f"{path}: missing columns {', '.join(missing)}; a sweep table needs "
                          f"{', '.join(SWEEP_COLUMNS)}")
    if results.empty:
        raise ReportError(f"{path}: no finished runs")
    return results


def _arm_rows(arms: list[dict[str, Any]] | dict[str, Any]) -> list[list[str]]:
    """One row per strategy arm of a sweep manifest: the providers' strategies and the settings it changes."""
    if isinstance(arms, dict):
        arms = [{"name": name, "providers": moves} for name, moves in arms.items()]
    rows = []
    for arm in arms:
        moves = [f"Provider {p}: {', '.join([names] if isinstance(names, str) else names)}"
                 for p, names in (arm.get("providers") or {}).items()]
        moves += [f"{path} = {value}" for path, value in (arm.get("sets") or {}).items()]
        rows.append([html.escape(str(arm.get("name", ""))), html.escape("; ".join(moves) or "as in the scenario")])
    return rows


def sweep_report(folder: Path) -> str:
    manifest_file = folder / "manifest.json"
    manifest = read_json(manifest_file) if manifest_file.is_file() else {}
    results = _read_sweep(folder, manifest)
    experiment = manifest.get("experiment", {})
    summary = analysis.summarize(results, by=_by(results))
    providers = list(dict.fromkeys(results["provider"]))
    focus = experiment.get("provider")
    shown = [focus] if focus in providers else providers
    replications = int(results.groupby(["strategy"])["replicate"].nunique().max())
    points = int(results["point"].nunique()) if "point" in results.columns else 1
    scenarios = list(dict.fromkeys(results["scenario"])) if "scenario" in results.columns else []
    currency = manifest.get("currency", "currency units")
    months = experiment.get("months") or manifest.get("months")

    arms = experiment.get("strategies") or {}
    words = [f"<p>{html.escape(experiment['question'])}</p>"] if experiment.get("question") else []
    words.append(f"<p>Scenario {html.escape(', '.join(scenarios) or str(experiment.get('scenario', 'unknown')))}"
                 + (f", {experiment['customers']:,} customers" if experiment.get("customers") else "")
                 + (f", {plural(months, 'month')}" if months else "")
                 + f"; {plural(results['strategy'].nunique(), 'strategy', 'strategies')}, "
                 + f"{plural(replications, 'replication')} each"
                 + (f", over {points} design points" if points > 1 else "")
                 + ", the same seeds for every strategy.</p>")
    if arms:
        words.append(_table(["strategy", "what changes against the scenario"], _arm_rows(arms), left=2))

    baseline = experiment.get("baseline") or results["strategy"].iloc[0]
    differences = (analysis.paired(results, baseline, by=_by(results)) if results["strategy"].nunique() > 1
                   else pd.DataFrame())
    answer = []
    if replications < analysis.FEW:
        answer.append(f'<p class="warn">Only {plural(replications, "replication")} per strategy: every interval '
                      f"below is a rough guess. Run at least {analysis.FEW} (<code>--replications</code>) before "
                      "acting on it.</p>")
    if not differences.empty:
        shown_differences = differences[differences["provider"].isin(shown)]
        answer.append("<ul>" + "".join(f"<li>{verdict(r, baseline, months, currency)}</li>"
                                       for r in shown_differences.itertuples()) + "</ul>")
        answer.append(f"<p>Each sentence compares a strategy with <b>{html.escape(baseline)}</b> run by run on the "
                      f"same seeds; the brackets hold the {CONFIDENCE:.0%} confidence interval of the difference.</p>")
    else:
        answer.append("<p>One strategy only: nothing to compare it with.</p>")
    tables, figures = [], []
    for kpi in dict.fromkeys(summary["kpi"]):
        if not differences.empty:
            figures.append(_figure(figure_uri(interval_figure(differences, kpi, shown, column="diff",
                                                              currency=currency, baseline=baseline)),
                                   f"{kpi_label(kpi).capitalize()}: each strategy minus {baseline} on the same "
                                   f"seeds, with its {CONFIDENCE:.0%} confidence interval; right of 0 is more."))
        else:
            figures.append(_figure(figure_uri(interval_figure(summary, kpi, shown, currency=currency)),
                                   f"{kpi_label(kpi).capitalize()} by strategy, mean over replications with its "
                                   f"{CONFIDENCE:.0%} confidence interval."))
        block = summary[(summary["kpi"] == kpi) & summary["provider"].isin(shown)]
        rows = [[html.escape(r.strategy), html.escape(r.provider), str(int(r.n)), kpi_value(kpi, r.mean),
                 f"[{kpi_value(kpi, r.ci_low)}, {kpi_value(kpi, r.ci_high)}]{_rough(r.few)}"]
                for r in block.itertuples()]
        tables.append(f"<h3>{html.escape(kpi_label(kpi).capitalize())}</h3>"
                      + _table(["strategy", "provider", "runs", "mean", f"{CONFIDENCE:.0%} CI"], rows, left=2))
        if not differences.empty:
            block = differences[(differences["kpi"] == kpi) & differences["provider"].isin(shown)]
            rows = [[html.escape(r.strategy), html.escape(r.provider), str(int(r.n)), kpi_change(kpi, r.diff),
                     f"[{kpi_change(kpi, r.ci_low)}, {kpi_change(kpi, r.ci_high)}]{_rough(r.few)}"]
                    for r in block.itertuples()]
            tables.append(_table(["strategy", "provider", "pairs", f"minus {html.escape(baseline)}",
                                  f"{CONFIDENCE:.0%} CI"], rows, left=2))
    versions = manifest.get("versions", {})
    root_seed = experiment.get("seed", manifest.get("root_entropy"))
    seeds = sorted(set(results["seed"]))
    command = ["churnsim", "sweep", manifest.get("experiment_file") or "EXPERIMENT.toml"]
    for key in ("replications", "customers", "months"):
        if experiment.get(key) is not None:
            command += [f"--{key}", str(experiment[key])]
    sections = [
        ("The answer", "".join(answer)),
        ("The experiment", "".join(words)),
        ("Strategy comparison", "".join(figures) + "".join(tables)
         + (f"<p>Differences are paired: each strategy against <b>{html.escape(baseline)}</b> on the same seeds, so "
            "chance hits both alike.</p>" if not differences.empty else "")),
        ("What the figures mean", _definitions(manifest)),
        ("Reproduce this sweep", _provenance(
            [("experiment file", manifest.get("experiment_file")), ("root seed", root_seed),
             ("scenario hash", manifest.get("scenario_hash")),
             ("run seeds", ", ".join(map(str, seeds[:6])) + (" ..." if len(seeds) > 6 else "")),
             *[(name, v) for name, v in versions.items()]],
            shlex.join([*command, "--out", str(folder)]),
            "Every run's seed is derived from the root seed, so the same experiment file and versions give the "
            "same table.")),
    ]
    runs = results[[c for c in ("scenario", "point", "strategy", "replicate") if c in results.columns]]
    runs = runs.drop_duplicates()
    title = experiment.get("name") or folder.name
    return page(f"churnsim report: {title}", f"A sweep of {plural(len(runs), 'run')}; confidence intervals over "
                "replications.", sections)


def build_report(folder: str | Path) -> str:
    """The HTML text for a run folder, a sweep folder or a calibration folder."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ReportError(f"{folder}: no such folder")
    try:
        if any((folder / n).is_file() for n in SWEEP_TABLES):
            return sweep_report(folder)
        if (folder / "summary.json").is_file():
            summary = read_json(folder / "summary.json")
            if summary.get("kind") == "calibration":
                from churnsim.calibration.report import calibration_report

                return calibration_report(folder, summary)
            return run_report(folder)
    except OutputError as exc:
        raise ReportError(str(exc)) from None
    raise ReportError(f"{folder}: neither a run folder (summary.json) nor a sweep folder "
                      f"({' or '.join(SWEEP_TABLES)})")


def write_report(folder: str | Path, out: str | Path | None = None) -> Path:
    """Write the report (default ``FOLDER/report.html``) atomically and return its path."""
    target = Path(out) if out is not None else Path(folder) / "report.html"
    return write_text(build_report(folder), target)
