"""A real Dask cluster: `dask scheduler` and two `dask worker` processes on 127.0.0.1,
`highfence sweep --scheduler tcp://127.0.0.1:PORT` as its own process. One worker is
killed mid-sweep (the sweep finishes on the other), then the client is killed mid-sweep
and the sweep resumed: every run is in the results exactly once, equal to a serial run."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml
from conftest import CONFIGS, ROOT

from game.sweep import Sweep, load_results, run_sweep

DASK = Path(sys.executable).parent / "dask"
pytestmark = pytest.mark.skipif(not DASK.exists(), reason="the dask command line (highfence[dask]) is not installed")
ENV = os.environ | {"PYTHONPATH": str(ROOT), "DASK_DISTRIBUTED__WORKER__DAEMON": "False"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(what, check, timeout: float = 60.0, proc: subprocess.Popen | None = None):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        got = check()
        if got:
            return got
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"{what}: the process ended early ({proc.returncode}): {proc.stdout.read()}")
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def parts(out: Path) -> list[Path]:
    return sorted(out.glob("part-*.parquet")) if out.exists() else []


def table(out: Path, series: bool = False) -> pd.DataFrame:
    keys = ["run_id", "round"] if series else ["run_id"]
    return load_results(out, series=series).sort_values(keys).reset_index(drop=True)


class Cluster:
    """`dask scheduler` and `dask worker` subprocesses on 127.0.0.1 (no nanny: a killed worker stays dead)."""

    def __init__(self, log_dir: Path):
        self.port, self.log_dir = free_port(), log_dir
        self.address = f"tcp://127.0.0.1:{self.port}"
        self.procs: list[subprocess.Popen] = []
        self.scheduler = self._start("scheduler", [str(DASK), "scheduler", "--host", "127.0.0.1", "--port",
                                                   str(self.port), "--no-dashboard"])
        self.workers: list[subprocess.Popen] = []

    def _start(self, name: str, cmd: list[str]) -> subprocess.Popen:
        with open(self.log_dir / f"{name}-{len(self.procs)}.log", "w") as log:  # the child keeps its own handle
            proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=ENV, cwd=ROOT)
        self.procs.append(proc)
        return proc

    def add_worker(self) -> subprocess.Popen:
        w = self._start("worker", [str(DASK), "worker", self.address, "--nthreads", "1", "--no-nanny",
                                   "--no-dashboard", "--host", "127.0.0.1", "--name", f"w{len(self.procs)}"])
        self.workers.append(w)
        return w

    def wait_workers(self, n: int) -> None:
        from distributed import Client

        with Client(self.address, timeout="30s") as client:
            client.wait_for_workers(n, timeout=60)

    def close(self) -> None:
        for w in self.workers:  # nothing to save on a worker: end it at once
            if w.poll() is None:
                w.kill()
        if self.scheduler.poll() is None:
            self.scheduler.send_signal(signal.SIGTERM)
        for p in self.procs:
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


@pytest.fixture
def cluster(tmp_path):
    c = Cluster(tmp_path)
    try:
        c.add_worker()
        c.add_worker()
        c.wait_workers(2)
        yield c
    finally:
        c.close()


@pytest.fixture(scope="module")
def spec(tmp_path_factory) -> Path:
    """The tiny sweep (36 runs) with longer runs, so there is time to kill things mid-sweep."""
    data = yaml.safe_load((CONFIGS / "sweeps" / "tiny.yaml").read_text())
    data["scenario"] = str(CONFIGS / "tiny.yaml")
    data["fixed"]["rounds"] = 8
    path = tmp_path_factory.mktemp("spec") / "cluster.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


@pytest.fixture(scope="module")
def serial(spec, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("serial") / "out"
    run_sweep(Sweep.from_file(spec), out, executor="serial", progress=False)
    return out


def sweep_cli(spec: Path, out: Path, address: str) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "game.cli", "sweep", str(spec), "--out", str(out), "--scheduler", address,
           "--batch-size", "1", "--no-progress"]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=ENV, cwd=ROOT)


def assert_complete(out: Path, serial: Path) -> None:
    got = table(out)
    assert got["run_id"].is_unique and len(got) == 36  # every run exactly once
    pd.testing.assert_frame_equal(got, table(serial), check_exact=True)
    pd.testing.assert_frame_equal(table(out, True), table(serial, True), check_exact=True)


def test_worker_lost_then_client_killed_and_resumed(cluster, spec, serial, tmp_path):
    # A worker dies mid-sweep: its tasks go to the other worker and the sweep finishes.
    out = tmp_path / "lost_worker"
    client = sweep_cli(spec, out, cluster.address)
    wait_for("the first finished runs", lambda: len(parts(out)) >= 2, proc=client)
    victim = cluster.workers[0]
    victim.kill()
    victim.wait()
    assert len(load_results(out)) < 36, "the sweep finished before the worker was killed: make the runs longer"
    text, _ = client.communicate(timeout=120)
    assert client.returncode == 0, text
    assert "36 runs in" in text
    assert_complete(out, serial)

    # The client dies mid-sweep; running the same command again finishes what is missing.
    cluster.add_worker()
    cluster.wait_workers(2)
    out = tmp_path / "killed_client"
    client = sweep_cli(spec, out, cluster.address)
    wait_for("the first finished runs", lambda: len(parts(out)) >= 2, proc=client)
    client.kill()
    client.wait()
    done = len(load_results(out))  # runs committed before the kill (a part holds a cell's variants)
    assert 2 <= done < 36
    resumed = sweep_cli(spec, out, cluster.address)
    text, _ = resumed.communicate(timeout=120)
    assert resumed.returncode == 0, text
    ran = int(text.strip().splitlines()[-1].split(" runs in")[0])
    assert ran == 36 - done and f"({done} already done)" in text
    assert_complete(out, serial)
