"""Atomic writes: a failure mid-write leaves the previous file whole and no debris."""

import os

import pandas as pd
import pytest

from churnsim.outputs import atomic_write, read_table, write_table


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
    """What read_table gives back is what write_table wrote, to the last bit of every float."""
    frame = pd.DataFrame({"month": [0, 1, 2], "provider": ["A", "B", "C"],
                          "profit": [0.1 + 0.2, -1 / 3, 1e-300], "customers": [10, 0, 2**40]})
    a = write_table(frame, tmp_path / f"a{suffix}")
    b = write_table(frame, tmp_path / f"b{suffix}")
    assert a.read_bytes() == b.read_bytes()
    pd.testing.assert_frame_equal(read_table(a), frame, check_exact=True)


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_a_run_s_monthly_table_reads_back_as_written(tmp_path, suffix):
    """The table a run writes, every column and dtype: counts stay integers, money stays exact."""
    import churnsim

    timeseries = churnsim.run("classroom", customers=60, months=2).timeseries
    back = read_table(write_table(timeseries, tmp_path / f"timeseries{suffix}"))
    pd.testing.assert_frame_equal(back, timeseries, check_exact=True)


def test_written_files_get_the_usual_permissions_not_mkstemps_owner_only(tmp_path):
    mask = os.umask(0o022)
    try:
        path = atomic_write(tmp_path / "summary.json", lambda p: p.write_text("{}"))
    finally:
        os.umask(mask)
    assert path.stat().st_mode & 0o777 == 0o644
