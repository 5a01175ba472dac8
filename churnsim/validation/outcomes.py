"""Stylized facts of the default behaviour, measured against the targets of a definitions file.

Each check names its group: emergent outcomes (pass/fail), the scenarios' calibrated churn bands
(pass/fail, but not evidence) and echoes of calibration inputs (information only). The targets and
run settings are data, not code, so that a reader can see and change what is claimed without
touching the checks. The definitions ship inside the package (``outcomes.toml``,
read with importlib.resources), so ``churnsim check-model`` works from an installed package in any
folder; ``--facts PATH`` reads another file.
"""

from __future__ import annotations

import importlib.resources
import tomllib
from collections.abc import Callable, Sequence
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import click
import numpy as np

from churnsim import rules
from churnsim.params import Scenario
from churnsim.validation.ensemble import Check, _pct, _t_ci, simulate

DEFINITIONS = "outcomes.toml"  # package data of churnsim.validation

ECHO_ACCEPTED = "no verdict: re-measures an input"
# The smallest run sizes check-model takes, from a flag or the [quick] section: below them an interval means little.
SIZE_MINIMUM = {"runs": 2, "customers": 100, "agent_customers": 100, "facts_runs": 2, "facts_customers": 100}

FACT_KEYS = {
    "settings": {"scenario", "runs", "customers", "months"},
    "effort_asymmetry": {"source", "high_effort", "low_effort"},
    "delight_plateau": {"source", "gap", "expectation_sd", "max_ratio"},
    "wom_reach": {"source", "target"},
    "sector_bands": {"source", "months"},
    "downturn": {"source", "downturn_month", "window", "min_ratio", "published_considered", "published_switched"},
    "quick": set(SIZE_MINIMUM),
}


class ValidationInputError(click.ClickException):
    """Bad input to check-model: one line on stderr, exit code 2."""

    exit_code = 2


def definitions() -> Traversable:
    """The definitions file shipped with the package, found the same way from any folder or installation."""
    return importlib.resources.files("churnsim.validation").joinpath(DEFINITIONS)


