"""State strategies of MODEL.md, one class each."""

from __future__ import annotations

import numpy as np

from agents.strategies.base import DemandView, ProposalView, StateStrategy
from game import actions as A
from game.observation import StateObservation


# -- shared moves ------------------------------------------------------------
def controllable(obs: StateObservation, min_share: float) -> list[int]:
    """Dual-use sectors where this state holds at least min_share of world supply."""
    pub = obs.public
    return [s for s in np.flatnonzero(pub.dual_use) if pub.world_share[obs.me, s] >= min_share]


def import_substitution(obs: StateObservation, share_of_budget: float, sectors: int = 1) -> list[A.Action]:
    """Subsidise home R&D and capacity in the most critical sectors others control exports of to us."""
    hit = sorted({s for _, s in obs.controls_on_me()}, key=lambda s: -obs.public.criticality[s])[:sectors]
    if not hit or obs.budget <= 0:
        return []
    each = obs.budget * share_of_budget / (2 * len(hit))
    out: list[A.Action] = []
    for s in hit:
        name = obs.public.sectors[s]
        out += [A.Subsidy(sector=name, target="rd", amount=each), A.Subsidy(sector=name, target="capacity", amount=each)]
    return out


def retaliation(obs: StateObservation, rate: float) -> list[A.Action]:
    """Tariffs in answer to last round's controls, embargoes, tariffs or coercion against us."""
    hostile = obs.events_against_me("control", "embargo", "tariff", "resisted", "demand")
    out, seen = [], set()
    for ev in hostile:
        if ev.actor in seen or ev.actor == obs.name:
            continue
        seen.add(ev.actor)
        k = obs.public.index(ev.actor)
        # Hit the sector where the offender sells us the most.
        s = int(np.argmax(obs.public.supply_share[obs.me, k]))
        if obs.public.tariff[k, obs.me, s] < rate:
            out.append(A.SetTariff(partner=ev.actor, sector=obs.public.sectors[s], rate=rate))
    return out


def screen_investment(obs: StateObservation) -> list[A.Action]:
    """States with rivals screen acquisitions of their firms (once)."""
    if obs.rivals() and not obs.public.screening[obs.me]:
        return [A.InvestmentScreening(on=True)]
    return []


def lift_all(obs: StateObservation, limit: int) -> list[A.Action]:
    """Withdraw own controls and tariffs, a few per round."""
    pub, me, out = obs.public, obs.me, []
    for j, s in np.argwhere(pub.control[me]):
        out.append(A.LiftControl(sector=pub.sectors[s], target=pub.states[j]))
    for k, s in np.argwhere(pub.tariff[:, me, :] > 0):
        out.append(A.SetTariff(partner=pub.states[k], sector=pub.sectors[s], rate=0.0))
    return out[:limit]


def new_controls(obs: StateObservation, min_share: float, lead_needed: float) -> list[tuple[int, int]]:
    """(rival, sector) pairs not yet controlled where this state leads the rival."""
    pub, me = obs.public, obs.me
    pairs = []
    for r in obs.rivals():
        for s in controllable(obs, min_share):
            if not pub.control[me, r, s] and obs.lead(s, r) >= lead_needed:
                pairs.append((r, s))
    return pairs


# -- strategies --------------------------------------------------------------
class FreeTrader(StateStrategy):
    kind = "free_trader"
    summary = "Lifts its own barriers, rarely joins controls, judges coercion on cost alone."

    def decide(self, obs, rng):
        return lift_all(obs, limit=2)

    def answer_proposal(self, obs, prop, rng):
        return bool(rng.random() < 0.1 * obs.public.trust[obs.me, prop.proposer])


class Passive(StateStrategy):
    """Does nothing and joins nothing: the free-trade reference world of welfare
    analysis, in which no state uses any instrument."""

    kind = "passive"
    summary = "Uses no instrument and joins no coalition (the free-trade reference)."

    def decide(self, obs, rng):
        return []

    def answer_proposal(self, obs, prop, rng):
        return False


