"""Invariants over many seeds: shares sum to one, nothing negative or NaN, budgets kept."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from game.model import GeoModel
from game.scenario import load_scenario

DEFAULT = load_scenario("configs/default.yaml")
TINY = load_scenario("configs/tiny.yaml")


def check_round(m: GeoModel) -> None:
    o, w = m.outcomes, m.world
    for name in ("world_share", "volume_share", "capacity_share", "tech", "price_ratio", "received", "access",
                 "leaked_in", "supply_share", "state"):
        a = getattr(o, name)
        assert np.isfinite(a).all(), name
    for name in ("world_share", "volume_share", "capacity_share", "tech", "price_ratio", "received", "access",
                 "leaked_in", "supply_share"):
        assert (getattr(o, name) >= 0).all(), name
    sold = w.market.flows.sum(axis=(0, 1)) > 0
    assert sold
    np.testing.assert_allclose(o.world_share.sum(axis=0), 1.0, rtol=1e-9)
    served = o.received > 0
    np.testing.assert_allclose(o.supply_share.sum(axis=1)[served], 1.0, rtol=1e-9)
    f = w.firms
    assert (f.capacity >= 0).all() and (f.quality > 0).all() and np.isfinite(f.cash).all()
    assert (f.capacity[~f.alive] == 0).all()
    assert (w.market.flows >= 0).all()
    assert (w.market.flows.sum(axis=1) <= w.market.usable * (1 + 1e-9) + 1e-12).all(), "sales within usable capacity"
    budget = w.states.gdp * w.states.budget_share
    assert (o.state_metric("fiscal_cost") <= budget + 1e-9).all()
    assert ((w.states.trust >= 0) & (w.states.trust <= 1)).all()
    d = w.policy.diversification
    assert ((d >= 0) & (d <= 1)).all()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**31 - 1), variant=st.sampled_from([None, "none", "unilateral", "coordinated"]))
def test_invariants_hold_every_round_default(seed, variant):
    m = GeoModel(DEFAULT, seed=seed, variant=variant, rounds=12)
    while m.steps < m.rounds:
        m.step()
        check_round(m)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**31 - 1))
def test_invariants_hold_every_round_tiny(seed):
    m = GeoModel(TINY, seed=seed, rounds=10)
    while m.steps < m.rounds:
        m.step()
        check_round(m)
