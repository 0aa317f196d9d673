"""Reading a sweep: main effects with 95% CIs, the coordinated-minus-unilateral gain,
Sobol indices, and PNG plots, computed out of core by DuckDB.

The run table is read where it lies (the Parquet parts of a sweep directory) or from a
DataFrame; every summary is a DuckDB aggregate (count, mean and standard deviation per
group), so a sweep of ten million runs is summarised in well under 1 GiB
(benchmarks/bench_sweep.py --rows). Only the aggregates reach Python.

Main effects average over every other factor (a marginal mean per level),
split by variant when variant is a factor: pooling a no-control arm with a
controlled one would mean little. A numeric factor with more than MAX_LEVELS values
(lhs, sobol) is cut at its quintiles. The coordination gain is paired: the
coordinated and unilateral runs of one cell and replication share the scenario and
the seed, so their difference removes the common noise.
"""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import numpy as np
import pandas as pd

from game.sweep.paths import suggest
from game.sweep.sensitivity import indices_from_table
from game.sweep.spec import VARIANT, SweepError

MAX_LEVELS = 8  # a numeric factor with more distinct values (lhs/sobol) is cut into quantile bins
BINS = 5
_GAIN = ("coordinated", "unilateral")
MEMORY_LIMIT = "512MB"  # DuckDB spills to a temporary folder past this


def q(name: str) -> str:
    """A column name as a SQL identifier (factor paths hold dots)."""
    return '"' + name.replace('"', '""') + '"'


def connect(memory_limit: str = MEMORY_LIMIT):
    """A DuckDB connection that keeps within `memory_limit` (spilling to disk beyond it)."""
    import tempfile

    import duckdb

    con = duckdb.connect()
    con.execute(f"SET memory_limit = '{memory_limit}'")
    con.execute(f"SET temp_directory = '{tempfile.gettempdir()}/highfence-duckdb'")
    con.execute("SET preserve_insertion_order = false")
    return con


def sweep_parts(out: str | Path) -> list[Path]:
    """The finished parts of a sweep directory, each checked to read as Parquet (its footer):
    a damaged one is a SweepError naming the file."""
    import pyarrow.parquet as pq

    from game.sweep.store import read_manifest

    out = Path(out)
    read_manifest(out)
    parts = sorted(out.glob("part-*.parquet"))
    if not parts:
        raise SweepError(f"{out}: no finished runs yet")
    for part in parts:
        try:
            pq.ParquetFile(part).close()
        except Exception as exc:  # noqa: BLE001 - pyarrow raises several kinds for a bad file
            raise SweepError(f"{part}: damaged sweep part: not a readable Parquet file ({str(exc)[:200]}); run "
                             f"the same `highfence sweep ... --out {out}` again to move it to _quarantine/ and "
                             "recompute its runs") from None
    return parts


def open_runs(con, source: pd.DataFrame | str | Path, outcomes: list[str]) -> None:
    """View `runs` over the run table (a DataFrame or a sweep directory's parts), with NaN
    outcomes as NULL so aggregates skip them as pandas' dropna would."""
    if isinstance(source, pd.DataFrame):
        con.register("runs_in", source)
    else:
        files = ", ".join("'" + str(p).replace("'", "''") + "'" for p in sweep_parts(source))
        con.execute(f"CREATE OR REPLACE VIEW runs_in AS SELECT * FROM read_parquet([{files}], union_by_name = true)")
    cols = {r[0] for r in con.execute("DESCRIBE runs_in").fetchall()}
    swap = ", ".join(f"CASE WHEN isnan(CAST({q(o)} AS DOUBLE)) THEN NULL ELSE CAST({q(o)} AS DOUBLE) END AS {q(o)}"
                     for o in outcomes if o in cols)
    con.execute(f"CREATE OR REPLACE VIEW runs AS SELECT * {f'REPLACE ({swap})' if swap else ''} FROM runs_in")