def load_facts(path: Path | Traversable | None = None) -> dict[str, dict[str, Any]]:
    """Read and check a definitions file (default: the shipped one): every section and key known, nothing missing."""
    if path is None:
        path = definitions()
    try:
        with path.open("rb") as fh:
            spec = tomllib.load(fh)
    except OSError as exc:
        raise ValidationInputError(f"{path}: cannot read: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ValidationInputError(f"{path}: not valid TOML: {exc}") from None
    for section, keys in FACT_KEYS.items():
        if section not in spec:
            raise ValidationInputError(f"{path}: missing section [{section}]")
        given = set(spec[section])
        if given - keys:
            raise ValidationInputError(f"{path}: [{section}] unknown key(s) {sorted(given - keys)}; "
                                       f"allowed: {', '.join(sorted(keys))}")
        required = keys - {"source", "scenario", "months"}
        if required - given:
            raise ValidationInputError(f"{path}: [{section}] missing key(s) {sorted(required - given)}")
    unknown = set(spec) - set(FACT_KEYS)
    if unknown:
        raise ValidationInputError(f"{path}: unknown section(s) {sorted(unknown)}; allowed: {', '.join(FACT_KEYS)}")
    for key, low in SIZE_MINIMUM.items():
        value = spec["quick"][key]
        if not isinstance(value, int) or isinstance(value, bool) or value < low:
            raise ValidationInputError(f"{path}: [quick] {key} = {value!r}: must be an integer of at least {low}")
    return spec


def _fact_scenario(source: str | None, customers: int, months: int | None, sets: Sequence[str] = ()) -> Scenario:
    from churnsim.scenario import load

    return load(source, sets=list(sets), customers=customers, months=months).scenario


def _runs_of(scenario: Scenario, seeds: Sequence[int], engine: str,
             observe: Callable[[int], Callable[[Any, int], None]] | None = None) -> list[Any]:
    return [simulate(scenario, s, engine, observe(i) if observe else None) for i, s in enumerate(seeds)]


def fact_effort_and_reach(spec: dict[str, Any], settings: dict[str, Any], engine: str,
                          seeds: Sequence[int]) -> list[Check]:
    """Effort asymmetry (CEB: 96 % vs 9 %) and word-of-mouth reach (about 10 vs 3), measured on the default scenario.

    Both are calibration inputs (the disloyalty after a contact and the reach of a story are parameters), so
    the rows are echoes: they show the numbers arrive in the outputs, and prove nothing about behaviour.
    """
    scenario = _fact_scenario(settings.get("scenario"), settings["customers"], settings.get("months"))
    high, low, reach_bad, reach_good = [], [], [], []
    for model in _runs_of(scenario, seeds, engine):
        ts = model.timeseries
        tot = ts.sum(numeric_only=True)
        high.append(tot["disloyal_high"] / max(tot["high_effort"], 1))
        low.append((tot["disloyal"] - tot["disloyal_high"]) / max(tot["contacted"] - tot["high_effort"], 1))
        reach_bad.append(tot["wom_bad_reached"] / max(tot["wom_bad"], 1))
        reach_good.append(tot["wom_good_reached"] / max(tot["wom_good"], 1))
    e, w = spec["effort_asymmetry"], spec["wom_reach"]
    checks = []
    for label, values, target in (("high-effort", high, e["high_effort"]), ("low-effort", low, e["low_effort"])):
        mean, lo, hi = _t_ci(values)
        checks.append(Check(
            "echo", f"effort asymmetry: disloyal after a {label} contact", engine,
            target=f"{_pct(target, 0)} ({e.get('source', '')})",
            measured=f"{_pct(mean)} [{_pct(lo)}, {_pct(hi)}]",
            accepted=ECHO_ACCEPTED,
            passed=None,
            detail={"measured": mean, "ci": (lo, hi), "target": target},
        ))
    ratio = [b / g for b, g in zip(reach_bad, reach_good, strict=True)]
    mean, lo, hi = _t_ci(ratio)
    checks.append(Check(
        "echo", "word-of-mouth reach: people told per bad vs per good story", engine,
        target=f"about {w['target']:g}x ({w.get('source', '')})",
        measured=f"{mean:.2f}x [{lo:.2f}, {hi:.2f}] (bad {np.mean(reach_bad):.2f}, good {np.mean(reach_good):.2f})",
        accepted=ECHO_ACCEPTED,
        passed=None,
        detail={"measured": mean, "ci": (lo, hi), "bad": float(np.mean(reach_bad)), "good": float(np.mean(reach_good)),
                "target": w["target"]},
    ))
    return checks


def fact_delight_plateau(spec: dict[str, Any], settings: dict[str, Any], engine: str,
                         seeds: Sequence[int]) -> list[Check]:
    """Falling short of expectations costs loyalty; exceeding them adds little (Dixon et al. 2010).

    Three arms of the default scenario with every provider's quality set to the segment's mean
    expectation minus, plus or exactly the gap (expectations identical within a segment, so
    'met' means met for everyone); loyalty is the share re-chosen or embedded at the end. Same
    seeds in every arm (common random numbers), so the per-run ratio is a paired comparison.
    """
    f = spec["delight_plateau"]
    base = _fact_scenario(settings.get("scenario"), settings["customers"], settings.get("months"))
    expect = sum(s.share * s.expectation.mean for s in base.segments) / sum(s.share for s in base.segments)
    loyal: dict[str, list[float]] = {}
    churn: dict[str, list[float]] = {}
    for arm, offset in (("short", -f["gap"]), ("meet", 0.0), ("exceed", f["gap"])):
        sets = [f"segments.{i}.expectation.sd={f['expectation_sd']}" for i in range(len(base.segments))]
        sets += [f"segments.{i}.expectation.mean={expect}" for i in range(len(base.segments))]
        sets += [f"providers.{i}.levers.quality={expect + offset}" for i in range(len(base.providers))]
        scenario = _fact_scenario(settings.get("scenario"), settings["customers"], settings.get("months"), sets)
        for model in _runs_of(scenario, seeds, engine):
            ts = model.timeseries
            end = ts[ts["month"] == ts["month"].max()].sum(numeric_only=True)
            loyal.setdefault(arm, []).append((end["rechosen"] + end["embedded"]) / max(end["customers"], 1))
            tot = ts.sum(numeric_only=True)
            churn.setdefault(arm, []).append(float(rules.annual_churn(tot["churned"] / max(tot["billed"], 1))))
    short, meet, exceed = (np.array(loyal[k]) for k in ("short", "meet", "exceed"))
    ratio = (exceed - meet) / np.where(meet - short > 0, meet - short, np.nan)
    mean, lo, hi = _t_ci(ratio)
    text = ", ".join(f"{k} {np.mean(loyal[k]):.1%} (churn {np.mean(churn[k]):.1%}/yr)" for k in loyal)
    return [Check(
        "outcome", "delight plateau: loyalty gained by exceeding / lost by falling short", engine,
        target=f"small: <= {f['max_ratio']:g} ({f.get('source', '')})",
        measured=f"{mean:.3f} [{lo:.3f}, {hi:.3f}]; loyal share {text}",
        accepted=f"ratio <= {f['max_ratio']:g} and meeting beats falling short",
        passed=bool(mean <= f["max_ratio"] and np.mean(meet) > np.mean(short)),
        detail={"measured": mean, "ci": (lo, hi), "loyal": {k: float(np.mean(v)) for k, v in loyal.items()},
                "churn": {k: float(np.mean(v)) for k, v in churn.items()}, "gap": f["gap"]},
    )]


def fact_sector_bands(spec: dict[str, Any], settings: dict[str, Any], engine: str,
                      seeds: Sequence[int]) -> list[Check]:
    """Annual churn of every built-in scenario against its own calibration band ([meta.calibration]).

    The scenarios' parameters were tuned to land in these bands, so a pass shows the calibration holds,
    not that the model is right.
    """
    from churnsim import metrics
    from churnsim.scenario import builtin_scenarios

    months = spec["sector_bands"].get("months")
    checks = []
    for name in builtin_scenarios():
        scenario = _fact_scenario(name, settings["customers"], months)
        band = scenario.meta.calibration
        values = [metrics.summarize(m.timeseries, scenario)["market"]["annual_churn"]
                  for m in _runs_of(scenario, seeds, engine)]
        mean, lo, hi = _t_ci(values)
        checks.append(Check(
            "calibration", f"annual churn of built-in scenario '{name}' ({scenario.meta.sector})", engine,
            target=f"{_pct(band.annual_churn_min, 0)}-{_pct(band.annual_churn_max, 0)} ({band.source or 'band'})",
            measured=f"{_pct(mean)} [{_pct(lo)}, {_pct(hi)}] over {scenario.market.months} months",
            accepted="mean inside the calibrated band",
            passed=band.annual_churn_min <= mean <= band.annual_churn_max,
            detail={"measured": mean, "ci": (lo, hi), "band": (band.annual_churn_min, band.annual_churn_max)},
        ))
    return checks


def fact_downturn(spec: dict[str, Any], settings: dict[str, Any], engine: str, seeds: Sequence[int]) -> list[Check]:
    """In a downturn far more customers consider switching than switch (Novus for Billogram: 56 % vs >10 %).

    Among customers in the market when the downturn starts: *considered* means looking around at
    the end of any month of the window (or already at its start); *switched* means leaving for
    another provider while looking around, i.e. the phase-out path the survey asks about ("switched
    supplier to save money"). Moves forced by life events (moving house) are not a decision to save
    money; they are reported separately as all moves. Paired arms with and without the downturn.
    """
    f = spec["downturn"]
    start, window = int(f["downturn_month"]), int(f["window"])
    end = start + window - 1
    months = max(settings.get("months") or 0, end)
    result: dict[str, dict[str, list[float]]] = {}
    for arm, on in (("downturn", True), ("no downturn", False)):
        sets = [f"economy.enabled={str(on).lower()}", f"economy.downturn_month={start}"]
        scenario = _fact_scenario(settings.get("scenario"), settings["customers"], months, sets)
        out = result.setdefault(arm, {"considered": [], "switched": [], "moved": []})

        def observer(_i: int, out: dict[str, list[float]] = out) -> Callable[[Any, int], None]:
            state: dict[str, np.ndarray] = {}

            def observe(model: Any, month: int) -> None:
                # copies: an engine may hand out views of arrays it updates in place
                provider, _stage, looking, _stayed = (np.array(c) for c in model.state_columns())
                if month == start - 1:
                    state["base"] = provider >= 0
                    state["considered"] = looking & state["base"]
                    state["switched"] = np.zeros_like(looking)
                    state["moved"] = np.zeros_like(looking)
                elif start <= month <= end:
                    state["considered"] |= looking & state["base"]
                    moved = (provider != state["provider"]) & (provider >= 0) & (state["provider"] >= 0)
                    state["moved"] |= moved & state["base"]
                    state["switched"] |= moved & state["looking"] & state["base"]
                    if month == end:
                        n = max(int(state["base"].sum()), 1)
                        for key in ("considered", "switched", "moved"):
                            out[key].append(float(state[key].sum()) / n)
                state["provider"], state["looking"] = provider, looking

            return observe

        _runs_of(scenario, seeds, engine, observer)
    down, base = result["downturn"], result["no downturn"]
    ratio = [c / max(s, 1e-9) for c, s in zip(down["considered"], down["switched"], strict=True)]
    rise = [a - b for a, b in zip(down["considered"], base["considered"], strict=True)]
    r_mean, r_lo, r_hi = _t_ci(ratio)
    d_mean, d_lo, d_hi = _t_ci(rise)
    c_mean, c_lo, c_hi = _t_ci(down["considered"])
    s_mean, s_lo, s_hi = _t_ci(down["switched"])
    m_mean, m_lo, m_hi = _t_ci(down["moved"])
    b_mean = float(np.mean(base["considered"]))
    src = f.get("source", "")
    span = f"months {start}-{end}"
    return [
        Check("outcome", "downturn: share considering a switch / share switching", engine,
              target=f"well above 1: >= {f['min_ratio']:g} (published {_pct(f['published_considered'], 0)} vs "
                     f">{_pct(f['published_switched'], 0)}, {src})",
              measured=f"{r_mean:.2f} [{r_lo:.2f}, {r_hi:.2f}] ({span})",
              accepted=f"ratio >= {f['min_ratio']:g}", passed=r_mean >= f["min_ratio"],
              detail={"measured": r_mean, "ci": (r_lo, r_hi)}),
        Check("outcome", "downturn raises the share considering a switch", engine,
              target="higher than without the downturn",
              measured=f"+{100 * d_mean:.1f} points [{100 * d_lo:+.1f}, {100 * d_hi:+.1f}] "
                       f"({_pct(b_mean)} without)",
              accepted="95 % CI of the paired difference above 0", passed=bool(d_lo > 0),
              detail={"measured": d_mean, "ci": (d_lo, d_hi), "baseline": b_mean}),
        Check("outcome", "downturn: share considering a switch in a year", engine,
              target=f"{_pct(f['published_considered'], 0)} ({src})",
              measured=f"{_pct(c_mean)} [{_pct(c_lo)}, {_pct(c_hi)}]", accepted="reported, no verdict",
              passed=None, detail={"measured": c_mean, "ci": (c_lo, c_hi)}),
        Check("outcome", "downturn: share switching (while looking around) in a year", engine,
              target=f">{_pct(f['published_switched'], 0)} ({src})",
              measured=f"{_pct(s_mean)} [{_pct(s_lo)}, {_pct(s_hi)}]; all moves incl. life events "
                       f"{_pct(m_mean)} [{_pct(m_lo)}, {_pct(m_hi)}]",
              accepted="reported, no verdict",
              passed=None, detail={"measured": s_mean, "ci": (s_lo, s_hi), "moved": m_mean}),
    ]


FACTS: dict[str, Callable[..., list[Check]]] = {
    "effort_and_reach": fact_effort_and_reach,
    "delight_plateau": fact_delight_plateau,
    "sector_bands": fact_sector_bands,
    "downturn": fact_downturn,
}
