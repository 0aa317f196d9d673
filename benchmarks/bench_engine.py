"""Engine speed: seconds per round, firm-market cells per second, peak memory, and a
round's cost against a bare pass of the market-clearing arithmetic on the same arrays.

    python benchmarks/bench_engine.py            # all sizes, a table
    python benchmarks/bench_engine.py --quick    # the two smaller sizes

Each size runs in its own process so peak memory (max RSS) is its own.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time

SIZES = {
    "default": None,
    "50x10x2000": (50, 10, 2_000),
    "100x20x10000": (100, 20, 10_000),
    "200x20x20000": (200, 20, 20_000),
}


def measure(size: str, rounds: int) -> dict:
    import numpy as np

    from game.model import GeoModel
    from game.paths import DEFAULT_SCENARIO
    from game.scenario import load_scenario
    from game.synthetic import synthetic_scenario

    dims = SIZES[size]
    scenario = load_scenario(DEFAULT_SCENARIO) if dims is None else synthetic_scenario(*dims, rounds=rounds)
    t0 = time.perf_counter()
    model = GeoModel(scenario, seed=1, rounds=rounds)
    build = time.perf_counter() - t0
    t0 = time.perf_counter()
    model.run()
    total = time.perf_counter() - t0
    per_round = total / rounds
    # Bare pass: the clearing arithmetic alone on this round's arrays (same usable capacity,
    # same policy wedges), repeated; the median is the reference.
    from game.rules.supply_chain import usable_capacity

    usable = usable_capacity(model.world)
    bare = []
    for _ in range(5):
        t0 = time.perf_counter()
        model.resolver.clear(usable)
        bare.append(time.perf_counter() - t0)
    cells = model.world.firms.n * model.world.states.n
    return {
        "size": size,
        "states": model.world.states.n,
        "sectors": model.world.sectors.n,
        "firms": model.world.firms.n,
        "rounds": rounds,
        "build_s": build,
        "run_s": total,
        "s_per_round": per_round,
        "cells_per_s": cells / per_round,
        "round_over_bare": per_round / float(np.median(bare)),
        "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", choices=SIZES, help="measure one size in this process (JSON out)")
    ap.add_argument("--rounds", type=int, default=40)
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    if args.size:
        print(json.dumps(measure(args.size, args.rounds)))
        return
    sizes = list(SIZES)[:2] if args.quick else list(SIZES)
    rows = []
    for size in sizes:
        rounds = args.rounds if size in ("default", "50x10x2000") else 10
        out = subprocess.run([sys.executable, __file__, "--size", size, "--rounds", str(rounds)],
                             capture_output=True, text=True, check=True)
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
        r = rows[-1]
        print(f"{size:>14}: {r['rounds']} rounds in {r['run_s']:.3f} s", file=sys.stderr)
    print("| size (states x sectors x firms) | rounds | s / round | cells / s | round / bare clearing | peak MiB |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['size']} ({r['states']}x{r['sectors']}x{r['firms']}) | {r['rounds']} | {r['s_per_round']:.4f} "
              f"| {r['cells_per_s']:.3g} | {r['round_over_bare']:.2f} | {r['peak_mib']:.0f} |")
    default = next((r for r in rows if r["size"] == "default"), None)
    if default:
        print(f"\ndefault scenario: {default['rounds']} rounds in {default['run_s']:.3f} s in-process "
              f"(target < 0.1 s); model build {default['build_s']:.3f} s")


if __name__ == "__main__":
    main()
