"""State and firm agents and their strategies."""

from game.lazy import lazy_exports

# Validating a scenario's strategies imports agents.strategies, which must not pull in Mesa
# through the agents.
__all__ = ["FirmAgent", "StateAgent"]
__getattr__ = lazy_exports(__name__, {"FirmAgent": "agents.firm", "StateAgent": "agents.state"})
