"""What the model's behaviour must reproduce, measured on simulated customers as the studies measured real ones.

Each family of checks runs the real model through ordinary scenarios (a built-in one plus dotted
overrides), measures the simulated customers with ``churnsim.validation.measures`` and compares
with a published outcome:

* ``contagion``: a neighbour's defection raises the defection hazard (Nitzan and Libai 2011);
* ``poking``: a price-change notice brings switching forward (Røhr 2018);
* ``intention_gap``: far more consider switching than switch, and a downturn widens the gap;
* ``response_curve`` and ``delight``: loyalty levels off once expectations are met (Dixon et al. 2010);
* ``builtins``: every built-in scenario sorts its customers by tenure (Fader and Hardie 2007) and
  starts from its own long-run state; its churn lands in its calibrated band; and the default
  scenario's effort and word-of-mouth inputs are measured back.

Each row names its group: emergent outcomes (pass/fail), calibrated targets (pass/fail, not
evidence) and echoes of inputs (information only). Targets, sizes and sources are data in
``outcomes.toml`` (package data, read with importlib.resources, so ``churnsim check-model`` works
from an installed package in any folder; ``--facts PATH`` reads an edited copy).
"""

from __future__ import annotations

import importlib.resources
import math
import tomllib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import click
import numpy as np
import pandas as pd

from churnsim import rules
from churnsim.engines import Engine
from churnsim.schema.params import Scenario
from churnsim.validation import measures
from churnsim.validation.ensemble import Check, _ci_text, _pct, _share_ci, _t_ci, meets, run_seeds, simulate
from churnsim.world import metrics

DEFINITIONS = "outcomes.toml"  # package data of churnsim.validation
ECHO_ACCEPTED = "no verdict: re-measures an input"
SIZES = ("runs", "customers", "agent_customers", "quick_runs", "quick_customers")
SIZE_MINIMUM = {"runs": 2, "customers": 100, "agent_customers": 100, "quick_runs": 2, "quick_customers": 100,
                "quick_agent_customers": 100}
KEYS: dict[str, set[str]] = {
    "docking": {*SIZES, "quick_agent_customers"},
    "contagion": {"source", "scenario", "months", "lags", "hazard_ratio", *SIZES},
    "poking": {"source", "scenario", "provider", "change_month", "change", "notice_months", "window",
               "min_share_before", *SIZES},
    "intention_gap": {"source", "scenario", "downturn_month", "window", "normal_ratio", "downturn_min_ratio",
                      "min_rise_ratio", "published_considered", "published_switched", *SIZES},
    "response_curve": {"source", "scenario", "months", "gaps", "max_slope_ratio", *SIZES},
    "delight": {"source", "scenario", "months", "beyond", "max_beyond_share", *SIZES},
    "builtins": {"months", "years", "early", "late", "band", *SIZES},
    "echo": {"source", "scenario", "high_effort", "low_effort", "reach_ratio"},
}


class ValidationInputError(click.ClickException):
    """Bad input to check-model: one line on stderr, exit code 2."""

    exit_code = 2


def definitions() -> Traversable:
    """The definitions file shipped with the package, found the same way from any folder or installation."""
    return importlib.resources.files("churnsim.validation").joinpath(DEFINITIONS)


def load_facts(path: Path | Traversable | None = None) -> dict[str, Any]:
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
    unknown = set(spec) - set(KEYS) - {"z"}
    if unknown:
        raise ValidationInputError(f"{path}: unknown section(s) {sorted(unknown)}; allowed: z, {', '.join(KEYS)}")
    if not isinstance(spec.get("z"), int | float) or isinstance(spec.get("z"), bool) or not 0 < spec["z"] < math.inf:
        raise ValidationInputError(f"{path}: z = {spec.get('z')!r}: must be a number above 0 (standard errors)")
    for section, keys in KEYS.items():
        if section not in spec:
            raise ValidationInputError(f"{path}: missing section [{section}]")
        given = set(spec[section])
        if given - keys:
            raise ValidationInputError(f"{path}: [{section}] unknown key(s) {sorted(given - keys)}; "
                                       f"allowed: {', '.join(sorted(keys))}")
        if keys - given - {"source"}:
            raise ValidationInputError(f"{path}: [{section}] missing key(s) {sorted(keys - given - {'source'})}")
        for key, low in SIZE_MINIMUM.items():
            value = spec[section].get(key, low)
            if not isinstance(value, int) or isinstance(value, bool) or value < low:
                raise ValidationInputError(f"{path}: [{section}] {key} = {value!r}: must be an integer of at least "
                                           f"{low}")
    _check_shapes(spec, path)
    return spec


