"""Sweep specs: factor paths, designs, seeds, and the errors a user can make."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
import yaml
from conftest import CONFIGS, ROOT

from game.compare import replication_seeds
from game.sweep import Sweep, SweepError
from game.sweep.design import design_points
from game.sweep.spec import parse_spec

TINY = str(CONFIGS / "tiny.yaml")


def sweep(tmp_path, **spec) -> Sweep:
    data = {"name": "t", "scenario": TINY, "fixed": {"rounds": 3}} | spec
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(data))
    return Sweep.from_file(path)


def error(tmp_path, **spec) -> str:
    with pytest.raises(SweepError) as exc:
        sweep(tmp_path, **spec)
    return str(exc.value)


def test_shipped_specs_load():
    tiny = Sweep.from_file(CONFIGS / "sweeps" / "tiny.yaml")
    assert len(tiny.points) == 12 and tiny.n_runs == 36
    avu = Sweep.from_file(CONFIGS / "sweeps" / "alliance_vs_unilateral.yaml")
    assert len(avu.points) == 81 and avu.n_runs == 81 * 20
    assert {p.labels["compare.partners"] for p in avu.points} == {"JPN", "JPN+EU", "JPN+EU+KOR"}


def test_shipped_example_designs_load():
    lhs = Sweep.from_file(CONFIGS / "sweeps" / "lhs_example.yaml")
    assert lhs.spec.design.method == "lhs" and len(lhs.points) == 16 * 2 and lhs.n_runs == 96
    sobol = Sweep.from_file(CONFIGS / "sweeps" / "sobol_example.yaml")
    assert sobol.spec.design.method == "sobol" and len(sobol.points) == 16 * (4 + 2) and sobol.n_runs == 96


def spec_error(data: dict) -> list[str]:
    with pytest.raises(SweepError) as exc:
        parse_spec({"name": "t", "scenario": "x"} | data, "spec.yaml")
    head, *lines = str(exc.value).splitlines()
    assert head == f"spec.yaml: {len(lines)} problem(s) in the sweep spec"
    return [x.strip() for x in lines]


def test_spec_errors_are_one_short_line_each():
    """Field path as written in the spec, what was expected, what was given; nothing of pydantic's insides."""
    assert spec_error({"factors": {"compare.enforcement": {"low": 0.9, "high": 0.4}},
                       "design": {"method": "lhs", "samples": 4}}) == [
        "factors.compare.enforcement: low (0.9) must be below high (0.4)"]
    lines = spec_error({"factors": {"compare.enforcement": {"low": 0.9, "hgh": 0.4}, "a": {"levels": []},
                                    "b": 3, "c": {"lo": 1, "hi": 2}},
                        "design": {"method": "lh", "samples": "four", "seed": 1}, "replications": 0})
    assert lines == [
        "factors.compare.enforcement.high: missing (a required field)",
        "factors.compare.enforcement.hgh: unknown field (given 0.4; expected one of low, high, log, integer)",
        "factors.a.levels: expected at least 1 item, not 0 (given [])",
        "factors.b: expected a list of levels [a, b], {levels: [a, b]} or a range {low: x, high: y} (given 3)",
        ("factors.c: expected a list of levels [a, b], {levels: [a, b]} or a range {low: x, high: y} "
         "(given a mapping with keys lo, hi)"),
        "design.method: expected 'grid', 'lhs' or 'sobol' (given 'lh')",
        "design.samples: expected a valid integer, unable to parse string as an integer (given 'four')",
        "design.seed: unknown field (given 1; expected one of method, samples, scramble)",
        "replications: expected greater than or equal to 1 (given 0)",
    ]
    assert spec_error({"factors": {"a": {"low": 0.1, "high": 0.5}}, "design": {"method": "sobol", "samples": 6}}) == [
        "design.samples: sobol needs a power of 2 (got 6; try 8)"]
    assert spec_error({"factors": [1]}) == ["factors: expected a mapping (given [1])"]


def test_grid_crosses_levels_and_spawns_seeds(tmp_path):
    s = sweep(tmp_path, factors={"variant": ["none", "coordinated"], "compare.enforcement": [0.5, 0.9]},
              replications=4, seed=11)
    assert s.seeds == replication_seeds(11, 4)
    assert [p.values for p in s.points] == [
        {"compare.enforcement": 0.5, "variant": "none"}, {"compare.enforcement": 0.5, "variant": "coordinated"},
        {"compare.enforcement": 0.9, "variant": "none"}, {"compare.enforcement": 0.9, "variant": "coordinated"},
    ]
    # Points differing only in variant share a cell (same scenario, paired comparisons).
    assert [p.cell for p in s.points] == [0, 0, 1, 1]
    runs = list(s.runs())
    assert len(runs) == 16 and len({r.run_id for r in runs}) == 16
    assert {r.seed for r in runs} == set(s.seeds)


