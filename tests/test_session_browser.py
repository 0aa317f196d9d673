"""Tabletop sessions in a real browser: `highfence serve --session ID` with Debian's
chromium driven by Playwright.

Each role gets its own browser context (no shared cookies or storage): two seats,
the facilitator and the public screen. Every request, failed request and console
message is recorded; a test fails on any request to another host, any failed
request, or any console error other than the HTTP refusals it provokes on
purpose. Screenshots are kept under the test's tmp dir.
"""

from __future__ import annotations

import json
import signal
from pathlib import Path

import pytest
from browser_recorder import Person, close_all
from conftest import check_server_log
from playwright.sync_api import Page, expect

from game.cli import main as cli_main
from game.session import SessionStore, create_session, open_session
from game.web.server import free_port, spawn, stop
from game.web.session_pages import is_loopback, network_warning

ROOT = Path(__file__).resolve().parents[1]
TINY = ROOT / "configs" / "tiny.yaml"

TIMEOUT_MS = 20_000

browser_test = pytest.mark.browser


# -- fixtures -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("sessions") / "games.sqlite"


@pytest.fixture(scope="module")
def game(db):
    return create_session(SessionStore(db), TINY, ["BETA", "GAMMA"], seed=3)


@pytest.fixture(scope="module")
def server(game, db):
    # No skip when chromium is missing: `make test` installs it, and a skip would hide that.
    port = free_port()
    proc = spawn(port, sessions=[game.session_id], db=db, cwd=ROOT)
    yield f"http://127.0.0.1:{port}"
    log = stop(proc)
    check_server_log(log, port)
    assert f"/session/{game.session_id}/facilitator?token=<facilitator token>" in log, log


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("session-screenshots")


@pytest.fixture
def people(browser):
    opened: list[Person] = []

    def open_(origin: str, refusals: tuple[int, ...] = ()) -> Person:
        r = Person(browser, origin, refusals=refusals, timeout_ms=TIMEOUT_MS)
        opened.append(r)
        return r

    yield open_
    close_all(opened)


def seat_url(sid: str, seat: str, token: str) -> str:
    return f"/session/{sid}/seat/{seat}?token={token}"


def fill_card(page: Page, kind: str, values: dict) -> None:
    card = page.locator(f'form.hf-action[data-kind="{kind}"]')
    for name, value in values.items():
        field = card.locator(f'[data-field="{name}"]')
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(str(value))
        else:
            field.fill(str(value))
    card.locator("button.hf-add").click()


def screenshot(page: Page, path: Path) -> None:
    page.mouse.move(0, 0)
    page.evaluate("document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0)")
    page.screenshot(path=path, full_page=True)


# -- the tests ------------------------------------------------------------------------