def _ci(n: int, mean: float, sd: float | None, level: float = 0.95) -> tuple[float, float, float]:
    """Mean and t confidence interval from a group's count, mean and standard deviation
    (the same as game.compare.mean_ci on the values)."""
    if n < 2:
        return mean, mean, mean
    from scipy import stats

    half = float(stats.t.ppf(0.5 + level / 2, n - 1) * (sd or 0.0) / math.sqrt(n))
    return mean, mean - half, mean + half


def _plain(v):
    return v.item() if isinstance(v, np.generic) else v


def _first_seen(con, table: str, column: str) -> dict:
    """Each value of `column` -> the first design point it appears in (the spec's order)."""
    return dict(con.execute(f"SELECT {q(column)}, min(point) FROM {table} GROUP BY 1").fetchall())


def _levels(con, table: str, factor: str) -> tuple[str, dict]:
    """SQL for a factor's level over `table`, and each level's rank: numeric factors with
    many values cut at quintiles (labelled `low..high`), others in order of first appearance."""
    f = q(factor)
    kind = con.execute(f"SELECT typeof({f}) FROM {table} LIMIT 1").fetchone()
    numeric = kind is not None and kind[0] in ("DOUBLE", "FLOAT", "BIGINT", "INTEGER", "SMALLINT", "TINYINT",
                                                  "HUGEINT", "UBIGINT", "UINTEGER", "DECIMAL")
    if numeric and con.execute(f"SELECT count(DISTINCT {f}) FROM {table}").fetchone()[0] > MAX_LEVELS:
        probs = ", ".join(str(i / BINS) for i in range(BINS + 1))
        edges = con.execute(f"SELECT quantile_cont({f}, [{probs}]) FROM {table}").fetchone()[0]
        edges = list(dict.fromkeys(float(e) for e in edges))  # duplicates dropped, as pandas.qcut does
        labels = [f"{a:.3g}..{b:.3g}" for a, b in itertools.pairwise(edges)] or [f"{edges[0]:.3g}"]
        whens = " ".join(f"WHEN {f} <= {b!r} THEN {i + 1}" for i, b in enumerate(edges[1:-1]))
        index = f"(CASE {whens} ELSE {len(labels)} END)" if whens else "1"
        label = f"([{', '.join(repr(x) for x in labels)}][{index}])"
        return label, {x: i for i, x in enumerate(labels)}
    return f, _first_seen(con, table, factor)


def _group_records(con, table: str, keys: dict[str, str], rank, outcomes: list[str], **fixed) -> list[dict]:
    """One record per (group, outcome): mean and 95% CI, groups sorted by `rank(group)`.
    `keys` maps the record's names to SQL expressions."""
    sel = ", ".join(f"{sql} AS {q(name)}" for name, sql in keys.items())
    stats_ = ", ".join(f"count({q(o)}), avg({q(o)}), stddev_samp({q(o)})" for o in outcomes)
    rows = con.execute(f"SELECT {sel}, {stats_} FROM {table} GROUP BY ALL").fetchall()
    groups = sorted(((dict(zip(keys, row[:len(keys)])), row[len(keys):]) for row in rows), key=lambda g: rank(g[0]))
    out = []
    for group, tail in groups:
        for k, o in enumerate(outcomes):
            n, mean, sd = tail[3 * k: 3 * k + 3]
            if not n:
                continue
            m, lo, hi = _ci(int(n), float(mean), sd)
            out.append(fixed | {k2: _plain(v) for k2, v in group.items()}
                       | {"outcome": o, "mean": m, "ci_low": lo, "ci_high": hi, "n": int(n)})
    return out


def check_by(by: list[str] | None, factors: list[str]) -> list[str]:
    if not by:
        return [f for f in factors if f != VARIANT]
    for f in by:
        if f not in factors:
            near = suggest(f, factors)
            hint = f"; did you mean {', '.join(near)}?" if near else ""
            raise SweepError(f"--by: {f!r} is not a factor of this sweep (factors: {', '.join(factors)}){hint}")
    return [f for f in by if f != VARIANT]


