"""State strategies of MODEL.md, one class each: a doctrine of rules in order of priority.

Each `plan` returns (action, rule) moves; the engine orders the first `max_actions` of
them and the event log shows the rule that fired. One-off measures (a control, a
screening regime, an exclusion, secrecy) are ordered once and stay in force, so later
rounds' actions go to the recurring ones (subsidies, stockpiles, diversification).
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from agents.strategies import moves as M
from agents.strategies.base import DemandView, Move, ProposalView, StateStrategy
from agents.strategies.learning import PostureBandit
from game import actions as A
from game.observation import StateObservation


def hostile_acts(obs: StateObservation) -> dict[int, set[str]]:
    """Who did what against us last round: offender -> event kinds."""
    out: dict[int, set[str]] = {}
    for e in obs.events_against_me("control", "embargo", "tariff", "resisted", "demand"):
        if e.actor != obs.name and e.actor in obs.public.states:
            out.setdefault(obs.public.index(e.actor), set()).add(e.kind)
    return out


# -- strategies --------------------------------------------------------------
class FreeTrader(StateStrategy):
    """Liberal trade doctrine (Ricardo; the WTO's most-favoured-nation order): barriers
    cost the state that raises them, so it lifts its own, offers trade agreements to its
    main suppliers, rarely joins controls and judges coercion on its cost alone."""

    kind = "free_trader"
    summary = "Lifts its own barriers, offers trade agreements, rarely joins controls, judges coercion on cost alone."
    instruments = ("trade_agreement",)

    def plan(self, obs, rng):
        return M.lift_all(obs, limit=2) + M.offer_trade_agreements(obs, limit=1)

    def answer_proposal(self, obs, prop, rng):
        return bool(rng.random() < 0.1 * obs.public.trust[obs.me, prop.proposer])


class Passive(StateStrategy):
    """Does nothing and joins nothing: the free-trade reference world of welfare
    analysis, in which no state uses any instrument."""

    kind = "passive"
    summary = "Uses no instrument and joins no coalition (the free-trade reference)."

    def plan(self, obs, rng):
        return []

    def answer_proposal(self, obs, prop, rng):
        return False


class HighFence(StateStrategy):
    """"Small yard, high fence" (Sullivan, 2022; the October 2022 US rules): narrow controls
    on rivals in the dual-use sectors it leads, with thresholds that track the moving
    frontier; R&D behind the fence to "run faster"; patents kept secret where a rival is
    close; rival vendors out of critical infrastructure; screening of acquisitions; and a
    capacity subsidy where a rival holds a strategic chokepoint over it."""

    kind = "high_fence"
    summary = "Narrow, frontier-tracking controls on rivals where it leads; R&D, secrecy and vendor exclusion to keep the lead."
    defaults: ClassVar[dict[str, Any]] = {"threshold": 0.85, "enforcement": 0.8, "min_share": 0.05, "rd_share": 0.3,
                "secrecy_margin": 0.2, "reshore_share": 0.3}
    instruments = ("export_control", "subsidy", "patent_secrecy", "import_exclusion", "investment_screening")

    def plan(self, obs, rng):
        p, pub = self.params, obs.public
        out: list[Move] = [
            (A.ExportControl(sector=pub.sectors[s], target=pub.states[r], scope="narrow", tracking=True,
                             threshold=p["threshold"], enforcement=p["enforcement"]),
             f"fence the frontier: we lead {pub.states[r]} in {pub.labels[s]} by {obs.lead(s, r):+.2f}")
            for r, s in M.new_controls(obs, p["min_share"], lead_needed=0.0)
        ]
        fenced = sorted({int(s) for s in np.flatnonzero(pub.control[obs.me].any(axis=0))},
                        key=lambda s: -pub.criticality[s])[:2]
        out += M.screen_investment(obs) + M.keep_secret(obs, fenced, p["secrecy_margin"])
        out += M.exclude_vendors(obs, min_share=0.05)
        if fenced:
            each = obs.budget * p["rd_share"] / len(fenced)
            out += [(A.Subsidy(sector=pub.sectors[s], target="rd", amount=each),
                     f"run faster: R&D behind the fence in {pub.labels[s]}") for s in fenced if M.money(each)]
        out += M.reshore(obs, obs.budget * p["reshore_share"], min_dependence=0.4)
        return out


class BroadDecoupler(StateStrategy):
    """Decoupling (the 2018-19 Section 301 tariffs and the case for separating supply
    chains from a rival altogether): broad controls on rivals in every dual-use sector it
    supplies, tariffs on their goods, their vendors out of critical infrastructure,
    diversification away from them and subsidised substitutes at home."""

    kind = "broad_decoupler"
    summary = "Broad controls and tariffs on rivals, excludes their vendors, diversifies away, subsidises substitutes."
    defaults: ClassVar[dict[str, Any]] = {"tariff": 0.25, "enforcement": 0.7, "min_share": 0.03}
    instruments = ("export_control", "set_tariff", "diversify", "import_exclusion", "subsidy")

    def plan(self, obs, rng):
        p, pub, me = self.params, obs.public, obs.me
        out: list[Move] = [
            (A.ExportControl(sector=pub.sectors[s], target=pub.states[r], scope="broad", enforcement=p["enforcement"]),
             f"decouple: cut {pub.states[r]} off our {pub.labels[s]}")
            for r, s in M.new_controls(obs, p["min_share"], lead_needed=-1.0)
        ]
        out += M.exclude_vendors(obs, min_share=0.01)
        for r in obs.rivals():
            untaxed = [s for s in np.argsort(-pub.supply_share[me, r], kind="stable")
                       if pub.tariff[r, me, s] < p["tariff"] and pub.supply_share[me, r, s] > 0]
            if untaxed and M.money(p["tariff"]) and not pub.trade_agreement[me, r]:
                s = int(untaxed[0])
                out.append((A.SetTariff(partner=pub.states[r], sector=pub.sectors[s], rate=p["tariff"]),
                            (f"decouple: tariff {pub.states[r]}'s {pub.labels[s]} "
                             f"({M.pct(pub.supply_share[me, r, s])} of our purchases)")))
        out += M.diversify(obs, 0.2 * obs.budget, concentration=0.2, rivals_only=True)
        out += M.screen_investment(obs)
        out += M.import_substitution(obs, 0.3 * obs.budget) or M.reshore(obs, 0.3 * obs.budget, 0.2)
        return out


class CoalitionBuilder(StateStrategy):
    """Minilateral economic security (Japan's Economic Security Promotion Act, 2022; the
    "collective economic deterrence" of allied export regimes): controls only with
    partners (imposes nothing if fewer than `min_partners` join), stockpiles and
    diversifies the inputs a rival holds, pools R&D with cleared partners, screens
    acquisitions."""

    kind = "coalition_builder"
    summary = "Proposes coordinated controls to allies; stockpiles, diversifies, pools R&D and screens."
    defaults: ClassVar[dict[str, Any]] = {"scope": "narrow", "threshold": 0.8, "enforcement": 0.8, "min_partners": 1, "min_share": 0.05,
                "stockpile_share": 0.2, "rd_share": 0.3}
    instruments = ("export_control", "stockpile", "joint_rd", "diversify", "investment_screening")

    def __init__(self, **params):
        super().__init__(**params)
        self._stock: dict = {}

    def plan(self, obs, rng):
        p, pub = self.params, obs.public
        out: list[Move] = []
        for r, s in M.new_controls(obs, p["min_share"], lead_needed=0.0):
            partners = [a for a in obs.allies() if pub.world_share[a, s] > 0.02 and a != r]
            if len(partners) < p["min_partners"]:
                continue
            out.append((
                A.ExportControl(
                    sector=pub.sectors[s], target=pub.states[r], scope=p["scope"], threshold=p["threshold"],
                    enforcement=p["enforcement"], coordinated=True,
                    partners=[pub.states[a] for a in partners], min_partners=p["min_partners"],
                ),
                (f"control together: partners who also supply {pub.labels[s]} "
                 f"({', '.join(pub.states[a] for a in partners)})"),
            ))
        out = out[:2] + M.screen_investment(obs)
        out += M.stockpile(obs, p["stockpile_share"] * obs.budget, 0.3, self._stock, max_buys=3)
        out += M.joint_rd(obs, p["rd_share"] * obs.budget)
        out += M.diversify(obs, 0.2 * obs.budget, concentration=0.5, rivals_only=True)
        return out

    def answer_proposal(self, obs, prop, rng):
        return bool(obs.public.same_bloc[obs.me, prop.proposer]) or super().answer_proposal(obs, prop, rng)


class Coercer(StateStrategy):
    """Weaponised interdependence (Hirschman, 1945; Farrell and Newman, 2019; the rare-earth
    cut-off of 2010 and the gallium, germanium and graphite controls of 2023): threatens
    embargoes on the chokepoint goods the target depends on most, answers controls with
    counter-controls on what the offender needs from it, stockpiles what is denied to it,
    substitutes imports, and builds leverage where it has none yet."""

    kind = "coercer"
    summary = "Threatens embargoes where targets depend on it most; counter-controls, stockpiles, substitutes imports."
    defaults: ClassVar[dict[str, Any]] = {"min_share": 0.4, "min_dependence": 0.4, "boldness": 0.2, "cooldown": 3}
    instruments = ("coerce", "export_control", "stockpile", "subsidy", "investment_screening")

    def __init__(self, **params):
        super().__init__(**params)
        self._last: dict[int, int] = {}

    def _squeeze(self, obs, rng, provoked: set[int]) -> list[Move]:
        """One demand: the (target, sector) where the target's dependence on us, times the
        sector's criticality, is largest among the rivals and provokers off cooldown."""
        p, pub, me = self.params, obs.public, obs.me
        choices = []
        for s in np.flatnonzero(pub.world_share[me] >= p["min_share"]):
            for j in range(len(pub.states)):
                dep = float(pub.supply_share[j, me, s])
                if j == me or dep < p["min_dependence"] or obs.round - self._last.get(j, -99) < p["cooldown"]:
                    continue
                if j in provoked or pub.rivals[me, j]:
                    choices.append((dep * float(pub.criticality[s]), j, int(s)))
        if not choices:
            return []
        _, j, s = max(choices)
        if rng.random() >= p["boldness"] + 0.5 * (j in provoked):
            return []
        self._last[j] = obs.round
        why = "answer their measures" if j in provoked else "press a rival"
        return [(A.Coerce(target=pub.states[j], sector=pub.sectors[s]),
                 (f"chokepoint: {pub.states[j]} buys {M.pct(pub.supply_share[j, me, s])} of its "
                  f"{pub.labels[s]} from us ({why})"))]

    def _counter_controls(self, obs, offenders: set[int]) -> list[Move]:
        """Control the dual-use good each controller depends on us for most (once each)."""
        pub, me = obs.public, obs.me
        out = []
        for k in sorted(offenders):
            if pub.control[me, k].any():
                continue
            dual = np.flatnonzero(pub.dual_use)
            if not len(dual):
                continue
            s = int(dual[np.argmax(pub.supply_share[k, me, dual])])
            if pub.supply_share[k, me, s] < 0.1:
                continue
            out.append((A.ExportControl(sector=pub.sectors[s], target=pub.states[k], scope="broad", enforcement=0.8),
                        (f"counter-control: {pub.states[k]} controls exports to us and buys "
                         f"{M.pct(pub.supply_share[k, me, s])} of its {pub.labels[s]} from us")))
        return out

    def _build_leverage(self, obs) -> list[Move]:
        """No chokepoint to use: grow capacity where we already hold the largest share."""
        pub, me = obs.public, obs.me
        if (pub.world_share[me] >= self.params["min_share"]).any() or not M.money(0.3 * obs.budget):
            return []
        s = int(np.argmax(pub.world_share[me] * pub.criticality))
        return [(A.Subsidy(sector=pub.sectors[s], target="capacity", amount=0.3 * obs.budget),
                 f"build leverage: grow our {M.pct(pub.world_share[me, s])} of world {pub.labels[s]}")]

    def plan(self, obs, rng):
        pub, me = obs.public, obs.me
        controllers = {k for k, _ in obs.controls_on_me() if pub.control[k, me].any()}
        provoked = set(hostile_acts(obs)) | controllers
        out = self._squeeze(obs, rng, provoked) + self._counter_controls(obs, controllers)
        out += M.screen_investment(obs)
        denied = sorted({s for _, s in obs.controls_on_me()}, key=lambda s: -pub.criticality[s])
        if denied and M.money(0.2 * obs.budget):
            s = denied[0]
            if pub.stockpile[me, s] <= 0:
                out.append((A.Stockpile(sector=pub.sectors[s], amount=0.2 * obs.budget),
                            f"stockpile before the fence closes: {pub.labels[s]} is controlled against us"))
        out += M.import_substitution(obs, 0.5 * obs.budget) + self._build_leverage(obs)
        return out


class Hedger(StateStrategy):
    """Hedging by a non-aligned state (Kuik, 2016; India's "multi-alignment"): buys from
    both camps and spreads its suppliers, stockpiles when a coercer is at work, offers
    trade agreements all round, joins a coalition only when it pays (little of its trade
    at stake and a trusted proposer), concedes when dependent."""

    kind = "hedger"
    summary = "Non-aligned: diversifies suppliers, stockpiles under coercion, joins controls only when it pays."
    defaults: ClassVar[dict[str, Any]] = {"concentration": 0.4, "diversify_share": 0.3, "stockpile_share": 0.3}
    instruments = ("diversify", "stockpile", "trade_agreement")

    def __init__(self, **params):
        super().__init__(**params)
        self._stock: dict = {}

    def plan(self, obs, rng):
        p, pub, me = self.params, obs.public, obs.me
        out: list[Move] = M.lift_all(obs, limit=1)
        out += M.diversify(obs, p["diversify_share"] * obs.budget, p["concentration"], rivals_only=False)
        # A coercer at work (a demand or an embargo last round) is a reason to hold reserves
        # of what it sells us.
        coercers = {pub.index(e.actor) for e in pub.events if e.kind in ("demand", "resisted", "embargo")
                    and e.actor in pub.states and e.actor != obs.name}
        if coercers and M.money(p["stockpile_share"] * obs.budget):
            k, s = max(((k, s) for k in coercers for s in range(len(pub.sectors))),
                       key=lambda ks: pub.supply_share[me, ks[0], ks[1]] * pub.criticality[ks[1]])
            held = self._stock.get(s, 0)
            if pub.supply_share[me, k, s] > 0.2 and held < 3:
                self._stock[s] = held + 1
                out.append((A.Stockpile(sector=pub.sectors[s], amount=p["stockpile_share"] * obs.budget),
                            (f"reserves against coercion: {pub.states[k]} is coercing and supplies "
                             f"{M.pct(pub.supply_share[me, k, s])} of our {pub.labels[s]}")))
        return out + M.offer_trade_agreements(obs, limit=1)

    def answer_proposal(self, obs, prop, rng):
        pub, me = obs.public, obs.me
        at_stake = float(pub.supply_share[prop.target, me, prop.sector])  # our share of the target's supply
        return bool(at_stake < 0.02 and pub.trust[me, prop.proposer] > 0.6 and rng.random() < 0.5)

    def answer_demand(self, obs, demand: DemandView, rng):
        dependence = obs.public.supply_share[obs.me, demand.coercer, demand.sector]
        return bool(rng.random() < min(1.0, 1.5 * dependence))


class TitForTat(StateStrategy):
    """Reciprocity (Axelrod, 1984; generous tit-for-tat, Nowak and Sigmund, 1992): never the
    first to restrict; answers each measure in kind and in proportion (a control with a
    control on what the offender needs from it, a tariff with the same rate on the
    offender's biggest sale to it, an embargo with an embargo); lifts its answer once the
    offender has lifted, and forgives a standing offence with a small probability each
    round. While unprovoked it keeps its defences: screening and diversification of
    concentrated strategic supply ("de-risking, not decoupling")."""

    kind = "tit_for_tat"
    summary = "Never first to restrict; answers in kind and in proportion, lifts when the other lifts, sometimes forgives."
    defaults: ClassVar[dict[str, Any]] = {"rate": 0.25, "generosity": 0.1, "concentration": 0.6}
    instruments = ("set_tariff", "export_control", "embargo", "diversify", "investment_screening")

    def __init__(self, **params):
        super().__init__(**params)
        self._answers: dict[int, list[A.Action]] = {}  # offender -> our measures against it

    def _in_kind(self, obs, k: int, kinds: set[str]) -> list[Move]:
        pub, me, name = obs.public, obs.me, obs.public.states[k]
        out: list[Move] = []
        if "control" in kinds:
            dual = [int(s) for s in np.flatnonzero(pub.dual_use) if pub.supply_share[k, me, s] > 0.05
                    and not pub.control[me, k, s]]
            if dual:
                s = max(dual, key=lambda s: pub.supply_share[k, me, s])
                out.append((A.ExportControl(sector=pub.sectors[s], target=name, scope="narrow", enforcement=0.8),
                            f"in kind: {name} controlled exports to us; we control {pub.labels[s]} it buys from us"))
        if "embargo" in kinds or "resisted" in kinds:
            s = int(np.argmax(pub.supply_share[k, me]))
            if pub.supply_share[k, me, s] > 0.05:
                out.append((A.Embargo(target=name, sector=pub.sectors[s], rounds=2),
                            f"in kind: {name} embargoed us; we halt {pub.labels[s]} to it for 2 rounds"))
        if "tariff" in kinds or "demand" in kinds or ("control" in kinds and not out):
            theirs = pub.tariff[me, k]  # their tariffs on our goods, by sector
            rate = float(theirs.max()) if theirs.max() > 0 else self.params["rate"]
            s = int(np.argmax(pub.supply_share[me, k]))
            if M.money(rate) and pub.tariff[k, me, s] < rate and not pub.trade_agreement[me, k]:
                out.append((A.SetTariff(partner=name, sector=pub.sectors[s], rate=min(rate, 5.0)),
                            f"in proportion: {name} restricted us; a {rate:.0%} tariff on its {pub.labels[s]}"))
        return out

    def _forgive(self, obs, rng, offended: set[int]) -> list[Move]:
        pub, me, out = obs.public, obs.me, []
        for k in sorted(self._answers):
            still = pub.control[k, me].any() or pub.embargo[k, me].any() or (pub.tariff[me, k] > 0).any()
            lifted = not still and k not in offended
            if not (lifted or rng.random() < self.params["generosity"]):
                continue
            why = (f"forgive: {pub.states[k]} has lifted its measures" if lifted else
                   f"generous forgiveness: we lift first to end the spiral with {pub.states[k]}")
            for a in self._answers.pop(k):
                if a.kind == "export_control" and pub.control[me, k, pub.sector_index(a.sector)]:
                    out.append((A.LiftControl(sector=a.sector, target=a.target), why))
                elif a.kind == "set_tariff":
                    out.append((A.SetTariff(partner=a.partner, sector=a.sector, rate=0.0), why))
                elif a.kind == "embargo" and pub.embargo[me, k, pub.sector_index(a.sector)]:
                    out.append((A.LiftEmbargo(target=a.target, sector=a.sector), why))
        return out

    def plan(self, obs, rng):
        acts = hostile_acts(obs)
        out: list[Move] = []
        for k, kinds in sorted(acts.items()):
            answer = self._in_kind(obs, k, kinds)
            self._answers.setdefault(k, []).extend(a for a, _ in answer)
            out += answer
        out += self._forgive(obs, rng, set(acts))
        out += M.screen_investment(obs)
        out += M.diversify(obs, 0.2 * obs.budget, self.params["concentration"], rivals_only=False)
        return out


class Scripted(StateStrategy):
    """Moves only from the scenario's script (the engine adds scripted moves for any state);
    answers proposals and demands as told."""

    kind = "scripted"
    summary = "Plays only the scenario's scripted moves; fixed answers to proposals and demands."
    defaults: ClassVar[dict[str, Any]] = {"accept_proposals": True, "concede": False}

    def decide(self, obs, rng):
        return []

    def answer_proposal(self, obs, prop, rng):
        return bool(self.params["accept_proposals"])

    def answer_demand(self, obs, demand, rng):
        return bool(self.params["concede"])


POSTURES = ("free_trader", "high_fence", "coalition_builder", "broad_decoupler", "hedger")


def objective_value(obs: StateObservation) -> float:
    """The state's own objective-weighted outcome last round: welfare change in percent of
    GDP, autonomy, technology level and cohesion (shares), weighted by its objectives."""
    own = obs.own
    if not own:
        return 0.0
    w = obs.objectives
    return float(
        w[0] * own["welfare_change"] / max(obs.public.gdp[obs.me], 1e-9) * 100
        + w[1] * own["autonomy"] + w[2] * own["tech_level"] + w[3] * own["cohesion"]
    )


class AdaptiveLearner(StateStrategy):
    """Learns which posture pays by its own objectives: a bandit over postures (Thompson
    sampling on normalised mean rewards, an exploration floor; agents.strategies.learning). A posture is
    held for `hold` rounds, since policies take a round to bite, and its reward is the mean
    of the state's objective value over the rounds it was in force."""

    kind = "adaptive_learner"
    summary = "Learns which posture pays by its own objectives (Thompson sampling with an exploration floor)."
    defaults: ClassVar[dict[str, Any]] = {"temperature": 1.0, "explore": 0.1, "hold": 3}
    instruments = ()

    def __init__(self, **params):
        super().__init__(**params)
        self.bandit = PostureBandit(len(POSTURES), self.params["temperature"], self.params["explore"])
        self.posture: int | None = None
        self.history: list[int] = []  # posture played each round
        self._block: list[float] = []
        self._age = 0
        self._plays = {k: STATE_STRATEGY_CLASSES[k]() for k in POSTURES}

    def plan(self, obs, rng):
        if self.posture is not None:
            self._block.append(objective_value(obs))  # last round's outcome, under the posture in force
            self._age += 1
        if self.posture is None or self._age >= max(1, int(self.params["hold"])):
            if self.posture is not None:
                self.bandit.update(self.posture, float(np.mean(self._block)))
            self.posture, self._block, self._age = self.bandit.choose(rng), [], 0
        self.history.append(self.posture)
        name = POSTURES[self.posture]
        play = self._plays[name]
        moves = play.plan(obs, rng)
        est = self.bandit.means[self.posture]
        return [(a, f"posture {name} (mean reward {est:+.3f}): {why}") for a, why in moves]

    def answer_proposal(self, obs, prop: ProposalView, rng):
        return self._plays[POSTURES[self.posture or 0]].answer_proposal(obs, prop, rng)

    def answer_demand(self, obs, demand: DemandView, rng):
        return self._plays[POSTURES[self.posture or 0]].answer_demand(obs, demand, rng)


class HumanSeat(StateStrategy):
    """A human player: moves come from the seat's submitted orders. The session layer
    fills `orders` before the round; with none, the seat holds its current policies.

    Answers: the session layer may fill `answers` with the player's own answer to a
    coalition proposal (key ("proposal", proposer, target, sector)) or a coercive
    demand (key ("demand", coercer, sector)), indices as in the world; a question not
    in `answers` gets the standing answer. `asked` lists what the round asked and
    whether the player's own answer or the standing one applied."""

    kind = "human"
    summary = "A human seat: sealed orders submitted for the round, standing answers."
    defaults: ClassVar[dict[str, Any]] = {"accept_proposals": False, "concede": False}

    def __init__(self, **params):
        super().__init__(**params)
        self.orders: list[A.Action] = []
        self.answers: dict[tuple, bool] = {}
        self.asked: list[dict] = []

    def decide(self, obs, rng):
        orders, self.orders = self.orders, []
        self.asked = []
        return orders

    def _answer(self, key: tuple, standing: bool) -> bool:
        own = key in self.answers
        yes = bool(self.answers[key]) if own else standing
        self.asked.append({"key": key, "answered": own, "yes": yes})
        return yes

    def answer_proposal(self, obs, prop, rng):
        return self._answer(("proposal", prop.proposer, prop.target, prop.sector), bool(self.params["accept_proposals"]))

    def answer_demand(self, obs, demand, rng):
        return self._answer(("demand", demand.coercer, demand.sector), bool(self.params["concede"]))


STATE_STRATEGY_CLASSES: dict[str, type[StateStrategy]] = {
    cls.kind: cls
    for cls in (
        FreeTrader, Passive, HighFence, BroadDecoupler, CoalitionBuilder, Coercer,
        Hedger, TitForTat, AdaptiveLearner, Scripted, HumanSeat,
    )
}
