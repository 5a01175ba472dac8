"""Calibration targets: what a firm knows about its market, read and checked before a single run.

A target file is TOML holding any mix of the kinds below, each with a weight, or a CSV
holding one cohort survival table (columns ``period`` and ``survivors``; optional
``cohort`` to hold several cohorts, and ``unit``, ``provider``, ``segment``). Every way a
file can be wrong is one ``TargetError`` naming the file, the field, the value and what is
allowed, so the command line prints it as one line.

* ``[[cohort]]``: survivors of a cohort of new customers after each period (Fader and
  Hardie 2007), yearly or monthly, of one provider or all, of one segment or all;
* ``[[churn]]``: a provider's (or the market's) mean monthly churn;
* ``[[market_share]]``: a provider's share of all customers at the end;
* ``[[survey]]``: a surveyed share: ``considering`` switching (looking around, mean over the
  months) or ``embedded`` (at the end), of a provider's customers or the market's.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from churnsim.schema.params import Scenario
from churnsim.schema.scenario import ScenarioError, read_toml, require_file

UNITS = {"year": 12, "month": 1}
SHARE_KINDS = ("churn", "market_share", "survey")
SURVEY_MEASURES = ("considering", "embedded")
COHORT_COLUMNS = ("period", "survivors")
OPTIONAL_COLUMNS = ("cohort", "unit", "provider", "segment")
DEFAULT_SAMPLE = 1000  # respondents or customers behind a share when the file does not say (Novus: 1,000)
MIN_PERIODS = 3  # period 0 and at least two more: fewer cannot tell heterogeneity from churn


class TargetError(ScenarioError):
    """Bad target input: the message is meant for the user as it stands (the CLI exits 2)."""


@dataclass(frozen=True)
class Cohort:
    """Survivors of customers who joined in months ``joined`` of the simulation, after 0, 1, ... periods."""

    name: str
    unit: str
    survivors: tuple[float, ...]
    provider: str | None = None
    segment: str | None = None
    joined: tuple[int, int] = (1, 12)
    weight: float = 1.0

    @property
    def months_per_period(self) -> int:
        return UNITS[self.unit]

    @property
    def last_period(self) -> int:
        return len(self.survivors) - 1

    @property
    def horizon(self) -> int:
        """The months a run needs: the last joiner followed for every period of the table."""
        return self.joined[1] + self.last_period * self.months_per_period


@dataclass(frozen=True)
class Share:
    """One observed share: monthly churn, a market share or a survey answer, from ``n`` customers."""

    kind: str
    provider: str
    value: float
    measure: str = ""
    n: int = DEFAULT_SAMPLE
    weight: float = 1.0

    @property
    def name(self) -> str:
        return f"{self.measure or self.kind} ({self.provider})"


@dataclass(frozen=True)
class Targets:
    cohorts: tuple[Cohort, ...]
    shares: tuple[Share, ...]
    source: str

    def horizon(self, months: int) -> int:
        """Months to simulate: long enough for every cohort, else the scenario's own ``months``."""
        return max((c.horizon for c in self.cohorts), default=months)


def published() -> dict[str, Path]:
    """Cohort tables shipped with churnsim, by name: Fader and Hardie (2007)'s regular and high-end customers."""
    folder = Path(str(resources.files("churnsim.calibration") / "data"))
    return {p.stem: p for p in sorted(folder.glob("*.csv"))}


def load(path: str | Path) -> Targets:
    """Read a TOML or CSV target file, or a published table by name (``fader_hardie_regular``)."""
    if not Path(path).exists() and str(path) in published():
        path = published()[str(path)]
    path = require_file(Path(path), f"target file (.toml or .csv) or published table ({', '.join(published())})")
    if path.suffix.lower() == ".csv":
        return Targets(cohorts_from_csv(path), (), str(path))
    if path.suffix.lower() != ".toml":
        raise TargetError(f"{path}: a target file must be .toml or .csv, not {path.suffix or 'without a suffix'}")
    return from_dict(read_toml(path), str(path), path.parent)


