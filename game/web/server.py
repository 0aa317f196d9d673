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
    app: object = "solara.server.starlette:app"
    if hub is not None:
        import solara.server.starlette as solara_starlette

        from game.web.session_pages import install

        install(solara_starlette.app, hub)
        app = solara_starlette.app
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
    from game.cli import main as cli_main

    return cli_main(["serve", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    sys.exit(main())
