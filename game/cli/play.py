"""`highfence play SCENARIO --as JPN [--as USA]`: a tabletop game at one keyboard.

Each round every human seat in turn gets its briefing as tables and a compact
menu of every action kind, numbered once for the whole game (a number never
changes meaning between rounds; a kind not open this round keeps its number and
is marked). A choice is typed by number or name; each field offers a valid
example as its default and `cancel` (or Ctrl-C) backs out of the action. The
menu is printed once per turn; `?` shows it again with help. Orders are checked
as they are entered and sealed when the seat is done. When every
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


class Cancel(Exception):
    """The player backed out of an action (or inject) half-way; nothing was added."""


CANCEL_WORDS = ("cancel",)


def ask(prompt: str, interrupt: type[Exception] = Quit) -> str:
    """One line from the player. End of input quits (the game is saved); Ctrl-C raises
    `interrupt`: quitting at a menu, backing out of the action inside a form."""
    try:
        return input(prompt).strip()
    except EOFError:
        print()
        raise Quit from None
    except KeyboardInterrupt:
        print()
        raise interrupt from None


def ask_field(prompt: str) -> str:
    """A field's value; `cancel` or Ctrl-C backs out of the whole action."""
    text = ask(prompt, interrupt=Cancel)
    if text.lower() in CANCEL_WORDS:
        raise Cancel
    return text


# -- tokens of a game at one keyboard ----------------------------------------------------


def tokens_path(args, db: Path, session_id: str) -> Path:
    return args.tokens or db.with_name(f"{db.name}.{session_id}.tokens.json")


def save_tokens(path: Path, created) -> None:
    # The keyboard is shared anyway; the file keeps the game resumable, readable by its owner only.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(created.as_dict(), fh)


def load_tokens(path: Path, session_id: str) -> dict:
    """The tokens `play` saved for `session_id`, checked for shape: a clear error (never a
    traceback) for a file that is missing, not JSON, nested without end or not a tokens file."""
    from game.errors import HighfenceError

    def bad(why: str) -> HighfenceError:
        return HighfenceError(f"--tokens {path}: not this game's tokens file: {why}")

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError) as exc:  # RecursionError: brackets nested without end
        what = "nested too deeply" if isinstance(exc, RecursionError) else exc
        raise HighfenceError(f"--tokens {path}: cannot read this game's tokens ({what})") from None
    if not isinstance(data, dict):
        raise bad(f"expected a JSON object with facilitator_token and seat_tokens, got a {type(data).__name__}")
    fac, seats = data.get("facilitator_token"), data.get("seat_tokens")
    if not isinstance(fac, str):
        raise bad("facilitator_token: expected a string")
    if not isinstance(seats, dict) or not seats or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in seats.items()):
        raise bad("seat_tokens: expected an object of state name -> token string")
    if data.get("session_id") not in (None, session_id):
        raise bad(f"session_id: it is session {data['session_id']!r}'s, not {session_id!r}'s")
    return data


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
    """Prompt for each field, the example's value (or the default) as the default.
    Cancel (from `ask_field`) leaves the caller with nothing half-filled."""
    out = {"kind": kind}
    for spec in fields:
        name = spec["name"]
        default = example.get(name, spec.get("default"))
        shown = "-" if default is None else (",".join(default) or "-") if isinstance(default, list) else default
        while True:
            text = ask_field(f"  {name} ({hint(spec)}) [{shown}]> ")
            if text == "":
                if default is None and spec["required"]:
                    print("    needed: type a value (or cancel)")
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

MENU_COLUMN = 26  # characters per menu cell: three columns in 80


def numbered(actions: list[dict]) -> dict[str, dict]:
    """Number or kind -> action. Numbers follow the full list of action kinds, open or not,
    which is the same every round, so a number never changes meaning during a game."""
    return {str(n): a for n, a in enumerate(actions, 1)} | {a["kind"]: a for a in actions}


def menu_grid(actions: list[dict], columns: int = 3) -> str:
    """Every action kind with its fixed number, in columns; `*` marks kinds not open now."""
    cells = [f"{n:>3} {a['kind']}{'' if a['legal'] else '*'}" for n, a in enumerate(actions, 1)]
    rows = (len(cells) + columns - 1) // columns
    lines = ["".join(cells[r + c * rows].ljust(MENU_COLUMN) for c in range(columns) if r + c * rows < len(cells))
             for r in range(rows)]
    return "\n".join(line.rstrip() for line in lines)