@browser_test
def test_seats_and_facilitator_in_separate_browsers(server, game, db, people, shots):
    sid, f = game.session_id, game.facilitator_token
    beta, gamma = game.seat_tokens["BETA"], game.seat_tokens["GAMMA"]

    public = people(server)
    pub = public.open(f"/session/{sid}/public")
    expect(pub.locator("#hf-round")).to_contain_text("Round 1 of 10")
    expect(pub.locator(".hf-view-map svg")).to_have_attribute("aria-label", "World network, advanced chips, round 0")
    expect(pub.locator(".hf-charts svg.hf-chart")).to_have_count(7)

    fac = people(server, refusals=(409,))
    fpage = fac.open(f"/session/{sid}/facilitator?token={f}")
    status_of = fpage.locator('.hf-seat-status[data-seat="BETA"]')
    expect(status_of).to_have_text("waiting")

    b = people(server, refusals=(403, 409, 422))
    bpage = b.open(seat_url(sid, "BETA", beta))
    expect(bpage.locator("#hf-private h2")).to_contain_text("BETA")
    expect(bpage.locator("#hf-budget")).to_be_visible()
    expect(bpage.locator("#hf-sealed-box")).to_contain_text("None sealed yet")
    assert bpage.locator("form.hf-action").count() >= 10, "the legal actions should each have a form"

    g = people(server, refusals=(409,))
    gpage = g.open(seat_url(sid, "GAMMA", gamma))
    expect(gpage.locator("#hf-private h2")).to_contain_text("GAMMA")

    # BETA drafts through the forms: a legal subsidy, then an illegal order the server refuses (422).
    fill_card(bpage, "subsidy", {"sector": "chips", "amount": "3.5"})
    expect(bpage.locator("#hf-draft li")).to_have_count(1)
    expect(bpage.locator("#hf-msg")).to_contain_text("Added:")
    fill_card(bpage, "subsidy", {"sector": "chips", "amount": "99999"})  # over budget: refused at the form
    expect(bpage.locator('form.hf-action[data-kind="subsidy"] .hf-form-msg')).to_contain_text("refused")
    expect(bpage.locator("#hf-draft li")).to_have_count(1)
    bpage.locator("#hf-submit").click()
    expect(bpage.locator("#hf-msg")).to_contain_text("Sealed 1 order(s) for round 1")
    expect(bpage.locator("#hf-sealed-box")).to_contain_text("BETA spends $3.5bn on research in advanced chips")
    screenshot(bpage, shots / "seat_beta.png")
    bpage.locator('form.hf-action[data-kind="diversify"]').scroll_into_view_if_needed()
    bpage.screenshot(path=shots / "seat_beta_scrolled.png")  # the orders panel stays in view

    # Everyone sees that BETA has submitted (live, no reload); nobody but BETA and the facilitator sees what.
    expect(status_of).to_have_text("submitted")
    expect(gpage.locator('.hf-chip[data-seat="BETA"]')).to_have_attribute("data-submitted", "true")
    expect(pub.locator('.hf-chip[data-seat="BETA"]')).to_have_attribute("data-submitted", "true")
    assert "$3.5bn" not in gpage.content() and "$3.5bn" not in pub.content()
    expect(gpage.locator("#hf-sealed-box")).to_contain_text("None sealed yet")
    expect(fpage.locator("#hf-pending-orders")).to_contain_text("$3.5bn")

    # BETA's browser cannot read GAMMA's page or act for GAMMA or the facilitator: HTTP 403.
    api = f"{server}/api/session/{sid}"
    as_beta = {"Authorization": f"Bearer {beta}"}
    req = b.ctx.request
    for resp in (
        req.get(f"{server}{seat_url(sid, 'GAMMA', beta)}"),
        req.get(f"{server}/session/{sid}/seat/GAMMA"),
        req.get(f"{server}/session/{sid}/facilitator?token={beta}"),
        req.get(f"{server}{seat_url(sid, 'BETA', f)}"),  # seat pages take the seat's own token only
        req.get(f"{api}/briefing?seat=GAMMA", headers=as_beta),
        req.get(f"{api}/seat/GAMMA/orders", headers=as_beta),
        req.get(f"{api}/seat/GAMMA/legal", headers=as_beta),
        req.post(f"{api}/seat/GAMMA/orders", headers=as_beta, data={"actions": []}),
        req.post(f"{api}/seat/GAMMA/preview", headers=as_beta, data={"actions": []}),
        req.post(f"{api}/close-round", headers=as_beta, data={}),
        req.post(f"{api}/injects", headers=as_beta,
                 data={"inject": {"kind": "demand_shock", "sector": "chips", "factor": 2}}),
        req.post(f"{api}/pause", headers=as_beta, data={}),
        req.post(f"{api}/end", headers=as_beta, data={}),
        req.post(f"{api}/seat/GAMMA/orders", headers={"Authorization": f"Bearer {f}"}, data={"actions": []}),
        req.post(f"{api}/close-round", data={}),  # no token at all
        req.get(f"{server}/session/{sid}/join?token=hf_wrong", max_redirects=0),
    ):
        assert resp.status == 403, (resp.url, resp.status, resp.text()[:200])
        assert "Your briefing" not in resp.text() and "budget" not in resp.text().lower()
    assert req.get(f"{api}/seat/GAMMA/orders", headers={"Authorization": "Bearer hf_wrong"}).status == 403
    joined = req.get(f"{server}/session/{sid}/join?token={gamma}", max_redirects=0)
    assert joined.status == 303 and joined.headers["location"] == seat_url(sid, "GAMMA", gamma)
    assert req.get(f"{api}/seat/NOPE/orders", headers=as_beta).status == 404
    assert req.get(f"{server}/api/session/nope/status").status == 404
    assert req.get(f"{api}/seat/GAMMA/orders", headers={"Authorization": f"Bearer {gamma}"}).json()["orders"] is None
    # In the page too: the link with the wrong seat shows a refusal, no briefing.
    resp = bpage.goto(server + seat_url(sid, "GAMMA", beta))
    assert resp.status == 403
    expect(bpage.locator("#hf-error")).to_contain_text("not GAMMA's seat token")
    # And on the command line, the same refusal.
    assert cli_main(["session", "order", sid, "--seat", "GAMMA", "--token", beta, "--db", str(db)]) == 2
    assert cli_main(["session", "show", sid, "--seat", "GAMMA", "--token", beta, "--db", str(db)]) == 2
    assert req.get(f"{api}/seat/GAMMA/orders", headers={"Authorization": f"Bearer {gamma}"}).json()["orders"] is None
    bpage = b.open(seat_url(sid, "BETA", beta))

    # The facilitator adds an inject from the menu, then closes the round (GAMMA holds).
    card = fpage.locator('form.hf-inject[data-kind="demand_shock"]')
    card.locator('[data-field="sector"]').select_option("chips")
    card.locator('[data-field="factor"]').fill("1.5")
    card.locator("button.hf-add").click()
    expect(fpage.locator("#hf-msg")).to_contain_text("Inject added to round 1")
    expect(fpage.locator(".hf-pending-injects")).to_contain_text("Spending on advanced chips everywhere rises by 50%")
    screenshot(fpage, shots / "facilitator.png")
    fpage.locator("#hf-close").click()
    expect(fpage.locator("#hf-msg")).to_contain_text("Round 1 adjudicated")
    expect(fpage.locator("#hf-round")).to_contain_text("Round 2 of 10")

    # Every page follows: the seats get their debrief, the public screen its new map and charts.
    for page in (bpage, gpage):
        expect(page.locator("#hf-round")).to_contain_text("Round 2 of 10")
        expect(page.locator("#hf-debrief h2")).to_contain_text("Debrief: round 1")
        expect(page.locator("#hf-debrief .hf-round-orders")).to_contain_text("$3.5bn")  # public once adjudicated
        expect(page.locator("#hf-debrief")).to_contain_text("Spending on advanced chips everywhere rises by 50%")
        expect(page.locator("#hf-sealed-box")).to_contain_text("None sealed yet")
    expect(bpage.locator("#hf-debrief .hf-results")).to_contain_text("welfare change")
    expect(pub.locator("#hf-round")).to_contain_text("Round 2 of 10")
    expect(pub.locator(".hf-view-map svg")).to_have_attribute("aria-label", "World network, advanced chips, round 1")
    expect(pub.locator(".hf-view-log")).to_contain_text("Round 1:")
    expect(pub.locator(".hf-charts svg.hf-chart")).to_have_count(7)
    expect(pub.locator('.hf-chip[data-seat="BETA"]')).to_have_attribute("data-submitted", "false")
    screenshot(gpage, shots / "seat_gamma_debrief.png")
    pub.locator("#hf-sector").select_option("rare_earths")
    expect(pub.locator(".hf-view-map svg")).to_have_attribute("aria-label", "World network, rare earths, round 1")
    screenshot(pub, shots / "public.png")

    # Pause: the seats see it and cannot seal (409); unpause and play goes on.
    fpage.locator("#hf-pause").click()
    expect(fpage.locator("#hf-state")).to_have_text("paused")
    expect(gpage.locator("#hf-paused")).to_be_visible()
    expect(gpage.locator("#hf-hold")).to_be_disabled()
    refused = g.ctx.request.post(f"{api}/seat/GAMMA/orders", headers={"Authorization": f"Bearer {gamma}"},
                                 data={"actions": []})
    assert refused.status == 409 and "paused" in refused.json()["error"]
    fpage.locator("#hf-unpause").click()
    expect(fpage.locator("#hf-state")).to_have_text("open")
    expect(gpage.locator("#hf-state")).to_have_text("open")
    gpage.locator("#hf-hold").click()
    expect(gpage.locator("#hf-msg")).to_contain_text("Sealed a hold for round 2")
    expect(fpage.locator('.hf-seat-status[data-seat="GAMMA"]')).to_have_text("submitted")
    assert b.rec.refused and set(b.rec.refused) <= {403, 422}


