"""Rules casebook: one named test per rule of MODEL.md, each on the tiny world with
scripted states, comparing a run with the rule's trigger to one without."""

from __future__ import annotations

import pytest

from game.model import GeoModel
from game.scenario import TransitSpec
from tests.conftest import idx, play, tiny


def move(round_, state, **action):
    return {"round": round_, "state": state, "action": action}


def events(model, kind):
    return [e for e in model.datacollector.events if e.kind == kind]


def supply(model, importer, supplier, sector):
    j, (k, s) = idx(model, importer), idx(model, supplier, sector)
    return model.outcomes.supply_share[j, k, s]


def test_tariff_raises_price_and_moves_purchases_away():
    """A tariff set by an importer on a partner's goods raises what it pays for them and
    moves its purchases to other suppliers."""
    base = play(tiny(), 2)
    taxed = play(tiny(script=[move(1, "BETA", kind="set_tariff", partner="GAMMA", sector="chips", rate=0.5)]), 2)
    assert supply(taxed, "BETA", "GAMMA", "chips") < 0.8 * supply(base, "BETA", "GAMMA", "chips")
    j, s = idx(taxed, "BETA", "chips")
    assert taxed.outcomes.price_ratio[j, s] > base.outcomes.price_ratio[j, s]


def test_broad_control_blocks_flows_except_leakage():
    """A broad export control stops the controller's firms selling to the target, but for
    what leaks through third countries, in proportion to weak enforcement."""
    sc = tiny(script=[move(1, "ALPHA", kind="export_control", sector="chips", target="GAMMA", enforcement=0.9)])
    m = play(sc, 2)
    base = play(tiny(), 2)
    assert supply(m, "GAMMA", "ALPHA", "chips") < 0.1 * supply(base, "GAMMA", "ALPHA", "chips")
    assert m.outcomes.leaked_in[idx(m, "GAMMA", "chips")] > 0


def test_leakage_grows_as_enforcement_weakens():
    """The same control leaks more when it is enforced less."""
    leaked = []
    for e in (0.95, 0.5, 0.1):
        sc = tiny(script=[move(1, "ALPHA", kind="export_control", sector="chips", target="GAMMA", enforcement=e)])
        m = play(sc, 1)
        leaked.append(m.outcomes.leaked_in[idx(m, "GAMMA", "chips")])
    assert leaked[0] < leaked[1] < leaked[2]


def qty(model, importer, supplier, sector):
    (j, s), k = idx(model, importer, sector), idx(model, supplier)
    return model.outcomes.trade_qty[s, k, j]


def control(scope, threshold=0.97, tracking=True, state="ALPHA"):
    return move(1, state, kind="export_control", sector="chips", target="GAMMA", scope=scope,
                threshold=threshold, tracking=tracking)


def test_narrow_control_only_blocks_tiers_above_the_threshold():
    """A narrow control ("small yard, high fence") stops only the product tiers above its
    threshold: ALPHA's leading-edge chips (its top tier, at the frontier) are stopped, its
    older tiers still sell to GAMMA; BETA's best chips (0.95 of the frontier) pass a 0.97
    fence untouched. A broad control stops all of ALPHA's tiers."""
    base = play(tiny(), 1)
    narrow = play(tiny(script=[control("narrow"), control("narrow", state="BETA")]), 1)
    broad = play(tiny(script=[control("broad")]), 1)
    before = qty(base, "GAMMA", "ALPHA", "chips")
    assert 0.2 * before < qty(narrow, "GAMMA", "ALPHA", "chips") < 0.9 * before
    assert qty(broad, "GAMMA", "ALPHA", "chips") < 0.2 * before
    assert qty(narrow, "GAMMA", "BETA", "chips") > qty(base, "GAMMA", "BETA", "chips")
    j, s = idx(base, "GAMMA", "chips")
    assert broad.outcomes.access[j, s] < narrow.outcomes.access[j, s] < base.outcomes.access[j, s]


