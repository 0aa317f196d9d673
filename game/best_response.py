"""Best-response dynamics over strategies: is the allies' coordination stable as incentives?

Each state in turn plays a tournament (game.tournament) of postures against the others'
current choices and switches to the best one when it beats its current strategy on the
same seeds (the paired difference's 95% interval above zero: a move on noise is no
move). Passes repeat until no state moves (a profile where nobody wants to deviate,
within the candidates and the seeds) or the number of passes runs out.

Then the coalition test, on the scenario's `compare:` experiment in its coordinated arm
with the others at the final profile: for each partner, its score when it joins the
controller's coordinated control against its score when it declines and keeps selling
to the target (the partner otherwise holds still: the scripted strategy, answering
always yes or always no), on the same seeds. The coordination survives when every
partner prefers joining.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from game import tournament
from game.errors import HighfenceError
from game.scenario import load_scenario

DEFAULT_POSTURES = ("free_trader", "hedger", "high_fence", "coalition_builder", "broad_decoupler", "tit_for_tat",
                    "coercer")
FIXED_KINDS = ("human", "scripted")  # seats whose moves are not the AI's to choose


@dataclass(frozen=True)
class Step:
    pass_no: int
    state: str
    before: str
    after: str
    gain: float  # paired mean of score(best) - score(before)
    gain_low: float
    gain_high: float

    @property
    def moved(self) -> bool:
        return self.before != self.after

    def line(self) -> str:
        if self.moved:
            return (f"pass {self.pass_no}  {self.state:<5} {self.before} -> {self.after}  "
                    f"(+{self.gain:.2f} points, 95% CI [{self.gain_low:+.2f}, {self.gain_high:+.2f}])")
        what = "best already" if self.gain == 0 else \
            f"best alternative {self.gain:+.2f} [{self.gain_low:+.2f}, {self.gain_high:+.2f}], not clearly better"
        return f"pass {self.pass_no}  {self.state:<5} stays {self.before} ({what})"


@dataclass(frozen=True)
class PartnerChoice:
    partner: str
    join: float  # mean score when joining
    free_ride: float
    diff: float  # join - free_ride, paired
    low: float
    high: float

    @property
    def verdict(self) -> str:
        if self.low > 0:
            return "joins"
        if self.high < 0:
            return "free-rides"
        return "indifferent"

    def line(self) -> str:
        return (f"  {self.partner:<5} join {self.join:.2f} vs free-ride {self.free_ride:.2f}: "
                f"{self.diff:+.2f} [{self.low:+.2f}, {self.high:+.2f}] -> {self.verdict}")


@dataclass
class Dynamics:
    initial: dict[str, str]
    profile: dict[str, str]
    steps: list[Step] = field(default_factory=list)
    converged: bool = False
    passes: int = 0
    partners: list[PartnerChoice] = field(default_factory=list)
    coalition: str = ""  # the compared control, in words

    @property
    def survives(self) -> bool | None:
        return None if not self.partners else all(p.verdict == "joins" for p in self.partners)

    def changed(self) -> dict[str, str]:
        return {k: v for k, v in self.profile.items() if v != self.initial[k]}

    def as_record(self) -> dict:
        return {
            "initial": self.initial, "final": self.profile, "converged": self.converged, "passes": self.passes,
            "path": [s.__dict__ | {"moved": s.moved} for s in self.steps],
            "coalition": self.coalition, "survives": self.survives,
            "partners": [p.__dict__ | {"verdict": p.verdict} for p in self.partners],
        }


def best_responses(scenario_path: str | Path, candidates: Sequence[str] = DEFAULT_POSTURES, seeds: int = 6,
                   passes: int = 3, rounds: int | None = None, states: Sequence[str] | None = None,
                   executor: str = "local", workers: int | None = None, seed: int = 0,
                   say: Callable[[str], None] = print) -> Dynamics:
    """Best-response passes from the scenario's strategies, then the coalition test."""
    sc = load_scenario(scenario_path)
    if passes < 1:
        raise HighfenceError("--rounds-of-play: expected at least 1 pass")
    candidates = tournament.check_candidates(candidates)
    initial = {name: st.strategy.kind for name, st in sc.states.items()}
    movers = list(states) if states else [s for s in sc.states if initial[s] not in FIXED_KINDS]
    for s in movers:
        tournament.check_state(sc, s)
    dyn = Dynamics(initial, dict(initial))
    common = {"seeds": seeds, "rounds": rounds, "executor": executor, "workers": workers, "seed": seed,
              "progress": False}
    for p in range(1, passes + 1):
        dyn.passes, moved = p, False
        for s in movers:
            current = dyn.profile[s]
            result = tournament.play(scenario_path, s, [current, *candidates], profile=dyn.changed(), **common)
            best = result.entries[0].strategy
            if best == current:
                step = Step(p, s, current, current, 0.0, 0.0, 0.0)
            else:
                d, lo, hi = result.paired_difference(best, current)
                step = Step(p, s, current, best if lo > 0 else current, d, lo, hi)
            if step.moved:
                dyn.profile[s], moved = best, True
            dyn.steps.append(step)
            say(step.line())
        if not moved:
            dyn.converged = True
            break
    if sc.compare is not None and sc.compare.partners:
        dyn.coalition, dyn.partners = coalition_test(scenario_path, dyn, **common)
    return dyn


def coalition_test(scenario_path, dyn: Dynamics, **common) -> tuple[str, list[PartnerChoice]]:
    sc = load_scenario(scenario_path)
    c = sc.compare
    what = f"{c.controller}'s coordinated controls on {', '.join(c.sectors)} to {c.target}"
    out = []
    for partner in c.partners:
        others = {k: v for k, v in dyn.changed().items() if k != partner}
        scores = {}
        for answer in (True, False):
            params = {f"states.{partner}.strategy.kind": "scripted",
                      f"states.{partner}.strategy.params": {"accept_proposals": answer, "concede": False}}
            r = tournament.play(scenario_path, partner, ["scripted"], profile=others, variant="coordinated",
                                overrides=params, **common)
            scores[answer] = r.runs.set_index("seed")["score"]
        diff = (scores[True] - scores[False]).to_numpy()
        d, lo, hi = tournament.mean_ci(diff)
        out.append(PartnerChoice(partner, float(scores[True].mean()), float(scores[False].mean()), d, lo, hi))
    return what, out


def report(dyn: Dynamics) -> str:
    lines = ["", "final profile:" + (" (no state wants to move)" if dyn.converged else
                                     f" (still moving after {dyn.passes} passes)")]
    for k, v in dyn.profile.items():
        mark = f"  (was {dyn.initial[k]})" if v != dyn.initial[k] else ""
        lines.append(f"  {k:<5} {v}{mark}")
    if dyn.partners:
        lines += ["", (f"coalition test, {dyn.coalition}, others at the final profile "
                       "(score when joining vs declining and selling to the target, paired):")]
        lines += [p.line() for p in dyn.partners]
        if dyn.survives:
            lines.append("coordinated control survives: every partner prefers to join")
        else:
            who = ", ".join(f"{p.partner} ({p.verdict})" for p in dyn.partners if p.verdict != "joins")
            lines.append(f"coordinated control does not survive on incentives alone: {who}")
    else:
        lines.append("\n(no compare: section with partners in this scenario: no coalition test)")
    return "\n".join(lines)


__all__ = ["DEFAULT_POSTURES", "Dynamics", "best_responses", "coalition_test", "report"]
