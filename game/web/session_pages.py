"""Tabletop sessions in the browser: `highfence serve --session ID`.

Plain HTTP routes mounted on Solara's own Starlette app (so `/` still serves the
explore view), each page checking its token before anything is rendered:

    /session/ID                      join page: paste a token, go to your page
    /session/ID/public               public screen: map, charts, events, who has submitted
    /session/ID/facilitator?token=F  facilitator: seat status, injects, close round, pause, end
    /session/ID/seat/SEAT?token=T    one seat: its briefing, legal actions, sealed orders, debrief

and the JSON API the pages (and scripts, and tests) call. A token goes in an
`Authorization: Bearer TOKEN` header (or `?token=`); errors are JSON
`{"error": message, "status": code}` with the Session API's status: 403 a token
that does not grant the request, 404 an unknown session or seat, 409 a paused
or ended session or a round that is not open, 422 an illegal order or inject,
400 a malformed query or body, 413 a body over 256 KiB. A body is read only
after its token has been checked, and never past 256 KiB (chunked included).

    GET  /api/session/ID/status                      public: round, status, who has submitted
    GET  /api/session/ID/briefing[?seat=S]           the view the token is entitled to
    GET  /api/session/ID/history                     adjudicated rounds (orders public once adjudicated)
    GET  /api/session/ID/world[?sector=S]            public screen fragment (HTML in JSON)
    GET  /api/session/ID/seat/S/orders               S's sealed orders this round (S's token)
    POST /api/session/ID/seat/S/orders               {"actions": [...], "round": r, "append": false}
    POST /api/session/ID/seat/S/preview              {"actions": [...]} -> {"effects": [...]}
    GET  /api/session/ID/seat/S/legal                S's legal actions with help and examples
    POST /api/session/ID/injects                     {"inject": {...}, "round": r}       (facilitator)
    POST /api/session/ID/close-round                 {"round": r}                         (facilitator)
    GET  /api/session/ID/pending[?seat=S]            the open round's questions (seat or facilitator token)
    POST /api/session/ID/seat/S/answer               {"decision": "ID", "accept": true|false}
    GET  /api/session/ID/messages[?seat=S]           the messages the token may read
    POST /api/session/ID/messages[?seat=S]           {"text": "...", "to": ["SEAT"]} (no "to": public)
    POST /api/session/ID/deadline                    {"seconds": N | null, "every_round": true} (facilitator)
    POST /api/session/ID/void                        {"seat": S, "order": N, "reason": "..."}   (facilitator)
    POST /api/session/ID/notes                       {"text": "...", "round": r}               (facilitator)
    POST /api/session/ID/pause | unpause | end       (facilitator)

Tokens are compared in constant time by the Session API (game.session.tokens).
Pages never contain a token; responses carry `Cache-Control: no-store`,
`Referrer-Policy: no-referrer` and a Content-Security-Policy that allows only
this server, so a page cannot load anything from elsewhere.

The database is the truth: every request reads the stored session, so the CLI
(`highfence session order ...`) and the pages can act on one game at once, and
a restarted server carries on where the stored session is (`Session.resume()`
at start-up).
"""

from __future__ import annotations

import ipaddress
import json
import math
import socket
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from game.errors import HighfenceError
from game.safe_yaml import ValueProblem, check_values
from game.session import NotFound, Session, SessionError, SessionStore, open_session
from game.session.errors import Forbidden
from game.session.session import FACILITATOR, PUBLIC, SEAT
from game.web import session_html as views
from game.web.session_assets import ASSETS, URL_PREFIX, asset

MAX_BODY = 256 * 1024
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
SECURE_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": CSP,
}


class BadRequest(SessionError):
    http_status = 400


class TooLarge(SessionError):
    http_status = 413


# Bounds of a JSON body once parsed (orders and injects are small, flat objects).
MAX_JSON_DEPTH = 16
MAX_JSON_VALUES = 20_000
MAX_ROUND = 1 << 30  # round numbers beyond this are no round (SQLite integers stop at 2**63)


# -- the sessions this server serves ------------------------------------------------------


