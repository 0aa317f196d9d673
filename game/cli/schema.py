"""`highfence schema`: the scenario JSON Schema, for editors."""

import json

from game.scenario import json_schema


def register(sub) -> None:
    p = sub.add_parser("schema", help="print the scenario JSON Schema")
    p.set_defaults(func=lambda args: print(json.dumps(json_schema(), indent=2)))
