"""The pictures a strategist looks at, drawn from the tidy monthly table alone."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from churnsim import style
from churnsim.outputs import atomic_write

style.use()


def _providers(ts: pd.DataFrame) -> list[str]:
    return list(dict.fromkeys(ts["provider"]))


def stage_shares(ts: pd.DataFrame) -> Figure:
    """Where each provider's customers stand on the ladder, month by month."""
    names = _providers(ts)
    fig, axes = plt.subplots(1, len(names), figsize=(4.2 * len(names), 4), sharey=True, squeeze=False)
    for ax, name in zip(axes[0], names, strict=True):
        g = ts[ts["provider"] == name]
        total = g["customers"].clip(lower=1)
        stages = ["embedded", "rechosen", "chosen"]
        ax.stackplot(g["month"], *[g[s] / total for s in stages], colors=[style.STAGE_COLOURS[s] for s in stages],
                     labels=[style.STAGE_LABELS[s] for s in stages])
        ax.plot(g["month"], g["looking"] / total, color=style.STAGE_COLOURS["looking"], lw=2,
                label=style.STAGE_LABELS["looking"])
        ax.set_title(f"Provider {name}")
        ax.set_xlabel("month")
        ax.set_ylim(0, 1)
        ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    axes[0][0].set_ylabel("share of the provider's customers")
    axes[0][-1].legend(loc="upper right", framealpha=0.9)
    fig.suptitle("Loyalty ladder: chosen, re-chosen, embedded", fontsize=15)
    fig.tight_layout()
    return fig


def _lines(ts: pd.DataFrame, values: pd.Series, title: str, ylabel: str, percent: bool = False) -> Figure:
    fig, ax = plt.subplots(figsize=(8, 4.5))
    for j, name in enumerate(_providers(ts)):
        mask = ts["provider"] == name
        ax.plot(ts.loc[mask, "month"], values[mask], color=style.provider_colour(j), lw=2, label=f"Provider {name}")
    ax.set_title(title)
    ax.set_xlabel("month")
    ax.set_ylabel(ylabel)
    if percent:
        ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.legend()
    fig.tight_layout()
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
    cumulative = ts.groupby("provider", sort=False)["profit"].cumsum() / 1000.0
    return _lines(ts, cumulative, "Cumulative profit", "cumulative profit (thousand currency units)")


def market_share(ts: pd.DataFrame) -> Figure:
    total = ts.groupby("month")["customers"].transform("sum").clip(lower=1)
    return _lines(ts, ts["customers"] / total, "Market share", "share of customers in the market", percent=True)


PLOTS = {"stage_shares": stage_shares, "churn": churn, "retention": retention, "profit": profit,
         "market_share": market_share}


def write_plots(ts: pd.DataFrame, folder: Path) -> list[Path]:
    """Every standard plot as a PNG in `folder`, each written atomically."""
    paths = []
    for name, draw in PLOTS.items():
        fig = draw(ts)
        paths.append(atomic_write(folder / f"{name}.png", lambda p, f=fig: f.savefig(p, format="png",
                                                                                      metadata={"Software": None})))
        plt.close(fig)
    return paths