@browser_test
def test_order_survives_sigkill_of_the_server(browser, db, people, shots):
    game = create_session(SessionStore(db), TINY, ["BETA", "GAMMA"], seed=5)
    sid, beta, gamma = game.session_id, game.seat_tokens["BETA"], game.seat_tokens["GAMMA"]
    links = db.parent / f"{sid}.json"
    links.write_text(json.dumps(game.as_dict()))
    port = free_port()
    origin = f"http://127.0.0.1:{port}"
    proc = spawn(port, sessions=[sid], db=db, cwd=ROOT)
    try:
        b = people(origin)
        page = b.open(seat_url(sid, "BETA", beta))
        fill_card(page, "stockpile", {"sector": "rare_earths", "amount": "1.75"})
        expect(page.locator("#hf-draft li")).to_have_count(1)
        page.locator("#hf-submit").click()
        expect(page.locator("#hf-msg")).to_contain_text("Sealed 1 order(s) for round 1")
        sealed = page.locator("#hf-sealed-box").inner_text()
        assert "stockpile" in sealed and "1.75" in sealed
        b.close()  # before the kill: its polls would fail against a dead server
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    assert proc.returncode == -signal.SIGKILL
    proc.stdout.close()

    # Restart (printing the real links this time): the order is still there, BETA still "submitted".
    proc = spawn(port, sessions=[sid], db=db, cwd=ROOT, extra=["--links", str(links)])
    try:
        b = people(origin)
        page = b.open(seat_url(sid, "BETA", beta))
        expect(page.locator("#hf-sealed-box")).to_contain_text('$1.75bn on a stockpile of rare earths')
        expect(page.locator('.hf-chip[data-seat="BETA"]')).to_have_attribute("data-submitted", "true")
        stored = b.ctx.request.get(f"{origin}/api/session/{sid}/seat/BETA/orders",
                                   headers={"Authorization": f"Bearer {beta}"}).json()
        assert stored["round"] == 1
        assert stored["orders"] == [{"kind": "stockpile", "sector": "rare_earths", "amount": 1.75}]
        # The game goes on: GAMMA's hold completes the round, which is adjudicated with BETA's order.
        g = people(origin)
        gpage = g.open(seat_url(sid, "GAMMA", gamma))
        gpage.locator("#hf-hold").click()
        expect(gpage.locator("#hf-msg")).to_contain_text("round 1 was adjudicated")
        expect(gpage.locator("#hf-debrief .hf-round-orders")).to_contain_text("stockpile")
        expect(page.locator("#hf-debrief h2")).to_contain_text("Debrief: round 1")
        screenshot(page, shots / "seat_after_restart.png")
        # The facilitator ends the game (after a confirmation): the seats see it and have nothing to seal.
        fac = people(origin)
        fpage = fac.open(f"/session/{sid}/facilitator?token={game.facilitator_token}")
        fpage.once("dialog", lambda d: d.accept())
        fpage.locator("#hf-end").click()
        expect(fpage.locator("#hf-state")).to_have_text("ended")
        expect(fpage.locator("#hf-close")).to_be_disabled()
        expect(page.locator("#hf-ended")).to_be_visible()
        expect(page.locator("#hf-round")).to_contain_text("Game over after round 1 of 10")
        assert page.locator("#hf-submit").count() == 0 and page.locator("form.hf-action").count() == 0
        for role in (b, g, fac):  # checked and closed while the server still answers their polls
            role.close()
    finally:
        log = stop(proc)
    assert "seat BETA" in log and f"token={beta}" in log, log  # --links: the full links, checked
    assert "Traceback" not in log, log
    assert open_session(SessionStore(db), sid).check().ok