class HighFence(StateStrategy):
    """Narrow controls on rivals in dual-use sectors it leads, with thresholds that
    track the moving frontier ("small yard, high fence"), plus R&D to stay ahead."""

    kind = "high_fence"
    summary = "Narrow, frontier-tracking controls on rivals where it leads; R&D to keep the lead."
    defaults = {"threshold": 0.85, "enforcement": 0.8, "min_share": 0.05, "rd_share": 0.3}

    def decide(self, obs, rng):
        p, pub = self.params, obs.public
        out: list[A.Action] = [
            A.ExportControl(
                sector=pub.sectors[s], target=pub.states[r], scope="narrow",
                threshold=p["threshold"], enforcement=p["enforcement"],
            )
            for r, s in new_controls(obs, p["min_share"], lead_needed=0.0)
        ] + screen_investment(obs)
        fenced = sorted({int(s) for s in np.flatnonzero(pub.control[obs.me].any(axis=0))})
        if fenced and obs.budget > 0:
            each = obs.budget * p["rd_share"] / len(fenced)
            out += [A.Subsidy(sector=pub.sectors[s], target="rd", amount=each) for s in fenced]
        return out


class BroadDecoupler(StateStrategy):
    kind = "broad_decoupler"
    summary = "Broad controls and tariffs on rivals, diversifies away from them, subsidises substitutes."
    defaults = {"tariff": 0.25, "enforcement": 0.7, "min_share": 0.03}

    def decide(self, obs, rng):
        p, pub, me = self.params, obs.public, obs.me
        out: list[A.Action] = [
            A.ExportControl(sector=pub.sectors[s], target=pub.states[r], scope="broad", enforcement=p["enforcement"])
            for r, s in new_controls(obs, p["min_share"], lead_needed=-1.0)
        ] + screen_investment(obs)
        for r in obs.rivals():
            s = int(np.argmax(pub.supply_share[me, r]))
            if pub.supply_share[me, r, s] > 0.3 and obs.budget > 0:
                out.append(A.Diversify(sector=pub.sectors[s], away_from=pub.states[r], amount=0.2 * obs.budget))
            untaxed = np.flatnonzero(pub.tariff[r, me] < p["tariff"])
            if len(untaxed):
                out.append(A.SetTariff(partner=pub.states[r], sector=pub.sectors[untaxed[0]], rate=p["tariff"]))
        return out + import_substitution(obs, 0.3)


class CoalitionBuilder(StateStrategy):
    """Controls only with partners: proposes coordinated controls to bloc partners
    that supply the sector, and imposes nothing if fewer than `min_partners` join."""

    kind = "coalition_builder"
    summary = "Proposes coordinated controls to allies; acts only if enough partners join."
    defaults = {"scope": "narrow", "threshold": 0.8, "enforcement": 0.8, "min_partners": 1, "min_share": 0.05}

    def decide(self, obs, rng):
        p, pub = self.params, obs.public
        out: list[A.Action] = screen_investment(obs)
        for r, s in new_controls(obs, p["min_share"], lead_needed=0.0):
            partners = [a for a in obs.allies() if pub.world_share[a, s] > 0.02 and a != r]
            if len(partners) < p["min_partners"]:
                continue
            out.append(
                A.ExportControl(
                    sector=pub.sectors[s], target=pub.states[r], scope=p["scope"], threshold=p["threshold"],
                    enforcement=p["enforcement"], coordinated=True,
                    partners=[pub.states[a] for a in partners], min_partners=p["min_partners"],
                )
            )
        return out

    def answer_proposal(self, obs, prop, rng):
        return bool(obs.public.same_bloc[obs.me, prop.proposer]) or super().answer_proposal(obs, prop, rng)


class Coercer(StateStrategy):
    """Uses chokepoints: demands concessions from dependent states that restrict it,
    or at random from rivals it can squeeze; answers controls with import substitution."""

    kind = "coercer"
    summary = "Threatens embargoes on chokepoint goods against dependent rivals; substitutes imports."
    defaults = {"min_share": 0.4, "min_dependence": 0.4, "boldness": 0.2, "cooldown": 3}

    def __init__(self, **params):
        super().__init__(**params)
        self._last: dict[int, int] = {}

    def decide(self, obs, rng):
        p, pub, me = self.params, obs.public, obs.me
        out: list[A.Action] = screen_investment(obs)
        hostile = {pub.index(e.actor) for e in obs.events_against_me("control", "tariff", "embargo")}
        for s in np.flatnonzero(pub.world_share[me] >= p["min_share"]):
            for j in np.argsort(-pub.supply_share[:, me, s]):
                j = int(j)
                if j == me or pub.supply_share[j, me, s] < p["min_dependence"]:
                    continue
                if obs.round - self._last.get(j, -99) < p["cooldown"]:
                    continue
                provoked = j in hostile or pub.rivals[me, j]
                if provoked and rng.random() < p["boldness"] + 0.5 * (j in hostile):
                    out.append(A.Coerce(target=pub.states[j], sector=pub.sectors[s]))
                    self._last[j] = obs.round
                    break
        return out + import_substitution(obs, 0.5)


