"""`highfence compare` on a process pool gives the serial numbers bit for bit, in seed order."""

from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import CONFIGS

from game.cli import main
from game.compare import compare, replication_seeds
from game.scenario import load_scenario

TINY = CONFIGS / "tiny.yaml"


def test_parallel_compare_equals_serial():
    scenario = load_scenario(TINY)
    seeds = replication_seeds(3, 4)
    serial = compare(scenario, seeds, rounds=8, executor="serial")
    pooled = compare(scenario, seeds, rounds=8, executor="local", workers=2)
    assert [(r.variant, r.seed) for r in pooled] == [(r.variant, r.seed) for r in serial]
    assert len({r.seed for r in serial}) == 4
    for a, b in zip(serial, pooled):
        assert a.finals == b.finals  # exact float equality
        for name in a.series:
            np.testing.assert_array_equal(a.series[name], b.series[name])


def test_cli_compare_workers_match_serial(tmp_path, capsys):
    out = {}
    for executor in ("serial", "local"):
        path = tmp_path / f"{executor}.json"
        code = main(["compare", str(TINY), "--seeds", "3", "--rounds", "6", "--executor", executor,
                     "--workers", "2", "--json", str(path)])
        assert code == 0, capsys.readouterr().err
        out[executor] = json.loads(path.read_text())
    assert out["serial"] == out["local"]


@pytest.mark.filterwarnings("ignore:Port 8787 is already in use")
def test_dask_compare_equals_serial():
    import logging

    import distributed

    scenario = load_scenario(TINY)
    seeds = replication_seeds(5, 3)
    serial = compare(scenario, seeds, rounds=5, executor="serial")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  silence_logs=logging.ERROR) as cluster:
        on_dask = compare(scenario, seeds, rounds=5, executor="dask", scheduler=cluster.scheduler_address)
    assert [(r.variant, r.seed, r.finals) for r in on_dask] == [(r.variant, r.seed, r.finals) for r in serial]
