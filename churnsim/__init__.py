"""churnsim: agent-based customer churn simulation on the loyalty ladder."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("churnsim")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"
