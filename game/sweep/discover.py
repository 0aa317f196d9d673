"""Scenario discovery on a sweep: which factor ranges make an outcome fall below (or rise
above) a threshold? PRIM boxes and feature scores from the EMA Workbench, and an export
in EMA's experiments/outcomes format.

Reading is out of core: DuckDB reads the sweep's Parquet parts where they lie. PRIM and
the extra-trees feature scores need the runs in memory, so they see at most `max_rows`
runs, picked by a hash of the run id (the same runs every time); the boxes' coverage,
density and mass are then recomputed by DuckDB over every run of the sweep. The export
is written by DuckDB too, one file at a time.

PRIM (Friedman & Fisher 1999) as the EMA Workbench implements it (Kwakkel 2017,
ema_workbench.analysis.prim): peel the box that holds the runs of interest until its
density passes `threshold` or its mass falls to `mass_min`, then paste back. The box
reported is the one on the peeling trajectory with the highest coverage among those at
least `threshold` dense (the last, densest one when none is).
"""

from __future__ import annotations

import io
import json
import tarfile
import tempfile
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from game.sweep.spec import VARIANT, SweepError
from game.sweep.summary import connect, open_runs, q

MAX_ROWS = 100_000  # runs handed to PRIM and the feature scores
# DuckDB only scans here (counts, a top-N by hash, box statistics): little memory, leaving room for PRIM.
DUCKDB_MEMORY = "256MB"
EMA_VERSION = 0.1  # the metadata version ema_workbench.util.save_results writes


@dataclass
class Box:
    """One PRIM box: the restricted factors' limits and its statistics over every run."""

    limits: dict[str, tuple | list]  # factor -> (low, high) or the levels kept
    coverage: float  # share of the runs of interest that fall in the box
    density: float  # share of the runs in the box that are of interest
    mass: float  # share of all runs in the box
    runs: int  # runs in the box
    sample: dict = field(default_factory=dict)  # the same statistics on PRIM's sample


@dataclass
class Discovery:
    outcome: str
    condition: str  # e.g. "target_access < 0.6"
    runs: int  # runs with the outcome defined
    of_interest: int
    sampled: int  # runs PRIM saw
    boxes: list[Box]
    feature_scores: pd.Series  # factor -> score (extra trees), descending

    def as_dict(self) -> dict:
        return {"outcome": self.outcome, "condition": self.condition, "runs": self.runs,
                "of_interest": self.of_interest, "sampled": self.sampled,
                "boxes": [vars(b) for b in self.boxes],
                "feature_scores": {k: float(v) for k, v in self.feature_scores.items()}}


def _ema():
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # "ipyparallel not installed": not used here
            from ema_workbench.analysis import feature_scoring, prim
    except ImportError as exc:
        raise SweepError(f"scenario discovery needs the EMA Workbench: pip install -e '.[analysis]' ({exc})") from None
    return prim, feature_scoring


def _condition(outcome: str, below: float | None, above: float | None) -> tuple[str, str]:
    if (below is None) == (above is None):
        raise SweepError("give one of --below X or --above X")
    return (f"{q(outcome)} < {float(below)!r}", f"{outcome} < {below:g}") if below is not None else \
           (f"{q(outcome)} > {float(above)!r}", f"{outcome} > {above:g}")


def _factors(manifest: dict, columns: set[str]) -> list[str]:
    factors = [f for f in manifest["factors"] if f in columns]
    if not factors:
        raise SweepError("this sweep has no factors to discover boxes over")
    return factors


