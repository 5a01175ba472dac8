"""Seeds: every random number of a sweep follows from one root entropy (numpy ``SeedSequence``).

A run's seed depends on the root entropy and the random part of its key, the replicate,
and on nothing else: not on the worker, the order or the backend that ran it, so a
sweep gives the same table on a laptop and on a cluster. Every strategy and every design
point of replicate ``r`` share one seed: common random numbers, which make paired
comparisons between strategies sharp (the same customers meet the same events).
"""

from __future__ import annotations

import numpy as np

DESIGN_STREAM = 0
RUN_STREAM = 1
ANALYSIS_STREAM = 2


def new_entropy() -> int:
    """Fresh root entropy (128 bits from the OS) for an experiment that names no seed."""
    entropy = np.random.SeedSequence().entropy
    assert isinstance(entropy, int)  # a SeedSequence made without entropy draws an int from the OS
    return entropy


def _int63(seq: np.random.SeedSequence) -> int:
    """A non-negative 63-bit integer, so ``churnsim run --seed`` can replay the run."""
    high, low = seq.generate_state(2, np.uint32)
    return ((int(high) << 32) | int(low)) >> 1


def run_seed(entropy: int, replicate: int) -> int:
    """The seed of every run of replicate ``replicate``."""
    return _int63(np.random.SeedSequence(entropy, spawn_key=(RUN_STREAM, replicate)))


def design_seed(entropy: int) -> int:
    """The seed of the design's sampler (Latin hypercube, Morris trajectories, Sobol scrambling)."""
    return _int63(np.random.SeedSequence(entropy, spawn_key=(DESIGN_STREAM,)))


def analysis_seed(entropy: int) -> int:
    """The seed of the bootstrap behind Morris and Sobol confidence intervals."""
    return _int63(np.random.SeedSequence(entropy, spawn_key=(ANALYSIS_STREAM,)))
