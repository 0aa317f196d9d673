"""Strategy registry: the YAML `kind` names a class here."""

from agents.strategies.base import DemandView, FirmStrategy, ProposalView, StateStrategy
from agents.strategies.firms import FIRM_STRATEGY_CLASSES
from agents.strategies.states import STATE_STRATEGY_CLASSES

STATE_STRATEGIES = STATE_STRATEGY_CLASSES
FIRM_STRATEGIES = FIRM_STRATEGY_CLASSES
FIRM_STRATEGY_ORDER: tuple[str, ...] = tuple(FIRM_STRATEGIES)


def make_state_strategy(kind: str, params: dict | None = None) -> StateStrategy:
    try:
        cls = STATE_STRATEGIES[kind]
    except KeyError:
        raise ValueError(f"unknown state strategy {kind!r} (known: {', '.join(sorted(STATE_STRATEGIES))})") from None
    return cls(**(params or {}))


__all__ = [
    "FIRM_STRATEGIES",
    "FIRM_STRATEGY_ORDER",
    "STATE_STRATEGIES",
    "DemandView",
    "FirmStrategy",
    "ProposalView",
    "StateStrategy",
    "make_state_strategy",
]
