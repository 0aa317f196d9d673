"""The world's numeric state: numpy arrays owned by the model.

States are indexed 0..N-1, sectors 0..S-1, firms 0..F-1 with firms kept sorted
by sector so per-sector sums are one `np.add.reduceat`. Mesa agents read
through into these arrays by index; nothing is copied back and forth.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from game.scenario import Scenario

OBJECTIVES = ("welfare", "security", "technology", "cohesion")


@dataclass
class StateArrays:
    names: list[str]
    gdp: np.ndarray  # (N,) $bn per round
    budget_share: np.ndarray  # (N,)
    objectives: np.ndarray  # (N, 4) welfare, security, technology, cohesion
    resolve: np.ndarray  # (N,)
    same_bloc: np.ndarray  # (N, N) bool: share at least one bloc
    tech_sharing: np.ndarray  # (N, N) bool
    security: np.ndarray  # (N, N) bool: security agreement (clearance)
    trade_agreement: np.ndarray  # (N, N) bool
    rivals: np.ndarray  # (N, N) bool: row treats column as a rival
    trust: np.ndarray  # (N, N) trust of row in column
    trust0: np.ndarray  # (N, N) scenario trust, the level trust relaxes back to
    bloc_of: list[list[str]]  # bloc names per state
    blocs: dict[str, list[int]]  # bloc name -> member indices
    # Each state as a route for controlled goods (re-exports; game/rules/leakage.py).
    transit_capacity: np.ndarray | None = None  # (N,) share of a sector's world market re-exportable per round
    transit_cost: np.ndarray | None = None  # (N,) ad valorem cost of the route
    transit_policing: np.ndarray | None = None  # (N,) share of a controller's enforcement that reaches it

    @property
    def n(self) -> int:
        return len(self.names)


@dataclass
class SectorArrays:
    names: list[str]
    labels: list[str]
    demand_share: np.ndarray  # (S,)
    sigma: np.ndarray  # (S,)
    supply_elasticity: np.ndarray  # (S,) utilisation / target = price factor ** this
    markup: np.ndarray  # (S,) price over unit cost at normal utilisation
    tier_share: np.ndarray  # (S, T) share of a firm's capacity in each product tier (0 = padding)
    tier_quality: np.ndarray  # (S, T) tier quality relative to the firm's best
    criticality: np.ndarray  # (S,)
    dual_use: np.ndarray  # (S,) bool
    frontier: np.ndarray  # (S,) absolute technology frontier
    frontier_growth: np.ndarray  # (S,)
    inputs: np.ndarray  # (S, S) need of row sector for column input
    # Normal-year revenue of the sector's average firm in the starting year ($bn), the
    # scale R&D is measured against (set on the first round, like the other references).
    rd_scale: np.ndarray | None = None

    @property
    def n(self) -> int:
        return len(self.names)


@dataclass
class FirmArrays:
    """Per-firm arrays, sorted by sector. `ids` are stable across re-sorting."""

    ids: np.ndarray  # (F,) int64
    names: list[str]
    home: np.ndarray  # (F,) int: where it produces
    owner: np.ndarray  # (F,) int: the state its owners are from (changes on a foreign acquisition)
    sector: np.ndarray  # (F,) int
    capacity: np.ndarray
    quality: np.ndarray  # absolute; divide by the sector's frontier for 0..1
    cost: np.ndarray
    compliance: np.ndarray
    appeal: np.ndarray  # calibrated taste weight: the starting shares are an equilibrium
    strategy: np.ndarray  # (F,) int code into the firm strategy registry order
    key: np.ndarray  # (F,) uint64 per-firm random stream key
    cash: np.ndarray
    alive: np.ndarray  # bool
    loss_rounds: np.ndarray  # consecutive rounds with a loss
    circumvent: np.ndarray  # bool: this round's choice
    rd_share: np.ndarray  # share of revenue spent on R&D
    lam: np.ndarray  # price factor from last clearing (warm start)
    ties: np.ndarray  # (F, N) last round's share of each market's purchases (supplier relationships)
    revenue: np.ndarray
    profit: np.ndarray
    sales: np.ndarray
    rd_spend: np.ndarray
    input_factor: np.ndarray  # usable / capacity last round (what the firm saw of its input shortages)
    tech_fixed: np.ndarray  # (F, N) technology content by origin given by the scenario (nan: from inputs)
    entity_factor: np.ndarray  # (F,) usable share of capacity left by entity listings (next round)
    sold_to_listed: np.ndarray  # (F,) units sold to entity-listed firms this round
    sized_for: np.ndarray  # (F,) revenue the firm's organisation is sized for (its overhead base)
    overhead_rate: np.ndarray  # (F,) its overhead as a share of that revenue (set in the starting year)
    reserve: np.ndarray  # (F,) owners' reservation premium over a sale's price (starting year; nan until set)
    seller: np.ndarray  # (F,) int: the state whose owners sold the firm abroad (-1: never sold)
    sale_income: np.ndarray  # (F,) what its sellers were paid, as a yearly annuity (price / deal_multiple)
    parent: np.ndarray  # (F,) int: id of the firm that bought it (its group's head; -1: independent)

    @property
    def n(self) -> int:
        return len(self.ids)

    def group(self) -> np.ndarray:
        """(F,) each firm's ownership group: the id of the firm at its head (its own id if
        independent). A buyer's earlier acquisitions are one business with it."""
        return np.where(self.parent >= 0, self.parent, self.ids)

    def take(self, order: np.ndarray) -> None:
        """Reorder every per-firm array (along the firm axis) in place of the old ones."""
        for name, value in vars(self).items():
            if isinstance(value, np.ndarray):
                setattr(self, name, value[order])
            elif name == "names":
                self.names = [value[i] for i in order]


