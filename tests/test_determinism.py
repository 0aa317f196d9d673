"""Same scenario, seed and orders give the same history, bit for bit, in any process."""

from __future__ import annotations

import hashlib
import subprocess
import sys

import numpy as np

from game.model import GeoModel

# The same function, run in a fresh interpreter.
IN_SUBPROCESS = (
    "import sys; sys.path[:0] = ['tests', '.']; from test_determinism import digest_here; "
    "print(digest_here(sys.argv[1], int(sys.argv[2]), *sys.argv[3:]))"
)


def digest_here(path: str, seed: int, variant: str | None = None) -> str:
    """Hash of every round's outcomes, the final world and the event log."""
    m = GeoModel(path, seed=seed, variant=variant)
    m.run()
    h = hashlib.sha256(m.digest().encode())
    for o in m.datacollector.outcomes:
        for a in (o.state, o.world_share, o.supply_share, o.price_ratio, o.tech):
            h.update(np.ascontiguousarray(a).tobytes())
    h.update(repr([e.text for e in m.datacollector.events]).encode())
    return h.hexdigest()


def digest_in_subprocess(*args: str) -> str:
    out = subprocess.run([sys.executable, "-c", IN_SUBPROCESS, *args], capture_output=True, text=True, check=True)
    return out.stdout.strip()


def test_same_seed_same_history_in_two_processes():
    here = digest_here("configs/default.yaml", 11, "coordinated")
    there = digest_in_subprocess("configs/default.yaml", "11", "coordinated")
    assert here == there


def test_different_seeds_differ():
    assert digest_here("configs/default.yaml", 1) != digest_here("configs/default.yaml", 2)


def test_agent_streams_are_spawned_not_shared():
    m = GeoModel("configs/tiny.yaml", seed=5)
    draws = [a.stream.random() for a in m.state_agents]
    assert len(set(draws)) == len(draws)
    assert len(set(m.world.firms.key.tolist())) == m.world.firms.n
