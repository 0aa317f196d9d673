"""Firm strategies: each decides for all of its firms at once, over arrays."""

from __future__ import annotations

import numpy as np

from agents.strategies.base import FirmStrategy

# Firms misjudge what circumventing brings and costs by about a quarter: the choice is a
# logit in the net gain over this share of the sums at play, so a firm decides almost surely
# when one side clearly outweighs the other, and nearly never re-routes with nothing to gain.
CHOICE_NOISE = 0.25


class ProfitSeeking(FirmStrategy):
    """Circumvents the controls in force when the margin on the sales its re-routing would
    carry beats the expected fines on them plus a reputational cost that grows with its
    compliance propensity: likelier with much at stake, weak enforcement and cheap routes."""

    kind = "profit_seeking"
    summary = "Weighs the margin on blocked sales against expected fines and reputation; circumvents when it pays."

    def circumvent(self, obs, idx, u):
        exposed = obs.blocked_share[idx] > 0
        gain, cost = self.stakes(obs, idx)
        at_play = CHOICE_NOISE * (gain + cost)
        # Nothing at play either way (no gain, no fine, no qualms): nothing to re-route for.
        x = np.clip(np.divide(gain - cost, at_play, out=np.full_like(gain, -50.0), where=at_play > 0), -50.0, 50.0)
        return exposed & (u < 1.0 / (1.0 + np.exp(-x)))


class Compliant(FirmStrategy):
    kind = "compliant"
    summary = "Never circumvents controls."

    def circumvent(self, obs, idx, u):
        return np.zeros(len(idx), dtype=bool)


class Circumventing(FirmStrategy):
    kind = "circumventing"
    summary = "Re-routes through third countries whenever some of its sales are blocked."

    def circumvent(self, obs, idx, u):
        return obs.blocked_share[idx] > 0


FIRM_STRATEGY_CLASSES: dict[str, type[FirmStrategy]] = {
    cls.kind: cls for cls in (ProfitSeeking, Compliant, Circumventing)
}
