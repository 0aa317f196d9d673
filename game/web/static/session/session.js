// The tabletop session pages' one script (game/web/templates/session/*.html).
// Reads its token from the address bar and sends it as a Bearer header; never
// writes a token into the page. Shows the server's words, never raw JSON.
(function () {
  "use strict";
  var POLL_MS = 1500;
  var body = document.body;
  var kind = body.dataset.page;
  var sid = body.dataset.session;
  if (!sid) { return; }
  var token = new URLSearchParams(window.location.search).get("token") || "";
  var seat = body.dataset.seat || "";
  var draft = [];
  var effects = [];
  var FLASH = "highfence-flash-" + sid + "-" + kind + "-" + seat;
  var seatQuery = seat ? "?seat=" + encodeURIComponent(seat) : "";

  function $(sel, root) { return (root || document).querySelector(sel); }
  function $all(sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); }

  function api(path, method, payload) {
    if (method === "POST") { acting += 1; }
    var done = function () { if (method === "POST") { acting -= 1; } };
    var headers = { "Accept": "application/json" };
    if (token) { headers["Authorization"] = "Bearer " + token; }
    var init = { method: method || "GET", headers: headers, cache: "no-store", credentials: "omit" };
    if (payload !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(payload);
    }
    return fetch("/api/session/" + encodeURIComponent(sid) + path, init).then(function (r) {
      return r.json().catch(function () { return { error: r.status + " " + r.statusText }; }).then(function (data) {
        done();
        if (!r.ok) {
          var err = new Error(data.error || (r.status + " " + r.statusText));
          err.status = r.status;
          throw err;
        }
        return data;
      });
    }, function (e) { done(); throw e; });
  }

  function sayIn(el, text, good) {
    if (!el) { return; }
    el.textContent = text;
    el.className = el.className.replace(/ ?hf-(good|bad)/g, "") + (text ? (good ? " hf-good" : " hf-bad") : "");
  }

  function say(text, good) { sayIn($("#hf-msg"), text, good); }

  // A request of this page in flight, or a reload under way: the poll keeps out of the way,
  // so the page reloads once, with the answer to what the person did.
  var acting = 0;
  var reloading = false;

  function flashThenReload(text) {
    reloading = true;
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

  // -- forms -> order/inject objects ----------------------------------------------------
  function readForm(form) {
    var out = { kind: form.dataset.kind };
    $all("[data-field]", form).forEach(function (el) {
      var name = el.dataset.field, type = el.dataset.type;
      if (type === "list") {
        out[name] = $all("input:checked", el).map(function (i) { return i.value; });
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

  // -- the clock, the chips, polling ------------------------------------------------------
  var secondsLeft = null;
  function showClock() {
    var el = $("#hf-clock");
    if (!el) { return; }
    if (secondsLeft === null) { el.hidden = true; return; }
    var s = Math.max(0, Math.floor(secondsLeft));
    el.hidden = false;
    el.textContent = "closes in " + Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
    el.classList.toggle("hf-clock-late", s <= 30);
  }
  (function () {
    var el = $("#hf-clock");
    if (el && el.dataset.seconds !== undefined) { secondsLeft = Number(el.dataset.seconds); }
  })();
  window.setInterval(function () {
    if (secondsLeft !== null && body.dataset.status === "open") { secondsLeft = Math.max(0, secondsLeft - 1); }
    showClock();
  }, 1000);

  function seatWord(s) { return s.answering ? "answering" : (s.submitted ? "submitted" : "waiting"); }

  function updateChips(st) {
    st.seats.forEach(function (s) {
      $all('.hf-chip[data-seat="' + s.state + '"]').forEach(function (chip) {
        chip.dataset.submitted = s.submitted ? "true" : "false";
        chip.dataset.answering = s.answering ? "true" : "false";
        var label = $(".hf-chip-state", chip);
        if (label) { label.textContent = seatWord(s); }
      });
      $all('.hf-seat-status[data-seat="' + s.state + '"]').forEach(function (cell) { cell.textContent = seatWord(s); });
    });
    secondsLeft = (st.seconds_left === null || st.seconds_left === undefined) ? null : st.seconds_left;
    showClock();
  }

  function signature(st) {
    return st.seats.map(function (s) { return s.state + ":" + seatWord(s); }).join(",");
  }
  var firstSignature = body.dataset.signature || null;

  function changed(st) {
    return String(st.adjudicated) !== body.dataset.adjudicated || st.status !== body.dataset.status ||
      (st.phase || "") !== (body.dataset.phase || "");
  }

  function busy() {
    // Someone typing or holding a draft: never reload under them.
    if (draft.length) { return true; }
    var a = document.activeElement;
    if (a && (a.tagName === "TEXTAREA" || (a.tagName === "INPUT" && a.type !== "checkbox"))) { return true; }
    return $all("textarea, input.hf-void-reason").some(function (t) { return t.value.trim() !== ""; });
  }

  function offerReload(text) {
    var banner = $("#hf-banner");
    if (!banner) { return; }
    banner.hidden = false;
    banner.textContent = "";
    banner.appendChild(document.createTextNode(text + " "));
    var b = document.createElement("button");
    b.textContent = "Load the new page";
    b.addEventListener("click", function () { window.location.reload(); });
    banner.appendChild(b);
  }

  function onChange(st) {
    if (kind === "public") { refreshWorld(); return; }
    var text = st.status !== body.dataset.status ? "The session is now " + st.status + "." :
      (String(st.adjudicated) !== body.dataset.adjudicated ? "Round " + st.adjudicated + " has been adjudicated." :
        "Orders are sealed: the round now asks the seats.");
    if (busy()) {
      offerReload(text + (draft.length ? " Your unsealed draft was not submitted." : ""));
      body.dataset.adjudicated = String(st.adjudicated);
      body.dataset.status = st.status;
      body.dataset.phase = st.phase || "";
      return;
    }
    flashThenReload(text);
  }

  function poll() {
    if (acting || reloading) { return; }
    api("/status").then(function (st) {
      if (acting || reloading) { return; }
      updateChips(st);
      if (changed(st)) { onChange(st); return; }
      var sig = signature(st);
      if (firstSignature === null) { firstSignature = sig; }
      if (kind === "facilitator" && sig !== firstSignature) {
        firstSignature = sig;
        if (busy()) { offerReload("A seat has sealed orders or answered."); } else { reloading = true; window.location.reload(); }
        return;
      }
      if (kind === "seat" || kind === "facilitator") { refreshMessages(); }
    }).catch(function () { /* server restarting: try again next time */ });
  }

  // -- messages -----------------------------------------------------------------------
  function renderMessages(list) {
    var box = $("#hf-message-list");
    if (!box) { return; }
    if (String(list.length) === box.dataset.count) { return; }
    box.dataset.count = String(list.length);
    box.textContent = "";
    if (!list.length) {
      var none = document.createElement("li");
      none.className = "hf-quiet hf-none";
      none.textContent = "No messages yet.";
      box.appendChild(none);
    }
    list.forEach(function (m) {
      var li = document.createElement("li");
      li.className = "hf-message" + (m.public ? " hf-public-msg" : "");
      li.dataset.seq = String(m.seq);
      var head = document.createElement("span");
      head.className = "hf-msg-head";
      head.textContent = "round " + m.round + " · " + m.from + " → " + (m.public ? "everyone" : m.to.join(", "));
      li.appendChild(head);
      li.appendChild(document.createTextNode(" " + m.text));
      box.appendChild(li);
    });
  }

  function refreshMessages() {
    if (!$("#hf-message-list")) { return; }
    api("/messages" + seatQuery).then(renderMessages).catch(function () { /* next poll */ });
  }

  function setUpMessages() {
    var box = $("#hf-message-list");
    if (box) { box.dataset.count = String($all("li.hf-message", box).length); }
    var form = $("#hf-message-form");
    if (!form) { return; }
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var to = $("#hf-message-to").value;
      var text = $("#hf-message-text").value;
      var msg = $(".hf-form-msg", form);
      api("/messages" + seatQuery, "POST", { text: text, to: to ? [to] : [] }).then(function (m) {
        $("#hf-message-text").value = "";
        sayIn(msg, "Sent to " + (m.public ? "everyone" : m.to.join(", ")) + ".", true);
        refreshMessages();
      }).catch(function (e) { sayIn(msg, e.message, false); });
    });
  }

  // -- the public screen ----------------------------------------------------------------
  function refreshWorld() {
    var sector = $("#hf-sector") ? $("#hf-sector").value : "";
    fetch("/api/session/" + encodeURIComponent(sid) + "/world?sector=" + encodeURIComponent(sector),
          { cache: "no-store", credentials: "omit" })
      .then(function (r) { if (!r.ok) { throw new Error(r.statusText); } return r.json(); })
      .then(function (data) {
        $("#hf-world").innerHTML = data.world;  // server-rendered from autoescaped templates
        $("#hf-round").innerHTML = data.round_html;
        var badge = $("#hf-state");
        badge.textContent = data.status.status;
        badge.className = "hf-badge hf-badge-" + data.status.status;
        var phase = $("#hf-phase");
        if (phase) {
          phase.textContent = data.status.status === "ended" ? "" :
            (data.status.phase === "answers" ? "seats are answering" : "orders open");
        }
        updateChips(data.status);
        body.dataset.adjudicated = String(data.status.adjudicated);
        body.dataset.status = data.status.status;
        body.dataset.phase = data.status.phase || "";
      }).catch(function () { /* next poll */ });
  }

  // -- a seat's draft and answers -----------------------------------------------------------
  function renderDraft() {
    var list = $("#hf-draft");
    if (!list) { return; }
    list.textContent = "";
    draft.forEach(function (a, k) {
      var li = document.createElement("li");
      li.appendChild(document.createTextNode(effects[k] || a.kind));
      var rm = document.createElement("button");
      rm.type = "button";
      rm.className = "hf-remove";
      rm.textContent = "remove";
      rm.addEventListener("click", function () { removeAt(k); });
      li.appendChild(document.createTextNode(" "));
      li.appendChild(rm);
      list.appendChild(li);
    });
    $("#hf-draft-empty").hidden = draft.length > 0;
  }

  function tryDraft(candidate, form) {
    var where = form ? $(".hf-form-msg", form) : null;
    return api("/seat/" + encodeURIComponent(seat) + "/preview", "POST", { actions: candidate })
      .then(function (r) {
        draft = candidate;
        effects = r.effects;
        renderDraft();
        if (form) {
          sayIn(where, "Added to the draft.", true);
          say("Added: " + effects[effects.length - 1], true);
        }
      })
      .catch(function (e) { if (where) { sayIn(where, e.message, false); } else { say(e.message, false); } });
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
        if (ack.asking) { text += " Every seat has submitted: the round now asks the seats."; }
        draft = [];
        flashThenReload(text);
      })
      .catch(function (e) { say(e.message, false); });
  }

  function setUpSeat() {
    $all("form.hf-action").forEach(function (form) {
      form.addEventListener("submit", function (ev) {
        ev.preventDefault();
        tryDraft(draft.concat([readForm(form)]), form);
      });
    });
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
    $all("#hf-pending button[data-decision]").forEach(function (b) {
      b.addEventListener("click", function () {
        var accept = b.dataset.accept === "true";
        api("/seat/" + encodeURIComponent(seat) + "/answer", "POST", { decision: b.dataset.decision, accept: accept })
          .then(function (ack) {
            var text = "Answered: " + ack.answer + ".";
            if (ack.adjudicated) { text += " Every question is answered: round " + ack.round + " was adjudicated."; }
            flashThenReload(text);
          })
          .catch(function (e) { sayIn($("#hf-answer-msg"), e.message, false); });
      });
    });
    renderDraft();
  }

  // -- the facilitator ----------------------------------------------------------------
  function facilitatorAction(path, payload, done, where) {
    return api(path, "POST", payload).then(function (r) { flashThenReload(done(r)); })
      .catch(function (e) { if (where) { sayIn(where, e.message, false); } else { say(e.message, false); } });
  }

  function setUpFacilitator() {
    var round = Number(body.dataset.round);
    var on = function (id, f) { var el = $(id); if (el) { el.addEventListener("click", f); } };
    on("#hf-close", function () {
      facilitatorAction("/close-round", { round: round }, function (r) {
        if (r.phase === "answers") { return "Orders are sealed: round " + r.round + " now asks the seats (" + r.pending.length + " question(s))."; }
        return "Round " + r.round + " adjudicated: " + r.events.length + " event(s)." + (r.ended ? " That was the last round." : "");
      });
    });
    on("#hf-pause", function () { facilitatorAction("/pause", {}, function () { return "Paused."; }); });
    on("#hf-unpause", function () { facilitatorAction("/unpause", {}, function () { return "Play goes on."; }); });
    on("#hf-end", function () {
      if (!window.confirm("End the game now? No more rounds can be played.")) { return; }
      facilitatorAction("/end", {}, function () { return "The game has ended."; });
    });
    var dl = $("#hf-deadline-form");
    if (dl) {
      dl.addEventListener("submit", function (ev) {
        ev.preventDefault();
        var n = Number($("#hf-deadline-seconds").value);
        facilitatorAction("/deadline", { seconds: n, every_round: $("#hf-deadline-every").checked },
          function () { return "Deadline set: the round closes in " + n + " s."; }, $(".hf-form-msg", dl));
      });
      on("#hf-deadline-clear", function () {
        facilitatorAction("/deadline", { seconds: null, every_round: $("#hf-deadline-every").checked },
          function () { return "No deadline: the round closes when you close it."; }, $(".hf-form-msg", dl));
      });
    }
    $all("form.hf-inject").forEach(function (form) {
      form.addEventListener("submit", function (ev) {
        ev.preventDefault();
        facilitatorAction("/injects", { inject: readForm(form), round: round }, function (r) {
          return "Inject added to round " + r.round + ": " + r.effect;
        }, $(".hf-form-msg", form));
      });
    });
    $all("form.hf-void-form").forEach(function (form) {
      form.addEventListener("submit", function (ev) {
        ev.preventDefault();
        facilitatorAction("/void", { seat: form.dataset.seat, order: Number(form.dataset.order),
                                     reason: $(".hf-void-reason", form).value },
          function (r) { return "Voided " + r.seat + "'s order. The seat sees the reason."; }, $(".hf-form-msg", form));
      });
    });
    var nf = $("#hf-note-form");
    if (nf) {
      nf.addEventListener("submit", function (ev) {
        ev.preventDefault();
        facilitatorAction("/notes", { text: $("#hf-note-text").value },
          function (r) { return "Note added to round " + r.round + "."; }, $(".hf-form-msg", nf));
      });
    }
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

  // -- start ------------------------------------------------------------------------
  if (kind === "public") {
    var picker = $("#hf-sector");
    if (picker) { picker.addEventListener("change", function () { refreshWorld(); }); }
  } else if (kind === "seat") {
    setUpSeat();
  } else if (kind === "facilitator") {
    setUpFacilitator();
  }
  setUpMessages();
  showFlash();
  showClock();
  if (kind !== "error") { window.setInterval(poll, POLL_MS); }
})();
