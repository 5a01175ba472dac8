"""Pictures of a sweep's analysis, drawn from the analysis tables alone, in the house style."""

from __future__ import annotations

from collections.abc import Callable

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from churnsim.experiment.analysis import FEW
from churnsim.present import style

style.use()


def _colour(strategies: list[str], name: str) -> str:
    return style.provider_colour(strategies.index(name))


def _grid(count: int) -> tuple[Figure, list[Axes]]:
    cols = 2 if count == 4 else min(count, 3)
    rows = -(-count // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(5.2 * cols, 4.2 * rows), squeeze=False)
    for ax in axes.flat[count:]:
        ax.set_visible(False)
    return fig, list(axes.flat)


def _few_note(table: pd.DataFrame) -> str:
    """The caption line that explains hollow markers, when there are any."""
    return f"\nhollow: fewer than {FEW} replications, a rough interval" if table["few"].any() else ""


def kpis_by_strategy(summary: pd.DataFrame, labels: pd.Series, title: str) -> Figure:
    """Mean of each KPI per strategy with its confidence interval; one group per design point."""
    kpis = list(dict.fromkeys(summary["kpi"]))
    strategies = list(dict.fromkeys(summary["strategy"]))
    points = list(dict.fromkeys(summary["point"]))
    fig, axes = _grid(len(kpis))
    width = 0.8 / len(strategies)
    for ax, kpi in zip(axes, kpis, strict=False):
        rows = summary[summary["kpi"] == kpi]
        for j, name in enumerate(strategies):
            r = rows[rows["strategy"] == name].set_index("point").reindex(points)
            x = np.arange(len(points)) + (j - (len(strategies) - 1) / 2) * width
            err = np.vstack([r["mean"] - r["ci_low"], r["ci_high"] - r["mean"]])
            ax.errorbar(x, r["mean"], yerr=err, fmt="o", capsize=4, color=_colour(strategies, name), label=name)
            few = r["few"].eq(True).to_numpy()
            ax.plot(x[few], r["mean"][few], "o", mfc="white", color=_colour(strategies, name), zorder=3)
        ax.set_xticks(range(len(points)), [labels.get(p, str(p)) for p in points],
                      rotation=30 if len(points) > 3 else 0, ha="right" if len(points) > 3 else "center")
        ax.set_title(kpi)
    axes[0].legend(title="strategy", fontsize=9)
    fig.suptitle(f"{title}: mean and 95% confidence interval" + _few_note(summary), fontsize=14)
    fig.tight_layout()
    return fig


def paired_differences(paired: pd.DataFrame, labels: pd.Series, baseline: str) -> Figure:
    """Each strategy minus the baseline on the same seeds, with its interval: right of 0 is more."""
    kpis = list(dict.fromkeys(paired["kpi"]))
    strategies = list(dict.fromkeys(paired["strategy"]))
    fig, axes = _grid(len(kpis))
    for ax, kpi in zip(axes, kpis, strict=False):
        rows = paired[paired["kpi"] == kpi].reset_index(drop=True)
        y = np.arange(len(rows))[::-1]
        for yi, (_, r) in zip(y, rows.iterrows(), strict=True):
            ax.errorbar([r["diff"]], [yi], xerr=[[r["diff"] - r["ci_low"]], [r["ci_high"] - r["diff"]]], fmt="o",
                        capsize=4, color=style.provider_colour(strategies.index(r["strategy"]) + 1),
                        mfc="white" if r["few"] else None)
        ax.axvline(0, color="black", lw=1)
        names = [f"{s}" + (f" @ {labels[p]}" if len(labels) > 1 else "") for s, p in zip(rows["strategy"],
                                                                                       rows["point"], strict=True)]
        ax.set_yticks(y, names, fontsize=9)
        ax.set_title(f"{kpi}: minus {baseline}")
    fig.suptitle("Paired differences against the baseline (common random numbers), 95% CI" + _few_note(paired),
                 fontsize=14)
    fig.tight_layout()
    return fig


def morris_scatter(morris: pd.DataFrame) -> Figure:
    """mu* (how much a parameter moves the KPI) against sigma (how unevenly): top right matters most."""
    def draw(ax: Axes, rows: pd.DataFrame) -> None:
        ax.errorbar(rows["mu_star"], rows["sigma"], xerr=rows["mu_star_conf"], fmt="o", capsize=3)
        for _, r in rows.iterrows():
            ax.annotate(r["parameter"], (r["mu_star"], r["sigma"]), fontsize=8, xytext=(4, 4),
                        textcoords="offset points")
        ax.set_xlabel("mu* (mean |elementary effect|)")
        ax.set_ylabel("sigma")
    return _per_kpi(morris, draw, "Morris screening")


def sobol_bars(sobol: pd.DataFrame) -> Figure:
    """First-order and total-order Sobol indices with their intervals, per parameter."""
    def draw(ax: Axes, rows: pd.DataFrame) -> None:
        y = np.arange(len(rows))[::-1]
        ax.barh(y + 0.2, rows["S1"], height=0.4, xerr=rows["S1_conf"], label="first order S1", color="#1f77b4",
                capsize=3)
        ax.barh(y - 0.2, rows["ST"], height=0.4, xerr=rows["ST_conf"], label="total order ST", color="#ff7f0e",
                capsize=3)
        ax.set_yticks(y, rows["parameter"], fontsize=9)
        ax.set_xlim(left=min(0.0, float((rows["S1"] - rows["S1_conf"]).min())))
    return _per_kpi(sobol, draw, "Sobol indices (share of the KPI's variance), 95% CI", legend=True)


def _per_kpi(indices: pd.DataFrame, draw: Callable[[Axes, pd.DataFrame], None], title: str,
             legend: bool = False) -> Figure:
    """A panel per KPI (and strategy, when there are several) of a sensitivity analysis's indices."""
    groups = list(indices.groupby(["strategy", "kpi"], sort=False))
    fig, axes = _grid(len(groups))
    for ax, ((strategy, kpi), rows) in zip(axes, groups, strict=False):
        draw(ax, rows)
        ax.set_title(kpi if indices["strategy"].nunique() == 1 else f"{kpi} ({strategy})")
    if legend:
        axes[0].legend(fontsize=9)
    fig.suptitle(title, fontsize=14)
    fig.tight_layout()
    return fig