def discover(out: str | Path, manifest: dict, outcome: str, below: float | None = None,
             above: float | None = None, threshold: float = 0.8, mass_min: float = 0.05,
             boxes: int = 1, max_rows: int = MAX_ROWS, seed: int = 0) -> Discovery:
    """PRIM boxes and feature scores for runs whose `outcome` is below / above a value."""
    if outcome not in manifest["finals"]:
        raise SweepError(f"--outcome: {outcome!r} is not an outcome of this sweep "
                         f"(outcomes: {', '.join(manifest['finals'])})")
    where, shown = _condition(outcome, below, above)
    prim, feature_scoring = _ema()
    con = connect(DUCKDB_MEMORY)
    try:
        open_runs(con, out, [outcome])
        factors = _factors(manifest, {r[0] for r in con.execute("DESCRIBE runs").fetchall()})
        con.execute(f"CREATE OR REPLACE VIEW cases AS SELECT *, ({where}) AS _hit FROM runs "
                    f"WHERE {q(outcome)} IS NOT NULL")
        n, hits, lo, hi = con.execute(f"SELECT count(*), sum(_hit::INT), min({q(outcome)}), max({q(outcome)}) "
                                      "FROM cases").fetchone()
        if not n:
            raise SweepError(f"{outcome}: no run of this sweep has a value")
        if not hits:
            raise SweepError(f"no run has {shown} ({outcome} ranges from {lo:.4g} to {hi:.4g} over {n} runs)")
        cols = ", ".join(q(f) for f in factors)
        sample = con.execute(f"SELECT {cols}, _hit FROM cases ORDER BY hash(run_id), run_id LIMIT {int(max_rows)}").df()
        x, y = _experiments(sample[factors]), sample["_hit"].to_numpy(dtype=bool)
        found = []
        if y.any() and not y.all():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # pandas deprecations inside the workbench, not ours to fix
                p = prim.Prim(x, y.astype(int), mass_min=mass_min)
                for _ in range(boxes):
                    box = p.find_box()
                    if box is None:
                        break
                    found.append(_pick(box, threshold, p.box_init, con, int(n), int(hits)))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            scores = _feature_scores(feature_scoring, x, y, seed)
        return Discovery(outcome, shown, int(n), int(hits), len(sample), found, scores)
    finally:
        con.close()


def _experiments(x: pd.DataFrame) -> pd.DataFrame:
    """Factors as EMA reads experiments: numbers stay numbers, anything else a category."""
    x = x.copy()
    for c in x.columns:
        if x[c].dtype == bool or not pd.api.types.is_numeric_dtype(x[c]):
            x[c] = x[c].astype(str).astype("category")
        elif pd.api.types.is_integer_dtype(x[c]):
            x[c] = x[c].astype(np.int64)
        else:
            x[c] = x[c].astype(np.float64)
    return x


def _pick(box, threshold: float, init: pd.DataFrame, con, n: int, hits: int) -> Box:
    traj = box.peeling_trajectory
    dense = traj[traj["density"] >= threshold]
    i = int(dense["coverage"].idxmax()) if len(dense) else len(traj) - 1
    lims = box.box_lims[i]
    limits: dict[str, tuple | list] = {}
    for f in lims.columns:
        a, b = lims[f].iloc[0], lims[f].iloc[1]
        if isinstance(a, set):
            if a != init[f].iloc[0]:
                limits[f] = sorted(map(str, a))
        elif a > init[f].iloc[0] or b < init[f].iloc[1]:
            limits[f] = (float(a), float(b))
    inside = " AND ".join(
        f"CAST({q(f)} AS VARCHAR) IN ({', '.join(_lit(v) for v in lim)})" if isinstance(lim, list)
        else f"{q(f)} BETWEEN {lim[0]!r} AND {lim[1]!r}" for f, lim in limits.items()) or "TRUE"
    in_box, in_box_hits = con.execute(f"SELECT count(*), coalesce(sum(_hit::INT), 0) FROM cases WHERE {inside}").fetchone()
    row = traj.iloc[i]
    return Box(limits=limits, coverage=in_box_hits / hits, density=in_box_hits / max(in_box, 1), mass=in_box / n,
               runs=int(in_box), sample={k: float(row[k]) for k in ("coverage", "density", "mass")})


def _lit(v: str) -> str:
    return "'" + str(v).replace("'", "''") + "'"


def _feature_scores(feature_scoring, x: pd.DataFrame, y: np.ndarray, seed: int) -> pd.Series:
    """Extra-trees feature scores (EMA's get_ex_feature_scores): how much each factor
    tells whether a run is of interest."""
    if y.all() or not y.any():
        return pd.Series(0.0, index=list(x.columns))
    from ema_workbench.analysis.scenario_discovery_util import RuleInductionType

    scores, _ = feature_scoring.get_ex_feature_scores(x, y.astype(int), mode=RuleInductionType.CLASSIFICATION,
                                                      random_state=seed)
    return scores.iloc[:, 0].sort_values(ascending=False)


