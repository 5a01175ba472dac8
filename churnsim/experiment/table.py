"""The compact analysis table a person reads in the terminal."""

from __future__ import annotations

import math

import pandas as pd

from churnsim.experiment.analysis import FEW
from churnsim.experiment.analyze import Analysis
from churnsim.present.words import plural


def number(value: float) -> str:
    """Four significant figures, thousands separated; money and rates alike stay readable."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.4g}" if abs(value) >= 0.001 or value == 0 else f"{value:.2e}"


def signed(value: float) -> str:
    text = number(value)
    return text if text.startswith("-") else f"+{text}"


FEW_NOTE = f"* from fewer than {FEW} replications: a rough interval; run more for a firm one"


def _interval(low: float, high: float, few: bool) -> str:
    return f"[{number(low)}, {number(high)}]" + ("*" if few else "")


def _align(rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return ["  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True)))
            .rstrip() for r in rows]


def strategy_table(a: Analysis) -> list[str]:
    """Per KPI and point: each strategy's mean and interval, and its paired difference to the baseline."""
    lines = []
    paired = a.paired.set_index(["point", "strategy", "kpi"]) if not a.paired.empty else pd.DataFrame()
    for kpi in dict.fromkeys(a.summary["kpi"]):
        for point in dict.fromkeys(a.summary["point"]):
            rows = [[f"{kpi} @ {a.labels.get(point, point)}" if len(a.labels) > 1 or a.pooled else kpi,
                     "n", "mean", "95% CI"] + ([f"minus {a.baseline}", "95% CI", "change", "p"] if len(paired) else [])]
            block = a.summary[(a.summary["kpi"] == kpi) & (a.summary["point"] == point)]
            for _, r in block.iterrows():
                row = [f"  {r['strategy']}", str(int(r["n"])), number(r["mean"]),
                       _interval(r["ci_low"], r["ci_high"], r["few"])]
                key = (point, r["strategy"], kpi)
                if key in paired.index:
                    d = paired.loc[key]
                    row += [signed(d["diff"]), _interval(d["ci_low"], d["ci_high"], d["few"]),
                            "-" if pd.isna(d["relative"]) else f"{d['relative']:+.1%}", f"{d['p_value']:.2g}"]
                elif len(paired):
                    row += ["", "", "", ""]
                rows.append(row)
            lines += [*_align(rows), ""]
    return lines


def sensitivity_table(a: Analysis) -> list[str]:
    """Parameters ranked by influence: Morris mu* and sigma, or Sobol S1 and ST."""
    lines = []
    if a.morris is not None:
        for (strategy, kpi), g in a.morris.groupby(["strategy", "kpi"], sort=False):
            rows = [[f"Morris: {kpi} ({strategy})", "mu*", "+-", "sigma", "mu"]]
            for _, r in g.sort_values("mu_star", ascending=False).iterrows():
                rows.append([f"  {r['parameter']}", number(r["mu_star"]), number(r["mu_star_conf"]),
                             number(r["sigma"]), number(r["mu"])])
            lines += [*_align(rows), ""]
    if a.sobol is not None:
        for (strategy, kpi), g in a.sobol.groupby(["strategy", "kpi"], sort=False):
            rows = [[f"Sobol: {kpi} ({strategy})", "S1", "+-", "ST", "+-"]]
            for _, r in g.sort_values("ST", ascending=False).iterrows():
                rows.append([f"  {r['parameter']}", f"{r['S1']:.3f}", f"{r['S1_conf']:.3f}", f"{r['ST']:.3f}",
                             f"{r['ST_conf']:.3f}"])
            lines += [*_align(rows), ""]
    return lines


def render(a: Analysis) -> str:
    exp = a.experiment
    head = [f"{exp.name}: {exp.question}" if exp.question else exp.name,
            f"KPIs of {'the market' if a.provider == 'market' else 'provider ' + a.provider}; "
            f"{plural(exp.replications, 'replication')}, the same seeds for every strategy; "
            f"{a.stored_runs} of {a.total_runs} runs stored", ""]
    if a.stored_runs < a.total_runs:
        head.insert(2, f"warning: {a.total_runs - a.stored_runs} runs missing (failed or unfinished; see ledger.jsonl)")
    few = [FEW_NOTE, ""] if a.summary["few"].any() or (not a.paired.empty and a.paired["few"].any()) else []
    return "\n".join(head + strategy_table(a) + few + sensitivity_table(a)).rstrip() + "\n"