def _check_shapes(spec: dict[str, Any], path: object) -> None:
    """The targets' shapes, so that a bad value stops check-model at once, not after minutes of simulation."""
    def bad(section: str, key: str, allowed: str) -> ValidationInputError:
        return ValidationInputError(f"{path}: [{section}] {key} = {spec[section][key]!r}: must be {allowed}")

    def pair(section: str, key: str) -> None:
        value = spec[section][key]
        if not (isinstance(value, list) and len(value) == 2 and all(isinstance(x, int | float) for x in value)
                and value[0] <= value[1]):
            raise bad(section, key, "two numbers, the lower first")

    pair("contagion", "hazard_ratio")
    pair("intention_gap", "normal_ratio")
    pair("builtins", "early")
    pair("builtins", "late")
    if not isinstance(spec["contagion"]["lags"], int) or not 1 <= spec["contagion"]["lags"] <= 12:
        raise bad("contagion", "lags", "a whole number from 1 to 12")
    gaps = spec["response_curve"]["gaps"]
    if not (isinstance(gaps, list) and all(isinstance(g, int | float) for g in gaps)
            and sum(g <= 0 for g in gaps) >= 2 and sum(g >= 0 for g in gaps) >= 2):
        raise bad("response_curve", "gaps", "numbers with at least two at or below 0 and two at or above 0")
    b = spec["builtins"]
    if not isinstance(b["years"], int) or not 1 <= b["years"] <= b["months"] // 12:
        raise bad("builtins", "years", f"a whole number of years within months = {b['months']}")
    if not (b["early"][0] >= 1 and b["late"][1] <= b["months"]):
        raise bad("builtins", "late", f"months within 1 and months = {b['months']}")


@dataclass(frozen=True)
class Plan:
    """How one family runs on one engine: the runs, their size and their seeds (shared by its arms)."""

    engine: Engine
    runs: int
    customers: int
    seeds: tuple[int, ...]


def plan(section: dict[str, Any], engine: Engine, quick: bool, seed: int) -> Plan:
    """A family's runs on an engine: the quick sizes or the full ones, never more customers on the agent engine
    (about 300 times slower per customer) than its full size."""
    runs = section["quick_runs"] if quick else section["runs"]
    customers = section["agent_customers" if engine == "agents" else "customers"]
    if quick:
        customers = min(section["quick_customers"], customers)
    return Plan(engine, runs, customers, tuple(run_seeds(seed, runs)))


def _scenario(name: str, customers: int, months: int, sets: Sequence[str] = ()) -> Scenario:
    from churnsim.schema.scenario import load

    return load(name, sets=list(sets), customers=customers, months=months).scenario


def _ensemble(scenario: Scenario, p: Plan, record_events: bool = False) -> Iterator[Any]:
    """The plan's runs of a scenario, one model at a time (so that a run's memory goes before the next)."""
    for seed in p.seeds:
        yield simulate(scenario, seed, p.engine, record_events=record_events)


def _monthly(model: Any, columns: Sequence[str], provider: str | None = None) -> pd.DataFrame:
    """Monthly totals of the market (or one provider) from a model's table, indexed by month."""
    ts = model.timeseries
    if provider is not None:
        ts = ts[ts["provider"] == provider]
    return ts.groupby("month")[list(columns)].sum()


def _z(estimate: float, se: float) -> float:
    return estimate / se if se > 0 else math.copysign(math.inf, estimate)


