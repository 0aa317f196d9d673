"""A per-process cache of calibrated starting worlds.

Calibration (GeoModel._calibrate) is a deterministic function of the world's arrays at
build time, the params and the base-year sourcing targets: the seed only draws the
firms' random keys, which calibration never reads. So replications of one scenario
(compare's seeds and arms, a sweep's replications) calibrate once per process and
copy the result, bit for bit what calibrating again would give. The key hashes every
input calibration reads; anything else that differs (the seed's keys) is left out.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict

import numpy as np

MAX_ENTRIES = 8  # scenarios kept per process (a sweep over a factor has one per design point)
FIRM_FIELDS = ("appeal", "capacity", "cash", "ties")
MARKET_FIELDS = ("P0", "armington", "X0")
_CACHE: OrderedDict[str, dict[str, np.ndarray]] = OrderedDict()


def key(world, params, goal: np.ndarray) -> str:
    """A hash of everything calibration reads: the world's arrays (not the firms' random keys),
    its other fields, the params and the sourcing targets."""
    h = hashlib.sha256(params.model_dump_json().encode())
    h.update(np.ascontiguousarray(goal).tobytes())
    for part in (world.states, world.sectors, world.firms, world.policy, world.market):
        for name, value in sorted(vars(part).items()):
            if part is world.firms and name == "key":
                continue
            h.update(name.encode())
            if isinstance(value, np.ndarray):
                h.update(f"{value.dtype}{value.shape}".encode())
                h.update(np.ascontiguousarray(value).tobytes())
            else:
                h.update(repr(value).encode())
    return h.hexdigest()


def restore(world, k: str) -> bool:
    """Put the calibrated arrays stored under `k` into `world` (copies); False if none."""
    hit = _CACHE.get(k)
    if hit is None:
        return False
    _CACHE.move_to_end(k)
    for name in FIRM_FIELDS:
        setattr(world.firms, name, hit[name].copy())
    for name in MARKET_FIELDS:
        setattr(world.market, name, hit[name].copy())
    return True


def store(world, k: str) -> None:
    _CACHE[k] = {name: getattr(world.firms, name).copy() for name in FIRM_FIELDS} | {
        name: getattr(world.market, name).copy() for name in MARKET_FIELDS}
    while len(_CACHE) > MAX_ENTRIES:
        _CACHE.popitem(last=False)


def clear() -> None:
    _CACHE.clear()
