"""Firm strategies: each decides for all of its firms at once, over arrays."""

from __future__ import annotations

import numpy as np

from agents.strategies.base import FirmStrategy


class ProfitSeeking(FirmStrategy):
    """Circumvents a control when the market it loses is worth more than the
    expected fine: likelier with weak enforcement and low compliance propensity."""

    kind = "profit_seeking"
    summary = "Weighs lost sales against expected fines; circumvents when enforcement is weak."

    def circumvent(self, obs, idx, u):
        exposed = obs.blocked_share[idx] > 0
        temptation = (1.0 - obs.compliance[idx]) * (1.0 - obs.enforcement[idx]) * (1.0 + obs.blocked_share[idx])
        # Firms already circumventing tend to keep their routes.
        temptation = np.where(obs.circumventing[idx], np.sqrt(temptation), temptation)
        return exposed & (u < temptation)


class Compliant(FirmStrategy):
    kind = "compliant"
    summary = "Never circumvents controls."

    def circumvent(self, obs, idx, u):
        return np.zeros(len(idx), dtype=bool)


class Circumventing(FirmStrategy):
    kind = "circumventing"
    summary = "Re-routes through third countries whenever its sales are blocked."

    def circumvent(self, obs, idx, u):
        return obs.blocked_share[idx] > 0


FIRM_STRATEGY_CLASSES: dict[str, type[FirmStrategy]] = {
    cls.kind: cls for cls in (ProfitSeeking, Compliant, Circumventing)
}
