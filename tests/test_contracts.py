"""Contract tests every registered strategy must pass (cf. Axelrod's player tests)."""

from __future__ import annotations

import numpy as np
import pytest

from agents.strategies import FIRM_STRATEGIES, STATE_STRATEGIES, make_state_strategy
from agents.strategies.base import DemandView, ProposalView
from game.actions import ACTION_ADAPTER
from game.model import FirmObservation, GeoModel
from tests.conftest import tiny


@pytest.fixture(scope="module")
def observations():
    """Observations from a few rounds into a lively default-world run."""
    m = GeoModel("configs/default.yaml", seed=1, rounds=6)
    m.run(4)
    ctx = m.round_context()
    return m, m.observe(ctx)


@pytest.mark.parametrize("kind", sorted(STATE_STRATEGIES))
def test_state_strategy_returns_valid_actions_deterministically(kind, observations):
    _model, obs = observations
    for o in obs:
        a1 = make_state_strategy(kind).decide(o, np.random.default_rng(7))
        a2 = make_state_strategy(kind).decide(o, np.random.default_rng(7))
        assert a1 == a2, "same observation and stream must give the same actions"
        for a in a1:
            ACTION_ADAPTER.validate_python(a.model_dump())  # round-trips as a typed action


@pytest.mark.parametrize("kind", sorted(STATE_STRATEGIES))
def test_state_strategy_answers_are_booleans(kind, observations):
    _model, obs = observations
    strat = make_state_strategy(kind)
    strat.decide(obs[1], np.random.default_rng(0))  # learners need a first move
    prop = ProposalView(proposer=0, sector=3, target=5, scope="broad")
    assert isinstance(strat.answer_proposal(obs[1], prop, np.random.default_rng(0)), bool)
    assert isinstance(strat.answer_demand(obs[1], DemandView(coercer=5, sector=4), np.random.default_rng(0)), bool)


@pytest.mark.parametrize("kind", sorted(STATE_STRATEGIES))
def test_state_strategy_cannot_write_the_world(kind, observations):
    model, obs = observations
    before = model.world.states.trust.copy()
    make_state_strategy(kind).decide(obs[0], np.random.default_rng(0))
    assert np.array_equal(before, model.world.states.trust)
    with pytest.raises(ValueError):
        obs[0].public.trust[0, 1] = 0.0  # read-only views


@pytest.mark.parametrize("kind", sorted(STATE_STRATEGIES))
def test_every_state_strategy_plays_a_whole_game(kind):
    sc = tiny(scripted=False)
    for st in sc.states.values():
        st.strategy.kind = kind
        st.strategy.params = {}
    m = GeoModel(sc, seed=3, rounds=5)
    m.run()
    assert m.steps == 5


def test_unknown_strategy_parameter_is_an_error():
    with pytest.raises(ValueError, match="unknown parameter"):
        make_state_strategy("high_fence", {"treshold": 0.9})


@pytest.mark.parametrize("kind", sorted(FIRM_STRATEGIES))
def test_firm_strategy_decides_over_arrays(kind):
    n = 50
    rng = np.random.default_rng(0)
    obs = FirmObservation(
        relative_quality=rng.uniform(0.5, 1, n), utilisation=rng.uniform(0.5, 1.2, n),
        blocked_share=rng.uniform(0, 0.5, n) * (rng.random(n) < 0.5), enforcement=rng.uniform(0, 1, n),
        compliance=rng.uniform(0, 1, n), circumventing=rng.random(n) < 0.2, input_factor=rng.uniform(0.5, 1, n),
    )
    idx = np.arange(0, n, 2)
    s = FIRM_STRATEGIES[kind]()
    c = s.circumvent(obs, idx, rng.random(len(idx)))
    assert c.dtype == bool and c.shape == idx.shape
    assert not c[obs.blocked_share[idx] == 0].any(), "nobody circumvents a control that does not bind"
    r = s.rd_share(obs, idx)
    assert ((r > 0) & (r < 1)).all()
