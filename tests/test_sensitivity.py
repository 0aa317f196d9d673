"""Sobol indices: the estimators against functions whose indices are known analytically."""

from __future__ import annotations

import numpy as np
import pandas as pd
import yaml
from conftest import CONFIGS

from game.sweep import Sweep, load_results, read_manifest, run_sweep
from game.sweep.design import design_points
from game.sweep.sensitivity import indices_from_table, sobol_indices
from game.sweep.spec import parse_spec
from game.sweep.summary import summarize


def _table(factors: dict, fn, n: int) -> pd.DataFrame:
    spec = parse_spec({"name": "f", "scenario": "x", "seed": 1, "factors": factors,
                       "design": {"method": "sobol", "samples": n}})
    return pd.DataFrame([{"sample": p.sample, "block": p.block, "y": fn(**p.values)} for p in design_points(spec)])


def test_ishigami():
    # Ishigami & Homma (1990), a = 7, b = 0.1; indices from Sobol' & Levitan (1999).
    pi = {"low": -np.pi, "high": np.pi}
    df = _table({"x1": pi, "x2": pi, "x3": pi},
                lambda x1, x2, x3: np.sin(x1) + 7 * np.sin(x2) ** 2 + 0.1 * x3**4 * np.sin(x1), 4096)
    res = indices_from_table(df, ["x1", "x2", "x3"], "y", n_boot=50).set_index("factor")
    np.testing.assert_allclose(res["S1"], [0.3139, 0.4424, 0.0], atol=0.03)
    np.testing.assert_allclose(res["ST"], [0.5576, 0.4424, 0.2437], atol=0.03)
    assert (res["S1_conf"] < 0.1).all() and (res["ST_conf"] < 0.1).all()


def test_additive_function_has_equal_first_order_and_total():
    # y = 1*a + 2*b + 0*c with uniform inputs on [0, 1]: S_i = c_i^2 / sum(c^2), no interactions.
    u = {"low": 0.0, "high": 1.0}
    df = _table({"a": u, "b": u, "c": u}, lambda a, b, c: a + 2 * b + 0 * c, 1024)
    res = indices_from_table(df, ["a", "b", "c"], "y", n_boot=20).set_index("factor")
    np.testing.assert_allclose(res["S1"], [0.2, 0.8, 0.0], atol=0.02)
    np.testing.assert_allclose(res["ST"], [0.2, 0.8, 0.0], atol=0.02)


def test_constant_output_gives_nan_not_a_crash():
    s1, st = sobol_indices(np.ones(8), np.ones(8), np.ones((2, 8)))
    assert np.isnan(s1).all() and np.isnan(st).all()


def test_sobol_sweep_end_to_end(tmp_path):
    spec = {"name": "sobol", "scenario": str(CONFIGS / "tiny.yaml"), "fixed": {"rounds": 3},
            "factors": {"variant": ["coordinated"], "compare.enforcement": {"low": 0.3, "high": 1.0},
                        "sectors.chips.sigma": {"low": 2.0, "high": 8.0}},
            "design": {"method": "sobol", "samples": 8}, "outcomes": {"finals": ["target_access", "trade_volume"]}}
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(spec))
    run_sweep(Sweep.from_file(tmp_path / "s.yaml"), tmp_path / "out", executor="serial")
    summary = summarize(load_results(tmp_path / "out"), read_manifest(tmp_path / "out"))
    rows = summary["sensitivity"]
    assert {(r["outcome"], r["factor"]) for r in rows} == {
        (o, f) for o in ("target_access", "trade_volume") for f in ("compare.enforcement", "sectors.chips.sigma")}
    assert all(r["group"] == {"variant": "coordinated"} and r["n"] == 8 for r in rows)
    # Substitution elasticity drives the target's access far more than enforcement does here.
    st = {(r["outcome"], r["factor"]): r["ST"] for r in rows}
    assert st[("target_access", "sectors.chips.sigma")] > st[("target_access", "compare.enforcement")]


def test_morris_ranks_factors_by_their_effect():
    """Morris screening through SALib on y = a + 2 b + 0 c + b c: mu* ranks b > a > c,
    a's effect is linear (sigma 0), b's varies with c (sigma > 0)."""
    from game.sweep.sensitivity import morris_design, morris_indices

    names, bounds = ["a", "b", "c"], [(0.0, 1.0)] * 3
    x = morris_design(names, bounds, trajectories=40, seed=3)
    assert x.shape == (40 * 4, 3)
    y = x[:, 0] + 2 * x[:, 1] + x[:, 1] * x[:, 2]
    res = morris_indices(names, bounds, x, y, n_boot=50).set_index("factor")
    np.testing.assert_allclose(res.loc["a", "mu_star"], 1.0, atol=1e-9)
    assert res.loc["b", "mu_star"] > res.loc["a", "mu_star"] > res.loc["c", "mu_star"] > 0
    assert res.loc["a", "sigma"] < 1e-9 < res.loc["b", "sigma"]


def test_indices_come_from_salib():
    """The table's numbers are SALib's sobol.analyze on the rows in its own order."""
    from SALib.analyze import sobol
    from SALib.sample import sobol as sobol_sample

    problem = {"num_vars": 2, "names": ["p", "q"], "bounds": [[0, 1], [0, 1]]}
    x = sobol_sample.sample(problem, 64, calc_second_order=False, seed=1)
    y = x[:, 0] + x[:, 1] ** 2
    ref = sobol.analyze(problem, y, calc_second_order=False, num_resamples=10, seed=1)
    rows = y.reshape(64, 4)  # A, AB_p, AB_q, B
    blocks = ["A", "p", "q", "B"]
    df = pd.DataFrame([{"sample": j, "block": blocks[b], "y": rows[j, b]} for j in range(64) for b in range(4)])
    res = indices_from_table(df, ["p", "q"], "y", n_boot=10).set_index("factor")
    np.testing.assert_allclose(res["S1"], ref["S1"], rtol=1e-12)
    np.testing.assert_allclose(res["ST"], ref["ST"], rtol=1e-12)
