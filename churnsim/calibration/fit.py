"""Estimation: an ensemble per candidate under common random numbers, a loss, an optimiser, intervals.

Every candidate runs the same seeds, so the loss is a deterministic function of the free
parameters and differences between candidates are not seed noise. The search works on the
unit cube of the free parameters' ranges: a scrambled Sobol design over the cube, then
Nelder-Mead from its best point (both scipy) to find the basin, then Gauss-Newton steps on a
local-linear regression of the simulated targets over a star of points around the best one,
which reads the trend through the ruggedness a finite population gives the loss. Intervals
come from a bootstrap over seeds and data of that last step, which costs no further runs; the
same regression gives each parameter's profile.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass

import numpy as np
from scipy import optimize, stats
from scipy.stats import qmc

from churnsim.calibration.free import Free
from churnsim.calibration.survival import Task, layout, measure
from churnsim.calibration.targets import Targets
from churnsim.engines import Engine
from churnsim.experiment.seeds import analysis_seed, design_seed, run_seed
from churnsim.experiment.spec import assignment
from churnsim.schema.scenario import LoadedScenario, load

CHI2_95 = float(stats.chi2.ppf(0.95, 1))  # a profile rise below this cannot be told from chance
PROFILE_STEP = 0.25  # share of a parameter's range a well-pinned parameter cannot move by unnoticed
WIDE = 0.5  # an interval wider than this share of the range is flagged
EDGE = 0.01  # an estimate this close to an end of its range (in shares of the range) is flagged
STEP = 0.1  # radius of the local design, in shares of the range (wide: the runs are discrete)
BOOTSTRAP = 1000
ROUNDS = 3  # Gauss-Newton steps on local-linear fits after Nelder-Mead
NEIGHBOURHOOD = 1.5 * STEP  # candidates this close to the centre (in each coordinate) join its regression


@dataclass(frozen=True)
class Plan:
    """What is fitted: the targets, the periods of each cohort the loss sees, the seeds, the engine."""

    loaded: LoadedScenario
    frees: tuple[Free, ...]
    targets: Targets
    holdout: int
    seeds: tuple[int, ...]
    engine: Engine

    def fitted_periods(self, last_period: int) -> int:
        return last_period - self.holdout


def seeds(entropy: int, replications: int) -> tuple[int, ...]:
    """The seeds every candidate runs: common random numbers."""
    return tuple(run_seed(entropy, r) for r in range(replications))


def scenario_at(loaded: LoadedScenario, frees: Sequence[Free], unit: np.ndarray) -> LoadedScenario:
    """The scenario with each free parameter at its point of the unit cube."""
    sets = [assignment(f.path, f.value(float(u))) for f, u in zip(frees, unit, strict=True)]
    return load(loaded.raw, sets=sets)


def cells(survival: np.ndarray, upto: int) -> np.ndarray:
    """Shares of a cohort lost in periods 1..upto, then the share still there after ``upto`` (the sBG's cells)."""
    kept = survival[..., : upto + 1]
    return np.concatenate([-np.diff(kept, axis=-1), kept[..., -1:]], axis=-1)


class Residuals:
    """Standardised differences between observed and simulated targets, linear in the simulated vector.

    A cohort contributes the shares lost in each fitted period and the share left after the
    last (Pearson's chi-square, as the sBG's likelihood sees the table); a share target one
    term. Each is scaled by the observed data's sampling error and the ensemble's, and by the
    square root of the target's weight, so the loss (their sum of squares) is chi-square-like.
    """

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        blocks = layout(plan.targets)
        size = blocks[-1][2]
        rows: list[np.ndarray] = []
        observed: list[float] = []
        sample: list[float] = []
        weight: list[float] = []
        self.groups: list[tuple[str, int, int]] = []  # (kind, sample size, rows) to resample observed data
        for cohort, (_, start, _stop) in zip(plan.targets.cohorts, blocks, strict=False):
            upto = plan.fitted_periods(cohort.last_period)
            share = np.asarray(cohort.survivors) / cohort.survivors[0]
            for k in range(upto + 1):  # lost in period k+1 = S(k) - S(k+1); the last cell is S(upto)
                row = np.zeros(size)
                if k < upto:
                    row[start + k], row[start + k + 1] = 1.0, -1.0
                else:
                    row[start + upto] = 1.0
                rows.append(row)
            observed.extend(cells(share, upto))
            sample.extend([cohort.survivors[0]] * (upto + 1))
            weight.extend([cohort.weight] * (upto + 1))
            self.groups.append(("cohort", round(cohort.survivors[0]), upto + 1))
        share_blocks = blocks[len(plan.targets.cohorts):-1]
        for target, (_, start, _stop) in zip(plan.targets.shares, share_blocks, strict=True):
            row = np.zeros(size)
            row[start] = 1.0
            rows.append(row)
            observed.append(target.value)
            sample.append(target.n)
            weight.append(target.weight)
            self.groups.append(("share", target.n, 1))
        self.matrix = np.array(rows)
        self.observed = np.array(observed)
        self.sample = np.array(sample, float)
        self.root_weight = np.sqrt(np.array(weight, float))

    def scale(self, runs: np.ndarray) -> np.ndarray:
        """Standard error of each term: the data's sampling error at the simulated share, plus the ensemble's."""
        terms = runs @ self.matrix.T
        mean = terms.mean(axis=0)
        noise = terms.var(axis=0, ddof=1) / len(runs) if len(runs) > 1 else np.zeros_like(mean)
        p = np.clip(mean, 0.0, 1.0)
        return np.sqrt(np.maximum(p * (1.0 - p), 0.5 / self.sample) / self.sample + noise)

    def __call__(self, runs: np.ndarray, observed: np.ndarray | None = None) -> np.ndarray:
        if not np.isfinite(runs).all():
            return np.full(len(self.observed), 1e6)  # a candidate whose cohort nobody joined
        target = self.observed if observed is None else observed
        return self.root_weight * (target - runs.mean(axis=0) @ self.matrix.T) / self.scale(runs)

    def resample(self, rng: np.random.Generator) -> np.ndarray:
        """Observed targets drawn again: a cohort's losses multinomially, a share binomially."""
        out, at = [], 0
        for kind, n, count in self.groups:
            probabilities = self.observed[at: at + count]
            if kind == "cohort":
                out.append(rng.multinomial(n, probabilities / probabilities.sum()) / n)
            else:
                out.append(rng.binomial(n, probabilities) / n)
            at += count
        return np.concatenate(out)


class Evaluator:
    """Runs candidates (every seed each) on an executor, in submission order, remembering every result."""

    def __init__(self, plan: Plan, executor: Executor, on_evaluation: Callable[[int, float], None] | None) -> None:
        self.plan, self.executor, self.on_evaluation = plan, executor, on_evaluation
        self.residuals = Residuals(plan)
        self.runs: dict[tuple[float, ...], np.ndarray] = {}
        self.trace: list[tuple[np.ndarray, float]] = []
        self.best = np.inf

    def batch(self, points: Sequence[np.ndarray]) -> list[np.ndarray]:
        """Every seed of every point, all submitted at once; each point's runs (seeds x measured vector)."""
        keys = [tuple(np.round(np.asarray(p, float), 12)) for p in points]
        todo = list(dict.fromkeys(k for k in keys if k not in self.runs))
        futures = {k: [self.executor.submit(measure, Task(scenario_at(self.plan.loaded, self.plan.frees,
                                                                      np.array(k)).scenario, s, self.plan.targets,
                                                          self.plan.engine)) for s in self.plan.seeds]
                   for k in todo}
        for key in todo:
            self.runs[key] = np.array([f.result() for f in futures[key]])
            loss = self.loss(self.runs[key])
            self.trace.append((np.array(key), loss))
            self.best = min(self.best, loss)
            if self.on_evaluation is not None:
                self.on_evaluation(len(self.trace), self.best)
        return [self.runs[k] for k in keys]

    def loss(self, runs: np.ndarray) -> float:
        return float(np.sum(self.residuals(runs) ** 2))

    def __call__(self, point: np.ndarray) -> float:
        return self.loss(self.batch([point])[0])


@dataclass(frozen=True)
class Search:
    """Where the search ended: the centre of the last local design, and the local-linear fit around it."""

    centre: np.ndarray
    step: np.ndarray  # the Gauss-Newton step from the centre to the estimate, in the unit cube
    intercepts: np.ndarray  # seeds x measured vector at the centre, from the local regression
    slopes: np.ndarray  # seeds x measured vector x free parameters, per unit of each range
    loss: float  # at the estimate, on the local-linear fit
    trace: list[tuple[np.ndarray, float]]

    @property
    def unit(self) -> np.ndarray:
        return np.clip(self.centre + self.step, 0.0, 1.0)

    @property
    def runs(self) -> np.ndarray:
        """Seeds x measured vector at the estimate, as the local-linear fit has them."""
        return self.intercepts + self.slopes @ self.step


def start_points(frees: Sequence[Free], entropy: int, count: int) -> list[np.ndarray]:
    """The scenario's own values, then a scrambled Sobol design over the cube."""
    sobol = qmc.Sobol(len(frees), scramble=True, seed=design_seed(entropy))
    design = sobol.random(count)
    return [np.array([f.unit(f.start) for f in frees]), *design]


def local_fit(evaluator: Evaluator, centre: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-seed intercepts and slopes of the measured vector, regressed on the points near ``centre``.

    The points are a star of radius STEP around it and every candidate already run within
    NEIGHBOURHOOD of it. Under common random numbers the measured vector is still a rugged
    function of the parameters (a draw more or less shifts a run's random stream, and word of
    mouth carries every difference on), so the regression reads the trend through the ruggedness.
    """
    dims = len(centre)
    star = [np.clip(centre + sign * STEP * np.eye(dims)[j], 0.0, 1.0) for sign in (1.0, -1.0) for j in range(dims)]
    evaluator.batch([centre, *star])
    near = [key for key in evaluator.runs if np.abs(np.array(key) - centre).max() <= NEIGHBOURHOOD]
    points = np.array(near)
    runs = np.stack([evaluator.runs[key] for key in near])  # points x seeds x measured
    design = np.column_stack([np.ones(len(points)), points - centre])
    coef = np.linalg.lstsq(design, runs.reshape(len(points), -1), rcond=None)[0].reshape(dims + 1, *runs.shape[1:])
    return np.nan_to_num(coef[0]), np.nan_to_num(np.moveaxis(coef[1:], 0, -1))


def gauss_newton(residuals: Residuals, intercepts: np.ndarray, slopes: np.ndarray, observed: np.ndarray,
                 centre: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """The step from ``centre`` that minimises the loss of the local-linear fit, inside the cube."""
    a = (residuals.matrix @ slopes.mean(axis=0)) / scale[:, None]
    b = (observed - residuals.matrix @ intercepts.mean(axis=0)) / scale
    return optimize.lsq_linear(a, b, bounds=(-centre - 1e-12, 1.0 - centre + 1e-12)).x


def search(plan: Plan, executor: Executor, entropy: int, *, starts: int, evaluations: int,
           on_evaluation: Callable[[int, float], None] | None = None) -> Search:
    """A Sobol design, bounded Nelder-Mead from its best point, then Gauss-Newton on local-linear fits."""
    evaluator = Evaluator(plan, executor, on_evaluation)
    points = start_points(plan.frees, entropy, starts)
    losses = [evaluator.loss(r) for r in evaluator.batch(points)]
    best = points[int(np.argmin(losses))]
    dims = len(plan.frees)
    simplex = np.array([best, *[best + np.where(np.arange(dims) == j, np.where(best[j] > 0.5, -0.15, 0.15), 0.0)
                                for j in range(dims)]])
    optimize.minimize(evaluator, best, method="Nelder-Mead", bounds=[(0.0, 1.0)] * dims,
                      options={"initial_simplex": simplex, "xatol": 0.01, "fatol": 0.05, "maxfev": evaluations})
    centre = np.array(min(evaluator.runs, key=lambda key: evaluator.loss(evaluator.runs[key])))
    residuals = evaluator.residuals
    for round_ in range(ROUNDS):
        intercepts, slopes = local_fit(evaluator, centre)
        scale = residuals.scale(intercepts) / residuals.root_weight
        step = gauss_newton(residuals, intercepts, slopes, residuals.observed, centre, scale)
        if np.abs(step).max() <= STEP / 2 or round_ == ROUNDS - 1:
            break
        centre = np.clip(centre + step, 0.0, 1.0)
    loss = evaluator.loss(intercepts + slopes @ step)
    return Search(centre, step, intercepts, slopes, loss, evaluator.trace)


@dataclass(frozen=True)
class Uncertainty:
    """Bootstrap draws of the free parameters (unit cube) and of the simulated targets they imply."""

    draws: np.ndarray  # BOOTSTRAP x free parameters, unit cube
    predicted: np.ndarray  # BOOTSTRAP x measured vector
    profile_rise: np.ndarray  # loss rise when a parameter moves by PROFILE_STEP of its range, others refitted


def bootstrap(plan: Plan, found: Search, entropy: int, draws: int = BOOTSTRAP) -> Uncertainty:
    """Resample seeds and observed data, and redo the last Gauss-Newton step for each draw."""
    residuals = Residuals(plan)
    rng = np.random.default_rng(analysis_seed(entropy))
    scale = residuals.scale(found.runs) / residuals.root_weight
    seeds_n = len(found.intercepts)
    out_draws, predicted = [], []
    for _ in range(draws):
        pick = rng.integers(0, seeds_n, seeds_n)
        intercepts, slopes = found.intercepts[pick], found.slopes[pick]
        step = gauss_newton(residuals, intercepts, slopes, residuals.resample(rng), found.centre, scale)
        out_draws.append(np.clip(found.centre + step, 0.0, 1.0))
        predicted.append(intercepts.mean(axis=0) + slopes.mean(axis=0) @ step)
    a0 = (residuals.matrix @ found.slopes.mean(axis=0)) / scale[:, None]
    return Uncertainty(np.array(out_draws), np.array(predicted), profile_rises(a0.T @ a0))


def profile_rises(information: np.ndarray) -> np.ndarray:
    """Rise of the linearised loss when one parameter moves by PROFILE_STEP and the others follow (Schur complement)."""
    dims = len(information)
    rises = np.zeros(dims)
    for j in range(dims):
        rest = [k for k in range(dims) if k != j]
        h_jr = information[j, rest]
        schur = information[j, j] - (h_jr @ np.linalg.pinv(information[np.ix_(rest, rest)]) @ h_jr if rest else 0.0)
        rises[j] = max(float(schur), 0.0) * PROFILE_STEP**2
    return rises
