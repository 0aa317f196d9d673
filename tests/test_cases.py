"""The historical cases of FACTS.md, from the mechanics and one parameter set."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml

from game.compare import replication_seeds
from game.validation import case_paths, coercion_base_rate, validate_case

CASES = case_paths(None)
# Cases whose bands the model does not meet yet, with what is missing. Strict: when a
# case starts to pass, the test fails until it is taken off this list.
# Cases the model misses, each with the reason (a strict xfail: a fix must remove it).
KNOWN_FAILURES: dict[str, str] = {}


def known(path):
    reason = KNOWN_FAILURES.get(path.stem)
    marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
    return pytest.param(path, marks=marks, id=path.stem)


def test_there_is_a_case_per_episode():
    assert {p.stem for p in CASES} >= {"satellites_1999", "rare_earths_2010", "chips_2022", "subsidy_race",
                                       "tariffs_2018", "huawei_2019"}


@pytest.mark.parametrize("path", [known(p) for p in CASES])
def test_case_lands_in_its_bands(path):
    rows = validate_case(path, replication_seeds(0, 10))
    failed = [f"{r['metric']}={r['mean']:.3f} not in [{r['min']}, {r['max']}]" for r in rows if not r["pass"]]
    assert not failed, failed


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_no_case_has_parameters_of_its_own(path):
    """One parameter set for every case: a case file may describe its world, not tune the model."""
    data = yaml.safe_load(path.read_text())
    assert "params" not in data
    assert data["case"]["sources"], "every case cites its sources"


def test_coercion_succeeds_sometimes_not_always():
    row = coercion_base_rate(replication_seeds(1, 4))
    assert row["pass"], row


def _subsidy_race_text() -> str:
    """The subsidy race case, to be changed and written elsewhere (its `extends:` made absolute)."""
    text = Path("configs/cases/subsidy_race.yaml").read_text()
    return text.replace("extends: ../default.yaml", f"extends: {Path('configs/default.yaml').resolve()}")


def test_validate_exits_1_when_a_case_fails(tmp_path):
    text = _subsidy_race_text()
    text = text.replace("{metric: sector_capacity_vs_baseline, min: 1.0, max: 1.5",
                        "{metric: sector_capacity_vs_baseline, min: 5.0, max: 6.0")
    bad = tmp_path / "impossible.yaml"
    bad.write_text(text)
    png = tmp_path / "bands.png"
    r = subprocess.run([sys.executable, "-m", "game.cli", "validate", str(bad), "--seeds", "2", "--no-base-rate",
                        "--plot", str(png)], capture_output=True, text=True, check=False)
    assert r.returncode == 1, r.stderr
    assert "FAIL" in r.stdout and "1 failed" in r.stdout
    assert f"wrote {png}" in r.stdout and png.stat().st_size > 0


def test_a_band_needs_two_ends(tmp_path):
    """A case check with one end, or with its ends the wrong way round, is refused by name."""
    from game.errors import ScenarioError
    from game.scenario import load_scenario

    text = _subsidy_race_text()
    text = text.replace("{metric: sector_capacity_vs_baseline, min: 1.0, max: 1.5",
                        "{metric: sector_capacity_vs_baseline, min: 1.0")
    text = text.replace("{metric: sector_margin_vs_baseline, min: -0.2, max: 0.0",
                        "{metric: sector_margin_vs_baseline, min: 0.0, max: -0.2")
    bad = tmp_path / "one_end.yaml"
    bad.write_text(text)
    with pytest.raises(ScenarioError) as err:
        load_scenario(bad)
    assert "case.checks.0.max: missing (a required field)" in str(err.value)
    assert "case.checks.1: band of sector_margin_vs_baseline: expected min < max (given min 0, max -0.2)" in str(err.value)


def _reds(png: Path) -> int:
    import matplotlib.image

    rgb = matplotlib.image.imread(png)[..., :3]
    return int((np.abs(rgb - np.array([0xc0, 0x39, 0x2b]) / 255).max(axis=-1) < 0.02).sum())


def test_the_band_plot_marks_failures_in_red(tmp_path):
    from game.validation import plot_bands

    def row(metric, mean, ok):
        return {"case": "c", "metric": metric, "mean": mean, "ci_low": mean - 0.1, "ci_high": mean + 0.1,
                "min": 0.0, "max": 1.0, "pass": ok, "note": ""}

    passing = plot_bands([row("a", 0.5, True), row("b", 0.2, True)], tmp_path / "pass.png", "t")
    failing = plot_bands([row("a", 0.5, True), row("b", 2.0, False)], tmp_path / "fail.png", "t")
    assert _reds(passing) == 0 < _reds(failing)


def test_validate_gives_the_same_rows_on_a_local_pool():
    """`highfence validate` plays the (case, seeds) tasks on all cores by default."""
    from game.validation import validate_cases

    paths, seeds = [CASES[0], CASES[-1]], replication_seeds(2, 6)
    assert validate_cases(paths, seeds, executor="local", workers=2) == validate_cases(paths, seeds)
    assert coercion_base_rate(seeds[:1], executor="local", workers=2) == coercion_base_rate(seeds[:1])
