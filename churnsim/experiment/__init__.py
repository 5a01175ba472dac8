"""Experiments: strategy sweeps with replications, sensitivity analysis, resumable and distributed.

Each step is one import away and works on its own in a notebook::

    from churnsim.experiment import load, sweep, analysis
    loaded = load("experiments/quick.toml")

The command-line layer (``churnsim sweep``, ``churnsim analyze``) is in ``cli``.
"""
