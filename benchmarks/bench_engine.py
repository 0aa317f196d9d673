"""Engine speed: a round's cost against one bare numpy CES pass over the same arrays, the
cost exponent in firms x markets, seconds per round and peak memory.

    python benchmarks/bench_engine.py            # all sizes, a table
    python benchmarks/bench_engine.py --quick    # the two smaller sizes
    python benchmarks/bench_engine.py --repeat 3 # each size in 3 processes: medians, and the range

The yardstick is benchmarks/bare_ces.py, written apart from the engine: weights x
price^(1 - sigma), normalised per importer and sector, times demand, on this world's
arrays. Rounds and bare passes are interleaved (A/B) and the ratio is of medians, so a
busy machine moves both alike. Each size runs in its own process so peak memory (max
RSS) is its own; with --repeat each size runs in that many processes and the table shows
the median of their figures (the ratio's range beside it: single runs on a shared VM move
by 10-20%). Targets (issue 14): a round within 4x a bare pass at 100x20x10,000 and
200x20x20,000; cost exponent in firms x markets at most 1.05 from 100k to 4M cells.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

SIZES = {
    "default": None,
    "50x10x2000": (50, 10, 2_000),  # 100k cells
    "100x10x4000": (100, 10, 4_000),  # 400k
    "100x20x10000": (100, 20, 10_000),  # 1M
    "200x20x20000": (200, 20, 20_000),  # 4M
}
EXPONENT_SIZES = ("50x10x2000", "100x10x4000", "100x20x10000", "200x20x20000")
RATIO_SIZES = ("100x20x10000", "200x20x20000")


def measure(size: str, rounds: int, warmup: int) -> dict:
    from bare_ces import ces_pass

    from game.model import GeoModel
    from game.paths import DEFAULT_SCENARIO
    from game.rules.supply_chain import usable_capacity
    from game.rules.wedges import compute_wedges
    from game.scenario import load_scenario
    from game.synthetic import synthetic_scenario

    dims = SIZES[size]
    total_rounds = warmup + rounds
    scenario = load_scenario(DEFAULT_SCENARIO) if dims is None else synthetic_scenario(*dims, rounds=total_rounds)
    t0 = time.perf_counter()
    model = GeoModel(scenario, seed=1, rounds=total_rounds)
    build = time.perf_counter() - t0
    model.run(warmup)
    w, r = model.world, model.resolver
    starts = np.array([b.start for b in r.blocks])

    def bare_arrays():
        wd = compute_wedges(w, model.params, usable_capacity(w))
        return wd.weight.copy(), (wd.base_price / w.firms.quality[:, None]), r.sigma_f(), starts, \
            w.firms.sector.copy(), w.market.E0.T.copy()

    arrays = bare_arrays()
    ces_pass(*arrays)  # warm
    round_s, bare_s, passes = [], [], []
    for _ in range(rounds):  # interleaved: a round, then a bare pass on that round's arrays
        t0 = time.perf_counter()
        model.step()
        round_s.append(time.perf_counter() - t0)
        passes.append(model.outcomes.world.get("clearing_passes", 9))  # 9 before issue 14
        arrays = bare_arrays()
        t0 = time.perf_counter()
        ces_pass(*arrays)
        bare_s.append(time.perf_counter() - t0)
    per_round, bare = float(np.median(round_s)), float(np.median(bare_s))
    cells = w.firms.n * w.states.n
    return {
        "size": size, "states": w.states.n, "sectors": w.sectors.n, "firms": w.firms.n, "cells": cells,
        "rounds": rounds, "build_s": build, "s_per_round": per_round, "bare_s": bare,
        "cells_per_s": cells / per_round, "round_over_bare": per_round / bare,
        "mean_passes": float(np.mean(passes)),
        "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def median_row(runs: list[dict]) -> dict:
    """One size's figures over its processes: the median of each, and the ratio's range."""
    row = dict(runs[0])
    for key in ("build_s", "s_per_round", "bare_s", "cells_per_s", "round_over_bare", "mean_passes", "peak_mib"):
        row[key] = float(np.median([r[key] for r in runs]))
    ratios = [r["round_over_bare"] for r in runs]
    row["ratio_low"], row["ratio_high"] = min(ratios), max(ratios)
    return row


def exponent(rows: list[dict], key: str) -> float:
    """Slope of log(cost) on log(cells): 1 = cost grows in proportion to firms x markets."""
    x = np.log([r["cells"] for r in rows])
    y = np.log([r[key] for r in rows])
    return float(np.polyfit(x, y, 1)[0])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", choices=SIZES, help="measure one size in this process (JSON out)")
    ap.add_argument("--rounds", type=int, default=40, help="measured rounds at the default size")
    ap.add_argument("--big-rounds", type=int, default=7, help="measured rounds at the synthetic sizes")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--repeat", type=int, default=1, help="processes per size (medians reported)")
    args = ap.parse_args()
    if args.size:
        warmup = 2
        print(json.dumps(measure(args.size, args.rounds, warmup)))
        return
    sizes = list(SIZES)[:2] if args.quick else list(SIZES)
    runs = {size: [] for size in sizes}
    for _ in range(args.repeat):  # sizes interleaved, so a busy spell touches them alike
        for size in sizes:
            rounds = args.rounds if size == "default" else args.big_rounds
            out = subprocess.run([sys.executable, __file__, "--size", size, "--rounds", str(rounds)],
                                 capture_output=True, text=True, check=True)
            runs[size].append(r := json.loads(out.stdout.strip().splitlines()[-1]))
            print(f"{size:>14}: {r['s_per_round']:.4f} s / round, {r['round_over_bare']:.2f} bare passes", file=sys.stderr)
    rows = [median_row(runs[size]) for size in sizes]
    print("| size (states x sectors x firms) | cells | s / round | round / bare CES pass | price steps / round "
          "| cells / s | peak MiB |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        spread = f" ({r['ratio_low']:.1f}-{r['ratio_high']:.1f})" if args.repeat > 1 else ""
        print(f"| {r['size']} ({r['states']}x{r['sectors']}x{r['firms']}) | {r['cells']:,} | {r['s_per_round']:.4f} "
              f"| {r['round_over_bare']:.2f}{spread} | {r['mean_passes']:.1f} | {r['cells_per_s']:.3g} | {r['peak_mib']:.0f} |")
    by = {r["size"]: r for r in rows}
    for size in RATIO_SIZES:
        if size in by:
            print(f"\n{size}: round / bare pass {by[size]['round_over_bare']:.2f} (target <= 4)", end="")
    scaling = [by[s] for s in EXPONENT_SIZES if s in by]
    if len(scaling) >= 2:
        print(f"\ncost exponent in firms x markets, {scaling[0]['cells']:,} to {scaling[-1]['cells']:,} cells: "
              f"{exponent(scaling, 's_per_round'):.3f} per round (target <= 1.05); "
              f"{exponent(scaling, 'bare_s'):.3f} for the bare pass")
    default = by.get("default")
    if default:
        print(f"default scenario: {default['s_per_round'] * 1e3:.2f} ms a round; model build {default['build_s']:.3f} s")


if __name__ == "__main__":
    main()
