"""Designs and seeds: the right points, reproducible from the root entropy alone."""

from __future__ import annotations

import numpy as np

from churnsim.experiment import design, seeds
from churnsim.experiment.spec import Design, Parameter

PARAMS = (Parameter(path="a.x", low=0.0, high=10.0), Parameter(path="a.steps", low=1, high=5, integer=True),
          Parameter(path="a.kind", values=("small_world", "random", "mixed")))


def test_latin_hypercube_is_stratified_rounded_and_mapped_onto_lists():
    spec = Design(kind="lhs", samples=30)
    raw = design.sample(spec, PARAMS, seed=4)
    assert raw.equals(design.sample(spec, PARAMS, seed=4)) and not raw.equals(design.sample(spec, PARAMS, seed=5))
    strata = np.floor(raw["a.x"] / 10 * 30).astype(int)
    assert sorted(strata) == list(range(30)), "one point in each of the 30 strata"
    values = design.applied(spec, PARAMS, raw)
    assert values["a.steps"].between(1, 5).all() and values["a.steps"].dtype == "int64"
    assert values["a.kind"].value_counts().to_dict() == {"small_world": 10, "random": 10, "mixed": 10}


def test_full_factorial_morris_and_sobol_have_their_textbook_sizes():
    grid = (Parameter(path="a.x", low=0.0, high=1.0, levels=3), Parameter(path="a.y", values=(True, False)))
    full = design.sample(Design(kind="full"), grid, seed=0)
    assert full.to_dict("records")[:2] == [{"a.x": 0.0, "a.y": True}, {"a.x": 0.0, "a.y": False}] and len(full) == 6
    ranges = PARAMS[:2]
    assert len(design.sample(Design(kind="morris", samples=5), ranges, seed=0)) == 5 * (2 + 1)
    assert len(design.sample(Design(kind="sobol", samples=16), ranges, seed=0)) == 16 * (2 + 2)
    assert len(design.sample(Design(kind="full"), (), seed=0)) == 1, "no parameters: the base scenario once"


def test_seeds_depend_on_entropy_and_replicate_only_and_replay_through_the_cli_range():
    drawn = {seeds.run_seed(2024, r) for r in range(1000)}
    assert len(drawn) == 1000 and all(0 <= s < 2**63 for s in drawn)
    assert seeds.run_seed(2024, 7) == seeds.run_seed(2024, 7) != seeds.run_seed(2025, 7)
    assert seeds.design_seed(2024) not in drawn and seeds.analysis_seed(2024) != seeds.design_seed(2024)