class Hedger(StateStrategy):
    kind = "hedger"
    summary = "Non-aligned: buys cheapest, declines both camps' controls, concedes when dependent."

    def decide(self, obs, rng):
        return lift_all(obs, limit=1)

    def answer_proposal(self, obs, prop, rng):
        return bool(rng.random() < 0.05)

    def answer_demand(self, obs, demand: DemandView, rng):
        dependence = obs.public.supply_share[obs.me, demand.coercer, demand.sector]
        return bool(rng.random() < min(1.0, 1.5 * dependence))


class TitForTat(StateStrategy):
    kind = "tit_for_tat"
    summary = "Cooperates until restricted, then retaliates in kind; forgives when the other lifts."
    defaults = {"rate": 0.25}

    def decide(self, obs, rng):
        pub, me = obs.public, obs.me
        out = screen_investment(obs) + retaliation(obs, self.params["rate"])
        punished = {e.actor for e in obs.events_against_me("control", "embargo", "tariff", "resisted", "demand")}
        # Forgive: lift our tariffs on states that no longer restrict us.
        for k, s in np.argwhere(pub.tariff[:, me, :] > 0):
            offender = pub.control[k, me].any() or pub.embargo[k, me].any() or (pub.tariff[me, k] > 0).any()
            if not offender and pub.states[k] not in punished:
                out.append(A.SetTariff(partner=pub.states[k], sector=pub.sectors[s], rate=0.0))
        return out + import_substitution(obs, 0.3)


class Scripted(StateStrategy):
    """Moves only from the scenario's script (the engine adds scripted moves for any state);
    answers proposals and demands as told."""

    kind = "scripted"
    summary = "Plays only the scenario's scripted moves; fixed answers to proposals and demands."
    defaults = {"accept_proposals": True, "concede": False}

    def decide(self, obs, rng):
        return []

    def answer_proposal(self, obs, prop, rng):
        return bool(self.params["accept_proposals"])

    def answer_demand(self, obs, demand, rng):
        return bool(self.params["concede"])


POSTURES = ("free_trader", "high_fence", "coalition_builder", "broad_decoupler")


class AdaptiveLearner(StateStrategy):
    """Roth-Erev reinforcement over postures: the reward is the change in the state's
    own objective-weighted outcome since last round (Erev and Roth, 1998)."""

    kind = "adaptive_learner"
    summary = "Learns which posture pays by its own objectives (Roth-Erev reinforcement)."
    defaults = {"recency": 0.1, "initial": 1.0}

    def __init__(self, **params):
        super().__init__(**params)
        self.propensity = np.full(len(POSTURES), float(self.params["initial"]))
        self.posture: int | None = None
        self._last_value: float | None = None
        self._plays = {k: STATE_STRATEGY_CLASSES[k]() for k in POSTURES}

    def _value(self, obs) -> float:
        own = obs.own
        if not own:
            return 0.0
        w = obs.objectives
        return float(
            w[0] * own["welfare_change"] / max(obs.public.gdp[obs.me], 1e-9) * 100
            + w[1] * own["autonomy"] + w[2] * own["tech_level"] + w[3] * own["cohesion"]
        )

    def decide(self, obs, rng):
        value = self._value(obs)
        if self.posture is not None and self._last_value is not None:
            reward = max(value - self._last_value + 0.05, 0.0)
            self.propensity *= 1.0 - self.params["recency"]
            self.propensity[self.posture] += reward
        self._last_value = value
        probs = self.propensity / self.propensity.sum()
        self.posture = int(rng.choice(len(POSTURES), p=probs))
        return self._plays[POSTURES[self.posture]].decide(obs, rng)

    def answer_proposal(self, obs, prop: ProposalView, rng):
        return self._plays[POSTURES[self.posture or 0]].answer_proposal(obs, prop, rng)


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
    defaults = {"accept_proposals": False, "concede": False}

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