def main_effects(con, by: list[str], outcomes: list[str], split: bool) -> list[dict]:
    rows = []
    v = q(VARIANT)
    variants = _first_seen(con, "runs", VARIANT) if split else {}
    if split:
        rows += _group_records(con, "runs", {"level": v}, lambda g: variants[g["level"]], outcomes,
                               factor=VARIANT, variant=None)
    for f in by:
        level, ranks = _levels(con, "runs", f)  # bins from all runs, so every variant is cut at the same values
        if split:
            rows += _group_records(con, "runs", {"level": level, "variant": v},
                                   lambda g, ranks=ranks: (variants[g["variant"]], ranks[g["level"]]), outcomes, factor=f)
        else:
            rows += _group_records(con, "runs", {"level": level}, lambda g, ranks=ranks: ranks[g["level"]], outcomes,
                                   factor=f, variant=None)
    # Records read factor, level, variant, then the numbers (the JSON's order).
    keys = ("factor", "level", "variant", "outcome", "mean", "ci_low", "ci_high", "n")
    return [{k: r[k] for k in keys} for r in rows]


def coordination_gain(con, by: list[str], outcomes: list[str]) -> list[dict]:
    """Coordinated minus unilateral, paired on (cell, replication), overall and per factor level."""
    v = q(VARIANT)
    cols = ", ".join([*(f"c.{q(o)} - u.{q(o)} AS {q(o)}" for o in outcomes), *(f"c.{q(f)}" for f in by)])
    con.execute(f"CREATE OR REPLACE VIEW gain AS SELECT c.point, {cols} FROM runs c JOIN runs u "
                f"ON c.cell = u.cell AND c.replication = u.replication "
                f"WHERE c.{v} = '{_GAIN[0]}' AND u.{v} = '{_GAIN[1]}'")
    if not con.execute("SELECT count(*) FROM gain").fetchone()[0]:
        return []
    rows = _group_records(con, "gain", {"level": "'all'"}, lambda g: 0, outcomes, factor="(all)")
    for f in by:
        level, ranks = _levels(con, "gain", f)
        rows += _group_records(con, "gain", {"level": level}, lambda g, ranks=ranks: ranks[g["level"]], outcomes, factor=f)
    keys = ("factor", "level", "outcome", "mean", "ci_low", "ci_high", "n")
    return [{k: r[k] for k in keys} for r in rows]


def sensitivity(con, manifest: dict, outcomes: list[str]) -> list[dict]:
    """Sobol indices of each outcome, within each combination of level factors: DuckDB
    averages the replications of each design point, SALib computes the indices."""
    factors = manifest["factors"]
    ranges = [k for k, f in factors.items() if "low" in f]
    level_factors = [k for k, f in factors.items() if "levels" in f]
    lf = ", ".join(q(f) for f in level_factors)
    means = ", ".join(f"avg({q(o)}) AS {q(o)}" for o in outcomes)
    df = con.execute(f"SELECT {lf + ', ' if lf else ''}sample, block, min(point) AS point, {means} "
                     f"FROM runs GROUP BY ALL ORDER BY point").df()
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


def summarize(source: pd.DataFrame | str | Path, manifest: dict, by: list[str] | None = None,
              outcomes: list[str] | None = None) -> dict:
    """All summaries of a sweep's run table (a DataFrame, or a sweep directory read out of
    core), as JSON-ready records."""
    factors = list(manifest["factors"])
    by = check_by(by, factors)
    finals = manifest["finals"]
    if outcomes:
        for o in outcomes:
            if o not in finals:
                raise SweepError(f"--outcome: {o!r} is not an outcome of this sweep (outcomes: {', '.join(finals)})")
    outcomes = list(outcomes or finals)
    split = VARIANT in factors
    con = connect()
    try:
        open_runs(con, source, outcomes)
        return {
            "sweep": manifest["sweep"],
            "spec_hash": manifest["spec_hash"],
            "runs": con.execute("SELECT count(*) FROM runs").fetchone()[0],
            "planned_runs": manifest["n_runs"],
            "main_effects": main_effects(con, by, outcomes, split),
            "coordination_gain": coordination_gain(con, by, outcomes) if split else [],
            "sensitivity": sensitivity(con, manifest, outcomes) if manifest["design"]["method"] == "sobol" else [],
        }
    finally:
        con.close()


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
