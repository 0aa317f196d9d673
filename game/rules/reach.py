"""What an export control reaches: goods made in the controlling state, goods made
abroad with its technology (a direct-product rule), and named firms (entity lists).

Technology content: a firm's goods carry its home state's technology except for the
part that comes with its inputs, which carries the technology of wherever the home
state bought those inputs (value shares of last round's purchases): chips made in
Taiwan with US tools carry US technology in proportion to the tools' weight in the
chips (the sector's input need) and to the US share of Taiwan's tools. A scenario may
fix a firm's content instead. Switching input suppliers changes the content, so a
maker can design a controller's technology out of its goods.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from game.rules import leakage
from game.scenario import Params
from game.world import World


def tech_content(world: World) -> np.ndarray:
    """(F, N) share of each firm's technology by origin state (rows sum to 1)."""
    f, sec, m, n = world.firms, world.sectors, world.market, world.states.n
    needs = sec.inputs[f.sector]  # (F, R)
    own = np.maximum(0.0, 1.0 - needs.sum(axis=1))
    content = np.zeros((f.n, n))
    content[np.arange(f.n), f.home] = own
    if m.supply_share is not None:
        content += np.einsum("fr,fkr->fk", needs, m.supply_share[f.home])
    else:
        content[np.arange(f.n), f.home] += 1.0 - own
    content /= np.maximum(content.sum(axis=1, keepdims=True), 1e-300)
    fixed = ~np.isnan(f.tech_fixed[:, 0])
    return np.where(fixed[:, None], f.tech_fixed, content) if fixed.any() else content


def covers_tier(level: np.ndarray, controlled: np.ndarray, embargoed: np.ndarray, threshold: np.ndarray,
                cap: np.ndarray) -> np.ndarray:
    """The tier rule, for tiers at quality `level` (F, 1): an embargo covers every tier, a
    control the tiers whose quality lies between its threshold and its cap."""
    return embargoed | (controlled & (level >= threshold) & (level <= cap))


@dataclass
class Cover:
    """Per firm and barred market (F, J), on the market columns `cols` some state stops:
    whether a control or embargo covers the flow, and its terms."""

    cols: np.ndarray  # (J,) the market columns (leakage.targets of the barriers)
    controlled: np.ndarray  # bool: a control covers the flow (its tiers in band)
    embargoed: np.ndarray  # bool: an embargo covers every tier
    threshold: np.ndarray  # lowest covered quality (0 for broad controls)
    cap: np.ndarray  # highest covered quality (inf unless a frozen list)
    enforce: np.ndarray
    approval: np.ndarray  # licence approval rate (0 = a ban)


def state_cover(world: World, control: np.ndarray, embargo: np.ndarray, enforce: np.ndarray,
                content: np.ndarray | None) -> Cover:
    """Controls and embargoes on states, gathered to firms x the markets they bar: a control
    covers goods made in the controlling state, and with a direct-product rule goods made in
    third states whose technology is more than its de minimis share the controller's.
    Only the barred columns are gathered: barriers touch few markets, and six full
    firms x markets gathers would cost more than the rest of the barrier arithmetic."""
    f, pol, sec = world.firms, world.policy, world.sectors
    cols = leakage.targets(control | embargo)
    threshold = np.where(np.isnan(pol.control_fixed), pol.control_share * sec.frontier[None, None, :],
                         pol.control_fixed)
    threshold = np.where(pol.control_broad, 0.0, threshold)  # (i, j, s)
    approval = np.where(embargo, 0.0, pol.control_approval)
    def gather(pair: np.ndarray) -> np.ndarray:  # pair[home, cols, sector] as whole rows of J
        return np.ascontiguousarray(pair[:, cols, :].transpose(2, 0, 1))[f.sector, f.home]

    cover = Cover(cols, gather(control), gather(embargo), gather(threshold), gather(pol.control_cap),
                  gather(enforce), gather(approval))
    if content is None:
        return cover
    for i, j, r in np.argwhere(control & pol.control_dpr):
        c = int(np.searchsorted(cols, j))
        hit = ((f.sector == r) & (f.home != i) & (f.home != j) & (content[:, i] > pol.control_de_minimis[i, j, r])
               & ~cover.controlled[:, c] & ~cover.embargoed[:, c])
        cover.controlled[hit, c] = True
        cover.threshold[hit, c], cover.cap[hit, c] = threshold[i, j, r], pol.control_cap[i, j, r]
        cover.enforce[hit, c], cover.approval[hit, c] = enforce[i, j, r], approval[i, j, r]
    return cover


