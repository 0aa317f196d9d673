"""For the real-browser tests: what a test's pages asked for and complained about
(Recorder), and the people at a tabletop, each in a browser context of their own (Person).

A page passes when it asked no other host for anything (every asset is served by the
machine itself: these rooms are offline), no request failed and the console shows no
error, except the HTTP refusals a test provokes on purpose.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from playwright.sync_api import Page

REFUSED = re.compile(r"the server responded with a status of (\d{3})")


class Recorder:
    """Every request, failure and console error of the pages attached to it.

    `refusals` lists the HTTP statuses (403, 409, 422) the test provokes on purpose:
    Chromium logs each refused fetch as a console error, and only those are allowed.
    """

    def __init__(self, origin: str, refusals: tuple[int, ...] = ()):
        self.origin = urlsplit(origin).netloc
        self.refusals = refusals
        self.requests: list[str] = []
        self.failed: list[str] = []
        self.errors: list[str] = []
        self.refused: list[int] = []

    def console(self, msg) -> None:
        if msg.type != "error":
            return
        m = REFUSED.search(msg.text)
        if m and int(m.group(1)) in self.refusals:
            self.refused.append(int(m.group(1)))
        else:
            self.errors.append(msg.text)

    def attach(self, page: Page) -> Page:
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("requestfailed", lambda r: self.failed.append(f"{r.url}: {r.failure}"))
        page.on("websocket", lambda ws: self.requests.append(ws.url))
        page.on("console", self.console)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        return page

    def check(self) -> None:
        foreign = [u for u in self.requests
                   if urlsplit(u).scheme not in ("data", "blob") and urlsplit(u).netloc != self.origin]
        assert not foreign, f"requests to other hosts: {foreign}"
        # A session page reloads when a round closes, aborting the poll in flight: not a failure.
        failed = [f for f in self.failed if not ("/api/session/" in f and "ERR_ABORTED" in f)]
        assert not failed, f"failed requests: {failed}"
        assert not self.errors, f"console errors: {self.errors}"
        assert self.requests, "no request was recorded"


class Person:
    """One person at the table: a fresh browser context (no cookies or storage shared with
    anyone else), its recorder and its page."""

    def __init__(self, browser, origin: str, size: tuple[int, int] = (1400, 1000), refusals: tuple[int, ...] = (),
                 timeout_ms: int = 20_000):
        self.ctx = browser.new_context(viewport={"width": size[0], "height": size[1]})
        self.ctx.set_default_timeout(timeout_ms)
        self.rec = Recorder(origin, refusals)
        self.origin = origin
        self.page: Page = self.rec.attach(self.ctx.new_page())
        self.closed = False

    def open(self, path: str) -> Page:
        resp = self.page.goto(self.origin + path)
        assert resp is not None and resp.status == 200, (path, resp and resp.status)
        return self.page

    def close(self) -> None:
        """Check what the pages did, then close the context (once)."""
        if self.closed:
            return
        self.closed = True
        try:
            self.rec.check()
        finally:
            self.ctx.close()


def close_all(people: list[Person]) -> None:
    """Close every person's context, then fail with every person's complaints together."""
    errors = []
    for p in people:
        try:
            p.close()
        except AssertionError as exc:
            errors.append(str(exc))
    assert not errors, errors
