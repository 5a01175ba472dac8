"""Experiment files: read a TOML experiment and validate it into a typed ``Experiment``.

An experiment is data, like a scenario: a base scenario, the strategies to compare (the
levers), the parameters to vary (the uncertainties), a design, replications and the KPIs
(the outcomes). Every way a file can be wrong ends in one ``ExperimentError`` whose message
names the file, the key and what is allowed, checked before a single run starts, so a
sweep of hours never dies on a typo in its last design point.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from churnsim.schema import horizon
from churnsim.schema import scenario as scenarios
from churnsim.schema.params import Scenario
from churnsim.schema.strategies import STRATEGIES
from churnsim.world import metrics

Value = bool | int | float | str
DESIGNS = ("full", "lhs", "morris", "sobol")
DEFAULT_KPIS = ("annual_churn", "share_embedded_end", "profit", "clv")


class ExperimentError(scenarios.ScenarioError):
    """Bad experiment input: the message is meant for the user as it stands (the CLI exits 2)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Design(_Strict):
    kind: Literal["full", "lhs", "morris", "sobol"] = Field(
        "full", description="full factorial, Latin hypercube, Morris elementary effects or Sobol (Saltelli)")
    samples: int | None = Field(None, ge=1, le=10_000_000,
                                description="lhs: points; morris: trajectories; sobol: base samples N (power of 2)")
    levels: int = Field(4, ge=2, le=100, description="morris: grid levels (even)")


class Parameter(_Strict):
    """One varied scenario parameter: a list of values, or a range [low, high]."""

    path: str
    values: tuple[Value, ...] | None = None
    low: float | None = None
    high: float | None = None
    levels: int | None = Field(None, ge=2, le=10_000)
    integer: bool = False

    @property
    def is_range(self) -> bool:
        return self.values is None


class Arm(_Strict):
    """A strategy to compare: named strategy presets per provider, plus optional parameter settings."""

    name: str
    providers: dict[str, tuple[str, ...]] = {}
    sets: dict[str, Value] = {}

    def flags(self) -> list[str]:
        """The arm as ``--strategy PROVIDER=NAME`` flags (an empty list keeps a provider's own)."""
        return [f"{p}={s}" for p, names in self.providers.items() for s in names]

    def assignments(self) -> list[str]:
        return [assignment(path, value) for path, value in self.sets.items()]


