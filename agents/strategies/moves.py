"""Moves the doctrines share. Each returns (action, rule) pairs: the rule is the plain-words
reason the event log shows, so a facilitator can read why a computer player moved.

All of them read only the observation; none orders an action the rules would refuse for a
reason the state can see (an amount of zero, a tariff inside a trade agreement, a control
already in force), so a doctrine's action budget goes to moves that happen.
"""

from __future__ import annotations

import numpy as np

from game import actions as A
from game.observation import StateObservation

Move = tuple[A.Action, str]
STRATEGIC = 0.7  # criticality from which a sector counts as strategic (chips, tools, magnets, 5G, ...)


def money(amount: float) -> bool:
    """An amount worth ordering: positive and finite (a zero subsidy is not an order)."""
    return bool(np.isfinite(amount) and amount > 1e-6)


def pct(x: float) -> str:
    return f"{x:.0%}"


def controllable(obs: StateObservation, min_share: float) -> list[int]:
    """Dual-use sectors where this state holds at least min_share of world supply."""
    pub = obs.public
    return [int(s) for s in np.flatnonzero(pub.dual_use) if pub.world_share[obs.me, s] >= min_share]


def new_controls(obs: StateObservation, min_share: float, lead_needed: float) -> list[tuple[int, int]]:
    """(rival, sector) pairs not yet controlled where this state leads the rival by lead_needed."""
    pub, me = obs.public, obs.me
    return [(int(r), s) for r in obs.rivals() for s in controllable(obs, min_share)
            if not pub.control[me, r, s] and obs.lead(s, r) >= lead_needed]


def top_rival_dependence(obs: StateObservation, min_dependence: float) -> list[tuple[float, int, int]]:
    """(criticality-weighted dependence, rival, sector), largest first, for strategic sectors
    where a rival supplies at least min_dependence of this state's purchases."""
    pub, me = obs.public, obs.me
    dep = pub.supply_share[me]  # (supplier, sector)
    r, s = np.nonzero(pub.rivals[me][:, None] & (dep >= min_dependence) & (pub.criticality >= STRATEGIC)[None, :])
    return sorted(zip((dep[r, s] * pub.criticality[s]).tolist(), r.tolist(), s.tolist()), reverse=True)


def concentrated_suppliers(obs: StateObservation, concentration: float) -> list[tuple[float, int, int]]:
    """(share, supplier, sector), largest first: foreign suppliers holding more than
    `concentration` of this state's purchases of a strategic sector."""
    pub, me = obs.public, obs.me
    share = pub.supply_share[me]  # (supplier, sector)
    foreign = np.arange(len(pub.states)) != me
    k, s = np.nonzero(foreign[:, None] & (share > concentration) & (pub.criticality >= STRATEGIC)[None, :])
    return sorted(zip(share[k, s].tolist(), k.tolist(), s.tolist()), reverse=True)


# -- moves ----------------------------------------------------------------------------
def screen_investment(obs: StateObservation) -> list[Move]:
    """States with rivals screen acquisitions of their firms (once)."""
    if obs.rivals() and not obs.public.screening[obs.me]:
        names = ", ".join(obs.public.states[r] for r in obs.rivals())
        return [(A.InvestmentScreening(on=True), f"screen acquisitions: rivals ({names}) could buy its firms in distress or for their technology")]
    return []


def lift_all(obs: StateObservation, limit: int) -> list[Move]:
    """Withdraw own controls and tariffs, a few per round."""
    pub, me, out = obs.public, obs.me, []
    for j, s in np.argwhere(pub.control[me])[:limit]:
        out.append((A.LiftControl(sector=pub.sectors[s], target=pub.states[j]),
                    "lift own barriers: controls cost our exporters sales"))
    for k, s in np.argwhere(pub.tariff[:, me, :] > 0)[: limit - len(out)]:
        out.append((A.SetTariff(partner=pub.states[k], sector=pub.sectors[s], rate=0.0),
                    "lift own barriers: tariffs tax our own buyers"))
    return out


def offer_trade_agreements(obs: StateObservation, limit: int = 1) -> list[Move]:
    """Offer a trade agreement to the biggest suppliers that are not rivals and have none with us."""
    pub, me = obs.public, obs.me
    volume = pub.supply_share[me].sum(axis=1)  # (N,) summed shares across sectors
    out = []
    for k in np.argsort(-volume, kind="stable"):
        k = int(k)
        if k == me or pub.rivals[me, k] or pub.trade_agreement[me, k] or pub.offers_trade[me, k]:
            continue
        out.append((A.TradeAgreement(partner=pub.states[k]),
                    f"open markets: offer a trade agreement to {pub.states[k]}, a main supplier"))
        if len(out) >= limit:
            break
    return out


