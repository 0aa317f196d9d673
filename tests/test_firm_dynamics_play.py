"""Firms' dynamics happen in ordinary play, not only when a test writes the arrays."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from game.model import GeoModel
from game.rules import firm_dynamics


@pytest.fixture(scope="module")
def counts():
    c = Counter()
    for seed in range(3):
        for variant in (None, "coordinated"):
            m = GeoModel("configs/default.yaml", seed=seed, variant=variant).run()
            c.update(e.kind for e in m.datacollector.events)
    return c


def test_entry_relocation_and_screening_refusals_occur_in_default_games(counts):
    assert counts["entry"] >= 3  # champions founded by reshoring subsidies
    assert counts["relocation"] >= 1  # friend-shoring when inputs are embargoed
    assert counts["acquisition_blocked"] >= 3  # screening of bids for firms idled by controls
    assert counts["acquisition"] >= 1  # an ally's bid the host clears after refusing a rival's


def test_a_firm_idled_below_half_its_capacity_is_distressed_and_a_refused_bidder_waits():
    m = GeoModel("configs/default.yaml", seed=0, rounds=3).run()
    w, f = m.world, m.world.firms
    k = f.names.index("SMIC Advanced")
    f.sales[k] = 0.4 * f.capacity[k]  # controls idled most of its lines
    f.cash[k] = 1.0  # but it is not broke
    assert k in firm_dynamics.distressed(w)
    w.policy.screening[w.states.names.index("CHN")] = True
    owners = f.owner.copy()
    recent: dict = {}
    deals = firm_dynamics.acquisitions(w, m.params, recent)
    bid = [d for d in deals if d[1] == k]
    assert bid and bid[0][2], "a non-allied bid for a screened state's firm is refused"
    # Cooling down; and China is in no bloc, so no cleared bidder steps in while it screens.
    assert not [d for d in firm_dynamics.acquisitions(w, m.params, recent) if d[1] == k]
    w.round += firm_dynamics.BID_COOLDOWN
    assert [d for d in firm_dynamics.acquisitions(w, m.params, recent) if d[1] == k]
    w.policy.screening[w.states.names.index("CHN")] = False  # an open host: the richest bidder buys
    assert next(d for d in firm_dynamics.acquisitions(w, m.params, recent) if d[1] == k)[2] is False
    f.sales[k] = 0.9 * f.capacity[k]
    assert k not in firm_dynamics.distressed(w) or (f.cash[k] < 0 and f.loss_rounds[k] >= 2)
    assert np.array_equal(f.owner, owners)  # looking for deals changes no ownership
