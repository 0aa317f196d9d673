"""Trust: coordinated action raises it, declined proposals, controls on allies and
coercion lower it, and it relaxes slowly back toward the scenario's level."""

from __future__ import annotations

import numpy as np

from game.scenario import Params
from game.world import World

RELAX = 0.05


def shift(world: World, i: int, j: int, delta: float, both: bool = False) -> None:
    t = world.states.trust
    t[i, j] = np.clip(t[i, j] + delta, 0.0, 1.0)
    if both:
        t[j, i] = np.clip(t[j, i] + delta, 0.0, 1.0)


def end_of_round(world: World, params: Params) -> None:
    st, pol = world.states, world.policy
    # A control on a bloc partner costs that partner's trust every round it stands.
    on_allies = (pol.control.any(axis=2) | (world.embargo_active()).any(axis=2)) & st.same_bloc
    st.trust -= params.trust_step * on_allies.T
    st.trust += RELAX * (st.trust0 - st.trust)
    np.clip(st.trust, 0.0, 1.0, out=st.trust)
    np.fill_diagonal(st.trust, 1.0)
