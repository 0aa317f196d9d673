"""`highfence session ...`: a tabletop session from a script or a shell, JSON out with --json.

    highfence session new SCENARIO --seat JPN --seat USA [--db FILE]   # id + tokens
    highfence session show ID [--seat S --token T]                     # briefing
    highfence session order ID --seat S --token T --action JSON        # sealed orders
    highfence session inject ID --token F --inject JSON                # facilitator
    highfence session close-round ID --token F                         # facilitator
    highfence session answer ID --seat S --token T --decision DID (--accept|--reject)
    highfence session message ID --seat S --token T (--to SEAT|--public) --text TEXT
    highfence session messages ID --seat S --token T                   # what S may read
    highfence session deadline ID --token F --seconds N | --clear      # facilitator
    highfence session void ID --token F --seat S --order N --reason TEXT   # facilitator
    highfence session note ID --token F --text TEXT [--round R]        # facilitator
    highfence session pause|unpause|end ID --token F                   # facilitator
    highfence session resume ID | check ID | fork ID --at-round N | list

Tokens can also come from $HIGHFENCE_TOKEN, which keeps them out of `ps`.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from game.paths import scenario_arg

TOKEN_ENV = "HIGHFENCE_TOKEN"


def register(sub) -> None:
    p = sub.add_parser("session", help="tabletop sessions: human seats, sealed orders, a facilitator, saved every round")
    cmds = p.add_subparsers(dest="session_command", required=True, metavar="ACTION")

    def add(name, help_, func, session=True, token=False, seat=False):
        c = cmds.add_parser(name, help=help_)
        if session:
            c.add_argument("id", help="session id")
        if seat:
            c.add_argument("--seat", help="the seat (state) acting or reading")
        if token:
            c.add_argument("--token", help=f"access token (default: ${TOKEN_ENV})")
        c.add_argument("--db", type=Path, help="session database (default: $HIGHFENCE_DB or ./highfence-sessions.sqlite)")
        c.add_argument("--json", action="store_true", help="print JSON")
        c.set_defaults(func=func)
        return c

    c = add("new", "create a session: prints its id, the facilitator token and one token per seat", new, session=False)
    c.add_argument("scenario", type=scenario_arg, help="scenario YAML file, or a shipped one's name (default, tiny)")
    c.add_argument("--seat", action="append", required=True, metavar="STATE[:ANSWERS]",
                   help="a human seat; repeat for more. Standing answers to coalition proposals and coercion, "
                        "e.g. JPN:accept_proposals or JPN:accept_proposals,concede (default: decline, resist)")
    c.add_argument("--seed", type=int, default=0, help="root seed (default 0)")
    c.add_argument("--rounds", type=int, help="number of rounds (default: the scenario's)")
    c.add_argument("--manual-close", action="store_true",
                   help="only the facilitator closes rounds (default: a round also closes when every seat has "
                        "submitted and answered)")
    c.add_argument("--deadline", type=int, metavar="SECONDS",
                   help="each round closes by itself this long after it opens: seats without orders hold, "
                        "unanswered questions get the standing stance")

    c = add("order", "submit a seat's sealed orders for the open round (replaces its earlier ones)", order,
            token=True, seat=True)
    c.add_argument("--action", action="append", default=[], metavar="JSON",
                   help='an order, e.g. \'{"kind": "subsidy", "sector": "chips", "amount": 5}\'; repeat, or give a '
                        "JSON list; none at all submits a hold")
    c.add_argument("--append", action="store_true", help="add to the seat's orders instead of replacing them")
    c.add_argument("--round", type=int, help="refuse unless this is the open round (the one you were briefed on)")

    c = add("inject", "facilitator: add an inject (embargo, demand shock, breakthrough, supply disruption)", inject,
            token=True)
    c.add_argument("--inject", required=True, metavar="JSON",
                   help='e.g. \'{"kind": "supply_disruption", "state": "TWN", "sector": "logic_chips", "loss": 0.3}\'')

    c = add("close-round", "facilitator: close the open round now: seats without orders hold; if the round asks "
                           "a seat something, the seats are asked first (close again to apply standing stances)",
            close_round, token=True)
    c.add_argument("--round", type=int, help="refuse unless this is the open round")
    add("pause", "facilitator: pause the session (no orders, no adjudication)", pause, token=True)
    add("unpause", "facilitator: let play go on", unpause, token=True)
    add("end", "facilitator: end the game", end, token=True)
    add("show", "the briefing: public; with a seat's token also its private data and legal actions", show,
        token=True, seat=True)
    add("resume", "rebuild a session by replay after a crash and carry on", resume)
    add("check", "replay the session and compare every round's world with the stored one", check)
    c = add("fork", "start a new session from round N of this one", fork)
    c.add_argument("--at-round", type=int, required=True, metavar="N")
    add("list", "sessions in the database", list_, session=False)

    c = add("answer", "a seat answers a pending decision (a coalition proposal, a coercive demand)", answer,
            token=True, seat=True)
    c.add_argument("--decision", required=True, metavar="DID", help="the decision's id (`session show --json`: pending)")
    yes = c.add_mutually_exclusive_group(required=True)
    yes.add_argument("--accept", action="store_true", help="join the coalition / concede to the demand")
    yes.add_argument("--reject", action="store_true", help="stay out of the coalition / resist the demand")

    c = add("message", "send a private message to a seat, or a public statement", message, token=True, seat=True)
    to = c.add_mutually_exclusive_group(required=True)
    to.add_argument("--to", action="append", metavar="SEAT", help="a seat; repeat for more")
    to.add_argument("--public", action="store_true", help="a public statement every seat reads")
    c.add_argument("--text", required=True)

    add("messages", "the messages this token may read (public ones, and its own private ones)", messages_,
        token=True, seat=True)

    c = add("deadline", "facilitator: set the open round's deadline (and every later round's)", deadline, token=True)
    dl = c.add_mutually_exclusive_group(required=True)
    dl.add_argument("--seconds", type=int, help="seconds from now")
    dl.add_argument("--clear", action="store_true", help="no deadline")
    c.add_argument("--this-round-only", action="store_true", help="later rounds keep their deadline")

    c = add("void", "facilitator: void one of a seat's sealed orders for the open round, with a reason", void,
            token=True, seat=True)
    c.add_argument("--order", type=int, required=True, metavar="N", help="its number in the seat's orders, from 1")
    c.add_argument("--reason", required=True, help="why (the seat reads it, the report shows it)")

    c = add("note", "facilitator: an adjudication note for a round (shown in debriefs and the report)", note,
            token=True)
    c.add_argument("--text", required=True)
    c.add_argument("--round", type=int, help="default: the open round")


# -- helpers -------------------------------------------------------------------------


def _store(args, create: bool = False):
    from game.session import SessionStore

    return SessionStore(args.db, create=create)


def _session(args):
    from game.session import open_session

    return open_session(_store(args), args.id)


def _token(args) -> str | None:
    return args.token or os.environ.get(TOKEN_ENV) or None


def _emit(args, data, text: str) -> None:
    if args.json:
        json.dump(data, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        print(text)


def parse_seat(spec: str) -> tuple[str, dict]:
    from game.errors import HighfenceError

    state, _, flags = spec.partition(":")
    params = {}
    for flag in filter(None, (f.strip() for f in flags.split(","))):
        if flag not in ("accept_proposals", "concede"):
            raise HighfenceError(f"--seat {spec}: unknown standing answer {flag!r} (known: accept_proposals, concede)")
        params[flag] = True
    return state, params


def parse_seats(specs: list[str], flag: str = "--seat") -> dict[str, dict]:
    from game.errors import HighfenceError

    seats: dict[str, dict] = {}
    for spec in specs:
        state, params = parse_seat(spec)
        if state in seats:
            raise HighfenceError(f"{flag} {state}: given twice")
        seats[state] = params
    return seats


def created_text(created, db) -> str:
    lines = [f"session {created.session_id} created in {db}",
             f"facilitator token: {created.facilitator_token}"]
    lines += [f"seat {s} token: {t}" for s, t in created.seat_tokens.items()]
    lines.append("Keep the tokens: only their hashes are stored. Hand each seat its own.")
    lines.append(f"Play in the browser: highfence serve --session {created.session_id} --db {db} "
                 "(save this output with --json and pass --links FILE to print every seat's link).")
    return "\n".join(lines)


# -- commands ------------------------------------------------------------------------


def new(args) -> int:
    from game.session import create_session

    seats = parse_seats(args.seat)
    store = _store(args, create=True)
    created = create_session(store, args.scenario, seats, seed=args.seed, rounds=args.rounds,
                             auto_close=not args.manual_close, deadline=args.deadline)
    _emit(args, created.as_dict(), created_text(created, store.path))
    return 0


def order(args) -> int:
    from game.errors import HighfenceError
    from game.session.tables import render_asking, render_result

    if not args.seat:
        raise HighfenceError("--seat: which seat is ordering?")
    s = _session(args)
    ack = s.submit(args.seat, _token(args), args.action, append=args.append, round=args.round)
    from game.words import Labels, order_text

    labels = Labels.of_scenario(s.scenario)
    lines = [f"{args.seat}'s orders for round {ack['round']} recorded (submission {ack['revision']}):"]
    lines += [f"  {n}. {order_text(a, args.seat, labels)}\n     -> {e}"
              for n, (a, e) in enumerate(zip(ack["orders"], ack["effects"]), 1)]
    if not ack["orders"]:
        lines.append("  hold: policies in force stay")
    if ack["adjudicated"]:
        lines.append(render_result(ack["adjudicated"]))
    elif ack.get("asking"):
        lines.append(render_asking(ack["asking"]))
    else:
        waiting = [x["state"] for x in s.status()["seats"] if not x["submitted"]]
        lines.append(f"waiting for: {', '.join(waiting)}" if waiting else "every seat has submitted")
    _emit(args, ack, "\n".join(lines))
    return 0


def inject(args) -> int:
    s = _session(args)
    ack = s.add_inject(_token(args), args.inject)
    _emit(args, ack, f"inject for round {ack['round']} recorded: {ack['effect']} (at adjudication)")
    return 0


def close_round(args) -> int:
    from game.session import Asking
    from game.session.tables import render_asking, render_result

    result = _session(args).close_round(_token(args), round=args.round)
    text = render_asking(result.as_dict()) if isinstance(result, Asking) else render_result(result.as_dict())
    _emit(args, result.as_dict(), text)
    return 0


def _status_change(args, verb: str) -> int:
    from game.session.tables import render_status

    st = getattr(_session(args), verb)(_token(args))
    _emit(args, st, render_status(st))
    return 0


def pause(args) -> int:
    return _status_change(args, "pause")


def unpause(args) -> int:
    return _status_change(args, "unpause")


def end(args) -> int:
    return _status_change(args, "end")


def show(args) -> int:
    from game.session.tables import render_briefing

    b = _session(args).briefing(_token(args), args.seat)
    _emit(args, b, render_briefing(b))
    return 0


def resume(args) -> int:
    from game.session.tables import render_result, render_status

    out = _session(args).resume()
    text = [render_status(out["status"]), f"replayed and verified {out['status']['adjudicated']} round(s)"]
    if out["adjudicated"]:
        text.append(render_result(out["adjudicated"]))
    _emit(args, out, "\n".join(text))
    return 0


def check(args) -> int:
    report = _session(args).check()
    lines = [f"round {r['round']:>3}  {r['stored'][:16]}  {'equal' if r['equal'] else 'DIFFERS: ' + r['replayed'][:16]}"
             for r in report.rounds]
    verdict = ("replay equals the stored state in every round" if report.ok
               else "replay DIFFERS from the stored state")
    _emit(args, report.as_dict(), "\n".join([*lines, f"session {report.session_id}: {verdict}"]))
    return 0 if report.ok else 1


def fork(args) -> int:
    created = _session(args).fork(args.at_round)
    text = created_text(created, created.db) + f"\n(forked from {args.id} at round {args.at_round})"
    _emit(args, created.as_dict(), text)
    return 0


def list_(args) -> int:
    from game.session import list_sessions
    from game.session.tables import table

    rows = list_sessions(_store(args))
    text = table([[r["session"], r["scenario"], r["status"], f"{r['adjudicated']}/{r['rounds']}",
                   ",".join(r["seats"]), r["parent"] or "", r["created_at"]] for r in rows],
                 ["session", "scenario", "status", "rounds", "seats", "forked from", "created"]) if rows else "no sessions"
    _emit(args, rows, text)
    return 0


def answer(args) -> int:
    from game.errors import HighfenceError
    from game.session.tables import render_result

    if not args.seat:
        raise HighfenceError("--seat: which seat is answering?")
    s = _session(args)
    ack = s.answer(args.seat, _token(args), args.decision, bool(args.accept))
    text = f"{args.seat} answered {args.decision} for round {ack['round']}: {ack['answer']}"
    if ack["adjudicated"]:
        text += "\n" + render_result(ack["adjudicated"])
    else:
        open_ = [d["id"] for d in s.pending(_token(args), args.seat) if not d["answered"]]
        text += f"\nstill to answer: {', '.join(open_)}" if open_ else "\nwaiting for the other seats' answers"
    _emit(args, ack, text)
    return 0


def message(args) -> int:
    m = _session(args).send_message(_token(args), args.text, to=None if args.public else args.to, seat=args.seat)
    to = "everyone (public)" if m["public"] else ", ".join(m["to"])
    _emit(args, m, f"message {m['seq']} from {m['from']} to {to} sent (round {m['round']})")
    return 0


def messages_(args) -> int:
    from game.session.tables import render_messages

    rows = _session(args).messages(_token(args), args.seat)
    _emit(args, rows, render_messages(rows))
    return 0


def deadline(args) -> int:
    from game.session.tables import render_status

    st = _session(args).set_deadline(_token(args), None if args.clear else args.seconds,
                                     every_round=not args.this_round_only)
    _emit(args, st, render_status(st))
    return 0


def void(args) -> int:
    from game.errors import HighfenceError
    from game.words import Labels, order_text

    if not args.seat:
        raise HighfenceError("--seat: whose order?")
    s = _session(args)
    ack = s.void_order(_token(args), args.seat, args.order, args.reason)
    labels = Labels.of_scenario(s.scenario)
    _emit(args, ack, f"voided for round {ack['round']}: {order_text(ack['voided'], args.seat, labels)} "
                     f"Reason: {ack['reason']}")
    return 0


def note(args) -> int:
    ack = _session(args).add_note(_token(args), args.text, round=args.round)
    _emit(args, ack, f"note for round {ack['round']} recorded")
    return 0