def _paired(a: Sequence[float] | np.ndarray, b: Sequence[float] | np.ndarray) -> tuple[float, float]:
    """Mean of b - a over runs that share seeds, and its standard error."""
    d = np.asarray(b, float) - np.asarray(a, float)
    return float(d.mean()), float(d.std(ddof=1) / math.sqrt(len(d)))


def _sizes(p: Plan, months: int) -> str:
    return f"{p.runs} runs x {p.customers:,} customers x {months} months"


# ---------------------------------------------------------------------------------------------
# (a) Contagious churn
# ---------------------------------------------------------------------------------------------


def contagion(spec: dict[str, Any], p: Plan) -> list[Check]:
    """The hazard regression of Nitzan and Libai on the event table of the mobile scenario."""
    sec, z = spec["contagion"], spec["z"]
    scenario = _scenario(sec["scenario"], p.customers, sec["months"])
    frames = []
    for i, model in enumerate(_ensemble(scenario, p, record_events=True)):
        events = model.events
        events["customer"] += i * p.customers
        frames.append(events)
    fit = measures.contagion(pd.concat(frames, ignore_index=True), sec["lags"])
    first, last = fit.lags[0], fit.lags[-1]
    lo, hi = sec["hazard_ratio"]
    detail = {"hazard_ratios": [e.ratio for e in fit.lags], "se": [e.se for e in fit.lags], "rows": fit.rows,
              "defections": fit.defections, "exposed": fit.exposed, "runs": p.runs, "customers": p.customers}
    ci = first.interval()
    lags = ", ".join(f"lag {k + 1} {e.ratio:.2f}" for k, e in enumerate(fit.lags[1:], start=1))
    src, n = sec.get("source", ""), f"{fit.rows:,} customer-months ({_sizes(p, sec['months'])})"

    def direction(name: str, target: str, est: measures.Estimate, sign: float, text: str) -> Check:
        return Check("outcome", name, p.engine, target=target,
                     measured=f"{text} (z {_z(est.value, est.se):+.1f}; {n})",
                     accepted=f"{'above' if sign > 0 else 'below'} 0 by {z:g} SE",
                     passed=bool(sign * est.value > z * est.se), detail={**detail, "value": est.value, "se": est.se})

    return [
        Check("outcome", "contagious churn: hazard ratio per acquaintance who left the provider last month",
              p.engine, target=f"about 1.8 ({src})",
              measured=f"{first.ratio:.2f} [{ci[0]:.2f}, {ci[1]:.2f}]; {lags}; {fit.exposed:.1%} of customer-months "
                       f"exposed; {n}",
              accepted=f"interval meets {lo:g} to {hi:g}", passed=meets(*ci, lo, hi, first.ratio), detail=detail),
        direction(f"contagion decays: lag 1 above lag {len(fit.lags)}", "strongest in the first month, then fading",
                  fit.lag_difference, +1.0,
                  f"log hazard ratio {first.value:.3f} against {last.value:.3f}: difference "
                  f"{fit.lag_difference.value:+.3f} (SE {fit.lag_difference.se:.3f})"),
        direction("contagion is weaker for embedded customers than for chosen ones", "loyal customers less affected",
                  fit.embedded, -1.0,
                  f"lag 1's log hazard ratio {fit.embedded.value:+.3f} (SE {fit.embedded.se:.3f}) for embedded; "
                  f"x{math.exp(fit.embedded.value):.2f} on the hazard ratio"),
        direction("contagion is stronger for customers with more acquaintances",
                  "highly connected customers more affected (put in by word_of_mouth.degree_elasticity; recovered "
                  "against confounding that works the other way)", fit.degree, +1.0,
                  f"lag 1's log hazard ratio {fit.degree.value:+.3f} (SE {fit.degree.se:.3f}) per unit of "
                  f"log(acquaintances / mean)"),
    ]


# ---------------------------------------------------------------------------------------------
# (b) A notice that pokes
# ---------------------------------------------------------------------------------------------


