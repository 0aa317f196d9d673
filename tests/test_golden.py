"""A small golden run: the tiny scenario, seed 0, six rounds, against numbers on file.

A change here means the model's behaviour changed: if that was intended, regenerate with
`python tests/test_golden.py` and say why in the commit.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

GOLDEN = Path(__file__).parent / "golden" / "tiny_seed0.json"


def summary() -> dict:
    from game.model import GeoModel

    m = GeoModel("configs/tiny.yaml", seed=0, rounds=6)
    m.run()
    o = m.outcomes
    return {
        "state_metrics": np.round(o.state, 9).tolist(),
        "world_share": np.round(o.world_share, 9).tolist(),
        "price_ratio": np.round(o.price_ratio, 9).tolist(),
        "events": [f"{e.round} {e.kind} {e.text}" for e in m.datacollector.events],
    }


def test_golden_run_matches():
    want = json.loads(GOLDEN.read_text())
    got = summary()
    assert got["events"] == want["events"]
    for key in ("state_metrics", "world_share", "price_ratio"):
        np.testing.assert_allclose(got[key], want[key], rtol=1e-7, atol=1e-9, err_msg=key)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    GOLDEN.write_text(json.dumps(summary(), indent=1))
    print(f"wrote {GOLDEN}")
