"""The adaptive learner learns: a sound bandit in a stationary world, and in the default
game its own objective is at least the median of the fixed postures'."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from agents.strategies import make_state_strategy
from agents.strategies.learning import PostureBandit
from agents.strategies.states import POSTURES
from game.model import GeoModel


@pytest.mark.parametrize("seed", range(8))
def test_bandit_finds_the_best_arm_under_noise_larger_than_the_gaps(seed):
    """Arm means 0.1 apart under noise of sd 0.2, twice the gap: the best arm is chosen in
    at least 80% of the last half of a long run (the floor alone costs 8%)."""
    rng = np.random.default_rng(seed)
    means = np.array([0.0, 0.1, 0.2, -0.1, 0.05])
    bandit = PostureBandit(len(means), temperature=1.0, explore=0.1)
    chosen = []
    for _ in range(600):
        arm = bandit.choose(rng)
        bandit.update(arm, means[arm] + rng.normal(0, 0.2))
        chosen.append(arm)
    late = np.array(chosen[300:])
    assert (late == 2).mean() >= 0.8


def test_bandit_never_starves_an_arm():
    """The exploration floor keeps every arm's probability at least explore / arms, so an
    early unlucky estimate is corrected, not locked in."""
    bandit = PostureBandit(4, temperature=0.01, explore=0.2)
    for arm, r in [(0, 1.0), (1, -5.0), (2, -5.0), (3, -5.0), (0, 1.0)]:
        bandit.update(arm, r)
    p = bandit.probabilities(draws=20000)
    assert p.min() >= 0.8 * 0.2 / 4  # the floor, less sampling error of the estimate
    assert np.isclose(p.sum(), 1.0)


def test_bandit_reads_rewards_in_their_own_units():
    """Scaling every reward by 1000 changes nothing: the rule is normalised."""
    a, b = PostureBandit(3), PostureBandit(3)
    for arm, r in [(0, 0.1), (1, 0.3), (2, 0.2), (1, 0.25), (0, 0.05)]:
        a.update(arm, r)
        b.update(arm, 1000 * r)
    assert np.array_equal(a.probabilities(), b.probabilities())


@pytest.fixture(scope="module")
def observation():
    m = GeoModel("configs/default.yaml", seed=2, rounds=6)
    m.run(3)
    return m.observe(m.round_context())[m.world.states.names.index("USA")]


@pytest.mark.parametrize("seed", range(3))
def test_learner_settles_on_the_known_best_posture_of_a_stationary_world(observation, seed):
    """A world that does not change, where each posture's payoff is fixed plus noise
    larger than the gaps: the learner plays the best posture in at least 80% of the last
    half of 600 rounds."""
    rng = np.random.default_rng(seed)
    payoff = dict(zip(POSTURES, [0.30, 0.34, 0.38, 0.32, 0.31]))  # coalition_builder best
    learner = make_state_strategy("adaptive_learner")
    last = None
    for _ in range(600):
        own = dict(observation.own)
        if last is not None:
            # Only autonomy moves (weight 0.35 for the USA), by the posture in force last round.
            own["autonomy"] = payoff[last] + rng.normal(0, 0.05)
        learner.decide(dataclasses.replace(observation, own=own), rng)
        last = POSTURES[learner.posture]
    late = np.array(learner.history[300:])
    assert (late == POSTURES.index("coalition_builder")).mean() >= 0.8


@pytest.mark.slow
def test_learner_scores_at_least_the_median_fixed_posture_over_100_rounds():
    """USA in the default scenario, 100 rounds, paired seeds: the learner's own objective is
    at least the median of the fixed postures' (the issue's bar; the old Roth-Erev rule
    scored below doing nothing)."""
    from game.tournament import play

    result = play("configs/default.yaml", "USA", [*POSTURES, "adaptive_learner"], seeds=3, rounds=100,
                  executor="serial")
    score = {e.strategy: e.score_mean for e in result.entries}
    assert score["adaptive_learner"] >= np.median([score[p] for p in POSTURES])