def format_discovery(d: Discovery) -> str:
    pct = 100.0 * d.of_interest / d.runs
    lines = [f"runs of interest: {d.condition}: {d.of_interest:,} of {d.runs:,} ({pct:.1f}%)"
             + (f"; PRIM saw {d.sampled:,} of them, picked by run id" if d.sampled < d.runs else "")]
    if not d.boxes:
        lines.append("no PRIM box: every run, or none, is of interest")
    for k, b in enumerate(d.boxes, 1):
        lines += ["", (f"box {k}: coverage {b.coverage:.3f}  density {b.density:.3f}  mass {b.mass:.3f}  "
                       f"({b.runs:,} runs; over every run of the sweep)")]
        if not b.limits:
            lines.append("  (no factor restricted)")
        width = max([len(f) for f in b.limits] + [6])
        for f, lim in b.limits.items():
            text = "{" + ", ".join(lim) + "}" if isinstance(lim, list) else f"{lim[0]:.4g} .. {lim[1]:.4g}"
            lines.append(f"  {f:<{width}}  {text}")
    lines += ["", "feature scores (extra trees: how much each factor tells a run of interest)"]
    width = max([len(str(f)) for f in d.feature_scores.index] + [6])
    lines += [f"  {f!s:<{width}}  {v:.3f}" for f, v in d.feature_scores.items()]
    return "\n".join(lines)


# -- export ---------------------------------------------------------------------------


def export_ema(out: str | Path, manifest: dict, dest: str | Path) -> Path:
    """Write the sweep as the EMA Workbench stores results (`ema_workbench.save_results`):
    DEST/<sweep>.tar.gz with experiments.csv (the factors, plus `scenario` = design point,
    `policy` = variant, `model` = highfence, and seed and replication), one `<outcome>.cls`
    per final outcome and metadata.json. `ema_workbench.load_results` reads it back."""
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    con = connect()
    try:
        open_runs(con, out, list(manifest["finals"]))
        columns = {r[0]: r[1] for r in con.execute("DESCRIBE runs").fetchall()}
        factors = [f for f in manifest["factors"] if f in columns and f != VARIANT]
        policy = f"coalesce(CAST({q(VARIANT)} AS VARCHAR), 'none')" if VARIANT in columns else "'none'"
        exp_cols = [*(f"{q(f)}" for f in factors), "replication", "seed", "point AS scenario",
                    f"{policy} AS policy", "'highfence' AS model"]
        order = "ORDER BY point, replication"
        dtypes = {f: _pandas_dtype(columns[f]) for f in factors}
        dtypes |= {"replication": "int64", "seed": "int64", "scenario": "int64", "policy": "category",
                   "model": "category"}
        outcomes = [o for o in manifest["finals"] if o in columns]
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            con.execute(f"COPY (SELECT {', '.join(exp_cols)} FROM runs {order}) TO '{tmp / 'experiments.csv'}' "
                        "(HEADER, DELIMITER ',')")
            for o in outcomes:
                con.execute(f"COPY (SELECT {q(o)} FROM runs {order}) TO '{tmp / (o + '.cls')}' (HEADER false)")
            meta = {"version": EMA_VERSION, "outcomes": [["ScalarOutcome", o, f"{o}.cls"] for o in outcomes],
                    "experiments": dtypes}
            path = dest / f"{manifest['sweep']}.tar.gz"
            part = path.with_name(path.name + ".tmp")
            with tarfile.open(part, "w:gz") as z:
                z.add(tmp / "experiments.csv", "experiments.csv")
                for o in outcomes:
                    z.add(tmp / f"{o}.cls", f"{o}.cls")
                data = json.dumps(meta).encode()
                info = tarfile.TarInfo("metadata.json")
                info.size = len(data)
                z.addfile(info, io.BytesIO(data))
            part.replace(path)
            return path
    finally:
        con.close()


def _pandas_dtype(duck: str) -> str:
    if duck in ("DOUBLE", "FLOAT") or duck.startswith("DECIMAL"):
        return "float64"
    if duck in ("BIGINT", "INTEGER", "SMALLINT", "TINYINT", "UBIGINT", "UINTEGER"):
        return "int64"
    if duck == "BOOLEAN":
        return "bool"
    return "category"