def import_substitution(obs: StateObservation, amount: float, sectors: int = 1) -> list[Move]:
    """Subsidise home R&D and capacity in the most critical sectors others control or embargo to us."""
    pub = obs.public
    hit = sorted({s for _, s in obs.controls_on_me()}, key=lambda s: -pub.criticality[s])[:sectors]
    if not hit or not money(amount):
        return []
    each = amount / (2 * len(hit))
    out: list[Move] = []
    for s in hit:
        by = ", ".join(pub.states[k] for k, t in obs.controls_on_me() if t == s)
        why = f"import substitution: {pub.labels[s]} is controlled or embargoed against us by {by}"
        out += [(A.Subsidy(sector=pub.sectors[s], target="rd", amount=each), why),
                (A.Subsidy(sector=pub.sectors[s], target="capacity", amount=each), why)]
    return out


def reshore(obs: StateObservation, amount: float, min_dependence: float) -> list[Move]:
    """Capacity subsidy where a rival holds the largest share of a strategic sector we buy;
    with no home firm there, the subsidy founds a national champion."""
    if not money(amount):
        return []
    for _, r, s in top_rival_dependence(obs, min_dependence):
        pub = obs.public
        dep = pub.supply_share[obs.me, r, s]
        return [(A.Subsidy(sector=pub.sectors[s], target="capacity", amount=amount),
                 f"reshore: {pub.states[r]} supplies {pct(dep)} of our {pub.labels[s]}")]
    return []


def stockpile(obs: StateObservation, amount: float, min_dependence: float, book: dict, max_buys: int) -> list[Move]:
    """Stockpile the strategic input most dependent on a rival: up to `max_buys` purchases,
    and again once a disruption has drawn the stock below half its peak. `book` is the
    doctrine's own record, sector -> (purchases, peak stock)."""
    if not money(amount):
        return []
    pub, me = obs.public, obs.me
    for _, r, s in top_rival_dependence(obs, min_dependence):
        held = float(pub.stockpile[me, s])
        buys, peak = book.get(s, (0, 0.0))
        drawn = peak > 0 and held < 0.5 * peak
        if buys >= max_buys and not drawn:
            continue
        book[s] = (0 if drawn else buys + 1, max(peak, held))
        why = "refill the stockpile drawn in a disruption" if drawn else "stockpile"
        return [(A.Stockpile(sector=pub.sectors[s], amount=amount),
                 f"{why}: {pub.states[r]} supplies {pct(pub.supply_share[me, r, s])} of our {pub.labels[s]}")]
    return []


def diversify(obs: StateObservation, amount: float, concentration: float, rivals_only: bool) -> list[Move]:
    """Spend to move supply of a strategic sector away from its most concentrated supplier."""
    if not money(amount):
        return []
    pub = obs.public
    for share, k, s in concentrated_suppliers(obs, concentration):
        if rivals_only and not pub.rivals[obs.me, k]:
            continue
        return [(A.Diversify(sector=pub.sectors[s], away_from=pub.states[k], amount=amount),
                 f"diversify: {pub.states[k]} supplies {pct(share)} of our {pub.labels[s]}")]
    return []


def joint_rd(obs: StateObservation, amount: float) -> list[Move]:
    """Pool R&D with cleared partners in the dual-use sector where a rival is closest behind us."""
    pub, me = obs.public, obs.me
    partners = [int(k) for k in np.flatnonzero(pub.security[me]) if k != me]
    if not partners or not money(amount) or not obs.rivals():
        return []
    dual = np.flatnonzero(pub.dual_use)
    if not len(dual):
        return []
    # The margin over the closest rival, in each dual-use sector: pool where it is thinnest.
    margin = {int(s): min(obs.lead(s, r) for r in obs.rivals()) for s in dual}
    s = min(margin, key=lambda x: (margin[x], -pub.criticality[x]))
    names = [pub.states[k] for k in partners]
    return [(A.JointRD(sector=pub.sectors[s], partners=names, amount=amount),
             f"pool R&D with {', '.join(names)}: our lead in {pub.labels[s]} is thinnest ({margin[s]:+.2f})")]


def exclude_vendors(obs: StateObservation, min_share: float) -> list[Move]:
    """Exclude a rival's vendors from critical infrastructure in strategic dual-use sectors
    where they hold a real share of our market (the 5G decisions of 2019-20)."""
    pub, me = obs.public, obs.me
    for r in obs.rivals():
        for s in np.flatnonzero(pub.dual_use & (pub.criticality >= STRATEGIC)):
            if pub.exclusion[me, r, s] or pub.supply_share[me, r, s] < min_share:
                continue
            return [(A.ImportExclusion(sector=pub.sectors[s], rival=pub.states[r]),
                     (f"exclude vendors: {pub.states[r]} holds {pct(pub.supply_share[me, r, s])} of our "
                      f"{pub.labels[s]} (critical infrastructure)"))]
    return []


def keep_secret(obs: StateObservation, sectors: list[int], margin: float) -> list[Move]:
    """Stop publishing patents in fenced sectors where a rival is within `margin` of us."""
    pub, me = obs.public, obs.me
    for s in sectors:
        if pub.secrecy[me, s] or not obs.rivals():
            continue
        gap = min(obs.lead(s, r) for r in obs.rivals())
        if gap < margin:
            return [(A.PatentSecrecy(sector=pub.sectors[s]),
                     f"patents secret: a rival is within {gap:.2f} of our {pub.labels[s]}")]
    return []
