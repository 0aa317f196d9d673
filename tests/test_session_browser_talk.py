"""Seats who are asked and who talk, in Debian's chromium through Playwright, at the
two window sizes a table uses: a 1280x720 laptop and a 1920x1080 projector.

Two seats in two separate browser contexts (no shared storage) exchange private
messages and a public statement, are asked by each other (a coalition proposal
from one human seat to the other) and by the computer (a coercive demand), and
answer on their pages; the facilitator sets a deadline, voids an order with a
reason and writes a note; the public screen follows. Every page is checked for
raw JSON and for requests to other hosts or console errors.
"""

from __future__ import annotations

import re

import pytest
from browser_recorder import Person, close_all
from conftest import CONFIGS, ROOT, check_server_log
from playwright.sync_api import expect

from game.session import SessionStore, create_session
from game.web.server import free_port, spawn, stop

SIZES = {"laptop": (1280, 720), "projector": (1920, 1080)}
COALITION = {"sector": "chips", "target": "GAMMA"}
JSONISH = re.compile(r'\{\s*"[a-z_]+"\s*:|"kind"\s*:|\[\s*\{')


def no_raw_json(page) -> None:
    """What a person reads on the page holds no JSON object or list of objects."""
    text = page.locator("body").inner_text()
    assert not JSONISH.search(text), JSONISH.search(text).group(0) + " in " + page.url


@pytest.fixture(params=list(SIZES), scope="module")
def table(request, browser, tmp_path_factory):
    db = tmp_path_factory.mktemp(f"talk-{request.param}") / "games.sqlite"
    # Seed 0: GAMMA (the computer) coerces ALPHA in round 1; manual close keeps the round open for the facilitator.
    game = create_session(SessionStore(db), CONFIGS / "tiny.yaml", ["ALPHA", "BETA"], seed=0, auto_close=False)
    port = free_port()
    proc = spawn(port, sessions=[game.session_id], db=db, cwd=ROOT)
    yield request.param, f"http://127.0.0.1:{port}", game, tmp_path_factory.mktemp(f"shots-{request.param}")
    check_server_log(stop(proc), port)


