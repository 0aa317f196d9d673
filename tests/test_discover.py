"""Scenario discovery (`highfence discover`): PRIM boxes and feature scores through the EMA
Workbench, statistics recomputed over every run by DuckDB, and the export in EMA's own
format, read back by `ema_workbench.load_results`. The sweep here is a real sweep directory
(manifest and Parquet parts) holding a known function, so the right box is known."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from game.cli import main
from game.sweep import read_manifest
from game.sweep.discover import discover, export_ema
from game.sweep.summary import summarize


def write_sweep(out, n: int = 4000, parts: int = 4, seed: int = 1):
    """y = x1 - 0.3 [coordinated] + noise: y < 0.2 happens for small x1, mostly when coordinated."""
    rng = np.random.default_rng(seed)
    out.mkdir(parents=True)
    point = np.arange(n) // 2
    df = pd.DataFrame({
        "run_id": [f"r{i:07d}" for i in range(n)], "point": point, "cell": point // 2, "replication": np.arange(n) % 2,
        "seed": rng.integers(0, 2**31, n), "sample": point // 2, "block": "",
        "variant": np.where(point % 2 == 0, "unilateral", "coordinated"),
        "x1": np.repeat(rng.uniform(0, 1, n // 2), 2), "x2": np.repeat(rng.uniform(0, 1, n // 2), 2)})
    df["y"] = df["x1"] - 0.3 * (df["variant"] == "coordinated") + rng.normal(0, 0.02, n)
    df["z"] = rng.normal(size=n)
    for k, rows in enumerate(np.array_split(np.arange(n), parts)):
        df.iloc[rows].to_parquet(out / f"part-{k:04d}.parquet", index=False)
    manifest = {"sweep": "known", "spec_hash": "0", "design": {"method": "lhs", "samples": n // 4},
                "factors": {"variant": {"levels": ["unilateral", "coordinated"]},
                            "x1": {"low": 0.0, "high": 1.0}, "x2": {"low": 0.0, "high": 1.0}},
                "finals": ["y", "z"], "n_runs": n}
    (out / "_manifest.json").write_text(json.dumps(manifest))
    return df


@pytest.fixture(scope="module")
def sweep(tmp_path_factory):
    out = tmp_path_factory.mktemp("known") / "sweep"
    return out, write_sweep(out)


def test_prim_finds_the_known_box_and_its_statistics_hold_on_every_run(sweep):
    out, df = sweep
    d = discover(out, read_manifest(out), "y", below=0.2, max_rows=1500)
    assert d.runs == len(df) and d.of_interest == int((df["y"] < 0.2).sum()) and d.sampled == 1500
    box = d.boxes[0]
    lo, hi = box.limits["x1"]
    assert hi < 0.6  # small x1: y < 0.2 needs x1 below 0.2, or below 0.5 when coordinated
    assert "x2" not in box.limits  # x2 plays no part
    assert box.density > 0.8 and box.coverage > 0.5
    # Coverage, density and mass are over every run (not PRIM's sample): recompute them here.
    inside = df["x1"].between(lo, hi)
    if "variant" in box.limits:
        inside &= df["variant"].isin(box.limits["variant"])
    hit = df["y"] < 0.2
    assert box.runs == int(inside.sum())
    assert box.coverage == pytest.approx((inside & hit).sum() / hit.sum(), abs=1e-12)
    assert box.density == pytest.approx((inside & hit).sum() / inside.sum(), abs=1e-12)
    assert box.mass == pytest.approx(inside.mean(), abs=1e-12)
    # Feature scores: x1 tells most, x2 least.
    order = list(d.feature_scores.index)
    assert order[0] == "x1" and order[-1] == "x2"


def test_export_reads_back_in_the_ema_workbench(sweep, tmp_path):
    from ema_workbench import load_results

    out, df = sweep
    path = export_ema(out, read_manifest(out), tmp_path / "ema")
    experiments, outcomes = load_results(str(path))
    assert len(experiments) == len(df)
    assert {"x1", "x2", "scenario", "policy", "model", "seed", "replication"} <= set(experiments.columns)
    ordered = df.sort_values(["point", "replication"]).reset_index(drop=True)
    np.testing.assert_array_equal(experiments["x1"].to_numpy(), ordered["x1"].to_numpy())
    assert list(experiments["policy"].astype(str)) == list(ordered["variant"])
    np.testing.assert_array_equal(outcomes["y"], ordered["y"].to_numpy())
    assert set(outcomes) == {"y", "z"}


def test_discover_cli(sweep, tmp_path, capsys):
    out, _ = sweep
    assert main(["discover", str(out), "--outcome", "y", "--below", "0.2", "--json", str(tmp_path / "d.json"),
                 "--export", str(tmp_path / "ema")]) == 0
    text = capsys.readouterr().out
    assert "box 1: coverage" in text and "density" in text and "x1" in text and "feature scores" in text
    assert json.loads((tmp_path / "d.json").read_text())["boxes"][0]["limits"]["x1"][1] < 0.6
    assert (tmp_path / "ema" / "known.tar.gz").is_file()
    assert main(["discover", str(out), "--outcome", "nope", "--below", "0"]) == 2
    assert "'nope' is not an outcome of this sweep (outcomes: y, z)" in capsys.readouterr().err
    assert main(["discover", str(out), "--outcome", "y", "--above", "5"]) == 2
    assert "no run has y > 5 (y ranges from" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["discover", str(out), "--outcome", "y"])  # --below or --above is required


def test_summarize_reads_the_directory_as_the_frame(sweep):
    """Out of core (DuckDB over the parts) gives the records the in-memory frame gives."""
    out, df = sweep
    m = read_manifest(out)
    a, b = summarize(out, m), summarize(df, m)
    assert a["runs"] == len(df)
    for key in ("main_effects", "coordination_gain"):
        assert len(a[key]) == len(b[key]) > 0
        for x, y in zip(a[key], b[key]):
            assert {k: v for k, v in x.items() if not isinstance(v, float)} == \
                   {k: v for k, v in y.items() if not isinstance(v, float)}
            for k, v in x.items():
                if isinstance(v, float):
                    assert v == pytest.approx(y[k], rel=1e-9, abs=1e-12)