def needs_content(world: World) -> bool:
    pol = world.policy
    return bool((pol.control & pol.control_dpr).any() or any(x.direct_product for x in pol.listings.values()))


def apply_listings(world: World, params: Params, weight: np.ndarray, served: np.ndarray | None,
                   base_price: np.ndarray, content: np.ndarray | None):
    """Entity lists. A listed firm buys its inputs in its home market; the suppliers a
    listing covers lose the listed firms' part of that market (their share of the
    market's input needs), except what gets through; the listed firms lose the covered
    suppliers' share of their inputs, which caps their usable capacity next round.

    Returns (weight, served, denial, listed_part): denial (F, S) is the share of each input
    a firm was denied (0 for unlisted firms); listed_part (F, N) the part of each
    supplier's sales in a market that goes to listed firms (the same split of the
    market's demand that the cut applies: the listed firms' need share, times what gets
    through for covered suppliers)."""
    f, sec, n = world.firms, world.sectors, world.states.n
    denial = np.zeros((f.n, sec.n))
    listed_part = np.zeros_like(weight)
    sigma_f = sec.sigma[f.sector]
    for (i, r), listing in sorted(world.policy.listings.items()):
        j = listing.target
        listed = np.isin(f.ids, listing.firms) & f.alive
        need = sec.inputs[f.sector, r] * f.capacity * (f.home == j)
        if not listed.any() or need.sum() <= 0:
            continue
        share = need[listed].sum() / need.sum()  # the listed firms' part of j's needs for r
        in_r = f.sector == r
        covered = in_r & (f.home == i)
        if listing.direct_product and content is not None:
            covered |= in_r & (f.home != j) & (content[:, i] > listing.de_minimis)
        stopped = np.zeros((n, n, sec.n), dtype=bool)
        stopped[i, j, r] = True
        # One barred column, j's: the routes' arrays come back (F, 1).
        leak, markup, _ = leakage.illicit_routes(world, params, stopped, np.full((f.n, 1), listing.enforcement))
        # What gets through to the listed firms, in demand terms (re-routed goods at their markup).
        # Approved licences carry the licence cost (wedges.py says why).
        through = (listing.approval * (1.0 + params.licence_cost) ** (1.0 - sigma_f)
                   + (1.0 - listing.approval) * leak[:, 0] * markup[:, 0] ** (1.0 - sigma_f))
        # What the listed firms could have bought of each supplier: its CES term in market j.
        # (Quality against the sector's best: only ratios of these terms are used.)
        rel_q = f.quality / max(f.quality[in_r].max(), 1e-300)
        term = np.where(in_r, weight[:, j] * (base_price[:, j] / rel_q) ** (1.0 - sigma_f), 0.0)
        lost = (term * covered * (1.0 - through)).sum() / max(term.sum(), 1e-300)
        denial[listed, r] = np.maximum(denial[listed, r], lost)
        cut = np.where(covered, 1.0 - share * (1.0 - through), 1.0)
        part = np.where(covered, share * through / np.maximum(cut, 1e-300), share)
        listed_part[:, j] = np.maximum(listed_part[:, j], np.where(in_r, part, 0.0))
        weight = weight.copy()
        weight[:, j] *= cut
        if served is None:
            served = np.ones_like(weight)
        served[:, j] *= cut
    return weight, served, denial, listed_part