def poking(spec: dict[str, Any], p: Plan) -> list[Check]:
    """Extra switching around a price change, against the same market and seeds without one."""
    sec, z = spec["poking"], spec["z"]
    month, window, name = sec["change_month"], sec["window"], sec["provider"]
    months = month + window - 1
    base = _scenario(sec["scenario"], p.customers, months)
    index = [pr.name for pr in base.providers].index(name)

    def switching(change: float, notice: int) -> np.ndarray:
        sets = [] if change == 0 else [f"providers.{index}.levers.price_change.{k}={v}" for k, v in
                                       (("month", month), ("change", change), ("notice_months", notice))]
        scenario = _scenario(sec["scenario"], p.customers, months, sets)
        return np.array([_monthly(m, ["switched_out"], name)["switched_out"].to_numpy(float)[month - window:]
                         for m in _ensemble(scenario, p)])

    none = switching(0.0, 0)
    arms = {"rise": switching(sec["change"], sec["notice_months"]),
            "cut": switching(-sec["change"], sec["notice_months"]),
            "unannounced": switching(sec["change"], 0)}
    checks = []
    for arm in ("rise", "cut"):
        extra = arms[arm] - none  # per run and month of the window
        share = measures.share_before(extra.mean(axis=0), window)
        pre, pre_se = _paired(np.zeros(len(extra)), extra[:, :window].sum(axis=1))
        text = ", ".join(f"{x:+.0f}" for x in extra.mean(axis=0))
        checks.append(Check(
            "outcome", f"a notice pokes: share of a {100 * sec['change']:.0f} % {arm}'s extra switching before it "
                       "applies",
            p.engine, target=f"at least half, even for a cut ({sec.get('source', '')})",
            measured=f"{share:.2f}; extra switchers of {name} by month from {month - window}: {text}; before: "
                     f"{pre:+.0f} (SE {pre_se:.0f}) ({_sizes(p, months)}, {sec['notice_months']} months' notice)",
            accepted=f"share >= {sec['min_share_before']:g} and the extra before the change above 0 by {z:g} SE",
            passed=bool(share >= sec["min_share_before"] and pre > z * pre_se),
            detail={"share": share, "extra": extra.mean(axis=0).tolist(), "before": pre, "se": pre_se}))
    extra = arms["unannounced"] - none
    mean = extra.mean(axis=0)
    landing, landing_se = _paired(np.zeros(len(extra)), extra[:, window])
    checks.append(Check(
        "outcome", "an unannounced rise hits in the month it lands", p.engine,
        target="the month the new price lands has the most extra switching",
        measured=f"extra switchers by month from {month - window}: " + ", ".join(f"{x:+.0f}" for x in mean)
                 + f" (landing {landing:+.0f}, SE {landing_se:.0f})",
        accepted=f"the landing month has the window's largest extra switching, above 0 by {z:g} SE",
        passed=bool(int(np.argmax(mean)) == window and landing > z * landing_se),
        detail={"extra": mean.tolist(), "landing": landing, "se": landing_se}))
    return checks


# ---------------------------------------------------------------------------------------------
# (c) The intention-behaviour gap
# ---------------------------------------------------------------------------------------------


