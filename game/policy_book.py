"""Checks each ordered action against the rules and applies the legal ones.

One handler per action kind. A handler first checks (raising IllegalAction
with the reason a player would want to read), then changes the policy arrays.
A state's actions change its own policies and offers (proposals and demands
wait for the coordinate phase), so the order in which states are processed
does not change the world a round produces.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from game import actions as A
from game.errors import IllegalAction
from game.scenario import Params
from game.world import Listing, World

COERCION_MIN_SHARE = 0.3  # a threat is only credible from a state holding this much world supply


@dataclass
class Proposal:
    """A coordinated export control, answered by partners in the coordinate phase."""

    proposer: int
    action: A.ExportControl
    partners: list[int]
    sector: int
    target: int
    source: str = "strategy"


@dataclass
class Demand:
    coercer: int
    target: int
    sector: int


@dataclass
class RoundContext:
    """What a round's orders accumulate before the coordinate and resolve phases."""

    budget: np.ndarray  # (N,) remaining this round
    spent: np.ndarray  # (N,)
    counts: np.ndarray  # (N,) actions taken
    rd_subsidy: np.ndarray  # (N, S) $ for home firms' R&D
    rd_knowledge: np.ndarray  # (N, S) R&D results shared by joint-programme partners (no money)
    capacity_subsidy: np.ndarray  # (N, S)
    attempts: np.ndarray  # (N,) coercion attempts made
    conceded: np.ndarray  # (N,) concessions made (as the coerced state)
    proposals: list[Proposal] = field(default_factory=list)
    demands: list[Demand] = field(default_factory=list)
    locks: frozenset[tuple[int, int, int]] = frozenset()  # (state, target, sector) fixed by an experiment
    source: str = "strategy"  # who ordered the action being applied


