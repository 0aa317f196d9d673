"""Clearing iterates to a stated tolerance, reports its passes, and its fast price steps
agree with the plain fixed-point iteration written out over the full arrays."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from game import market
from game.market import clear_markets
from game.model import GeoModel
from game.rules.supply_chain import usable_capacity
from game.rules.wedges import compute_wedges
from game.synthetic import synthetic_scenario


@pytest.fixture(scope="module")
def world_after_shock():
    """A mid-size world a few rounds in, with controls in force (so wedges, served and leaks are live)."""
    model = GeoModel(synthetic_scenario(12, 4, 120, rounds=6), seed=3)
    model.run()
    return model


def inputs(model):
    w, f, r = model.world, model.world.firms, model.resolver
    usable = usable_capacity(w)
    wd = compute_wedges(w, model.params, usable)
    return {"weight": wd.weight, "base_price": wd.base_price, "quality": f.quality, "usable": usable,
            "sigma_f": r.sigma_f(), "flex_f": w.sectors.supply_elasticity[f.sector], "blocks": r.blocks,
            "sigma": w.sectors.sigma, "E0": w.market.E0, "P0": w.market.P0, "lam": f.lam, "ties": f.ties,
            "served": wd.served, "qty_factor": wd.qty_factor}


def plain_clearing(a, cp):
    """The textbook iteration: every step builds the full (F, N) flows (the pre-issue-14 code)."""
    starts = np.array([b.start for b in a["blocks"]])
    sector = np.repeat(np.arange(len(a["blocks"])), [b.stop - b.start for b in a["blocks"]])
    sig = a["sigma_f"]
    wb = a["weight"] * (a["base_price"] / a["quality"][:, None]) ** (1.0 - sig)[:, None]
    served = a["served"]
    kept = (1.0 - cp.adjust) * (a["ties"] if served is None else a["ties"] * served)
    lam = a["lam"].copy()
    damp = 1.0 / (1.0 + sig / a["flex_f"])
    supply = cp.target_utilisation * np.maximum(a["usable"], 1e-12)
    qf = 1.0 if a["qty_factor"] is None else a["qty_factor"]
    for it in range(cp.iterations + 1):
        v = wb * (lam ** (1.0 - sig))[:, None]
        V = np.add.reduceat(v, starts, axis=0)
        P = np.minimum(np.where(V > 0, np.abs(V) ** (1.0 / (1.0 - a["sigma"]))[:, None], np.inf),
                       a["P0"].T * cp.price_cap)
        E = a["E0"].T * (P / a["P0"].T) ** (1.0 - cp.eta)
        spend = (kept + cp.adjust * v / np.where(V > 0, V, 1.0)[sector]) * E[sector]
        sales = (spend * qf / (a["base_price"] * lam[:, None])).sum(axis=1)
        if it == cp.iterations:
            return lam, sales
        goal = np.clip((sales / supply) ** (1.0 / a["flex_f"]), cp.price_floor, cp.price_cap)
        lam = np.clip(lam * (goal / lam) ** damp, cp.price_floor, cp.price_cap)


@pytest.mark.parametrize("blas_cells", [0, 10**9], ids=["per-sector BLAS", "whole-array"])
def test_fast_steps_equal_plain_iteration(world_after_shock, blas_cells, monkeypatch):
    monkeypatch.setattr(market, "BLAS_CELLS", blas_cells)
    a = inputs(world_after_shock)
    for eta in (1.0, 0.6):  # fixed spending shares, and spending that moves with prices
        cp = dataclasses.replace(world_after_shock.resolver.cp, iterations=6, tolerance=0.0, eta=eta)
        got = clear_markets(**a, cp=cp)
        lam, sales = plain_clearing(a, cp)
        assert got.passes == 6
        np.testing.assert_allclose(got.lam, lam, rtol=1e-11)
        unrationed = sales <= a["usable"]
        np.testing.assert_allclose(got.sales[unrationed], sales[unrationed], rtol=1e-10)


def test_clearing_stops_at_tolerance_and_says_so(world_after_shock):
    a = inputs(world_after_shock)
    base = world_after_shock.resolver.cp
    tight = clear_markets(**a, cp=dataclasses.replace(base, iterations=200, tolerance=1e-13))
    assert tight.step <= 1e-13 and tight.passes < 200
    for tol in (1e-3, 1e-4, 1e-6):
        got = clear_markets(**a, cp=dataclasses.replace(base, iterations=200, tolerance=tol))
        assert got.step <= tol
        assert 0 < got.passes < tight.passes
        # Results unchanged within the tolerance: the steps contract, so what is left is
        # a few times the last step at most.
        assert np.abs(got.lam / tight.lam - 1.0).max() <= 5 * tol
        np.testing.assert_allclose(got.P, tight.P, rtol=5 * tol)
        np.testing.assert_allclose(got.sales, tight.sales, rtol=20 * tol, atol=1e-12 * tight.sales.max())


def test_guard_caps_the_passes(world_after_shock):
    a = inputs(world_after_shock)
    got = clear_markets(**a, cp=dataclasses.replace(world_after_shock.resolver.cp, iterations=2, tolerance=1e-12))
    assert got.passes == 2 and got.step > 1e-12


def test_rounds_report_their_passes():
    model = GeoModel(synthetic_scenario(6, 3, 30, rounds=4), seed=0).run()
    passes = [o.world["clearing_passes"] for o in model.datacollector.outcomes]
    assert all(1 <= p <= model.params.clearing_iterations for p in passes)
