"""The session pages' only stylesheet and script, served by the app itself
(/_highfence/session.css, /_highfence/session.js): no framework, no CDN, no font.

The script reads the page's token from its own address (never from the page's
HTML), sends it to the JSON API in an Authorization header, and polls the
public status every POLL_MS to follow the round: a page reloads when a round is
adjudicated or the session is paused, unpaused or ended (a seat with an
unsealed draft gets a banner instead, so no typing is lost).
"""

from __future__ import annotations

POLL_MS = 1500

CSS = """
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.4 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; color: #222;
       background: #f6f7f9; }
.hf-bar { display: flex; flex-wrap: wrap; align-items: center; gap: 10px 18px; padding: 10px 16px;
          background: #fff; border-bottom: 1px solid #dde1e6; position: sticky; top: 0; z-index: 5; }
.hf-title { font-size: 20px; font-weight: 700; }
.hf-heading { font-size: 16px; }
.hf-round { font-size: 16px; font-weight: 600; padding: 2px 10px; border-radius: 6px; background: #eef3fa; }
.hf-badge { padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600; color: #fff; background: #2e7d32; }
.hf-badge-paused { background: #b26a00; }
.hf-badge-ended { background: #555; }
.hf-chips { display: flex; gap: 6px; flex-wrap: wrap; }
.hf-chip { padding: 1px 8px; border-radius: 10px; font-size: 12px; border: 1px solid #c9ced6; background: #fff; }
.hf-chip[data-submitted="true"] { background: #e3f4e6; border-color: #8cc596; }
.hf-chip-me { font-weight: 700; }
.hf-banner { padding: 8px 16px; background: #fff4d6; border-bottom: 1px solid #e8d39a; }
.hf-main { padding: 12px 16px 40px 16px; max-width: 1500px; }
.hf-section { background: #fff; border: 1px solid #e2e2e2; border-radius: 6px; padding: 10px 14px; margin: 0 0 12px 0; }
.hf-section h2 { font-size: 17px; margin: 2px 0 8px 0; }
.hf-section h3 { font-size: 14px; margin: 10px 0 4px 0; }
details.hf-section > summary { font-weight: 600; cursor: pointer; }
.hf-row { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; margin: 6px 0; }
.hf-two { display: flex; flex-wrap: wrap; gap: 24px; }
.hf-quiet { color: #666; }
.hf-error, .hf-msg.hf-bad { color: #b00020; font-weight: 600; white-space: pre-wrap; }
.hf-msg { min-height: 1.4em; margin: 6px 0 0 0; white-space: pre-wrap; }
.hf-msg.hf-good { color: #1b5e20; }
.hf-notice { padding: 6px 10px; background: #fff4d6; border-radius: 4px; }
.hf-secret { font-size: 11px; color: #fff; background: #7b3fa0; border-radius: 3px; padding: 1px 5px; vertical-align: middle; }
button { font: inherit; padding: 5px 12px; border-radius: 4px; border: 1px solid #9aa4b1; background: #fff; cursor: pointer; }
button:disabled { opacity: .45; cursor: default; }
button.hf-primary { background: #2f6db5; border-color: #2f6db5; color: #fff; }
button.hf-danger { border-color: #b00020; color: #b00020; }
code { font-size: 12px; background: #f2f3f5; padding: 0 3px; border-radius: 3px; }
.hf-table { border-collapse: collapse; margin: 4px 0 8px 0; }
.hf-table th, .hf-table td { padding: 2px 10px; border-bottom: 1px solid #ececec; text-align: right; vertical-align: top; }
.hf-table th:first-child, .hf-table td:first-child { text-align: left; }
.hf-round-orders td, .hf-seat-table td, .hf-round-orders th, .hf-seat-table th { text-align: left; }
.hf-layout { display: grid; grid-template-columns: minmax(300px, 400px) minmax(0, 1fr); gap: 12px; align-items: start; }
.hf-side { position: sticky; top: 62px; max-height: calc(100vh - 74px); overflow-y: auto; }
.hf-side code, .hf-draft code { word-break: break-word; }
@media (max-width: 900px) { .hf-layout { grid-template-columns: 1fr; } .hf-side { position: static; max-height: none; } }
.hf-cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(300px, 1fr)); gap: 10px; }
.hf-card { border: 1px solid #d8dde3; border-radius: 6px; padding: 8px 10px; background: #fbfcfd; }
.hf-card h3 { margin: 0 0 4px 0; font-size: 14px; }
.hf-kind { font-weight: 400; color: #666; }
.hf-help { margin: 0 0 6px 0; color: #444; font-size: 13px; }
.hf-effect { margin: 6px 0; color: #2f5d2f; font-size: 12px; }
.hf-fields { display: flex; flex-wrap: wrap; gap: 4px 12px; }
.hf-field { display: inline-flex; flex-direction: column; font-size: 12px; color: #444; }
.hf-field.hf-inline { flex-direction: row; align-items: center; gap: 6px; font-size: 14px; }
.hf-field input[type=number] { width: 90px; }
.hf-list { display: flex; flex-wrap: wrap; gap: 2px 8px; }
.hf-check { font-size: 12px; }
.hf-draft li { margin: 3px 0; }
.hf-draft .hf-effect { display: block; margin: 0; }
.hf-json textarea { width: 100%; font: 12px ui-monospace, monospace; }
.hf-unavailable { color: #666; }
.hf-top { display: flex; gap: 12px; flex-wrap: wrap; align-items: flex-start; margin-bottom: 10px; }
.hf-panel { background: #fff; border: 1px solid #e2e2e2; border-radius: 6px; padding: 6px; }
.hf-view-log { flex: 1; min-width: 340px; max-width: 720px; }
.hf-grid { display: grid; grid-template-columns: repeat(auto-fill, 456px); gap: 10px; }
.hf-log { max-height: 460px; overflow-y: auto; }
.hf-log-head { font-weight: 600; margin-bottom: 6px; }
.hf-log ul, ul.hf-events { list-style: none; padding-left: 0; margin: 0; }
.hf-log li, ul.hf-events li { padding: 3px 0; border-bottom: 1px solid #f0f0f0; line-height: 1.35; }
.hf-tag { display: inline-block; min-width: 64px; text-align: center; color: #fff; font-size: 11px;
          border-radius: 3px; padding: 0 4px; margin-right: 4px; }
"""

