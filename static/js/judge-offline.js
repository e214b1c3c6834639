// Installs the judges' service worker, shows on every judge page how many
// score changes are still waiting on this device, and asks before a log-out
// would throw them away (log-out forgets what the device keeps, see device-data.js).
//
// On the judge's queue page it also sends what waits (judge-queue.js), shows
// what the server refused, and asks the service worker to keep every sheet of
// the round and its documents on the tablet, for a day without a connection.
(function () {
  "use strict";
  var meta = document.querySelector("meta[name=judge-sw]");
  var accountMeta = document.querySelector("meta[name=account]");
  var account = accountMeta ? accountMeta.content : "";
  if (meta && "serviceWorker" in navigator) {
    navigator.serviceWorker.register(meta.content, {scope: "/judge/"}).catch(function () { /* pages still work online */ });
  }
  // This account's changes not yet sent (judge-queue.js keeps the queue).
  function pending() {
    var queue = [];
    try { queue = JSON.parse(localStorage.getItem("judge-queue") || "[]") || []; } catch (e) { queue = []; }
    return queue.filter(function (item) { return !item.account || item.account === account; }).length;
  }
  document.addEventListener("device:forget", function (event) {
    var n = pending();
    if (n && meta && meta.dataset.unsent && !window.confirm(meta.dataset.unsent.replace("{n}", String(n)))) {
      event.preventDefault();
    }
  });
  var status = document.getElementById("offline-status");
  if (!status) { return; }
  var n = pending();
  if (n) {
    status.textContent = status.dataset.text.replace("{n}", String(n));
  }

  var holder = document.getElementById("judge-queue");
  if (!holder || !window.JudgeQueue) { return; }
  var data = JSON.parse(holder.dataset.queue);
  var refusedBox = document.getElementById("refused");
  var refusedList = document.getElementById("refused-list");
  var queueApi = window.JudgeQueue.create({
    csrf: data.csrf, csrfUrl: data.csrf_url, text: data.text, changed: function () { render(); }
  });

  function render() {
    var waiting = queueApi.queue().length;
    if (queueApi.signedOut && waiting) {
      status.textContent = data.text.login;
    } else if (waiting) {
      status.textContent = window.JudgeQueue.fill(navigator.onLine ? data.text.waiting_online : data.text.waiting, {n: waiting});
    } else { status.textContent = ""; }
    status.dataset.waiting = String(waiting);
    var list = queueApi.refusals();
    refusedList.textContent = "";
    list.forEach(function (refusal) {
      var li = document.createElement("li");
      li.textContent = queueApi.describe(refusal, null);
      refusedList.appendChild(li);
    });
    refusedBox.hidden = !list.length;
  }

  // Keep the round's sheets and documents on the tablet (only with a connection:
  // without one, the pages kept before stay as they are).
  function keepAhead() {
    if (!navigator.onLine || !("serviceWorker" in navigator) || !meta || !data.precache.pages.length) { return; }
    var absolute = function (url) { return new URL(url, location.href).href; };
    var pages = data.precache.pages.map(absolute);
    var assets = data.precache.assets.map(absolute);
    navigator.serviceWorker.ready.then(function (registration) {
      if (!registration.active) { return; }
      var channel = new MessageChannel();
      channel.port1.onmessage = function (event) {
        var kept = (event.data && event.data.kept) || 0;
        var line = document.getElementById("precache-status");
        line.textContent = window.JudgeQueue.fill(data.text.kept, {n: kept});
        line.dataset.kept = String(kept);
      };
      registration.active.postMessage({type: "precache", pages: pages, assets: assets}, [channel.port2]);
    });
  }

  render();
  queueApi.flush();
  keepAhead();
  window.addEventListener("online", keepAhead);
})();