def from_dict(raw: dict[str, Any], source: str = "<targets>", folder: Path | None = None) -> Targets:
    """Targets from a TOML document's tables (``[[cohort]]``, ``[[churn]]``, ...)."""
    allowed = ("cohort", *SHARE_KINDS)
    unknown = [k for k in raw if k not in allowed]
    if unknown:
        raise TargetError(f"{source}: unknown target kind {unknown[0]!r}; allowed: {', '.join(allowed)}")
    cohorts: list[Cohort] = []
    for i, table in enumerate(_tables(raw, "cohort", source)):
        cohorts.extend(_cohort(table, f"{source}: cohort.{table.get('name', i)}", folder, i))
    shares = [_share(kind, table, f"{source}: {kind}.{i}") for kind in SHARE_KINDS
              for i, table in enumerate(_tables(raw, kind, source))]
    if not cohorts and not shares:
        raise TargetError(f"{source}: no targets; give at least one of [[cohort]], [[churn]], [[market_share]], "
                          "[[survey]]")
    names = [c.name for c in cohorts]
    if len(set(names)) != len(names):
        raise TargetError(f"{source}: cohort names must differ, got {', '.join(names)}")
    return Targets(tuple(cohorts), tuple(shares), source)


def _tables(raw: dict[str, Any], kind: str, source: str) -> list[dict[str, Any]]:
    tables = raw.get(kind, [])
    if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        raise TargetError(f"{source}: {kind} = {tables!r}: must be tables, written [[{kind}]]")
    return tables


def _number(value: Any, where: str, low: float = 0.0, high: float = math.inf) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        span = f"[{low:g}, {high:g}]" if math.isfinite(high) else f">= {low:g}"
        raise TargetError(f"{where} = {value!r}: must be a number {span}")
    return float(value)


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value:
        raise TargetError(f"{where} = {value!r}: must be a name (text)")
    return value


def _cohort(table: dict[str, Any], where: str, folder: Path | None, index: int) -> list[Cohort]:
    keys = ("name", "unit", "provider", "segment", "joined", "weight", "period", "survivors", "file")
    unknown = [k for k in table if k not in keys]
    if unknown:
        raise TargetError(f"{where}: unknown key {unknown[0]!r}; allowed: {', '.join(keys)}")
    if "file" in table:
        if {"period", "survivors"} & set(table):
            raise TargetError(f"{where}: give either file or period and survivors, not both")
        path = Path(_text(table["file"], f"{where}.file"))
        path = folder / path if folder is not None and not path.is_absolute() else path
        found = cohorts_from_csv(require_file(path, "cohort table (.csv)"))
        settings: dict[str, Any] = {k: table[k] for k in ("unit", "provider", "segment", "joined", "weight")
                                    if k in table}
        return [_cohort_of(f.name if len(found) > 1 or "name" not in table else table["name"], f.survivors,
                           {"unit": f.unit, "provider": f.provider, "segment": f.segment, **settings}, where)
                for f in found]
    missing = [k for k in COHORT_COLUMNS if k not in table]
    if missing:
        raise TargetError(f"{where}: missing {missing[0]}; a cohort needs period and survivors (lists), or file")
    periods, survivors = table["period"], table["survivors"]
    for key, values in (("period", periods), ("survivors", survivors)):
        if not isinstance(values, list):
            raise TargetError(f"{where}.{key} = {values!r}: must be a list of numbers")
    if len(periods) != len(survivors):
        raise TargetError(f"{where}: period has {len(periods)} values and survivors {len(survivors)}; "
                          "they must pair up")
    ordered = _survivors(periods, survivors, where)
    return [_cohort_of(str(table.get("name", f"cohort {index + 1}")), ordered, table, where)]


