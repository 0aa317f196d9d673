"""A bandit over postures: softmax over normalised mean rewards with an exploration floor.

Sample-average value estimates (Sutton and Barto, 2018, ch. 2) chosen by a Boltzmann
(softmax) rule whose temperature is in units of the rewards' own spread, so the rule
reads a payoff difference against the noise it is measured in, whatever the units; a
uniform floor (`explore`, the gamma of EXP3, Auer et al. 2002) keeps every arm sampled, so
an early unlucky estimate is corrected rather than locked in. Untried arms are tried
first. Nothing here decays an arm for not being chosen (the flaw of recency-weighted
Roth-Erev propensities with a reward offset).
"""

from __future__ import annotations

import numpy as np


class PostureBandit:
    def __init__(self, n_arms: int, temperature: float = 0.2, explore: float = 0.1):
        if n_arms < 1:
            raise ValueError("a bandit needs at least one arm")
        self.n = n_arms
        self.temperature = max(float(temperature), 1e-6)
        self.explore = min(max(float(explore), 0.0), 1.0)
        self.total = np.zeros(n_arms)
        self.count = np.zeros(n_arms, dtype=int)
        # Running spread of all rewards seen (Welford), the scale rewards are read in.
        self._n, self._mean, self._m2 = 0, 0.0, 0.0

    @property
    def means(self) -> np.ndarray:
        return np.divide(self.total, self.count, out=np.zeros(self.n), where=self.count > 0)

    @property
    def scale(self) -> float:
        return float(np.sqrt(self._m2 / (self._n - 1))) if self._n > 1 else 0.0

    def probabilities(self) -> np.ndarray:
        untried = self.count == 0
        if untried.any():
            return untried / untried.sum()
        scale = self.scale
        if scale <= 1e-12:
            return np.full(self.n, 1.0 / self.n)
        z = (self.means - self.means.max()) / (scale * self.temperature)
        soft = np.exp(z)
        soft /= soft.sum()
        return (1.0 - self.explore) * soft + self.explore / self.n

    def choose(self, rng: np.random.Generator) -> int:
        return int(rng.choice(self.n, p=self.probabilities()))

    def update(self, arm: int, reward: float) -> None:
        if not np.isfinite(reward):
            return  # a broken observation teaches nothing
        self.total[arm] += reward
        self.count[arm] += 1
        self._n += 1
        delta = reward - self._mean
        self._mean += delta / self._n
        self._m2 += delta * (reward - self._mean)
