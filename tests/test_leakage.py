"""Leakage through transit hubs and firms' circumvention (game/rules/leakage.py,
agents/strategies/firms.py), on the tiny world with scripted states plus DELTA, a small
state with no firms that can serve as a transit hub.

ALPHA (half the world's chip capacity) controls chips to GAMMA; BETA's firms stay free to
sell to GAMMA, so buyers there can substitute. What GAMMA receives of ALPHA's chips past the
control is "leaked"; the flows table says which hub carried it.
"""

from __future__ import annotations

import numpy as np
import pytest

from game.compare import replication_seeds
from game.model import GeoModel
from game.rules import leakage
from game.scenario import scenario_from_dict
from tests.conftest import idx, play, tiny_data

SEEDS = replication_seeds(0, 10)
LEVELS = [0.0, 0.25, 0.5, 0.75, 1.0]
HUB = {"capacity": 0.2}  # a hub that can re-export a fifth of the world's chips a round


def move(round_, state, **action):
    return {"round": round_, "state": state, "action": action}


def control(state="ALPHA", enforcement=0.5, round_=1, **kw):
    return move(round_, state, kind="export_control", sector="chips", target="GAMMA", enforcement=enforcement, **kw)


def world(script, delta=HUB, beta=None, alpha_chip=None, rounds=10):
    """The tiny world with DELTA (no firms; a transit hub with `delta`, if given)."""
    data = tiny_data()
    data["rounds"] = rounds
    data["states"]["DELTA"] = {"gdp": 2000, "strategy": {"kind": "scripted"}}
    if delta is not None:
        data["states"]["DELTA"]["transit"] = delta
    if beta is not None:
        data["states"]["BETA"]["transit"] = beta
    if alpha_chip is not None:
        data["firms"][0].update(alpha_chip)  # AlphaChip
    data["script"] = script
    return scenario_from_dict(data, "leakage-test")


def leaked_share(model, rounds=slice(1, None)):
    """Leaked quantity over quantity received, GAMMA's chips, summed over the rounds."""
    j, s = idx(model, "GAMMA", "chips")
    out = model.datacollector.outcomes[rounds]
    return sum(o.leaked_in[j, s] for o in out) / sum(o.received[j, s] for o in out)


def routes(model, round_=None):
    """GAMMA's chips in the flows table by route (rounds >= 1, or one round)."""
    fl = model.datacollector.flows_frame()
    fl = fl[(fl["importer"] == "GAMMA") & (fl["sector"] == "chips")]
    return fl[fl["round"] >= 1] if round_ is None else fl[fl["round"] == round_]


def test_leaked_share_falls_steadily_as_enforcement_rises():
    """With an open hub, the leaked share of what GAMMA receives falls with enforcement at
    every step, in every seed: it is large when nobody polices (> 20%: the hub re-exports at
    its route cost only) and nil at enforcement 1 (every shipment would be caught)."""
    shares = np.array([[leaked_share(play(world([control(enforcement=e)]), 3, seed=seed)) for e in LEVELS]
                       for seed in SEEDS])
    assert (np.diff(shares, axis=1) < 0).all(), shares
    mean = shares.mean(axis=0)
    assert mean[0] > 0.2, mean
    assert mean[1] < 0.75 * mean[0] and mean[2] < 0.5 * mean[0], mean
    assert mean[-1] < 1e-9, mean


def test_leakage_at_enforcement_one_survives_only_through_a_lax_hub():
    """Enforcement reaches re-exports only as far as a hub polices them: through a hub that
    polices half of them, some goods still leak at enforcement 1 (few: half are seized and
    the rest cost the buyer the route's markup, 1.15 / 0.5)."""
    lax = leaked_share(play(world([control(enforcement=1.0)], delta={"capacity": 0.2, "policing": 0.5}), 3))
    tight = leaked_share(play(world([control(enforcement=1.0)]), 3))
    assert tight < 1e-9
    assert lax > 1e-3


def test_closing_routes_cuts_leakage():
    """When the hub controls GAMMA itself, ALPHA's chips can only go through BETA's small
    ordinary route: less leaks, and nothing passes through DELTA."""
    e = 0.25
    open_ = play(world([control(enforcement=e)]), 3, seed=1)
    closed = play(world([control(enforcement=e), control("DELTA", enforcement=e)]), 3, seed=1)
    assert leaked_share(closed) < 0.6 * leaked_share(open_)
    assert "DELTA" in set(routes(open_)["route"])
    assert "DELTA" not in set(routes(closed)["route"])
    every = play(world([control(enforcement=e), control("DELTA", enforcement=e), control("BETA", enforcement=e)]), 3)
    assert leaked_share(every) == 0.0  # no third state left to re-export


