"""Sweeps on a real Dask LocalCluster give the same table as a serial sweep."""

from __future__ import annotations

import logging

import distributed
import pandas as pd
import pytest
from conftest import CONFIGS

from game.cli import main
from game.sweep import Sweep, load_results, run_sweep

TINY_SPEC = CONFIGS / "sweeps" / "tiny.yaml"
# Schedulers serve /health on 8787 even with the dashboard off; two clusters at once move one aside.
pytestmark = pytest.mark.filterwarnings("ignore:Port 8787 is already in use")


def table(out, series=False) -> pd.DataFrame:
    keys = ["run_id", "round"] if series else ["run_id"]
    return load_results(out, series=series).sort_values(keys).reset_index(drop=True)


@pytest.fixture(scope="module")
def serial(tmp_path_factory):
    out = tmp_path_factory.mktemp("serial") / "out"
    run_sweep(Sweep.from_file(TINY_SPEC), out, executor="serial", progress=False)
    return out


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  silence_logs=logging.ERROR) as c:
        yield c


def test_dask_cluster_equals_serial(serial, cluster, tmp_path):
    report = run_sweep(Sweep.from_file(TINY_SPEC), tmp_path / "out", executor="dask",
                       scheduler=cluster.scheduler_address, batch_size=3, progress=False)
    assert report.ran == 36
    pd.testing.assert_frame_equal(table(tmp_path / "out"), table(serial), check_exact=True)
    pd.testing.assert_frame_equal(table(tmp_path / "out", True), table(serial, True), check_exact=True)


def test_dask_resumes_a_local_sweep(serial, cluster, tmp_path):
    out = tmp_path / "out"
    run_sweep(Sweep.from_file(TINY_SPEC), out, workers=1, batch_size=6, progress=False)
    for part in sorted(out.glob("part-*.parquet"))[::2]:
        part.unlink()
    report = run_sweep(Sweep.from_file(TINY_SPEC), out, executor="dask", scheduler=cluster.scheduler_address,
                       progress=False)
    assert 0 < report.ran < 36
    pd.testing.assert_frame_equal(table(out), table(serial), check_exact=True)


def test_cli_starts_its_own_local_cluster(serial, tmp_path, capsys):
    code = main(["sweep", str(TINY_SPEC), "--out", str(tmp_path / "out"), "--executor", "dask", "--workers", "2",
                 "--no-progress"])
    assert code == 0, capsys.readouterr().err
    assert "36 runs in" in capsys.readouterr().out
    pd.testing.assert_frame_equal(table(tmp_path / "out"), table(serial), check_exact=True)
