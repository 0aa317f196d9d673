"""GeoModel: the Mesa model that owns the world arrays and runs the round.

A round: observe -> decide (simultaneous) -> coordinate -> resolve -> record.
This module owns the phase order; the rules live in game.rules and
game.policy_book, the arithmetic in game.market.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import mesa
import numpy as np
from mesa.experimental.scenarios import Scenario as MesaScenario

from agents.firm import FirmAgent
from agents.state import StateAgent
from agents.strategies import FIRM_STRATEGIES, FIRM_STRATEGY_ORDER, make_state_strategy
from agents.strategies.base import DemandView, ProposalView
from agents.strategies.states import HumanSeat
from game import calibration_cache
from game.actions import Action
from game.build import START_CASH, build_world, sort_firms
from game.errors import IllegalAction, ScenarioError
from game.events import Event
from game.experiment import Treatment, canonical
from game.history import History
from game.injects import Inject, apply_inject
from game.observation import StateObservation, build_public
from game.outcomes import STATE_METRICS, Outcomes
from game.paths import scenario_arg
from game.policy_book import PolicyBook, RoundContext
from game.resolve import Resolver
from game.rng import RootSeed, keys_from, uniforms
from game.rules import accounts, coercion, firm_dynamics, leakage, trust
from game.scenario import Scenario, load_scenario
from game.world import append_firm, sourcing_targets

CALIBRATION_PASSES = 2000

# Event kinds by action kind (what other states react to).
EVENT_KIND = {"export_control": "control", "set_tariff": "tariff", "embargo": "embargo", "coerce": "demand"}


def _field(action: Action, name: str):
    """An action's field, None when its kind has none (a pydantic getattr miss costs an
    exception, about 2 us, several times an order)."""
    return action.__dict__.get(name)


PURPOSE_CIRCUMVENT, PURPOSE_RELOCATE, PURPOSE_BID = 1, 2, 3


@dataclass(frozen=True)
class FirmObservation:
    """What firms see when they decide, read-only by convention: last round's results, and
    their exposure to the controls and embargoes in force this round (game.rules.leakage.exposure).
    Exposure figures are shares of the revenue the firm would earn with no barrier."""

    relative_quality: np.ndarray
    utilisation: np.ndarray
    blocked_share: np.ndarray  # share of its sales barred by the barriers in force this round
    enforcement: np.ndarray  # their mean enforcement
    compliance: np.ndarray
    circumventing: np.ndarray  # last round's choice
    input_factor: np.ndarray
    stake: np.ndarray | float = 0.0  # margin on the extra sales re-routing would carry
    expected_fines: np.ndarray | float = 0.0  # expected fines on those sales
    reputation: float = 0.0  # params.reputation_cost: what a fully compliant firm puts on its name


class GeoScenario(MesaScenario):
    """GeoModel's Mesa scenario: which highfence scenario to play and the seed (`rng`).

    Mesa's SolaraViz rebuilds a model on Reset by passing a fresh scenario of the model's
    scenario class (`scenario=type(model.scenario)(**params)`); with this class, a `config`
    among SolaraViz's model parameters carries the scenario across a Reset.

    config: a shipped scenario's name (`default`, `tiny`, `chips_2022`), a YAML path, or a
        loaded highfence Scenario.
    """

    config: object = "default"


class GeoModel(mesa.Model):
    """A geoeconomic game on one scenario.

    Args:
        scenario: a highfence Scenario, a path to a scenario YAML file, a shipped scenario's
            name (`default`, `tiny`, a case such as `chips_2022`), or a Mesa scenario
            (`mesa.experimental.scenarios.Scenario`, e.g. `GeoScenario(config="tiny", rng=3)`):
            its `config` names the highfence scenario (the shipped default when it has none)
            and its `rng`, when an integer, is the seed unless `seed` is given. Default: the
            shipped default scenario.
        seed: the root seed; every agent's stream is spawned from it. None (what
            `mesa.batch_run(..., iterations=...)` passes): the Mesa scenario's integer rng,
            else a fresh seed from the operating system, kept in `model.seed` so the run can
            be replayed.
        variant: an experiment arm: free_trade (always), or with a `compare:` section
            no_control / unilateral / coordinated (game.experiment).
        rounds: override the scenario's number of rounds.
    """

    def __init__(self, scenario: Scenario | str | Path | MesaScenario | None = None, seed: int | None = 0,
                 variant: str | None = None, rounds: int | None = None):
        config = scenario
        if isinstance(scenario, MesaScenario):
            config = getattr(scenario, "config", None)
            if seed is None and isinstance(scenario.rng, int | np.integer):
                seed = int(scenario.rng)
        if seed is None:
            seed = int(np.random.SeedSequence().entropy % 2**63)
        if config is None:
            config = "default"
        super().__init__(scenario=GeoScenario(config=config, rng=seed))
        self.spec = config if isinstance(config, Scenario) else load_scenario(scenario_arg(str(config)))
        self.params = self.spec.params
        self.rounds = rounds or self.spec.rounds
        self.seed = seed
        self.seeds = RootSeed(seed)
        self.world = build_world(self.spec, self.seeds)
        self.book = PolicyBook(self.world, self.params)
        self.resolver = Resolver(self.world, self.params)
        self.treatment = self._treatment(variant)

        names = self.world.states.names
        state_seeds = self.seeds.states.spawn(len(names))
        self.state_agents: list[StateAgent] = []
        passive = self.treatment is not None and self.treatment.passive
        for i, (name, spec) in enumerate(self.spec.states.items()):
            try:
                kind, params = ("passive", {}) if passive else (spec.strategy.kind, spec.strategy.params)
                strategy = make_state_strategy(kind, params)
            except ValueError as exc:
                raise ScenarioError(f"states.{name}.strategy: {exc}") from None
            self.state_agents.append(StateAgent(self, i, name, strategy, state_seeds[i]))
        f = self.world.firms
        self.firm_agents: dict[int, FirmAgent] = {
            int(fid): FirmAgent(self, int(fid), f.names[k], FIRM_STRATEGY_ORDER[f.strategy[k]])
            for k, fid in enumerate(f.ids)
        }
        self._reindex_firms()
        self.firm_strategies = [FIRM_STRATEGIES[k]() for k in FIRM_STRATEGY_ORDER]
        self.script: dict[int, list[tuple[int, Action]]] = {}
        for mv in [] if passive else self.spec.script:
            self.script.setdefault(mv.round, []).append((names.index(mv.state), mv.action))
        self.injects: dict[int, list[Inject]] = {}
        for sch in self.spec.injects:
            if passive and sch.inject.kind == "embargo":
                continue  # the free-trade world keeps shocks, not policies
            self.injects.setdefault(sch.round, []).append(sch.inject)

        self.datacollector = History(names, self.world.sectors.names)
        self.outcomes = self._calibrate()
        self.datacollector.record(0, self.outcomes, self.world.firms, [])
        self.last_events: list[Event] = []
        self._refused: set[tuple[int, int]] = set()  # (bidder firm id, host) refusals: bidders learn where hosts stand

    # -- set-up ------------------------------------------------------------
    def _treatment(self, variant: str | None) -> Treatment | None:
        if variant is None:
            return None
        try:
            variant = canonical(variant)
        except ValueError as exc:
            raise ScenarioError(str(exc)) from None
        if self.spec.compare is None and variant != "free_trade":
            raise ScenarioError(f"scenario {self.spec.name!r} has no compare: section, so no variant {variant!r} "
                                "(free_trade is always available)")
        return Treatment(self.spec.compare, variant, self.world.states.names, self.world.sectors.names)

    def _calibrate(self) -> Outcomes:
        """Make the scenario's shares an equilibrium, then play round 0 (the starting year).

        Two sets of share parameters are fitted by iterative proportional fitting, the
        usual calibration of an Armington model to base-year data: each firm's appeal
        (a taste weight standing for everything the model does not carry: relationships,
        certification, service) until, at reference prices and no policies, it sells its
        capacity share; and, where the scenario gives base-year bilateral shares
        (`sourcing`), each supplier state's share parameter in each market until those
        shares are met. Capacity is then set to the calibrated sales at target utilisation.
        """
        m, f, p = self.world.market, self.world.firms, self.params
        blocks = self.resolver.blocks
        target = np.concatenate([f.capacity[b] / f.capacity[b].sum() for b in blocks])
        goal = sourcing_targets(self.spec, self.world.states.names)  # (S, k, j), nan = free
        listed = ~np.isnan(goal)
        rows = listed.any(axis=1)  # (S, j) markets with given shares
        cache_key = calibration_cache.key(self.world, p, goal)
        if calibration_cache.restore(self.world, cache_key):  # the same world was calibrated in this process
            return self.resolver.run(self.round_context())
        # Capacity is set from sales at the end, so no rationing while calibrating:
        # a uniform scale-up keeps every firm's presence share and lifts the limits.
        unlimited = f.capacity * 1e6
        sizes = [b.stop - b.start for b in blocks]
        free_goal = 1.0 - np.where(listed, goal, 0.0).sum(axis=1, keepdims=True)  # the share left to unlisted suppliers

        def per_block(values: np.ndarray, denominators: list, out: np.ndarray | None = None) -> np.ndarray:
            # Each block's own x.sum() (numpy's summation order), one division over all blocks:
            # the same numbers as dividing block by block, in two calls instead of 2 x S.
            return np.divide(values, np.repeat(denominators, sizes), out=out)

        for _ in range(CALIBRATION_PASSES):
            _, cleared = self.resolver.clear(unlimited, eta=1.0, iterations=0, adjust=1.0)
            got = per_block(cleared.sales, [cleared.sales[b].sum() for b in blocks])
            with np.errstate(over="ignore"):  # clipped just below
                ratio = np.divide(target, got, out=np.ones_like(target), where=got > 0)
            # At most a factor 1e6 a pass: a firm whose CES term underflows (a price 1e6 times
            # its rival's at sigma 50) gets there over a few passes instead of overflowing.
            ratio = np.minimum(np.maximum(ratio, 1e-6), 1e6)
            gap = max(np.abs(ratio - 1.0).max(), np.abs(cleared.P / m.P0 - 1.0).max())
            # Re-anchor the reference price each pass so spending converges to E0.
            m.P0 = cleared.P.copy()
            f.appeal *= ratio
            per_block(f.appeal, [f.appeal[b].sum() / n for b, n in zip(blocks, sizes)], out=f.appeal)  # mean 1 a sector
            off = self._fit_sourcing(cleared.spend, goal, listed, rows, free_goal) if rows.any() else np.zeros(1)
            if max(gap, off.max()) < 1e-10:
                break
        else:
            if off.max() > 1e-4:
                name = self.world.sectors.names[int(off.argmax())]
                raise ScenarioError(
                    f"sectors.{name}.sourcing: the base-year shares cannot be met together with the firms' "
                    f"capacity shares (still {off.max():.1%} off after {CALIBRATION_PASSES} passes): some "
                    "supplier would have to sell more than its capacity (check its firms' shares and demand_split)")
        f.capacity = cleared.sales / p.target_utilisation
        f.cash = START_CASH * f.cost * f.capacity
        f.ties = cleared.shares
        m.X0 = np.column_stack([cleared.flows[b].sum(axis=0) for b in blocks])
        calibration_cache.store(self.world, cache_key)
        return self.resolver.run(self.round_context())

    def _fit_sourcing(self, spend: np.ndarray, goal: np.ndarray, listed: np.ndarray, rows: np.ndarray,
                      free_goal: np.ndarray) -> np.ndarray:
        """One proportional-fitting step on the share parameters of supplier states in the
        markets with given bilateral shares; returns each sector's largest gap before it.
        free_goal: (S, 1, j) the share of each market left to the suppliers given none."""
        m = self.world.market
        by = self.resolver.by_group(spend)  # (S, k, j)
        total = by.sum(axis=1, keepdims=True)
        share = np.divide(by, total, out=np.zeros_like(by), where=total > 0)
        free_got = np.where(listed, 0.0, share).sum(axis=1, keepdims=True)
        want = np.where(listed, goal, share * np.divide(free_goal, free_got, out=np.ones_like(free_got),
                                                        where=free_got > 0))
        factor = np.where(rows[:, None, :] & (share > 0), np.divide(want, share, out=np.ones_like(want),
                                                                    where=share > 0), 1.0)
        m.armington *= factor.transpose(1, 2, 0)  # (k, j, S)
        return np.abs(np.where(listed, share - goal, 0.0)).max(axis=(1, 2))

    def round_context(self) -> RoundContext:
        """A fresh context for the coming round: full budgets, no actions taken yet."""
        st = self.world.states
        n, s = st.n, self.world.sectors.n
        return RoundContext(
            budget=st.gdp * st.budget_share, spent=np.zeros(n), counts=np.zeros(n, dtype=int),
            rd_subsidy=np.zeros((n, s)), rd_knowledge=np.zeros((n, s)), capacity_subsidy=np.zeros((n, s)),
            attempts=np.zeros(n), conceded=np.zeros(n),
            locks=self.treatment.locks if self.treatment else frozenset(),
        )

    def _reindex_firms(self) -> None:
        f = self.world.firms
        self._pos = np.full(self.world.next_firm_id, -1, dtype=np.int64)
        self._pos[f.ids] = np.arange(f.n)

    def firm_index(self, firm_id: int) -> int:
        return int(self._pos[firm_id])

    # -- observation ---------------------------------------------------------
    def observe(self, ctx: RoundContext) -> list[StateObservation]:
        public = build_public(self.world, self.last_events, self.outcomes)
        st = self.world.states
        return [
            StateObservation(
                public=public, me=i, budget=float(ctx.budget[i]), objectives=st.objectives[i],
                resolve=float(st.resolve[i]),
                own=dict(zip(STATE_METRICS, self.outcomes.state[i].tolist())),
                max_actions=self.params.max_actions,
            )
            for i in range(st.n)
        ]

    # -- the round -----------------------------------------------------------
    def step(self) -> None:
        w = self.world
        w.round = self.steps
        events: list[Event] = []
        ctx = self.round_context()
        observations = self.observe(ctx)

        # Decide: every state at once, from the start-of-round state (firms once orders are in force).
        orders: list[tuple[int, Action, str, str]] = []
        for agent, obs in zip(self.state_agents, observations):
            actions = agent.strategy.decide(obs, agent.stream)
            # The doctrine's rule behind each move, for the event log (human seats give none).
            rules = getattr(agent.strategy, "rules", [])
            rules = rules if len(rules) == len(actions) else [""] * len(actions)
            orders += [(agent.index, a, "strategy", why) for a, why in zip(actions, rules)]
        orders += [(i, a, "script", "") for i, a in self.script.get(w.round, [])]
        if self.treatment:
            orders += [(self.treatment.controller, a, "experiment", "") for a in self.treatment.orders(w.round)]

        for i, action, source, why in orders:
            events.append(self._apply(ctx, i, action, source, why))
        events += self._coordinate(ctx, observations)
        events += [self._inject(inj) for inj in self.injects.get(w.round, [])]
        events += self._enter_champions(ctx)
        barriers = self._decide_firms()  # firms respond to the policies in force this round

        # Resolve and record.
        self.outcomes = self.resolver.run(ctx, barriers)
        events += self._firm_dynamics()
        events = [e for e in events if e is not None]
        self.datacollector.record(w.round, self.outcomes, w.firms, events)
        self.last_events = events
        if self.steps >= self.rounds:
            self.running = False

    def run(self, rounds: int | None = None) -> GeoModel:
        """Play until the last round (or `rounds` more rounds)."""
        end = self.rounds if rounds is None else self.steps + rounds
        while self.steps < end:
            self.step()
        return self

    def add_inject(self, inj: Inject) -> None:
        """Schedule an inject for the coming round (a facilitator's, before adjudication)."""
        self.injects.setdefault(self.steps + 1, []).append(inj)

    def _inject(self, inj: Inject) -> Event:
        try:
            text = apply_inject(self.world, self.book, inj)
        except IllegalAction as exc:
            return self._event("refused", "facilitator", f"inject {inj.kind} was refused: {exc}")
        return self._event("inject", "facilitator", text, getattr(inj, "target", None), inj.sector,
                           inject=inj.model_dump())

    def set_strategy(self, state: str, kind: str, params: dict | None = None) -> None:
        """From the next round on, `state` plays another strategy (e.g. AI takes over a seat)."""
        agent = self.state_agents[self.world.states.names.index(state)]
        agent.strategy = make_state_strategy(kind, params)

    def reseed(self, seed: int) -> None:
        """Fresh random streams from `seed` for everything that draws from now on: each
        state's stream, each firm's key, future entrants. Replications of a counterfactual
        branch from one shared history this way and differ only afterwards."""
        self.seeds = RootSeed(np.random.SeedSequence([seed, self.steps]))
        for agent, ss in zip(self.state_agents, self.seeds.states.spawn(len(self.state_agents))):
            agent.stream = np.random.default_rng(ss)
        f = self.world.firms
        if f.n:
            f.key = keys_from(self.seeds.firms.spawn(f.n))

    def _set_stance(self, i: int, action) -> None:
        seat = self.state_agents[i].strategy
        if not isinstance(seat, HumanSeat):
            raise IllegalAction("only a human seat sets its answers; AI strategies answer for themselves")
        seat.params.update(accept_proposals=action.accept_proposals, concede=action.concede)

    def submit(self, state: str, orders: list[Action]) -> None:
        """Hand a human seat its sealed orders for the coming round."""
        agent = self.state_agents[self.world.states.names.index(state)]
        if not isinstance(agent.strategy, HumanSeat):
            raise IllegalAction(f"{state} is not a human seat")
        agent.strategy.orders = list(orders)

    def digest(self) -> str:
        """A hash of the world's numeric state and the round: equal digests, equal worlds."""
        import hashlib

        h = hashlib.sha256(str(self.steps).encode())
        for part in (self.world.states, self.world.sectors, self.world.firms, self.world.policy, self.world.market):
            for value in vars(part).values():
                if isinstance(value, np.ndarray):
                    h.update(np.ascontiguousarray(value).tobytes())
        h.update(repr(sorted(self.world.policy.listings.items())).encode())
        return h.hexdigest()

    def _event(self, kind, actor, text, target=None, sector=None, **detail) -> Event:
        return Event(self.world.round, kind, actor, text, target, sector, detail)

    def _apply(self, ctx: RoundContext, i: int, action: Action, source: str, why: str = "") -> Event | None:
        name = self.world.states.names[i]
        try:
            if action.kind == "stance":
                self._set_stance(i, action)
            text = self.book.apply(ctx, i, action, source)
        except IllegalAction as exc:
            return self._event("refused", name, f"{name}'s {action.kind} was refused: {exc}",
                               _field(action, "target"), _field(action, "sector"),
                               action=action.model_dump(), reason=str(exc), source=source,
                               **({"rule": why} if why else {}))
        if text is None:
            return None
        if action.kind == "export_control" and action.coordinated:
            kind = "proposal"
        elif action.kind == "set_tariff" and action.rate == 0:
            kind = "lift_tariff"
        else:
            kind = EVENT_KIND.get(action.kind, action.kind)
        target = _field(action, "target") or _field(action, "partner")
        rule = {"rule": why, "order": action.kind} if why else {}
        text = f"{text} (rule: {why})" if why else text
        return self._event(kind, name, text, target, _field(action, "sector"), source=source, **rule)

    def _coordinate(self, ctx: RoundContext, observations: list[StateObservation]) -> list[Event]:
        """Partners answer coalition proposals; targets answer coercive demands."""
        w, p, book, names = self.world, self.params, self.book, self.world.states.names
        events = []
        for prop in ctx.proposals:
            i, j, s = prop.proposer, prop.target, prop.sector
            members = w.coalitions.setdefault((i, j, s), {i})
            view = ProposalView(i, s, j, prop.action.scope)
            for k in prop.partners:
                agent = self.state_agents[k]
                # Under an experiment, only the experiment's own proposal may move a fixed control.
                locked = (k, j, s) in ctx.locks and prop.source != "experiment"
                yes = not locked and agent.strategy.answer_proposal(observations[k], view, agent.stream)
                label = book.label(s)
                if yes:
                    members.add(k)
                    trust.shift(w, i, k, p.trust_step, both=True)
                    events.append(self._event("joined", names[k], f"{names[k]} joined {names[i]}'s controls on {label} to {names[j]}", names[i], w.sectors.names[s]))
                else:
                    trust.shift(w, i, k, -p.trust_step)
                    events.append(self._event("declined", names[k], f"{names[k]} declined to join {names[i]}'s controls on {label} to {names[j]}", names[i], w.sectors.names[s]))
            if len(members) - 1 >= prop.action.min_partners:
                for k in sorted(members):
                    book.impose_control(k, j, s, prop.action)
                events.append(self._event("control", names[i], f"coordinated controls on {book.label(s)} to {names[j]} in force: {', '.join(names[k] for k in sorted(members))}", names[j], w.sectors.names[s], members=[names[k] for k in sorted(members)]))
            else:
                w.coalitions.pop((i, j, s), None)
                events.append(self._event("coalition_failed", names[i], f"{names[i]}'s controls on {book.label(s)} to {names[j]} did not start: {len(members) - 1} of {prop.action.min_partners} partners needed joined", names[j], w.sectors.names[s]))

        for d in ctx.demands:
            i, j, s = d.coercer, d.target, d.sector
            agent = self.state_agents[j]
            ctx.attempts[i] += 1
            concede = agent.strategy.answer_demand(observations[j], DemandView(i, s), agent.stream)
            label = book.label(s)
            if concede:
                ctx.conceded[j] += 1
                lifted = book.concede(i, j, ctx.locks)
                what = f", lifting its {' and '.join(lifted)} on {names[i]}" if lifted else ""
                trust.shift(w, j, i, -p.trust_step)
                events.append(self._event("conceded", names[i], f"{names[j]} conceded to {names[i]}'s demand{what}", names[j], w.sectors.names[s]))
            else:
                book.start_embargo(i, j, s, p.embargo_rounds)
                trust.shift(w, j, i, -3 * p.trust_step)
                events.append(self._event("resisted", names[i], f"{names[j]} resisted {names[i]}'s demand: {names[i]}'s embargo on {label} to {names[j]} took effect", names[j], w.sectors.names[s]))
            onlookers = [k for k in range(w.states.n) if k not in (i, j)]
            w.states.trust[onlookers, i] = np.maximum(0.0, w.states.trust[onlookers, i] - p.onlooker_trust_loss)
        return events

    # -- firms -----------------------------------------------------------------
    def _decide_firms(self) -> leakage.Barriers | None:
        """Firms decide once the round's orders, coalitions and injects are in force, so a
        control bites and is answered in the same round: circumvention from each firm's
        stake under the barriers in force (game.rules.leakage.exposure), the rest from
        last round's results. Returns those barriers (None when there are none), which the
        round's wedges see unchanged: what follows from them is built once."""
        f, p, w = self.world.firms, self.params, self.world
        barriers = leakage.in_force(w, p) if leakage.any_barrier(w) else None
        exposed = leakage.exposure(self.world, p, barriers)
        obs = FirmObservation(
            relative_quality=self.world.relative_quality(),
            utilisation=f.sales / (p.target_utilisation * np.maximum(f.capacity, 1e-12)),
            blocked_share=exposed.blocked_share, enforcement=exposed.enforcement, compliance=f.compliance,
            circumventing=f.circumvent, input_factor=f.input_factor,
            stake=exposed.stake, expected_fines=exposed.fines, reputation=p.reputation_cost,
        )
        u = uniforms(f.key, self.world.round, PURPOSE_CIRCUMVENT)
        u_move = uniforms(f.key, self.world.round, PURPOSE_RELOCATE)
        circumvent, rd_share = f.circumvent.copy(), f.rd_share.copy()
        self._movers = np.zeros(f.n, dtype=bool)
        wants = np.zeros(f.n, dtype=bool)
        for code, strategy in enumerate(self.firm_strategies):
            idx = np.flatnonzero((f.strategy == code) & f.alive)
            if len(idx) == 0:
                continue
            circumvent[idx] = strategy.circumvent(obs, idx, u[idx])
            rd_share[idx] = strategy.rd_share(obs, idx)
            self._movers[idx] = strategy.relocate(obs, idx, u_move[idx])
            wants[idx] = strategy.diversify(obs, idx)
        f.circumvent, f.rd_share = circumvent, rd_share
        if wants.any():
            coercion.firm_requests(self.world, p, wants)
        return barriers

    def _enter_champions(self, ctx: RoundContext) -> list[Event]:
        """A capacity subsidy in a sector where the state has no live firm founds a champion."""
        w, f = self.world, self.world.firms
        events = []
        has = np.zeros((w.states.n, w.sectors.n), dtype=bool)
        has[f.home[f.alive], f.sector[f.alive]] = True
        for i, s in np.argwhere((ctx.capacity_subsidy > 0) & ~has):
            name = f"{w.states.names[i]} {w.sectors.names[s]} champion {w.next_firm_id}"
            mean_cost = float(f.cost[f.sector == s].mean())
            append_firm(
                f, ids=w.next_firm_id, name=name, home=i, sector=s, capacity=0.0,
                quality=firm_dynamics.champion_quality(w, self.params, s), cost=1.1 * mean_cost,
                compliance=0.9, strategy=0, key=self.seeds.new_firm_key(), cash=0.0,
                overhead_rate=self.params.overhead, reserve=0.0,
            )
            self.firm_agents[w.next_firm_id] = FirmAgent(self, w.next_firm_id, name, FIRM_STRATEGY_ORDER[0])
            w.next_firm_id += 1
            events.append(self._event("entry", w.states.names[i], f"{name} entered {w.sectors.labels[s]} with state support", sector=w.sectors.names[s]))
        if events:
            self._resort()
        return events

    def _firm_dynamics(self) -> list[Event]:
        """Exits, relocations and acquisitions after the accounts are settled."""
        w, f, p, names = self.world, self.world.firms, self.params, self.world.states.names
        events = []
        bankrupt, closing = accounts.exits(w, p)
        for k in np.concatenate([bankrupt, closing]):
            how = ("went bankrupt and left" if k in bankrupt else
                   f"closed, its business down to {f.revenue[k] / f.sized_for[k]:.0%} of what it was built for, and left")
            f.alive[k], f.capacity[k] = False, 0.0
            self.firm_agents[int(f.ids[k])].remove()
            events.append(self._event("exit", names[f.home[k]], f"{f.names[k]} {how} {w.sectors.labels[f.sector[k]]}", sector=w.sectors.names[f.sector[k]]))
        movers = np.flatnonzero(self._movers & f.alive)
        moved = False
        for k, dest in zip(movers, firm_dynamics.relocation_targets(w, movers)):
            if dest < 0:
                continue
            old = names[f.home[k]]
            f.home[k] = dest
            f.capacity[k] *= 1.0 - p.relocation_loss
            moved = True
            events.append(self._event("relocation", old, f"{f.names[k]} moved its {w.sectors.labels[f.sector[k]]} capacity from {old} to {names[dest]}", names[dest], w.sectors.names[f.sector[k]]))
        u_bid = uniforms(f.key, w.round, PURPOSE_BID)
        firm_dynamics.calibrate_deals(w, p, self._refused)
        distress = firm_dynamics.acquisitions(w, p, u_bid, self._refused)
        busy = {k for buyer, target, _ in distress for k in (buyer, target)}
        technology = firm_dynamics.technology_bids(w, p, u_bid, self._refused, busy)
        price = firm_dynamics.sale_price(w, p)
        for motive, deals in (("distress", distress), ("technology", technology)):
            for buyer, target, blocked in deals:
                events.append(self._acquire(buyer, target, blocked, motive, float(price[target])))
        if moved:
            self._resort()
        return events

    def _acquire(self, buyer: int, target: int, blocked: bool, motive: str, price: float) -> Event:
        """Book one bid: refused by the host's screening, or the buyer pays and takes over.
        A distressed firm is bought for its plant at half replacement cost with its debts
        (its cash and loss count reset); a healthy one at `price` (firm_dynamics.sale_price),
        keeping its own cash. The sellers' state is paid the price (accounts.sale_transfers)."""
        w, f, p, names = self.world, self.world.firms, self.params, self.world.states.names
        host, bidder = names[f.home[target]], names[f.home[buyer]]
        sector = w.sectors.names[f.sector[target]]
        why = "sought for its technology" if motive == "technology" else "a distressed firm"
        if blocked:
            return self._event("acquisition_blocked", host, f"{host} blocked {f.names[buyer]} ({bidder})'s bid for {f.names[target]}, {why}", bidder, sector, motive=motive)
        if motive == "distress":
            price = 0.5 * p.capex * f.cost[target] * f.capacity[target]  # to its owners; the debts to creditors
            f.cash[buyer] -= price - f.cash[target]
            f.cash[target], f.loss_rounds[target] = 0.0, 0
        else:
            f.cash[buyer] -= price
        f.quality[buyer] = max(f.quality[buyer], f.quality[target])
        f.seller[target], f.sale_income[target] = f.owner[target], price / p.deal_multiple
        f.owner[target] = f.owner[buyer]
        group = f.group()
        f.parent[group == group[target]] = group[buyer]  # the target, and what it had bought
        return self._event("acquisition", bidder, f"{f.names[buyer]} ({bidder}) bought {f.names[target]} ({host}), {why}", host, sector, motive=motive)

    def _resort(self) -> None:
        sort_firms(self.world)
        self.resolver.reindex()
        self._reindex_firms()
        self._movers = np.zeros(self.world.firms.n, dtype=bool)

