// Installs the judges' service worker and shows, on every judge page, how many
// score changes are still waiting on this device.
(function () {
  "use strict";
  var meta = document.querySelector("meta[name=judge-sw]");
  if (meta && "serviceWorker" in navigator) {
    navigator.serviceWorker.register(meta.content, {scope: "/judge/"}).catch(function () { /* pages still work online */ });
  }
  var status = document.getElementById("offline-status");
  if (!status) { return; }
  var queue = [];
  try { queue = JSON.parse(localStorage.getItem("judge-queue") || "[]"); } catch (e) { queue = []; }
  if (queue.length) {
    status.textContent = status.dataset.text.replace("{n}", String(queue.length));
  }
})();
