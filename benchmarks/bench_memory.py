"""Peak memory against the number of rounds: a run of 10 rounds and one of 100 at
200 states x 20 sectors x 20,000 firms, each in its own process (max RSS is per process),
each writing its run tables (`run --out`) at the end so what users read is included.

    python benchmarks/bench_memory.py                  # 10 vs 100 rounds at 200x20x20000
    python benchmarks/bench_memory.py --size 50x10x2000 --short 5 --long 30   # a quick look

Target (issue 14): peak for 100 rounds within 1.1x that for 10. The history keeps compact
per-round aggregates in memory and spills the large arrays (bilateral trade, supply shares,
firm snapshots) to a temporary folder past a budget (game.history.MEMORY_BUDGET).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SIZES = {"50x10x2000": (50, 10, 2_000), "100x20x10000": (100, 20, 10_000), "200x20x20000": (200, 20, 20_000)}


def measure(size: str, rounds: int, write: bool) -> dict:
    from game.model import GeoModel
    from game.output import write_run
    from game.synthetic import synthetic_scenario

    scenario = synthetic_scenario(*SIZES[size], rounds=rounds)
    t0 = time.perf_counter()
    model = GeoModel(scenario, seed=1, rounds=rounds)
    model.run()
    run_s = time.perf_counter() - t0
    after_run = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rows = 0
    if write:
        with tempfile.TemporaryDirectory() as out:
            write_run(model, Path(out))
            import pyarrow.parquet as pq

            rows = pq.ParquetFile(Path(out) / "flows.parquet").metadata.num_rows
    return {"size": size, "rounds": rounds, "run_s": run_s, "peak_after_run_mib": after_run,
            "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "flow_rows": rows}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", choices=SIZES, default="200x20x20000")
    ap.add_argument("--short", type=int, default=10)
    ap.add_argument("--long", type=int, default=100)
    ap.add_argument("--no-write", action="store_true", help="measure the run alone, without writing its tables")
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)  # internal: measure one run in this process
    args = ap.parse_args()
    if args.one:
        print(json.dumps(measure(args.size, args.one, not args.no_write)))
        return
    rows = []
    for rounds in (args.short, args.long):
        cmd = [sys.executable, __file__, "--size", args.size, "--one", str(rounds)] + (["--no-write"] if args.no_write else [])
        out = subprocess.run(cmd, capture_output=True, text=True, check=True)
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
        r = rows[-1]
        print(f"{args.size}, {rounds} rounds: {r['run_s']:.1f} s, peak {r['peak_mib']:.0f} MiB "
              f"(after the run {r['peak_after_run_mib']:.0f}), {r['flow_rows']:,} flow rows written", file=sys.stderr)
    a, b = rows
    print("| size | rounds | run s | peak MiB after the run | peak MiB with tables written |")
    print("|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['size']} | {r['rounds']} | {r['run_s']:.1f} | {r['peak_after_run_mib']:.0f} | {r['peak_mib']:.0f} |")
    print(f"\npeak {b['rounds']} rounds / {a['rounds']} rounds: {b['peak_mib'] / a['peak_mib']:.3f}x (target <= 1.1x)")


if __name__ == "__main__":
    main()
