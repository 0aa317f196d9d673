"""Replications reuse the calibrated starting world within a process, bit for bit what
calibrating again gives."""

from __future__ import annotations

import numpy as np
from conftest import CONFIGS

from game import calibration_cache
from game.model import GeoModel
from game.scenario import load_scenario


def fresh(scenario, seed, variant=None, rounds=6):
    calibration_cache.clear()
    return GeoModel(scenario, seed=seed, variant=variant, rounds=rounds)


def test_cached_calibration_equals_a_fresh_one():
    scenario = load_scenario(CONFIGS / "default.yaml")
    calibration_cache.clear()
    first = GeoModel(scenario, seed=1, rounds=6)
    for seed, variant in ((1, None), (2, None), (3, "coordinated"), (4, "free_trade")):
        cached = GeoModel(scenario, seed=seed, variant=variant, rounds=6)  # calibration from the cache
        again = fresh(scenario, seed, variant)
        assert cached.digest() == again.digest()
        cached.run()
        again.run()
        assert cached.digest() == again.digest()
        np.testing.assert_array_equal(cached.outcomes.state, again.outcomes.state)
    assert first.digest() == fresh(scenario, 1).digest()


def test_other_params_calibrate_again():
    base = load_scenario(CONFIGS / "tiny.yaml")
    other = base.model_copy(update={"params": base.params.model_copy(update={"home_bias": 1.6})})
    calibration_cache.clear()
    a = GeoModel(base, seed=0)
    b = GeoModel(other, seed=0)
    assert not np.array_equal(a.world.firms.appeal, b.world.firms.appeal) or \
        not np.array_equal(a.world.market.armington, b.world.market.armington)
    assert b.digest() == fresh(other, 0, rounds=None).digest()