class PolicyBook:
    """Applies actions to a world. Stateless apart from the world it is given."""

    def __init__(self, world: World, params: Params):
        self.world = world
        self.params = params
        self._handlers: dict[str, Callable] = {
            "set_tariff": self._set_tariff,
            "trade_agreement": self._trade_agreement,
            "security_agreement": self._security_agreement,
            "export_control": self._export_control,
            "lift_control": self._lift_control,
            "import_exclusion": self._import_exclusion,
            "investment_screening": self._investment_screening,
            "patent_secrecy": self._patent_secrecy,
            "subsidy": self._subsidy,
            "stockpile": self._stockpile,
            "joint_rd": self._joint_rd,
            "coerce": self._coerce,
            "embargo": self._embargo,
            "lift_embargo": self._lift_embargo,
            "diversify": self._diversify,
            "stance": self._stance,
            "hold": lambda ctx, i, a: None,
        }

    # -- lookups -----------------------------------------------------------
    def state(self, name: str, field_name: str = "state") -> int:
        try:
            return self.world.states.names.index(name)
        except ValueError:
            raise IllegalAction(f"unknown {field_name} {name!r}") from None

    def sector(self, name: str) -> int:
        try:
            return self.world.sectors.names.index(name)
        except ValueError:
            raise IllegalAction(f"unknown sector {name!r}") from None

    def other(self, i: int, name: str, field_name: str = "target") -> int:
        j = self.state(name, field_name)
        if j == i:
            raise IllegalAction(f"{field_name} cannot be oneself")
        return j

    def label(self, s: int) -> str:
        return self.world.sectors.labels[s]

    def name(self, i: int) -> str:
        return self.world.states.names[i]

    # -- entry point -------------------------------------------------------
    def apply(self, ctx: RoundContext, i: int, action: A.Action, source: str = "strategy") -> str | None:
        """Apply one action of state i; return its plain-words description, or raise IllegalAction."""
        ctx.source = source
        # Experiment orders are the analyst's, not the state's: they use none of its action limit.
        if action.kind not in ("hold", "stance") and source != "experiment":
            if ctx.counts[i] >= self.params.max_actions:
                raise IllegalAction(f"over the limit of {self.params.max_actions} actions per round")
            ctx.counts[i] += 1
        self._locked_check(ctx, i, action, source)
        return self._handlers[action.kind](ctx, i, action)

    def _locked_check(self, ctx: RoundContext, i: int, action: A.Action, source: str) -> None:
        if source == "experiment" or not ctx.locks or action.kind not in ("export_control", "lift_control"):
            return
        key = (i, self.state(action.target), self.sector(action.sector))
        if key in ctx.locks:
            raise IllegalAction("this control is fixed by the experiment being run")

    def _spend(self, ctx: RoundContext, i: int, amount: float) -> None:
        if amount > ctx.budget[i] + 1e-9:
            raise IllegalAction(f"costs {amount:.2f}bn, over the {ctx.budget[i]:.2f}bn left in this round's budget")
        ctx.budget[i] -= amount
        ctx.spent[i] += amount

    def _stance(self, ctx, i, a: A.Stance):
        # The answers themselves live in the seat's strategy (GeoModel applies them);
        # here only the plain words for the log.
        join = "will join" if a.accept_proposals else "will not join"
        give = "concede to" if a.concede else "resist"
        return f"{self.name(i)} set its answers: it {join} coalition proposals and will {give} coercion"

    # -- trade -------------------------------------------------------------
    def _set_tariff(self, ctx, i, a: A.SetTariff):
        j, s = self.other(i, a.partner, "partner"), self.sector(a.sector)
        if a.rate > 0 and self.world.states.trade_agreement[i, j]:
            raise IllegalAction(f"{self.name(i)} has a trade agreement with {a.partner}: no tariffs between members")
        self.world.policy.tariff[j, i, s] = a.rate
        if a.rate == 0:
            return f"{self.name(i)} lifted its tariff on {a.partner}'s {self.label(s)}"
        return f"{self.name(i)} set a {a.rate:.0%} tariff on {a.partner}'s {self.label(s)}"

    def _pact(self, i: int, a, matrix: np.ndarray, offers: np.ndarray, what: str) -> str:
        j = self.other(i, a.partner, "partner")
        if not a.join:
            matrix[i, j] = matrix[j, i] = False
            offers[i, j] = False
            return f"{self.name(i)} left its {what} with {a.partner}"
        if matrix[i, j]:
            raise IllegalAction(f"already in a {what} with {a.partner}")
        offers[i, j] = True
        if offers[j, i]:
            matrix[i, j] = matrix[j, i] = True
            offers[i, j] = offers[j, i] = False
            return f"{self.name(i)} and {a.partner} signed a {what}"
        return f"{self.name(i)} offered a {what} to {a.partner}"

    def _trade_agreement(self, ctx, i, a: A.TradeAgreement):
        st = self.world.states
        text = self._pact(i, a, st.trade_agreement, self.world.policy.offers_trade, "trade agreement")
        if st.trade_agreement[i].any():  # members drop tariffs on each other
            partners = st.trade_agreement[i]
            self.world.policy.tariff[partners, i, :] = 0.0
            self.world.policy.tariff[i, partners, :] = 0.0
        return text

    def _security_agreement(self, ctx, i, a: A.SecurityAgreement):
        return self._pact(i, a, self.world.states.security, self.world.policy.offers_security, "security agreement")

    # -- controls ----------------------------------------------------------
    def _control_target(self, i: int, a) -> tuple[int, int]:
        j, s = self.other(i, a.target), self.sector(a.sector)
        if not self.world.sectors.dual_use[s]:
            raise IllegalAction(f"{self.label(s)} is not a dual-use sector: exports cannot be controlled")
        return j, s

    def _export_control(self, ctx, i, a: A.ExportControl):
        j, s = self._control_target(i, a)
        partners = [self.other(i, p, "partner") for p in a.partners]
        if j in partners:
            raise IllegalAction("the target cannot be a partner of its own control")
        if a.coordinated:
            outsiders = [self.name(p) for p in partners if not self.world.states.same_bloc[i, p]]
            if outsiders:
                raise IllegalAction(f"not in a bloc with {self.name(i)}: {', '.join(outsiders)}")
            if a.min_partners > len(partners):
                raise IllegalAction(f"min_partners {a.min_partners} exceeds the {len(partners)} partners asked")
            members = self.world.coalitions.get((i, j, s), set())
            asked = [p for p in partners if p not in members]
            if not asked and self.world.policy.control[i, j, s]:
                return None  # nothing new to ask and the control already stands
            ctx.proposals.append(Proposal(i, a, asked, s, j, ctx.source))
            return (
                f"{self.name(i)} proposed coordinated {a.scope} controls on {self.label(s)} to "
                f"{a.target}, asking {', '.join(self.name(p) for p in asked) or 'no new partner'}"
            )
        if a.entities:
            return self._list_entities(i, j, s, a)
        self.impose_control(i, j, s, a)
        what = (f"{a.scope} exports of {self.label(s)}" if a.scope == "broad" else
                f"exports of {self.label(s)} above {a.threshold:.0%} of the frontier"
                f"{'' if a.tracking else ' as listed today'}")
        reach = (f", also made abroad with more than {a.de_minimis:.0%} of its technology"
                 if a.direct_product else "")
        if a.licence_approval is not None:
            return (f"{self.name(i)} required licences for {what} to {a.target}{reach} "
                    f"(about {a.licence_approval:.0%} approved)")
        return f"{self.name(i)} put export controls on {what} to {a.target}{reach}"

    def impose_control(self, i: int, j: int, s: int, a: A.ExportControl) -> None:
        pol = self.world.policy
        pol.control[i, j, s] = True
        pol.control_broad[i, j, s] = a.scope == "broad"
        pol.control_share[i, j, s] = a.threshold
        frontier = self.world.sectors.frontier[s]
        pol.control_fixed[i, j, s] = np.nan if a.tracking else a.threshold * frontier
        # A frozen control lists the goods of its day: products beyond today's frontier are not on it.
        pol.control_cap[i, j, s] = np.inf if a.tracking or a.scope == "broad" else frontier
        pol.enforcement[i, j, s] = a.enforcement
        pol.control_approval[i, j, s] = 0.0 if a.licence_approval is None else a.licence_approval
        pol.control_dpr[i, j, s] = a.direct_product
        pol.control_de_minimis[i, j, s] = a.de_minimis

    def _list_entities(self, i: int, j: int, s: int, a: A.ExportControl) -> str:
        """Put firms of the target on an entity list for the sector's goods."""
        if a.coordinated:
            raise IllegalAction("an entity listing is each state's own: order it without coordinated")
        f = self.world.firms
        ids = []
        for name in a.entities:
            k = next((k for k, x in enumerate(f.names) if x == name and f.alive[k]), None)
            if k is None:
                raise IllegalAction(f"no firm named {name!r} in the game")
            if f.home[k] != j:
                raise IllegalAction(f"{name} is a firm of {self.name(int(f.home[k]))}, not of {a.target}")
            ids.append(int(f.ids[k]))
        self.world.policy.listings[(i, s)] = Listing(
            firms=tuple(sorted(ids)), target=j, enforcement=a.enforcement,
            approval=0.0 if a.licence_approval is None else a.licence_approval,
            direct_product=a.direct_product, de_minimis=a.de_minimis,
        )
        reach = (f" and goods made abroad with more than {a.de_minimis:.0%} of its technology"
                 if a.direct_product else "")
        return (f"{self.name(i)} put {', '.join(a.entities)} on its entity list for {self.label(s)} "
                f"(goods made in {self.name(i)}{reach})")
    def _lift_control(self, ctx, i, a: A.LiftControl):
        j, s = self._control_target(i, a)
        pol = self.world.policy
        listing = pol.listings.get((i, s))
        if listing is not None and listing.target == j and not pol.control[i, j, s]:
            del pol.listings[(i, s)]
            return f"{self.name(i)} took {a.target}'s firms off its entity list for {self.label(s)}"
        if not pol.control[i, j, s]:
            raise IllegalAction(f"no control of {self.name(i)} on {self.label(s)} to {a.target} to lift")
        pol.control[i, j, s] = False
        for (_, target, sector), members in self.world.coalitions.items():
            if (target, sector) == (j, s):
                members.discard(i)
        return f"{self.name(i)} lifted its export controls on {self.label(s)} to {a.target}"

    def _import_exclusion(self, ctx, i, a: A.ImportExclusion):
        k, s = self.other(i, a.rival, "rival"), self.sector(a.sector)
        self.world.policy.exclusion[i, k, s] = a.on
        verb = "excluded" if a.on else "readmitted"
        return f"{self.name(i)} {verb} {a.rival}'s {self.label(s)} vendors from critical infrastructure"

    def _investment_screening(self, ctx, i, a: A.InvestmentScreening):
        self.world.policy.screening[i] = a.on
        return f"{self.name(i)} {'started' if a.on else 'stopped'} screening foreign acquisitions"

    def _patent_secrecy(self, ctx, i, a: A.PatentSecrecy):
        s = self.sector(a.sector)
        self.world.policy.secrecy[i, s] = a.on
        return f"{self.name(i)} {'stopped' if a.on else 'resumed'} publishing patents in {self.label(s)}"

    # -- subsidies ---------------------------------------------------------
    def _subsidy(self, ctx, i, a: A.Subsidy):
        s = self.sector(a.sector)
        self._spend(ctx, i, a.amount)
        (ctx.rd_subsidy if a.target == "rd" else ctx.capacity_subsidy)[i, s] += a.amount
        what = "R&D" if a.target == "rd" else "capacity"
        return f"{self.name(i)} paid {a.amount:.1f}bn of {what} subsidies in {self.label(s)}"

    def _stockpile(self, ctx, i, a: A.Stockpile):
        s = self.sector(a.sector)
        self._spend(ctx, i, a.amount)
        # Held in real units (the sector's quality-adjusted composite) bought at this
        # round's price index, from outside the modelled market (a simplification).
        self.world.policy.stockpile[i, s] += a.amount / self.world.market.P[i, s]
        return f"{self.name(i)} bought a {a.amount:.1f}bn stockpile of {self.label(s)}"

    def _joint_rd(self, ctx, i, a: A.JointRD):
        s = self.sector(a.sector)
        partners = [self.other(i, p, "partner") for p in a.partners]
        if not partners:
            raise IllegalAction("a joint R&D programme needs at least one partner")
        missing = [self.name(p) for p in partners if not self.world.states.security[i, p]]
        if missing:
            raise IllegalAction(f"no security agreement (clearance) with {', '.join(missing)}")
        self._spend(ctx, i, a.amount)
        members = [i, *partners]
        # The contribution funds R&D in every member's firms, split by member; each member
        # also learns from what the others' shares find (knowledge is not used up by
        # sharing), so a pooled dollar buys more quality than a national one.
        share = a.amount / len(members)
        for m in members:
            ctx.rd_subsidy[m, s] += share
            ctx.rd_knowledge[m, s] += self.params.joint_rd_spillover * (a.amount - share)
        return f"{self.name(i)} funded a {a.amount:.1f}bn joint R&D programme in {self.label(s)} with {', '.join(a.partners)}"

    def _diversify(self, ctx, i, a: A.Diversify):
        k, s = self.other(i, a.away_from, "away_from"), self.sector(a.sector)
        self._spend(ctx, i, a.amount)
        pol, m = self.world.policy, self.world.market
        spend_scale = m.X0[i, s] * m.p_ref[s]  # one year of the state's purchases of the sector
        step = a.amount / max(spend_scale, 1e-9)
        pol.diversify_target[i, k, s] = min(self.params.diversification_max, pol.diversify_target[i, k, s] + step)
        return f"{self.name(i)} spent {a.amount:.1f}bn to diversify {self.label(s)} supply away from {a.away_from}"

    # -- coercion ----------------------------------------------------------
    def capacity_share(self, i: int, s: int) -> float:
        f = self.world.firms
        in_sector = (f.sector == s) & f.alive
        total = f.capacity[in_sector].sum()
        return float(f.capacity[in_sector & (f.home == i)].sum() / total) if total > 0 else 0.0

    def _coerce(self, ctx, i, a: A.Coerce):
        j, s = self.other(i, a.target), self.sector(a.sector)
        share = self.capacity_share(i, s)
        if share < COERCION_MIN_SHARE:
            raise IllegalAction(
                f"{self.name(i)} holds {share:.0%} of world {self.label(s)} capacity: "
                f"a threat needs at least {COERCION_MIN_SHARE:.0%}"
            )
        if any(d.coercer == i and d.target == j for d in ctx.demands):
            raise IllegalAction(f"already coercing {a.target} this round")
        ctx.demands.append(Demand(i, j, s))
        return f"{self.name(i)} demanded a concession from {a.target}, threatening an embargo on {self.label(s)}"

    def _embargo(self, ctx, i, a: A.Embargo):
        j, s = self.other(i, a.target), self.sector(a.sector)
        self.start_embargo(i, j, s, a.rounds)
        return f"{self.name(i)} halted exports of {self.label(s)} to {a.target}"

    def start_embargo(self, i: int, j: int, s: int, rounds: int) -> None:
        """Embargo from this round on, and the target's diversification programme away from i."""
        pol = self.world.policy
        pol.embargo_until[i, j, s] = max(pol.embargo_until[i, j, s], self.world.round + rounds - 1)
        pol.diversify_target[j, i, s] = max(pol.diversify_target[j, i, s], self.params.diversification_max)

    def _lift_embargo(self, ctx, i, a: A.LiftEmbargo):
        j, s = self.other(i, a.target), self.sector(a.sector)
        pol = self.world.policy
        if pol.embargo_until[i, j, s] < self.world.round:
            raise IllegalAction(f"no embargo of {self.name(i)} on {self.label(s)} to {a.target} to lift")
        pol.embargo_until[i, j, s] = 0
        return f"{self.name(i)} lifted its embargo on {self.label(s)} to {a.target}"

    def concede(self, coercer: int, target: int, locks: frozenset = frozenset()) -> list[str]:
        """The target withdraws its measures against the coercer (except controls an
        experiment fixes); returns what it lifted."""
        pol = self.world.policy
        lifted = []
        free = np.array([(target, coercer, s) not in locks for s in range(self.world.sectors.n)])
        if (pol.control[target, coercer] & free).any():
            pol.control[target, coercer] &= ~free
            lifted.append("export controls")
        if pol.tariff[coercer, target].any():
            pol.tariff[coercer, target] = 0.0
            lifted.append("tariffs")
        if pol.exclusion[target, coercer].any():
            pol.exclusion[target, coercer] = False
            lifted.append("vendor exclusions")
        return lifted
