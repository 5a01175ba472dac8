"""``churnsim.calibration(...)``: one call from a scenario and a firm's targets to a calibrated scenario.

Orchestration only: targets, free parameters and the search live in their own modules; this
one runs them on the sweep executors, fits the sBG baseline, and gathers the tables a
calibration folder holds.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from churnsim.calibration import fit, free, sbg
from churnsim.calibration import targets as target_files
from churnsim.calibration.plots import fit_figure
from churnsim.calibration.survival import layout
from churnsim.engines import Engine
from churnsim.experiment import executors
from churnsim.outputs import SUMMARY, check_run_folder, file_digest, replace_folder, write_json, write_table, write_text
from churnsim.present.plots import save
from churnsim.runner import provenance
from churnsim.schema.scenario import LoadedScenario, load, scenario_hash, to_toml

MAX_MONTHS = 1200
LEVEL = 0.95


@dataclass
class CalibrationResult:
    """A finished calibration: the tables of its folder, its summary and the calibrated scenario as TOML."""

    parameters: pd.DataFrame
    correlations: pd.DataFrame
    fit: pd.DataFrame
    holdout: pd.DataFrame | None
    evaluations: pd.DataFrame
    summary: dict[str, Any]
    scenario_toml: str = field(repr=False)

    def write(self, folder: str | Path) -> list[Path]:
        """Every table, calibrated.toml, plots/fit.png and summary.json, as one folder swapped in whole."""
        folder = Path(folder)
        check_run_folder(folder)
        names: list[str] = []

        def build(fresh: Path) -> None:
            written = [write_table(self.parameters, fresh / "parameters.csv"),
                       write_table(self.correlations.reset_index(names="path"), fresh / "correlations.csv"),
                       write_table(self.fit, fresh / "fit.csv"),
                       write_table(self.evaluations, fresh / "evaluations.csv"),
                       write_text(self.scenario_toml, fresh / "calibrated.toml")]
            if self.holdout is not None:
                written.append(write_table(self.holdout, fresh / "holdout.csv"))
            figure = fit_figure(self.fit)
            (fresh / "plots").mkdir()
            written.append(save(figure, fresh / "plots" / "fit.png"))
            files = {p.relative_to(fresh).as_posix(): file_digest(p) for p in written}
            write_json({**self.summary, "files": files}, fresh / SUMMARY)
            names.extend([*files, SUMMARY])

        replace_folder(folder, build)
        return [folder / name for name in names]


def calibrate(
    scenario: str | Path | None,
    targets: str | Path | target_files.Targets,
    free_parameters: Sequence[str],
    *,
    holdout: int = 0,
    seed: int = 0,
    replications: int = 4,
    customers: int | None = None,
    sets: Sequence[str] = (),
    strategies: Sequence[str] = (),
    engine: Engine = "vector",
    starts: int | None = None,
    evaluations: int | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    dask_local: int | None = None,
    on_evaluation: Callable[[int, float], None] | None = None,
    command: str | None = None,
) -> CalibrationResult:
    """Fit ``free_parameters`` (``"path"`` or ``"path=low:high"``) of a scenario to ``targets``.

    Each candidate runs ``replications`` seeds from ``seed`` (the same for every candidate);
    ``holdout`` leaves the last periods of every cohort table out of the fit and projects them.
    Runs go to a local process pool (``workers``) or Dask (``scheduler``, ``dask_local``);
    the result does not depend on which, or on how many workers.
    """
    loaded, plan = prepare(scenario, targets, free_parameters, holdout=holdout, seed=seed, replications=replications,
                           customers=customers, sets=sets, strategies=strategies, engine=engine)
    dims = len(plan.frees)
    starts = starts or default_starts(dims)
    evaluations = evaluations or default_evaluations(dims)
    with executors.backend(workers, scheduler, dask_local) as found:
        search = fit.search(plan, found.executor, seed, starts=starts, evaluations=evaluations,
                            on_evaluation=on_evaluation)
    uncertainty = fit.bootstrap(plan, search, seed)
    return _result(loaded, plan, search, uncertainty, seed, command, budget(dims, starts, evaluations))


def default_starts(dims: int) -> int:
    """Sobol points: the power of 2 at or above 4 per free parameter (Sobol's balance needs a power of 2)."""
    return 2 ** math.ceil(math.log2(4 * dims))


def default_evaluations(dims: int) -> int:
    return 10 * dims


def budget(dims: int, starts: int, evaluations: int) -> int:
    """Most candidates a search can run: the start, the design, Nelder-Mead, the local designs."""
    return 1 + starts + evaluations + fit.ROUNDS * (1 + 2 * dims)


def prepare(scenario: str | Path | None, targets: str | Path | target_files.Targets, free_parameters: Sequence[str],
            *, holdout: int, seed: int, replications: int, customers: int | None, sets: Sequence[str],
            strategies: Sequence[str], engine: Engine) -> tuple[LoadedScenario, fit.Plan]:
    """Everything checked before a single run: the scenario, the targets against it, the free parameters."""
    loaded = load(scenario, sets=list(sets), strategies=list(strategies), customers=customers)
    found = targets if isinstance(targets, target_files.Targets) else target_files.load(targets)
    target_files.check_against(found, loaded.scenario)
    frees = free.parse_all(list(free_parameters), loaded)
    for f in frees:
        for u in (0.0, 1.0):
            fit.scenario_at(loaded, [f], np.array([u]))  # a bound another setting of the scenario refuses
    if holdout:
        if not found.cohorts:
            raise target_files.TargetError(f"--holdout {holdout}: holds out periods of cohort tables, and "
                                           f"{found.source} has none")
        for c in found.cohorts:
            if c.last_period - holdout < target_files.MIN_PERIODS - 1:
                raise target_files.TargetError(
                    f"--holdout {holdout}: leaves cohort {c.name} {c.last_period - holdout} fitted periods after "
                    f"period 0; at least {target_files.MIN_PERIODS - 1} are needed (holdout at most "
                    f"{c.last_period - target_files.MIN_PERIODS + 1})")
    months = found.horizon(loaded.scenario.market.months)
    if months > MAX_MONTHS:
        raise target_files.TargetError(f"{found.source}: the cohorts need {months} months of simulation; at most "
                                       f"{MAX_MONTHS}: shorten the tables or the joined windows")
    plan = fit.Plan(loaded, frees, found, holdout, fit.seeds(seed, replications), engine)
    return loaded, plan


def _result(loaded: LoadedScenario, plan: fit.Plan, search: fit.Search, uncertainty: fit.Uncertainty, seed: int,
            command: str | None, planned: int) -> CalibrationResult:
    frees = plan.frees
    values = np.array([[f.value(u) for f, u in zip(frees, row, strict=True)] for row in uncertainty.draws])
    tail = (1.0 - LEVEL) / 2
    ci_low, ci_high = np.quantile(values, [tail, 1.0 - tail], axis=0)
    rows = []
    for j, f in enumerate(frees):
        width = (ci_high[j] - ci_low[j]) / (f.high - f.low)
        flat = uncertainty.profile_rise[j] < fit.CHI2_95
        notes = ([f"flat profile: moving it by a quarter of its range, the others refitted, raises the loss by "
                  f"{uncertainty.profile_rise[j]:.2f} (< {fit.CHI2_95:.2f})"] if flat else [])
        notes += [f"wide interval: {width:.0%} of its range"] if width > fit.WIDE else []
        edge = min(search.unit[j], 1.0 - search.unit[j])
        notes += [f"at the {'low' if search.unit[j] < 0.5 else 'high'} end of its search range: the bound, not "
                  "the targets, holds it; widen the range if the schema allows"] if edge < fit.EDGE else []
        rows.append({"path": f.path, "value": f.value(search.unit[j]), "ci_low": float(ci_low[j]),
                     "ci_high": float(ci_high[j]), "low": f.low, "high": f.high, "start": f.start,
                     "profile_rise": float(uncertainty.profile_rise[j]), "identified": not notes,
                     "note": "; ".join(notes) or "pinned down by the targets"})
    parameters = pd.DataFrame(rows)
    spread = values.std(axis=0) > 0
    corr = np.full((len(frees), len(frees)), np.nan)
    if spread.sum() > 1:
        corr[np.ix_(spread, spread)] = np.corrcoef(values[:, spread], rowvar=False)
    np.fill_diagonal(corr, 1.0)
    paths = [f.path for f in frees]
    correlations = pd.DataFrame(corr, index=pd.Index(paths, name="path"), columns=paths)
    fitted, sbg_fits, holdout = _fit_table(plan, search, uncertainty)
    calibrated = fit.scenario_at(loaded, frees, search.unit)
    evaluations = pd.DataFrame([{**{f.path: f.value(u) for f, u in zip(frees, point, strict=True)}, "loss": loss}
                                for point, loss in search.trace])
    summary = {
        "command": command, "kind": "calibration", **provenance(loaded, seed, plan.engine),
        "calibrated_hash": scenario_hash(calibrated.scenario),
        "targets": plan.targets.source, "holdout": plan.holdout, "replications": len(plan.seeds),
        "seeds": list(plan.seeds), "customers": loaded.scenario.market.customers,
        "months_simulated": plan.targets.horizon(loaded.scenario.market.months),
        "loss": search.loss, "candidates": len(search.trace), "candidates_planned": planned,
        "calibration": {"parameters": parameters.to_dict(orient="records"),
                        "unidentified": [r["path"] for r in rows if not r["identified"]],
                        "sbg": sbg_fits, "holdout": _holdout_summary(holdout)},
    }
    header = (f"# churnsim {summary['churnsim_version']}: scenario {summary['scenario']} calibrated to "
              f"{plan.targets.source} ({', '.join(f'{r['path']} = {r['value']:.6g}' for r in rows)}).\n"
              f"# Run it as it is: churnsim run calibrated.toml\n\n")
    return CalibrationResult(parameters, correlations, fitted, holdout, evaluations, summary,
                             header + to_toml(calibrated))


def _fit_table(plan: fit.Plan, search: fit.Search,
               uncertainty: fit.Uncertainty) -> tuple[pd.DataFrame, dict[str, Any], pd.DataFrame | None]:
    """Observed, simulated (with band) and sBG per cohort period and share target; the holdout errors."""
    blocks = layout(plan.targets)
    mean = search.runs.mean(axis=0)
    tail = (1.0 - LEVEL) / 2
    low, high = np.quantile(uncertainty.predicted, [tail, 1.0 - tail], axis=0)
    rows, fits, held = [], {}, []
    for cohort, (_, start, _stop) in zip(plan.targets.cohorts, blocks, strict=False):
        upto = plan.fitted_periods(cohort.last_period)
        baseline = sbg.fit(cohort.survivors[: upto + 1])
        projected = baseline.survival(cohort.last_period)
        fits[cohort.name] = {"alpha": baseline.alpha, "beta": baseline.beta,
                             "log_likelihood": baseline.log_likelihood, "fitted_periods": upto}
        observed = np.asarray(cohort.survivors) / cohort.survivors[0]
        for k in range(cohort.last_period + 1):
            role = "fit" if k <= upto else "holdout"
            rows.append({"target": cohort.name, "unit": cohort.unit, "period": k, "role": role,
                         "observed": observed[k], "simulated": mean[start + k], "band_low": low[start + k],
                         "band_high": high[start + k], "sbg": projected[k]})
            if role == "holdout":
                held.append({"target": cohort.name, "period": k, "observed": observed[k],
                             "churnsim": mean[start + k], "churnsim_error": mean[start + k] - observed[k],
                             "sbg": projected[k], "sbg_error": projected[k] - observed[k]})
    for share, (name, start, _) in zip(plan.targets.shares, blocks[len(plan.targets.cohorts):-1], strict=True):
        rows.append({"target": name, "unit": "", "period": np.nan, "role": "fit", "observed": share.value,
                     "simulated": mean[start], "band_low": low[start], "band_high": high[start], "sbg": np.nan})
    return pd.DataFrame(rows), fits, pd.DataFrame(held) if plan.holdout else None


def _holdout_summary(holdout: pd.DataFrame | None) -> dict[str, Any] | None:
    """Mean absolute error per held-out period, in percent of the observed share, per cohort and model."""
    if holdout is None:
        return None
    out = {}
    for name, g in holdout.groupby("target", sort=False):
        out[name] = {model: float((g[f"{model}_error"].abs() / g["observed"]).mean() * 100)
                     for model in ("churnsim", "sbg")} | {"periods": g["period"].astype(int).tolist()}
    return out


def describe(result: CalibrationResult) -> str:
    """The fitted values, their intervals and flags, and the holdout errors, as plain text for the terminal."""
    lines = [f"{'parameter':<36} {'fitted':>10}  {'95 % interval':<23} identified"]
    for r in result.parameters.to_dict(orient="records"):
        flag = "yes" if r["identified"] else f"NO: {r['note']}"
        lines.append(f"{r['path']:<36} {r['value']:>10.4g}  [{r['ci_low']:.4g}, {r['ci_high']:.4g}]".ljust(73)
                     + f" {flag}")
    lines.append(f"loss {result.summary['loss']:.3g} after {result.summary['candidates']} candidates of "
                 f"{result.summary['replications']} runs each")
    for name, errors in (result.summary["calibration"]["holdout"] or {}).items():
        periods = errors["periods"]
        lines.append(f"cohort {name}, periods {periods[0]}-{periods[-1]} held out: mean absolute error "
                     f"{errors['churnsim']:.1f} % (churnsim) against {errors['sbg']:.1f} % (sBG)")
    return "\n".join(lines)
