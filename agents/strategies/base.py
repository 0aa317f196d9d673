"""Strategy base classes: decide from an observation and one's own random stream only."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from game.actions import Action
from game.observation import StateObservation


@dataclass(frozen=True)
class ProposalView:
    """A coordinated control as a partner sees it."""

    proposer: int
    sector: int
    target: int
    scope: str


@dataclass(frozen=True)
class DemandView:
    """A coercive demand as its target sees it."""

    coercer: int
    sector: int


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + np.exp(-x))


Move = tuple[Action, str]
REFUSAL_MEMORY = 5  # rounds a doctrine leaves a refused move alone before trying it again  # an action and the doctrine's rule that ordered it


class StateStrategy:
    """One class per strategy, registered by `kind`. Subclasses set `kind`, `summary`,
    `instruments` (the action kinds their doctrine calls for) and implement `plan`, which
    returns moves in order of priority: each an action and the rule of the doctrine that
    fired, which the engine writes into the event log."""

    kind: ClassVar[str]
    summary: ClassVar[str]
    defaults: ClassVar[dict] = {}
    instruments: ClassVar[tuple[str, ...]] = ()

    def __init__(self, **params):
        unknown = set(params) - set(self.defaults)
        if unknown:
            known = ", ".join(sorted(self.defaults)) or "none"
            raise ValueError(f"unknown parameter(s) {sorted(unknown)} for strategy {self.kind!r} (known: {known})")
        self.params = {**self.defaults, **params}
        self.rules: list[str] = []  # why each action of the last `decide` was ordered
        self._refused: dict[str, int] = {}  # action -> round it was last refused

    def decide(self, obs: StateObservation, rng: np.random.Generator) -> list[Action]:
        """This round's orders: the plan's first moves, within the scenario's action limit,
        leaving out what was refused in the last REFUSAL_MEMORY rounds (a control an
        experiment fixes, say), so the action budget goes to moves that can happen."""
        for e in obs.public.events:
            if e.kind == "refused" and e.actor == obs.name and "action" in e.detail:
                self._refused[repr(sorted(e.detail["action"].items()))] = e.round
        moves = self.plan(obs, rng)
        if self._refused:  # the key costs a model_dump: only built when something was refused
            moves = [m for m in moves
                     if obs.round - self._refused.get(repr(sorted(m[0].model_dump().items())), -99) > REFUSAL_MEMORY]
        moves = moves[: obs.max_actions]
        self.rules = [why for _, why in moves]
        return [a for a, _ in moves]

    def plan(self, obs: StateObservation, rng: np.random.Generator) -> list[Move]:
        raise NotImplementedError

    def answer_proposal(self, obs: StateObservation, prop: ProposalView, rng: np.random.Generator) -> bool:
        """Join a partner's coordinated control? Trust and rivalry for, lost sales against."""
        pub, me = obs.public, obs.me
        w_welfare, w_security, _, w_cohesion = obs.objectives
        exposure = pub.supply_share[prop.target, me, prop.sector]  # my share of the target's supply
        score = (
            1.6 * pub.trust[me, prop.proposer]
            - 0.7
            + 0.9 * w_security * pub.rivals[me, prop.target]
            + 0.6 * w_cohesion
            - 2.5 * w_welfare * exposure
        )
        return bool(rng.random() < _sigmoid(6.0 * score))

    def answer_demand(self, obs: StateObservation, demand: DemandView, rng: np.random.Generator) -> bool:
        """Concede to coercion? When dependence outweighs resolve and distrust of the coercer."""
        pub, me = obs.public, obs.me
        dependence = pub.supply_share[me, demand.coercer, demand.sector]
        cost = dependence * (0.4 + pub.criticality[demand.sector])
        political = obs.resolve * (1.3 - pub.trust[me, demand.coercer]) + 0.1 * len(obs.allies())
        return bool(rng.random() < _sigmoid(8.0 * (cost - political)))


class FirmStrategy:
    """A firm strategy decides for all its firms at once, from arrays (see FirmObservation)."""

    kind: ClassVar[str]
    summary: ClassVar[str]

    def circumvent(self, obs, idx: np.ndarray, u: np.ndarray) -> np.ndarray:
        """Re-route covered sales through third countries this round? `obs.blocked_share`
        is the share of each firm's sales barred by the controls in force this round; a firm
        with none at stake never circumvents."""
        raise NotImplementedError

    @staticmethod
    def stakes(obs, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """What circumventing would bring each firm this round and what it would cost, as
        shares of its revenue: the margin on the extra sales its re-routing carries; the
        expected fines on them plus its compliance propensity's reputational cost."""
        def pick(x):
            return np.asarray(x, dtype=float)[idx] if np.ndim(x) else np.full(len(idx), float(x))

        return pick(obs.stake), pick(obs.expected_fines) + obs.compliance[idx] * float(obs.reputation)

    def rd_share(self, obs, idx: np.ndarray) -> np.ndarray:
        """Share of revenue spent on R&D: laggards spend more to catch up, firms short of
        capacity a little less (their profit goes into building it)."""
        gap = 1.0 - np.minimum(obs.relative_quality[idx], 1.0)
        tight = obs.utilisation[idx] > 1.0
        slack = obs.utilisation[idx] < 0.8  # a firm losing sales trims its R&D budget
        return np.clip((0.1 + 0.15 * gap - 0.02 * tight) * np.where(slack, 0.7, 1.0), 0.04, 0.2)

    def relocate(self, obs, idx: np.ndarray, u: np.ndarray) -> np.ndarray:
        """Move to a friendlier state when inputs at home are choked (friend-shoring)."""
        return (obs.input_factor[idx] < 0.8) & (u < 0.25)

    def diversify(self, obs, idx: np.ndarray) -> np.ndarray:
        """Ask for other input suppliers when inputs were short last round."""
        return obs.input_factor[idx] < 0.95
