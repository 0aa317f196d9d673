"""Sweep throughput and memory: runs/s with 1 and 2 local workers, Dask LocalCluster vs
local processes, and peak memory (whole process tree) at 200 and 2,000 runs.

    .venv/bin/python benchmarks/bench_sweep.py            # the default scenario (~2 minutes on 2 cores)
    .venv/bin/python benchmarks/bench_sweep.py --quick    # the tiny scenario, for a smoke test

    .venv/bin/python benchmarks/bench_sweep.py --rows 10000000   # reading a sweep out of core

Targets (issue 3): 2 workers >= 1.7x of 1; Dask within 1.5x of local processes;
peak memory at 2,000 runs within 10% of 200 runs. Issue 13: `summarize` and `discover`
on a sweep of 10 million runs with a peak under 1 GiB (`--rows`: a synthetic sweep
directory of that many runs, written part by part, read by the real commands).
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


def _tree_memory(pid: int) -> tuple[int, int]:
    """Resident (RSS) and proportional (PSS) memory, bytes, of a process and all its
    descendants, from /proc. RSS counts a page shared by n processes n times (the local
    pool's workers share what their fork server imported); PSS counts 1/n of it in each, so
    the tree's PSS is the memory it holds."""
    children: dict[int, list[int]] = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                ppid = int(Path(f"/proc/{d}/stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(d))
    rss = pss = 0
    todo = [pid]
    while todo:
        p = todo.pop()
        todo += children.get(p, [])
        try:
            for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
                if line.startswith("Rss:"):
                    rss += int(line.split()[1]) * 1024
                elif line.startswith("Pss:"):
                    pss += int(line.split()[1]) * 1024
        except OSError:
            pass
    return rss, pss


def peak_memory(spec: Path, where: Path, workers: int) -> tuple[list[tuple[float, int, int]], float]:
    """A `highfence sweep` process tree's (seconds, RSS, PSS) every 50 ms, and its wall time."""
    out = where / f"mem-{spec.stem}"
    return memory_of([sys.executable, "-m", "game.cli", "sweep", str(spec), "--out", str(out), "--workers",
                      str(workers), "--no-progress"])


def memory_of(cmd: list[str]) -> tuple[list[tuple[float, int, int]], float]:
    """A command's process tree's (seconds, RSS, PSS), sampled every 50 ms, and its wall time."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL)
    samples: list[tuple[float, int, int]] = []

    def sample() -> None:
        while proc.poll() is None:
            samples.append((time.perf_counter() - start, *_tree_memory(proc.pid)))
            time.sleep(0.05)

    t = threading.Thread(target=sample)
    t.start()
    proc.wait()
    t.join()
    if proc.returncode:
        raise SystemExit(f"failed: {' '.join(cmd)}")
    return samples, time.perf_counter() - start


def peaks(samples: list[tuple[float, int, int]], after: float = 0.0, before: float = float("inf")) -> tuple[int, int]:
    """Peak RSS and PSS among the samples taken between `after` and `before` seconds."""
    inside = [(r, p) for t, r, p in samples if after <= t < before] or [(0, 0)]
    return max(r for r, _ in inside), max(p for _, p in inside)


def write_big_sweep(out: Path, rows: int, chunk: int = 1_000_000) -> None:
    """A sweep directory of `rows` runs in parts of `chunk`, as `highfence sweep` writes them
    (manifest, run ids, design point, cell, replication, seed, factor columns, finals): a
    Latin hypercube over three ranges, each point played unilateral and coordinated, two
    replications. The outcome is a known function of the factors plus noise."""
    import json

    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    out.mkdir(parents=True)
    rng = np.random.default_rng(0)
    for start in range(0, rows, chunk):
        i = np.arange(start, min(rows, start + chunk))
        point = i // 2  # two replications per point
        sample = point // 2  # two variants per sample
        u = np.random.default_rng(sample[0]).random((sample[-1] - sample[0] + 1, 3))[sample - sample[0]]
        coordinated = point % 2 == 1
        y = 1.0 - 0.6 * u[:, 0] * np.where(coordinated, 1.0, 0.4) + 0.1 * u[:, 1] + rng.normal(0, 0.03, len(i))
        table = pa.table({
            "run_id": pa.array(i).cast(pa.string()), "point": point, "cell": sample, "replication": i % 2,
            "seed": rng.integers(0, 2**31, len(i)), "sample": sample, "block": pa.array([""] * len(i)),
            "variant": np.where(coordinated, "coordinated", "unilateral"),
            "compare.enforcement": 0.3 + 0.7 * u[:, 0], "params.third_country_leakage": 0.6 * u[:, 1],
            "sectors.chip_tools.sigma": 1.5 + 4.5 * u[:, 2], "target_access": y,
            "world_welfare": rng.normal(380, 5, len(i))})
        pq.write_table(table, out / f"part-{start // chunk:06d}.parquet")
    factors = {"variant": {"levels": ["unilateral", "coordinated"], "labels": None},
               "compare.enforcement": {"low": 0.3, "high": 1.0}, "params.third_country_leakage": {"low": 0.0, "high": 0.6},
               "sectors.chip_tools.sigma": {"low": 1.5, "high": 6.0}}
    manifest = {"sweep": f"synthetic{rows}", "spec_hash": "synthetic", "design": {"method": "lhs", "samples": rows // 4},
                "factors": factors, "finals": ["target_access", "world_welfare"], "n_runs": rows}
    (out / "_manifest.json").write_text(json.dumps(manifest))


def out_of_core(rows: int) -> None:
    """summarize and discover on a sweep of `rows` runs: wall time and peak memory."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "sweep"
        t0 = time.perf_counter()
        write_big_sweep(out, rows)
        size = sum(p.stat().st_size for p in out.glob("*.parquet"))
        print(f"synthetic sweep: {rows:,} runs, {size / 2**20:.0f} MiB of Parquet, written in "
              f"{time.perf_counter() - t0:.0f} s")
        cli = [sys.executable, "-m", "game.cli"]
        for label, cmd in (("summarize", [*cli, "summarize", str(out), "--no-plots"]),
                           ("discover", [*cli, "discover", str(out), "--outcome", "target_access", "--below", "0.6"])):
            samples, secs = memory_of(cmd)
            peak, _ = peaks(samples)  # one process: its RSS
            print(f"  {label:<10} {secs:6.1f} s  peak {peak / 2**20:6.0f} MiB  (target < 1024 MiB)", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="tiny scenario, fewer runs")
    ap.add_argument("--runs", type=int, default=480, help="runs per throughput measurement")
    ap.add_argument("--rows", type=int, help="only: summarize and discover on a synthetic sweep of this many runs")
    args = ap.parse_args()
    if args.rows:
        out_of_core(args.rows)
        return
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

        print("peak memory of the sweep's process tree (2 workers; PSS: shared pages split among their processes):")
        sizes = (60, 600) if args.quick else (200, 2000)
        pss = {}
        for n in sizes:
            samples, secs = peak_memory(write_spec(where, scenario, n), where, workers=2)
            rss, pss[n] = peaks(samples)
            print(f"  {n:>5} runs: {pss[n] / 2**20:7.1f} MiB peak PSS, {rss / 2**20:7.1f} MiB RSS  ({secs:.1f} s)")
        small, large = pss[sizes[0]], pss[sizes[1]]
        print(f"  {sizes[1]} vs {sizes[0]} runs: {100 * (large / small - 1):+.1f}% PSS (target within 10%)")
        # Growth with the sweep's length, apart from the workers' warm-up: the long sweep's
        # second half against its first.
        _, first = peaks(samples, before=secs / 2)
        _, second = peaks(samples, after=secs / 2)
        print(f"  {sizes[1]} runs, second half vs first: {100 * (second / first - 1):+.1f}% PSS "
              f"({first / 2**20:.1f} vs {second / 2**20:.1f} MiB)")


if __name__ == "__main__":
    main()
