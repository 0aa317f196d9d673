"""The Python API a notebook uses: build, step, read Mesa-style frames and events."""

from agents import FirmAgent, StateAgent
from game.model import GeoModel


def test_notebook_api():
    m = GeoModel("configs/tiny.yaml", seed=2)
    m.step()
    assert m.steps == 1 and m.running
    m.run()
    assert not m.running and m.steps == m.rounds
    world = m.datacollector.get_model_vars_dataframe()
    assert world.index.name == "Step" and len(world) == m.rounds + 1
    states = m.datacollector.get_agent_vars_dataframe()
    assert states.index.names == ["Step", "AgentID"]
    assert set(states.xs(1, level="Step").index) == {"ALPHA", "BETA", "GAMMA"}
    firms = m.datacollector.get_agenttype_vars_dataframe(FirmAgent)
    assert {"name", "capacity", "quality", "home", "sector"} <= set(firms.columns)
    assert "GammaChip" in set(firms["name"])
    events = m.datacollector.get_table_dataframe("events")
    assert len(events) == len(m.datacollector.events) > 0
    sectors = m.datacollector.get_table_dataframe("sectors")
    assert sectors.index.names == ["Step", "state", "sector"]


def test_agents_read_through_into_the_arrays():
    m = GeoModel("configs/tiny.yaml", seed=2)
    alpha = next(a for a in m.agents_by_type[StateAgent] if a.name == "ALPHA")
    m.world.states.gdp[alpha.index] = 123.0
    assert alpha.gdp == 123.0
    firm = next(a for a in m.agents_by_type[FirmAgent] if a.name == "GammaChip")
    m.step()
    k = m.firm_index(firm.firm_id)
    assert firm.capacity == m.world.firms.capacity[k] and firm.home == "GAMMA" and firm.sector == "chips"


def test_scores_against_the_baseline_run():
    from game.score import baseline_scenario, score_against_baseline, scores
    from tests.conftest import tiny

    plain = GeoModel(tiny(), seed=1, rounds=4).run()
    same = GeoModel(baseline_scenario(plain.spec), seed=1, rounds=4).run()
    assert (scores(plain, same).abs() < 1e-12).all().all()
    spend = tiny(script=[{"round": r, "state": "BETA", "action": {"kind": "subsidy", "sector": "chips",
                                                                   "target": "rd", "amount": 10.0}}
                         for r in (1, 2, 3, 4)])
    run = GeoModel(spend, seed=1, rounds=4).run()
    s = score_against_baseline(run)
    assert s.loc["BETA", "technology"] > 0
    # The subsidy is a transfer (outlay and producers' income net out); what is left is
    # what the better chips are worth to their buyers, so BETA's welfare does not fall.
    assert s.loc["BETA", "welfare"] > 0


def test_human_seat_orders_and_replay_by_script_give_the_same_world():
    """A seat's sealed orders, handed over live, and the same orders replayed as scripted
    moves, give the same world bit for bit (the basis of session replay)."""
    from game.scenario import scenario_from_dict
    from tests.conftest import tiny_data

    data = tiny_data(scripted=False)
    data["states"]["BETA"]["strategy"] = {"kind": "human"}
    orders = {1: [{"kind": "set_tariff", "partner": "GAMMA", "sector": "chips", "rate": 0.2}],
              2: [{"kind": "stockpile", "sector": "rare_earths", "amount": 2.0}]}
    live = GeoModel(scenario_from_dict(data), seed=9, rounds=3)
    from game.actions import parse_action
    for r in (1, 2, 3):
        live.submit("BETA", [parse_action(a) for a in orders.get(r, [])])
        live.step()
    data["script"] = [{"round": r, "state": "BETA", "action": a} for r, acts in orders.items() for a in acts]
    replay = GeoModel(scenario_from_dict(data), seed=9, rounds=3).run()
    assert live.digest() == replay.digest()
    import pytest

    from game.errors import IllegalAction
    with pytest.raises(IllegalAction):
        live.submit("ALPHA", [])


def test_free_trade_reference_for_scores():
    """Scores against the free-trade run (every state passive): zero for a run that is
    itself passive, not zero for the default scenario's AI strategies."""
    from game.score import score_against_baseline

    passive = GeoModel("configs/default.yaml", seed=2, rounds=3, variant="free_trade").run()
    assert (score_against_baseline(passive, "free_trade").abs() < 1e-12).all().all()
    played = GeoModel("configs/default.yaml", seed=2, rounds=3).run()
    assert score_against_baseline(played, "free_trade")["welfare"].abs().max() > 0.1