@dataclass(frozen=True)
class Listing:
    """An entity list: firms (by id) denied a sector's goods from the controller."""

    firms: tuple[int, ...]
    target: int
    enforcement: float
    approval: float  # licence approval rate (0 = a ban)
    direct_product: bool
    de_minimis: float


@dataclass
class PolicyArrays:
    """Policies in force. Index order is always (actor, other, sector)."""

    tariff: np.ndarray  # (N exporter, N importer, S): set by the importer
    control: np.ndarray  # (N controller, N target, S) bool
    control_broad: np.ndarray  # bool
    control_share: np.ndarray  # narrow threshold as a share of the frontier
    control_fixed: np.ndarray  # absolute threshold when not tracking (nan = tracking)
    control_cap: np.ndarray  # a frozen list's upper end: the frontier when it was set (inf = tracking)
    control_approval: np.ndarray  # (N, N, S) licence approval rate (0 = a ban)
    control_dpr: np.ndarray  # (N, N, S) bool: reaches foreign goods with the controller's technology
    control_de_minimis: np.ndarray  # (N, N, S) the controller's technology share above which it reaches
    enforcement: np.ndarray  # (N, N, S)
    embargo_until: np.ndarray  # (N, N, S) int: last round an embargo holds (0 = none)
    exclusion: np.ndarray  # (N importer, N exporter, S) bool
    screening: np.ndarray  # (N,) bool
    secrecy: np.ndarray  # (N, S) bool
    stockpile: np.ndarray  # (N, S) quantity held
    diversification: np.ndarray  # (N importer, N supplier, S) 0..1 shift away
    diversify_target: np.ndarray  # (N, N, S) level the programme moves toward
    risk: np.ndarray  # (N importer, N supplier, S) discount on suppliers that restrict exports
    offers_trade: np.ndarray  # (N, N) bool pending signatures
    offers_security: np.ndarray  # (N, N) bool
    # Entity lists: (controller, sector) -> the listing in force (few, so a dict).
    listings: dict[tuple[int, int], Listing] = field(default_factory=dict)


@dataclass
class MarketState:
    """Results of the latest clearing, the calibrated share parameters and the
    starting year's reference levels (welfare is measured against them)."""

    E0: np.ndarray  # (N, S) reference spending per round ($bn)
    X0: np.ndarray  # (N, S) reference physical quantity bought (at the calibrated start)
    P0: np.ndarray  # (N, S) reference price index
    p_ref: np.ndarray  # (S,) reference unit price (mean cost x markup)
    armington: np.ndarray  # (N exporter, N importer, S) calibrated share parameters
    flows: np.ndarray  # (F, N) quantities
    P: np.ndarray  # (N, S)
    received: np.ndarray  # (N, S) physical quantity received
    input_access: np.ndarray  # (N, S) 0..1, used next round as the bottleneck
    usable: np.ndarray  # (F,) usable capacity this round
    supply_share: np.ndarray | None = None  # (N importer, N origin, S) last round's value shares
    # The starting year (round 0), set when it is resolved; welfare is against these.
    Q0: np.ndarray | None = None  # (N, S) real (quality-adjusted CES) quantity consumed
    spent0: np.ndarray | None = None  # (N, S) buyers' spending
    qbar0: np.ndarray | None = None  # (S,) capacity-weighted mean quality of the sector
    surplus0: np.ndarray | None = None  # (N,) operating surplus of the firms each state owns
    duty0: np.ndarray | None = None  # (N,) tariff revenue
    inputs0: np.ndarray | None = None  # (N, S) relative quality of what each state received


