"""The economic core against results known independently of this project, each in a
small world built for it, with the extras switched off where the result needs it.

- Trade elasticity of a CES (Armington) import demand: d ln(X_ij / X_kj) / d ln(1 + t_ij)
  = -(sigma - 1) (e.g. Arkolakis, Costinot and Rodriguez-Clare 2012), and a short-run
  elasticity below the long-run one (Boehm, Levchenko and Pandalai-Nayar 2023).
- Tariff pass-through: complete with flat supply (Amiti, Redding and Weinstein 2019;
  Fajgelbaum et al. 2020); incomplete, with a fall in the exporter's price, when
  supply slopes up (the textbook incidence result).
- Welfare in levels: innovation by anyone raises world welfare; a free-trade world
  does not lose welfare; subsidies are transfers.
- Embargoes cut physical receipts at once; a stockpile covering one round of imports
  keeps the target's downstream output up.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from game.model import GeoModel
from game.outcomes import WELFARE_PARTS
from game.scenario import load_scenario, scenario_from_dict
from tests.conftest import CONFIGS

SIGMA = 4.0


def world(params: dict | None = None, sectors: dict | None = None, firms: list | None = None,
          states: dict | None = None, script: list | None = None, injects: list | None = None,
          rounds: int = 5):
    """Three states, one traded good, one firm each, every state scripted (passive)."""
    passive = {"kind": "scripted"}
    data = {
        "name": "econ-test",
        "rounds": rounds,
        "params": params or {},
        "states": states or {k: {"gdp": g, "strategy": passive, "budget_share": 0.01}
                             for k, g in (("A", 10000), ("B", 8000), ("C", 6000))},
        "sectors": sectors or {"goods": {"demand_share": 0.01, "sigma": SIGMA}},
        "firms": firms or [{"name": f"{k}-maker", "home": k, "sector": "goods", "share": w}
                           for k, w in (("A", 40), ("B", 35), ("C", 25))],
        "script": script or [],
        "injects": injects or [],
    }
    return scenario_from_dict(data, "econ-test")


def tariff(rate, importer="A", exporter="B", sector="goods", round_=1):
    return {"round": round_, "state": importer,
            "action": {"kind": "set_tariff", "partner": exporter, "sector": sector, "rate": rate}}


def flow(model, exporter, importer, sector="goods", what="trade_value", round_=-1):
    k, j = (model.world.states.names.index(x) for x in (exporter, importer))
    s = model.world.sectors.names.index(sector)
    return getattr(model.datacollector.outcomes[round_], what)[s, k, j]


def play(sc, rounds, **kw):
    return GeoModel(sc, seed=0, rounds=rounds, **kw).run()


FLAT = {"price_flex": 1e9, "target_utilisation": 0.5}  # flat supply, slack capacity


# -- trade elasticity ---------------------------------------------------------------
@pytest.mark.parametrize("sigma", [2.0, 4.0, 7.0])
def test_trade_elasticity_is_sigma_minus_one(sigma):
    """With flat supply, slack capacity and no sourcing friction, the log change of the
    importer's spending on the tariffed supplier relative to another supplier, over the log
    change of the tariff factor, is -(sigma - 1)."""
    params = FLAT | {"sourcing_adjustment": 1.0}
    sectors = {"goods": {"demand_share": 0.01, "sigma": sigma}}
    t = 0.1
    base = play(world(params, sectors), 1)
    taxed = play(world(params, sectors, script=[tariff(t)]), 1)
    ratio = lambda m: flow(m, "B", "A") / flow(m, "C", "A")
    elasticity = np.log(ratio(taxed) / ratio(base)) / np.log(1 + t)
    assert elasticity == pytest.approx(-(sigma - 1), rel=0.02)


def test_short_run_trade_elasticity_is_below_the_long_run():
    """Buyers move only part of their purchases to new suppliers in a round: the first
    round's elasticity is a fraction of sigma - 1, and it approaches sigma - 1 over rounds."""
    t = 0.1
    base = play(world(FLAT), 12)
    taxed = play(world(FLAT, script=[tariff(t)]), 12)

    def elasticity(r):
        ratio = lambda m: flow(m, "B", "A", round_=r) / flow(m, "C", "A", round_=r)
        return np.log(ratio(taxed) / ratio(base)) / np.log(1 + t)

    first, later = -elasticity(1), -elasticity(12)
    assert 0.1 * (SIGMA - 1) < first < 0.5 * (SIGMA - 1)
    assert later > 0.9 * (SIGMA - 1)


# -- pass-through -----------------------------------------------------------------
def unit_price(model, round_, exporter="B", importer="A"):
    return flow(model, exporter, importer, round_=round_) / flow(model, exporter, importer, "goods", "trade_qty", round_)