def test_frozen_control_decays_as_the_frontier_moves():
    """A narrow control that does not track the frontier lists the goods of the round it
    was set, from its threshold up to that round's frontier. As ALPHA's products improve
    beyond the list, its leading-edge tier escapes it, while a tracking control keeps
    catching the top: after some rounds GAMMA gets more, and better, chips under the frozen one."""
    rounds = 8
    frozen = play(tiny(script=[control("narrow", 0.9, tracking=False)]), rounds)
    tracking = play(tiny(script=[control("narrow", 0.9, tracking=True)]), rounds)
    j, s = idx(frozen, "GAMMA", "chips")
    assert qty(frozen, "GAMMA", "ALPHA", "chips") > qty(tracking, "GAMMA", "ALPHA", "chips")
    assert frozen.outcomes.access[j, s] > tracking.outcomes.access[j, s]


def test_circumventing_firms_reroute_at_a_markup():
    """A firm that circumvents a control still sells to the target, through a third country
    with room to re-export (BETA as a transit hub) at a markup; a compliant one sells only
    what intermediaries divert regardless (params.third_country_leakage, half of it)."""
    data_script = [move(1, "ALPHA", kind="export_control", sector="chips", target="GAMMA", enforcement=0.5)]
    leak = {}
    for strategy in ("circumventing", "compliant"):
        sc = tiny(script=data_script)
        sc.firms[0].strategy = strategy  # AlphaChip
        sc.states["BETA"].transit = TransitSpec(capacity=0.2)
        m = play(sc, 3)
        leak[strategy] = m.outcomes.leaked_in[idx(m, "GAMMA", "chips")]
        flows = m.datacollector.flows_frame().query("round == 3 and exporter == 'ALPHA' and sector == 'chips'")
        via = flows.set_index(["importer", "route"])["price"]
        assert via[("GAMMA", "BETA")] > 2 * via[("BETA", "direct")]  # (1 + 0.15) / (1 - 0.5)
    assert leak["circumventing"] > 1.5 * leak["compliant"] > 0


def test_input_bottleneck_limits_downstream_capacity_next_round():
    """Chips need rare earths: an embargo on rare earths to ALPHA limits ALPHA's usable chip
    capacity the round after (one-round lag)."""
    sc = tiny(script=[move(1, "GAMMA", kind="embargo", target="ALPHA", sector="rare_earths", rounds=3)])
    m = GeoModel(sc, seed=0, rounds=3)
    m.step()
    j, r = idx(m, "ALPHA", "rare_earths")
    assert m.world.market.input_access[j, r] < 0.9
    m.step()
    f = m.world.firms
    chip = list(f.names).index("AlphaChip")
    assert m.world.market.usable[chip] < 0.97 * f.capacity[chip]


def test_stockpile_buffers_an_input_shortfall():
    """A stockpile bought before an embargo keeps input access up when it comes."""
    embargo = move(2, "GAMMA", kind="embargo", target="ALPHA", sector="rare_earths", rounds=2)
    bare = play(tiny(script=[embargo]), 2)
    stocked = play(tiny(script=[move(1, "ALPHA", kind="stockpile", sector="rare_earths", amount=5.0), embargo]), 2)
    j, r = idx(bare, "ALPHA", "rare_earths")
    assert stocked.world.market.input_access[j, r] > bare.world.market.input_access[j, r]


def test_resisted_embargo_spikes_prices_and_starts_diversification():
    """Coercion the target resists becomes an embargo: the target's price index jumps now,
    and its purchases move away from the coercer over the following rounds."""
    sc = tiny(script=[move(1, "GAMMA", kind="coerce", target="ALPHA", sector="rare_earths")])
    m = play(sc, 10)
    assert events(m, "resisted")
    h = m.datacollector
    j, (k, s) = idx(m, "ALPHA"), idx(m, "GAMMA", "rare_earths")
    assert h.outcomes[1].price_ratio[j, s] > 1.5
    dep = [o.supply_share[j, k, s] for o in h.outcomes]
    assert dep[0] > 0.7 and dep[-1] < dep[0] - 0.1  # value shares (GAMMA is the cheap supplier)