def test_a_costlier_hub_carries_less_and_charges_more():
    """Two hubs of equal capacity: the one with the dearer route carries less of the leaked
    goods and sells them dearer; the price gap is the ratio of their markups
    (1 + route_cost) / (1 - enforcement x policing)."""
    e = 0.25
    m = play(world([control(enforcement=e)], delta={"capacity": 0.1, "route_cost": 0.5},
                   beta={"capacity": 0.1, "route_cost": 0.05}), 1)
    by = routes(m, 1).set_index("route")
    assert by.loc["DELTA", "quantity"] < 0.5 * by.loc["BETA", "quantity"]
    assert by.loc["DELTA", "price"] > by.loc["BETA", "price"]
    np.testing.assert_allclose(by.loc["DELTA", "price"] / by.loc["BETA", "price"], 1.5 / 1.05, rtol=1e-9)
    assert (by.loc[["BETA", "DELTA"], "leaked"] == 1.0).all()


def test_a_lax_hub_is_cheaper_at_the_same_enforcement():
    """The markup prices the risk of being caught: a hub that polices less sells cheaper."""
    e = 0.5
    m = play(world([control(enforcement=e)], delta={"capacity": 0.1, "policing": 0.2},
                   beta={"capacity": 0.1, "policing": 1.0}), 1)
    by = routes(m, 1).set_index("route")
    np.testing.assert_allclose(by.loc["BETA", "price"] / by.loc["DELTA", "price"], (1 - 0.2 * e) / (1 - e), rtol=1e-9)
    assert by.loc["DELTA", "quantity"] > by.loc["BETA", "quantity"]


def test_hub_capacity_limits_what_it_re_exports():
    """A hub re-exports about its capacity (a share of the world market of the sector) a
    round at most, and a bigger hub carries more. The capacity is shared out before the
    market clears, on what the covered firms would sell with no barrier, so the target's
    higher prices can draw a little more (here up to ~11%)."""
    quantities = {}
    for cap in (0.02, 0.05, 0.2):
        m = play(world([control(enforcement=0.0)], delta={"capacity": cap}, beta={"capacity": 0.0}), 3)
        s = idx(m, sector="chips")
        world_market = m.world.market.X0[:, s].sum()
        per_round = routes(m).query("route == 'DELTA'").groupby("round")["quantity"].sum()
        assert (per_round <= 1.15 * cap * world_market).all(), (cap, per_round / world_market)
        quantities[cap] = per_round.sum()
    assert quantities[0.02] < quantities[0.05] < quantities[0.2]


def test_circumventing_firms_reroute_in_the_round_the_control_starts():
    """Firms decide once the round's controls are in force: a circumventing firm re-routes
    in the round its sales are first blocked, and GAMMA gets more of its chips that round
    than from a compliant one (which leaks only what intermediaries divert)."""
    leaked = {}
    for kind in ("circumventing", "compliant"):
        m = GeoModel(world([control(enforcement=0.25)], alpha_chip={"strategy": kind}), seed=0, rounds=1)
        m.step()
        chip = m.world.firms.names.index("AlphaChip")
        assert bool(m.world.firms.circumvent[chip]) == (kind == "circumventing")
        leaked[kind] = m.outcomes.leaked_in[idx(m, "GAMMA", "chips")]
    assert leaked["circumventing"] > 1.5 * leaked["compliant"] > 0


def circumventions(script, seeds, **kw):
    """Round-1 circumvention choices of AlphaChip (profit-seeking) over seeds."""
    chosen = []
    for seed in seeds:
        m = GeoModel(world(script, **kw), seed=seed, rounds=1)
        m.step()
        chosen.append(bool(m.world.firms.circumvent[m.world.firms.names.index("AlphaChip")]))
    return np.array(chosen)


def test_profit_seekers_circumvent_in_the_first_round_when_it_pays():
    """Unpoliced, with an open hub, a profit-seeking firm re-routes its blocked sales from
    the round the control starts in most seeds; under strict enforcement almost never."""
    seeds = replication_seeds(1, 40)
    weak = circumventions([control(enforcement=0.0)], seeds)
    strict = circumventions([control(enforcement=0.9)], seeds)
    assert weak.mean() > 0.5
    assert strict.mean() < 0.1


