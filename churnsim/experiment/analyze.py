"""Analyse a sweep folder: statistics, their tables on disk and the plots, in one call.

``analyze`` reads only what the sweep wrote (manifest, design, results), so it can be run
again at any time, with another provider or baseline, without touching a run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from churnsim.experiment import analysis
from churnsim.experiment.seeds import analysis_seed
from churnsim.experiment.spec import Experiment
from churnsim.experiment.store import RunStore
from churnsim.outputs import OutputError, check_listed, read_table, write_table
from churnsim.present import sweep_plots
from churnsim.present.plots import save

MAX_POINTS_SHOWN = 12  # more design points than this are pooled in the tables


@dataclass
class Analysis:
    experiment: Experiment
    provider: str
    baseline: str
    labels: pd.Series
    pooled: bool
    total_runs: int
    stored_runs: int
    summary: pd.DataFrame
    per_point: pd.DataFrame
    paired: pd.DataFrame
    morris: pd.DataFrame | None = None
    sobol: pd.DataFrame | None = None
    written: list[Path] = field(default_factory=list)


def point_labels(results: pd.DataFrame) -> pd.Series:
    """A label per design point from its parameter values (``providers.A.levers.price`` shown as ``A.levers.price``)."""
    params = analysis.parameter_columns(results)
    if not params:
        return pd.Series({p: "all" for p in results["point"].unique()}, dtype=object)
    names = [p.removeprefix("providers.") for p in params]
    points = results.drop_duplicates("point").set_index("point")[params]
    return pd.Series({point: ", ".join(f"{n}={_short(row[p])}" for n, p in zip(names, params, strict=True))
                      for point, row in points.iterrows()}, dtype=object)


def _short(value: object) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def load_results(folder: str | Path) -> tuple[RunStore, dict, pd.DataFrame]:
    """The sweep's store, manifest and results, refused unless the design and results are the ones it recorded."""
    store = RunStore(folder)
    if not store.exists():
        raise analysis.AnalysisError(f"{store.root}: not a sweep folder (no manifest.json); run `churnsim sweep` "
                                     "first")
    if not store.results_path.is_file():
        raise analysis.AnalysisError(f"{store.root}: has no results.parquet yet; finish the sweep with "
                                     "`churnsim sweep EXPERIMENT --resume`")
    manifest = store.read_manifest()
    try:
        for path in (store.design_path, store.results_path):
            check_listed(store.root, manifest.get("files") or {}, path.name)
    except OutputError as exc:
        raise analysis.AnalysisError(str(exc)) from None
    results = read_table(store.results_path)
    if results.empty:
        raise analysis.AnalysisError(f"{store.root}: no run finished; see ledger.jsonl for the errors")
    return store, manifest, results


def analyze(folder: str | Path, provider: str | None = None, baseline: str | None = None,
            with_plots: bool = True) -> Analysis:
    """Every analysis the design supports, written to ``FOLDER/analysis``; returns the tables."""
    store, manifest, results = load_results(folder)
    exp = Experiment.model_validate(manifest["experiment"])
    provider = provider or exp.provider
    baseline = baseline or exp.baseline_arm
    rows = analysis.focus(results, provider)
    labels = point_labels(rows)
    design_kind = exp.design.kind
    per_point = analysis.summarize(rows, by=("point", *analysis.parameter_columns(rows)))
    pooled = design_kind != "full" or len(labels) > MAX_POINTS_SHOWN
    if pooled:  # too many points to show one by one: over all of them, pairs still matched by point and seed
        labels = pd.Series({"all": f"all {len(labels)} design points"}, dtype=object)
    by = () if pooled else ("point",)
    summary = analysis.summarize(rows, by=by)
    out = Analysis(exp, provider, baseline, labels, pooled, int(manifest["runs"]), int(results["run"].nunique()),
                   summary.assign(point="all") if pooled else summary, per_point, pd.DataFrame())
    if len(set(rows["strategy"])) > 1:
        comparison = analysis.paired(rows, baseline, by=by)
        out.paired = comparison.assign(point="all") if pooled else comparison
    if design_kind in ("morris", "sobol"):
        design = read_table(store.design_path)
        problem = manifest["design"]["problem"]
        seed = analysis_seed(int(manifest["root_entropy"]))
        if design_kind == "morris":
            out.morris = analysis.morris(rows, design, problem, exp.design.levels, seed)
        else:
            out.sobol = analysis.sobol(rows, design, problem, seed)
    folder_out = store.root / "analysis"
    tables = {"summary": out.summary, "summary_by_point": out.per_point, "paired": out.paired,
              "morris": out.morris, "sobol": out.sobol}
    out.written = [write_table(t, folder_out / f"{name}.csv") for name, t in tables.items()
                   if t is not None and not t.empty]
    if with_plots:
        out.written += _plots(out, folder_out / "plots")
    return out


def _plots(out: Analysis, folder: Path) -> list[Path]:
    written = []
    title = f"Provider {out.provider}" if out.provider != "market" else "Market"
    written.append(save(sweep_plots.kpis_by_strategy(out.summary, out.labels, title),
                                    folder / "kpis_by_strategy.png"))
    if not out.paired.empty:
        written.append(save(sweep_plots.paired_differences(out.paired, out.labels, out.baseline),
                                  folder / "paired_differences.png"))
    if out.morris is not None:
        written.append(save(sweep_plots.morris_scatter(out.morris), folder / "morris.png"))
    if out.sobol is not None:
        written.append(save(sweep_plots.sobol_bars(out.sobol), folder / "sobol.png"))
    return written
