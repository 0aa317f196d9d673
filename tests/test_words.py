"""Plain words: every order and inject kind reads as a sentence with sector labels,
the glossary explains the measures players meet, expired embargoes are not "in force"."""

from __future__ import annotations

from conftest import CONFIGS

from game.model import GeoModel
from game.session import orders
from game.words import (
    GLOSSARY,
    Labels,
    in_force,
    inject_text,
    order_text,
    policy_text,
    round_narrative,
)


def test_every_order_and_inject_kind_reads_as_a_sentence():
    model = GeoModel(CONFIGS / "tiny.yaml", seed=1)
    labels = Labels.of(model)
    for entry in orders.legal_actions(model, "ALPHA"):
        if not entry["legal"]:
            continue
        text = order_text(entry["example"], "ALPHA", labels)
        assert text.startswith("ALPHA ") and text.endswith(".") and "{" not in text and "_" not in text, text
        if "sector" in entry["example"]:
            assert labels.sector(entry["example"]["sector"]) in text
    examples = {"embargo": {"kind": "embargo", "state": "GAMMA", "target": "BETA", "sector": "rare_earths"},
                "demand_shock": {"kind": "demand_shock", "sector": "chips", "factor": 0.8},
                "breakthrough": {"kind": "breakthrough", "state": "BETA", "sector": "chips"},
                "supply_disruption": {"kind": "supply_disruption", "state": "ALPHA", "sector": "chips", "loss": 0.3}}
    assert {e["kind"] for e in orders.inject_menu(model)} == set(examples)
    texts = {k: inject_text(v, labels) for k, v in examples.items()}
    assert texts["embargo"] == "GAMMA halts rare earths exports to BETA for 2 round(s)."
    assert texts["demand_shock"] == "Spending on advanced chips everywhere falls by 20%."
    assert all("_" not in t for t in texts.values())


def test_the_embargo_inject_form_asks_who_imposes_it():
    model = GeoModel(CONFIGS / "tiny.yaml", seed=1)
    menu = {e["kind"]: [f["name"] for f in e["fields"]] for e in orders.inject_menu(model)}
    assert menu["embargo"] == ["state", "target", "sector", "rounds"]


def test_glossary_policies_and_narrative():
    for word in ("resolve", "autonomy", "indispensability", "access"):
        assert len(GLOSSARY[word]) > 40
    pols = [{"kind": "embargo", "by": "GAMMA", "on": "BETA", "sector": "rare_earths", "until_round": 2},
            {"kind": "tariff", "by": "BETA", "on": "GAMMA", "sector": "chips", "rate": 0.25}]
    assert [p["kind"] for p in in_force(pols, 2)] == ["embargo", "tariff"]
    assert [p["kind"] for p in in_force(pols, 3)] == ["tariff"]  # the embargo ran out after round 2
    labels = Labels({"rare_earths": "rare earths", "chips": "advanced chips"})
    assert policy_text(pols[1], labels) == "BETA taxes advanced chips from GAMMA at 25%."
    lines = round_narrative(2, {"A": {"welfare_change": 0.0, "autonomy": 0.5}, "B": {"welfare_change": 1.0, "autonomy": 0.5}},
                            {"A": {"welfare_change": -3.0, "autonomy": 0.4}, "B": {"welfare_change": 1.5, "autonomy": 0.5}},
                            [{"kind": "resisted", "text": "A resisted B's demand"}])
    assert lines[0] == "Round 2: A lost $3bn; B gained $0.5bn in welfare."
    assert "A's autonomy fell most (-0.100)." in lines and lines[-1] == "Why: A resisted B's demand."
