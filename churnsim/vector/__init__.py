"""The vectorised engine: the agent engine's month on whole columns of numpy arrays.

Customers are a struct of arrays with compact dtypes. Every behaviour comes from the same
functions of ``churnsim.rules`` that ``Customer`` calls, applied to columns, with the same
sense/decide/apply order and the same sharing of uniforms between decisions (the ``U.name``
comments name the agent's draw, ``agents.U``, each step stands for). The outputs have the agent
engine's distribution, not its random stream.

The modules are named after the model's mechanisms; each explains the devices it implements:

* ``state``: the customer columns, shards, head counts kept up to date from each month's
  moves, price classes, and a month's working records (``Month``, ``Plan``);
* ``sampling``: thinning (rare events without a uniform per customer), 32-bit draws,
  Poisson counts;
* ``service``: the month's experience: failures, contacts and their effort, offers, the gap;
* ``pressure``: exponential clocks, cached hazards, random pressures integrated into them,
  attention;
* ``word_of_mouth``: tellers, messages as CSR offsets charged to their recipients' clocks
  from a small table, good news heard, exposure to defections;
* ``moves``: the ladder, leaving, life events, choosing a provider, and the month's changes;
* ``model``: ``VectorChurnModel``, which composes the mechanisms (mixins over
  ``state.VectorState``) into the month, and runs shards side by side on threads.
"""

from churnsim.vector.model import VectorChurnModel
from churnsim.vector.pressure import CHUNK, survival
from churnsim.vector.sampling import below, bernoulli_indices, poisson_counts, threshold, uniform32, uniform_offsets
from churnsim.vector.state import CLASSES, COLUMNS, Month, Plan, Shard, Stocks
from churnsim.vector.word_of_mouth import Message, Tellers

__all__ = ["CHUNK", "CLASSES", "COLUMNS", "Message", "Month", "Plan", "Shard", "Stocks", "Tellers", "VectorChurnModel",
           "below", "bernoulli_indices", "poisson_counts", "survival", "threshold", "uniform32", "uniform_offsets"]