def intention_gap(spec: dict[str, Any], p: Plan) -> list[Check]:
    """Twelve months of a survey's questions, in normal times and from the start of a downturn (paired runs)."""
    sec, z = spec["intention_gap"], spec["z"]
    start, window = sec["downturn_month"], sec["window"]
    months = start + window - 1
    shares: dict[str, list[measures.Considered]] = {}
    for arm, on in (("normal", False), ("downturn", True)):
        sets = [f"economy.enabled={str(on).lower()}", f"economy.downturn_month={start}"]
        scenario = _scenario(sec["scenario"], p.customers, months, sets)
        shares[arm] = [measures.considered_and_switched(m.events, start, window)
                       for m in _ensemble(scenario, p, record_events=True)]

    def column(arm: str, key: str) -> np.ndarray:
        return np.array([getattr(s, key) for s in shares[arm]])

    ratio = {arm: column(arm, "considered") / np.maximum(column(arm, "switched"), 1e-12) for arm in shares}
    lo, hi = sec["normal_ratio"]
    src, size = sec.get("source", ""), _sizes(p, months)
    checks = []
    for arm, target, accepted, (band_low, band_high) in (
        ("normal", f"2 to 3 times ({src})", f"interval meets {lo:g} to {hi:g}", (lo, hi)),
        ("downturn", f"at least {sec['downturn_min_ratio']:g} times (56 % against just over 10 %)",
         f"interval reaches {sec['downturn_min_ratio']:g}", (sec["downturn_min_ratio"], math.inf)),
    ):
        mean, cl, ch = _t_ci(ratio[arm])
        checks.append(Check(
            "outcome", f"intention-behaviour gap, {arm} times: share considering switching in a year / share switching",
            p.engine, target=target,
            measured=f"{_ci_text(mean, cl, ch, p.runs, lambda x: f'{x:.2f}')}: "
                     f"{_pct(column(arm, 'considered').mean())} considered, "
                     f"{_pct(column(arm, 'switched').mean())} switched ({size})",
            accepted=accepted, passed=meets(cl, ch, band_low, band_high, mean), detail={"ratio": mean, "ci": (cl, ch)}))
    rise = {key: column("downturn", key).mean() / column("normal", key).mean() - 1.0
            for key in ("considered", "switched")}
    more, more_se = _paired(column("normal", "considered"), column("downturn", "considered"))
    checks.append(Check(
        "outcome", "a downturn raises considering far more than switching", p.engine,
        target="price talk makes people look, few act",
        measured=f"considering {rise['considered']:+.0%}, switching {rise['switched']:+.0%} "
                 f"(considering {100 * more:+.1f} points, SE {100 * more_se:.1f})",
        accepted=f"relative rise in considering >= {sec['min_rise_ratio']:g} x that in switching, and above 0 by "
                 f"{z:g} SE",
        passed=bool(rise["considered"] >= sec["min_rise_ratio"] * rise["switched"] and more > z * more_se),
        detail={"rise": rise, "points": more, "se": more_se}))
    for key, published, label in (("considered", sec["published_considered"], "considering switching"),
                                  ("switched", sec["published_switched"], "switching")):
        mean, cl, ch = _share_ci(column("downturn", key))
        checks.append(Check(
            "outcome", f"downturn: share {label} in a year", p.engine, target=f"{_pct(published, 0)} ({src})",
            measured=_ci_text(mean, cl, ch, p.runs, _pct), accepted="reported beside the survey, no verdict",
            passed=None, detail={"measured": mean, "ci": (cl, ch)}))
    return checks


# ---------------------------------------------------------------------------------------------
# (d) The response curve and delight
# ---------------------------------------------------------------------------------------------


def _mean_expectation(scenario: Scenario) -> float:
    share = np.array([s.share for s in scenario.segments])
    return float(np.dot(share, [s.expectation.mean for s in scenario.segments]) / share.sum())


def _same_expectations(scenario: Scenario) -> list[str]:
    """Overrides giving every customer the scenario's mean expectation, so that 'met' means met for everyone."""
    expect = _mean_expectation(scenario)
    return [f"segments.{k}.expectation.{key}={value}" for k in range(len(scenario.segments))
            for key, value in (("mean", expect), ("sd", 0.0))]


