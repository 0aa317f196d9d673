"""Export controls as the real instruments work: tiers, frozen lists, licences, entity
lists, the direct-product rule and joint R&D. What must emerge is tested over 10 seeds,
paired by seed, with no rule written for it."""

from __future__ import annotations

import numpy as np
import pytest

from game.compare import replication_seeds
from game.model import GeoModel
from game.scenario import load_scenario, scenario_from_dict
from tests.conftest import CONFIGS, idx, play, tiny

SEEDS = replication_seeds(0, 10)
DEFAULT = load_scenario(CONFIGS / "default.yaml")
WEST = ("USA", "JPN", "EU", "TWN", "KOR")


def scripted_default(script, rounds=20):
    """The default world with every state scripted, so only the given controls move."""
    d = DEFAULT.model_dump()
    d["compare"] = None
    for st in d["states"].values():
        st["strategy"] = {"kind": "scripted"}
    d["script"] = script
    d["rounds"] = rounds
    return scenario_from_dict(d, "default-scripted")


def tools_control(**kw):
    return [{"round": 1, "state": s, "action": {"kind": "export_control", "sector": "chip_tools", "target": "CHN",
                                                 **kw}} for s in ("USA", "JPN", "EU")]


def gap(model, sector):
    """1 - the target's best quality over the best of the West, in the last round."""
    names, s = model.world.states.names, model.world.sectors.names.index(sector)
    o = model.datacollector.outcomes[-1]
    return 1.0 - o.tech[names.index("CHN"), s] / max(o.tech[names.index(x), s] for x in WEST)


def usa_welfare(model):
    return np.mean([o.state_metric("welfare_change")[0] for o in model.datacollector.outcomes[1:]])


def test_a_frozen_list_holds_a_smaller_gap_than_a_tracking_control():
    """A narrow control that lists the tools of its day decays as tools improve beyond the
    list: China's chipmakers get better tools and their gap to the West closes faster than
    under the same control tracking the frontier."""
    frozen, tracking = [], []
    for seed in SEEDS:
        frozen.append(gap(GeoModel(scripted_default(tools_control(scope="narrow", threshold=0.9, tracking=False)),
                                   seed=seed).run(), "logic_chips"))
        tracking.append(gap(GeoModel(scripted_default(tools_control(scope="narrow", threshold=0.9)),
                                     seed=seed).run(), "logic_chips"))
    diff = np.array(tracking) - np.array(frozen)
    assert diff.mean() > 0.01 and (diff > 0).all()


def test_narrow_tracking_controls_hold_a_larger_gap_at_a_lower_cost_than_broad_ones():
    """Small yard, high fence. A narrow control that tracks the frontier denies the target
    the leading tiers only: the controller keeps selling the rest (a smaller welfare loss
    against no control), and the target's own toolmakers, still competing with the
    controller's older tools, do not get the captive market a broad control hands them,
    so with R&D funded by sales they catch up more slowly (a larger gap in the controlled
    sector). Nothing in the rules names either scope's outcome."""
    gaps, cost = {}, {}
    none = {seed: GeoModel(scripted_default([]), seed=seed).run() for seed in SEEDS}
    for scope in ("narrow", "broad"):
        runs = [GeoModel(scripted_default(tools_control(scope=scope, threshold=0.9)), seed=seed).run()
                for seed in SEEDS]
        gaps[scope] = np.array([gap(m, "chip_tools") for m in runs])
        cost[scope] = np.array([usa_welfare(none[seed]) - usa_welfare(m) for seed, m in zip(SEEDS, runs)])
    assert (cost["broad"] > 0).all()
    assert (cost["narrow"] < cost["broad"]).all()
    assert (gaps["narrow"] > gaps["broad"]).all() and (gaps["narrow"] - gaps["broad"]).mean() > 0.01


# -- licences -------------------------------------------------------------------
def test_a_licence_requirement_restricts_part_and_can_be_relaxed():
    """A licence requirement with an approval rate cuts the controller's sales to the target
    by less than a ban; ordering it again with a higher rate relaxes it."""
    def sales(approvals):
        script = [{"round": r, "state": "ALPHA", "action": {"kind": "export_control", "sector": "chips",
                                                             "target": "GAMMA", "licence_approval": a}}
                  for r, a in approvals]
        m = play(tiny(script=script), 4)
        (j, s), k = idx(m, "GAMMA", "chips"), idx(m, "ALPHA")
        return np.array([o.trade_qty[s, k, j] for o in m.datacollector.outcomes])

    ban, half, relaxed = sales([(1, 0.0)]), sales([(1, 0.5)]), sales([(1, 0.5), (3, 0.9)])
    assert ban[1] < half[1] < ban[0]
    assert relaxed[3] > half[3]


# -- entity lists and the direct-product rule --------------------------------------
HUAWEI = load_scenario(CONFIGS / "cases" / "huawei_2019.yaml")


def huawei_output(script, seed, r=3):
    m = GeoModel(scenario_from_dict(HUAWEI.model_dump() | {"script": script}), seed=seed).run()
    snap = m.datacollector.firms[r]
    fid = next(i for i, x in m.datacollector.firm_names.items() if x == "Huawei")
    return float(snap["sales"][snap["id"] == fid].sum())


