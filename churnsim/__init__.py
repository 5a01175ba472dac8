"""churnsim: agent-based customer churn simulation on the loyalty ladder.

``churnsim.run(...)`` is everything ``churnsim run`` does, as one call.
"""

from importlib.metadata import PackageNotFoundError, version
from typing import Any

try:
    __version__ = version("churnsim")
except PackageNotFoundError:  # a source tree that was never installed
    __version__ = "0.0.0+unknown"

__all__ = ["CalibrationResult", "RunResult", "__version__", "calibrate", "run", "simulate"]


def __getattr__(name: str) -> Any:
    """Import the simulation stack only when it is used, so the CLI starts fast."""
    if name in ("run", "RunResult"):
        from churnsim import runner

        return getattr(runner, name)
    if name in ("calibrate", "CalibrationResult"):  # fit a scenario to a firm's retention data
        from churnsim.calibration import api

        return getattr(api, name)
    if name == "simulate":  # the model as a function of its arguments, for EMA Workbench and notebooks
        from churnsim.experiment.simulate import simulate

        return simulate
    raise AttributeError(f"module 'churnsim' has no attribute {name!r}")
