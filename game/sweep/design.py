"""Design points: a full grid of levels, or a Latin hypercube / Sobol sample of ranges.

Level factors are always crossed; with lhs or sobol, every sampled point is
run at every combination of levels, so arms (e.g. unilateral vs coordinated)
are compared at the same sampled parameters. Sobol designs follow Saltelli's
scheme: base matrices A and B and, for each sampled factor i, A with column i
taken from B (`block` = the factor path), which the sensitivity estimators need.
"""

from __future__ import annotations

import inspect
import itertools
import json
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from game.sweep.spec import VARIANT, Levels, Range, SweepSpec

# Keeps the design sampler's stream apart from the replication seeds spawned from the same root.
_DESIGN_TAG = 0x5EED_DE51


@dataclass(frozen=True)
class Point:
    """One design point: factor values as applied to the scenario and as stored in results."""

    index: int
    cell: int  # shared by points that differ only in `variant` (paired comparisons, baselines)
    values: dict[str, Any]
    labels: dict[str, Any]
    sample: int = -1  # row of the lhs/sobol sample; -1 in a grid
    block: str = ""  # sobol: "A", "B" or the path of the factor whose column came from B
    scenario_values: dict[str, Any] = field(default_factory=dict)


def _scalar(v: Any) -> bool:
    return v is None or isinstance(v, (bool, int, float, str))


def level_labels(f: Levels) -> list[Any]:
    """How each level appears in result tables: one column type per factor."""
    if f.labels is not None:
        return list(f.labels)
    vals = f.levels
    if all(_scalar(v) for v in vals):
        if all(isinstance(v, bool) for v in vals):
            return list(vals)
        if all(isinstance(v, int) and not isinstance(v, bool) for v in vals):
            return list(vals)
        if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in vals):
            return [float(v) for v in vals]
        return [str(v) for v in vals]
    # Lists of names (e.g. coalition partners) read best joined: "JPN+EU".
    return ["+".join(map(str, v)) if isinstance(v, list) and all(_scalar(x) for x in v)
            else json.dumps(v, sort_keys=True) for v in vals]


def scale(f: Range, u: np.ndarray) -> list[Any]:
    """Map unit samples onto a range."""
    if f.integer:
        lo, hi = math.ceil(f.low), math.floor(f.high)
        return [int(min(hi, lo + math.floor(x * (hi - lo + 1)))) for x in u]
    if f.log:
        return [float(math.exp(math.log(f.low) + x * (math.log(f.high) - math.log(f.low)))) for x in u]
    return [float(f.low + x * (f.high - f.low)) for x in u]


def _rng(qmc, rng: np.random.Generator) -> dict:
    # scipy >= 1.15 takes `rng`; older releases call the same argument `seed`.
    return {"rng": rng} if "rng" in inspect.signature(qmc.Sobol).parameters else {"seed": rng}


def _unit_samples(spec: SweepSpec, ranges: list[str]) -> tuple[np.ndarray, list[str]]:
    """Unit-cube rows and, per row, its sobol block."""
    from scipy.stats import qmc  # here: sweep workers import this module but never sample

    d = spec.design
    rng = np.random.default_rng(np.random.SeedSequence([spec.seed, _DESIGN_TAG]))
    k = len(ranges)
    if d.method == "lhs":
        return qmc.LatinHypercube(d=k, scramble=d.scramble, **_rng(qmc, rng)).random(d.samples), [""] * d.samples
    base = qmc.Sobol(d=2 * k, scramble=d.scramble, **_rng(qmc, rng)).random(d.samples)
    a, b = base[:, :k], base[:, k:]
    rows, blocks = [], []
    for j in range(d.samples):
        rows += [a[j], b[j]]
        blocks += ["A", "B"]
        for i, name in enumerate(ranges):
            ab = a[j].copy()
            ab[i] = b[j, i]
            rows.append(ab)
            blocks.append(name)
    return np.array(rows), blocks


def design_points(spec: SweepSpec) -> list[Point]:
    """All design points in a fixed order: level combinations x samples x variant (innermost)."""
    level_names = [k for k, f in spec.factors.items() if isinstance(f, Levels) and k != VARIANT]
    ranges = [k for k, f in spec.factors.items() if isinstance(f, Range)]
    variants = spec.factors[VARIANT].levels if VARIANT in spec.factors else [None]

    combos = list(itertools.product(*(range(len(spec.factors[k].levels)) for k in level_names)))
    if spec.design.method == "grid":
        samples: list[dict[str, Any]] = [{}]
        rows_meta = [(-1, "")]
    else:
        unit, blocks = _unit_samples(spec, ranges)
        cols = {name: scale(spec.factors[name], unit[:, i]) for i, name in enumerate(ranges)}
        samples = [{name: cols[name][r] for name in ranges} for r in range(len(unit))]
        per = 1 if spec.design.method == "lhs" else len(ranges) + 2
        rows_meta = [(r // per, blocks[r]) for r in range(len(unit))]

    labels = {k: level_labels(spec.factors[k]) for k in level_names}
    points: list[Point] = []
    cell = 0
    for combo in combos:
        for sample, (row, block) in zip(samples, rows_meta):
            for v in variants:
                values = {k: spec.factors[k].levels[i] for k, i in zip(level_names, combo)} | sample
                shown = {k: labels[k][i] for k, i in zip(level_names, combo)} | sample
                if v is not None:
                    values[VARIANT] = shown[VARIANT] = v
                scenario_values = {k: x for k, x in values.items() if k != VARIANT}
                points.append(Point(len(points), cell, values, shown, row, block, scenario_values))
            cell += 1
    return points
