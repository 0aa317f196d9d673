"""`highfence chokepoints`: concentration of supply and dependence, as tables."""

from game.chokepoints import sector_table, state_table
from game.model import GeoModel
from game.scenario import load_scenario


def register(sub) -> None:
    p = sub.add_parser("chokepoints", help="where world supply is concentrated and who depends on it")
    p.add_argument("scenario", help="scenario YAML file")
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(func=run)


def run(args) -> int:
    model = GeoModel(load_scenario(args.scenario), seed=args.seed)
    print(f"{model.spec.name}: supply at the start (capacity shares)\n")
    print(sector_table(model).round(3).to_string())
    print("\nper state: strategic autonomy (share of critical supply from self and allies),")
    print("indispensability (share of world supply, criticality-weighted), dependence (largest")
    print("foreign supplier's share), HHI of suppliers\n")
    print(state_table(model).round(3).to_string())
    return 0