def test_unknown_path_names_it_and_suggests(tmp_path):
    msg = error(tmp_path, factors={"sectors.chip.sigma": [2, 3]})
    assert "'sectors.chip.sigma'" in msg and "sectors.chips.sigma" in msg
    msg = error(tmp_path, factors={"compare.enforcment": [0.5]})
    assert "did you mean compare.enforcement" in msg
    msg = error(tmp_path, fixed={"rounds": 3, "params.reliabilty_aversion": 0.1})
    assert "fixed" in msg and "params.reliability_aversion" in msg


def test_free_form_keys_are_valid_paths(tmp_path):
    s = sweep(tmp_path, factors={"states.ALPHA.strategy.params.threshold": [0.8, 0.9],
                                 "states.BETA.strategy.kind": ["free_trader", "coalition_builder"]})
    assert len(s.points) == 4


def test_rejected_value_names_the_design_point(tmp_path):
    msg = error(tmp_path, factors={"compare.enforcement": [0.5, 0.9], "sectors.chips.sigma": [0.5, 4.0]})
    assert "design point 0" in msg and "sectors.chips.sigma=0.5" in msg
    assert "greater than or equal to 1.1" in msg
    assert "design point 1" not in msg  # sigma 4.0 is fine


@pytest.mark.parametrize(
    ("spec", "needle"),
    [
        ({"factors": {"compare.enforcement": {"low": 0.2, "high": 0.9}}}, "grid needs lists"),
        ({"factors": {"compare.enforcement": {"low": 0.2, "high": 0.9}}, "design": {"method": "sobol", "samples": 10}},
         "power of 2"),
        ({"factors": {"compare.enforcement": {"low": 0.9, "high": 0.2}}, "design": {"method": "lhs", "samples": 4}},
         "must be below"),
        ({"factors": {"variant": ["none", "both"]}}, "variant"),
        ({"factors": {"compare.enforcement": [0.5]}, "outcomes": {"finals": ["target_acess"]}}, "target_access"),
        ({"factors": {"compare.enforcement": [0.5]}, "replications": 0}, "replications"),
        ({"factors": {"compare.enforcement": [0.5]}, "colour": "red"}, "colour"),
    ],
)
def test_spec_errors(tmp_path, spec, needle):
    assert needle in error(tmp_path, **spec)


def test_lhs_is_stratified_and_seeded():
    spec = parse_spec({"name": "l", "scenario": "x", "seed": 3, "design": {"method": "lhs", "samples": 20},
                       "factors": {"a": {"low": 0.0, "high": 1.0}, "b": {"low": 10, "high": 1000, "log": True},
                                   "c": {"low": 1, "high": 5, "integer": True}}})
    pts = design_points(spec)
    a = np.array([p.values["a"] for p in pts])
    assert sorted(np.floor(a * 20).astype(int)) == list(range(20))  # one sample per stratum
    b = np.array([p.values["b"] for p in pts])
    assert sorted(np.floor(np.log10(b / 10) / 2 * 20).astype(int)) == list(range(20))
    assert {p.values["c"] for p in pts} <= {1, 2, 3, 4, 5}
    assert [p.values for p in design_points(spec)] == [p.values for p in pts]


def test_sobol_design_has_saltelli_blocks():
    spec = parse_spec({"name": "s", "scenario": "x", "design": {"method": "sobol", "samples": 8},
                       "factors": {"variant": ["unilateral", "coordinated"],
                                   "a": {"low": 0.0, "high": 1.0}, "b": {"low": 0.0, "high": 1.0}}})
    pts = design_points(spec)
    assert len(pts) == 2 * 8 * (2 + 2)
    for v in ("unilateral", "coordinated"):
        for j in range(8):
            rows = {p.block: p.values for p in pts if p.sample == j and p.values["variant"] == v}
            a, b = rows["A"], rows["B"]
            assert rows["a"] == {"a": b["a"], "b": a["b"], "variant": v}
            assert rows["b"] == {"a": a["a"], "b": b["b"], "variant": v}


def test_cli_reports_spec_errors_with_exit_code_2(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump({"name": "bad", "scenario": TINY, "factors": {"sectors.chipz.sigma": [2.0]}}))
    r = subprocess.run([sys.executable, "-m", "game.cli", "sweep", str(path), "--out", str(tmp_path / "o")],
                       check=False, capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 2
    assert "sectors.chipz.sigma" in r.stderr and "sectors.chips.sigma" in r.stderr
    assert not (tmp_path / "o").exists()