def _cohort_of(name: str, survivors: tuple[float, ...], table: dict[str, Any], where: str) -> Cohort:
    unit = table.get("unit", "year")
    if unit not in UNITS:
        raise TargetError(f"{where}.unit = {unit!r}: allowed: {', '.join(UNITS)}")
    joined = table.get("joined", [1, UNITS[unit]])
    if (not isinstance(joined, list) or len(joined) != 2
            or not all(isinstance(m, int) and not isinstance(m, bool) for m in joined)
            or not 1 <= joined[0] <= joined[1] <= 600):
        raise TargetError(f"{where}.joined = {joined!r}: must be [first, last] months of the simulation the cohort "
                          "joins in, 1 <= first <= last <= 600, e.g. [1, 12]")
    provider = table.get("provider")
    segment = table.get("segment")
    return Cohort(name, unit, survivors, None if provider is None else _text(provider, f"{where}.provider"),
                  None if segment is None else _text(segment, f"{where}.segment"), (joined[0], joined[1]),
                  _number(table.get("weight", 1.0), f"{where}.weight", 0.0, 1e6))


def _survivors(periods: list[Any], survivors: list[Any], where: str) -> tuple[float, ...]:
    """Survivors in period order, checked: periods 0, 1, 2, ... once each; counts never rising."""
    for p in periods:
        if isinstance(p, bool) or not isinstance(p, int | float) or p != int(p) or p < 0:
            raise TargetError(f"{where}.period = {p!r}: periods must be whole numbers 0, 1, 2, ...")
    pairs = sorted(zip((int(p) for p in periods), survivors, strict=True))
    got = [p for p, _ in pairs]
    if got != list(range(len(got))):
        raise TargetError(f"{where}.period = {got}: must be 0, 1, 2, ... once each, with no gaps (period 0 is "
                          "the cohort as it joined)")
    if len(got) < MIN_PERIODS:
        raise TargetError(f"{where}: {len(got)} periods; a cohort table needs period 0 and at least "
                          f"{MIN_PERIODS - 1} more")
    counts = [_number(s, f"{where}.survivors (period {p})") for p, s in pairs]
    if counts[0] <= 0:
        raise TargetError(f"{where}.survivors (period 0) = {counts[0]:g}: must be above 0 (the cohort's size)")
    for p in range(1, len(counts)):
        if counts[p] > counts[p - 1]:
            raise TargetError(f"{where}.survivors: rise from {counts[p - 1]:g} in period {p - 1} to {counts[p]:g} in "
                              f"period {p}; survivors of a cohort can only fall")
    return tuple(counts)


def cohorts_from_csv(path: Path) -> tuple[Cohort, ...]:
    """One or several cohort tables from a CSV: columns period, survivors; optional cohort, unit, provider, segment."""
    try:
        text = path.read_bytes().removeprefix(b"\xef\xbb\xbf").decode("utf-8")
    except UnicodeDecodeError as exc:
        raise TargetError(f"{path}: not a UTF-8 text file (byte {exc.start}); save it as UTF-8 CSV") from None
    except OSError as exc:
        raise TargetError(f"{path}: cannot read: {exc.strerror}") from None
    try:
        rows = list(csv.DictReader(io.StringIO(text)))
    except csv.Error as exc:
        raise TargetError(f"{path}: not a readable CSV ({exc})") from None
    header = [h.strip() for h in (csv.DictReader(io.StringIO(text)).fieldnames or [])]
    missing = [c for c in COHORT_COLUMNS if c not in header]
    if missing:
        raise TargetError(f"{path}: missing column {missing[0]!r}; a cohort table needs columns "
                          f"{', '.join(COHORT_COLUMNS)} (optional: {', '.join(OPTIONAL_COLUMNS)}), got "
                          f"{', '.join(header) or 'no header'}")
    extra = [c for c in header if c not in (*COHORT_COLUMNS, *OPTIONAL_COLUMNS)]
    if extra:
        raise TargetError(f"{path}: unknown column {extra[0]!r}; allowed: "
                          f"{', '.join((*COHORT_COLUMNS, *OPTIONAL_COLUMNS))}")
    if not rows:
        raise TargetError(f"{path}: no rows; a cohort table needs one row per period")
    groups: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        row = {k.strip(): (v or "").strip() for k, v in row.items() if k is not None}
        groups.setdefault(row.get("cohort") or path.stem, []).append(row)
    cohorts = []
    for name, group in groups.items():
        where = f"{path}: cohort {name}" if len(groups) > 1 else str(path)
        periods = [_csv_number(r["period"], where, "period", i) for i, r in enumerate(group, start=2)]
        survivors = [_csv_number(r["survivors"], where, "survivors", i) for i, r in enumerate(group, start=2)]
        settings: dict[str, Any] = {}
        for key in ("unit", "provider", "segment"):
            values = {r.get(key, "") for r in group}
            if len(values) > 1:
                raise TargetError(f"{where}: column {key} = {sorted(values)}: must be the same in every row of a "
                                  "cohort")
            if values - {""}:
                settings[key] = values.pop()
        cohorts.append(_cohort_of(name, _survivors(periods, survivors, where), settings, where))
    return tuple(cohorts)