@dataclass
class World:
    states: StateArrays
    sectors: SectorArrays
    firms: FirmArrays
    policy: PolicyArrays
    market: MarketState | None = None
    round: int = 0
    next_firm_id: int = 0
    # Coalitions: one record per coordinated control (for cohesion and events).
    coalitions: dict[tuple[int, int, int], set[int]] = field(default_factory=dict)

    def embargo_active(self) -> np.ndarray:
        """(N, N, S) embargoes in force this round (embargo_until 0 means none)."""
        return (self.policy.embargo_until >= self.round) & (self.policy.embargo_until > 0)

    def sector_starts(self) -> np.ndarray:
        """Index of each sector's first firm (firms are sorted by sector)."""
        return np.searchsorted(self.firms.sector, np.arange(self.sectors.n))

    def relative_quality(self) -> np.ndarray:
        return self.firms.quality / self.sectors.frontier[self.firms.sector]


def _pair_matrix(n: int, index: dict[str, int], groups: list[list[str]]) -> np.ndarray:
    m = np.zeros((n, n), dtype=bool)
    for members in groups:
        ids = [index[x] for x in members]
        m[np.ix_(ids, ids)] = True
    np.fill_diagonal(m, False)
    return m


def build_states(sc: Scenario) -> StateArrays:
    names = list(sc.states)
    index = {n: i for i, n in enumerate(names)}
    n = len(names)
    specs = list(sc.states.values())
    blocs = list(sc.blocs.values())
    same_bloc = _pair_matrix(n, index, [b.members for b in blocs])
    rivals = np.zeros((n, n), dtype=bool)
    for i, st in enumerate(specs):
        for r in st.rivals:
            rivals[i, index[r]] = True
    trust = np.full((n, n), sc.trust.other)
    trust[same_bloc] = sc.trust.same_bloc
    trust[rivals | rivals.T] = sc.trust.rivals
    for pair, value in sc.trust.pairs.items():
        a, _, b = pair.partition("-")
        trust[index[a], index[b]] = trust[index[b], index[a]] = value
    np.fill_diagonal(trust, 1.0)
    return StateArrays(
        names=names,
        gdp=np.array([s.gdp for s in specs], dtype=float),
        budget_share=np.array([s.budget_share for s in specs]),
        objectives=np.array([[getattr(s.objectives, k) for k in OBJECTIVES] for s in specs]),
        resolve=np.array([s.resolve for s in specs]),
        same_bloc=same_bloc,
        tech_sharing=_pair_matrix(n, index, [b.members for b in blocs if b.tech_sharing]),
        security=_pair_matrix(n, index, [b.members for b in blocs if b.security_agreement]),
        trade_agreement=_pair_matrix(n, index, [b.members for b in blocs if b.trade_agreement]),
        rivals=rivals,
        trust=trust,
        trust0=trust.copy(),
        bloc_of=[[b for b, spec in sc.blocs.items() if name in spec.members] for name in names],
        blocs={b: [index[m] for m in spec.members] for b, spec in sc.blocs.items()},
        **transit_arrays(sc),
    )


def transit_arrays(sc: Scenario) -> dict[str, np.ndarray]:
    """(N,) route capacity, cost and policing: a state's `transit:` spec, else params' defaults."""
    p = sc.params
    out = {"transit_capacity": [], "transit_cost": [], "transit_policing": []}
    for st in sc.states.values():
        t = st.transit
        for key, name, default in (("transit_capacity", "capacity", p.transit_capacity),
                                   ("transit_cost", "route_cost", p.transit_cost),
                                   ("transit_policing", "policing", p.transit_policing)):
            value = None if t is None else getattr(t, name)
            out[key].append(default if value is None else value)
    return {k: np.array(v, dtype=float) for k, v in out.items()}


def tier_arrays(specs) -> dict[str, np.ndarray]:
    """(S, T) tier shares (normalised, 0 where a sector has fewer tiers) and relative qualities."""
    t = max(len(s.tiers) for s in specs)
    share, quality = np.zeros((len(specs), t)), np.ones((len(specs), t))
    for i, s in enumerate(specs):
        total = sum(x.share for x in s.tiers)
        share[i, : len(s.tiers)] = [x.share / total for x in s.tiers]
        quality[i, : len(s.tiers)] = [x.quality for x in s.tiers]
    return {"tier_share": share, "tier_quality": quality}


