"""Sweep throughput and memory: runs/s with 1 and 2 local workers, Dask LocalCluster vs
local processes, and peak memory (whole process tree) at 200 and 2,000 runs.

    .venv/bin/python benchmarks/bench_sweep.py            # the default scenario (~2 minutes on 2 cores)
    .venv/bin/python benchmarks/bench_sweep.py --quick    # the tiny scenario, for a smoke test

Targets (issue 3): 2 workers >= 1.7x of 1; Dask within 1.5x of local processes;
peak memory at 2,000 runs within 10% of 200 runs.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from game.sweep import Sweep, run_sweep


def write_spec(where: Path, scenario: str, runs: int) -> Path:
    """A 3-arm x 2-enforcement design with enough replications for `runs` runs."""
    reps = max(1, runs // 6)
    spec = {"name": f"bench{runs}", "scenario": str(ROOT / "configs" / scenario),
            "factors": {"variant": ["none", "unilateral", "coordinated"], "compare.enforcement": [0.6, 0.9]},
            "replications": reps, "outcomes": {"series": ["target_access"]}}
    path = where / f"bench{runs}.yaml"
    path.write_text(yaml.safe_dump(spec))
    return path


def throughput(spec: Path, where: Path, label: str, **kw) -> float:
    sweep = Sweep.from_file(spec)
    out = where / label
    start = time.perf_counter()
    run_sweep(sweep, out, progress=False, **kw)
    rate = sweep.n_runs / (time.perf_counter() - start)
    print(f"  {label:<24} {sweep.n_runs:>5} runs  {rate:7.1f} runs/s", flush=True)
    return rate


def _tree_rss(pid: int) -> int:
    """Resident memory (bytes) of a process and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                ppid = int(Path(f"/proc/{d}/stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(d))
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        todo += children.get(p, [])
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            pass
    return total


def peak_memory(spec: Path, where: Path, workers: int) -> tuple[int, float]:
    """Peak RSS of a `highfence sweep` process tree (sampled every 50 ms) and its wall time."""
    out = where / f"mem-{spec.stem}"
    cmd = [sys.executable, "-m", "game.cli", "sweep", str(spec), "--out", str(out), "--workers", str(workers),
           "--no-progress"]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL)
    peak = 0

    def sample() -> None:
        nonlocal peak
        while proc.poll() is None:
            peak = max(peak, _tree_rss(proc.pid))
            time.sleep(0.05)

    t = threading.Thread(target=sample)
    t.start()
    proc.wait()
    t.join()
    if proc.returncode:
        raise SystemExit(f"sweep failed: {' '.join(cmd)}")
    return peak, time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="tiny scenario, fewer runs")
    ap.add_argument("--runs", type=int, default=480, help="runs per throughput measurement")
    args = ap.parse_args()
    scenario = "tiny.yaml" if args.quick else "default.yaml"
    runs = 60 if args.quick else args.runs
    print(f"cores: {os.cpu_count()}; scenario: {scenario}")
    with tempfile.TemporaryDirectory() as tmp:
        where = Path(tmp)
        spec = write_spec(where, scenario, runs)
        print("throughput (wall clock, including worker start-up):")
        serial = throughput(spec, where, "serial (in-process)", executor="serial")
        one = throughput(spec, where, "local, 1 worker", workers=1)
        two = throughput(spec, where, "local, 2 workers", workers=2)
        dask = throughput(spec, where, "dask LocalCluster, 2", workers=2, executor="dask")
        print(f"  2 workers / 1 worker: {two / one:.2f}x (target >= 1.7x); serial {serial:.1f} runs/s")
        print(f"  local 2 / dask 2:     {two / dask:.2f}x (target <= 1.5x)")

        print("peak memory of the sweep's process tree (2 workers):")
        sizes = (60, 600) if args.quick else (200, 2000)
        peaks = {}
        for n in sizes:
            peaks[n], secs = peak_memory(write_spec(where, scenario, n), where, workers=2)
            print(f"  {n:>5} runs: {peaks[n] / 2**20:7.1f} MiB peak  ({secs:.1f} s)")
        small, large = peaks[sizes[0]], peaks[sizes[1]]
        print(f"  {sizes[1]} vs {sizes[0]} runs: {100 * (large / small - 1):+.1f}% (target within 10%)")


if __name__ == "__main__":
    main()
