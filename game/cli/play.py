"""`highfence play SCENARIO --as JPN [--as USA]`: a tabletop game at one keyboard.

Each round every human seat in turn gets its briefing as tables and a menu of
the actions legal for it (with help text and a valid example as defaults); its
orders are checked as they are entered and sealed when it is done. When every
seat has sealed its orders the round is adjudicated and the results shown.
Everything goes through a stored session (the same as `highfence session`), so
a quit or a crash loses nothing: `highfence play --resume ID` carries on.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from game.paths import scenario_arg

CLEAR = "\x1b[2J\x1b[H"


def register(sub) -> None:
    p = sub.add_parser("play", help="play a scenario at the terminal: you hold one or more states' seats")
    p.add_argument("scenario", nargs="?", type=scenario_arg,
                   help="scenario YAML file, or a shipped one's name (default, tiny)")
    p.add_argument("--as", dest="seats", action="append", metavar="STATE[:ANSWERS]",
                   help="a state you play (repeat for players sharing the keyboard); answers as in "
                        "`session new --seat`, e.g. JPN:accept_proposals")
    p.add_argument("--seed", type=int, default=0, help="root seed (default 0)")
    p.add_argument("--rounds", type=int, help="number of rounds (default: the scenario's)")
    p.add_argument("--db", type=Path, help="session database (default: $HIGHFENCE_DB or ./highfence-sessions.sqlite)")
    p.add_argument("--resume", metavar="ID", help="carry on with a game started here earlier")
    p.add_argument("--tokens", type=Path, help="where this game's tokens are kept (default: next to the database)")
    p.set_defaults(func=run)


class Quit(Exception):
    """The player asked to stop; the game is saved."""


def ask(prompt: str) -> str:
    try:
        return input(prompt).strip()
    except EOFError:
        print()
        raise Quit from None


# -- tokens of a game at one keyboard ----------------------------------------------------


def tokens_path(args, db: Path, session_id: str) -> Path:
    return args.tokens or db.with_name(f"{db.name}.{session_id}.tokens.json")


def save_tokens(path: Path, created) -> None:
    # The keyboard is shared anyway; the file keeps the game resumable, readable by its owner only.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(created.as_dict(), fh)


def load_tokens(path: Path) -> dict:
    from game.errors import HighfenceError

    try:
        return json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise HighfenceError(f"--tokens {path}: cannot read this game's tokens ({exc})") from None


# -- reading values ------------------------------------------------------------------


def parse_value(spec: dict, text: str):
    """One typed value from what the player typed; ValueError with a hint when it is not one."""
    kind = spec["type"]
    if text == "-" and spec.get("optional"):
        return None
    if kind == "choice":
        for c in spec["choices"]:
            if text.lower() == str(c).lower():
                return c
        raise ValueError(f"one of {', '.join(map(str, spec['choices']))}")
    if kind == "list":
        if text == "-":
            return []
        items = [x.strip() for x in text.split(",") if x.strip()]
        unknown = [x for x in items if x not in spec["choices"]]
        if unknown:
            raise ValueError(f"names from {', '.join(spec['choices'])} separated by commas ({', '.join(unknown)}?)")
        return items
    if kind == "bool":
        if text.lower() in ("y", "yes", "true", "1", "on"):
            return True
        if text.lower() in ("n", "no", "false", "0", "off"):
            return False
        raise ValueError("yes or no")
    if kind in ("number", "integer"):
        try:
            return int(text) if kind == "integer" else float(text)
        except ValueError:
            raise ValueError("a whole number" if kind == "integer" else "a number") from None
    return text


def hint(spec: dict) -> str:
    if spec["type"] == "choice":
        return "/".join(map(str, spec["choices"]))
    if spec["type"] == "list":
        return "comma-separated, - for none"
    if spec["type"] == "bool":
        return "y/n"
    bounds = [f"{op} {spec[b]:g}" for b, op in (("gt", ">"), ("ge", ">="), ("lt", "<"), ("le", "<=")) if b in spec]
    return spec["type"] + (f" {' '.join(bounds)}" if bounds else "")


def fill_fields(kind: str, fields: list[dict], example: dict) -> dict:
    """Prompt for each field, the example's value (or the default) as the default."""
    out = {"kind": kind}
    for spec in fields:
        name = spec["name"]
        default = example.get(name, spec.get("default"))
        shown = "-" if default is None else (",".join(default) or "-") if isinstance(default, list) else default
        while True:
            text = ask(f"  {name} ({hint(spec)}) [{shown}]> ")
            if text == "":
                if default is None and spec["required"]:
                    print("    needed: type a value")
                    continue
                out[name] = default
                break
            try:
                out[name] = parse_value(spec, text)
                break
            except ValueError as exc:
                print(f"    expected {exc}")
    return out


