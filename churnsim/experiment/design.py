"""Experimental designs: points in parameter space, as a plain table.

``sample`` returns the sampler's own values (the "raw" design SALib analyses), one row
per point; ``applied`` turns a raw value into what the model is given (integers rounded,
a Latin-hypercube draw mapped onto a list of values). Full factorial and Latin hypercube
(``scipy.stats.qmc``) suit strategy sweeps; Morris and Sobol (SALib) are for sensitivity.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import qmc

from churnsim.experiment.spec import Design, Parameter, Value


def problem(parameters: tuple[Parameter, ...]) -> dict[str, Any]:
    """The SALib problem dict: names and bounds of the ranged parameters."""
    return {"num_vars": len(parameters), "names": [p.path for p in parameters],
            "bounds": [[p.low, p.high] for p in parameters]}


def sample(design: Design, parameters: tuple[Parameter, ...], seed: int) -> pd.DataFrame:
    """One row per design point, one column per parameter path, in the sampler's order."""
    names = [p.path for p in parameters]
    if design.kind == "full":
        axes = [p.values if p.values is not None else _levels(p) for p in parameters]
        rows = list(itertools.product(*axes))
        return pd.DataFrame(rows, columns=names) if names else pd.DataFrame(index=range(1))
    if design.kind == "lhs":
        unit = qmc.LatinHypercube(d=len(parameters), rng=np.random.default_rng(seed)).random(design.samples)
        return pd.DataFrame({p.path: unit[:, i] if p.values is not None else _scaled(p, unit[:, i])
                             for i, p in enumerate(parameters)})
    if design.kind == "morris":
        from SALib.sample import morris

        x = morris.sample(problem(parameters), design.samples, num_levels=design.levels, seed=seed)
    else:
        from SALib.sample import sobol

        x = sobol.sample(problem(parameters), design.samples, calc_second_order=False, seed=seed)
    return pd.DataFrame(x, columns=names)


def _scaled(param: Parameter, unit: np.ndarray) -> np.ndarray:
    """A Latin-hypercube column on [0, 1) mapped onto the parameter's range."""
    assert param.low is not None and param.high is not None
    return param.low + unit * (param.high - param.low)


def _levels(param: Parameter) -> list[Value]:
    assert param.low is not None and param.high is not None and param.levels is not None
    grid = np.linspace(param.low, param.high, param.levels)
    return [int(v) for v in np.rint(grid)] if param.integer else [float(v) for v in grid]


def applied(design: Design, parameters: tuple[Parameter, ...], raw: pd.DataFrame) -> pd.DataFrame:
    """The values the runs give the model, point by point: rounded integers, a draw mapped onto a list."""
    out = {}
    for p in parameters:
        column = raw[p.path]
        if p.values is not None and design.kind == "lhs":
            index = np.minimum((column.to_numpy() * len(p.values)).astype(int), len(p.values) - 1)
            out[p.path] = [p.values[i] for i in index]
        elif p.integer:
            out[p.path] = column.round().astype("int64")
        else:
            out[p.path] = column
    return pd.DataFrame(out, index=raw.index)