def response_curve(spec: dict[str, Any], p: Plan) -> list[Check]:
    """Churn against delivered-minus-expected experience: steep below meeting expectations, flat beyond."""
    sec, z = spec["response_curve"], spec["z"]
    base = _scenario(sec["scenario"], p.customers, sec["months"])
    expect = _mean_expectation(base)
    gaps = np.asarray(sec["gaps"], float)
    runs = []  # arms x runs
    for gap in gaps:
        sets = _same_expectations(base) + [f"providers.{k}.levers.quality={expect + gap}"
                                           for k in range(len(base.providers))]
        scenario = _scenario(sec["scenario"], p.customers, sec["months"], sets)
        runs.append([m.timeseries["churned"].sum() / m.timeseries["billed"].sum() for m in _ensemble(scenario, p)])
    churn = np.array(runs)
    short, exceed = gaps <= 0, gaps >= 0
    slopes = np.array([[measures.slope(gaps[side], run[side])[0] for side in (short, exceed)] for run in churn.T])
    (s_short, s_exceed), (se_short, _) = slopes.mean(axis=0), slopes.std(axis=0, ddof=1) / math.sqrt(len(slopes))
    ratio = s_exceed / s_short
    curve = ", ".join(f"{g:+.1f}: {_pct(c, 2)}" for g, c in zip(gaps, churn.mean(axis=1), strict=True))
    return [Check(
        "outcome", "response curve: churn falls steeply up to meeting expectations, flattens beyond", p.engine,
        target=f"the slope beyond meeting at most {sec['max_slope_ratio']:g} of the slope below "
               f"({sec.get('source', '')})",
        measured=f"slope ratio {ratio:.2f}; monthly churn by gap {curve}; slopes {s_short:.4f} and {s_exceed:.4f} "
                 f"per gap unit ({_sizes(p, sec['months'])})",
        accepted=f"falling below meeting by {z:g} SE, and ratio <= {sec['max_slope_ratio']:g}",
        passed=bool(-s_short > z * se_short and ratio <= sec["max_slope_ratio"]),
        detail={"ratio": ratio, "slopes": (s_short, s_exceed), "churn": churn.mean(axis=1).tolist()})]


def delight_to_meet(scenario: Scenario) -> np.ndarray:
    """Per provider, the delight spend that brings a typical failed contact back to meeting expectations.

    A failure resolved with low effort, at the customers' mean expectation and the provider's quality
    and proactive level: the gap left is closed by ``rules.delight_closure``, whose inverse gives the
    spend (1 % more, so that floating point leaves no customer a hair short). Infinite where the cap
    cannot close it.
    """
    svc, off = scenario.service, scenario.offers
    levers = [pr.levers for pr in scenario.providers]
    month = rules.Experience(failure=True, resolved=True, low_effort=True,
                             proactive=np.array([lv.proactive for lv in levers]) * off.enabled)
    gap = rules.experience_gap(np.array([lv.quality for lv in levers]), _mean_expectation(scenario), month, svc, off)
    need = np.maximum(-gap, 0.0)
    share = need / max(svc.delight_cap, 1e-300)  # the share of the cap the gap needs
    with np.errstate(divide="ignore"):
        spend = np.where(need == 0.0, 0.0, np.where(share < 1.0, -svc.delight_scale * np.log1p(-np.minimum(share, 1.0)),
                                                    np.inf))
    return spend * 1.01


def delight(spec: dict[str, Any], p: Plan) -> list[Check]:
    """Delight spend from none to the level that meets expectations after a failure, and beyond (paired runs).

    Every customer has the scenario's mean expectation (as in the response curve), so that the level
    that brings a failed contact back to meeting expectations is one level per provider, for everyone.
    """
    sec, z = spec["delight"], spec["z"]
    base = _scenario(sec["scenario"], p.customers, sec["months"])
    level = delight_to_meet(base)
    if not np.isfinite(level).all():
        return [Check("outcome", "delight closes gaps", p.engine, target="a level that meets expectations",
                      measured="delight cannot close a failed contact's gap here (service.delight_cap too small)",
                      accepted="a finite level", passed=False)]
    levels = (0.0 * level, level, sec["beyond"] * level)
    churn, profit = [], []
    for spend in levels:
        sets = _same_expectations(base) + [f"providers.{k}.levers.delight={x:.6g}" for k, x in enumerate(spend)]
        runs = [(m.timeseries["churned"].sum() / m.timeseries["billed"].sum(), m.timeseries["profit"].sum())
                for m in _ensemble(_scenario(sec["scenario"], p.customers, sec["months"], sets), p)]
        churn.append([c for c, _ in runs])
        profit.append([x for _, x in runs])
    first, first_se = _paired(churn[1], churn[0])  # churn without delight minus with it: the reduction
    second, second_se = _paired(churn[2], churn[1])
    cost, cost_se = _paired(profit[0], profit[1])
    size, src = _sizes(p, sec["months"]), sec.get("source", "")
    shown = ", ".join(f"x{k}: {_pct(np.mean(c), 3)}" for k, c in zip((0, 1, sec["beyond"]), churn, strict=True))
    per = "/".join(f"{x:.2f}" for x in level)
    return [
        Check("outcome", f"delight closes gaps: spend 0 to the level at which a failed contact meets expectations "
                         f"({per} by provider) lowers churn", p.engine,
              target="a clear reduction (delight is not inert)",
              measured=f"monthly churn by spend {shown}: reduction {100 * first:.3f} points (SE {100 * first_se:.3f}) "
                       f"({size})",
              accepted=f"reduction above 0 by {z:g} SE", passed=bool(first > z * first_se),
              detail={"level": level, "reduction": first, "se": first_se}),
        Check("outcome", f"delight has diminishing returns: {sec['beyond']:g} times that level barely helps more",
              p.engine, target=f"at most {sec['max_beyond_share']:g} of the first step ({src})",
              measured=f"reduction {100 * second:.3f} points (SE {100 * second_se:.3f}), "
                       f"{second / first if first else math.nan:.2f} of the first step",
              accepted=f"<= {sec['max_beyond_share']:g} x the first step",
              passed=bool(second <= sec["max_beyond_share"] * first), detail={"reduction": second, "se": second_se}),
        Check("outcome", "delight's cost is not repaid in profit", p.engine,
              target="profit lower with delight than without (the cost of exceeding expectations is not repaid)",
              measured=f"market profit {cost:+,.0f} (SE {cost_se:,.0f}) with that level, over {sec['months']} "
                       "months",
              accepted=f"below 0 by {z:g} SE", passed=bool(-cost > z * cost_se),
              detail={"profit": cost, "se": cost_se}),
    ]


