"""StateAgent: a state's identity, strategy and random stream; its numbers live in the world arrays."""

from __future__ import annotations

import mesa
import numpy as np

from agents.strategies import StateStrategy


class StateAgent(mesa.Agent):
    def __init__(self, model, index: int, name: str, strategy: StateStrategy, seed: np.random.SeedSequence):
        super().__init__(model)
        self.index = index
        self.name = name
        self.strategy = strategy
        # Mesa's Agent.rng is the model's shared generator; each state decides from its own stream.
        self.stream = np.random.default_rng(seed)

    # Read-through views into the model's arrays (never copies).
    @property
    def gdp(self) -> float:
        return float(self.model.world.states.gdp[self.index])

    @property
    def trust(self) -> np.ndarray:
        return self.model.world.states.trust[self.index]

    @property
    def world_share(self) -> np.ndarray:
        return self.model.outcomes.world_share[self.index]

    @property
    def blocs(self) -> list[str]:
        return self.model.world.states.bloc_of[self.index]

    def __repr__(self) -> str:
        return f"StateAgent({self.name}, {self.strategy.kind})"
