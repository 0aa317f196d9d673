"""Sobol sensitivity indices from a Saltelli design (first-order and total).

Estimators: first order from Saltelli et al. (2010), "Variance based
sensitivity analysis of model output", Comput. Phys. Commun. 181, table 2 (b);
total from Jansen (1999), table 2 (f). Both need f(A), f(B) and f(AB_i), where
AB_i is A with column i taken from B: what `design.method: sobol` generates.
Confidence half-widths come from a bootstrap over the base samples.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def sobol_indices(f_a: np.ndarray, f_b: np.ndarray, f_ab: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """First-order and total indices.

    Args:
        f_a, f_b: outputs at the N rows of A and B, shape (N,).
        f_ab: outputs at AB_i, shape (k, N).

    Returns:
        (S1, ST), each of shape (k,). NaN when the output does not vary.
    """
    var = np.var(np.concatenate([f_a, f_b]), ddof=1)
    if not var > 0:
        nan = np.full(len(f_ab), np.nan)
        return nan, nan
    s1 = np.mean(f_b * (f_ab - f_a), axis=1) / var
    st = 0.5 * np.mean((f_a - f_ab) ** 2, axis=1) / var
    return s1, st


def sobol_with_ci(f_a, f_b, f_ab, n_boot: int = 500, seed: int = 0) -> dict[str, np.ndarray]:
    """Indices with 95% bootstrap half-widths (resampling the base rows j = 1..N)."""
    f_a, f_b, f_ab = np.asarray(f_a, float), np.asarray(f_b, float), np.asarray(f_ab, float)
    s1, st = sobol_indices(f_a, f_b, f_ab)
    rng = np.random.default_rng(seed)
    n = len(f_a)
    boots = []
    for _ in range(n_boot):
        idx = rng.integers(0, n, n)
        boots.append(sobol_indices(f_a[idx], f_b[idx], f_ab[:, idx]))
    b = np.array(boots)  # (n_boot, 2, k)
    z = 1.959963984540054
    with np.errstate(invalid="ignore"):
        conf = z * np.nanstd(b, axis=0, ddof=1) if n_boot > 1 else np.full((2, len(s1)), np.nan)
    return {"S1": s1, "S1_conf": conf[0], "ST": st, "ST_conf": conf[1]}


def indices_from_table(df: pd.DataFrame, factors: list[str], outcome: str, n_boot: int = 500) -> pd.DataFrame:
    """Sobol indices of `outcome` from a sweep's rows (one group of level factors).

    Replications of a design point are averaged first: the indices describe how
    the expected outcome depends on the sampled factors. Base samples with a
    missing point (an unfinished sweep) are left out.
    """
    means = df.groupby(["sample", "block"])[outcome].mean().unstack("block")
    needed = ["A", "B", *factors]
    means = means.reindex(columns=needed).dropna()
    if len(means) < 2:
        return pd.DataFrame(columns=["factor", "S1", "S1_conf", "ST", "ST_conf", "n"])
    res = sobol_with_ci(means["A"].to_numpy(), means["B"].to_numpy(), means[factors].to_numpy().T, n_boot)
    return pd.DataFrame({"factor": factors, **res, "n": len(means)})
