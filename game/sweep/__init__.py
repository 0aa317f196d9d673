"""Sweeps: thousands of seeded runs over a design, streamed to Parquet, resumable.

    sweep = Sweep.from_file("configs/sweeps/tiny.yaml")
    run_sweep(sweep, "out/tiny", workers=2)          # or executor="dask"
    df = load_results("out/tiny")                   # == pandas.read_parquet("out/tiny")

Modules by concern: spec (the YAML), paths (factor paths into a scenario),
design (grid / lhs / sobol points), plan (validated runs and seeds), runner
(executors), store (Parquet parts, manifest, resume), summary and sensitivity.
"""

from game.sweep.plan import Sweep
from game.sweep.runner import SweepReport, run_sweep
from game.sweep.spec import SweepError, SweepSpec
from game.sweep.store import load_results, read_manifest

__all__ = ["Sweep", "SweepError", "SweepReport", "SweepSpec", "load_results", "read_manifest", "run_sweep"]
