// The score sheet on a judge's tablet.
//
// Every tap becomes a change {key, criterion_id|comment, value, changed_at,
// device}. Changes go into a queue kept in localStorage first (each marked
// with the signed-in account: only that account sends it), then are sent one
// at a time, oldest first. The server applies each key once, so resending
// after a lost answer is safe, and the change made later wins whatever order
// changes arrive in, so one change that cannot be sent yet never holds back
// the others:
//   - 200: saved; dropped from the queue.
//   - refused (any other 4xx but 401, 408, 429): dropped from the queue and
//     shown to the judge (what, and the server's message), never sent again.
//   - transient (no connection, 5xx, 408, 429): kept and sent again after an
//     exponential backoff with jitter (1 s doubling up to 30 s): a change the
//     server answered 5xx or 408 for waits out its own while the next changes
//     go; failures in a row, no connection or a 429 (its Retry-After) pause
//     the whole queue.
//   - 401 (no longer signed in): the queue waits; nothing is dropped.
// Without a connection the queue simply waits (the page itself comes from the
// service worker's cache) and is sent when the connection returns. A snapshot
// of confirmed values is kept too, so a page reloaded from the cache shows
// what the server already has.
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
  var commentRefused = document.getElementById("comment-refused");
  var refusedBox = document.getElementById("refused");
  var refusedList = document.getElementById("refused-list");
  var accountMeta = document.querySelector("meta[name=account]");
  var ACCOUNT = accountMeta ? accountMeta.content : "";
  var QUEUE = "judge-queue";
  var REFUSED = "judge-refused";
  var SNAP = "judge-sheet-" + data.round + "-" + data.entry;
  var FIRST_DELAY = 1000, MAX_DELAY = 30000;
  var csrf = data.csrf;
  var csrfRefreshed = false;
  var sending = false;
  var timer = null;
  var failures = 0;          // transient failures in a row, whichever change: the queue's pause
  var pausedUntil = 0;
  var backoffs = {};         // key -> {tries, at}: a change the server could not save yet
  var signedOut = false;
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
  // "{field}: {value}" filled in without String.replace's "$" patterns.
  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (whole, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole;
    });
  }
  // Half an emoji pasted alone (a lone surrogate) cannot be stored anywhere:
  // it becomes U+FFFD, as the screen already shows it.
  function wellFormed(text) {
    if (typeof text.toWellFormed === "function") { return text.toWellFormed(); }
    var out = "";
    for (var i = 0; i < text.length; i++) {
      var c = text.charCodeAt(i);
      if (c >= 0xD800 && c <= 0xDBFF && (text.charCodeAt(i + 1) & 0xFC00) === 0xDC00) {
        out += text.charAt(i) + text.charAt(i + 1); i += 1;
      } else { out += c >= 0xD800 && c <= 0xDFFF ? "\uFFFD" : text.charAt(i); }
    }
    return out;
  }
  function backoff(n) {
    var ceiling = Math.min(MAX_DELAY, FIRST_DELAY * Math.pow(2, Math.max(0, n - 1)));
    return ceiling / 2 + Math.random() * ceiling / 2;
  }

  function mine(item) { return !item.account || item.account === ACCOUNT; }
  function isScore(body) { return body.criterion_id !== undefined && body.criterion_id !== null; }
  function field(body) { return isScore(body) ? "c" + body.criterion_id : "comment"; }
  function queue() { return load(QUEUE, []).filter(mine); }
  function dropFromQueue(key) {
    store(QUEUE, load(QUEUE, []).filter(function (q) { return q.body.key !== key; }));
    delete backoffs[key];
  }
  function refusals() { return load(REFUSED, []).filter(mine); }
  function dropRefusals(test) { store(REFUSED, load(REFUSED, []).filter(function (r) { return !(mine(r) && test(r)); })); }

  // What the server is known to hold: the page's copy, or a newer snapshot.
  var state = data.state;
  var snap = load(SNAP, null);
  if (snap && snap.at > data.rendered_at) { state = snap.state; }
  function saveSnapshot() { store(SNAP, {at: new Date().toISOString(), state: state}); }
  if (!snap || snap.at <= data.rendered_at) { saveSnapshot(); }

  // The values shown: confirmed state, then this sheet's queued changes on top.
  // A refused comment stays in the box (not lost) until the judge changes it.
  function shownValues() {
    var values = {scores: Object.assign({}, state.scores), comment: state.comment};
    refusals().forEach(function (r) {
      if (r.sheet === SNAP && r.restore && !isScore(r.body)) { values.comment = r.body.comment; }
    });
    queue().forEach(function (item) {
      if (item.sheet !== SNAP) { return; }
      if (isScore(item.body)) {
        values.scores[String(item.body.criterion_id)] = item.body.value;
      } else { values.comment = item.body.comment; }
    });
    return values;
  }

  function render() {
    var values = shownValues();
    var refusedHere = {};
    refusals().forEach(function (r) { if (r.sheet === SNAP) { refusedHere[field(r.body)] = r; } });
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
      var refused = refusedHere["c" + fs.dataset.criterion];
      showRefusal(fs.querySelector(".criterion__refused"), refused);
      fs.classList.toggle("criterion--refused", !!refused);
      if (input) { input.setAttribute("aria-invalid", refused ? "true" : "false"); }
    });
    if (document.activeElement !== comment) { comment.value = values.comment || ""; }
    comment.disabled = !editable;
    showRefusal(commentRefused, refusedHere.comment);
    comment.setAttribute("aria-invalid", refusedHere.comment ? "true" : "false");
    submitBtn.disabled = !editable;
    var submitted = !!state.submitted_at;
    reasonField.hidden = !(submitted && editable);
    submittedNote.hidden = !submitted;
    renderRefusals();
    showStatus();
  }

  function showRefusal(el, refusal) {
    el.textContent = refusal ? describe(refusal) : "";
    el.hidden = !refusal;
  }

  // "Tính mới: 25 was not saved. “Tính mới” takes a score from 0 to 20."
  function describe(refusal) {
    var label = refusal.label || {};
    var name = label.field || (isScore(refusal.body) ? "#" + refusal.body.criterion_id : data.text.comment);
    var what = isScore(refusal.body)
      ? fill(data.text.not_saved_value, {field: name, value: refusal.body.value === null || refusal.body.value === undefined ? "—" : refusal.body.value})
      : fill(data.text.not_saved_comment, {field: name});
    if (refusal.sheet !== SNAP && label.entry) { what = label.entry + " · " + what; }
    return what + " " + refusal.message;
  }

  // Every refused change of this account, this sheet's and the others'.
  function renderRefusals() {
    var list = refusals();
    refusedList.textContent = "";
    list.forEach(function (refusal) {
      var li = document.createElement("li");
      var text = document.createElement("span");
      text.textContent = describe(refusal);
      var hide = document.createElement("button");
      hide.type = "button";
      hide.className = "linkbutton refused__hide";
      hide.textContent = data.text.hide;
      hide.dataset.key = refusal.body.key;
      li.appendChild(text);
      li.appendChild(document.createTextNode(" "));
      li.appendChild(hide);
      refusedList.appendChild(li);
    });
    refusedBox.hidden = !list.length;
  }

  function pendingCount() { return queue().length; }

  function showStatus(message) {
    var n = pendingCount();
    if (message) { statusEl.textContent = message; statusEl.dataset.state = "error"; return; }
    if (signedOut && n) { statusEl.textContent = data.text.login; statusEl.dataset.state = "error"; return; }
    if (n === 0) {
      var refused = refusals();
      if (refused.length) {
        statusEl.textContent = data.text.error + " " + refused[refused.length - 1].message;
        statusEl.dataset.state = "error";
        return;
      }
      statusEl.textContent = data.text.saved; statusEl.dataset.state = "saved"; return;
    }
    var template = navigator.onLine ? data.text.waiting_online : data.text.waiting;
    statusEl.textContent = fill(template, {n: n});
    statusEl.dataset.state = navigator.onLine ? "saving" : "offline";
  }

  function labelOf(body) {
    var name = data.text.comment;
    if (isScore(body)) {
      var fs = form.querySelector('.criterion[data-criterion="' + Number(body.criterion_id) + '"]');
      var el = fs && fs.querySelector(".criterion__name");
      name = el ? el.textContent : "#" + body.criterion_id;
    }
    return {entry: data.entry_code, field: name};
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
    // A new change to a field replaces what was shown about its refused one.
    dropRefusals(function (r) { return r.sheet === SNAP && field(r.body) === field(body); });
    var items = load(QUEUE, []);
    items.push({sheet: SNAP, url: data.urls.change, account: ACCOUNT, label: labelOf(body), body: body});
    store(QUEUE, items);
    render();
    flush();
  }

  // "ok", or "signed_out" when the session is gone (the page redirects to log in).
  function refreshCsrf() {
    return fetch(data.urls.csrf, {credentials: "same-origin", redirect: "manual"}).then(function (r) {
      if (r.type === "opaqueredirect" || r.status === 401) { return "signed_out"; }
      if (!r.ok) { throw new Error("csrf " + r.status); }
      return r.json().then(function (body) { csrf = body.token; return "ok"; });
    });
  }

  function post(url, body) {
    return fetch(url, {method: "POST", credentials: "same-origin",
                       headers: {"Content-Type": "application/json", "X-CSRFToken": csrf},
                       body: JSON.stringify(body)})
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (json) {
          return {status: response.status, body: json || {}, retryAfter: Number(response.headers.get("Retry-After")) || 0};
        });
      });
  }

  function isTransient(status) { return status >= 500 || status === 408 || status === 429; }

  function schedule(delay) {
    clearTimeout(timer);
    timer = setTimeout(flush, Math.max(0, delay));
  }

  // After a failure. `itemKey` when the server answered for that change (a 5xx
  // or 408): it may be that very change, so it waits out its own backoff while
  // the next changes go at once. Failures in a row, or with no answer at all
  // (no connection, 429, signed out), pause the whole queue.
  function failed(itemKey, retryAfter) {
    failures += 1;
    var now = Date.now();
    if (!itemKey || failures > 1) {
      pausedUntil = now + Math.max(backoff(failures), retryAfter * 1000);
    }
    if (itemKey) {
      var b = backoffs[itemKey] || {tries: 0, at: 0};
      b.tries += 1;
      b.at = now + backoff(b.tries);
      backoffs[itemKey] = b;
    }
  }

  // The oldest change that is not waiting out its own backoff, or the time to wait.
  function next(items) {
    var now = Date.now(), soonest = Infinity;
    for (var i = 0; i < items.length; i++) {
      var b = backoffs[items[i].body.key];
      if (!b || b.at <= now) { return {item: items[i]}; }
      soonest = Math.min(soonest, b.at);
    }
    return {wait: soonest - now};
  }

  // Another account has signed in on this device since this page was opened
  // (device-data.js): this page's changes must not go with that account's session.
  function anotherAccount() {
    try {
      var current = localStorage.getItem("device-account");
      return !!current && !!ACCOUNT && current !== ACCOUNT;
    } catch (e) { return false; }
  }

  function flush() {
    if (sending) { return; }
    clearTimeout(timer);
    if (anotherAccount()) { signedOut = true; showStatus(); return; }
    var items = queue();
    if (!items.length) { failures = 0; showStatus(); return; }
    if (pausedUntil > Date.now()) { schedule(pausedUntil - Date.now()); showStatus(); return; }
    var pick = next(items);
    if (!pick.item) { schedule(pick.wait); showStatus(); return; }
    var item = pick.item;
    sending = true;
    post(item.url, item.body).then(function (result) {
      return answered(item, result);
    }, function () {
      failed(null, 0);   // no connection: nothing wrong with this change
    }).then(function () {
      sending = false;
      render();
      flush();
    }, function () {
      sending = false;
      failed(null, 0);
      render();
      flush();
    });
  }

  function answered(item, result) {
    var status = result.status;
    if (status === 400 && result.body.error === "csrf") {
      if (csrfRefreshed) { csrfRefreshed = false; failed(null, 0); return null; }
      return refreshCsrf().then(function (outcome) {
        csrfRefreshed = outcome === "ok";
        if (outcome === "signed_out") { signedOut = true; failed(null, 0); }
      }, function () { failed(null, 0); });
    }
    csrfRefreshed = false;
    if (status === 401) { signedOut = true; failed(null, 0); return null; }
    signedOut = false;
    if (status === 429) { failed(null, result.retryAfter); return null; }   // this device sends too often
    if (isTransient(status)) { failed(item.body.key, 0); return null; }
    failures = 0;
    pausedUntil = 0;
    dropFromQueue(item.body.key);
    if (status === 200) {
      // Anything still shown about an older refused change of this field is out of date.
      dropRefusals(function (r) {
        return r.sheet === item.sheet && field(r.body) === field(item.body) && r.body.changed_at <= item.body.changed_at;
      });
      if (item.sheet === SNAP && result.body.outcome !== "superseded") {
        if (isScore(item.body)) {
          state.scores[String(item.body.criterion_id)] = item.body.value;
        } else { state.comment = item.body.comment; }
        saveSnapshot();
      }
      return null;
    }
    refused(item, result.body.message || fill(data.text.refused_status, {status: status}));
    return null;
  }

  // Out of the queue for good, and shown until the judge hides it or changes the field again.
  function refused(item, message) {
    var newer = queue().some(function (q) {
      return q.sheet === item.sheet && field(q.body) === field(item.body) && q.body.changed_at > item.body.changed_at;
    });
    dropRefusals(function (r) { return r.sheet === item.sheet && field(r.body) === field(item.body); });
    var list = load(REFUSED, []);
    list.push({sheet: item.sheet, account: item.account || ACCOUNT, label: item.label, body: item.body,
               message: message, restore: !newer});
    store(REFUSED, list);
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
    if (target === comment) { enqueue({comment: wellFormed(comment.value)}); return; }
    if (target.classList.contains("stepper__value")) {
      var fs = target.closest(".criterion");
      enqueue({criterion_id: Number(fs.dataset.criterion), value: target.value.trim().replace(",", ".") || null});
    }
  });
  refusedList.addEventListener("click", function (event) {
    var hide = event.target.closest(".refused__hide");
    if (!hide) { return; }
    dropRefusals(function (r) { return r.body.key === hide.dataset.key; });
    render();
    if (refusals().length) { refusedList.querySelector(".refused__hide").focus(); } else { statusEl.focus(); }
  });

  function sheetPending() { return queue().filter(function (q) { return q.sheet === SNAP; }).length; }

  submitBtn.addEventListener("click", function () {
    if (sheetPending()) { pausedUntil = 0; flush(); }
    var missing = Array.prototype.some.call(form.querySelectorAll(".criterion"), function (fs) {
      var v = shownValues().scores[fs.dataset.criterion];
      return fs.dataset.required === "true" && (v === null || v === undefined || v === "");
    });
    if (missing) { showStatus(data.text.missing); return; }
    var send = function () {
      if (sheetPending()) { setTimeout(send, 300); return; }
      post(data.urls.submit, {reason: reasonInput.value.trim()}).then(function (result) {
        if (result.status === 200) {
          state.submitted_at = result.body.submitted_at;
          saveSnapshot();
          render();
          showStatus(data.text.submitted);
        } else { showStatus(data.text.error + " " + (result.body.message || fill(data.text.refused_status, {status: result.status}))); }
      }, function () { showStatus(); });
    };
    send();
  });

  window.addEventListener("online", function () { failures = 0; pausedUntil = 0; flush(); });
  window.addEventListener("offline", function () { showStatus(); });
  // Another tab of this device changed the queue or the refusals.
  window.addEventListener("storage", function (event) {
    if (event.key === QUEUE || event.key === REFUSED) { render(); flush(); }
  });
  render();
  flush();
})();
