"""Read-only observations: what a state knows when it decides.

The public view is built once per round and shared; arrays in it are
read-only views, so a strategy cannot change the world by accident.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from game.events import Event


def _frozen(a: np.ndarray) -> np.ndarray:
    v = a.view()
    v.flags.writeable = False
    return v


@dataclass(frozen=True)
class PublicView:
    round: int  # the round being decided
    states: tuple[str, ...]
    sectors: tuple[str, ...]
    labels: tuple[str, ...]
    gdp: np.ndarray
    trust: np.ndarray  # (N, N)
    same_bloc: np.ndarray
    security: np.ndarray
    rivals: np.ndarray
    dual_use: np.ndarray
    criticality: np.ndarray
    world_share: np.ndarray  # (N, S) value share last round
    tech: np.ndarray  # (N, S) best relative quality
    supply_share: np.ndarray  # (N importer, N supplier, S) last round
    price_ratio: np.ndarray  # (N, S) P / P0
    input_access: np.ndarray  # (N, S)
    control: np.ndarray  # (N controller, N target, S)
    embargo: np.ndarray  # (N, N, S)
    tariff: np.ndarray  # (N exporter, N importer, S)
    screening: np.ndarray  # (N,) investment screening in force
    events: tuple[Event, ...]  # last round's
    exclusion: np.ndarray  # (N importer, N exporter, S) vendors excluded from critical infrastructure
    secrecy: np.ndarray  # (N, S) patents kept secret
    trade_agreement: np.ndarray  # (N, N)
    offers_trade: np.ndarray  # (N, N) offered, not yet signed
    offers_security: np.ndarray  # (N, N)
    stockpile: np.ndarray  # (N, S) strategic stockpiles held (reserves are announced)

    def index(self, name: str) -> int:
        return self.states.index(name)

    def sector_index(self, name: str) -> int:
        return self.sectors.index(name)


@dataclass(frozen=True)
class StateObservation:
    """One state's view: the public view plus its own private data."""

    public: PublicView
    me: int
    budget: float
    objectives: np.ndarray  # welfare, security, technology, cohesion
    resolve: float
    own: dict = field(default_factory=dict)  # own outcomes last round (welfare, autonomy, ...)
    max_actions: int = 4  # the scenario's limit of actions per round

    @property
    def name(self) -> str:
        return self.public.states[self.me]

    @property
    def round(self) -> int:
        return self.public.round

    def rivals(self) -> list[int]:
        return list(self._rivals)

    @cached_property
    def _rivals(self) -> tuple:
        # Rivalries are fixed for a game (unlike controls, which orders change mid-round),
        # so a round's observation finds them once; strategies ask many times.
        return tuple(np.flatnonzero(self.public.rivals[self.me]))

    def allies(self) -> list[int]:
        return list(np.flatnonzero(self.public.same_bloc[self.me]))

    def dependence(self, sector: int, supplier: int) -> float:
        return float(self.public.supply_share[self.me, supplier, sector])

    def lead(self, sector: int, other: int) -> float:
        """My best relative quality minus the other state's, in a sector."""
        return float(self.public.tech[self.me, sector] - self.public.tech[other, sector])

    def controls_on_me(self) -> list[tuple[int, int]]:
        """(controller, sector) pairs of controls and embargoes against me."""
        c = self.public.control[:, self.me, :] | self.public.embargo[:, self.me, :]
        return list(zip(*(i.tolist() for i in c.nonzero())))  # np.argwhere's order, as Python ints

    def events_against_me(self, *kinds: str) -> list[Event]:
        return [e for e in self.public.events if e.target == self.name and e.kind in kinds]


def build_public(world, last_events: list[Event], outcomes) -> PublicView:
    """Assemble the shared public view from the world and last round's outcomes."""
    st, sec, pol = world.states, world.sectors, world.policy
    return PublicView(
        round=world.round,
        states=tuple(st.names),
        sectors=tuple(sec.names),
        labels=tuple(sec.labels),
        gdp=_frozen(st.gdp),
        trust=_frozen(st.trust),
        same_bloc=_frozen(st.same_bloc),
        security=_frozen(st.security),
        rivals=_frozen(st.rivals),
        dual_use=_frozen(sec.dual_use),
        criticality=_frozen(sec.criticality),
        world_share=_frozen(outcomes.world_share),
        tech=_frozen(outcomes.tech),
        supply_share=_frozen(outcomes.supply_share),
        price_ratio=_frozen(outcomes.price_ratio),
        input_access=_frozen(world.market.input_access),
        control=_frozen(pol.control),
        embargo=_frozen(world.embargo_active()),
        tariff=_frozen(pol.tariff),
        screening=_frozen(pol.screening),
        events=tuple(last_events),
        exclusion=_frozen(pol.exclusion),
        secrecy=_frozen(pol.secrecy),
        trade_agreement=_frozen(st.trade_agreement),
        offers_trade=_frozen(pol.offers_trade),
        offers_security=_frozen(pol.offers_security),
        stockpile=_frozen(pol.stockpile),
    )
