"""Facilitator injects: events from a menu that hit the world at adjudication.

Like actions, injects are typed (a discriminated union on `kind`) and described in
plain words in the event log. A scenario can schedule them (`injects:`), and a
tabletop session records the ones its facilitator adds, so a replay applies the
same ones in the same rounds.
"""

from __future__ import annotations

from typing import Annotated, Literal, Union

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from game.errors import IllegalAction


class _Inject(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class EmbargoInject(_Inject):
    """A state halts exports of a sector to another (e.g. after an incident)."""

    kind: Literal["embargo"] = "embargo"
    state: str
    target: str
    sector: str
    rounds: Annotated[int, Field(ge=1)] = 2


class DemandShock(_Inject):
    """Spending on a sector in one state (or everywhere) jumps or collapses."""

    kind: Literal["demand_shock"] = "demand_shock"
    sector: str
    factor: Annotated[float, Field(gt=0.0, le=10.0)]
    state: str | None = None


class Breakthrough(_Inject):
    """A state's firms in a sector make a technology leap (share of the frontier gained)."""

    kind: Literal["breakthrough"] = "breakthrough"
    state: str
    sector: str
    gain: Annotated[float, Field(gt=0.0, le=1.0)] = 0.1


class SupplyDisruption(_Inject):
    """A share of a state's capacity in a sector is lost (disaster, blockade, accident)."""

    kind: Literal["supply_disruption"] = "supply_disruption"
    state: str
    sector: str
    loss: Annotated[float, Field(gt=0.0, le=1.0)] = 0.5


INJECT_TYPES = (EmbargoInject, DemandShock, Breakthrough, SupplyDisruption)
Inject = Annotated[Union[INJECT_TYPES], Field(discriminator="kind")]  # noqa: UP007
INJECT_ADAPTER: TypeAdapter[Inject] = TypeAdapter(Inject)
INJECT_KINDS = tuple(t.model_fields["kind"].default for t in INJECT_TYPES)


def parse_inject(data: dict | str) -> Inject:
    return INJECT_ADAPTER.validate_json(data) if isinstance(data, str) else INJECT_ADAPTER.validate_python(data)


def apply_inject(w, book, inj: Inject) -> str:
    """Change the world (through its PolicyBook) as the inject says; return its description.
    Raises IllegalAction."""
    s = book.sector(inj.sector)
    label = book.label(s)
    if isinstance(inj, EmbargoInject):
        i, j = book.state(inj.state), book.state(inj.target, "target")
        if i == j:
            raise IllegalAction("target cannot be the embargoing state")
        book.start_embargo(i, j, s, inj.rounds)
        return f"{inj.state} halted exports of {label} to {inj.target}"
    if isinstance(inj, DemandShock):
        rows = slice(None) if inj.state is None else book.state(inj.state)
        w.market.E0[rows, s] *= inj.factor
        where = "everywhere" if inj.state is None else f"in {inj.state}"
        return f"demand for {label} {where} changed by a factor of {inj.factor:g}"
    f = w.firms
    hit = f.alive & (f.sector == s) & (f.home == book.state(inj.state))
    if not hit.any():
        raise IllegalAction(f"{inj.state} has no firm in {label}")
    if isinstance(inj, Breakthrough):
        f.quality[hit] += inj.gain * w.sectors.frontier[s]
        w.sectors.frontier[s] = max(w.sectors.frontier[s], float(np.max(f.quality[hit])))
        return f"{inj.state}'s firms made a breakthrough in {label}"
    f.capacity[hit] *= 1.0 - inj.loss
    return f"{inj.state} lost {inj.loss:.0%} of its {label} capacity"
