"""Random-number devices: the draws of a month without a uniform per customer where few events happen.

Thinning. A rare event (u < rate) is found without a uniform per customer: the indices
with u < r_max come from geometric gaps or one 32-bit draw per customer (``below``), and
given u < r_max, u is uniform on [0, r_max), so a per-provider rate is a comparison of that
conditional uniform (which later decisions may reuse, exactly as the agent reuses a draw).

32-bit draws (``uniform32``) serve decisions compared with thresholds of 32-bit resolution
(``threshold``) and offsets into a teller's list of acquaintances (``uniform_offsets``);
small Poisson counts are drawn by inverting the CDF (``poisson_counts``).
"""

from __future__ import annotations

import functools

import numpy as np

from churnsim.world.network import sparse_bernoulli

DENSE_RATE = 0.2  # above this, one 32-bit draw per customer finds u < rate faster than geometric gaps
INVERTED_MEAN = 30.0  # Poisson means up to this are drawn by inverting the CDF (at most 125 entries)
TWO32 = 2.0**32
EMPTY = np.empty(0, np.int64)


def threshold(probability: np.ndarray | float) -> np.ndarray:
    """uint32 t with P(u32 < t) = probability to within 2**-32, for comparing with 32-bit draws."""
    return np.minimum(np.asarray(probability, dtype=np.float64) * TWO32, TWO32 - 1.0).astype(np.uint32)


def below(rng: np.random.Generator, rate: float, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Sorted indices i < n where an i.i.d. uniform u_i < rate, and those u_i (uniform on [0, rate) given that).

    A small rate walks geometric gaps between hits instead of drawing n uniforms.
    """
    if rate <= 0.0 or n == 0:
        return EMPTY, np.zeros(0)
    if rate >= 1.0:
        return np.arange(n), rng.random(n)
    if rate > DENSE_RATE:
        u = uniform32(rng, n)
        idx = np.flatnonzero(u < threshold(rate))
        return idx, u[idx] * (1.0 / TWO32)
    idx = sparse_bernoulli(rate, n, rng)
    return idx, rate * rng.random(len(idx))


def bernoulli_indices(rng: np.random.Generator, rate: float, n: int) -> np.ndarray:
    """Sorted indices i < n where an i.i.d. uniform u_i < rate."""
    if rate <= DENSE_RATE or rate >= 1.0:
        return below(rng, rate, n)[0]
    return np.flatnonzero(uniform32(rng, n) < threshold(rate))


def uniform32(rng: np.random.Generator, n: int) -> np.ndarray:
    """n uniform 32-bit integers: both halves of n/2 raw 64-bit draws (faster than ``integers``)."""
    return rng.bit_generator.random_raw((n + 1) // 2).view(np.uint32)[:n]


def uniform_offsets(rng: np.random.Generator, size: np.ndarray) -> np.ndarray:
    """One uniform integer in [0, size) per entry (size < 2**31): Lemire's multiply-shift on 32-bit draws.

    In int64, where the product fits: a uint64 copy of ``size`` would cost more than the arithmetic.
    """
    draws = uniform32(rng, len(size)).astype(np.int64)
    draws *= size
    draws >>= 32
    return draws


@functools.cache
def _poisson_cdf(mean: float) -> np.ndarray:
    k = np.arange(int(mean + 12.0 * np.sqrt(mean) + 30))
    return np.cumsum(np.exp(k * np.log(max(mean, 1e-300)) - mean - np.cumsum(np.log(np.maximum(k, 1)))))


def poisson_counts(rng: np.random.Generator, mean: float, size: int) -> np.ndarray:
    """Poisson(mean) draws by inverting the CDF (numpy's sampler is ~10x slower for small means)."""
    if mean > INVERTED_MEAN:
        return rng.poisson(mean, size)
    cdf = _poisson_cdf(mean)
    u = rng.random(size)
    counts = np.zeros(size, np.uint8)  # no count passes the CDF's length: a third of int64's time
    bulk = int(np.searchsorted(cdf, 0.9)) + 1  # thresholds most draws pass: compare everyone
    for c in cdf[:bulk]:
        counts += u >= c
    tail = np.flatnonzero(counts == bulk)
    for c in cdf[bulk:]:
        tail = tail[u[tail] >= c]
        if not len(tail):
            break
        counts[tail] += 1
    return counts.astype(np.int64)
