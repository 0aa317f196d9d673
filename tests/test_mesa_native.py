"""Mesa-native: `model.datacollector` is a real mesa.DataCollector that Mesa's own code
reads (batch_run), GeoModel takes a Mesa scenario (what SolaraViz's Reset passes), and
the history's spill to disk past its memory budget gives back the same tables bit for bit."""

from __future__ import annotations

import warnings

import mesa
import numpy as np
import pandas as pd
import pytest
from mesa.experimental.scenarios import Scenario as MesaScenario

import game.history
from agents import FirmAgent
from game.model import GeoModel, GeoScenario
from game.outcomes import STATE_METRICS


def test_datacollector_is_a_mesa_datacollector_with_the_tables():
    m = GeoModel("tiny", seed=2, rounds=3).run()
    dc = m.datacollector
    assert isinstance(dc, mesa.DataCollector)
    assert dc._collection_steps == [0, 1, 2, 3]
    assert list(dc.model_vars["world_welfare_change"]) == list(dc.get_model_vars_dataframe()["world_welfare_change"])
    rec = dc._agent_records[2]
    assert [r[1] for r in rec] == ["ALPHA", "BETA", "GAMMA"] and len(rec[0]) == 2 + len(STATE_METRICS)
    states = dc.get_agent_vars_dataframe()
    assert rec[1][2:] == tuple(states.loc[(2, "BETA")].tolist())
    for name in ("events", "sectors", "flows", "welfare"):
        assert isinstance(dc.get_table_dataframe(name), pd.DataFrame)
    # Mesa's own tables sit beside ours.
    dc._new_table("notes", ["round", "text"])
    dc.add_table_row("notes", {"round": 3, "text": "debrief"})
    assert dc.get_table_dataframe("notes").to_dict("records") == [{"round": 3, "text": "debrief"}]
    with pytest.raises(KeyError, match="tables: events, sectors, flows, welfare, notes"):
        dc.get_table_dataframe("nope")
    n = len(dc.rounds)
    dc.collect(m)  # what Mesa models call each step: GeoModel records itself, so nothing twice
    assert len(dc.rounds) == n


def test_mesa_batch_run():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # Mesa 3.5 deprecates iterations= for rng=
        rows = mesa.batch_run(GeoModel, parameters={"scenario": "tiny", "variant": ["free_trade", None],
                                                    "rounds": 3},
                              iterations=2, max_steps=10, display_progress=False)
    df = pd.DataFrame(rows)
    # 2 iterations x 2 variants, one row per state at the last step.
    assert len(df) == 2 * 2 * 3 and set(df["Step"]) == {3} and set(df["AgentID"]) == {"ALPHA", "BETA", "GAMMA"}
    assert {"world_welfare_change", "welfare_change", "autonomy", "variant", "rounds"} <= set(df.columns)
    assert df["welfare_change"].notna().all()
    # Seeds from rng= are GeoModel's seeds: the same numbers as a direct run.
    rows = mesa.batch_run(GeoModel, parameters={"scenario": "tiny", "rounds": 2}, rng=[5, 6], max_steps=10,
                          data_collection_period=1, display_progress=False)
    df = pd.DataFrame(rows)
    assert sorted(set(df["Step"])) == [0, 1, 2]
    direct = GeoModel("tiny", seed=6, rounds=2).run().datacollector.get_agent_vars_dataframe()
    got = df[(df["seed"] == 6) & (df["Step"] == 2)].set_index("AgentID")["welfare_change"]
    assert got.to_dict() == direct.xs(2, level="Step")["welfare_change"].to_dict()


def test_a_mesa_scenario_is_accepted():
    """SolaraViz's Reset passes `type(model.scenario)(**params)`: a plain Mesa Scenario plays
    the shipped default, a GeoScenario its config, its integer rng the seed."""
    plain = GeoModel(scenario=MesaScenario(), rounds=1)
    assert plain.spec.name == GeoModel("default", rounds=1).spec.name
    assert isinstance(plain.scenario, GeoScenario)
    m = GeoModel(scenario=GeoScenario(config="tiny", rng=4), seed=None, rounds=2).run()
    same = GeoModel("tiny", seed=4, rounds=2).run()
    assert m.seed == 4 and m.digest() == same.digest()
    again = type(m.scenario)(config=m.scenario.config)  # what Reset builds
    assert GeoModel(scenario=again, seed=4, rounds=2).run().digest() == same.digest()
    fresh = GeoModel("tiny", seed=None, rounds=1)
    assert isinstance(fresh.seed, int)  # a fresh seed, kept so the run can be replayed
    assert GeoModel("tiny", seed=fresh.seed, rounds=1).digest() == fresh.digest()


def test_history_spilled_to_disk_reads_back_bit_for_bit(monkeypatch):
    kept = GeoModel("default", seed=3, rounds=4).run()
    monkeypatch.setattr(game.history, "MEMORY_BUDGET", 0)  # spill every round but the newest
    spilled = GeoModel("default", seed=3, rounds=4).run()
    a, b = kept.datacollector, spilled.datacollector
    assert a.spilled_rounds == 0 and b.spilled_rounds == 4
    for x, y in zip(a.outcomes, b.outcomes):
        for field in ("trade_qty", "trade_value", "supply_share", "access", "state"):
            assert np.array_equal(getattr(x, field), getattr(y, field))
    pd.testing.assert_frame_equal(a.flows_frame(), b.flows_frame())
    pd.testing.assert_frame_equal(a.get_table_dataframe("sectors"), b.get_table_dataframe("sectors"))
    pd.testing.assert_frame_equal(a.get_agenttype_vars_dataframe(FirmAgent), b.get_agenttype_vars_dataframe(FirmAgent))
    assert np.array_equal(a.firms[2]["capacity"], b.firms[2]["capacity"]) and b.outcomes[-1].trade_qty is not None
    folder = b._store._folder
    assert folder.is_dir()
    del spilled, b
    import gc

    gc.collect()
    assert not folder.exists()  # the spill folder goes with the history


def test_run_tables_streamed_equal_the_frames(tmp_path, monkeypatch):
    from game.output import write_run

    monkeypatch.setattr(game.history, "MEMORY_BUDGET", 0)
    m = GeoModel("default", seed=1, rounds=3).run()
    for fmt in ("parquet", "csv"):
        write_run(m, tmp_path / fmt, fmt)
    flows = m.datacollector.flows_frame()
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "parquet" / "flows.parquet"), flows)
    csv = pd.read_csv(tmp_path / "csv" / "flows.csv", keep_default_na=False)
    assert len(csv) == len(flows) and np.allclose(csv["value"], flows["value"], rtol=1e-15)