MENU_KEYS = ("  type a number or name to add an order; inside one, `cancel` or Ctrl-C backs out\n"
             "  d done (seal)   u undo last   x clear all   o my orders   m send a message   r read messages\n"
             "  ? menu with help   ? N help on N   q quit (saved)")


def full_menu(actions: list[dict]) -> str:
    """The long menu: each kind's number and one line of help, then why closed kinds are closed."""
    out = []
    for n, a in enumerate(actions, 1):
        text = a["help"] if len(a["help"]) <= 72 else a["help"][:69] + "..."
        out.append(f"  {n:>2}  {a['kind']:<21}{text}" if a["legal"] else f"  {n:>2}  {a['kind'] + '*':<21}not now: {a['reason']}")
    return "\n".join(out)


def order_menu(session, seat: str, token: str, briefing: dict) -> list[dict]:
    from game.session import IllegalOrder

    actions = briefing["legal_actions"]
    by_key = numbered(actions)
    budget, limit = briefing["private"]["budget"], briefing["private"]["max_actions"]
    r = briefing["session"]["current_round"]
    orders: list[tuple[dict, str]] = []  # (order, what it does in words)
    print(f"\nOrders for {seat}, round {r}: sealed, at most {limit} actions, budget {budget:.1f}bn "
          "(* = not open to you this round)")
    print(menu_grid(actions))
    print(MENU_KEYS)
    while True:
        n = len(orders)
        choice = ask(f"{seat} round {r}, {n} order{'s' * (n != 1)}; choose> ")
        low = choice.lower()
        if low in ("q", "quit"):
            raise Quit
        if low in ("d", "done"):
            return [o for o, _ in orders]
        if low in ("x", "clear"):
            orders = []
            print("  orders cleared")
            continue
        if low in ("u", "undo"):
            print(f"  removed: {orders.pop()[1]}" if orders else "  no order to remove")
            continue
        if low in ("m", "msg", "message"):
            send_message(session, seat, token)
            continue
        if low in ("r", "read"):
            read_messages(session, seat, token)
            continue
        if low in ("o", "orders"):
            print("\n".join(f"  order {k}: {text}" for k, (_, text) in enumerate(orders, 1)) or "  no orders yet (hold)")
            continue
        if low in ("?", "help", "h", "menu"):
            print(full_menu(actions))
            print(MENU_KEYS)
            continue
        if choice.startswith("?") or low.startswith("help "):
            key = choice[1:].strip() if choice.startswith("?") else choice[5:].strip()
            a = by_key.get(key)
            if a is None:
                print("  ? needs an action's number or name, e.g. ? 3 or ? subsidy")
            elif a["legal"]:
                print(f"\n{a['kind']}: {a['help']}\n  for example: {a['effect']}")
            else:
                print(f"\n{a['kind']}: {a['help']}\n  not open to you this round: {a['reason']}")
            continue
        if choice == "":
            continue
        a = by_key.get(choice)
        if a is None:
            print(f"  '{choice}' is not on the menu (? shows it)")
            continue
        if not a["legal"]:
            print(f"  {a['kind']} is not open to you this round: {a['reason']}")
            continue
        print(f"{a['kind']}: {a['help']}")
        try:
            order = fill_fields(a["kind"], a["fields"], a["example"])
        except Cancel:
            print(f"  cancelled: no {a['kind']} order added")
            continue
        try:
            effects = session.preview(seat, token, [o for o, _ in orders] + [order])
        except IllegalOrder as exc:
            print(f"  refused, not added: {exc}")
            continue
        orders.append((order, effects[-1]))
        print(f"  added: {effects[-1]}")


def send_message(session, seat: str, token: str) -> None:
    """A private message to other seats (by name, comma-separated) or a public statement."""
    from game.session.errors import SessionError

    others = [x for x in session.seats if x != seat] + list(session.status()["ai_states"])
    try:
        to = ask_field(f"  to (a state: {', '.join(others)}; or `all` for a public statement)> ")
        recipients = [] if to.lower() in ("all", "public") else [x.strip() for x in to.split(",") if x.strip()]
        text = ask_field("  message> ")
    except Cancel:
        print("  no message sent")
        return
    try:
        session.send_message(token, text, to=recipients, seat=seat)
    except SessionError as exc:
        print(f"  not sent: {exc}")
        return
    print("  sent to " + (", ".join(recipients) if recipients else "everyone (public)"))


