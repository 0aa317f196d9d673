"""State and firm agents and their strategies."""

from agents.firm import FirmAgent
from agents.state import StateAgent

__all__ = ["FirmAgent", "StateAgent"]