def _csv_number(text: str, where: str, column: str, line: int) -> float:
    try:
        value = float(text)
    except ValueError:
        raise TargetError(f"{where}: line {line}: {column} = {text!r}: must be a number") from None
    if not math.isfinite(value):
        raise TargetError(f"{where}: line {line}: {column} = {text!r}: must be a finite number")
    return int(value) if value == int(value) else value


def _share(kind: str, table: dict[str, Any], where: str) -> Share:
    keys = ("provider", "value", "n", "weight", *(("measure",) if kind == "survey" else ()))
    unknown = [k for k in table if k not in keys]
    if unknown:
        raise TargetError(f"{where}: unknown key {unknown[0]!r}; allowed: {', '.join(keys)}")
    if "value" not in table:
        raise TargetError(f"{where}: missing value (a share between 0 and 1)")
    measure = ""
    if kind == "survey":
        measure = table.get("measure", "")
        if measure not in SURVEY_MEASURES:
            raise TargetError(f"{where}.measure = {measure!r}: allowed: {', '.join(SURVEY_MEASURES)}")
    provider = _text(table.get("provider", "market"), f"{where}.provider")
    if kind == "market_share" and provider == "market":
        raise TargetError(f"{where}.provider: a market share needs a provider's name")
    n = table.get("n", DEFAULT_SAMPLE)
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise TargetError(f"{where}.n = {n!r}: must be a whole number >= 1 (customers or respondents behind the "
                          "share)")
    return Share(kind, provider, _number(table["value"], f"{where}.value", 0.0, 1.0), measure, n,
                 _number(table.get("weight", 1.0), f"{where}.weight", 0.0, 1e6))


def check_against(targets: Targets, scenario: Scenario) -> None:
    """Every provider and segment a target names must be one of the scenario's."""
    providers = [p.name for p in scenario.providers]
    segments = [s.name for s in scenario.segments]
    named = [(f"cohort.{c.name}.provider", c.provider) for c in targets.cohorts if c.provider is not None]
    named += [(f"{s.kind}.provider", s.provider) for s in targets.shares if s.provider != "market"]
    for where, name in named:
        if name not in providers:
            raise TargetError(f"{targets.source}: {where} = {name!r}: no such provider in the scenario; allowed: "
                              f"{', '.join(providers)}" + (", market" if not where.startswith(("cohort", "market"))
                                                            else ""))
    for cohort in targets.cohorts:
        if cohort.segment is not None and cohort.segment not in segments:
            raise TargetError(f"{targets.source}: cohort.{cohort.name}.segment = {cohort.segment!r}: no such segment "
                              f"in the scenario; allowed: {', '.join(segments)}")
