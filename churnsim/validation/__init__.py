"""Docking with analytic models and published outcomes: the evidence that churnsim is what it claims.

Researchers trust an agent-based model when it reduces exactly to known analytic models in
special cases and when its default behaviour reproduces the regularities it encodes (Rand
and Rust 2011). The package holds both halves, one family per module:

* ``closed_forms``: the Bass curve, its stationary share with churn, the loyalty ladder as an
  absorbing Markov chain and the shifted-beta-geometric retention curve, with the exact monthly
  analogue of each where the model's monthly schedule differs from continuous time;
* ``ensemble``: seeds, runs and the ``Check`` row every comparison reports;
* ``docking``: the real model, configured through ordinary scenarios, against the closed forms;
* ``measures``: measurements on simulated customers made as the studies made them (pure functions);
* ``outcomes``: the published outcomes the behaviour must reproduce, with their targets, sources and
  sizes in ``outcomes.toml`` (package data);
* ``suite``, ``report``, ``cli``: ``churnsim check-model``, its table and docs/VALIDATION.md;
* ``odd``: the parameter table of docs/ODD.md, generated from the schema.

The names below are re-exported so that ``from churnsim import validation as v`` reaches them all.
"""

from churnsim.validation.closed_forms import (
    LADDER_STATES,
    BassNoise,
    LadderChain,
    bass_curve,
    bass_monthly,
    bass_monthly_stationary,
    bass_noise,
    bass_stationary_share,
    ladder_chain,
    sbg_survival,
    wom_q,
)
from churnsim.validation.docking import (
    BASS,
    BASS_CHURN,
    DOCKING,
    LADDER_MONTHS,
    LADDER_SETS,
    MECHANISMS_OFF,
    OFF,
    SBG_A,
    SBG_B,
    SBG_MONTHS,
    Z_TOLERANCE,
    BassCase,
    dock_bass,
    dock_bass_churn,
    dock_ladder,
    dock_sbg,
    docking_scenario,
    ladder_scenario,
    sbg_sets,
)
from churnsim.validation.ensemble import (
    CI_LEVEL,
    GROUPS,
    VERDICT_GROUPS,
    Check,
    market_totals,
    run_seeds,
    simulate,
)
from churnsim.validation.odd import (
    ODD_END,
    ODD_HEADER,
    ODD_START,
    parse_odd_table,
    render_odd_table,
    schema_rows,
    sync_odd,
)
from churnsim.validation.outcomes import (
    KEYS,
    OUTCOMES,
    Plan,
    ValidationInputError,
    definitions,
    delight_to_meet,
    load_facts,
    plan,
)
from churnsim.validation.report import render_groups, render_report, render_table, summary_line
from churnsim.validation.suite import ONLY, SuiteSettings, run_suite

__all__ = [
    "BASS",
    "BASS_CHURN",
    "CI_LEVEL",
    "DOCKING",
    "GROUPS",
    "KEYS",
    "LADDER_MONTHS",
    "LADDER_SETS",
    "LADDER_STATES",
    "MECHANISMS_OFF",
    "ODD_END",
    "ODD_HEADER",
    "ODD_START",
    "OFF",
    "ONLY",
    "OUTCOMES",
    "SBG_A",
    "SBG_B",
    "SBG_MONTHS",
    "VERDICT_GROUPS",
    "Z_TOLERANCE",
    "BassCase",
    "BassNoise",
    "Check",
    "LadderChain",
    "Plan",
    "SuiteSettings",
    "ValidationInputError",
    "bass_curve",
    "bass_monthly",
    "bass_monthly_stationary",
    "bass_noise",
    "bass_stationary_share",
    "definitions",
    "delight_to_meet",
    "dock_bass",
    "dock_bass_churn",
    "dock_ladder",
    "dock_sbg",
    "docking_scenario",
    "ladder_chain",
    "ladder_scenario",
    "load_facts",
    "market_totals",
    "parse_odd_table",
    "plan",
    "render_groups",
    "render_odd_table",
    "render_report",
    "render_table",
    "run_seeds",
    "run_suite",
    "sbg_sets",
    "sbg_survival",
    "schema_rows",
    "simulate",
    "summary_line",
    "sync_odd",
    "wom_q",
]