# -- a seat's turn -------------------------------------------------------------------------


def order_menu(session, seat: str, token: str, briefing: dict) -> list[dict]:
    from game.session import IllegalOrder
    from game.session.tables import compact

    legal = [a for a in briefing["legal_actions"] if a["legal"]]
    off = [a for a in briefing["legal_actions"] if not a["legal"]]
    by_key = {str(n): a for n, a in enumerate(legal, 1)} | {a["kind"]: a for a in legal}
    budget, limit = briefing["private"]["budget"], briefing["private"]["max_actions"]
    orders: list[dict] = []
    while True:
        print(f"\nOrders for {seat}, round {briefing['session']['current_round']} (sealed; {len(orders)} so far, "
              f"at most {limit} actions; budget {budget:.1f}bn):")
        for n, a in enumerate(legal, 1):
            text = a["help"] if len(a["help"]) <= 72 else a["help"][:69] + "..."
            print(f"  {n:>2}  {a['kind']:<21}{text}")
        if off:
            print("  not available now: " + "; ".join(f"{a['kind']} ({a['reason']})" for a in off))
        for n, o in enumerate(orders, 1):
            print(f"  order {n}: {compact(o)}")
        print("  d  done: seal these orders   x  clear orders   ? N  full help on an action   q  quit (saved)")
        choice = ask("choose> ")
        if choice in ("q", "quit"):
            raise Quit
        if choice in ("d", "done"):
            return orders
        if choice == "x":
            orders = []
            continue
        if choice.startswith("?"):
            a = by_key.get(choice[1:].strip())
            if a:
                print(f"\n{a['kind']}: {a['help']}\n  example: {compact(a['example'])}\n  now: {a['effect']}")
            else:
                print("  ? needs an action's number or kind, e.g. ? 3")
            continue
        a = by_key.get(choice)
        if a is None:
            print(f"  '{choice}' is not on the menu")
            continue
        print(f"{a['kind']}: {a['help']}")
        order = fill_fields(a["kind"], a["fields"], a["example"])
        try:
            effects = session.preview(seat, token, orders + [order])
        except IllegalOrder as exc:
            print(f"  refused, not added: {exc}")
            continue
        orders.append(order)
        print(f"  added: {effects[-1]}")


def inject_menu(session, token: str) -> None:
    from game.session import IllegalOrder
    from game.session.orders import inject_menu as menu

    items = menu(session.model())
    for n, it in enumerate(items, 1):
        print(f"  {n}  {it['kind']:<18}{it['help']}")
    choice = ask("inject (number or kind, Enter to cancel)> ")
    item = next((it for n, it in enumerate(items, 1) if choice in (str(n), it["kind"])), None)
    if item is None:
        return
    data = fill_fields(item["kind"], item["fields"], {})
    try:
        ack = session.add_inject(token, data)
        print(f"  inject for round {ack['round']}: {ack['effect']}")
    except IllegalOrder as exc:
        print(f"  refused: {exc}")


def show_results(session, result: dict) -> None:
    """The round's events, then every state's outcomes after it."""
    from game.session.briefing import public_briefing
    from game.session.tables import render_result, render_states

    print("\n" + render_result(result))
    print(f"\nAfter round {result['round']}:")
    print(render_states(public_briefing(session.model())["states"], mark=session.seats))


