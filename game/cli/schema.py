"""`highfence schema`: the scenario JSON Schema, for editors."""

import json


def register(sub) -> None:
    p = sub.add_parser("schema", help="print the scenario JSON Schema")
    p.set_defaults(func=run)


def run(args) -> int:
    from game.scenario import json_schema

    print(json.dumps(json_schema(), indent=2))
    return 0
