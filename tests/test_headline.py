"""What MODEL.md says must emerge, on the default scenario over 10 seeds, with no rule
written for it: coordination cuts the target's access more than acting alone, and acting
alone costs the controller more world share."""

from __future__ import annotations

import pytest

from game.compare import compare, replication_seeds, summarise
from game.scenario import load_scenario


@pytest.fixture(scope="module")
def table():
    runs = compare(load_scenario("configs/default.yaml"), replication_seeds(0, 10))
    return {(r["variant"], r["metric"]): r for r in summarise(runs)}


def test_coordinated_cuts_target_access_clearly_more_than_unilateral(table):
    coord, uni = table[("coordinated", "target_access")], table[("unilateral", "target_access")]
    assert coord["ci_high"] < uni["ci_low"]
    assert uni["mean"] - coord["mean"] > 0.1


def test_unilateral_costs_the_controller_more_share_than_coordinated(table):
    uni, coord = table[("unilateral", "controller_share")], table[("coordinated", "controller_share")]
    assert uni["ci_high"] < coord["ci_low"]


def test_unilateral_pushes_the_target_to_the_allies(table):
    assert table[("unilateral", "allies_share")]["mean"] > table[("no_control", "allies_share")]["mean"]
    assert table[("unilateral", "target_access")]["mean"] > 0.8  # the target's access barely falls


def test_coordinated_controls_leak_some_but_not_most(table):
    assert 0 < table[("coordinated", "leakage_share")]["mean"] < 0.5