def build_sectors(sc: Scenario) -> SectorArrays:
    names = list(sc.sectors)
    index = {n: i for i, n in enumerate(names)}
    specs = list(sc.sectors.values())
    inputs = np.zeros((len(names), len(names)))
    for i, s in enumerate(specs):
        for r, need in s.inputs.items():
            inputs[i, index[r]] = need
    return SectorArrays(
        names=names,
        labels=[s.label or n.replace("_", " ") for n, s in zip(names, specs)],
        demand_share=np.array([s.demand_share for s in specs]),
        sigma=np.array([s.sigma for s in specs]),
        supply_elasticity=np.array([sc.params.price_flex if s.supply_elasticity is None else s.supply_elasticity
                                    for s in specs]),
        markup=np.array([sc.params.markup if s.markup is None else s.markup for s in specs]),
        **tier_arrays(specs),
        criticality=np.array([s.criticality for s in specs]),
        dual_use=np.array([s.dual_use for s in specs]),
        frontier=np.ones(len(names)),
        frontier_growth=np.array([s.frontier_growth for s in specs]),
        inputs=inputs,
    )


def empty_policy(n: int, s: int) -> PolicyArrays:
    z3 = lambda dtype=float: np.zeros((n, n, s), dtype=dtype)
    return PolicyArrays(
        tariff=z3(),
        control=z3(bool),
        control_broad=z3(bool),
        control_share=z3(),
        control_fixed=np.full((n, n, s), np.nan),
        control_cap=np.full((n, n, s), np.inf),
        control_approval=z3(),
        control_dpr=z3(bool),
        control_de_minimis=z3(),
        enforcement=z3(),
        embargo_until=z3(np.int64),
        exclusion=z3(bool),
        screening=np.zeros(n, dtype=bool),
        secrecy=np.zeros((n, s), dtype=bool),
        stockpile=np.zeros((n, s)),
        diversification=z3(),
        diversify_target=z3(),
        risk=z3(),
        offers_trade=np.zeros((n, n), dtype=bool),
        offers_security=np.zeros((n, n), dtype=bool),
    )


def new_firm_arrays(n: int) -> FirmArrays:
    f = lambda: np.zeros(n)
    return FirmArrays(
        ids=np.arange(n, dtype=np.int64),
        names=[""] * n,
        home=np.zeros(n, dtype=np.int64),
        owner=np.zeros(n, dtype=np.int64),
        sector=np.zeros(n, dtype=np.int64),
        capacity=f(),
        quality=f(),
        cost=f(),
        compliance=f(),
        appeal=np.ones(n),
        strategy=np.zeros(n, dtype=np.int64),
        key=np.zeros(n, dtype=np.uint64),
        cash=f(),
        alive=np.ones(n, dtype=bool),
        loss_rounds=np.zeros(n, dtype=np.int64),
        circumvent=np.zeros(n, dtype=bool),
        rd_share=np.full(n, 0.1),
        lam=np.ones(n),
        ties=np.zeros((n, 0)),
        revenue=f(),
        profit=f(),
        sales=f(),
        rd_spend=f(),
        input_factor=np.ones(n),
        tech_fixed=np.full((n, 0), np.nan),
        entity_factor=np.ones(n),
        sold_to_listed=f(),
        sized_for=f(),
        overhead_rate=f(),
        reserve=np.full(n, np.nan),
        seller=np.full(n, -1, dtype=np.int64),
        sale_income=f(),
        parent=np.full(n, -1, dtype=np.int64),
    )


def append_firm(f: FirmArrays, **values) -> None:
    """Add one firm at the end (the caller re-sorts). Unnamed fields take new-firm defaults;
    a newcomer has no supplier relationships yet."""
    fresh = new_firm_arrays(1)
    for name, value in vars(fresh).items():
        if name == "names":
            f.names = f.names + [values.get("name", "")]
        elif name in ("ties", "tech_fixed"):
            fill = 0.0 if name == "ties" else np.nan
            setattr(f, name, np.vstack([getattr(f, name), np.full((1, getattr(f, name).shape[1]), fill)]))
        elif isinstance(value, np.ndarray):
            v = values.get(name, value[0])
            setattr(f, name, np.append(getattr(f, name), np.asarray(v, dtype=value.dtype)))


def sourcing_targets(sc: Scenario, names: list[str]) -> np.ndarray:
    """(S, N origin, N importer) base-year bilateral shares from the scenario (nan = not given)."""
    index = {n: i for i, n in enumerate(names)}
    out = np.full((len(sc.sectors), len(names), len(names)), np.nan)
    for s, spec in enumerate(sc.sectors.values()):
        for importer, by_origin in spec.sourcing.items():
            for origin, share in by_origin.items():
                out[s, index[origin], index[importer]] = share
    return out
