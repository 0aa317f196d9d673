"""Doctrine contracts over every registered state strategy: each uses the instruments its
doctrine names, every default-scenario state acts, the log names the rule that fired, and
no strategy crashes on any legal parameter."""

from __future__ import annotations

import typing
from collections import Counter

import pytest
from pydantic.fields import FieldInfo

from agents.strategies import STATE_STRATEGIES
from game.model import GeoModel
from game.scenario import load_scenario
from game.strategy_params import params_model
from tests.conftest import tiny

# A seat in the default scenario where each doctrine has something to act on.
SEATS = {"high_fence": "USA", "coalition_builder": "JPN", "broad_decoupler": "USA", "coercer": "CHN",
         "hedger": "IND", "tit_for_tat": "USA", "free_trader": "KOR", "adaptive_learner": "USA"}


def test_every_strategy_with_a_doctrine_has_a_seat_and_names_its_instruments():
    ai = {k for k, c in STATE_STRATEGIES.items() if k not in ("human", "scripted", "passive")}
    assert ai == set(SEATS)
    for kind in ai - {"adaptive_learner"}:  # the learner's instruments are its postures'
        assert STATE_STRATEGIES[kind].instruments, kind


@pytest.mark.parametrize("kind", sorted(SEATS))
def test_strategy_uses_the_instruments_its_doctrine_names(kind):
    seat = SEATS[kind]
    sc = load_scenario("configs/default.yaml")
    sc.states[seat].strategy.kind, sc.states[seat].strategy.params = kind, {}
    sc.states[seat].screening = False  # so screening is the doctrine's to start
    used = Counter()
    for seed in (0, 1):
        m = GeoModel(sc, seed=seed).run()
        used.update(e.detail["order"] for e in m.datacollector.events if e.actor == seat and "order" in e.detail)
    missing = set(STATE_STRATEGIES[kind].instruments) - set(used)
    assert not missing, f"{kind} as {seat} never used {sorted(missing)} (used {dict(used)})"
    if kind == "adaptive_learner":
        assert len(used) >= 5, used  # it plays several postures' instruments


@pytest.fixture(scope="module")
def default_run():
    return GeoModel("configs/default.yaml", seed=0).run()


def test_every_state_of_the_default_scenario_acts(default_run):
    acted = {e.actor for e in default_run.datacollector.events if e.detail.get("source") == "strategy"
             and e.kind != "refused"}
    assert acted == set(default_run.world.states.names)


def test_the_log_says_which_rule_of_the_doctrine_fired(default_run):
    moves = [e for e in default_run.datacollector.events if e.detail.get("source") == "strategy"]
    assert moves and all(e.detail.get("rule") for e in moves)
    assert all(f"(rule: {e.detail['rule']})" in e.text for e in moves if e.kind != "refused")


def test_strategies_answer_differently(default_run):
    """The doctrines are not one another: over a game, no two AI states order the same mix."""
    mixes = {}
    for e in default_run.datacollector.events:
        if "order" in e.detail:
            mixes.setdefault(e.actor, Counter())[e.detail["order"]] += 1
    kinds = {n: st.strategy.kind for n, st in default_run.spec.states.items()}
    by_kind = {}
    for state, mix in mixes.items():
        by_kind.setdefault(kinds[state], frozenset(mix))
    assert len(set(by_kind.values())) == len(by_kind)


def _bounds(annotation) -> list:
    """The legal extremes of a parameter's type: both ends of a range, every literal, both booleans."""
    if annotation is bool:
        return [True, False]
    if typing.get_origin(annotation) is typing.Literal:
        return list(typing.get_args(annotation))
    base, *meta = typing.get_args(annotation) or (annotation,)
    lo = hi = None
    for m in meta:
        for c in getattr(m, "metadata", [m]):
            lo = getattr(c, "ge", None) if getattr(c, "ge", None) is not None else lo
            lo = getattr(c, "gt", None) * 1.0001 + 1e-9 if getattr(c, "gt", None) is not None else lo
            hi = getattr(c, "le", None) if getattr(c, "le", None) is not None else hi
    return [base(v) for v in (lo, hi) if v is not None]