@pytest.mark.browser
def test_seats_talk_are_asked_and_answer_at_both_sizes(browser, table):
    size_name, origin, game, shots = table
    size = SIZES[size_name]
    sid, f = game.session_id, game.facilitator_token
    ta, tb = game.seat_tokens["ALPHA"], game.seat_tokens["BETA"]
    people = []
    try:
        alpha, beta = Person(browser, origin, size), Person(browser, origin, size)
        fac, pub = Person(browser, origin, size), Person(browser, origin, size)
        people += [alpha, beta, fac, pub]
        apage = alpha.open(f"/session/{sid}/seat/ALPHA?token={ta}")
        bpage = beta.open(f"/session/{sid}/seat/BETA?token={tb}")
        fpage = fac.open(f"/session/{sid}/facilitator?token={f}")
        ppage = pub.open(f"/session/{sid}/public")

        # The public screen: no strategy labels, the map grows with the window.
        assert "(coercer)" not in ppage.content() and "coercer" not in ppage.locator("body").inner_text()
        expect(ppage.locator("main")).to_contain_text("Played by the computer: GAMMA")
        map_width = ppage.locator(".hf-screen .hf-view-map svg").bounding_box()["width"]
        assert map_width >= (800 if size[0] >= 1900 else 560), map_width
        assert ppage.evaluate("document.documentElement.scrollWidth") <= size[0]  # no sideways scrolling

        # Messages: ALPHA writes to BETA privately, BETA makes a public statement.
        apage.locator("#hf-message-to").select_option("BETA")
        apage.locator("#hf-message-text").fill("ALPHA to BETA: join me on chips?")
        apage.locator("#hf-message-form button").click()
        expect(apage.locator("#hf-message-form .hf-form-msg")).to_contain_text("Sent to BETA")
        expect(bpage.locator("#hf-message-list")).to_contain_text("ALPHA to BETA: join me on chips?")  # live
        bpage.locator("#hf-message-to").select_option("")
        bpage.locator("#hf-message-text").fill("BETA: we keep markets open")
        bpage.locator("#hf-message-form button").click()
        expect(apage.locator("#hf-message-list")).to_contain_text("BETA: we keep markets open")
        expect(fpage.locator("#hf-message-list")).to_contain_text("ALPHA to BETA: join me on chips?")
        ppage.reload()
        expect(ppage.locator("#hf-statements")).to_contain_text("BETA: we keep markets open")
        assert "join me on chips" not in ppage.content()

        # The facilitator sets a deadline: a countdown on every page.
        fpage.locator("#hf-deadline-seconds").fill("900")
        fpage.locator("#hf-deadline-form button[type=submit]").click()
        expect(fpage.locator("#hf-msg")).to_contain_text("Deadline set")
        for page in (fpage, apage, bpage, ppage):
            expect(page.locator("#hf-clock")).to_contain_text(re.compile(r"closes in 1[45]:\d\d"))

        # BETA proposes a coalition to ALPHA (a human seat) and also stockpiles; ALPHA seals a hold.
        card = bpage.locator('form.hf-action[data-kind="export_control"]')
        card.locator('[data-field="sector"]').select_option("chips")
        card.locator('[data-field="target"]').select_option("GAMMA")
        card.locator('[data-field="coordinated"]').check()
        card.locator('[data-field="partners"] input[value="ALPHA"]').check()
        card.locator("button.hf-add").click()
        expect(bpage.locator("#hf-draft li")).to_have_count(1)
        expect(bpage.locator("#hf-draft li").first).to_contain_text("advanced chips")
        bpage.locator("#hf-submit").click()
        expect(bpage.locator("#hf-msg")).to_contain_text("Sealed 1 order(s) for round 1")
        apage.locator("#hf-hold").click()
        expect(apage.locator("#hf-msg")).to_contain_text("Sealed a hold for round 1")
        expect(fpage.locator('.hf-seat-status[data-seat="ALPHA"]')).to_have_text("submitted")
        expect(fpage.locator("#hf-pending-orders")).to_contain_text("BETA bans exports of leading-edge advanced chips to GAMMA")

        # An inject form with a field left wrong shows its error at the form, not at the top.
        inj = fpage.locator('form.hf-inject[data-kind="embargo"]')
        for field in ("state", "target", "sector", "rounds"):
            expect(inj.locator(f'[data-field="{field}"]')).to_have_count(1)  # every field of the inject
        fac.rec.refusals = (422,)
        inj.locator('[data-field="state"]').select_option("GAMMA")
        inj.locator('[data-field="target"]').select_option("GAMMA")
        inj.locator("button.hf-add").click()
        expect(inj.locator(".hf-form-msg")).to_contain_text("refused")

        # The facilitator writes a note and closes: the seats are asked first.
        fpage.locator("#hf-note-text").fill("Round 1: the chips coalition needs ALPHA.")
        fpage.locator("#hf-note-form button").click()
        expect(fpage.locator("#hf-notes")).to_contain_text("the chips coalition needs ALPHA")
        fpage.locator("#hf-close").click()
        expect(fpage.locator("#hf-msg")).to_contain_text("now asks the seats")
        expect(fpage.locator("#hf-decisions")).to_contain_text("BETA asks ALPHA to join its export controls")
        expect(apage.locator("#hf-pending")).to_contain_text("BETA asks ALPHA to join its export controls")
        expect(apage.locator("#hf-pending")).to_contain_text("GAMMA demands that ALPHA give way")
        expect(bpage.locator('.hf-chip[data-seat="ALPHA"]')).to_have_attribute("data-answering", "true")
        assert "BETA asks ALPHA" not in bpage.locator("body").inner_text()  # ALPHA's question is ALPHA's
        no_raw_json(apage)
        apage.screenshot(path=shots / "seat_asked.png")
        fpage.screenshot(path=shots / "facilitator_asking.png", full_page=True)

        # ALPHA answers on its page: join the coalition, concede to the demand.
        apage.locator('#hf-pending button.hf-accept[data-decision="ALPHA-proposal-BETA-chips-GAMMA"]').click()
        expect(apage.locator("#hf-msg")).to_contain_text("Answered: join")
        apage.locator('#hf-pending button.hf-accept[data-decision="ALPHA-demand-GAMMA-rare_earths"]').click()
        expect(apage.locator("#hf-msg")).to_contain_text("round 1 was adjudicated")

        # Everyone follows: the debrief says what happened in words.
        for page in (apage, bpage, fpage):
            expect(page.locator("#hf-round")).to_contain_text("Round 2 of 10")
            expect(page.locator("#hf-debrief")).to_contain_text("ALPHA joined BETA's controls on advanced chips")
            expect(page.locator("#hf-debrief")).to_contain_text("ALPHA conceded to GAMMA")
            expect(page.locator("#hf-debrief")).to_contain_text("the chips coalition needs ALPHA")
        expect(apage.locator("#hf-narrative")).to_contain_text("Round 1")
        expect(ppage.locator("#hf-round")).to_contain_text("Round 2 of 10")
        expect(ppage.locator("#hf-summary")).to_contain_text("Round 1 in brief")
        expect(ppage.locator("#hf-policies")).to_contain_text("BETA controls advanced chips exports to GAMMA")
        expect(apage.locator("#hf-private")).to_contain_text("Standing stance")
        assert apage.locator('#hf-private abbr.hf-term:has-text("resolve")').get_attribute("title").startswith(
            "How firmly")

        # Round 2: BETA seals two orders, the facilitator voids one with a reason; BETA sees why.
        card = bpage.locator('form.hf-action[data-kind="stockpile"]')
        card.locator('[data-field="sector"]').select_option("rare_earths")
        card.locator('[data-field="amount"]').fill("1.5")
        card.locator("button.hf-add").click()
        card = bpage.locator('form.hf-action[data-kind="subsidy"]')
        card.locator('[data-field="sector"]').select_option("chips")
        card.locator('[data-field="amount"]').fill("2")
        card.locator("button.hf-add").click()
        expect(bpage.locator("#hf-draft li")).to_have_count(2)
        bpage.locator("#hf-submit").click()
        expect(bpage.locator("#hf-msg")).to_contain_text("Sealed 2 order(s) for round 2")
        expect(fpage.locator(".hf-void-form")).to_have_count(2)
        form = fpage.locator('.hf-void-form[data-seat="BETA"][data-order="2"]')
        form.locator(".hf-void-reason").fill("subsidies are frozen by the summit")
        form.locator("button").click()
        expect(fpage.locator("#hf-msg")).to_contain_text("Voided BETA's order")
        bpage.reload()
        expect(bpage.locator(".hf-voided")).to_contain_text("subsidies are frozen by the summit")
        expect(bpage.locator("#hf-sealed-box li")).to_have_count(1)

        for page in (apage, bpage, fpage, ppage):
            no_raw_json(page)
            page.screenshot(path=shots / f"{page.url.split('/')[-1].split('?')[0]}.png")
        assert ppage.evaluate("document.documentElement.scrollWidth") <= size[0]
    finally:
        close_all(people)
