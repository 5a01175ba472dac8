"""A sweep on disk: manifest, append-only ledger, one Parquet file per finished run, compaction.

Nothing lives only in memory. A run's file is written atomically under its key, so a
run is either stored whole or not at all, and the files are the truth about what is done:
``--resume`` reruns exactly the keys that have no file. The ledger is the history (every
success and failure, with timing and error), written by one process only, the driver.
This module knows nothing of churn: keys, tables and labels.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from churnsim.outputs import atomic_write, file_digest, read_json, write_json


class RunStore:
    """The folder of one sweep."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self.manifest_path = self.root / "manifest.json"
        self.ledger_path = self.root / "ledger.jsonl"
        self.design_path = self.root / "design.parquet"
        self.results_path = self.root / "results.parquet"
        self._ledger: IO[str] | None = None

    def exists(self) -> bool:
        return self.manifest_path.is_file()

    def read_manifest(self) -> dict[str, Any]:
        return read_json(self.manifest_path)

    def write_manifest(self, manifest: dict[str, Any]) -> None:
        write_json(manifest, self.manifest_path)

    def seal(self) -> None:
        """Record the hashes of the design and the compacted table, so a reader can tell they are this sweep's."""
        manifest = self.read_manifest()
        manifest["files"] = {p.name: file_digest(p) for p in (self.design_path, self.results_path)}
        self.write_manifest(manifest)

    def path(self, key: str) -> Path:
        """Runs are spread over 256 folders so that 100,000 files stay quick to list."""
        return self.root / "runs" / key[:2] / f"{key}.parquet"

    def done(self, key: str) -> bool:
        return self.path(key).is_file()

    def __enter__(self) -> RunStore:
        self.root.mkdir(parents=True, exist_ok=True)
        self._ledger = self.ledger_path.open("a", encoding="utf-8")
        return self

    def __exit__(self, *exc: object) -> None:
        if self._ledger is not None:
            self._ledger.flush()
            os.fsync(self._ledger.fileno())
            self._ledger.close()
            self._ledger = None

    def save(self, key: str, frame: pd.DataFrame, labels: dict[str, Any], seconds: float) -> None:
        """Store a finished run, then log it: a crash between the two loses nothing."""
        atomic_write(self.path(key), lambda p: pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), p))
        self._log({"status": "ok", "key": key, **labels, "seconds": round(seconds, 4)})

    def fail(self, key: str, error: str, labels: dict[str, Any], seconds: float | None = None) -> None:
        """Log a failed run with its error; it has no file, so ``--resume`` tries it again."""
        self._log({"status": "failed", "key": key, **labels, "seconds": seconds, "error": error})

    def _log(self, entry: dict[str, Any]) -> None:
        assert self._ledger is not None, "open the store with `with RunStore(...)` before writing"
        self._ledger.write(json.dumps({"time": round(time.time(), 3), **entry}) + "\n")
        self._ledger.flush()

    def ledger(self) -> Iterator[dict[str, Any]]:
        """Every ledger entry in order; a last line cut short by a kill is skipped."""
        if not self.ledger_path.is_file():
            return
        with self.ledger_path.open(encoding="utf-8") as fh:
            for line in fh:
                try:
                    yield json.loads(line)
                except json.JSONDecodeError:
                    continue

    def compact(self, keys: Iterable[str], rows_per_group: int = 100_000) -> tuple[int, int]:
        """Stream the runs' files, in the given order, into one table; returns (runs, rows).

        Memory stays that of one row group, however many runs there are.
        """
        counts = [0, 0]

        def write(tmp: Path) -> None:
            writer: pq.ParquetWriter | None = None
            batch: list[pa.Table] = []
            try:
                for key in keys:
                    path = self.path(key)
                    if not path.is_file():
                        continue
                    table = pq.read_table(path)
                    if writer is None:
                        writer = pq.ParquetWriter(tmp, table.schema)
                    batch.append(table.cast(writer.schema))
                    counts[0] += 1
                    counts[1] += table.num_rows
                    if sum(t.num_rows for t in batch) >= rows_per_group:
                        writer.write_table(pa.concat_tables(batch))
                        batch = []
                if writer is not None and batch:
                    writer.write_table(pa.concat_tables(batch))
            finally:
                if writer is not None:
                    writer.close()
            if writer is None:
                pq.write_table(pa.table({}), tmp)

        atomic_write(self.results_path, write)
        return counts[0], counts[1]
