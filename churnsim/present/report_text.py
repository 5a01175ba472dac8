"""The short summary a run prints in the terminal."""

from __future__ import annotations

from typing import Any

from churnsim.present.words import plural


def summary_table(summary: dict[str, Any]) -> str:
    """Per-provider KPIs as an aligned text table, with the reproducibility line under it."""
    header = ("provider", "customers", "share", "annual churn", "embedded", "looking", "profit", "CLV")
    rows = [header]
    for name, k in summary["kpis"].items():
        rows.append((
            name, f"{k['customers_end']:,}", f"{k['market_share_end']:.1%}", f"{k['annual_churn']:.1%}",
            f"{k['share_embedded_end']:.1%}", f"{k['share_looking_mean']:.1%}", f"{k['profit']:,.0f}",
            f"{k['clv']:,.0f}",
        ))
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines = ["  ".join(cell.rjust(w) if i else cell.ljust(w) for i, (cell, w) in enumerate(zip(r, widths, strict=True)))
             for r in rows]
    lines.insert(1, "-" * len(lines[0]))
    lines.insert(len(lines) - 1, "-" * len(lines[0]))
    cal = summary.get("calibration", {})
    if cal and cal.get("annual_churn_max", 1.0) < 1.0:
        lines.append(f"target band for annual churn: {cal['annual_churn_min']:.0%}-{cal['annual_churn_max']:.0%}"
                     f" ({cal.get('source', '')})")
    if "currency" in summary:
        lines.append(f"profit in {summary['currency']} over the {plural(summary['months'], 'month')}, before "
                     f"overheads and tax; CLV: a customer's discounted margin over at most "
                     f"{summary['clv_horizon_months']} months, before acquisition cost; annual churn: "
                     "1 - (1 - monthly churn)^12 (summary.json: definitions)")
    lines.append(f"scenario {summary['scenario']} (hash {summary['scenario_hash']}), seed {summary['seed']}, "
                 f"{summary['engine']} engine, {plural(summary['months'], 'month')}, "
                 f"churnsim {summary['churnsim_version']}")
    return "\n".join(lines)
