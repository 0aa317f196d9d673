"""Reading a sweep: main effects with 95% CIs, the coordinated-minus-unilateral gain,
Sobol indices, and PNG plots.

Main effects average over every other factor (a marginal mean per level),
split by variant when variant is a factor: pooling a no-control arm with a
controlled one would mean little. The coordination gain is paired: the
coordinated and unilateral runs of one cell and replication share the
scenario and the seed, so their difference removes the common noise.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from game.compare import mean_ci
from game.sweep.paths import suggest
from game.sweep.sensitivity import indices_from_table
from game.sweep.spec import VARIANT, SweepError

MAX_LEVELS = 8  # a numeric factor with more distinct values (lhs/sobol) is cut into quantile bins
BINS = 5
_GAIN = ("coordinated", "unilateral")


def _levels(df: pd.DataFrame, factor: str) -> pd.Series:
    """The factor's levels, with continuous values binned into quantiles."""
    col = df[factor]
    if pd.api.types.is_numeric_dtype(col) and col.nunique() > MAX_LEVELS:
        bins = pd.qcut(col, BINS, duplicates="drop")
        return bins.cat.rename_categories([f"{c.left:.3g}..{c.right:.3g}" for c in bins.cat.categories])
    # Levels in the spec's order: rows are sorted by design point before summarising.
    return pd.Series(pd.Categorical(col, categories=list(dict.fromkeys(col)), ordered=True), index=df.index)


def _ci_records(groups, outcomes: list[str], **fixed) -> list[dict]:
    rows = []
    for level, g in groups:
        level = level[0] if isinstance(level, tuple) and len(level) == 1 else level
        for o in outcomes:
            x = g[o].dropna().to_numpy()
            if len(x) == 0:
                continue
            m, lo, hi = mean_ci(x)
            rows.append(fixed | {"level": _plain(level), "outcome": o, "mean": m, "ci_low": lo, "ci_high": hi,
                                 "n": len(x)})
    return rows


def _plain(v):
    return v.item() if isinstance(v, np.generic) else v


def check_by(by: list[str] | None, factors: list[str]) -> list[str]:
    if not by:
        return [f for f in factors if f != VARIANT]
    for f in by:
        if f not in factors:
            near = suggest(f, factors)
            hint = f"; did you mean {', '.join(near)}?" if near else ""
            raise SweepError(f"--by: {f!r} is not a factor of this sweep (factors: {', '.join(factors)}){hint}")
    return [f for f in by if f != VARIANT]


def main_effects(df: pd.DataFrame, by: list[str], outcomes: list[str], split: bool) -> list[dict]:
    rows = []
    if split:
        rows += _ci_records(df.groupby(VARIANT, sort=False), outcomes, factor=VARIANT, variant=None)
    for f in by:
        lev = _levels(df, f)  # bins from all runs, so every variant is cut at the same values
        if split:
            for v, g in df.groupby(VARIANT, sort=False):
                rows += _ci_records(g.groupby(lev[g.index], sort=True, observed=True), outcomes, factor=f, variant=v)
        else:
            rows += _ci_records(df.groupby(lev, sort=True, observed=True), outcomes, factor=f, variant=None)
    return rows


def coordination_gain(df: pd.DataFrame, by: list[str], outcomes: list[str]) -> list[dict]:
    """Coordinated minus unilateral, paired on (cell, replication), overall and per factor level."""
    key = ["cell", "replication"]
    coord = df[df[VARIANT] == _GAIN[0]].set_index(key)
    uni = df[df[VARIANT] == _GAIN[1]].set_index(key)
    both = coord.index.intersection(uni.index)
    if both.empty:
        return []
    diff = coord.loc[both, outcomes] - uni.loc[both, outcomes]
    diff = diff.join(coord.loc[both, by]).reset_index(drop=True)
    rows = _ci_records([("all", diff)], outcomes, factor="(all)")
    for f in by:
        rows += _ci_records(diff.groupby(_levels(diff, f), sort=True, observed=True), outcomes, factor=f)
    return rows


def sensitivity(df: pd.DataFrame, manifest: dict, outcomes: list[str]) -> list[dict]:
    """Sobol indices of each outcome, within each combination of level factors."""
    factors = manifest["factors"]
    ranges = [k for k, f in factors.items() if "low" in f]
    level_factors = [k for k, f in factors.items() if "levels" in f]
    groups = df.groupby(level_factors, sort=False) if level_factors else [((), df)]
    rows = []
    for level, g in groups:
        level = level if isinstance(level, tuple) else (level,)
        group = dict(zip(level_factors, map(_plain, level)))
        for o in outcomes:
            table = indices_from_table(g, ranges, o)
            for rec in table.to_dict("records"):
                rows.append({"group": group, "outcome": o} | {k: _plain(v) for k, v in rec.items()})
    return rows