# ---------------------------------------------------------------------------------------------
# (e) Sorting by tenure, (f) a stationary start, the churn bands and the echoes: the built-ins as they ship
# ---------------------------------------------------------------------------------------------


def builtins(spec: dict[str, Any], p: Plan) -> list[Check]:
    """Every built-in scenario as it ships (at the plan's size): sorting, stationarity, its band; echoes."""
    from churnsim.schema.scenario import builtin_scenarios

    sec, z = spec["builtins"], spec["z"]
    columns = list(dict.fromkeys(["retained", *metrics.EVENTS]))
    sorting, start, bands, echoes = [], [], [], []
    for name in builtin_scenarios():
        scenario = _scenario(name, p.customers, sec["months"])
        runs = [(_monthly(m, columns), metrics.summarize(m.timeseries, scenario)) for m in _ensemble(scenario, p)]
        monthly = [r for r, _ in runs]
        sorting.append(_sorting(name, monthly, sec, z, p))
        start.append(_stationary(name, monthly, sec, p))
        bands.append(_band(name, scenario, [k["market"]["annual_churn"] for _, k in runs], p, sec["months"]))
        if name == spec["echo"]["scenario"]:
            echoes = _echoes(spec["echo"], monthly, p)
    return sorting + start + bands + echoes


def _sorting(name: str, monthly: list[pd.DataFrame], sec: dict[str, Any], z: float, p: Plan) -> Check:
    years = sec["years"]
    retention = np.array([measures.yearly_retention(m["retained"].to_numpy(float), years) for m in monthly])
    slopes = np.array([measures.slope(np.arange(1, years + 1), r)[0] for r in retention])
    trend, trend_se = float(slopes.mean()), float(slopes.std(ddof=1) / math.sqrt(len(slopes)))
    steps = np.diff(retention, axis=1)
    step_se = steps.std(axis=0, ddof=1) / math.sqrt(len(steps))
    worst = int(np.argmin(steps.mean(axis=0) / np.maximum(step_se, 1e-12)))
    return Check(
        "outcome", f"sorting: '{name}' month-0 cohort's year-on-year retention rises with tenure", p.engine,
        target="rising over the first five years, as cohort tables do (Fader and Hardie 2007)",
        measured="years 1-5: " + ", ".join(f"{_pct(r)}" for r in retention.mean(axis=0))
                 + f"; trend {100 * trend:+.2f} points a year (SE {100 * trend_se:.2f})",
        accepted=f"trend above 0 by {z:g} SE, and no year below the one before by {z:g} SE",
        passed=bool(trend > z * trend_se and (steps.mean(axis=0) > -z * step_se).all()),
        detail={"retention": retention.mean(axis=0).tolist(), "trend": trend, "se": trend_se,
                "worst_step": int(worst) + 1})


