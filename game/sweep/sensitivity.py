"""Sobol and Morris sensitivity indices, computed by SALib.

A `design.method: sobol` sweep follows Saltelli's scheme (game.sweep.design): per base
sample j, the rows A_j, B_j and AB_ij (A_j with factor i's column from B_j, `block` = the
factor's path). SALib's `sobol.analyze` (calc_second_order=False) reads the same rows in
the order A, AB_1..AB_k, B; `sobol_indices` puts them in that order and hands them over.
SALib's estimators are the ones this module used to write by hand: first order from
Saltelli et al. (2010), table 2 (b), total from Jansen (1999), table 2 (f), with
bootstrap confidence intervals over the base samples.

Morris elementary effects (`morris_design`, `morris_indices`) are SALib's too: a screening
design of r trajectories and its mu, mu* and sigma per factor.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

INDEX_COLUMNS = ["factor", "S1", "S1_conf", "ST", "ST_conf", "n"]


def _problem(k: int, names: list[str] | None = None, bounds=None) -> dict:
    names = names or [f"x{i}" for i in range(k)]
    return {"num_vars": k, "names": list(names), "bounds": [list(b) for b in bounds] if bounds is not None
            else [[0.0, 1.0]] * k}


def _saltelli_order(f_a: np.ndarray, f_b: np.ndarray, f_ab: np.ndarray) -> np.ndarray:
    """Rows as SALib reads a Saltelli sample without second order: A, AB_1..AB_k, B per base sample."""
    return np.column_stack([f_a, f_ab.T, f_b]).ravel()


def sobol_with_ci(f_a, f_b, f_ab, n_boot: int = 500, seed: int = 0) -> dict[str, np.ndarray]:
    """First-order and total indices with 95% bootstrap half-widths (SALib `sobol.analyze`).

    Args:
        f_a, f_b: outputs at the N rows of A and B, shape (N,).
        f_ab: outputs at AB_i, shape (k, N).

    Returns {"S1", "S1_conf", "ST", "ST_conf"}, each of shape (k,); NaN when the output does
    not vary (SALib would divide by zero).
    """
    from SALib.analyze import sobol

    f_a, f_b, f_ab = np.asarray(f_a, float), np.asarray(f_b, float), np.asarray(f_ab, float)
    k = len(f_ab)
    if not np.var(np.concatenate([f_a, f_b, f_ab.ravel()])) > 0:
        nan = np.full(k, np.nan)
        return {"S1": nan, "S1_conf": nan.copy(), "ST": nan.copy(), "ST_conf": nan.copy()}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a bootstrap draw of a few constant rows
        res = sobol.analyze(_problem(k), _saltelli_order(f_a, f_b, f_ab), calc_second_order=False,
                            num_resamples=max(n_boot, 2), conf_level=0.95, seed=seed + 1)
    conf = (lambda c: c) if n_boot > 1 else (lambda c: np.full(k, np.nan))
    return {"S1": np.asarray(res["S1"]), "S1_conf": conf(np.asarray(res["S1_conf"])),
            "ST": np.asarray(res["ST"]), "ST_conf": conf(np.asarray(res["ST_conf"]))}


def sobol_indices(f_a: np.ndarray, f_b: np.ndarray, f_ab: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(S1, ST), each of shape (k,): the point estimates of `sobol_with_ci`."""
    res = sobol_with_ci(f_a, f_b, f_ab, n_boot=2)
    return res["S1"], res["ST"]


def indices_from_table(df: pd.DataFrame, factors: list[str], outcome: str, n_boot: int = 500) -> pd.DataFrame:
    """Sobol indices of `outcome` from a sweep's rows (one group of level factors).

    `df` has columns `sample`, `block` and `outcome`, one row per run or already one per
    (sample, block). Replications of a design point are averaged first: the indices
    describe how the expected outcome depends on the sampled factors. Base samples with a
    missing point (an unfinished sweep) are left out.
    """
    means = df.groupby(["sample", "block"])[outcome].mean().unstack("block")
    needed = ["A", "B", *factors]
    means = means.reindex(columns=needed).dropna()
    if len(means) < 2:
        return pd.DataFrame(columns=INDEX_COLUMNS)
    res = sobol_with_ci(means["A"].to_numpy(), means["B"].to_numpy(), means[factors].to_numpy().T, n_boot)
    return pd.DataFrame({"factor": factors, **res, "n": len(means)})


# -- Morris screening ------------------------------------------------------------------


def morris_design(names: list[str], bounds: list[tuple[float, float]], trajectories: int = 10,
                  levels: int = 4, seed: int = 0) -> np.ndarray:
    """A Morris design (SALib `morris.sample`): trajectories x (k + 1) rows, one column per factor."""
    from SALib.sample import morris

    return morris.sample(_problem(len(names), names, bounds), trajectories, num_levels=levels, seed=seed)


def morris_indices(names: list[str], bounds: list[tuple[float, float]], x: np.ndarray, y: np.ndarray,
                   levels: int = 4, n_boot: int = 500, seed: int = 0) -> pd.DataFrame:
    """Morris elementary effects of `y` at the rows `x` of a `morris_design` (SALib
    `morris.analyze`): mu (mean effect), mu_star (mean absolute effect, the ranking
    measure), sigma (spread: interactions or non-linearity) and mu_star_conf (95%)."""
    from SALib.analyze import morris

    res = morris.analyze(_problem(len(names), names, bounds), np.asarray(x, float), np.asarray(y, float),
                         num_resamples=n_boot, conf_level=0.95, num_levels=levels, seed=seed + 1)
    return pd.DataFrame({"factor": list(names), "mu": res["mu"], "mu_star": res["mu_star"],
                         "sigma": res["sigma"], "mu_star_conf": res["mu_star_conf"]})