def test_flat_supply_passes_the_whole_tariff_to_buyers():
    """With flat supply the duty-inclusive price the importer pays for the tariffed goods
    rises by the whole tariff (complete pass-through, as measured for the 2018 US tariffs)."""
    t = 0.25
    m = play(world(FLAT, script=[tariff(t)]), 1)
    pass_through = (unit_price(m, 1) / unit_price(m, 0) - 1.0) / t
    assert pass_through == pytest.approx(1.0, abs=0.05)


def test_upward_supply_shares_the_tariff_with_the_exporter():
    """With upward-sloping supply (the default) and an importer that buys much of the
    exporter's output, pass-through is below one and the exporter's pre-duty price falls."""
    t = 0.25
    states = {"A": {"gdp": 20000, "strategy": {"kind": "scripted"}}, "B": {"gdp": 3000, "strategy": {"kind": "scripted"}},
              "C": {"gdp": 3000, "strategy": {"kind": "scripted"}}}
    m = play(world(states=states, script=[tariff(t)]), 2)
    before, after = unit_price(m, 0), unit_price(m, 2)
    pass_through = (after / before - 1.0) / t
    assert 0.2 < pass_through < 0.98
    assert after / (1 + t) < before  # the exporter's price before duty fell


# -- welfare in levels ------------------------------------------------------------
DEFAULT = load_scenario(CONFIGS / "default.yaml")


def world_welfare(model):
    return np.array([o.world["world_welfare_change"] for o in model.datacollector.outcomes])


@pytest.mark.parametrize("state,sector", [("USA", "chip_tools"), ("CHN", "chip_tools"), ("JPN", "magnets"),
                                          ("KOR", "memory"), ("ROW", "telecom_5g"), ("EU", "batteries")])
def test_a_breakthrough_by_anyone_raises_world_welfare(state, sector):
    """A +10% breakthrough lowers the quality-adjusted price index in every market and
    raises world welfare, whoever makes it (quality is an absolute level, not relative)."""
    shock = [{"round": 1, "inject": {"kind": "breakthrough", "state": state, "sector": sector, "gain": 0.1}}]
    base = play(DEFAULT, 3, variant="free_trade")
    hit = play(scenario_from_dict(DEFAULT.model_dump() | {"injects": shock}), 3, variant="free_trade")
    s = hit.world.sectors.names.index(sector)
    for r in (1, 2, 3):
        assert world_welfare(hit)[r] > world_welfare(base)[r]
        assert (hit.datacollector.outcomes[r].price_ratio[:, s] < base.datacollector.outcomes[r].price_ratio[:, s]).all()


def test_a_world_of_free_traders_does_not_lose_welfare():
    """Everybody passive for 20 rounds: technology moves on and nobody restricts, so world
    welfare never falls below the starting year's."""
    m = play(DEFAULT, 20, variant="free_trade")
    assert (world_welfare(m)[1:] >= 0).all()
    assert world_welfare(m)[-1] > world_welfare(m)[1] > 0


def test_subsidies_are_transfers_with_their_fiscal_cost_shown():
    """An R&D subsidy is paid by the treasury to home firms: in the round it is paid it
    shows as a fiscal outlay and as producers' income, and nets to nothing."""
    pay = [{"round": 1, "state": "A", "action": {"kind": "subsidy", "sector": "goods", "target": "rd", "amount": 5.0}}]
    base, paid = play(world(), 1), play(world(script=pay), 1)
    a = 0

    def metric(m, name):
        return m.datacollector.outcomes[1].state_metric(name)[a]

    assert metric(paid, "fiscal_cost") == pytest.approx(5.0)
    assert metric(paid, "producers_surplus") - metric(base, "producers_surplus") == pytest.approx(5.0, abs=1e-9)
    assert metric(paid, "welfare_change") == pytest.approx(metric(base, "welfare_change"), abs=1e-9)


# -- embargoes and stockpiles -----------------------------------------------------
def chokepoint_world(script=None, injects=None, rounds=3):
    """S holds 90% of the input; T makes the downstream good from it."""
    states = {k: {"gdp": g, "strategy": {"kind": "scripted"}, "budget_share": 0.01}
              for k, g in (("S", 10000), ("T", 6000), ("U", 8000))}
    sectors = {"ore": {"demand_share": 0.001, "sigma": 2.0, "dual_use": True,
                       "demand_split": {"S": 0.3, "T": 0.4, "U": 0.3}},
               "parts": {"demand_share": 0.004, "sigma": 3.0, "inputs": {"ore": 0.6}}}
    firms = [{"name": "S-ore", "home": "S", "sector": "ore", "share": 90, "cost": 0.8},
             {"name": "U-ore", "home": "U", "sector": "ore", "share": 10, "cost": 1.2},
             {"name": "T-parts", "home": "T", "sector": "parts", "share": 50},
             {"name": "U-parts", "home": "U", "sector": "parts", "share": 50}]
    return world(states=states, sectors=sectors, firms=firms, script=script, injects=injects, rounds=rounds)


