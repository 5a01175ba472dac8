"""Free parameters: ``--free PATH[=LOW:HIGH]``, checked against the scenario schema's ranges."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from churnsim.calibration.targets import TargetError
from churnsim.schema.scenario import LoadedScenario, field_range, unknown_key


@dataclass(frozen=True)
class Free:
    """A parameter the calibration searches, between ``low`` and ``high``, from the scenario's value ``start``."""

    path: str
    low: float
    high: float
    start: float
    integer: bool

    def value(self, unit: float) -> float | int:
        """The parameter's value at ``unit`` in [0, 1] of its search range."""
        value = self.low + unit * (self.high - self.low)
        return round(value) if self.integer else float(value)

    def unit(self, value: float) -> float:
        return min(max((value - self.low) / (self.high - self.low), 0.0), 1.0)


def _field(loaded: LoadedScenario, path: str) -> tuple[Any, Any]:
    """The pydantic field at a dotted path and the scenario's value there; providers and segments by name."""
    node: Any = loaded.scenario
    info = None
    parts = path.split(".")
    for i, part in enumerate(parts):
        if isinstance(node, tuple):
            names = [getattr(item, "name", str(k)) for k, item in enumerate(node)]
            index = names.index(part) if part in names else int(part) if part.isdigit() and int(part) < len(node) \
                else None
            if index is None:
                raise TargetError(f"--free {path}: no item {part!r} in {'.'.join(parts[:i])}; allowed: "
                                  f"{', '.join(names)}")
            node = node[index]
            continue
        if not isinstance(node, BaseModel):
            raise TargetError(f"--free {path}: {parts[i - 1]!r} is a value, with no parameters inside")
        fields = type(node).model_fields
        if part not in fields:
            raise TargetError(f"--free {path}: {unknown_key(part, list(fields))}")
        info, node = fields[part], getattr(node, part)
    if isinstance(node, BaseModel | tuple) or info is None:
        raise TargetError(f"--free {path}: a group of parameters, not one; name a number inside it "
                          "(see churnsim params)")
    return info, node


def parse(spec: str, loaded: LoadedScenario) -> Free:
    """One ``--free PATH`` or ``--free PATH=LOW:HIGH``; the bounds must lie inside the schema's range."""
    path, sep, bounds = spec.partition("=")
    path = path.strip()
    info, current = _field(loaded, path)
    if info.annotation not in (int, float):
        raise TargetError(f"--free {path}: a {getattr(info.annotation, '__name__', info.annotation)} parameter; "
                          "only numbers can be calibrated")
    lo, hi, lo_open, hi_open = field_range(info)
    allowed = f"{'(' if lo_open else '['}{lo:g}, {hi:g}{')' if hi_open else ']'}"
    if sep:
        text_low, colon, text_high = bounds.partition(":")
        try:
            low, high = float(text_low), float(text_high)
        except ValueError:
            low = high = math.nan
        if not colon or not (math.isfinite(low) and math.isfinite(high)):
            raise TargetError(f"--free {spec}: expected PATH=LOW:HIGH with two numbers, e.g. {path}=0.1:0.5")
    else:
        low, high = lo, hi
        if not (math.isfinite(low) and math.isfinite(high)) or lo_open or hi_open:
            raise TargetError(f"--free {path}: the schema allows {allowed}, which has an open or infinite end; "
                              f"give bounds inside it: --free {path}=LOW:HIGH")
    for name, value in (("low", low), ("high", high)):
        if value < lo or value > hi or (lo_open and value == lo) or (hi_open and value == hi):
            raise TargetError(f"--free {spec}: {name} {value:g} is outside the range {path} allows, {allowed}")
    if not low < high:
        raise TargetError(f"--free {spec}: low ({low:g}) must be below high ({high:g})")
    integer = info.annotation is int
    return Free(path, low, high, float(current), integer)


def parse_all(specs: list[str] | tuple[str, ...], loaded: LoadedScenario) -> tuple[Free, ...]:
    if not specs:
        raise TargetError("--free: name at least one parameter to calibrate, e.g. --free phase_out.switch_rate")
    frees = tuple(parse(s, loaded) for s in specs)
    paths = [f.path for f in frees]
    if len(set(paths)) != len(paths):
        raise TargetError(f"--free: each parameter may be named once, got {', '.join(paths)}")
    return frees