def test_more_profit_at_stake_means_more_circumvention():
    """Same firm, same enforcement: a broad control bars all of AlphaChip's sales to GAMMA, a
    narrow one only its leading-edge tier (30% of them). With more at stake it circumvents
    more often."""
    seeds = replication_seeds(2, 60)
    broad = [control(enforcement=0.0, scope="broad")]
    narrow = [control(enforcement=0.0, scope="narrow", threshold=0.97)]
    ex = {}
    for name, script in (("broad", broad), ("narrow", narrow)):
        m = GeoModel(world(script), seed=0, rounds=1)
        m.step()  # the control is in force
        chip = m.world.firms.names.index("AlphaChip")
        e = leakage.exposure(m.world, m.params)
        ex[name] = (e.blocked_share[chip], e.stake[chip])
    assert ex["broad"][0] > 2 * ex["narrow"][0] > 0
    assert ex["broad"][1] > 2 * ex["narrow"][1] > 0
    assert circumventions(broad, seeds).mean() > circumventions(narrow, seeds).mean() + 0.2


@pytest.mark.parametrize("kind", ["compliant", "circumventing"])
def test_fixed_firm_strategies(kind):
    """Compliant firms never circumvent; circumventing ones always do when exposed, even
    where enforcement makes it pointless."""
    m = GeoModel(world([control(enforcement=0.9)], alpha_chip={"strategy": kind}), seed=0, rounds=1)
    m.step()
    f = m.world.firms
    assert bool(f.circumvent[f.names.index("AlphaChip")]) == (kind == "circumventing")
    assert not f.circumvent[f.names.index("BetaChip")]  # not exposed


def test_flows_table_splits_leaked_goods_by_hub():
    """The flows table shows ALPHA's chips to GAMMA as a direct row (tiers a narrow control
    leaves open) and one row per hub that re-exported the rest, and adds up to the sectors
    table's leaked_in and received."""
    m = play(world([control(enforcement=0.2, scope="narrow", threshold=0.97)]), 2)
    fl = routes(m)
    alpha = fl[fl["exporter"] == "ALPHA"]
    assert set(alpha["route"]) == {"direct", "BETA", "DELTA"}
    assert (alpha.loc[alpha["route"] == "direct", "leaked"] == 0).all()
    assert (alpha.loc[alpha["route"] != "direct", "leaked"] == 1).all()
    assert (fl.loc[fl["exporter"] != "ALPHA", "route"] == "direct").all()
    j, s = idx(m, "GAMMA", "chips")
    for r in (1, 2):
        o = m.datacollector.outcomes[r]
        rows = fl[fl["round"] == r]
        np.testing.assert_allclose((rows["leaked"] * rows["quantity"]).sum(), o.leaked_in[j, s], rtol=1e-9)
        np.testing.assert_allclose(rows["quantity"].sum(), o.received[j, s], rtol=1e-9)
        k = idx(m, "ALPHA")
        np.testing.assert_allclose(rows.loc[rows["exporter"] == "ALPHA", "value"].sum(),
                                   o.trade_value[s, k, j], rtol=1e-9)


def test_barriers_built_before_firms_decide_give_the_same_wedges():
    """The model builds the barriers once a round, before firms decide, and the wedges reuse
    them (leakage.Barriers): only the hubs' load depends on who circumvents, and it is
    recomputed. So wedges and exposure from the early Barriers equal fresh ones, after the
    firms' circumvention has changed."""
    from game.rules.supply_chain import usable_capacity
    from game.rules.wedges import compute_wedges

    # A hub too small for what is offered to it, so its load (who circumvents) matters.
    m = GeoModel(world([control(enforcement=0.3)], delta={"capacity": 0.002}), seed=0, rounds=3)
    m.run(2)
    w, p, f = m.world, m.params, m.world.firms
    early = leakage.in_force(w, p)
    assert np.array_equal(leakage.exposure(w, p, early).stake, leakage.exposure(w, p).stake)
    usable = usable_capacity(w)
    before = compute_wedges(w, p, usable, early)
    f.circumvent = ~f.circumvent  # the firms decide differently
    shared, fresh = compute_wedges(w, p, usable, early), compute_wedges(w, p, usable)
    assert not np.array_equal(before.routes.through, fresh.routes.through)  # and that matters here
    for name in ("weight", "served", "qty_factor", "illicit", "available", "mix_quality"):
        assert np.array_equal(getattr(shared, name), getattr(fresh, name)), name
    assert np.array_equal(shared.routes.through, fresh.routes.through)
    assert (shared.illicit > 0).any()  # the case is not vacuous: goods leak