class SessionHub:
    """The sessions one server serves, each resumed from the database at start-up.

    One `Session` object per session is shared by every request (its lock keeps
    the cached model consistent); every call still reads the stored state first.
    """

    def __init__(self, store: SessionStore, ids: Sequence[str]):
        self.store = store
        self.sessions: dict[str, Session] = {}
        self.resumed: dict[str, dict] = {}
        for sid in dict.fromkeys(ids):
            s = open_session(store, sid)
            self.resumed[sid] = s.resume()
            self.sessions[sid] = s

    def start_clock(self, every: float = 1.0) -> threading.Thread:
        """A daemon thread that closes each served session's round at its deadline, even
        when no page is open (every page's poll would close it too)."""
        def run() -> None:
            while not self._stop.wait(every):
                for s in self.sessions.values():
                    try:
                        s.tick()
                    except HighfenceError:
                        pass  # a paused, ended or damaged session: its pages say so
        self._stop = threading.Event()
        t = threading.Thread(target=run, name="highfence-deadlines", daemon=True)
        t.start()
        return t

    def get(self, sid: str) -> Session:
        s = self.sessions.get(sid)
        if s is None:
            raise NotFound(f"session {sid!r} is not served here (served: {', '.join(self.sessions) or 'none'})")
        return s


# -- tokens and addresses ---------------------------------------------------------------


def token_of(request) -> str | None:
    """The request's token: `Authorization: Bearer T`, `X-Highfence-Token: T` or `?token=T`."""
    auth = request.headers.get("authorization", "")
    if auth[:7].lower() == "bearer ":
        return auth[7:].strip() or None
    return request.headers.get("x-highfence-token") or request.query_params.get("token") or None


def is_loopback(host: str) -> bool:
    """Is `host` this machine only (127.0.0.0/8, ::1, localhost)? Names are resolved locally."""
    h = host.strip("[]")
    try:
        return ipaddress.ip_address(h).is_loopback
    except ValueError:
        pass
    if h.lower() == "localhost":
        return True
    try:
        infos = socket.getaddrinfo(h, None)
    except OSError:
        return False
    return bool(infos) and all(ipaddress.ip_address(i[4][0].split("%")[0]).is_loopback for i in infos)


def network_warning(host: str, port: int) -> str | None:
    if is_loopback(host):
        return None
    return (f"highfence: warning: --host {host} is not a loopback address: anyone who can reach this machine on "
            f"port {port} can open these pages. Seat and facilitator pages need their tokens, but plain HTTP "
            "carries them unencrypted: serve to a network only when you trust it (or behind HTTPS).")


def base_url(host: str, port: int) -> str:
    shown = host
    try:
        if ipaddress.ip_address(host.strip("[]")).is_unspecified:
            shown = socket.gethostname()  # 0.0.0.0 / :: : others reach the machine by its name or address
    except ValueError:
        pass
    if ":" in shown and not shown.startswith("["):
        shown = f"[{shown}]"
    return f"http://{shown}:{port}"


def session_path(sid: str) -> str:
    return f"/session/{quote(sid, safe='')}"


def session_links(base: str, s: Session, tokens: dict | None = None) -> list[str]:
    """The lines `highfence serve` prints for one session: the public screen, the
    facilitator's and each seat's link (with the real tokens if `tokens` holds them,
    as `highfence session new --json` wrote them; else a placeholder)."""
    st = s.status()
    root = base + session_path(s.id)
    where = (f"round {st['current_round']} of {st['rounds']} open" if st["current_round"]
             else f"ended after round {st['adjudicated']}")
    paused = " (paused)" if st["status"] == "paused" else ""
    f_token = (tokens or {}).get("facilitator_token")
    seat_tokens = (tokens or {}).get("seat_tokens") or {}
    width = max(len("public screen"), *(len(f"seat {x}") for x in s.seats))
    lines = [f"session {s.id} ({st['scenario']}, {where}{paused}; seats {', '.join(s.seats)}):",
             f"  {'public screen':<{width}}  {root}/public",
             f"  {'facilitator':<{width}}  {root}/facilitator?token={quote(f_token, safe='') if f_token else '<facilitator token>'}"]
    for seat in s.seats:
        t = seat_tokens.get(seat)
        lines.append(f"  {'seat ' + seat:<{width}}  {root}/seat/{quote(seat, safe='')}?token="
                     f"{quote(t, safe='') if t else f'<{seat} token>'}")
    lines.append(f"  {'join page':<{width}}  {root}  (paste a token)")
    return lines