class Experiment(_Strict):
    name: str
    question: str = ""
    scenario: str | None = None
    seed: int | None = Field(None, ge=0, description="root entropy; recorded in the manifest when left out")
    replications: int = Field(10, ge=1, le=1_000_000)
    months: int | None = Field(None, ge=1, le=1200)
    customers: int | None = Field(None, ge=10, le=100_000_000)
    engine: Literal["auto", "agents", "vector"] = "auto"
    kpis: tuple[str, ...] = DEFAULT_KPIS
    provider: str = Field("market", description="whose KPIs the analysis reports: a provider name or 'market'")
    baseline: str | None = None
    sets: dict[str, Value] = {}
    design: Design = Design()
    strategies: tuple[Arm, ...] = (Arm(name="base"),)
    parameters: tuple[Parameter, ...] = ()

    @field_validator("kpis")
    @classmethod
    def _known_kpis(cls, kpis: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [k for k in kpis if k not in kpi_names()]
        if unknown:
            raise ValueError(f"unknown KPI {unknown[0]!r}; allowed: {', '.join(kpi_names())}")
        if not kpis:
            raise ValueError("name at least one KPI")
        return kpis

    @property
    def arm_names(self) -> list[str]:
        return [a.name for a in self.strategies]

    @property
    def baseline_arm(self) -> str:
        return self.baseline or self.strategies[0].name


@dataclass(frozen=True)
class LoadedExperiment:
    """A validated experiment and the base scenario (raw dict, fixed ``set`` applied) its runs start from."""

    experiment: Experiment
    source: str
    base: dict[str, Any]
    base_hash: str
    provider_names: tuple[str, ...]


def assignment(path: str, value: Value) -> str:
    """A ``dotted.path=value`` override with the value written as TOML reads it back."""
    return f"{path}={json.dumps(value)}"


@functools.cache
def kpi_names() -> tuple[str, ...]:
    """The KPIs a run reports, read off the metrics code itself (an empty month-0 table)."""
    row = dict.fromkeys(metrics.COLUMNS, 0) | {"provider": "A"}
    return tuple(metrics.summarize(pd.DataFrame([row]), Scenario())["A"])


def load(path: str | Path, *, replications: int | None = None, customers: int | None = None,
         months: int | None = None) -> LoadedExperiment:
    """Read and validate an experiment file; the keyword overrides win over the file (a quick look)."""
    path = Path(path)
    try:
        raw = scenarios.read_toml(scenarios.require_file(path, "experiment file"))
    except scenarios.ScenarioError as exc:
        raise ExperimentError(str(exc)) from None
    raw.setdefault("name", path.stem)
    for key, value in (("replications", replications), ("customers", customers), ("months", months)):
        if value is not None:
            raw[key] = value
    return validate(raw, str(path), path.parent)


def validate(raw: dict[str, Any], source: str = "<experiment>", folder: Path | None = None) -> LoadedExperiment:
    """Validate a raw experiment dict: schema first, then every value against the base scenario."""
    shaped = _shape(raw, source)
    try:
        exp = Experiment.model_validate(shaped)
    except ValidationError as exc:
        raise ExperimentError("\n".join(f"{source}: {_pydantic_line(e)}" for e in exc.errors())) from None
    if exp.scenario is not None and folder is not None and (folder / exp.scenario).is_file():
        exp = exp.model_copy(update={"scenario": str(folder / exp.scenario)})
    base = _base_scenario(exp, source)
    loaded_base = _build(base, [], [], exp, source, "scenario")
    names = tuple(p.name for p in loaded_base.scenario.providers)
    _check_arms(exp, base, names, source)
    _check_parameters(exp, base, source)
    _check_horizon(exp, base, source)
    _check_design(exp, source)
    if exp.provider != "market" and exp.provider not in names:
        raise ExperimentError(f"{source}: provider = {exp.provider!r}: no such provider; allowed: market, "
                              f"{', '.join(names)}")
    if exp.baseline is not None and exp.baseline not in exp.arm_names:
        raise ExperimentError(f"{source}: baseline = {exp.baseline!r}: not one of the strategies "
                              f"{', '.join(exp.arm_names)}")
    return LoadedExperiment(exp, source, base, loaded_base.hash, names)


def _shape(raw: dict[str, Any], source: str) -> dict[str, Any]:
    """Turn the file's friendly tables into the schema's lists (arms and parameters get names and paths)."""
    shaped = dict(raw)
    if "set" in shaped:
        shaped["sets"] = _flatten(_table(shaped.pop("set"), "set", source), _is_value)
    if "strategies" in shaped:
        arms = _table(shaped["strategies"], "strategies", source)
        if not arms:
            raise ExperimentError(f"{source}: strategies: name at least one strategy table, e.g. [strategies.base]")
        shaped["strategies"] = [_arm(name, spec, source) for name, spec in arms.items()]
    if "parameters" in shaped:
        flat = _flatten(_table(shaped["parameters"], "parameters", source), _is_parameter)
        shaped["parameters"] = [_parameter(p, spec, source) for p, spec in flat.items()]
    return shaped


def _table(value: Any, key: str, source: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ExperimentError(f"{source}: {key} = {value!r}: must be a table")
    return value


def _is_value(value: Any) -> bool:
    return not isinstance(value, dict)


def _is_parameter(value: Any) -> bool:
    return not isinstance(value, dict) or bool(set(value) & {"values", "low", "high", "levels"})


def _flatten(table: dict[str, Any], leaf: Callable[[Any], bool], prefix: str = "") -> dict[str, Any]:
    """Nested tables and quoted dotted keys both become dotted parameter paths."""
    out: dict[str, Any] = {}
    for name, value in table.items():
        path = f"{prefix}{name}"
        if leaf(value):
            out[path] = value
        else:
            out.update(_flatten(value, leaf, path + "."))
    return out


def _arm(name: str, spec: Any, source: str) -> dict[str, Any]:
    spec = _table(spec, f"strategies.{name}", source)
    providers: dict[str, list[str]] = {}
    sets: dict[str, Any] = {}
    for key, value in spec.items():
        if key == "set":
            sets = _flatten(_table(value, f"strategies.{name}.set", source), _is_value)
            continue
        names = [value] if isinstance(value, str) else value
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise ExperimentError(f"{source}: strategies.{name}.{key} = {value!r}: give a strategy name or a list "
                                  f"of them, e.g. {key} = \"low-effort\"")
        unknown = [n for n in names if n not in STRATEGIES]
        if unknown:
            raise ExperimentError(f"{source}: strategies.{name}.{key} = {unknown[0]!r}: unknown strategy; "
                                  f"allowed: {', '.join(STRATEGIES)}")
        providers[key] = names
    return {"name": name, "providers": providers, "sets": sets}


def _parameter(path: str, spec: Any, source: str) -> dict[str, Any]:
    where = f"{source}: parameters.{path}"
    if isinstance(spec, list):
        spec = {"values": spec}
    if not isinstance(spec, dict):
        raise ExperimentError(f"{where} = {spec!r}: give a list of values or a range {{ low = ..., high = ... }}")
    out = {"path": path, **spec}
    values = spec.get("values")
    if values is not None:
        if set(spec) - {"values"}:
            raise ExperimentError(f"{where}: give either values or low/high, not both")
        if not isinstance(values, list) or not values:
            raise ExperimentError(f"{where}.values = {values!r}: must be a non-empty list")
        if any(isinstance(v, dict | list) for v in values) or len({_kind(v) for v in values}) > 1:
            raise ExperimentError(f"{where}.values = {values!r}: values must be plain and of one kind")
        if len(set(map(json.dumps, values))) != len(values):
            raise ExperimentError(f"{where}.values = {values!r}: values must differ")
        if any(isinstance(v, float) for v in values):  # one column type in every run's table
            out["values"] = [float(v) for v in values]
        return out
    if not {"low", "high"} <= set(spec):
        raise ExperimentError(f"{where}: a range needs both low and high")
    low, high = spec["low"], spec["high"]
    if not all(isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in (low, high)):
        raise ExperimentError(f"{where}: low and high must be numbers")
    if not low < high:
        raise ExperimentError(f"{where}: low ({low}) must be below high ({high})")
    out["integer"] = isinstance(low, int) and isinstance(high, int)
    return out


def _kind(value: Value) -> str:
    return "number" if isinstance(value, int | float) and not isinstance(value, bool) else type(value).__name__


def _pydantic_line(err: Mapping[str, Any]) -> str:
    path = ".".join(str(p) for p in err["loc"]) or "experiment"
    if err["type"] == "extra_forbidden":
        allowed = ", ".join(k if k != "sets" else "set" for k in Experiment.model_fields)
        return f"{path}: unknown key; allowed at the top: {allowed}"
    if err["type"] == "missing":
        return f"{path}: required but missing"
    msg = err["msg"].replace("Value error, ", "")
    return f"{path} = {err['input']!r}: {msg}" if err["type"] != "value_error" else f"{path}: {msg}"


def _base_scenario(exp: Experiment, source: str) -> dict[str, Any]:
    try:
        path = scenarios.scenario_path(exp.scenario)
    except scenarios.ScenarioError as exc:
        raise ExperimentError(f"{source}: {exc}") from None
    try:
        raw = scenarios.read_toml(path)
    except scenarios.ScenarioError as exc:
        raise ExperimentError(f"{source}: scenario: {exc}") from None
    for path_, value in exp.sets.items():
        try:
            scenarios.apply_set(raw, assignment(path_, value))
        except scenarios.ScenarioError as exc:
            raise ExperimentError(f"{source}: set.{str(exc).removeprefix('--set ')}") from None
    return raw


def _build(base: dict[str, Any], sets: list[str], flags: list[str], exp: Experiment, source: str,
           where: str) -> scenarios.LoadedScenario:
    """Build the scenario one run would see; any problem is reported against the experiment key."""
    try:
        return scenarios.load(base, sets=sets, strategies=flags, months=exp.months, customers=exp.customers)
    except scenarios.ScenarioError as exc:
        detail = str(exc).removeprefix("--set ").replace("<dict>: ", "")
        raise ExperimentError(f"{source}: {where}: {detail}") from None


def _check_arms(exp: Experiment, base: dict[str, Any], names: tuple[str, ...], source: str) -> None:
    if len(set(exp.arm_names)) != len(exp.arm_names):
        raise ExperimentError(f"{source}: strategies: names must be unique")
    for arm in exp.strategies:
        for provider in arm.providers:
            if provider not in names:
                raise ExperimentError(f"{source}: strategies.{arm.name}.{provider}: no such provider in the "
                                      f"scenario; allowed: {', '.join(names)} (or set)")
        _build(base, arm.assignments(), arm.flags(), exp, source, f"strategies.{arm.name}")


def _check_parameters(exp: Experiment, base: dict[str, Any], source: str) -> None:
    """Build the scenario at every grid value and at both ends and the middle of every range."""
    paths = [p.path for p in exp.parameters]
    if len(set(paths)) != len(paths):
        raise ExperimentError(f"{source}: parameters: each path may appear once")
    for param in exp.parameters:
        for value in _probes(param):
            _build(base, [assignment(param.path, value)], [], exp, source, f"parameters.{param.path} = {value!r}")


def _probes(param: Parameter) -> tuple[Value, ...]:
    """Every value of a grid; both ends and the middle of a range."""
    if param.is_range:
        assert param.low is not None and param.high is not None
        mid = (param.low + param.high) / 2
        return param.low, param.high, round(mid) if param.integer else mid
    assert param.values is not None
    return param.values


def _check_horizon(exp: Experiment, base: dict[str, Any], source: str) -> None:
    """Refuse a varied parameter that acts only through an event dated after the last month, in every strategy."""
    for param in exp.parameters:
        seen = (_build(base, [*arm.assignments(), assignment(param.path, value)], arm.flags(), exp, source,
                       f"parameters.{param.path} = {value!r}").scenario
                for arm in exp.strategies for value in _probes(param))
        event = horizon.inert_through(param.path, seen)
        if event is not None and event.switched_off_by:
            raise ExperimentError(
                f"{source}: parameters.{param.path}: acts only through {event.what}, which "
                f"{event.switched_off_by} = false switches off in every strategy; its effect would be exactly 0: "
                f"set {event.switched_off_by} = true")
        if event is not None:
            raise ExperimentError(
                f"{source}: parameters.{param.path}: acts only through {event.what}, which starts in month "
                f"{event.month}, after the last month simulated; its effect would be exactly 0: set months to "
                f"{event.month} or more")


def _check_design(exp: Experiment, source: str) -> None:
    design, where = exp.design, f"{source}: design"
    grids = [p.path for p in exp.parameters if not p.is_range]
    if design.kind == "full":
        missing = [p.path for p in exp.parameters if p.is_range and p.levels is None]
        if missing:
            raise ExperimentError(f"{source}: parameters.{missing[0]}: a full factorial design needs values, "
                                  "or levels = N for a range")
        return
    if design.samples is None:
        raise ExperimentError(f"{where}.samples: required for a {design.kind} design")
    if not exp.parameters:
        raise ExperimentError(f"{where}.kind = {design.kind!r}: needs at least one parameter to vary")
    if design.kind in ("morris", "sobol") and grids:
        raise ExperimentError(f"{source}: parameters.{grids[0]}: a {design.kind} design needs a range "
                              "{ low = ..., high = ... }, not a list of values")
    if design.kind == "morris" and (design.levels % 2 or design.samples < 2):
        raise ExperimentError(f"{where}: morris needs an even number of levels and at least 2 trajectories")
    if design.kind == "sobol" and design.samples & (design.samples - 1):
        raise ExperimentError(f"{where}.samples = {design.samples}: Sobol needs a power of 2 (e.g. 64, 128, 256)")
    if any(p.levels is not None for p in exp.parameters):
        raise ExperimentError(f"{source}: parameters: levels belongs to a full design only")
