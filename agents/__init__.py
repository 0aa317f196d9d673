"""State and firm agents and their strategies."""

import importlib

# Imported on first use (PEP 562): validating a scenario's strategies imports
# agents.strategies, which must not pull in Mesa through the agents.
_EXPORTS = {"FirmAgent": "agents.firm", "StateAgent": "agents.state"}
__all__ = ["FirmAgent", "StateAgent"]


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module 'agents' has no attribute {name!r}")
    value = getattr(importlib.import_module(_EXPORTS[name]), name)
    globals()[name] = value  # once
    return value
