// The score sheet on a judge's tablet. Taps, typed values and the slider
// become changes in the device's queue (judge-queue.js), sent at once or when
// the connection returns. Without a connection the page itself comes from the
// service worker's cache; a snapshot of confirmed values is kept on the
// device, so a page reloaded from the cache shows what the server already has,
// with the changes still waiting on top. A running total, out of the rubric's
// maximum, follows every change.
(function () {
  "use strict";
  var Q = window.JudgeQueue;
  var form = document.getElementById("score-form");
  var data = JSON.parse(form.dataset.sheet);
  var statusEl = document.getElementById("sync-status");
  var totalEl = document.getElementById("sheet-total");
  var submitBtn = document.getElementById("submit-sheet");
  var reasonField = document.getElementById("reason-field");
  var reasonInput = document.getElementById("amend-reason");
  var submittedNote = document.getElementById("submitted-note");
  var comment = document.getElementById("comment");
  var commentRefused = document.getElementById("comment-refused");
  var refusedBox = document.getElementById("refused");
  var refusedList = document.getElementById("refused-list");
  var SNAP = "judge-sheet-" + data.round + "-" + data.entry;
  var editable = data.round_state === "open";
  var numbers = new Intl.NumberFormat(document.documentElement.lang || "vi", {maximumFractionDigits: 2});
  // A score in its box as the page's language writes it ("14,5" in Vietnamese); what the judge
  // types is read back with either separator (the change handler below, and the server).
  var boxNumbers = new Intl.NumberFormat(document.documentElement.lang || "vi", {maximumFractionDigits: 4, useGrouping: false});
  function inBox(value) { return boxNumbers.format(Number(value)); }

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

  var queueApi = Q.create({
    csrf: data.csrf, csrfUrl: data.urls.csrf, text: data.text,
    changed: function () { render(); },
    saved: function (item) {
      if (item.sheet !== SNAP) { return; }
      if (Q.isScore(item.body)) {
        state.scores[String(item.body.criterion_id)] = item.body.value;
      } else { state.comment = item.body.comment; }
      saveSnapshot();
    }
  });

  // What the server is known to hold: the page's copy, or a newer snapshot.
  var state = data.state;
  var snap = Q.load(SNAP, null);
  if (snap && snap.at > data.rendered_at) { state = snap.state; }
  function saveSnapshot() { Q.store(SNAP, {at: new Date().toISOString(), state: state}); }
  if (!snap || snap.at <= data.rendered_at) { saveSnapshot(); }

  // The values shown: confirmed state, then this sheet's queued changes on top.
  // A refused comment stays in the box (not lost) until the judge changes it.
  function shownValues() {
    var values = {scores: Object.assign({}, state.scores), comment: state.comment};
    queueApi.refusals().forEach(function (r) {
      if (r.sheet === SNAP && r.restore && !Q.isScore(r.body)) { values.comment = r.body.comment; }
    });
    queueApi.queue().forEach(function (item) {
      if (item.sheet !== SNAP) { return; }
      if (Q.isScore(item.body)) {
        values.scores[String(item.body.criterion_id)] = item.body.value;
      } else { values.comment = item.body.comment; }
    });
    return values;
  }

  function isSet(value) { return value !== null && value !== undefined && value !== ""; }

  function render() {
    var values = shownValues();
    var refusedHere = {};
    queueApi.refusals().forEach(function (r) { if (r.sheet === SNAP) { refusedHere[Q.field(r.body)] = r; } });
    Array.prototype.forEach.call(form.querySelectorAll(".criterion"), function (fs) {
      var value = values.scores[fs.dataset.criterion];
      var has = isSet(value);
      Array.prototype.forEach.call(fs.querySelectorAll(".segment"), function (b) {
        b.setAttribute("aria-checked", has && Number(b.dataset.value) === Number(value) ? "true" : "false");
        b.disabled = !editable;
      });
      var input = fs.querySelector(".stepper__value");
      if (input && document.activeElement !== input) { input.value = has ? inBox(value) : ""; }
      var slider = fs.querySelector(".stepper__slider");
      if (slider && document.activeElement !== slider) {
        slider.value = has ? String(Number(value)) : "0";
        slider.classList.toggle("stepper__slider--empty", !has);
      }
      Array.prototype.forEach.call(fs.querySelectorAll(".stepper__btn, .stepper__value, .stepper__slider"), function (el) { el.disabled = !editable; });
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
    renderTotal(values);
    renderRefusals();
    showStatus();
  }

  // Sum of score × weight over the criteria, out of the rubric's maximum
  // (and on the 0–100 scale of the results when that maximum is not 100).
  function renderTotal(values) {
    if (!totalEl) { return; }
    var total = 0, most = 0;
    Array.prototype.forEach.call(form.querySelectorAll(".criterion"), function (fs) {
      var weight = Number(fs.dataset.weight || 1);
      var value = values.scores[fs.dataset.criterion];
      most += Number(fs.dataset.max) * weight;
      if (isSet(value) && !isNaN(Number(value))) { total += Number(value) * weight; }
    });
    var round2 = function (x) { return Math.round(x * 100) / 100; };
    var shown = {total: numbers.format(round2(total)), max: numbers.format(round2(most)),
                 scaled: numbers.format(most ? round2(total / most * 100) : 0)};
    totalEl.textContent = Q.fill(Math.abs(most - 100) < 1e-9 ? data.text.total : data.text.total_scaled, shown);
  }

  function showRefusal(el, refusal) {
    el.textContent = refusal ? queueApi.describe(refusal, SNAP) : "";
    el.hidden = !refusal;
  }

  // Every refused change of this account, this sheet's and the others'.
  function renderRefusals() {
    var list = queueApi.refusals();
    refusedList.textContent = "";
    list.forEach(function (refusal) {
      var li = document.createElement("li");
      var text = document.createElement("span");
      text.textContent = queueApi.describe(refusal, SNAP);
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

  function showStatus(message) {
    var n = queueApi.queue().length;
    if (message) { statusEl.textContent = message; statusEl.dataset.state = "error"; return; }
    if (queueApi.signedOut && n) { statusEl.textContent = data.text.login; statusEl.dataset.state = "error"; return; }
    if (n === 0) {
      var refused = queueApi.refusals();
      if (refused.length) {
        statusEl.textContent = data.text.error + " " + refused[refused.length - 1].message;
        statusEl.dataset.state = "error";
        return;
      }
      statusEl.textContent = data.text.saved; statusEl.dataset.state = "saved"; return;
    }
    var template = navigator.onLine ? data.text.waiting_online : data.text.waiting;
    statusEl.textContent = Q.fill(template, {n: n});
    statusEl.dataset.state = navigator.onLine ? "saving" : "offline";
  }

  function labelOf(body) {
    var name = data.text.comment;
    if (Q.isScore(body)) {
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
      if (!reason) { render(); showStatus(data.text.reason); reasonInput.focus(); return; }
      body.reason = reason;
    }
    queueApi.add({sheet: SNAP, url: data.urls.change, label: labelOf(body), body: body});
  }

  function stepValue(fs, delta) {
    var step = Number(fs.dataset.step), max = Number(fs.dataset.max);
    var current = shownValues().scores[fs.dataset.criterion];
    var value = !isSet(current) ? (delta > 0 ? 0 : max) : Number(current) + delta * step;
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
  // The slider shows its value in the box while it moves; the value is sent when it is let go.
  form.addEventListener("input", function (event) {
    var target = event.target;
    if (!target.classList.contains("stepper__slider")) { return; }
    var box = target.closest(".criterion").querySelector(".stepper__value");
    box.value = inBox(target.value);
    target.classList.remove("stepper__slider--empty");
  });
  form.addEventListener("change", function (event) {
    var target = event.target;
    if (target === comment) { enqueue({comment: wellFormed(comment.value)}); return; }
    if (target.classList.contains("stepper__value") || target.classList.contains("stepper__slider")) {
      var fs = target.closest(".criterion");
      enqueue({criterion_id: Number(fs.dataset.criterion), value: target.value.trim().replace(",", ".") || null});
    }
  });
  refusedList.addEventListener("click", function (event) {
    var hide = event.target.closest(".refused__hide");
    if (!hide) { return; }
    queueApi.dropRefusals(function (r) { return r.body.key === hide.dataset.key; });
    render();
    if (queueApi.refusals().length) { refusedList.querySelector(".refused__hide").focus(); } else { statusEl.focus(); }
  });

  function sheetPending() { return queueApi.queue().filter(function (q) { return q.sheet === SNAP; }).length; }

  submitBtn.addEventListener("click", function () {
    if (sheetPending()) { queueApi.resume(); }
    var missing = Array.prototype.some.call(form.querySelectorAll(".criterion"), function (fs) {
      var v = shownValues().scores[fs.dataset.criterion];
      return fs.dataset.required === "true" && !isSet(v);
    });
    if (missing) { showStatus(data.text.missing); return; }
    var send = function () {
      if (sheetPending()) { setTimeout(send, 300); return; }
      queueApi.post(data.urls.submit, {reason: reasonInput.value.trim()}).then(function (result) {
        if (result.status === 200) {
          state.submitted_at = result.body.submitted_at;
          saveSnapshot();
          render();
          showStatus(data.text.submitted);
        } else { showStatus(data.text.error + " " + (result.body.message || Q.fill(data.text.refused_status, {status: result.status}))); }
      }, function () { showStatus(); });
    };
    send();
  });

  render();
  queueApi.flush();
})();