def test_conceded_coercion_lifts_the_targets_measures():
    """A target that concedes withdraws its measures against the coercer."""
    sc = tiny(script=[
        move(1, "ALPHA", kind="set_tariff", partner="GAMMA", sector="rare_earths", rate=0.3),
        move(2, "GAMMA", kind="coerce", target="ALPHA", sector="rare_earths"),
    ])
    sc.states["ALPHA"].strategy.params["concede"] = True
    m = play(sc, 2)
    assert events(m, "conceded")
    a, (g, s) = idx(m, "ALPHA"), idx(m, "GAMMA", "rare_earths")
    assert m.world.policy.tariff[g, a, s] == 0.0


def test_onlookers_lose_trust_in_a_coercer():
    sc = tiny(script=[move(1, "GAMMA", kind="coerce", target="ALPHA", sector="rare_earths")])
    m = GeoModel(sc, seed=0, rounds=1)
    b, g = idx(m, "BETA"), idx(m, "GAMMA")
    before = m.world.states.trust[b, g]
    m.step()
    assert m.world.states.trust[b, g] < before


def test_coercion_needs_a_chokepoint():
    """A threat is refused when the coercer holds little of world supply."""
    m = play(tiny(script=[move(1, "BETA", kind="coerce", target="GAMMA", sector="rare_earths")]), 1)
    assert any("a threat needs at least" in e.text for e in events(m, "refused"))


def test_coordinated_proposal_is_answered_and_members_control():
    sc = tiny(script=[move(1, "ALPHA", kind="export_control", sector="chips", target="GAMMA",
                           coordinated=True, partners=["BETA"])])
    m = play(sc, 1)
    assert events(m, "joined")
    a, b, (g, s) = idx(m, "ALPHA"), idx(m, "BETA"), idx(m, "GAMMA", "chips")
    assert m.world.policy.control[a, g, s] and m.world.policy.control[b, g, s]


def test_coalition_fails_without_enough_partners():
    sc = tiny(script=[move(1, "ALPHA", kind="export_control", sector="chips", target="GAMMA",
                           coordinated=True, partners=["BETA"], min_partners=1)])
    sc.states["BETA"].strategy.params["accept_proposals"] = False
    m = play(sc, 1)
    assert events(m, "declined") and events(m, "coalition_failed")
    a, (g, s) = idx(m, "ALPHA"), idx(m, "GAMMA", "chips")
    assert not m.world.policy.control[a, g, s]


def test_coordinated_partner_outside_the_bloc_is_refused():
    sc = tiny(script=[move(1, "ALPHA", kind="export_control", sector="chips", target="BETA",
                           coordinated=True, partners=["GAMMA"])])
    m = play(sc, 1)
    assert any("not in a bloc" in e.text for e in events(m, "refused"))


@pytest.mark.parametrize(
    "action, reason",
    [
        ({"kind": "subsidy", "sector": "chips", "amount": 1e6}, "over the"),
        ({"kind": "set_tariff", "partner": "ATLANTIS", "sector": "chips", "rate": 0.1}, "unknown partner"),
        ({"kind": "embargo", "target": "BETA", "sector": "steel"}, "unknown sector"),
        ({"kind": "export_control", "sector": "chips", "target": "BETA", "partners": ["BETA"]}, "cannot be a partner"),
        ({"kind": "lift_control", "sector": "chips", "target": "GAMMA"}, "no control"),
        ({"kind": "joint_rd", "sector": "chips", "partners": ["GAMMA"], "amount": 1.0}, "no security agreement"),
        ({"kind": "embargo", "target": "ALPHA", "sector": "chips"}, "cannot be oneself"),
    ],
)
def test_illegal_actions_are_refused_with_a_reason_and_the_run_goes_on(action, reason):
    m = play(tiny(script=[move(1, "ALPHA", **action)]), 2)
    refused = events(m, "refused")
    assert refused and reason in refused[0].text
    assert m.steps == 2


def test_action_limit_per_round():
    moves = [move(1, "ALPHA", kind="set_tariff", partner="GAMMA", sector="chips", rate=0.1 * (i + 1))
             for i in range(6)]
    m = play(tiny(script=moves), 1)
    assert sum("over the limit" in e.text for e in events(m, "refused")) == 2


