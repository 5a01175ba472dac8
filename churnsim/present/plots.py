"""The pictures a strategist looks at, drawn from the tidy monthly table alone."""

from __future__ import annotations

import functools
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, PercentFormatter

from churnsim.outputs import atomic_write
from churnsim.present import style

style.use()


def _providers(ts: pd.DataFrame) -> list[str]:
    return list(dict.fromkeys(ts["provider"]))


def stage_shares(ts: pd.DataFrame) -> Figure:
    """Where each provider's customers stand on the ladder, month by month: two providers a row, legend below."""
    names = _providers(ts)
    cols = min(len(names), 2)
    rows = -(-len(names) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(6.2 * cols, 4.0 * rows + 1.0), sharey=True, squeeze=False,
                             layout="constrained")
    stages = ["embedded", "rechosen", "chosen"]
    for ax, name in zip(axes.flat, names, strict=False):
        g = ts[ts["provider"] == name]
        total = g["customers"].clip(lower=1)
        ax.stackplot(g["month"], *[g[s] / total for s in stages], colors=[style.STAGE_COLOURS[s] for s in stages],
                     labels=[style.STAGE_LABELS[s] for s in stages])
        ax.plot(g["month"], g["looking"] / total, color=style.STAGE_COLOURS["looking"], lw=2.5, ls="--",
                label=style.STAGE_LABELS["looking"])
        ax.set_title(f"Provider {name}")
        ax.set_xlabel("month")
        ax.set_ylim(0, 1)
        ax.margins(x=0)
        ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    for ax in axes.flat[len(names):]:
        ax.set_visible(False)
    for ax in axes[:, 0]:
        ax.set_ylabel("share of the provider's customers")
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=len(labels), frameon=False)
    fig.suptitle("Loyalty ladder: chosen, re-chosen, embedded", fontsize=15)
    return fig


def _lines(ts: pd.DataFrame, values: pd.Series, title: str, ylabel: str, percent: bool = False) -> Figure:
    fig, ax = plt.subplots(figsize=(8, 4.5), layout="constrained")
    for j, name in enumerate(_providers(ts)):
        mask = ts["provider"] == name
        months = ts.loc[mask, "month"]
        ax.plot(months, values[mask], color=style.provider_colour(j), lw=2, label=f"Provider {name}",
                marker=style.provider_marker(j), markevery=max(len(months) // 12, 1), ms=6)
    ax.set_title(title)
    ax.set_xlabel("month")
    ax.set_ylabel(ylabel)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0) if percent else FuncFormatter(lambda x, _: f"{x:,.0f}"))
    ax.legend()
    return fig


def churn(ts: pd.DataFrame) -> Figure:
    """Monthly churn per provider, smoothed over three months so trends show through noise."""
    rate = (ts["churned"] / ts["billed"].where(ts["billed"] > 0)).fillna(0.0)
    smooth = rate.groupby(ts["provider"]).transform(lambda s: s.rolling(3, min_periods=1).mean())
    return _lines(ts[ts["month"] > 0], smooth[ts["month"] > 0], "Churn per provider (3-month mean)",
                  "share of customers lost per month", percent=True)


def retention(ts: pd.DataFrame) -> Figure:
    """Share of each provider's month-0 customers who never left."""
    return _lines(ts, ts["retained"] / ts["cohort"].clip(lower=1), "Retention of the month-0 customers",
                  "still with the provider", percent=True)


def profit(ts: pd.DataFrame) -> Figure:
    """Profit so far, in whole units of the table's currency (``ts.attrs``), the scale of the report's tables."""
    cumulative = ts.groupby("provider", sort=False)["profit"].cumsum()
    return _lines(ts, cumulative, "Cumulative profit",
                  f"cumulative profit ({ts.attrs.get('currency', 'currency units')})")


def market_share(ts: pd.DataFrame) -> Figure:
    total = ts.groupby("month")["customers"].transform("sum").clip(lower=1)
    return _lines(ts, ts["customers"] / total, "Market share", "share of customers in the market", percent=True)


PLOTS = {"stage_shares": stage_shares, "churn": churn, "retention": retention, "profit": profit,
         "market_share": market_share}


def write_plots(ts: pd.DataFrame, folder: Path) -> list[Path]:
    """Every standard plot as a PNG in `folder`, each written atomically."""
    return [save(draw(ts), folder / f"{name}.png") for name, draw in PLOTS.items()]


def save(fig: Figure, path: Path) -> Path:
    """A PNG written atomically (no software stamp, so the same figure gives the same bytes), the figure closed."""
    atomic_write(path, functools.partial(fig.savefig, format="png", metadata={"Software": None}))
    plt.close(fig)
    return path
