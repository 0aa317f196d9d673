"""FirmAgent: a firm's identity and strategy; its numbers live in the world's firm arrays.

The firm's random stream is counter-based (a key hashed with the round), so
firms of one strategy decide together over arrays and each still draws from
its own stream, whatever other firms exist.
"""

from __future__ import annotations

import mesa


class FirmAgent(mesa.Agent):
    def __init__(self, model, firm_id: int, name: str, strategy: str):
        super().__init__(model)
        self.firm_id = firm_id
        self.name = name
        self.strategy = strategy

    @property
    def _i(self) -> int:
        return self.model.firm_index(self.firm_id)

    def _get(self, field: str) -> float:
        return getattr(self.model.world.firms, field)[self._i].item()

    capacity = property(lambda self: self._get("capacity"))
    quality = property(lambda self: self._get("quality"))
    revenue = property(lambda self: self._get("revenue"))
    profit = property(lambda self: self._get("profit"))
    cash = property(lambda self: self._get("cash"))
    alive = property(lambda self: bool(self._get("alive")))
    circumventing = property(lambda self: bool(self._get("circumvent")))

    @property
    def home(self) -> str:
        return self.model.world.states.names[self.model.world.firms.home[self._i]]

    @property
    def sector(self) -> str:
        return self.model.world.sectors.names[self.model.world.firms.sector[self._i]]

    @property
    def key(self) -> int:
        return int(self.model.world.firms.key[self._i])

    def __repr__(self) -> str:
        return f"FirmAgent({self.name}, {self.home}, {self.sector})"
