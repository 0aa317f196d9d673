"""A bandit over postures: Thompson sampling on normalised mean rewards, with an exploration floor.

Each arm's value is its sample-average reward (Sutton and Barto, 2018, ch. 2). To
choose, each arm draws a plausible value from a normal around its mean with the
standard error of that mean (the rewards' pooled spread over the square root of its
plays), scaled by `temperature`, and the highest draw is played (Gaussian Thompson
sampling; Agrawal and Goyal, 2013; Russo et al., 2018). A payoff difference is thus read
against the noise it is measured in, whatever the units, and arms are tried in
proportion to the chance that they are best: plays concentrate on the best arm as the
evidence grows, never on noise. A uniform floor (`explore`, the gamma of EXP3, Auer et
al. 2002) keeps every arm sampled, so an early unlucky estimate is corrected rather than
locked in. Untried arms are tried first. Nothing decays an arm for not being chosen (the
flaw of recency-weighted Roth-Erev propensities with a reward offset).
"""

from __future__ import annotations

import numpy as np


class PostureBandit:
    def __init__(self, n_arms: int, temperature: float = 1.0, explore: float = 0.1):
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

    def _draw(self, rng: np.random.Generator) -> int:
        untried = np.flatnonzero(self.count == 0)
        if len(untried):
            return int(rng.choice(untried))
        if rng.random() < self.explore:
            return int(rng.integers(self.n))
        se = self.temperature * self.scale / np.sqrt(self.count)
        return int(np.argmax(self.means + se * rng.standard_normal(self.n)))

    def choose(self, rng: np.random.Generator) -> int:
        return self._draw(rng)

    def probabilities(self, draws: int = 4000) -> np.ndarray:
        """The chance of playing each arm now, estimated by `draws` choices from a fixed stream."""
        rng = np.random.default_rng(0)
        return np.bincount([self._draw(rng) for _ in range(draws)], minlength=self.n) / draws

    def update(self, arm: int, reward: float) -> None:
        if not np.isfinite(reward):
            return  # a broken observation teaches nothing
        self.total[arm] += reward
        self.count[arm] += 1
        self._n += 1
        delta = reward - self._mean
        self._mean += delta / self._n
        self._m2 += delta * (reward - self._mean)
