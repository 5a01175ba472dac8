"""The fit plot: observed against simulated, with the bootstrap band, and the sBG beside churnsim."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from churnsim.present import style

style.use()
CHURNSIM, SBG, OBSERVED = style.PROVIDER_COLOURS[0], style.PROVIDER_COLOURS[1], "#222222"


def fit_figure(fit: pd.DataFrame) -> Figure:
    """One panel per cohort (survival by period), and one for the share targets when there are any."""
    cohorts = [c for c in dict.fromkeys(fit["target"]) if fit.loc[fit["target"] == c, "period"].notna().any()]
    shares = fit[fit["period"].isna()]
    panels = len(cohorts) + (not shares.empty)
    fig, axes = plt.subplots(1, panels, figsize=(6.4 * panels, 4.6), squeeze=False)
    for ax, name in zip(axes[0], cohorts, strict=False):
        g = fit[fit["target"] == name]
        ax.fill_between(g["period"], g["band_low"], g["band_high"], color=CHURNSIM, alpha=0.2,
                        label="churnsim, 95 % band")
        ax.plot(g["period"], g["simulated"], color=CHURNSIM, lw=2, label="churnsim, calibrated")
        ax.plot(g["period"], g["sbg"], color=SBG, lw=2, ls="--", label="sBG (Fader and Hardie 2007)")
        ax.plot(g["period"], g["observed"], "o", color=OBSERVED, label="observed")
        held = g[g["role"] == "holdout"]
        if not held.empty:
            ax.axvspan(held["period"].min() - 0.5, held["period"].max() + 0.5, color="#999999", alpha=0.12,
                       label="held out, projected")
        ax.set_title(f"Cohort {name}")
        ax.set_xlabel(f"{g['unit'].iloc[0]}s since joining")
        ax.set_ylim(0, 1.02)
        ax.yaxis.set_major_formatter(PercentFormatter(1.0))
        ax.set_ylabel("share of the cohort still a customer")
        ax.legend(loc="upper right", framealpha=0.9)
    if not shares.empty:
        ax = axes[0][-1]
        x = np.arange(len(shares))
        ax.errorbar(x, shares["simulated"], yerr=[shares["simulated"] - shares["band_low"],
                                                  shares["band_high"] - shares["simulated"]],
                    fmt="s", color=CHURNSIM, capsize=4, label="churnsim, 95 % band")
        ax.plot(x, shares["observed"], "o", color=OBSERVED, label="observed")
        ax.set_xticks(x, shares["target"], rotation=20, ha="right")
        ax.yaxis.set_major_formatter(PercentFormatter(1.0))
        ax.set_title("Shares")
        ax.legend(framealpha=0.9)
    fig.suptitle("Calibration: observed against simulated", fontsize=15)
    fig.tight_layout()
    return fig
