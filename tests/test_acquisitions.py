"""Technology-seeking acquisitions (game.rules.firm_dynamics.technology_bids) in a small world
built for them: each rule checked at its boundary, worked out by hand."""

from __future__ import annotations

import numpy as np
import pytest

from game.model import GeoModel
from game.rules import accounts, firm_dynamics
from game.synthetic import synthetic_scenario
from tests.conftest import tiny


@pytest.fixture
def world():
    """The tiny world after one round, rewritten so the chips sector is one big incumbent
    (AlphaChip, revenue 1,000) and two small firms: BetaChip (BETA) with better technology
    (quality 1.2) and GammaChip (GAMMA, quality 1.0, revenue 10). BetaChip earns 1 a year on
    a plant worth 1, so its owners sell at 1.3 x max(10 x 1, 1) = 13; with its technology
    GammaChip's output is worth 1.2x per unit, a gain of 10 x 0.2 = 2 a year, so BetaChip is
    worth 10 x (2 + 1) = 30 to GammaChip. GammaChip can pay 10.5 + 3 x (0 + 1) = 13.5."""
    m = GeoModel(tiny(), seed=0, rounds=3)
    m.step()
    f = m.world.firms
    a, b, g = (f.names.index(n) for n in ("AlphaChip", "BetaChip", "GammaChip"))
    f.reserve[:] = 0.0
    f.quality[[a, b, g]] = 1.0, 1.2, 1.0
    f.revenue[[a, b, g]] = 1000.0, 10.0, 10.0
    f.profit[[a, b, g]] = 100.0, 1.0, 0.0
    f.cash[[a, b, g]] = 1000.0, 2.0, 10.5
    f.cost[b], f.capacity[b] = 1.0, 1.0  # plant 0.5 x capex 2 x cost x capacity = 1
    m.world.policy.screening[:] = False
    return m, b, g


def bids(m, refused=None):
    u = np.full(m.world.firms.n, 0.5)
    return firm_dynamics.technology_bids(m.world, m.params, u, refused)


def test_price_gain_and_means_as_worked_out(world):
    m, b, g = world
    assert firm_dynamics.sale_price(m.world, m.params)[b] == pytest.approx(13.0)
    # AlphaChip has 100x the means but would raise the sector's HHI (about 9,600) by
    # 2 x 0.98 x 0.0098 x 10,000 = 192 > 100: competition law rules it out.
    assert bids(m) == [(g, b, False)]


def test_a_buyers_earlier_acquisitions_count_in_the_competition_test(world):
    """Shares are of ownership groups. Once AlphaChip owns GammaChip, GammaChip's bid for
    BetaChip merges Alpha's group (share 0.99) with BetaChip (0.0098): the HHI would rise by
    2 x 0.99 x 0.0098 x 10,000 = 194 > 100, and the bid is not made, as Alpha's own is not."""
    m, b, g = world
    f = m.world.firms
    a = f.names.index("AlphaChip")
    f.parent[g] = f.ids[a]
    assert bids(m) == []
    f.parent[g] = -1  # independent again: the worked example's bid is back
    assert bids(m) == [(g, b, False)]


def test_a_bought_firm_joins_its_buyers_group_with_what_it_had_bought(world):
    m, b, g = world
    f = m.world.firms
    a = f.names.index("AlphaChip")
    f.parent[a] = f.ids[b]  # BetaChip heads a group: it had bought AlphaChip
    m._acquire(g, b, False, "technology", 13.0)
    assert f.parent[b] == f.ids[g] and f.parent[a] == f.ids[g] and f.parent[g] == -1
    assert (f.group()[[a, b, g]] == f.ids[g]).all()


def test_no_bid_when_the_gain_does_not_pay_the_premium(world):
    m, b, g = world
    f = m.world.firms
    f.quality[b] = 1.02  # gain 0.2 a year: worth 10 x 1.2 = 12 < 13
    assert bids(m) == []
    f.quality[b] = 1.04  # gain 0.4: worth 14 > 13
    assert bids(m) == [(g, b, False)]


def test_no_bid_beyond_the_bidders_means(world):
    m, _, g = world
    f = m.world.firms
    f.cash[g] = 9.9  # 9.9 + 3 x 1 = 12.9 < 13
    assert bids(m) == []


def test_owners_reservation_premium_raises_the_price(world):
    m, b, g = world
    m.world.firms.reserve[b] = 1.4  # asks 13 x 2.4 = 31.2 > 30
    assert bids(m) == []
    m.world.firms.reserve[b] = 1.2  # 28.6 < 30, but GammaChip cannot pay 28.6
    assert bids(m) == []
    m.world.firms.cash[g] = 26.0
    assert bids(m) == [(g, b, False)]


