"""Many replications of a small scenario: runs per second per core, against another commit,
and `compare` on all cores against one.

    python benchmarks/bench_replications.py                    # against the issue-14 base commit
    python benchmarks/bench_replications.py --against HEAD~3   # any git ref
    python benchmarks/bench_replications.py --skip-compare

Runs per core are CPU seconds per run (the default scenario, 40 rounds, a fresh seed each
run, one process), measured for this tree and for the ref's tree (`git archive` into a
temporary directory) in alternating processes, median of `--pairs`; the ratio is the
speed-up. Compare: wall time of the whole `highfence compare default --seeds N` command
(N = 20 and 40 by default) serially and on `--workers` processes, alternating, median of at least 3
pairs; the JSON results checked equal byte for byte. Targets (issue 14):
runs per second per core at least 5x the base commit's; compare at least 1.7x on 2 cores.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASE_COMMIT = "076f406"  # main before issue 14
PER_RUN = """
import sys, time
sys.path.insert(0, {root!r})
from game.model import GeoModel
from game.scenario import load_scenario
sc = load_scenario({root!r} + "/configs/default.yaml")
GeoModel(sc, seed=0, rounds=40).run()
t = time.process_time()
for i in range({runs}):
    GeoModel(sc, seed=1000 + i, rounds=40).run()
print((time.process_time() - t) / {runs})
"""


def cpu_per_run(root: Path, runs: int) -> float:
    env = {"PYTHONPATH": str(root), "OPENBLAS_NUM_THREADS": "1", "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", PER_RUN.format(root=str(root), runs=runs)], cwd=root, env=env,
                         capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def replications(ref: str, pairs: int, runs: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", ref], capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
        base, now = [], []
        for _ in range(pairs):
            base.append(cpu_per_run(Path(tmp), runs))
            now.append(cpu_per_run(ROOT, runs))
    b, n = statistics.median(base), statistics.median(now)
    print(f"default scenario, 40 rounds, one core: {ref} {1 / b:.2f} runs/s, this tree {1 / n:.2f} runs/s "
          f"(CPU time, median of {pairs}); speed-up {b / n:.2f}x (target >= 5)")


BUDGET = """
import sys, time
sys.path.insert(0, {root!r})
from game.model import GeoModel
from game.resolve import Resolver
from game.scenario import load_scenario
clock, engine = time.process_time, [0.0]
def timed(f):
    def g(*a, **k):
        t = clock()
        try:
            return f(*a, **k)
        finally:
            engine[0] += clock() - t
    return g
# The array engine: the firms' decisions (barriers, exposure), the resolve, firm dynamics.
GeoModel._decide_firms = timed(GeoModel._decide_firms)
GeoModel._firm_dynamics = timed(GeoModel._firm_dynamics)
Resolver.run = timed(Resolver.run)
sc = load_scenario({root!r} + "/configs/default.yaml")
GeoModel(sc, seed=0, rounds=40).run()
engine[0], t, build = 0.0, clock(), 0.0
for i in range({runs}):
    b = clock()
    m = GeoModel(sc, seed=2000 + i, rounds=40)
    build += clock() - b
    m.run()
total = clock() - t
print(total / {runs}, build / {runs}, engine[0] / {runs})
"""


def round_budget(runs: int) -> None:
    """Where a default run's CPU goes in this tree, and what that leaves of the target: the
    agent layer (states' observations and decisions, their orders, coalition answers and
    demands, entry, events, the record) against the array engine, and the runs per second
    an engine that took no time at all would give."""
    env = {"PYTHONPATH": str(ROOT), "OPENBLAS_NUM_THREADS": "1", "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", BUDGET.format(root=str(ROOT), runs=runs)], cwd=ROOT, env=env,
                         capture_output=True, text=True, check=True)
    total, build, engine = map(float, out.stdout.split())
    agents = total - build - engine
    print(f"a default run, 40 rounds (CPU, mean of {runs}): {total * 1e3:.0f} ms = build {build * 1e3:.1f} + "
          f"array engine {engine * 1e3:.0f} ({engine / total:.0%}) + agent layer {agents * 1e3:.0f} "
          f"({agents / total:.0%}); with an engine that took no time: at most {1 / (total - engine):.1f} runs/s")


def compare_cores(seeds: int, workers: int, pairs: int) -> None:
    """`highfence compare default` as a user runs it (the whole command, a fresh process:
    imports, the pool's start, the seeds, the table), one process against `workers`."""
    serial, pooled = [], []
    with tempfile.TemporaryDirectory() as tmp:
        def command(out: str, *extra: str) -> float:
            t0 = time.perf_counter()
            subprocess.run([sys.executable, "-m", "game.cli", "compare", "default", "--seeds", str(seeds),
                            "--json", str(Path(tmp) / out), *extra], cwd=ROOT, check=True, capture_output=True)
            return time.perf_counter() - t0

        for _ in range(pairs):
            serial.append(command("serial.json", "--executor", "serial"))
            pooled.append(command("pooled.json", "--workers", str(workers)))
            same = (Path(tmp) / "serial.json").read_bytes() == (Path(tmp) / "pooled.json").read_bytes()
            assert same, "parallel compare differs from serial"
    s, p = statistics.median(serial), statistics.median(pooled)
    print(f"highfence compare default --seeds {seeds} (whole command): serial {s:.2f} s, {workers} workers {p:.2f} s "
          f"(wall, median of {pairs}); speed-up {s / p:.2f}x (target >= 1.7 on 2 cores); numbers identical")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--against", default=BASE_COMMIT, help=f"git ref to compare with (default {BASE_COMMIT})")
    ap.add_argument("--pairs", type=int, default=5)
    ap.add_argument("--runs", type=int, default=6, help="runs per measurement")
    ap.add_argument("--seeds", default="20,40",
                    help="compare: seeds, comma-separated (default 20,40: the command's default and twice it)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--skip-compare", action="store_true")
    args = ap.parse_args()
    replications(args.against, args.pairs, args.runs)
    round_budget(args.runs * 2)
    if not args.skip_compare:
        for seeds in (int(k) for k in args.seeds.split(",")):
            compare_cores(seeds, args.workers, max(3, args.pairs // 2))


if __name__ == "__main__":
    main()