def listing(**kw):
    return [{"round": 1, "state": "USA", "action": {"kind": "export_control", "sector": "logic_chips",
                                                     "target": "CHN", "entities": ["Huawei"], **kw}}]


def test_an_entity_listing_without_the_direct_product_rule_barely_dents_a_firm_supplied_from_abroad():
    """Huawei's chips come from Taiwan and Korea: a listing that covers only US-made chips
    leaves most of its supply; with the direct-product rule (chips made with US tools) its
    output collapses. The same holds in every seed."""
    for seed in SEEDS:
        base = huawei_output([], seed)
        alone = huawei_output(listing(), seed) / base - 1.0
        with_rule = huawei_output(listing(direct_product=True, de_minimis=0.0), seed) / base - 1.0
        assert -0.2 < alone < 0.0
        assert with_rule < -0.6


def test_suppliers_sales_to_listed_firms_follow_the_listings_reach():
    """The part of a supplier's sales that goes to listed firms: the listing's need share
    of the market for a supplier it does not cover (TSMC under a listing of US-made chips),
    near nothing once the direct-product rule covers it; the US maker's is cut either way."""
    def sold(script, name):
        m = GeoModel(scenario_from_dict(HUAWEI.model_dump() | {"script": script}), seed=SEEDS[0]).run()
        snap = m.datacollector.firms[2]
        fid = next(i for i, x in m.datacollector.firm_names.items() if x == name)
        return float(snap["sold_to_listed"][snap["id"] == fid].sum()), float(snap["sales"][snap["id"] == fid].sum())

    tsmc_alone, tsmc_sales = sold(listing(), "TSMC")
    tsmc_rule, _ = sold(listing(direct_product=True, de_minimis=0.0), "TSMC")
    intel_alone, intel_sales = sold(listing(), "Intel")
    assert 0.05 * tsmc_sales < tsmc_alone < tsmc_sales  # Huawei is one of TSMC's Chinese buyers
    assert tsmc_rule < 0.02 * tsmc_alone
    assert intel_alone < 0.02 * intel_sales
    assert sold([], "TSMC")[0] == 0.0  # nobody listed, nothing counted


def test_the_direct_product_rule_reaches_only_above_its_de_minimis():
    """Taiwan's chips carry about a fifth US technology (half of a chip's technology comes
    with the tools, two fifths of Taiwan's tools are American): a rule with a 50% de minimis
    reaches none of them, and the listing is as weak as without the rule."""
    base = huawei_output([], SEEDS[0])
    high = huawei_output(listing(direct_product=True, de_minimis=0.5), SEEDS[0])
    alone = huawei_output(listing(), SEEDS[0])
    assert high == pytest.approx(alone, rel=1e-9)
    assert high < base


def test_an_entity_listing_names_firms_of_its_target():
    sc = scenario_from_dict(HUAWEI.model_dump() | {"script": [
        {"round": 1, "state": "USA", "action": {"kind": "export_control", "sector": "logic_chips", "target": "CHN",
                                                 "entities": ["Apple"]}}]})
    m = GeoModel(sc, seed=0).run(1)
    refused = [e for e in m.datacollector.events if e.kind == "refused"]
    assert refused and "not of CHN" in refused[0].text


# -- joint R&D ------------------------------------------------------------------
def test_joint_rd_buys_more_quality_per_dollar_than_national_programmes():
    """ALPHA and BETA (cleared partners) spend 4bn a round on chips R&D: as one joint
    programme each gains more quality than with two national subsidies of 2bn each."""
    def quality(kind):
        if kind == "joint":
            script = [{"round": r, "state": "ALPHA", "action": {"kind": "joint_rd", "sector": "chips",
                                                                 "partners": ["BETA"], "amount": 4.0}}
                      for r in range(1, 6)]
        else:
            script = [{"round": r, "state": st, "action": {"kind": "subsidy", "sector": "chips", "target": "rd",
                                                            "amount": 2.0}}
                      for r in range(1, 6) for st in ("ALPHA", "BETA")]
        m = play(tiny(script=script, states=_budgets()), 5)
        f = m.world.firms
        return {n: float(f.quality[f.names.index(n)]) for n in ("AlphaChip", "BetaChip")}

    joint, national = quality("joint"), quality("national")
    assert joint["AlphaChip"] > national["AlphaChip"] and joint["BetaChip"] > national["BetaChip"]


def _budgets():
    from tests.conftest import tiny_data

    states = tiny_data()["states"]
    for st in states.values():
        st["budget_share"] = 0.01
    return states


def test_chokepoints_show_who_can_deny_the_frontier_tier():
    """Taiwan makes most leading chips; the US cannot deny them alone, but can with a
    direct-product rule that reaches chips made with its tools."""
    from game.chokepoints import frontier_table

    table = frontier_table(GeoModel(HUAWEI, seed=0))
    row = table.loc["logic_chips"]
    assert row["frontier tier made in"].startswith("TWN")
    assert "USA" not in row["can deny alone"]
    assert "USA" in row["with a DPR (de minimis 5%)"]
    assert "USA" in row["technology from"]