def _cases():
    for kind in sorted(STATE_STRATEGIES):
        model = params_model(kind)
        for name, f in model.model_fields.items():
            info: FieldInfo = f
            ann = info.annotation if not info.metadata else typing.Annotated[(info.annotation, *info.metadata)]
            for v in _bounds(ann):
                yield pytest.param(kind, name, v, id=f"{kind}-{name}={v}")


@pytest.mark.parametrize(("kind", "name", "value"), list(_cases()))
def test_no_strategy_crashes_on_a_legal_parameter(kind, name, value):
    """Every strategy, every parameter at each end of its legal range, in every seat of a
    lively game (the tiny world's AI strategies, this one in each seat)."""
    params_model(kind).model_validate({name: value})  # legal, by the scenario's own check
    sc = tiny(scripted=False)
    for st in sc.states.values():
        st.strategy.kind, st.strategy.params = kind, {name: value}
    m = GeoModel(sc, seed=5, rounds=6).run()
    assert m.steps == 6


def test_high_fence_with_no_rd_share_plays_the_default_game():
    """The issue's crash: a subsidy of 0 was ordered and refused as an error."""
    sc = load_scenario("configs/default.yaml")
    sc.states["USA"].strategy.params = {"rd_share": 0.0, "reshore_share": 0.0}
    m = GeoModel(sc, seed=0, rounds=8).run()
    usa = [e for e in m.datacollector.events if e.actor == "USA" and e.detail.get("source") == "strategy"]
    assert usa and not any(e.detail.get("order") == "subsidy" for e in usa)
    assert not any(e.kind == "refused" and e.actor == "USA" for e in m.datacollector.events)


def test_run_score_names_its_reference_and_explains_zero_columns():
    import subprocess
    import sys

    from tests.conftest import ROOT

    def run(*args):
        return subprocess.run([sys.executable, "-m", "game.cli", "run", "default", "--quiet", "--rounds", "3",
                               "--score", *args], capture_output=True, text=True, cwd=ROOT, check=False)

    same = run()
    assert same.returncode == 0, same.stderr
    assert "score against the AI-only baseline run" in same.stdout
    assert "note: every column is zero: this run is its own reference" in same.stdout
    arm = run("--against", "no_control")
    assert "score against the scenario's baseline arm (compare: no_control" in arm.stdout
    table = arm.stdout.split("score against")[1]
    for line in [x for x in arm.stdout.splitlines() if x.startswith("note:")]:
        assert "is zero for every state" in line  # a zero column comes with its reason
    assert "USA" in table
    bad = subprocess.run([sys.executable, "-m", "game.cli", "run", "tariffs_2018", "--score", "--against",
                          "no_control"], capture_output=True, text=True, cwd=ROOT, check=False)
    assert bad.returncode == 2 and "has no compare: section" in bad.stderr


def test_zero_reasons_name_each_all_zero_column():
    import pandas as pd

    from game.score import zero_reasons

    m = GeoModel("configs/default.yaml", seed=0, rounds=2).run()
    t = pd.DataFrame({"welfare": [1.0, -2.0], "security": [0.0, 0.0], "technology": [0.1, 0.0],
                      "cohesion": [0.0, 0.0], "score": [0.3, -0.4]}, index=["A", "B"])
    reasons = zero_reasons(t, m, "free_trade")
    assert [r.split(" ")[0] for r in reasons] == ["security", "cohesion"]


def test_a_hedger_sources_more_widely_than_a_free_trader():
    """The issue's finding: the hedger's sourcing equalled the free trader's to three decimals."""
    def hhi(kind):
        sc = load_scenario("configs/default.yaml")
        sc.states["IND"].strategy.kind = kind
        m = GeoModel(sc, seed=0).run()
        return float(m.outcomes.state_metric("hhi")[m.world.states.names.index("IND")])

    assert hhi("hedger") < hhi("free_trader") - 0.02