def test_screening_refuses_a_bidder_from_outside_the_bloc_once(world):
    m, b, g = world
    beta = m.world.states.names.index("BETA")
    m.world.policy.screening[beta] = True
    refused: set = set()
    assert bids(m, refused) == [(g, b, True)]
    assert refused == {(int(m.world.firms.ids[g]), beta)}
    assert bids(m, refused) == []  # it has learnt where BETA stands
    m.world.policy.screening[beta] = False
    assert bids(m, refused) == [(g, b, False)]


def test_a_completed_deal_moves_ownership_technology_cash_and_pays_the_sellers(world):
    m, b, g = world
    f = m.world.firms
    m._movers[:] = False
    events = [e for e in m._firm_dynamics() if e.kind == "acquisition"]
    assert [e.text for e in events] == ["GammaChip (GAMMA) bought BetaChip (BETA), sought for its technology"]
    assert f.owner[b] == m.world.states.names.index("GAMMA")
    assert f.quality[g] == 1.2 and f.cash[g] == pytest.approx(10.5 - 13.0)
    assert f.cash[b] == 2.0  # a healthy firm keeps its own cash
    # BETA's owners were paid 13, held as a yearly annuity of 13 / 10 that GAMMA's owners pay.
    names = m.world.states.names
    transfers = dict(zip(names, accounts.sale_transfers(f, len(names))))
    assert transfers["BETA"] == pytest.approx(1.3) and transfers["GAMMA"] == pytest.approx(-1.3)
    assert sum(transfers.values()) == pytest.approx(0.0)


def test_the_starting_year_has_no_deal_to_make():
    """Reservation premiums are calibrated so no bid that could be made and cleared is worth
    making in the starting year (whatever kept those deals from happening is taken as given),
    and bidders whose bids the screening regimes would refuse know it already."""
    for scenario in ("configs/default.yaml", "configs/cases/huawei_2019.yaml", tiny(), synthetic_scenario(20, 6, 600)):
        m = GeoModel(scenario, seed=0, rounds=2)
        m.step()
        f = m.world.firms
        assert np.isfinite(f.reserve).all() and (f.reserve >= 0).all()
        assert not [d for d in bids(m, set()) if not d[2]]
        assert bids(m, m._refused) == []


def test_offers_pair_every_target_with_its_sectors_deepest_pockets():
    """firm_dynamics.Offers against a per-sector construction written out: each sector with two
    live firms or more pairs every live home-owned firm with the sector's BIDDER_POOL live
    firms of most means (ties in firm order), sector by sector."""
    m = GeoModel(synthetic_scenario(12, 4, 300, rounds=3), seed=4, rounds=3)
    m.run(2)
    f, p = m.world.firms, m.params
    f.alive[::7] = False  # some dead firms, which neither bid nor are bid for
    o = firm_dynamics.Offers(m.world, p)
    means = f.cash + p.deal_leverage * np.maximum(f.profit, 0.0) * f.alive
    want = []
    for s in range(m.world.sectors.n):
        live = [i for i in range(f.n) if f.sector[i] == s and f.alive[i]]
        if len(live) < 2:
            continue
        pool = sorted(live, key=lambda i: (-means[i], i))[:firm_dynamics.BIDDER_POOL]
        want += [(b, t) for t in live if f.owner[t] == f.home[t] for b in pool]
    assert list(zip(o.bidder.tolist(), o.target.tolist())) == want
    assert firm_dynamics.BIDDER_POOL < 300 / 4  # the pool is a real cut in this world


def test_known_refusals_are_looked_up_per_bidder_and_host():
    m = GeoModel(tiny(), seed=0, rounds=2)
    m.step()
    w, f = m.world, m.world.firms
    w.policy.screening[:] = True
    refused = {(int(f.ids[0]), 1), (int(f.ids[2]), 0)}
    codes = firm_dynamics.refusal_codes(w, refused)
    bidders = np.array([0, 0, 2, 2, 1])
    hosts = np.array([1, 0, 0, 1, 1])
    assert firm_dynamics.knows_refused(w, codes, bidders, hosts).tolist() == [True, False, True, False, False]
    assert firm_dynamics.knows_refused(w, codes, np.array([0, 1]), 1).tolist() == [True, False]
    w.policy.screening[1] = False  # a host that stopped screening: nothing to remember
    assert firm_dynamics.knows_refused(w, codes, bidders, hosts).tolist() == [False, False, True, False, False]
    assert not firm_dynamics.knows_refused(w, firm_dynamics.refusal_codes(w, set()), bidders, hosts).any()
