"""What stacking worlds would save: `clear_markets` over B default worlds at once against
B separate calls, per world.

    python benchmarks/bench_stacking.py            # B = 4, 16, 64
    python benchmarks/bench_stacking.py --worlds 4 32

Clearing never mixes sectors, so B worlds stack as one world with B x S sectors: firms
concatenated (each world's sector blocks shifted along), the per-sector tables side by
side. The clearing arguments are those of round 6 of the default scenario's coordinated
arm, one seed per world. Stacked prices run until the slowest world converges, so the
stacked figure is if anything pessimistic; with a fixed number of price steps the stacked
flows and prices equal each world's alone bit for bit (checked and printed). From about
128 default worlds (market.BLAS_CELLS cells) the stacked call takes clearing's big-world
path, so it is no longer the same arithmetic. This is the measurement behind the README's
estimate of what a batch axis could give the replications target (issue 14).
"""

from __future__ import annotations

import argparse
import inspect
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from game import market, resolve
from game.model import GeoModel
from game.paths import DEFAULT_SCENARIO
from game.scenario import load_scenario


def clearing_arguments(seeds: int, rounds: int = 6) -> list[dict]:
    """The last clearing call's arguments of each seed's run, by name."""
    captured = []
    real, signature = resolve.clear_markets, inspect.signature(market.clear_markets)

    def keep(*args, **kwargs):
        captured.append(dict(signature.bind(*args, **kwargs).arguments))
        return real(*args, **kwargs)

    resolve.clear_markets = keep
    try:
        scenario = load_scenario(DEFAULT_SCENARIO)
        out = []
        for seed in range(seeds):
            captured.clear()
            GeoModel(scenario, seed=seed, variant="coordinated", rounds=rounds).run()
            out.append(captured[-1])
        return out
    finally:
        resolve.clear_markets = real


# Per-firm arrays and the per-sector elasticities stack along their first axis; the (N, S)
# tables side by side, along their sector axis.
ALONG_FIRST = ("weight", "base_price", "quality", "usable", "sigma_f", "flex_f", "lam", "ties", "served",
               "qty_factor", "sigma")
SIDE_BY_SIDE = ("E0", "P0")


def stacked(worlds: list[dict]) -> dict:
    """One set of clearing arguments for all worlds (see the module docstring)."""
    out = dict(worlds[0])
    # The caller's kept block starts and rows are one world's: clearing makes them from the blocks.
    out.pop("starts", None)
    out.pop("sector", None)
    for name in ALONG_FIRST + SIDE_BY_SIDE:
        if worlds[0][name] is not None:
            out[name] = np.concatenate([w[name] for w in worlds], axis=1 if name in SIDE_BY_SIDE else 0)
    out["blocks"], offset = [], 0
    for w in worlds:
        out["blocks"] += [slice(b.start + offset, b.stop + offset) for b in w["blocks"]]
        offset += w["weight"].shape[0]
    return out


def same_as_alone(worlds: list[dict], steps: int = 10) -> bool:
    """With a fixed number of price steps (no early stop, which stacked would take when the
    slowest world converges), stacked clearing gives each world's flows and prices bit for bit."""
    fixed = [w | {"cp": replace(w["cp"], iterations=steps, tolerance=0.0)} for w in worlds]
    together = market.clear_markets(**stacked(fixed))
    start = 0
    for w in fixed:
        alone, rows = market.clear_markets(**w), slice(start, start + w["weight"].shape[0])
        start = rows.stop
        if not (np.array_equal(alone.flows, together.flows[rows]) and np.array_equal(alone.lam, together.lam[rows])):
            return False
    return True


def median_time(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--worlds", type=int, nargs="+", default=[4, 16, 64])
    ap.add_argument("--repeat", type=int, default=30)
    args = ap.parse_args()
    worlds = clearing_arguments(max(args.worlds))
    alone = median_time(lambda: [market.clear_markets(**w) for w in worlds[:16]], args.repeat) / min(16, len(worlds))
    print(f"clear_markets, default world: {alone * 1e6:.0f} us a world alone; stacked equals alone bit for bit "
          f"at a fixed number of price steps: {same_as_alone(worlds[:16])}")
    for b in args.worlds:
        together = stacked(worlds[:b])
        per_world = median_time(lambda args_=together: market.clear_markets(**args_), args.repeat) / b
        print(f"  {b:4d} worlds stacked: {per_world * 1e6:.0f} us a world, {alone / per_world:.1f}x less")


if __name__ == "__main__":
    main()
