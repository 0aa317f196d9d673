"""An independent bare numpy CES pass: the yardstick a round is measured against.

Written apart from game/market.py on purpose (it imports nothing from the game):
weights x price^(1 - sigma), normalised per importer and sector, times demand.
Firms are sorted by sector, so a sector is a contiguous block of rows.
"""

from __future__ import annotations

import numpy as np


def ces_pass(weight: np.ndarray, price: np.ndarray, sigma_f: np.ndarray, starts: np.ndarray,
             sector: np.ndarray, demand: np.ndarray) -> np.ndarray:
    """(F, N) spending on each firm in each market.

    weight, price: (F, N); sigma_f: (F,) elasticity of each firm's sector; starts: first row
    of each sector; sector: (F,) sector of each row; demand: (S, N) spending per sector and market."""
    terms = weight * price ** (1.0 - sigma_f)[:, None]
    total = np.add.reduceat(terms, starts, axis=0)  # (S, N)
    return terms / np.where(total > 0, total, 1.0)[sector] * demand[sector]


def random_arrays(n_markets: int, n_sectors: int, n_firms: int, seed: int = 0) -> tuple:
    """Arrays of the same shapes as a world's, for timing the pass on its own."""
    rng = np.random.default_rng(seed)
    sector = np.sort(np.concatenate([np.arange(n_sectors), rng.integers(0, n_sectors, n_firms - n_sectors)]))
    starts = np.flatnonzero(np.r_[True, sector[1:] != sector[:-1]])
    sigma = rng.uniform(2.0, 6.0, n_sectors)
    return (rng.uniform(0.1, 1.0, (n_firms, n_markets)), rng.uniform(0.8, 1.5, (n_firms, n_markets)),
            sigma[sector], starts, sector, rng.uniform(1.0, 10.0, (n_sectors, n_markets)))