def _stationary(name: str, monthly: list[pd.DataFrame], sec: dict[str, Any], p: Plan) -> Check:
    churn = np.array([(m["churned"] / m["billed"]).to_numpy(float) for m in monthly])  # runs x months 0..T
    (e0, e1), (l0, l1) = sec["early"], sec["late"]
    lo, hi = measures.band(churn[:, l0:l1 + 1].ravel(), sec["band"])
    early = churn[:, e0:e1 + 1].mean(axis=0)
    return Check(
        "outcome", f"a stationary start: '{name}' churn in months {e0}-{e1} as in months {l0}-{l1}", p.engine,
        target="month 0 is the model's own long-run state: no warm-up",
        measured="months " + ", ".join(f"{m}: {_pct(c, 2)}" for m, c in zip(range(e0, e1 + 1), early, strict=True))
                 + f"; months {l0}-{l1}: {_pct(churn[:, l0:l1 + 1].mean(), 2)}, {sec['band']:.0%} band "
                   f"[{_pct(lo, 2)}, {_pct(hi, 2)}]",
        accepted=f"each of months {e0}-{e1} inside the band", passed=bool(((early >= lo) & (early <= hi)).all()),
        detail={"early": early.tolist(), "band": (lo, hi)})


def _band(name: str, scenario: Scenario, churn: list[float], p: Plan, months: int) -> Check:
    cal = scenario.meta.calibration
    mean, lo, hi = _share_ci(churn)
    return Check(
        "calibration", f"annual churn of built-in scenario '{name}' ({scenario.meta.sector})", p.engine,
        target=f"{_pct(cal.annual_churn_min, 0)}-{_pct(cal.annual_churn_max, 0)} ({cal.source or 'band'})",
        measured=f"{_ci_text(mean, lo, hi, len(churn), _pct)} ({_sizes(p, months)})",
        accepted="interval meets the band", passed=meets(lo, hi, cal.annual_churn_min, cal.annual_churn_max, mean),
        detail={"measured": mean, "ci": (lo, hi), "band": (cal.annual_churn_min, cal.annual_churn_max)})


def _echoes(sec: dict[str, Any], totals: list[pd.DataFrame], p: Plan) -> list[Check]:
    """Disloyalty by effort and the reach of bad and good stories: inputs measured back, information only."""
    tot = [t.sum() for t in totals]
    high = [t["disloyal_high"] / max(t["high_effort"], 1) for t in tot]
    low = [(t["disloyal"] - t["disloyal_high"]) / max(t["contacted"] - t["high_effort"], 1) for t in tot]
    reach = [(t["wom_bad_reached"] / max(t["wom_bad"], 1)) / max(t["wom_good_reached"] / max(t["wom_good"], 1), 1e-12)
             for t in tot]
    rows = []
    for label, values, target, fmt, interval in (
        ("disloyal after a high-effort contact", high, sec["high_effort"], _pct, _share_ci),
        ("disloyal after a low-effort contact", low, sec["low_effort"], _pct, _share_ci),
        ("people told per bad story / per good story", reach, sec["reach_ratio"], lambda x: f"{x:.2f}x", _t_ci),
    ):
        mean, lo, hi = interval(values)
        rows.append(Check("echo", f"{label} ('{sec['scenario']}')", p.engine,
                          target=f"{fmt(target)} ({sec.get('source', '')})",
                          measured=_ci_text(mean, lo, hi, len(values), fmt), accepted=ECHO_ACCEPTED, passed=None,
                          detail={"measured": mean, "ci": (lo, hi), "target": target}))
    return rows


OUTCOMES: dict[str, Callable[[dict[str, Any], Plan], list[Check]]] = {
    "contagion": contagion, "poking": poking, "intention_gap": intention_gap, "response_curve": response_curve,
    "delight": delight, "builtins": builtins,
}