def summarize(df: pd.DataFrame, manifest: dict, by: list[str] | None = None,
              outcomes: list[str] | None = None) -> dict:
    """All summaries of a sweep's run table, as JSON-ready records."""
    factors = list(manifest["factors"])
    by = check_by(by, factors)
    finals = manifest["finals"]
    if outcomes:
        for o in outcomes:
            if o not in finals:
                raise SweepError(f"--outcome: {o!r} is not an outcome of this sweep (outcomes: {', '.join(finals)})")
    outcomes = list(outcomes or finals)
    split = VARIANT in factors
    df = df.sort_values(["point", "replication"], kind="stable").reset_index(drop=True)
    out = {
        "sweep": manifest["sweep"],
        "spec_hash": manifest["spec_hash"],
        "runs": len(df),
        "planned_runs": manifest["n_runs"],
        "main_effects": main_effects(df, by, outcomes, split),
        "coordination_gain": coordination_gain(df, by, outcomes) if split else [],
        "sensitivity": sensitivity(df, manifest, outcomes) if manifest["design"]["method"] == "sobol" else [],
    }
    return out


# -- text -------------------------------------------------------------------------


def _cell(r: dict) -> str:
    half = (r["ci_high"] - r["ci_low"]) / 2
    return f"{r['mean']:.4g} ±{half:.2g}"


def _table(records: list[dict], row_keys: tuple[str, ...], outcomes: list[str]) -> list[str]:
    cells: dict[tuple, dict[str, str]] = {}
    for r in records:
        cells.setdefault(tuple(r[k] for k in row_keys), {})[r["outcome"]] = _cell(r)
    labels = {k: " ".join("" if x is None else str(x) for x in k) for k in cells}
    lw = max([len(s) for s in labels.values()] + [8])
    widths = [max(len(o), 14, *(len(c.get(o, "")) for c in cells.values())) for o in outcomes]
    lines = [" " * lw + "  " + "  ".join(o.rjust(w) for o, w in zip(outcomes, widths))]
    for k, c in cells.items():
        lines.append(labels[k].ljust(lw) + "  " + "  ".join(c.get(o, "").rjust(w) for o, w in zip(outcomes, widths)))
    return lines


def format_summary(summary: dict) -> str:
    outcomes = list(dict.fromkeys(r["outcome"] for r in summary["main_effects"]))
    lines = [f"{summary['sweep']}: {summary['runs']} of {summary['planned_runs']} runs; mean ±95% CI half-width"]
    by_factor: dict[str, list[dict]] = {}
    for r in summary["main_effects"]:
        by_factor.setdefault(r["factor"], []).append(r)
    for f, recs in by_factor.items():
        lines += ["", f"by {f}" + (" (and variant)" if recs[0]["variant"] is not None else "")]
        lines += _table(recs, ("level", "variant") if recs[0]["variant"] is not None else ("level",), outcomes)
    if summary["coordination_gain"]:
        lines += ["", "coordinated minus unilateral (paired on cell and seed)"]
        recs = summary["coordination_gain"]
        lines += _table(recs, ("factor", "level"), outcomes)
    if summary["sensitivity"]:
        lines += ["", "Sobol indices: S1 first order, ST total (±95% bootstrap)"]
        for r in summary["sensitivity"]:
            group = ", ".join(f"{k}={v}" for k, v in r["group"].items()) or "all"
            lines.append(f"  [{group}] {r['outcome']:<22} {r['factor']:<28} "
                         f"S1 {r['S1']:6.3f} ±{r['S1_conf']:.3f}   ST {r['ST']:6.3f} ±{r['ST_conf']:.3f}")
    return "\n".join(lines)


# -- plots ------------------------------------------------------------------------


def plot_main_effects(summary: dict, path, gain: bool = False) -> None:
    """One panel per (outcome, factor): mean and 95% CI by level, a line per variant."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    recs = summary["coordination_gain" if gain else "main_effects"]
    recs = [r for r in recs if r["factor"] not in (VARIANT, "(all)")]
    outcomes = list(dict.fromkeys(r["outcome"] for r in recs))
    factors = list(dict.fromkeys(r["factor"] for r in recs))
    if not recs:
        return
    fig, axes = plt.subplots(len(outcomes), len(factors), figsize=(max(6.0, 3.4 * len(factors)), 2.3 * len(outcomes) + 0.6),
                             squeeze=False, sharey="row")
    for i, o in enumerate(outcomes):
        for j, f in enumerate(factors):
            ax = axes[i, j]
            mine = [r for r in recs if r["outcome"] == o and r["factor"] == f]
            series = {}
            for r in mine:
                series.setdefault(r.get("variant"), []).append(r)
            for v, rs in series.items():
                x = [str(r["level"]) for r in rs]
                m = np.array([r["mean"] for r in rs])
                err = np.array([[r["mean"] - r["ci_low"] for r in rs], [r["ci_high"] - r["mean"] for r in rs]])
                ax.errorbar(x, m, yerr=err, marker="o", capsize=3, label=v or ("coordinated − unilateral" if gain else None))
            if gain:
                ax.axhline(0, color="grey", lw=0.8)
            if i == len(outcomes) - 1:
                ax.set_xlabel(f)
                ax.tick_params(axis="x", labelrotation=30, labelsize=7)
            else:
                ax.tick_params(axis="x", labelbottom=False)
            if j == 0:
                ax.set_ylabel(o.replace("_", " "), fontsize=8)
            ax.grid(alpha=0.3)
    handles, labels = axes[0, 0].get_legend_handles_labels()
    if any(labels):
        fig.legend(handles, labels, loc="lower center", ncol=len(labels), fontsize=8)
    title = "coordinated minus unilateral" if gain else "main effects"
    fig.suptitle(f"{summary['sweep']}: {title} (mean, 95% CI)")
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    fig.savefig(path, dpi=100)
    plt.close(fig)