EMBARGO = [{"round": 2, "inject": {"kind": "embargo", "state": "S", "target": "T", "sector": "ore", "rounds": 2}}]


def test_an_embargo_by_a_dominant_supplier_cuts_what_the_target_receives_at_once():
    base, hit = play(chokepoint_world(), 2), play(chokepoint_world(injects=EMBARGO), 2)
    t, s = 1, 0  # T, ore
    physical = hit.outcomes.received[t, s] / base.outcomes.received[t, s]
    real = hit.outcomes.access[t, s] / base.outcomes.access[t, s]
    assert physical <= 0.7 and real <= 0.7
    assert hit.outcomes.price_ratio[t, s] > 2 * base.outcomes.price_ratio[t, s]


def test_a_stockpile_of_one_round_of_imports_keeps_downstream_output():
    """T's part makers feel the ore shortage the round after it starts (inputs bind with a
    one-round lag); a stockpile worth one round of T's ore purchases, bought beforehand,
    keeps their output within 5% of the no-embargo run in that round. Without it output falls."""
    probe = play(chokepoint_world(), 1)
    one_round = float(probe.world.market.E0[1, 0])  # T's spending on ore per round
    buy = [{"round": 1, "state": "T", "action": {"kind": "stockpile", "sector": "ore", "amount": one_round}}]
    base = play(chokepoint_world(script=buy), 3)
    bare = play(chokepoint_world(injects=EMBARGO), 3)
    stocked = play(chokepoint_world(script=buy, injects=EMBARGO), 3)

    def parts_output(m, r=3):
        snap = m.datacollector.firms[r]
        return float(snap["sales"][(snap["home"] == 1) & (snap["sector"] == 1)].sum())

    assert parts_output(stocked) == pytest.approx(parts_output(base), rel=0.05)
    assert parts_output(bare) < 0.95 * parts_output(base)


# -- the decomposition -------------------------------------------------------------
SHIPPED = sorted(Path(CONFIGS).glob("*.yaml")) + sorted((Path(CONFIGS) / "cases").glob("*.yaml"))


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_welfare_decomposition_adds_up_in_every_shipped_config(path):
    sc = load_scenario(path)
    m = play(sc, min(sc.rounds, 8))
    for o in m.datacollector.outcomes:
        parts = [o.state_metric(p) for p in WELFARE_PARTS[:-1]] + [-o.state_metric("fiscal_cost")]
        total = o.state_metric("welfare_change")
        assert np.isfinite(total).all()
        np.testing.assert_allclose(sum(parts), total, rtol=1e-12, atol=1e-9)
        np.testing.assert_allclose(o.state_metric("welfare_pct_gdp"), 100 * total / m.world.states.gdp, rtol=1e-12)
        assert o.world["world_welfare_change"] == pytest.approx(total.sum(), rel=1e-12, abs=1e-9)


# -- market size and innovation -------------------------------------------------------
@pytest.mark.parametrize("theta", [0.0, 0.25, 1.0])
def test_rd_returns_to_scale_follow_the_market_size_elasticity(theta):
    """Two makers at the frontier with the same R&D intensity, one four times the other's
    size: with R&D measured against a blend of own and sector-average scale, the R&D part
    of quality growth scales as size ** (theta / 2) (the sqrt returns to R&D), so
    theta = 0 is scale-invariant and a bigger market funds faster innovation above it."""
    from game.rules import technology

    sc = world(params={"rd_scale_effect": theta, "catch_up": 0.0, "alliance_spillover": 0.0,
                       "trade_diffusion": 0.0, "rd_absorption": 10.0})
    m = GeoModel(sc, seed=0, rounds=1)
    w, p = m.world, m.params
    f = w.firms
    f.quality[:] = w.sectors.frontier[f.sector]
    f.capacity[:] = [1.0, 4.0, 2.0]
    normal = f.cost * w.sectors.markup[f.sector] * p.target_utilisation * f.capacity
    f.rd_spend = p.rd_intensity_ref * normal
    w.sectors.rd_scale = np.full(w.sectors.n, normal.mean())
    sales = np.zeros(f.n)  # no learning by doing: growth is the R&D part alone
    before = f.quality.copy()
    technology.advance(w, p, sales, np.zeros((3, 1)), np.ones((3, 1)), np.zeros(f.n))
    growth = f.quality / before - 1.0
    assert growth[1] / growth[0] == pytest.approx(4.0 ** (theta / 2), rel=1e-9)
