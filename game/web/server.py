"""Serve the page with Solara's own server, every asset local.

Solara reads its settings from the environment when it is first imported, so
`offline_environment` must run before anything imports solara. It makes the
server its own CDN: the page asks only the app for scripts, styles and fonts
(served from the solara-assets package's copy), the server never falls back
to a CDN on the internet, and the usage telemetry is off.

With `--session ID`, the tabletop session pages (game.web.session_pages) are
mounted in front of Solara's routes on the same app and port: plain HTML and a
JSON API, with their own local stylesheet and script.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import subprocess
import sys
import time
import urllib.request
import warnings
from collections.abc import Sequence
from pathlib import Path

from game.errors import HighfenceError

APP = "game.web.app:Page"
# A closed local port: a file missing from the local copy fails at once
# instead of the server fetching it from the internet.
NO_CDN = "http://127.0.0.1:9/"

OFFLINE_ENV = {
    "SOLARA_APP": APP,
    "SOLARA_MODE": "production",  # no version check iframe, no auto-reload
    "SOLARA_ASSETS_PROXY": "true",  # the app serves /_solara/cdn from the local copy
    "SOLARA_ASSETS_CDN": NO_CDN,
    "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "false",
    "SOLARA_THEME_LOADER": "plain",
    # A closed tab's models are freed after an hour (Solara keeps them a day).
    "SOLARA_KERNEL_CULL_TIMEOUT": "1h",
}


def offline_environment(scenario: str | None = None) -> dict[str, str]:
    """Set (and return) the environment that keeps Solara offline."""
    if "solara" in sys.modules:
        raise RuntimeError("set the offline environment before solara is imported")
    env = dict(OFFLINE_ENV)
    if scenario:
        env["HIGHFENCE_SCENARIO"] = str(Path(scenario).resolve())
    os.environ.update(env)
    return env


def check_assets() -> Path:
    """The local asset folder; an error naming the fix when it is missing."""
    from solara.server import settings

    folder = settings.assets.proxy_cache_dir
    if not (folder / "requirejs@2.3.6").exists():
        raise HighfenceError(
            f"Solara's local assets are missing from {folder}: install them with "
            "'pip install solara-assets==1.58.2' (the browser extra of highfence)."
        )
    return folder


# -- who may talk to the server -------------------------------------------------------

HOSTS_ENV = "HIGHFENCE_ALLOWED_HOSTS"  # more names the server answers to, comma-separated ("*": any)
MAX_REQUEST_BODY = 1 << 20  # any HTTP request; the session API allows less (session_pages.MAX_BODY)


def allowed_hosts(host: str) -> frozenset[str]:
    """The Host header values (without port) the server answers: this machine's loopback
    names, the --host given, the machine's name when serving on every interface, and
    the names in $HIGHFENCE_ALLOWED_HOSTS (e.g. `mybox.lan,192.168.1.20`)."""
    names = {"127.0.0.1", "localhost", "::1", _bare(host)}
    try:
        if ipaddress.ip_address(_bare(host)).is_unspecified:  # 0.0.0.0 / :: : the links printed use the name
            names.add(socket.gethostname().lower())
            names.add(socket.getfqdn().lower())
    except ValueError:
        pass
    names.update(_bare(n) for n in os.environ.get(HOSTS_ENV, "").split(",") if n.strip())
    return frozenset(names)


def _bare(host: str) -> str:
    """A host name or address without brackets, trailing dot or case."""
    return host.strip().strip("[]").rstrip(".").lower()


def host_of(header: str) -> str:
    """The host part of a Host header: `name:port`, `[v6]:port`, `name`."""
    header = header.strip()
    if header.startswith("["):
        return _bare(header.partition("]")[0])
    return _bare(header.rpartition(":")[0] if header.count(":") == 1 else header)


class HostGuard:
    """ASGI middleware in front of the whole app (Solara's pages and the session pages).

    Refuses a request whose Host header is not one of `allowed` (400): a page of another
    site whose name was re-pointed at this machine (DNS rebinding) sends its own name and
    gets nothing. When serving beyond loopback, an IP address as Host is accepted too (a
    rebinding needs a name). Refuses a declared body over MAX_REQUEST_BODY (413) before
    reading it, and never hands an app more than that of a chunked body. Refuses a
    WebSocket whose Origin names another site.
    """

    def __init__(self, app, allowed: frozenset[str]):
        self.app, self.allowed = app, allowed
        self.any_host = "*" in allowed
        self.any_address = any(_remote_address(h) for h in allowed)

    def host_ok(self, header: str | None) -> bool:
        if self.any_host:
            return True
        if not header:
            return False
        host = host_of(header)
        if host in self.allowed:
            return True
        try:
            return self.any_address and bool(ipaddress.ip_address(host))
        except ValueError:
            return False

    def origin_ok(self, origin: str) -> bool:
        """An Origin header (`scheme://host[:port]`) naming a host this server answers to."""
        scheme, sep, rest = origin.partition("://")
        return bool(sep) and scheme in ("http", "https") and self.host_ok(rest.split("/", 1)[0])

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        headers = {k.lower(): v for k, v in scope.get("headers", [])}
        host = headers.get(b"host", b"").decode("latin-1")
        if not self.host_ok(host):
            if scope["type"] == "websocket":
                await receive()  # websocket.connect; a close before accepting is an HTTP 403
                return await send({"type": "websocket.close", "code": 1008})
            return await _plain(send, 400, f"host {host_of(host)[:100]!r} is not allowed here; to serve under "
                                            f"another name, add it to ${HOSTS_ENV}")
        origin = headers.get(b"origin")
        if scope["type"] == "websocket" and origin is not None and not self.origin_ok(origin.decode("latin-1")):
            # Browsers send Origin on every WebSocket; a page of another site opening one to
            # this machine (cross-site WebSocket hijacking) is refused like a wrong Host.
            await receive()
            return await send({"type": "websocket.close", "code": 1008})
        if scope["type"] == "http":
            if scope["path"].startswith("/_solara/api/close/") and b"session_id=" not in scope.get("query_string", b""):
                # Solara's tab-close beacon always sends ?session_id=; without it Solara answers 500 (KeyError).
                return await _plain(send, 400, "expected ?session_id=")
            length = headers.get(b"content-length", b"0").strip()
            if length and (not length.isdigit() or len(length) > 18 or int(length) > MAX_REQUEST_BODY):
                return await _plain(send, 413, f"request body over {MAX_REQUEST_BODY // 1024} KiB")
            receive = _capped(receive, MAX_REQUEST_BODY)
        return await self.app(scope, receive, send)


def _remote_address(host: str) -> bool:
    """An IP address beyond loopback (0.0.0.0 included): the server is reachable from a network."""
    try:
        return not ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _capped(receive, limit: int):
    """`receive` that reports a disconnect once a body passes `limit` bytes."""
    seen = 0

    async def wrapped():
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                return {"type": "http.disconnect"}
        return message

    return wrapped


async def _plain(send, status: int, text: str) -> None:
    body = (text + "\n").encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close"), (b"cache-control", b"no-store")]})
    await send({"type": "http.response.body", "body": body})


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def serve(host: str = "127.0.0.1", port: int = 8765, scenario: str | None = None, log_level: str = "warning",
          sessions: Sequence[str] = (), db: str | Path | None = None, links: dict | None = None) -> None:
    """Run the app until interrupted; prints the URL once the socket is bound.

    With `sessions`, also serve those tabletop sessions of the database `db`
    (game.web.session_pages), each resumed from the database first; `links` (the
    checked tokens of `highfence session new --json`) lets the printed links
    carry the real tokens.
    """
    from game.sweep.executors import start_local_workers

    # The compare tab plays its seeds on the local pool: its fork server imports the engine
    # now, beside the app's own start, rather than on the first click.
    start_local_workers("game.replications")
    hub = None
    if sessions:
        from game.session import SessionStore
        from game.web.session_pages import SessionHub

        hub = SessionHub(SessionStore(db, create=False), sessions)  # resume() each: carry on after a crash
    offline_environment(scenario)
    import uvicorn

    # Solara warns on every page load over plain http to 127.0.0.1 that it keeps
    # its session cookie samesite=lax: right for a local app, so not worth a line.
    warnings.filterwarnings("ignore", message="Cookies with samesite=none require https")
    check_assets()
    os.environ["SERVER_NAME"], os.environ["SERVER_PORT"] = host, str(port)
    import solara.server.starlette as solara_starlette

    if hub is not None:
        from game.web.session_pages import install

        install(solara_starlette.app, hub)
    app = HostGuard(solara_starlette.app, allowed_hosts(host))
    config = uvicorn.Config(app, host=host, port=port, log_level=log_level, ws_max_size=64 * 1024 * 1024)
    server = uvicorn.Server(config)
    shown = f"[{host}]" if ":" in host else host
    print(f"highfence: serving on http://{shown}:{port}/ (Ctrl-C to stop)", flush=True)
    if hub is not None:
        from game.web.session_pages import base_url, session_links

        for sid, s in hub.sessions.items():
            done = hub.resumed[sid].get("adjudicated")
            for line in session_links(base_url(host, port), s, (links or {}).get(sid)):
                print(line, flush=True)
            if done:
                print(f"  (on resume, round {done['round']} was adjudicated: every seat had submitted)", flush=True)
        if not links:
            print("Tokens are stored hashed, so they are not shown here: use those `highfence session new` printed, "
                  "or serve with --links FILE (its --json output) to print the full links.", flush=True)
    server.run()


def spawn(port: int, scenario: str | None = None, host: str = "127.0.0.1", cwd: str | Path | None = None,
          timeout: float = 90.0, sessions: Sequence[str] = (), db: str | Path | None = None,
          extra: Sequence[str] = ()) -> subprocess.Popen:
    """Start `highfence serve` in a subprocess and wait until it answers (tests, benchmarks)."""
    cmd = [sys.executable, "-m", "game.cli", "serve", *([scenario] if scenario else []), "--host", host,
           "--port", str(port)]
    for sid in sessions:
        cmd += ["--session", sid]
    if db is not None:
        cmd += ["--db", str(db)]
    cmd += list(extra)
    proc = subprocess.Popen(cmd, cwd=cwd, env=dict(os.environ, PYTHONUNBUFFERED="1"),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    probe = f"http://{host}:{port}" + (f"/api/session/{sessions[0]}/status" if sessions else "/")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"highfence serve exited with {proc.returncode}:\n{proc.stdout.read()}")
        try:
            with urllib.request.urlopen(probe, timeout=2) as r:
                if r.status == 200:
                    return proc
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError(f"highfence serve did not answer within {timeout:.0f} s")


def stop(proc: subprocess.Popen) -> str:
    """Stop a server started by `spawn`; returns what it printed."""
    proc.terminate()
    try:
        out, _ = proc.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
    return out or ""


def main(argv: list[str] | None = None) -> int:
    """`python -m game.web.server [SCENARIO] [--host] [--port] [--session ID]` (the same as `highfence serve`)."""
    from game.web.command import main as serve_main  # the web layer never imports game.cli

    return serve_main(sys.argv[1:] if argv is None else argv)


if __name__ == "__main__":
    sys.exit(main())