def test_trade_agreement_needs_both_signatures():
    one = play(tiny(script=[move(1, "ALPHA", kind="trade_agreement", partner="GAMMA")]), 1)
    a, g = idx(one, "ALPHA"), idx(one, "GAMMA")
    assert not one.world.states.trade_agreement[a, g]
    both = play(tiny(script=[move(1, "ALPHA", kind="trade_agreement", partner="GAMMA"),
                             move(2, "GAMMA", kind="trade_agreement", partner="ALPHA")]), 2)
    assert both.world.states.trade_agreement[a, g]


def test_capacity_subsidy_to_an_existing_industry_founds_no_champion():
    m = play(tiny(script=[move(1, "GAMMA", kind="subsidy", sector="chips", target="capacity", amount=1.0)]), 1)
    assert not events(m, "entry")


def test_champion_entry_and_its_growth():
    """A capacity subsidy where the state has no live firm founds a national champion."""
    sc = tiny(script=[move(r, "ALPHA", kind="subsidy", sector="rare_earths", target="capacity", amount=3.0)
                      for r in (1, 2, 3)])
    sc.firms = [f for f in sc.firms if f.name != "AlphaEarth"]
    m = play(sc, 3)
    assert events(m, "entry")
    a, s = idx(m, "ALPHA", "rare_earths")
    assert m.outcomes.capacity_share[a, s] > 0


def test_rd_subsidy_speeds_quality_growth():
    base = play(tiny(), 5)
    funded = play(tiny(script=[move(r, "GAMMA", kind="subsidy", sector="chips", target="rd", amount=10.0)
                               for r in range(1, 6)]), 5)
    g, s = idx(base, "GAMMA", "chips")
    assert funded.outcomes.tech[g, s] > base.outcomes.tech[g, s]


def test_alliance_spillover_pulls_partners_up():
    """Tech-sharing partners learn from each other's best firm."""
    shared = play(tiny(), 6)
    data_blocs = {"WEST": {"members": ["ALPHA", "BETA"], "tech_sharing": False, "security_agreement": True}}
    alone = play(tiny(blocs=data_blocs), 6)
    b, s = idx(shared, "BETA", "chips")
    assert shared.outcomes.tech[b, s] > alone.outcomes.tech[b, s]


def test_patent_secrecy_slows_diffusion_to_rivals():
    open_ = play(tiny(), 8)
    secret = play(tiny(script=[move(1, "ALPHA", kind="patent_secrecy", sector="chips"),
                               move(1, "BETA", kind="patent_secrecy", sector="chips")]), 8)
    g, s = idx(open_, "GAMMA", "chips")
    assert secret.outcomes.tech[g, s] < open_.outcomes.tech[g, s]


def test_import_exclusion_removes_a_vendor():
    m = play(tiny(script=[move(1, "ALPHA", kind="import_exclusion", sector="chips", rival="GAMMA")]), 1)
    assert supply(m, "ALPHA", "GAMMA", "chips") == 0.0


def test_unreliable_supplier_is_designed_out_by_third_countries():
    """Buyers discount a supplier that restricts exports when others do not: BETA buys less
    from ALPHA over time after ALPHA's unilateral control on GAMMA."""
    base = play(tiny(), 8)
    ctrl = play(tiny(script=[move(1, "ALPHA", kind="export_control", sector="chips", target="GAMMA")]), 8)
    assert supply(ctrl, "BETA", "ALPHA", "chips") < supply(base, "BETA", "ALPHA", "chips")


def test_bankrupt_firm_exits():
    """A firm that keeps losing money and runs out of cash leaves the market."""
    m = play(tiny(), 1)
    f = m.world.firms
    k = list(f.names).index("BetaEarth")
    # A cost shock on a firm already in debt after years of losses.
    f.cost[k] *= 5
    f.cash[k], f.loss_rounds[k] = -10 * f.capacity[k], 5
    m.run(1)
    assert not f.alive[list(f.names).index("BetaEarth")]
    assert any("BetaEarth" in e.text for e in events(m, "exit"))


