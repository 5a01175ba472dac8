"""Atomic writes: a failure mid-write leaves the previous file whole and no debris."""

import os

import pandas as pd
import pytest

from churnsim.outputs import atomic_write, write_table


def test_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "summary.json"
    target.write_text("old and complete")

    def crash(path):
        path.write_text("half")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        atomic_write(target, crash)
    assert target.read_text() == "old and complete"
    assert [p.name for p in tmp_path.iterdir()] == ["summary.json"]


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_tables_round_trip_and_are_byte_stable(tmp_path, suffix):
    frame = pd.DataFrame({"month": [0, 1], "provider": ["A", "B"], "profit": [1.5, -2.25]})
    a = write_table(frame, tmp_path / f"a{suffix}")
    b = write_table(frame, tmp_path / f"b{suffix}")
    assert a.read_bytes() == b.read_bytes()


def test_written_files_get_the_usual_permissions_not_mkstemps_owner_only(tmp_path):
    mask = os.umask(0o022)
    try:
        path = atomic_write(tmp_path / "summary.json", lambda p: p.write_text("{}"))
    finally:
        os.umask(mask)
    assert path.stat().st_mode & 0o777 == 0o644
