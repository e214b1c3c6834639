// Saves the entry draft while the team types: to the device at once
// (localStorage, so a closed tab or a lost connection loses nothing) and to
// the server a moment later. A newer copy on the device is restored on load.
(function () {
  "use strict";
  var form = document.getElementById("entry-form");
  if (!form) { return; }
  var url = form.dataset.autosaveUrl;
  var key = form.dataset.draftKey;
  var status = document.getElementById("autosave-status");
  var csrf = form.querySelector("input[name=csrf_token]").value;
  // Messages come translated from the page, in the user's language.
  var text = {
    saving: form.dataset.textSaving,
    offline: form.dataset.textOffline,
    restored: form.dataset.textRestored
  };
  var timer = null;

  function values() {
    var data = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name === "csrf_token" || el.type === "submit") { return; }
      data[el.name] = el.type === "checkbox" ? el.checked : el.value;
    });
    return data;
  }

  function remember(data) {
    try { localStorage.setItem(key, JSON.stringify({at: Date.now(), data: data})); } catch (e) { /* storage full or off */ }
  }

  function forget() {
    try { localStorage.removeItem(key); } catch (e) { /* ignore */ }
  }

  function send() {
    var data = values();
    status.textContent = text.saving;
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrf},
      body: JSON.stringify(data)
    }).then(function (response) {
      return response.json().then(function (body) { return {ok: response.ok, body: body}; });
    }).then(function (result) {
      if (!result.ok) { status.textContent = result.body.message || text.offline; return; }
      forget();
      var problems = Object.keys(result.body.errors || {}).map(function (k) { return result.body.errors[k]; });
      status.textContent = result.body.saved_label + (problems.length ? " — " + problems.join(" ") : "");
    }).catch(function () {
      status.textContent = text.offline;
    });
  }

  function changed() {
    remember(values());
    clearTimeout(timer);
    timer = setTimeout(send, 800);
  }

  function restore() {
    var saved;
    try { saved = JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { saved = null; }
    if (!saved) { return false; }
    var serverAt = form.dataset.savedAt ? Date.parse(form.dataset.savedAt) : 0;
    if (saved.at <= serverAt) { forget(); return false; }
    Object.keys(saved.data).forEach(function (name) {
      var el = form.elements.namedItem(name);
      if (!el || el.type === "hidden") { return; }
      if (el.type === "checkbox") { el.checked = !!saved.data[name]; } else { el.value = saved.data[name]; }
    });
    status.textContent = text.restored;
    send();
    return true;
  }

  // Typed before this script ran (a slow connection, a quick hand): the fields no
  // longer hold what the page came with, and no input event was heard for them.
  function typedEarly() {
    return Array.prototype.some.call(form.elements, function (el) {
      if (!el.name || el.type === "hidden" || el.type === "submit") { return false; }
      if (el.type === "checkbox" || el.type === "radio") { return el.checked !== el.defaultChecked; }
      if (el.options) {  // a select shows its first option when none is marked
        var initial = 0;
        for (var i = 0; i < el.options.length; i++) { if (el.options[i].defaultSelected) { initial = i; break; } }
        return el.selectedIndex !== initial;
      }
      return el.value !== el.defaultValue;
    });
  }

  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  window.addEventListener("online", function () { if (localStorage.getItem(key)) { send(); } });
  if (!restore() && typedEarly()) { changed(); }
}());