def final_scores(session) -> None:
    from game.score import scores
    from game.session.report import baseline, counterfactual
    from game.session.tables import table

    model = session.model()
    if model.steps == 0:
        return
    base = baseline(session, model.steps)
    played, cf = scores(model, base), scores(counterfactual(session, model.steps), base)
    rows = [[s + (" (you)" if s in session.seats else ""), f"{played.loc[s, 'score']:+.2f}",
             f"{cf.loc[s, 'score']:+.2f}"] for s in played.index]
    print("\nScores against the scenario's AI-only baseline (objective-weighted points):")
    print(table(rows, ["state", "this game", "AI in your seats"]))


# -- the game -------------------------------------------------------------------------------


def start(args):
    from game.cli.session import parse_seats
    from game.errors import HighfenceError
    from game.session import SessionStore, create_session, open_session

    store = SessionStore(args.db, create=not args.resume)
    if args.resume:
        path = tokens_path(args, store.path, args.resume)
        keys = load_tokens(path)
        return open_session(store, args.resume), keys
    if not args.scenario or not args.seats:
        raise HighfenceError("play: give a SCENARIO and at least one --as STATE (or --resume ID)")
    created = create_session(store, args.scenario, parse_seats(args.seats, "--as"), seed=args.seed,
                             rounds=args.rounds)
    path = tokens_path(args, store.path, created.session_id)
    save_tokens(path, created)
    session = open_session(store, created.session_id)
    print(f"session {created.session_id} saved in {store.path} (tokens in {path}); "
          f"continue later with: highfence play --resume {created.session_id}" + (f" --db {args.db}" if args.db else ""))
    return session, created.as_dict()


def run(args) -> int:
    from game.session.tables import render_briefing

    session, keys = start(args)
    seats, facilitator = keys["seat_tokens"], keys["facilitator_token"]
    st = session.status()
    ai = ", ".join(f"{n} ({k})" for n, k in st["ai_states"].items())
    print(f"{st['scenario']}: you play {', '.join(session.seats)}; AI plays {ai}; {st['rounds']} rounds, seed {st['seed']}")
    try:
        while session.refresh().status != "ended":
            if session.row.status == "paused":
                session.unpause(facilitator)
            r = session.row.round + 1
            result = None
            for seat in session.seats:
                if session.status()["seats"][session.seats.index(seat)]["submitted"]:
                    continue
                if len(session.seats) > 1:
                    ask(f"\n=== Round {r}: pass the keyboard to {seat}; press Enter when only {seat} is looking ===")
                    if sys.stdout.isatty():
                        print(CLEAR, end="")
                b = session.briefing(seats[seat], seat)
                print(f"\n=== Round {r} of {st['rounds']}: {seat}'s briefing ===")
                print(render_briefing(b, legal=False))
                orders = order_menu(session, seat, seats[seat], b)
                ack = session.submit(seat, seats[seat], orders, round=r)
                print(f"{seat}'s orders are sealed ({len(orders)} action(s)).")
                result = ack["adjudicated"] or result
            if result is None and session.refresh().round < r:
                result = session.close_round(facilitator, round=r).as_dict()
            if result is None:
                result = session.history(r, r)[0] | {"ended": session.refresh().status == "ended"}
            show_results(session, result)
            if session.refresh().status == "ended":
                break
            while True:
                choice = ask("\nEnter: next round   i: add an inject   e: end the game   q: quit (saved)> ")
                if choice == "i":
                    inject_menu(session, facilitator)
                    continue
                if choice == "e":
                    session.end(facilitator)
                if choice == "q":
                    raise Quit
                break
    except Quit:
        print(f"game saved: highfence play --resume {session.id}" + (f" --db {args.db}" if args.db else ""))
        return 0
    final_scores(session)
    print(f"\nGame over. After-action report: highfence report {session.id} --out report.html"
          + (f" --db {args.db}" if args.db else ""))
    return 0