JS = r"""
(function () {
  "use strict";
  var body = document.body;
  var kind = body.dataset.page;
  var sid = body.dataset.session;
  if (!sid) { return; }
  var token = new URLSearchParams(window.location.search).get("token") || "";
  var seat = body.dataset.seat || "";
  var draft = [];
  var effects = [];
  var FLASH = "highfence-flash-" + sid + "-" + kind + "-" + seat;

  function $(sel) { return document.querySelector(sel); }
  function $all(sel) { return Array.prototype.slice.call(document.querySelectorAll(sel)); }

  function api(path, method, payload) {
    var headers = { "Accept": "application/json" };
    if (token) { headers["Authorization"] = "Bearer " + token; }
    var init = { method: method || "GET", headers: headers, cache: "no-store", credentials: "omit" };
    if (payload !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(payload);
    }
    return fetch("/api/session/" + encodeURIComponent(sid) + path, init).then(function (r) {
      return r.json().catch(function () { return { error: r.status + " " + r.statusText }; }).then(function (data) {
        if (!r.ok) {
          var err = new Error(data.error || (r.status + " " + r.statusText));
          err.status = r.status;
          throw err;
        }
        return data;
      });
    });
  }

  function say(text, good) {
    var el = $("#hf-msg");
    if (!el) { return; }
    el.textContent = text;
    el.className = "hf-msg " + (good ? "hf-good" : "hf-bad");
  }

  function flashThenReload(text) {
    try { window.sessionStorage.setItem(FLASH, text); } catch (e) { /* private mode */ }
    window.location.reload();
  }

  function showFlash() {
    var text = null;
    try {
      text = window.sessionStorage.getItem(FLASH);
      window.sessionStorage.removeItem(FLASH);
    } catch (e) { text = null; }
    if (text) { say(text, true); }
  }

  // -- forms -> JSON --------------------------------------------------------------
  function readForm(form) {
    var out = { kind: form.dataset.kind };
    Array.prototype.slice.call(form.querySelectorAll("[data-field]")).forEach(function (el) {
      var name = el.dataset.field, type = el.dataset.type;
      if (type === "list") {
        out[name] = Array.prototype.slice.call(el.querySelectorAll("input:checked")).map(function (i) { return i.value; });
        return;
      }
      if (type === "bool") { out[name] = el.checked; return; }
      var v = el.value;
      if (v === "") { return; }  // the default applies (or the server names the missing field)
      if (type === "integer" || type === "number") {
        var n = Number(v);
        out[name] = isNaN(n) ? v : n;
        return;
      }
      out[name] = v;
    });
    return out;
  }

  // -- status polling -------------------------------------------------------------
  function updateChips(st) {
    st.seats.forEach(function (s) {
      $all('.hf-chip[data-seat="' + s.state + '"]').forEach(function (chip) {
        chip.dataset.submitted = s.submitted ? "true" : "false";
        var label = chip.querySelector(".hf-chip-state");
        if (label) { label.textContent = s.submitted ? "submitted" : "waiting"; }
      });
      $all('.hf-seat-status[data-seat="' + s.state + '"]').forEach(function (cell) {
        cell.textContent = s.submitted ? "submitted" : "waiting";
      });
    });
  }

  function changed(st) {
    return String(st.adjudicated) !== body.dataset.adjudicated || st.status !== body.dataset.status;
  }

  function onChange(st) {
    if (kind === "public") { refreshWorld(st); return; }
    if (kind === "seat" && draft.length) {
      var banner = $("#hf-banner");
      banner.hidden = false;
      banner.textContent = "";
      banner.appendChild(document.createTextNode(
        st.status !== body.dataset.status ? "The session is now " + st.status + ". " :
        "Round " + st.adjudicated + " has been adjudicated: your unsealed draft was not submitted. "));
      var b = document.createElement("button");
      b.textContent = "Load the new briefing";
      b.addEventListener("click", function () { window.location.reload(); });
      banner.appendChild(b);
      body.dataset.adjudicated = String(st.adjudicated);
      body.dataset.status = st.status;
      return;
    }
    window.location.reload();
  }

  function codeList(items, tag) {
    var list = document.createElement(tag);
    items.forEach(function (a) {
      var li = document.createElement("li");
      var code = document.createElement("code");
      code.textContent = JSON.stringify(a);
      li.appendChild(code);
      list.appendChild(li);
    });
    return list;
  }

  function quiet(text, cls) {
    var p = document.createElement("p");
    p.className = "hf-quiet" + (cls ? " " + cls : "");
    p.textContent = text;
    return p;
  }

  // The facilitator's view of what is sealed and injected this round, kept current.
  function refreshPending() {
    return api("/briefing").then(function (b) {
      var box = $("#hf-pending-body");
      var seats = Object.keys(b.pending_orders || {});
      box.textContent = "";
      if (!seats.length) { box.appendChild(quiet("None sealed yet.")); }
      seats.forEach(function (s) {
        var h = document.createElement("h3");
        h.textContent = s;
        box.appendChild(h);
        var acts = b.pending_orders[s];
        box.appendChild(acts.length ? codeList(acts, "ol") : quiet("hold"));
      });
      var inj = $("#hf-injects-body");
      inj.textContent = "";
      inj.appendChild((b.pending_injects || []).length ? codeList(b.pending_injects, "ol")
                                                       : quiet("No inject for this round yet."));
      inj.firstChild.classList.add("hf-pending-injects");
    });
  }

  function poll() {
    api("/status").then(function (st) {
      updateChips(st);
      if (changed(st)) { onChange(st); return; }
      if (kind === "facilitator") { return refreshPending(); }
    }).catch(function () { /* server restarting: try again next time */ });
  }

  // -- the public screen ----------------------------------------------------------
  function refreshWorld(st) {
    var sector = $("#hf-sector") ? $("#hf-sector").value : "";
    fetch("/api/session/" + encodeURIComponent(sid) + "/world?sector=" + encodeURIComponent(sector),
          { cache: "no-store", credentials: "omit" })
      .then(function (r) { if (!r.ok) { throw new Error(r.statusText); } return r.json(); })
      .then(function (data) {
        $("#hf-world").innerHTML = data.world;  // server-rendered, escaped SVG and HTML
        $("#hf-policies-list").innerHTML = data.policies;
        $("#hf-round").innerHTML = data.round_html;
        var badge = $("#hf-state");
        badge.textContent = data.status.status;
        badge.className = "hf-badge hf-badge-" + data.status.status;
        updateChips(data.status);
        body.dataset.adjudicated = String(data.status.adjudicated);
        body.dataset.status = data.status.status;
      }).catch(function () { /* next poll */ });
  }

  // -- a seat's draft ---------------------------------------------------------------
  function renderDraft() {
    var list = $("#hf-draft");
    if (!list) { return; }
    list.textContent = "";
    draft.forEach(function (a, k) {
      var li = document.createElement("li");
      var code = document.createElement("code");
      code.textContent = JSON.stringify(a);
      li.appendChild(code);
      var rm = document.createElement("button");
      rm.type = "button";
      rm.className = "hf-remove";
      rm.textContent = "remove";
      rm.addEventListener("click", function () { removeAt(k); });
      li.appendChild(document.createTextNode(" "));
      li.appendChild(rm);
      if (effects[k]) {
        var eff = document.createElement("span");
        eff.className = "hf-effect";
        eff.textContent = "→ " + effects[k];
        li.appendChild(eff);
      }
      list.appendChild(li);
    });
    $("#hf-draft-empty").hidden = draft.length > 0;
  }

  function tryDraft(candidate, what) {
    return api("/seat/" + encodeURIComponent(seat) + "/preview", "POST", { actions: candidate })
      .then(function (r) {
        draft = candidate;
        effects = r.effects;
        renderDraft();
        if (what) { say(what + ": " + effects[effects.length - 1], true); }
      })
      .catch(function (e) { say(e.message, false); });
  }

  function removeAt(k) {
    var candidate = draft.slice(0, k).concat(draft.slice(k + 1));
    if (!candidate.length) { draft = []; effects = []; renderDraft(); say("", true); return; }
    tryDraft(candidate, null);
  }

  function seal(actions) {
    var round = Number(body.dataset.round);
    return api("/seat/" + encodeURIComponent(seat) + "/orders", "POST", { actions: actions, round: round })
      .then(function (ack) {
        var text = actions.length ? "Sealed " + actions.length + " order(s) for round " + ack.round + "."
                                  : "Sealed a hold for round " + ack.round + ".";
        if (ack.adjudicated) { text += " Every seat has submitted: round " + ack.round + " was adjudicated."; }
        draft = [];
        flashThenReload(text);
      })
      .catch(function (e) { say(e.message, false); });
  }

  function setUpSeat() {
    $all("form.hf-action").forEach(function (form) {
      form.addEventListener("submit", function (ev) {
        ev.preventDefault();
        tryDraft(draft.concat([readForm(form)]), "Added");
      });
    });
    var jf = $("#hf-json-form");
    if (jf) {
      jf.addEventListener("submit", function (ev) {
        ev.preventDefault();
        var parsed;
        try { parsed = JSON.parse($("#hf-json").value); }
        catch (e) { say("Not valid JSON: " + e.message, false); return; }
        tryDraft(draft.concat(Array.isArray(parsed) ? parsed : [parsed]), "Added");
      });
    }
    var submit = $("#hf-submit");
    if (submit) {
      submit.addEventListener("click", function () {
        if (!draft.length) { say("The draft is empty: add actions, or seal a hold.", false); return; }
        seal(draft);
      });
    }
    var hold = $("#hf-hold");
    if (hold) { hold.addEventListener("click", function () { seal([]); }); }
    var clear = $("#hf-clear");
    if (clear) { clear.addEventListener("click", function () { draft = []; effects = []; renderDraft(); say("", true); }); }
    renderDraft();
  }

  // -- the facilitator --------------------------------------------------------------
  function facilitatorAction(path, payload, done) {
    return api(path, "POST", payload).then(function (r) { flashThenReload(done(r)); })
      .catch(function (e) { say(e.message, false); });
  }

  function setUpFacilitator() {
    var round = Number(body.dataset.round);
    var on = function (id, f) { var el = $(id); if (el) { el.addEventListener("click", f); } };
    on("#hf-close", function () {
      facilitatorAction("/close-round", { round: round }, function (r) {
        return "Round " + r.round + " adjudicated: " + r.events.length + " event(s)." + (r.ended ? " That was the last round." : "");
      });
    });
    on("#hf-pause", function () { facilitatorAction("/pause", {}, function () { return "Paused."; }); });
    on("#hf-unpause", function () { facilitatorAction("/unpause", {}, function () { return "Play goes on."; }); });
    on("#hf-end", function () {
      if (!window.confirm("End the game now? No more rounds can be played.")) { return; }
      facilitatorAction("/end", {}, function () { return "The game has ended."; });
    });
    $all("form.hf-inject").forEach(function (form) {
      form.addEventListener("submit", function (ev) {
        ev.preventDefault();
        facilitatorAction("/injects", { inject: readForm(form), round: round }, function (r) {
          return "Inject added to round " + r.round + ": " + r.effect;
        });
      });
    });
    var linksForm = $("#hf-links-form");
    if (linksForm) { linksForm.addEventListener("submit", function (ev) { ev.preventDefault(); }); }
    $all(".hf-token-input").forEach(function (input) {
      input.addEventListener("input", function () {
        var s = input.dataset.seat;
        var link = $('.hf-seat-link[data-seat="' + s + '"]');
        var t = input.value.trim();
        if (!t) { link.hidden = true; return; }
        link.href = window.location.origin + "/session/" + encodeURIComponent(sid) + "/seat/" +
                    encodeURIComponent(s) + "?token=" + encodeURIComponent(t);
        link.textContent = link.href;
        link.hidden = false;
      });
    });
  }

  // -- start ----------------------------------------------------------------------
  if (kind === "public") {
    var picker = $("#hf-sector");
    if (picker) { picker.addEventListener("change", function () { refreshWorld(null); }); }
  } else if (kind === "seat") {
    setUpSeat();
  } else if (kind === "facilitator") {
    setUpFacilitator();
  }
  showFlash();
  if (kind !== "error") { window.setInterval(poll, POLL_MS); }
})();
""".replace("POLL_MS", str(POLL_MS))
