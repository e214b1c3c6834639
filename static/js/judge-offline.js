// Installs the judges' service worker, shows on every judge page how many
// score changes are still waiting on this device, and asks before a log-out
// would throw them away (log-out forgets what the device keeps, see device-data.js).
(function () {
  "use strict";
  var meta = document.querySelector("meta[name=judge-sw]");
  var accountMeta = document.querySelector("meta[name=account]");
  var account = accountMeta ? accountMeta.content : "";
  if (meta && "serviceWorker" in navigator) {
    navigator.serviceWorker.register(meta.content, {scope: "/judge/"}).catch(function () { /* pages still work online */ });
  }
  // This account's changes not yet sent (judge-scoring.js keeps the queue).
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
})();