def read_links_file(path: Path) -> dict:
    """The JSON `highfence session new --json` prints: session_id, facilitator_token, seat_tokens, db."""
    try:
        data = json.loads(Path(path).read_text())
    except OSError as exc:
        raise HighfenceError(f"--links {path}: cannot read it ({exc.strerror})") from None
    except (ValueError, RecursionError) as exc:  # not JSON, not UTF-8, nested without end
        why = exc.msg if isinstance(exc, json.JSONDecodeError) else type(exc).__name__
        raise HighfenceError(f"--links {path}: not JSON ({why}); expected the output of "
                             "`highfence session new ... --json`") from None
    if not isinstance(data, dict) or not isinstance(data.get("session_id"), str) \
            or not isinstance(data.get("seat_tokens"), dict):
        raise HighfenceError(f"--links {path}: expected the JSON of `highfence session new ... --json` "
                             "(session_id, facilitator_token, seat_tokens)")
    return data


def check_links(s: Session, data: dict, path: Path) -> dict:
    """Keep only tokens that really are this session's (checked against the stored hashes)."""
    if data.get("session_id") != s.id:
        return {}
    out: dict[str, Any] = {"seat_tokens": {}}
    f = data.get("facilitator_token")
    if isinstance(f, str):
        try:
            if s.role(f).kind == FACILITATOR:
                out["facilitator_token"] = f
        except Forbidden:
            pass
    for seat, t in data["seat_tokens"].items():
        try:
            if isinstance(t, str) and s.role(t, seat).kind == SEAT:
                out["seat_tokens"][seat] = t
        except SessionError:
            pass
    if "facilitator_token" not in out or len(out["seat_tokens"]) != len(data["seat_tokens"]):
        raise HighfenceError(f"--links {path}: some tokens do not belong to session {s.id} "
                             "(a fork has new tokens; use the file of the session you serve)")
    return out


# -- responses ---------------------------------------------------------------------------


def _responses():
    from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

    return HTMLResponse, JSONResponse, RedirectResponse, Response


