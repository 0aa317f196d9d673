"""Sweeps: thousands of seeded runs over a design, streamed to Parquet, resumable.

    sweep = Sweep.from_file("configs/sweeps/tiny.yaml")
    run_sweep(sweep, "out/tiny", workers=2)          # or executor="dask"
    df = load_results("out/tiny")                   # == pandas.read_parquet("out/tiny")

Modules by concern: spec (the YAML), paths (factor paths into a scenario),
design (grid / lhs / sobol points), plan (validated runs and seeds), runner
(executors), store (Parquet parts, manifest, resume), summary and sensitivity.
"""

import importlib

# Exported names and their modules, imported on first use (PEP 562): importing one light
# submodule (game.sweep.executors, to start the workers early) must not pull in the engine.
_EXPORTS = {
    "Sweep": "game.sweep.plan",
    "SweepReport": "game.sweep.runner",
    "run_sweep": "game.sweep.runner",
    "SweepError": "game.sweep.spec",
    "SweepSpec": "game.sweep.spec",
    "load_results": "game.sweep.store",
    "read_manifest": "game.sweep.store",
}
__all__ = ["Sweep", "SweepError", "SweepReport", "SweepSpec", "load_results", "read_manifest", "run_sweep"]


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module 'game.sweep' has no attribute {name!r}")
    value = getattr(importlib.import_module(_EXPORTS[name]), name)
    globals()[name] = value  # once
    return value
