"""Every shipped scenario loads and runs two rounds."""

from pathlib import Path

import pytest

from game.model import GeoModel
from game.scenario import load_scenario

SCENARIOS = sorted(p for p in Path("configs").rglob("*.yaml") if "sweeps" not in p.parts)


@pytest.mark.parametrize("path", SCENARIOS, ids=str)
def test_config_loads_and_runs_two_rounds(path):
    sc = load_scenario(path)
    m = GeoModel(sc, seed=0, rounds=2)
    m.run()
    assert m.steps == 2
    if sc.compare:
        for variant in ("unilateral", "coordinated"):
            GeoModel(sc, seed=0, rounds=2, variant=variant).run()
