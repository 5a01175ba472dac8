"""Seeded social networks as CSR arrays, fast enough for millions of customers.

networkx's generators are pure Python (minutes at a million nodes); these build the
same families with numpy in seconds. Both engines use them, so their networks share
one degree distribution; ``to_networkx`` hands the agent engine a graph for Mesa.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numpy as np


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


def _from_edges(n: int, src: np.ndarray, dst: np.ndarray) -> Csr:
    """Symmetric, de-duplicated CSR without self-loops from an undirected edge list."""
    keep = src != dst
    src, dst = src[keep], dst[keep]
    a = np.concatenate([src, dst]).astype(np.int64)
    b = np.concatenate([dst, src]).astype(np.int64)
    key = np.unique(a * n + b)
    rows = key // n
    indptr = np.zeros(n + 1, np.int64)
    np.cumsum(np.bincount(rows, minlength=n), out=indptr[1:])
    index_dtype = np.int32 if n < 2**31 else np.int64
    return Csr(indptr, (key % n).astype(index_dtype))


def small_world(n: int, mean_degree: int, rewire: float, rng: np.random.Generator) -> Csr:
    """Watts-Strogatz: a ring where each node knows mean_degree/2 on each side, edges rewired with prob `rewire`."""
    half = mean_degree // 2
    src = np.repeat(np.arange(n, dtype=np.int64), half)
    dst = (src + np.tile(np.arange(1, half + 1), n)) % n
    moved = rng.random(len(dst)) < rewire
    dst[moved] = rng.integers(0, n, int(moved.sum()))
    return _from_edges(n, src, dst)


def random_graph(n: int, mean_degree: int, rng: np.random.Generator) -> Csr:
    """Erdos-Renyi G(n, m) with m = n * mean_degree / 2 (duplicates and self-loops dropped)."""
    m = n * mean_degree // 2
    return _from_edges(n, rng.integers(0, n, m), rng.integers(0, n, m))


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
