"""The after-action report: one self-contained HTML file (no external URL, charts as
data URIs) with the timeline, the scores against the baseline and the counterfactual."""

from __future__ import annotations

import base64
import re
from html.parser import HTMLParser

import pytest
from conftest import CHROMIUM, CHROMIUM_ARGS, CONFIGS
from test_session_api import play_some

from game.session import SessionStore, create_session, open_session
from game.session.report import build_report, counterfactual


class Refs(HTMLParser):
    """Every URL-bearing attribute and every tag, to prove nothing is fetched."""

    def __init__(self):
        super().__init__()
        self.refs: list[tuple[str, str, str]] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for name, value in attrs:
            if name in ("src", "href", "srcset", "action", "poster", "data"):
                self.refs.append((tag, name, value or ""))


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    db = tmp_path_factory.mktemp("report") / "s.sqlite"
    store = SessionStore(db)
    c = create_session(store, CONFIGS / "tiny.yaml", ["BETA", "GAMMA"], seed=5, rounds=4)
    s = open_session(store, c.session_id)
    s.send_message(c.seat_tokens["BETA"], "BETA to GAMMA: let us keep chips open", to=["GAMMA"])
    s.send_message(c.seat_tokens["GAMMA"], "GAMMA: we stand by free trade")
    s.add_note(c.facilitator_token, "Round 1: the embargo threat was ruled credible.")
    play_some(s, c)
    return s, build_report(s)


def test_the_report_is_self_contained(report):
    _, page = report
    refs = Refs()
    refs.feed(page)
    assert "script" not in refs.tags and "link" not in refs.tags and "iframe" not in refs.tags
    assert refs.refs and all(v.startswith("data:image/png;base64,") for _, _, v in refs.refs)
    # url(#id) inside the inline maps names a marker of the same SVG: nothing is fetched.
    assert not re.search(r"(https?:|ftp:|//[a-z0-9.-]+\.[a-z]{2,}/|url\((?!#))", page, re.IGNORECASE)
    for _, _, v in refs.refs:
        png = base64.b64decode(v.split(",", 1)[1])
        assert png[:8] == b"\x89PNG\r\n\x1a\n" and b"http" not in png


def test_the_report_tells_the_game(report):
    s, page = report
    assert f"Session {s.id}, seed 5, 3 of 4 rounds played" in page
    assert page.count('<div class="round">') == 3
    assert "Inject: GAMMA halts rare earths exports to BETA for 2 round(s)." in page
    assert "BETA paid 3.0bn of R&amp;D subsidies in advanced chips" in page
    assert "score, AI in seats" in page and page.count('<tr class="seat">') == 2
    # Here GAMMA's AI puts broad controls on rare earths to BETA in round 2 itself, so the
    # facilitator's embargo adds nothing: the counterfactual column is zero, and the report says why.
    assert "the counterfactual scores zero for every state" in page
    # The seats come first in the score table; orders read as sentences, never JSON.
    rows = re.findall(r"<tr(?: class=\"seat\")?><td>([A-Z]+)</td>", page)
    assert rows[:2] == ["BETA", "GAMMA"]
    assert "BETA spends $3bn on research in advanced chips." in page and "&quot;kind&quot;" not in page
    # Key moments, a map after every round, messages and notes in the timeline.
    assert "<h2>Key moments</h2>" in page and page.count("<li>Round ") >= 1
    assert page.count("<figcaption>After round") == 3 and page.count("<svg") == 3
    assert "BETA → GAMMA (private): BETA to GAMMA: let us keep chips open" in page
    assert "GAMMA → everyone: GAMMA: we stand by free trade" in page
    assert "Adjudication note: Round 1: the embargo threat was ruled credible." in page
    assert page.count('class="summary"') == 3
    # The counterfactual replays the facilitator's injects with AI in the seats.
    cf = counterfactual(s, 3)
    assert any(e.kind == "inject" for e in cf.datacollector.events) and cf.steps == 3


@pytest.mark.browser
def test_the_report_opens_in_a_browser_offline(report, tmp_path):
    import playwright.sync_api as playwright
    _, page = report
    path = tmp_path / "report.html"
    path.write_text(page)
    requests = []
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        tab = browser.new_page()
        tab.on("request", lambda r: requests.append(r.url))
        tab.goto(path.as_uri())
        widths = tab.eval_on_selector_all("img", "imgs => imgs.map(i => i.complete ? i.naturalWidth : 0)")
        title = tab.title()
        browser.close()
    assert title.startswith("highfence report") and len(widths) == 2 and min(widths) > 100
    assert all(u.startswith(("file:", "data:")) for u in requests), requests