def finite(data: Any) -> Any:
    """`data` with NaN and infinities as null: strict JSON, which a browser's JSON.parse reads."""
    if isinstance(data, float):
        return data if math.isfinite(data) else None
    if isinstance(data, dict):
        return {k: finite(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [finite(v) for v in data]
    return data


def json_response(data: Any, status: int = 200, close: bool = False):
    _, JSONResponse, _, _ = _responses()
    headers = {**SECURE_HEADERS, "Connection": "close"} if close else SECURE_HEADERS
    return JSONResponse(finite(data), status_code=status, headers=headers)


def json_error(exc: HighfenceError, close: bool = False):
    """The error as JSON; `close`: the request's body was not (all) read, so the server
    closes the connection after answering instead of reading the rest."""
    status = getattr(exc, "http_status", 400)
    return json_response({"error": str(exc), "status": status}, status, close)


def html_response(text: str, status: int = 200):
    HTMLResponse, _, _, _ = _responses()
    return HTMLResponse(text, status_code=status, headers=SECURE_HEADERS)


def html_error(exc: HighfenceError):
    status = getattr(exc, "http_status", 400)
    return html_response(views.error_page(status, str(exc)), status)


def _no_constant(name: str):
    raise ValueError(f"{name} is not a number JSON allows")


class Payload:
    """A request's JSON body, parsed only when a handler asks for it. The body itself is
    read only after the token has been checked (SessionRoutes.api), and never past MAX_BODY,
    so a request with the wrong token is refused (403) before any of it is read."""

    def __init__(self, raw: bytes):
        self.raw = raw

    def get(self) -> dict:
        if len(self.raw) > MAX_BODY:
            raise TooLarge(f"request body over {MAX_BODY // 1024} KiB")
        if not self.raw.strip():
            return {}
        try:
            data = json.loads(self.raw, parse_constant=_no_constant)
        except RecursionError:
            raise BadRequest("the request body is nested too deeply") from None
        except ValueError as exc:  # not JSON, not UTF-8, NaN, an integer of thousands of digits
            raise BadRequest(f"the request body is not JSON ({str(exc)[:200]})") from None
        if not isinstance(data, dict):
            raise BadRequest("the request body must be a JSON object")
        try:
            check_values(data, max_depth=MAX_JSON_DEPTH, max_nodes=MAX_JSON_VALUES)
        except ValueProblem as exc:
            raise BadRequest(f"the request body: {exc}") from None
        return data


def _round(data: dict) -> int | None:
    r = data.get("round")
    if r is None or r == "":
        return None
    if isinstance(r, bool) or not isinstance(r, int) or not 0 <= r <= MAX_ROUND:
        raise BadRequest(f"round: expected a round number, got {str(r)[:40]!r}")
    return r


def _round_param(request, name: str, default: int | None) -> int | None:
    """A round number from the query string: digits only, within 0..MAX_ROUND."""
    text = request.query_params.get(name)
    if text is None or text == "":
        return default
    text = text.strip()
    if not (text.isascii() and text.isdigit() and len(text) <= 10) or int(text) > MAX_ROUND:
        raise BadRequest(f"{name}: expected a round number, got {text[:40]!r}")
    return int(text)


def _has_body(request) -> bool:
    h = request.headers
    return "transfer-encoding" in h or h.get("content-length", "0").strip() not in ("", "0")


def _declared_length(request) -> int | None:
    """Content-Length, refused (413) over MAX_BODY before anything is read."""
    text = request.headers.get("content-length")
    if text is None:
        return None
    text = text.strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 18:
        raise BadRequest("Content-Length: expected a number of bytes")
    if int(text) > MAX_BODY:
        raise TooLarge(f"request body over {MAX_BODY // 1024} KiB")
    return int(text)


async def _read_body(request) -> bytes:
    """The body, chunked or not, read chunk by chunk and refused (413) as soon as it
    passes MAX_BODY: never more than MAX_BODY plus one chunk in memory."""
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            raise TooLarge(f"request body over {MAX_BODY // 1024} KiB")
        chunks.append(chunk)
    return b"".join(chunks)


# -- the routes --------------------------------------------------------------------------


class SessionRoutes:
    """The page and API endpoints for the sessions of one hub."""

    def __init__(self, hub: SessionHub):
        self.hub = hub

    # wrappers: the Session API blocks (SQLite, the engine), so it runs in the thread pool
    def api(self, fn: Callable, body: bool = False, auth: Callable | None = None):
        """An API endpoint. With `body`, the request's body is read only after `auth(s, request)`
        has accepted its token, chunk by chunk and never past MAX_BODY (a declared
        Content-Length over it is refused before anything is read); a refused request
        with a body unread gets `Connection: close`, so the rest is never read either."""
        from starlette.concurrency import run_in_threadpool

        async def endpoint(request):
            pending = _has_body(request)
            try:
                _declared_length(request)
                s = self.hub.get(request.path_params["sid"])
                raw = b""
                if body:
                    if auth is not None:
                        await run_in_threadpool(auth, s, request)
                    raw = await _read_body(request)
                    pending = False
                result = await run_in_threadpool(fn, s, request, Payload(raw))
            except HighfenceError as exc:
                return json_error(exc, close=pending)
            return json_response(result, close=pending)

        return endpoint

    def html(self, fn: Callable):
        from starlette.concurrency import run_in_threadpool

        async def endpoint(request):
            try:
                s = self.hub.get(request.path_params["sid"])
                return await run_in_threadpool(fn, s, request)
            except HighfenceError as exc:
                return html_error(exc)

        return endpoint

    # -- pages ------------------------------------------------------------------------
    def landing(self, s: Session, request):
        return html_response(views.landing_page(s.status(), session_path(s.id)))

    def join(self, s: Session, request):
        _, _, RedirectResponse, _ = _responses()
        token = token_of(request)
        role = s.role(token)
        root = session_path(s.id)
        if role.kind == PUBLIC:
            return RedirectResponse(f"{root}/public", status_code=303, headers=SECURE_HEADERS)
        q = "?token=" + quote(token, safe="")
        if role.kind == FACILITATOR:
            return RedirectResponse(f"{root}/facilitator{q}", status_code=303, headers=SECURE_HEADERS)
        return RedirectResponse(f"{root}/seat/{quote(role.seat, safe='')}{q}", status_code=303, headers=SECURE_HEADERS)

    def public(self, s: Session, request):
        st = s.status()
        with s.lock:
            model = s.model()
            b = s.briefing()
            sector_i = views.sector_index(model, request.query_params.get("sector"))
            text = views.public_page(st, b["public"], model, sector_i, s.messages(None))
        return html_response(text)

    def facilitator(self, s: Session, request):
        token = token_of(request)
        if s.role(token).kind != FACILITATOR:
            raise Forbidden("the facilitator page needs the facilitator's token")
        with s.lock:
            b = s.briefing(token)
            text = views.facilitator_page(b, session_path(s.id), s.model(), s.messages(token))
        return html_response(text)

    def seat(self, s: Session, request):
        seat = request.path_params["seat"]
        token = token_of(request)
        if s.role(token, seat).kind != SEAT:  # the facilitator reads briefings through the API, not as a seat
            raise Forbidden(f"{seat}'s page needs {seat}'s own seat token")
        with s.lock:
            b = s.briefing(token, seat)
            model = s.model()
            results = seat_results(model, seat) if model.steps >= 1 else None
            text = views.seat_page(b, model, views.sector_index(model, request.query_params.get("sector")), results,
                                   s.messages(token, seat))
        return html_response(text)

    # -- API --------------------------------------------------------------------------
    def status(self, s, request, data):
        return s.status()

    def briefing(self, s, request, data):
        return s.briefing(token_of(request), request.query_params.get("seat") or None)

    def history(self, s, request, data):
        return s.history(_round_param(request, "first", 1), _round_param(request, "last", None))

    def world(self, s, request, data):
        st = s.status()
        with s.lock:
            model = s.model()
            pub = s.briefing()["public"]
            sector_i = views.sector_index(model, request.query_params.get("sector"))
            return {"status": st, "round_html": str(views.round_text(st)),
                    "world": views.world_fragment(model, st, pub, sector_i, s.messages(None))}

    def orders_get(self, s, request, data):
        seat = request.path_params["seat"]
        return {"seat": seat, "round": s.status()["current_round"], "orders": s.orders_of(seat, token_of(request))}

    @staticmethod
    def _seat_first(s: Session, request) -> tuple[str, str | None]:
        """The seat and token of a seat request, refused (403/404) before its body is read."""
        seat, token = request.path_params["seat"], token_of(request)
        if s.role(token, seat).kind != SEAT:
            raise Forbidden(f"this token is not {seat}'s seat token: only {seat}'s own token orders for it")
        return seat, token

    @staticmethod
    def _facilitator_first(s: Session, request, what: str) -> str | None:
        token = token_of(request)
        if s.role(token).kind != FACILITATOR:
            raise Forbidden(f"only the facilitator's token can {what}")
        return token

    # checks run before a body is read (see `api`)
    def _seat_auth(self, s: Session, request) -> None:
        self._seat_first(s, request)

    @staticmethod
    def _facilitator_auth(what: str) -> Callable:
        def check(s: Session, request) -> None:
            SessionRoutes._facilitator_first(s, request, what)
        return check

    @staticmethod
    def _actions(data: dict) -> list:
        actions = data.get("actions", [])
        if not isinstance(actions, list):
            raise BadRequest("actions: expected a list of orders")
        return actions

    def orders_post(self, s, request, payload):
        seat, token = self._seat_first(s, request)
        data = payload.get()
        return s.submit(seat, token, self._actions(data), append=bool(data.get("append", False)),
                        round=_round(data))

    def preview(self, s, request, payload):
        seat, token = self._seat_first(s, request)
        return {"effects": s.preview(seat, token, self._actions(payload.get()))}

    def legal(self, s, request, data):
        return s.legal_actions(request.path_params["seat"], token_of(request))

    def inject(self, s, request, payload):
        token = self._facilitator_first(s, request, "add injects")
        data = payload.get()
        if "inject" not in data:
            raise BadRequest('expected {"inject": {...}}')
        return s.add_inject(token, data["inject"], round=_round(data))

    def close_round(self, s, request, payload):
        token = self._facilitator_first(s, request, "close a round")
        return s.close_round(token, round=_round(payload.get())).as_dict()

    def pending(self, s, request, data):
        return s.pending(token_of(request), request.query_params.get("seat") or None)

    def answer(self, s, request, payload):
        seat, token = self._seat_first(s, request)
        data = payload.get()
        did, accept = data.get("decision"), data.get("accept")
        if not isinstance(did, str) or not isinstance(accept, bool):
            raise BadRequest('expected {"decision": "ID", "accept": true|false}')
        return s.answer(seat, token, did, accept)

    def messages_get(self, s, request, data):
        return s.messages(token_of(request), request.query_params.get("seat") or None)

    def _sender_auth(self, s: Session, request) -> None:
        if s.role(token_of(request), request.query_params.get("seat") or None).kind == PUBLIC:
            raise Forbidden("sending a message needs a seat's token (or the facilitator's)")

    def messages_post(self, s, request, payload):
        data = payload.get()
        to = data.get("to") or []
        if isinstance(to, str):
            to = [to]
        if not isinstance(to, list) or not isinstance(data.get("text"), str):
            raise BadRequest('expected {"text": "...", "to": ["SEAT", ...]} (no "to": a public statement)')
        return s.send_message(token_of(request), data["text"], to=to, seat=request.query_params.get("seat") or None)

    def deadline(self, s, request, payload):
        token = self._facilitator_first(s, request, "set the deadline")
        data = payload.get()
        seconds = data.get("seconds")
        if seconds is not None and (isinstance(seconds, bool) or not isinstance(seconds, int)):
            raise BadRequest('expected {"seconds": N} (whole seconds) or {"seconds": null}')
        return s.set_deadline(token, seconds, every_round=bool(data.get("every_round", True)))

    def void(self, s, request, payload):
        token = self._facilitator_first(s, request, "void an order")
        data = payload.get()
        if not isinstance(data.get("seat"), str) or not isinstance(data.get("reason"), str):
            raise BadRequest('expected {"seat": "S", "order": N, "reason": "..."}')
        return s.void_order(token, data["seat"], data.get("order"), data["reason"])

    def note(self, s, request, payload):
        token = self._facilitator_first(s, request, "add an adjudication note")
        data = payload.get()
        if not isinstance(data.get("text"), str):
            raise BadRequest('expected {"text": "...", "round": r}')
        return s.add_note(token, data["text"], round=_round(data))

    def pause(self, s, request, data):
        return s.pause(token_of(request))

    def unpause(self, s, request, data):
        return s.unpause(token_of(request))

    def end(self, s, request, data):
        return s.end(token_of(request))

    def routes(self) -> list:
        from starlette.routing import Route

        _, _, _, Response = _responses()

        async def static(request):
            name = request.path_params["name"]
            if name not in ASSETS:
                return json_error(NotFound(f"no such file: {request.url.path}"))
            return Response(asset(name), media_type=ASSETS[name],
                            headers={"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"})

        async def not_found(request):
            exc = NotFound(f"no such page: {request.url.path}")
            return json_error(exc) if request.url.path.startswith("/api/") else html_error(exc)

        api, page = self.api, self.html
        seat_auth, fac = self._seat_auth, self._facilitator_auth
        a = "/api/session/{sid}"
        return [
            Route(URL_PREFIX + "{name}", static),
            Route("/session/{sid}", page(self.landing)),
            Route("/session/{sid}/join", page(self.join)),
            Route("/session/{sid}/public", page(self.public)),
            Route("/session/{sid}/facilitator", page(self.facilitator)),
            # {seat:path}: a state's name may hold a "/" (sent as %2F, decoded before routing)
            Route("/session/{sid}/seat/{seat:path}", page(self.seat)),
            Route(f"{a}/status", api(self.status)),
            Route(f"{a}/briefing", api(self.briefing)),
            Route(f"{a}/history", api(self.history)),
            Route(f"{a}/world", api(self.world)),
            Route(f"{a}/seat/{{seat:path}}/orders", api(self.orders_get), methods=["GET"]),
            Route(f"{a}/seat/{{seat:path}}/orders", api(self.orders_post, body=True, auth=seat_auth),
                  methods=["POST"]),
            Route(f"{a}/seat/{{seat:path}}/preview", api(self.preview, body=True, auth=seat_auth), methods=["POST"]),
            Route(f"{a}/seat/{{seat:path}}/legal", api(self.legal)),
            Route(f"{a}/injects", api(self.inject, body=True, auth=fac("add injects")), methods=["POST"]),
            Route(f"{a}/close-round", api(self.close_round, body=True, auth=fac("close a round")),
                  methods=["POST"]),
            Route(f"{a}/pending", api(self.pending)),
            Route(f"{a}/seat/{{seat:path}}/answer", api(self.answer, body=True, auth=seat_auth), methods=["POST"]),
            Route(f"{a}/messages", api(self.messages_get), methods=["GET"]),
            Route(f"{a}/messages", api(self.messages_post, body=True, auth=self._sender_auth), methods=["POST"]),
            Route(f"{a}/deadline", api(self.deadline, body=True, auth=fac("set the deadline")), methods=["POST"]),
            Route(f"{a}/void", api(self.void, body=True, auth=fac("void an order")), methods=["POST"]),
            Route(f"{a}/notes", api(self.note, body=True, auth=fac("add an adjudication note")), methods=["POST"]),
            Route(f"{a}/pause", api(self.pause, body=True, auth=fac("pause the session")), methods=["POST"]),
            Route(f"{a}/unpause", api(self.unpause, body=True, auth=fac("unpause the session")),
                  methods=["POST"]),
            Route(f"{a}/end", api(self.end, body=True, auth=fac("end the session")), methods=["POST"]),
            # Anything else under these prefixes is ours too: never fall through to the Solara page.
            Route("/session/{rest:path}", not_found, methods=["GET", "POST", "HEAD"]),
            Route("/api/session/{rest:path}", not_found, methods=["GET", "POST", "HEAD"]),
            Route("/_highfence/{rest:path}", not_found),
        ]


_install_lock = threading.Lock()


def install(app, hub: SessionHub) -> None:
    """Put the session routes in front of an existing Starlette app's routes (Solara's)."""
    with _install_lock:
        app.router.routes[0:0] = SessionRoutes(hub).routes()
    hub.start_clock()


def session_app(hub: SessionHub):
    """The session pages alone as a Starlette app (no Solara): for tests and embedding."""
    from starlette.applications import Starlette

    return Starlette(routes=SessionRoutes(hub).routes())


def seat_results(model, seat: str) -> tuple[dict | None, dict]:
    """A seat's public outcomes before and after the last adjudicated round (for its debrief)."""
    outs = model.datacollector.outcomes
    i = model.world.states.names.index(seat)

    def pick(o) -> dict:
        return {k: float(o.state_metric(k)[i]) for k in views.RESULT_METRICS}

    return (pick(outs[-2]) if len(outs) >= 2 else None), pick(outs[-1])


__all__ = ["SessionHub", "SessionRoutes", "base_url", "check_links", "install", "is_loopback", "network_warning",
           "read_links_file", "session_app", "session_links", "token_of"]
