"""The run tables a user can check: `highfence run --out` writes bilateral `flows` and the
`welfare` decomposition, and they agree with the other tables and with themselves."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import yaml

from game.cli import main
from game.scenario import load_scenario
from tests.conftest import CONFIGS, tiny_data

FLOW_COLUMNS = ["round", "exporter", "importer", "sector", "route", "quantity", "value", "price", "duty", "leaked"]
WELFARE_COLUMNS = ["round", "state", "total_bn", "pct_gdp", "buyers_bn", "producers_bn", "tariff_revenue_bn",
                   "fiscal_bn"]


def move(round_, state, **action):
    return {"round": round_, "state": state, "action": action}


def read(out, name, fmt):
    path = out / f"{name}.{fmt}"
    assert path.exists(), f"{path} was not written"
    return pd.read_parquet(path) if fmt == "parquet" else pd.read_csv(path)


def run(tmp_path, scenario, rounds, seed=0, fmt="parquet"):
    """`highfence run` through the real entry point; the written flows, welfare and sectors."""
    out = tmp_path / "out"
    rc = main(["run", str(scenario), "--rounds", str(rounds), "--seed", str(seed), "--quiet",
               "--out", str(out), "--format", fmt])
    assert rc == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["tables"]["flows"] == f"flows.{fmt}" and manifest["tables"]["welfare"] == f"welfare.{fmt}"
    return read(out, "flows", fmt), read(out, "welfare", fmt), read(out, "sectors", fmt)


def scripted(tmp_path, script):
    """The tiny world with passive scripted states, plus `script`, as a YAML file."""
    path = tmp_path / "scripted.yaml"
    data = tiny_data()
    data["script"] = script
    path.write_text(yaml.safe_dump(data))
    return path


@pytest.mark.parametrize(("config", "rounds", "seed", "fmt"), [
    ("tiny.yaml", 4, 3, "parquet"),
    ("tiny.yaml", 3, 1, "csv"),
    ("default.yaml", 4, 7, "parquet"),
])
def test_flows_and_welfare_tables_add_up(tmp_path, config, rounds, seed, fmt):
    flows, welfare, sectors = run(tmp_path, CONFIGS / config, rounds, seed, fmt)
    sc = load_scenario(CONFIGS / config)
    states, sector_names = list(sc.states), list(sc.sectors)

    # flows: one row per non-zero flow, names not indices, rounds 0 (the starting year) .. N.
    assert list(flows.columns) == FLOW_COLUMNS
    assert sorted(flows["round"].unique()) == list(range(rounds + 1))
    assert set(flows["exporter"]) <= set(states) and set(flows["importer"]) <= set(states)
    assert set(flows["sector"]) <= set(sector_names)
    assert not flows.duplicated(["round", "exporter", "importer", "sector", "route"]).any()
    assert (flows["quantity"] > 0).all()
    np.testing.assert_allclose(flows["price"], flows["value"] / flows["quantity"], rtol=1e-12, atol=0)
    assert flows["leaked"].between(0.0, 1.0).all()
    assert (flows["duty"] >= 0).all()
    assert (flows["duty"] < flows["value"]).all()  # a duty is part of what buyers spend

    # Summed over exporters, flows are what each importer received (sectors table).
    got = flows.groupby(["round", "importer", "sector"])["quantity"].sum()
    received = sectors.reset_index() if fmt == "parquet" else sectors
    received = received.rename(columns={"Step": "round", "state": "importer"})
    received = received.set_index(["round", "importer", "sector"])["received"]
    assert len(received) == (rounds + 1) * len(states) * len(sector_names)
    got = got.reindex(received.index, fill_value=0.0)
    np.testing.assert_allclose(got, received, rtol=1e-9, atol=0)

    # welfare: one row per state and round; the four parts add up to the total.
    assert list(welfare.columns) == WELFARE_COLUMNS
    assert len(welfare) == (rounds + 1) * len(states)
    assert list(welfare["state"].iloc[: len(states)]) == states
    parts = welfare[["buyers_bn", "producers_bn", "tariff_revenue_bn", "fiscal_bn"]].sum(axis=1)
    np.testing.assert_allclose(parts, welfare["total_bn"], rtol=0, atol=1e-9 * max(1.0, welfare["total_bn"].abs().max()))
    assert (welfare["fiscal_bn"] <= 0).all()
    gdp = welfare["state"].map({name: st.gdp for name, st in sc.states.items()})
    np.testing.assert_allclose(welfare["pct_gdp"], 100.0 * welfare["total_bn"] / gdp, rtol=1e-12, atol=1e-15)
    start = welfare[welfare["round"] == 0]
    np.testing.assert_allclose(start["total_bn"], 0.0, atol=1e-9)  # against the starting year itself


def test_export_control_shows_as_leaked_flows(tmp_path):
    script = [move(1, "ALPHA", kind="export_control", sector="chips", target="GAMMA", enforcement=0.5)]
    flows, _, sectors = run(tmp_path, scripted(tmp_path, script), 3)
    leaky = flows[flows["leaked"] > 0]
    assert len(leaky) > 0
    assert (leaky["round"] >= 1).all() and (leaky["importer"] == "GAMMA").all() and (leaky["sector"] == "chips").all()
    assert (flows.loc[flows["round"] == 0, "leaked"] == 0).all()
    # The leaked quantity, summed over exporters, is the sectors table's leaked_in.
    leaked_q = (flows["leaked"] * flows["quantity"]).groupby([flows["round"], flows["importer"], flows["sector"]]).sum()
    leaked_in = sectors["leaked_in"]
    leaked_in.index = leaked_in.index.rename(["round", "importer", "sector"])
    leaked_q = leaked_q.reindex(leaked_in.index, fill_value=0.0)
    np.testing.assert_allclose(leaked_q, leaked_in, rtol=1e-9, atol=1e-12)


def test_tariff_shows_as_duty_on_that_flow_only(tmp_path):
    script = [move(1, "BETA", kind="set_tariff", partner="GAMMA", sector="chips", rate=0.25)]
    flows, welfare, _ = run(tmp_path, scripted(tmp_path, script), 3)
    taxed = flows[flows["duty"] > 0]
    assert len(taxed) > 0
    assert (taxed["exporter"] == "GAMMA").all() and (taxed["importer"] == "BETA").all()
    assert (taxed["sector"] == "chips").all() and (taxed["round"] >= 1).all()
    # The duty is the tariff's share of the duty-inclusive spending: value * t / (1 + t).
    np.testing.assert_allclose(taxed["duty"], taxed["value"] * 0.25 / 1.25, rtol=1e-9)
    # It is BETA's tariff revenue against a starting year that had none.
    beta = welfare[(welfare["state"] == "BETA") & (welfare["round"] >= 1)].set_index("round")["tariff_revenue_bn"]
    np.testing.assert_allclose(beta, taxed.set_index("round")["duty"].reindex(beta.index, fill_value=0.0), rtol=1e-9)
    others = welfare[welfare["state"] != "BETA"]
    assert (others["tariff_revenue_bn"] == 0).all()


def test_tables_reachable_through_the_datacollector():
    from tests.conftest import play, tiny

    dc = play(tiny(), 2).datacollector
    pd.testing.assert_frame_equal(dc.get_table_dataframe("flows"), dc.flows_frame())
    pd.testing.assert_frame_equal(dc.get_table_dataframe("welfare"), dc.welfare_frame())
    with pytest.raises(KeyError, match="flows, welfare"):
        dc.get_table_dataframe("nope")