def read_messages(session, seat: str, token: str) -> None:
    """The messages this seat may read: public ones, and private ones it sent or received."""
    shown = session.messages(token, seat)
    if not shown:
        print("  no messages")
    for m in shown:
        to = "everyone" if m["public"] else ", ".join(m["to"])
        print(f"  round {m['round']}, {m['from']} to {to}: {m['text']}")


def unread_line(session, seat: str, token: str) -> str:
    incoming = [m for m in session.messages(token, seat) if m["from"] != seat]
    return f"{len(incoming)} message(s) for {seat} so far (r reads them, m sends one)" if incoming else ""


def answer_questions(session, tokens: dict, r: int) -> dict | None:
    """After every seat has sealed: each seat answers the questions the round asks it
    (coalition proposals, coercive demands). Enter leaves one to the seat's standing
    stance. Returns the round's result if the last answer closed it."""
    result = None
    for seat in session.seats:
        questions = [d for d in session.pending(tokens[seat], seat) if not d["answered"]]
        if not questions:
            continue
        if len(session.seats) > 1:
            ask(f"\n=== Round {r}: {seat} has a decision to make; pass the keyboard, press Enter ===")
        print(f"\n=== Round {r}: {len(questions)} question(s) for {seat} ===")
        for d in questions:
            print(f"  {d['question']}")
            while True:
                try:
                    choice = ask_field("  a accept   r reject   Enter: leave it to your standing stance> ").lower()
                except Cancel:
                    choice = ""
                if choice in ("a", "accept", "y", "yes", "r", "reject", "n", "no", ""):
                    break
                print("  a, r or Enter")
            if choice == "":
                print("  left to your standing stance")
                continue
            ack = session.answer(seat, tokens[seat], d["id"], choice in ("a", "accept", "y", "yes"))
            print(f"  answered: {ack['answer']}")
            result = ack["adjudicated"] or result
    return result


def inject_menu(session, token: str) -> None:
    from game.session import IllegalOrder
    from game.session.orders import inject_menu as menu

    items = menu(session.model())
    for n, it in enumerate(items, 1):
        print(f"  {n}  {it['kind']:<18}{it['help']}")
    choice = ask("inject (number or kind, Enter to cancel)> ", interrupt=Cancel) if items else ""
    item = next((it for n, it in enumerate(items, 1) if choice in (str(n), it["kind"])), None)
    if item is None:
        print("  no inject added")
        return
    try:
        data = fill_fields(item["kind"], item["fields"], {})
    except Cancel:
        print(f"  cancelled: no {item['kind']} inject added")
        return
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
        keys = load_tokens(path, args.resume)
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
    missing = [s for s in session.seats if s not in seats]
    if missing:
        from game.errors import HighfenceError

        raise HighfenceError(f"--tokens: no seat token for {', '.join(missing)} in this game's tokens file")
    st = session.status()
    ai = ", ".join(st["ai_states"])  # names only: a strategy's label would tell players how it will play
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
                if line := unread_line(session, seat, seats[seat]):
                    print(line)
                orders = order_menu(session, seat, seats[seat], b)
                ack = session.submit(seat, seats[seat], orders, round=r)
                print(f"{seat}'s orders are sealed ({len(orders)} action(s)).")
                result = ack["adjudicated"] or result
            if result is None and session.refresh().round < r:
                result = answer_questions(session, seats, r)
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
                    try:
                        inject_menu(session, facilitator)
                    except Cancel:
                        print("  no inject added")
                    continue
                if choice == "e":
                    session.end(facilitator)
                if choice == "q":
                    raise Quit
                break
    except Quit:
        print(f"game saved: highfence play --resume {session.id}" + (f" --db {args.db}" if args.db else "")
              + (f" --tokens {args.tokens}" if args.tokens else ""))
        return 0
    final_scores(session)
    print(f"\nGame over. After-action report: highfence report {session.id} --out report.html"
          + (f" --db {args.db}" if args.db else ""))
    return 0