def test_serve_session_command_line(tmp_path, capsys):
    from game.cli import build_parser

    args = build_parser().parse_args(["serve", "--session", "abc", "--db", "x.sqlite"])
    assert (args.session, args.host, args.port) == (["abc"], "127.0.0.1", 8765)
    missing = tmp_path / "none.sqlite"
    assert cli_main(["serve", "--session", "abc", "--db", str(missing)]) == 2
    assert "no session database" in capsys.readouterr().err
    db = tmp_path / "s.sqlite"
    game = create_session(SessionStore(db), TINY, ["BETA"], seed=1)
    assert cli_main(["serve", "--session", "nope", "--db", str(db)]) == 2
    assert "no session 'nope'" in capsys.readouterr().err
    assert cli_main(["serve", "--db", str(db)]) == 2
    assert "give --session ID too" in capsys.readouterr().err
    bad = tmp_path / "links.json"
    bad.write_text("not json")
    assert cli_main(["serve", "--links", str(bad)]) == 2
    assert "not JSON" in capsys.readouterr().err
    forged = dict(game.as_dict(), db=str(db), seat_tokens={"BETA": "hf_forged"})
    bad.write_text(json.dumps(forged))
    assert cli_main(["serve", "--links", str(bad)]) == 2
    assert "do not belong to session" in capsys.readouterr().err
    # Loopback by default; any other address warns on stderr.
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.20")
    assert network_warning("127.0.0.1", 8765) is None
    assert "not a loopback address" in network_warning("0.0.0.0", 8765)
