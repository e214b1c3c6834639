// The score sheet on a judge's tablet.
//
// Every tap becomes a change {key, criterion_id|comment, value, changed_at,
// device}. Changes go into a queue kept in localStorage first, then are sent
// one by one, in order. The server applies each key once, so resending after a
// lost answer is safe. Without a connection the queue simply waits (the page
// itself comes from the service worker's cache) and is sent when the
// connection returns. A snapshot of confirmed values is kept too, so a page
// reloaded from the cache shows what the server already has.
(function () {
  "use strict";
  var form = document.getElementById("score-form");
  var data = JSON.parse(form.dataset.sheet);
  var statusEl = document.getElementById("sync-status");
  var submitBtn = document.getElementById("submit-sheet");
  var reasonField = document.getElementById("reason-field");
  var reasonInput = document.getElementById("amend-reason");
  var submittedNote = document.getElementById("submitted-note");
  var comment = document.getElementById("comment");
  var QUEUE = "judge-queue";
  var SNAP = "judge-sheet-" + data.round + "-" + data.entry;
  var csrf = data.csrf;
  var sending = false;
  var retryTimer = null;
  var editable = data.round_state === "open";

  function load(key, fallback) {
    try { return JSON.parse(localStorage.getItem(key) || "null") || fallback; } catch (e) { return fallback; }
  }
  function store(key, value) {
    try { localStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* full: the queue stays in memory */ }
  }
  function device() {
    var id = localStorage.getItem("judge-device");
    if (!id) { id = "d-" + randomKey().slice(0, 12); localStorage.setItem("judge-device", id); }
    return id;
  }
  function randomKey() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var a = new Uint8Array(16); crypto.getRandomValues(a);
    return Array.prototype.map.call(a, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  // What the server is known to hold: the page's copy, or a newer snapshot.
  var state = data.state;
  var snap = load(SNAP, null);
  if (snap && snap.at > data.rendered_at) { state = snap.state; }
  function saveSnapshot() { store(SNAP, {at: new Date().toISOString(), state: state}); }
  if (!snap || snap.at <= data.rendered_at) { saveSnapshot(); }

  // The values shown: confirmed state, then this sheet's queued changes on top.
  function shownValues() {
    var values = {scores: Object.assign({}, state.scores), comment: state.comment};
    load(QUEUE, []).forEach(function (item) {
      if (item.sheet !== SNAP) { return; }
      if (item.body.criterion_id !== undefined && item.body.criterion_id !== null) {
        values.scores[String(item.body.criterion_id)] = item.body.value;
      } else { values.comment = item.body.comment; }
    });
    return values;
  }

  function render() {
    var values = shownValues();
    Array.prototype.forEach.call(form.querySelectorAll(".criterion"), function (fs) {
      var value = values.scores[fs.dataset.criterion];
      var has = value !== null && value !== undefined && value !== "";
      Array.prototype.forEach.call(fs.querySelectorAll(".segment"), function (b) {
        b.setAttribute("aria-checked", has && Number(b.dataset.value) === Number(value) ? "true" : "false");
        b.disabled = !editable;
      });
      var input = fs.querySelector(".stepper__value");
      if (input && document.activeElement !== input) { input.value = has ? String(Number(value)) : ""; }
      Array.prototype.forEach.call(fs.querySelectorAll(".stepper__btn, .stepper__value"), function (el) { el.disabled = !editable; });
      var missing = fs.querySelector(".criterion__missing");
      var show = !has && fs.dataset.required === "true";
      missing.textContent = show ? missing.dataset.missingText : "";
      fs.classList.toggle("criterion--missing", show);
    });
    if (document.activeElement !== comment) { comment.value = values.comment || ""; }
    comment.disabled = !editable;
    submitBtn.disabled = !editable;
    var submitted = !!state.submitted_at;
    reasonField.hidden = !(submitted && editable);
    submittedNote.hidden = !submitted;
    showStatus();
  }

  function pendingCount() { return load(QUEUE, []).length; }

  function showStatus(message) {
    var n = pendingCount();
    if (message) { statusEl.textContent = message; statusEl.dataset.state = "error"; return; }
    if (n === 0) { statusEl.textContent = data.text.saved; statusEl.dataset.state = "saved"; return; }
    var template = navigator.onLine ? data.text.waiting_online : data.text.waiting;
    statusEl.textContent = template.replace("{n}", String(n));
    statusEl.dataset.state = navigator.onLine ? "saving" : "offline";
  }

  function enqueue(body) {
    if (!editable) { return; }
    if (state.submitted_at) {
      var reason = reasonInput.value.trim();
      if (!reason) { showStatus(data.text.reason); reasonInput.focus(); render(); return; }
      body.reason = reason;
    }
    body.key = randomKey();
    body.changed_at = new Date().toISOString();
    body.device = device();
    var queue = load(QUEUE, []);
    queue.push({sheet: SNAP, url: data.urls.change, body: body});
    store(QUEUE, queue);
    render();
    flush();
  }

  function refreshCsrf() {
    return fetch(data.urls.csrf, {credentials: "same-origin"}).then(function (r) { return r.json(); })
      .then(function (body) { csrf = body.token; });
  }

  function post(url, body) {
    return fetch(url, {method: "POST", credentials: "same-origin",
                       headers: {"Content-Type": "application/json", "X-CSRFToken": csrf},
                       body: JSON.stringify(body)})
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (json) {
          return {status: response.status, body: json};
        });
      });
  }

  function retryLater() {
    clearTimeout(retryTimer);
    retryTimer = setTimeout(flush, 3000);
  }

  // Send the oldest change; on success drop it and go on. A refused change is
  // dropped with its message shown; a network failure leaves the queue as is.
  function flush() {
    if (sending) { return; }
    var queue = load(QUEUE, []);
    if (!queue.length) { showStatus(); return; }
    sending = true;
    var item = queue[0];
    post(item.url, item.body).then(function (result) {
      sending = false;
      if (result.status === 400 && result.body.error === "csrf") { return refreshCsrf().then(flush, retryLater); }
      if (result.status >= 500 || result.status === 401) { showStatus(); retryLater(); return; }
      var rest = load(QUEUE, []).filter(function (q) { return q.body.key !== item.body.key; });
      store(QUEUE, rest);
      if (result.status === 200) {
        if (item.sheet === SNAP && result.body.outcome !== "superseded") {
          if (item.body.criterion_id !== undefined && item.body.criterion_id !== null) {
            state.scores[String(item.body.criterion_id)] = item.body.value;
          } else { state.comment = item.body.comment; }
          saveSnapshot();
        }
        render();
        flush();
      } else {
        render();
        showStatus(data.text.error + " " + (result.body.message || result.status));
        flush();
      }
    }, function () {
      sending = false;
      showStatus();
      retryLater();
    });
  }

  function stepValue(fs, delta) {
    var step = Number(fs.dataset.step), max = Number(fs.dataset.max);
    var current = shownValues().scores[fs.dataset.criterion];
    var value = current === null || current === undefined || current === "" ? (delta > 0 ? 0 : max) : Number(current) + delta * step;
    value = Math.min(max, Math.max(0, Math.round(value / step) * step));
    return String(Number(value.toFixed(2)));
  }

  form.addEventListener("submit", function (event) { event.preventDefault(); });
  form.addEventListener("click", function (event) {
    var target = event.target.closest("button");
    if (!target || target === submitBtn) { return; }
    var fs = target.closest(".criterion");
    if (!fs) { return; }
    var value = target.classList.contains("segment") ? target.dataset.value : stepValue(fs, Number(target.dataset.delta));
    enqueue({criterion_id: Number(fs.dataset.criterion), value: value});
  });
  form.addEventListener("change", function (event) {
    var target = event.target;
    if (target === comment) { enqueue({comment: comment.value}); return; }
    if (target.classList.contains("stepper__value")) {
      var fs = target.closest(".criterion");
      enqueue({criterion_id: Number(fs.dataset.criterion), value: target.value.trim().replace(",", ".") || null});
    }
  });

  submitBtn.addEventListener("click", function () {
    if (pendingCount()) { flush(); }
    var missing = Array.prototype.some.call(form.querySelectorAll(".criterion"), function (fs) {
      var v = shownValues().scores[fs.dataset.criterion];
      return fs.dataset.required === "true" && (v === null || v === undefined || v === "");
    });
    if (missing) { showStatus(data.text.missing); return; }
    var send = function () {
      if (pendingCount()) { setTimeout(send, 300); return; }
      post(data.urls.submit, {reason: reasonInput.value.trim()}).then(function (result) {
        if (result.status === 200) {
          state.submitted_at = result.body.submitted_at;
          saveSnapshot();
          render();
          showStatus(data.text.submitted);
        } else { showStatus(data.text.error + " " + (result.body.message || result.status)); }
      }, function () { showStatus(); });
    };
    send();
  });

  window.addEventListener("online", flush);
  window.addEventListener("offline", function () { showStatus(); });
  render();
  flush();
})();
