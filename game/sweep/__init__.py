"""Sweeps: thousands of seeded runs over a design, streamed to Parquet, resumable.

    sweep = Sweep.from_file("configs/sweeps/tiny.yaml")
    run_sweep(sweep, "out/tiny", workers=2)          # or executor="dask"
    df = load_results("out/tiny")                   # == pandas.read_parquet("out/tiny")

Modules by concern: spec (the YAML), paths (factor paths into a scenario),
design (grid / lhs / sobol points), plan (validated runs and seeds), runner
(executors), store (Parquet parts, manifest, resume), summary and sensitivity.
"""

from game.lazy import lazy_exports

# Importing one light submodule (game.sweep.executors, to start the workers early) must not
# pull in the engine.
__all__ = ["Sweep", "SweepError", "SweepReport", "SweepSpec", "load_results", "read_manifest", "run_sweep"]
__getattr__ = lazy_exports(__name__, {
    "Sweep": "game.sweep.plan",
    "SweepReport": "game.sweep.runner",
    "run_sweep": "game.sweep.runner",
    "SweepError": "game.sweep.spec",
    "SweepSpec": "game.sweep.spec",
    "load_results": "game.sweep.store",
    "read_manifest": "game.sweep.store",
})
