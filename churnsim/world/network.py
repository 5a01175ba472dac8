"""Seeded social networks as CSR arrays, fast enough for millions of customers.

networkx's generators are pure Python (minutes at a million nodes); these build the
same families with numpy and scipy.sparse in about a second per million nodes. Both
engines use them, so their networks share one degree distribution; ``to_networkx``
hands the agent engine a graph for Mesa.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numpy as np
from scipy import sparse


@dataclass(frozen=True)
class Csr:
    """Undirected graph in compressed sparse rows: node i's neighbours are indices[indptr[i]:indptr[i+1]]."""

    indptr: np.ndarray
    indices: np.ndarray

    @property
    def nodes(self) -> int:
        return len(self.indptr) - 1

    def degree(self) -> np.ndarray:
        return np.diff(self.indptr)


def _edge_buffers(n: int, m: int) -> tuple[np.ndarray, np.ndarray]:
    """Room for m undirected edges in both directions; fill ``[:m]`` and call ``_to_csr``."""
    dtype = np.int32 if 2 * m < 2**31 and n < 2**31 else np.int64
    return np.empty(2 * m, dtype), np.empty(2 * m, dtype)


def _to_csr(n: int, rows: np.ndarray, cols: np.ndarray) -> Csr:
    """Symmetric, de-duplicated CSR without self-loops from edges in ``rows[:m]``, ``cols[:m]``.

    Both directions go into one COO matrix whose C++ conversion to CSR sorts each row and
    merges duplicates in linear time (numpy's general sort of 2m keys takes seconds).
    Self-loops get a False entry, which ``eliminate_zeros`` drops.
    """
    m = len(rows) // 2
    rows[m:] = cols[:m]
    cols[m:] = rows[:m]
    matrix = sparse.csr_matrix((rows != cols, (rows, cols)), shape=(n, n))
    matrix.eliminate_zeros()
    return Csr(matrix.indptr, matrix.indices)


def sparse_bernoulli(rate: float, size: int, rng: np.random.Generator) -> np.ndarray:
    """Sorted indices i < size where an i.i.d. uniform u_i < rate, walking geometric gaps between hits.

    Costs O(size * rate) instead of a size-long draw; the vector engine uses it for rare events too.
    """
    if rate <= 0.0 or size == 0:
        return np.empty(0, np.int64)
    if rate >= 1.0:
        return np.arange(size)
    expected = size * rate
    positions = np.cumsum(_geometric(rate, int(expected + 8.0 * np.sqrt(expected) + 16), rng))
    while positions[-1] < size:  # ran short (vanishingly rare): keep walking
        positions = np.concatenate([positions, positions[-1] + np.cumsum(_geometric(rate, int(expected) + 16, rng))])
    return positions[: np.searchsorted(positions, size, side="right")] - 1


def _geometric(rate: float, count: int, rng: np.random.Generator) -> np.ndarray:
    """Geometric draws (trials up to the first success) as 1 + floor(E / -log(1 - rate)), E ~ Exp(1).

    Exact, since P(floor(E / h) >= k) = exp(-k h) = (1 - rate)^k, and twice as fast as ``rng.geometric``.
    """
    gaps = rng.standard_exponential(count)
    gaps *= -1.0 / np.log1p(-rate)
    out = gaps.astype(np.int64)
    out += 1
    return out


def small_world(n: int, mean_degree: int, rewire: float, rng: np.random.Generator) -> Csr:
    """Watts-Strogatz: a ring where each node knows mean_degree/2 on each side, edges rewired with prob `rewire`."""
    half = mean_degree // 2
    rows, cols = _edge_buffers(n, n * half)
    nodes = np.arange(n, dtype=rows.dtype)[:, None]
    src, dst = rows[: n * half].reshape(n, half), cols[: n * half].reshape(n, half)
    src[:] = nodes
    np.add(nodes, np.arange(1, half + 1, dtype=rows.dtype), out=dst)
    targets = dst.reshape(-1)
    np.subtract(targets, n, out=targets, where=targets >= n)
    moved = sparse_bernoulli(rewire, len(targets), rng)
    targets[moved] = rng.integers(0, n, len(moved))
    return _to_csr(n, rows, cols)


def random_graph(n: int, mean_degree: int, rng: np.random.Generator) -> Csr:
    """Erdos-Renyi G(n, m) with m = n * mean_degree / 2 (duplicates and self-loops dropped)."""
    m = n * mean_degree // 2
    rows, cols = _edge_buffers(n, m)
    rows[:m] = rng.integers(0, n, m, dtype=rows.dtype)
    cols[:m] = rng.integers(0, n, m, dtype=rows.dtype)
    return _to_csr(n, rows, cols)


def build(kind: str, n: int, mean_degree: int, rewire: float, rng: np.random.Generator) -> Csr | None:
    """The scenario's network; None for a fully mixed population (anyone may meet anyone)."""
    if kind == "mixed":
        return None
    if kind == "small_world":
        return small_world(n, min(mean_degree, n - 1 - (n - 1) % 2), rewire, rng)
    return random_graph(n, mean_degree, rng)


def to_networkx(csr: Csr) -> nx.Graph:
    graph = nx.Graph()
    graph.add_nodes_from(range(csr.nodes))
    rows = np.repeat(np.arange(csr.nodes), csr.degree())
    upper = rows < csr.indices
    graph.add_edges_from(zip(rows[upper].tolist(), csr.indices[upper].tolist(), strict=True))
    return graph
