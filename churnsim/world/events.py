"""Micro-data for researchers: one row per customer and month, as a firm's churn data would hold them.

``churnsim run --events`` writes ``events.parquet``: every customer who had a provider at the
start of a month, their state then, what happened to them during it, and how many of their
acquaintances left their provider the month before. This is the table the contagion check of
``churnsim check-model`` fits its hazard regression on (Nitzan and Libai 2011 measured the
same quantities on a million mobile customers). Both engines fill the same columns.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from churnsim.schema.params import STAGES

if TYPE_CHECKING:
    from pathlib import Path

MAX_ROWS = 50_000_000  # customer-months a run may record (about 1.2 GB in memory while the run lasts)
LEFT = ("stayed", "switched", "moved", "exited")  # how a customer left its provider in the month

# column: (dtype, meaning); the order of the table
COLUMNS: dict[str, tuple[str, str]] = {
    "month": ("int16", "month of the row, 1..months"),
    "customer": ("int32", "the customer's index, stable over the run"),
    "provider": ("category", "provider at the start of the month"),
    "stage": ("category", "loyalty stage at the start of the month: chosen, rechosen, embedded"),
    "looking": ("bool", "looking around at the start of the month"),
    "tenure": ("int16", "months with the provider at the start of the month"),
    "price_gap": ("float32", "price paid minus the cheapest rival's new-customer price, in reference prices"),
    "acquaintances": ("int16", "the customer's number of acquaintances on the network (mean degree if fully mixed)"),
    "neighbours_left": ("int16", "acquaintances who left the customer's provider last month (heard this month)"),
    "attentive": ("bool", "something made the customer compare this month: a notice, a shock, talk, a friend leaving"),
    "started_looking": ("bool", "started looking around this month"),
    "failure": ("bool", "core-service failure"),
    "contacted": ("bool", "had a service contact"),
    "high_effort": ("bool", "the contact took high effort"),
    "disloyal": ("bool", "the contact made the customer more disloyal"),
    "bad": ("bool", "a bad month: a failure not made good, or made disloyal"),
    "offer": ("bool", "received an offer"),
    "retention": ("bool", "reached by a retention effort"),
    "saved": ("bool", "kept by that retention effort"),
    "left": ("category", "stayed, switched (decided to), moved (a life event, to another provider) or exited"),
    "moved_to": ("category", "the provider a switcher or mover went to (empty otherwise)"),
}
FLAGS = tuple(name for name, (dtype, _) in COLUMNS.items() if dtype == "bool" and name != "looking")


def month_frame(month: int, columns: dict[str, np.ndarray], names: tuple[str, ...]) -> pd.DataFrame:
    """One month's rows from an engine's columns (provider and moved_to as indices, -1 for none)."""
    frame = pd.DataFrame({name: np.asarray(columns[name]).astype(dtype, copy=False)
                          for name, (dtype, _) in COLUMNS.items() if dtype != "category" and name != "month"})
    frame.insert(0, "month", np.int16(month))
    frame.insert(2, "provider", pd.Categorical.from_codes(np.asarray(columns["provider"], np.int64), names))
    frame.insert(3, "stage", pd.Categorical.from_codes(np.asarray(columns["stage"], np.int64), STAGES))
    frame["left"] = pd.Categorical.from_codes(np.asarray(columns["left"], np.int64), LEFT)
    frame["moved_to"] = pd.Categorical.from_codes(np.asarray(columns["moved_to"], np.int64), names)
    return frame[list(COLUMNS)]


def table(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """The run's rows in month and customer order."""
    if not frames:
        return pd.DataFrame({name: pd.Series(dtype="object" if dtype == "category" else dtype)
                             for name, (dtype, _) in COLUMNS.items()})
    return pd.concat(frames, ignore_index=True)


def check_size(customers: int, months: int) -> None:
    """Refuse before simulating a run whose table would not fit the stated limit."""
    if customers * months > MAX_ROWS:
        raise ValueError(f"--events: {customers:,} customers x {months} months is more than the "
                         f"{MAX_ROWS:,} customer-months a run may record; use fewer customers or months")


def write(frame: pd.DataFrame, path: Path) -> Path:
    from churnsim.outputs import write_table

    return write_table(frame, path)