def test_investment_screening_blocks_foreign_acquisitions():
    """A distressed firm is bought by the richest foreign rival unless its state screens."""
    def distressed(screen: bool):
        sc = tiny(script=[move(1, "BETA", kind="investment_screening", on=True)] if screen else [])
        m = GeoModel(sc, seed=0, rounds=2)
        m.step()
        f = m.world.firms
        k, rich = list(f.names).index("BetaChip"), list(f.names).index("GammaChip")
        f.cost[k] *= 5  # a cost shock: it loses money this round too
        f.cash[k], f.loss_rounds[k], f.cash[rich] = -1.0, 3, 1e6
        m.step()
        return m
    assert events(distressed(False), "acquisition")
    assert events(distressed(True), "acquisition_blocked")


def test_relocation_moves_capacity_to_a_better_placed_ally():
    """Firms starved of inputs at home move to a bloc partner with access (friend-shoring)."""
    sc = tiny(script=[move(1, "GAMMA", kind="embargo", target="ALPHA", sector="rare_earths", rounds=8)])
    sc.sectors["chips"].inputs["rare_earths"] = 0.9
    sc.firms = [f for f in sc.firms if f.name != "AlphaEarth"]  # ALPHA has no rare earths of its own
    m = play(sc, 8, seed=1)
    moves = events(m, "relocation")
    assert moves and all(e.actor == "ALPHA" and e.target == "BETA" for e in moves)


@pytest.mark.parametrize(
    "inject, check",
    [
        ({"kind": "embargo", "state": "GAMMA", "target": "BETA", "sector": "rare_earths"},
         lambda m: m.world.embargo_active()[2, 1, 1]),
        ({"kind": "demand_shock", "sector": "chips", "state": "ALPHA", "factor": 2.0},
         lambda m: m.world.market.E0[0, 0] > 1.9 * GeoModel(tiny(), seed=0).world.market.E0[0, 0]),
        ({"kind": "breakthrough", "state": "GAMMA", "sector": "chips", "gain": 0.3},
         lambda m: m.outcomes.tech[2, 0] > 0.95),
        ({"kind": "supply_disruption", "state": "GAMMA", "sector": "rare_earths", "loss": 0.8},
         lambda m: m.outcomes.capacity_share[2, 1] < 0.6),
    ],
)
def test_scheduled_injects_hit_the_world_at_adjudication(inject, check):
    m = play(tiny(injects=[{"round": 1, "inject": inject}]), 1)
    assert events(m, "inject") and check(m)


def test_inject_on_a_missing_industry_is_refused():
    m = play(tiny(injects=[{"round": 1, "inject": {"kind": "breakthrough", "state": "BETA", "sector": "chips"}}]), 1)
    assert not events(m, "refused")
    sc = tiny(injects=[{"round": 1, "inject": {"kind": "supply_disruption", "state": "BETA", "sector": "rare_earths"}}])
    sc.firms = [f for f in sc.firms if f.name != "BetaEarth"]
    assert any("has no firm" in e.text for e in events(play(sc, 1), "refused"))


def test_a_human_seat_sets_its_answers_for_the_round():
    """A seat's stance order decides how it answers this round's proposals and demands."""
    data_script = [
        {"round": 1, "state": "BETA", "action": {"kind": "stance", "accept_proposals": True, "concede": False}},
        move(1, "ALPHA", kind="export_control", sector="chips", target="GAMMA", coordinated=True, partners=["BETA"]),
    ]
    sc = tiny(script=data_script)
    sc.states["BETA"].strategy.kind = "human"
    sc.states["BETA"].strategy.params = {"accept_proposals": False}
    m = play(sc, 1)
    assert events(m, "joined") and events(m, "stance")


def test_only_a_human_seat_sets_a_stance():
    m = play(tiny(script=[{"round": 1, "state": "ALPHA", "action": {"kind": "stance", "concede": True}}]), 1)
    assert any("only a human seat" in e.text for e in events(m, "refused"))
