"""`highfence chokepoints`: concentration of supply and dependence, as tables."""

from game.paths import scenario_arg


def register(sub) -> None:
    p = sub.add_parser("chokepoints", help="where world supply is concentrated and who depends on it")
    p.add_argument("scenario", type=scenario_arg, help="scenario YAML file, or a shipped one's name (default, tiny)")
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(func=run)


def run(args) -> int:
    from game.chokepoints import (
        ANY_CONTENT,
        DE_MINIMIS,
        FRONTIER_BAND,
        frontier_table,
        sector_table,
        state_table,
    )
    from game.model import GeoModel
    from game.scenario import load_scenario

    model = GeoModel(load_scenario(args.scenario), seed=args.seed)
    print(f"{model.spec.name}: supply at the start (capacity shares)\n")
    print(sector_table(model).round(3).to_string())
    print("\nper state: strategic autonomy (share of critical supply from self and allies),")
    print("indispensability (share of world supply, criticality-weighted), dependence (largest")
    print("foreign supplier's share), HHI of suppliers\n")
    print(state_table(model).round(3).to_string())
    print(f"\nthe frontier tier of each controllable sector (products within {1 - FRONTIER_BAND:.0%} of the "
          "frontier):\nwhere it is made, whose technology is in it (by the origin of its inputs), and who could\n"
          "deny half or more of it to a rival: alone (made at home), or with a direct-product rule\n"
          f"(DPR: also goods made abroad with more than {DE_MINIMIS:.0%}, or {ANY_CONTENT:.0%}, of its technology)\n")
    print(frontier_table(model).to_string())
    return 0
