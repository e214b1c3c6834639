// The tablet's queue of score changes, shared by the score sheet
// (judge-scoring.js) and the judge's queue page (judge-offline.js): whichever
// of them is open sends what waits on the device.
//
// Every tap becomes a change {key, criterion_id|comment, value, changed_at,
// device}. Changes go into a queue kept in localStorage first (each marked
// with the signed-in account: only that account sends it), then are sent one
// at a time, oldest first. The server applies each key once, so resending
// after a lost answer is safe, and the change made later wins whatever order
// changes arrive in, so one change that cannot be sent yet never holds back
// the others:
//   - 200: saved; dropped from the queue, and the sheet's snapshot of
//     confirmed values (what a page reloaded from the cache shows) updated.
//   - refused (any other 4xx but 401, 408, 429): dropped from the queue and
//     shown to the judge (what, and the server's message), never sent again.
//   - transient (no connection, 5xx, 408, 429): kept and sent again after an
//     exponential backoff with jitter (1 s doubling up to 30 s): a change the
//     server answered 5xx or 408 for waits out its own while the next changes
//     go; failures in a row, no connection or a 429 (its Retry-After) pause
//     the whole queue.
//   - 401 (no longer signed in): the queue waits; nothing is dropped.
(function () {
  "use strict";
  var QUEUE = "judge-queue";
  var REFUSED = "judge-refused";
  var FIRST_DELAY = 1000, MAX_DELAY = 30000;

  function load(key, fallback) {
    try { return JSON.parse(localStorage.getItem(key) || "null") || fallback; } catch (e) { return fallback; }
  }
  function store(key, value) {
    try { localStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* full: the queue stays in memory */ }
  }
  function randomKey() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var a = new Uint8Array(16); crypto.getRandomValues(a);
    return Array.prototype.map.call(a, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function device() {
    var id = localStorage.getItem("judge-device");
    if (!id) { id = "d-" + randomKey().slice(0, 12); localStorage.setItem("judge-device", id); }
    return id;
  }
  // "{field}: {value}" filled in without String.replace's "$" patterns.
  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (whole, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole;
    });
  }
  function backoff(n) {
    var ceiling = Math.min(MAX_DELAY, FIRST_DELAY * Math.pow(2, Math.max(0, n - 1)));
    return ceiling / 2 + Math.random() * ceiling / 2;
  }
  function isScore(body) { return body.criterion_id !== undefined && body.criterion_id !== null; }
  function field(body) { return isScore(body) ? "c" + body.criterion_id : "comment"; }
  function isTransient(status) { return status >= 500 || status === 408 || status === 429; }

  // options: {csrf, csrfUrl, text: {comment, not_saved_value, not_saved_comment,
  // refused_status}, changed(): after the queue or the refusals changed,
  // saved(item, result): after the server saved a change}.
  function create(options) {
    var accountMeta = document.querySelector("meta[name=account]");
    var ACCOUNT = accountMeta ? accountMeta.content : "";
    var text = options.text;
    var csrf = options.csrf;
    var csrfRefreshed = false;
    var sending = false;
    var timer = null;
    var failures = 0;          // transient failures in a row, whichever change: the queue's pause
    var pausedUntil = 0;
    var backoffs = {};         // key -> {tries, at}: a change the server could not save yet
    var api = {account: ACCOUNT, signedOut: false};

    function changed() { if (options.changed) { options.changed(); } }
    function mine(item) { return !item.account || item.account === ACCOUNT; }
    function queue() { return load(QUEUE, []).filter(mine); }
    function dropFromQueue(key) {
      store(QUEUE, load(QUEUE, []).filter(function (q) { return q.body.key !== key; }));
      delete backoffs[key];
    }
    function refusals() { return load(REFUSED, []).filter(mine); }
    function dropRefusals(test) { store(REFUSED, load(REFUSED, []).filter(function (r) { return !(mine(r) && test(r)); })); }

    // "Tính mới: 25 was not saved. “Tính mới” takes a score from 0 to 20."
    // `here`: the sheet shown, whose changes need not name their entry.
    function describe(refusal, here) {
      var label = refusal.label || {};
      var name = label.field || (isScore(refusal.body) ? "#" + refusal.body.criterion_id : text.comment);
      var what = isScore(refusal.body)
        ? fill(text.not_saved_value, {field: name, value: refusal.body.value === null || refusal.body.value === undefined ? "—" : refusal.body.value})
        : fill(text.not_saved_comment, {field: name});
      if (refusal.sheet !== here && label.entry) { what = label.entry + " · " + what; }
      return what + " " + refusal.message;
    }

    // A new change: into the queue on the device first, then sent.
    function add(item) {
      item.account = ACCOUNT;
      item.body.key = randomKey();
      item.body.changed_at = new Date().toISOString();
      item.body.device = device();
      // A new change to a field replaces what was shown about its refused one.
      dropRefusals(function (r) { return r.sheet === item.sheet && field(r.body) === field(item.body); });
      var items = load(QUEUE, []);
      items.push(item);
      store(QUEUE, items);
      changed();
      flush();
    }

    // "ok", or "signed_out" when the session is gone (the page redirects to log in).
    function refreshCsrf() {
      return fetch(options.csrfUrl, {credentials: "same-origin", redirect: "manual"}).then(function (r) {
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
      if (anotherAccount()) { api.signedOut = true; changed(); return; }
      var items = queue();
      if (!items.length) { failures = 0; changed(); return; }
      if (pausedUntil > Date.now()) { schedule(pausedUntil - Date.now()); changed(); return; }
      var pick = next(items);
      if (!pick.item) { schedule(pick.wait); changed(); return; }
      var item = pick.item;
      sending = true;
      post(item.url, item.body).then(function (result) {
        return answered(item, result);
      }, function () {
        failed(null, 0);   // no connection: nothing wrong with this change
      }).then(function () {
        sending = false;
        changed();
        flush();
      }, function () {
        sending = false;
        failed(null, 0);
        changed();
        flush();
      });
    }

    // The values the server now holds, for a page of that sheet reloaded from the cache.
    function remember(item) {
      var snap = load(item.sheet, null);
      if (!snap || !snap.state) { return; }
      if (isScore(item.body)) {
        snap.state.scores = snap.state.scores || {};
        snap.state.scores[String(item.body.criterion_id)] = item.body.value;
      } else { snap.state.comment = item.body.comment; }
      snap.at = new Date().toISOString();
      store(item.sheet, snap);
    }

    function answered(item, result) {
      var status = result.status;
      if (status === 400 && result.body.error === "csrf") {
        if (csrfRefreshed) { csrfRefreshed = false; failed(null, 0); return null; }
        return refreshCsrf().then(function (outcome) {
          csrfRefreshed = outcome === "ok";
          if (outcome === "signed_out") { api.signedOut = true; failed(null, 0); }
        }, function () { failed(null, 0); });
      }
      csrfRefreshed = false;
      if (status === 401) { api.signedOut = true; failed(null, 0); return null; }
      api.signedOut = false;
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
        if (result.body.outcome !== "superseded") {
          remember(item);
          if (options.saved) { options.saved(item, result); }
        }
        return null;
      }
      refused(item, result.body.message || fill(text.refused_status, {status: status}));
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

    // Send now, whatever pause the failures before asked for (the connection is back).
    function resume() { failures = 0; pausedUntil = 0; backoffs = {}; flush(); }

    window.addEventListener("online", resume);
    window.addEventListener("offline", changed);
    // Another tab of this device changed the queue or the refusals.
    window.addEventListener("storage", function (event) {
      if (event.key === QUEUE || event.key === REFUSED) { changed(); flush(); }
    });

    api.queue = queue;
    api.refusals = refusals;
    api.dropRefusals = dropRefusals;
    api.describe = describe;
    api.add = add;
    api.flush = flush;
    api.resume = resume;
    api.post = post;
    return api;
  }

  window.JudgeQueue = {create: create, load: load, store: store, fill: fill, isScore: isScore, field: field};
})();
