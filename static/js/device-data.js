// What this browser keeps for a signed-in account (the judges' offline pages
// and score queue, drafts of entries) is forgotten when the account logs out,
// and when another account signs in on the same device.
//
// Log-out: the form is held back while the caches (Cache Storage), local and
// session storage and the service workers are deleted, then sent. The server's
// answer also carries Clear-Site-Data; this covers browsers that ignore it.
// Before that, a "device:forget" event lets a page's script keep work that
// has not reached the server yet (preventDefault() cancels the log-out).
(function () {
  "use strict";
  var meta = document.querySelector("meta[name=account]");
  if (!meta) { return; }
  var account = meta.content;
  var KEY = "device-account";

  function forget(unregister) {
    try { localStorage.clear(); } catch (e) { /* storage off */ }
    try { sessionStorage.clear(); } catch (e) { /* storage off */ }
    var jobs = [];
    if (window.caches) {
      jobs.push(caches.keys().then(function (keys) {
        return Promise.all(keys.map(function (k) { return caches.delete(k); }));
      }));
    }
    if (navigator.serviceWorker) {
      jobs.push(navigator.serviceWorker.getRegistrations().then(function (registrations) {
        return Promise.all(registrations.map(function (registration) {
          return tell(registration.active, {type: unregister ? "forget" : "account", account: account})
            .then(function () { return unregister ? registration.unregister() : null; });
        }));
      }));
    }
    return Promise.all(jobs).catch(function () { /* best effort: the server's Clear-Site-Data follows */ });
  }

  // A message to a service worker, answered on its port (or given up after 1 s).
  function tell(worker, message) {
    if (!worker) { return Promise.resolve(); }
    return new Promise(function (resolve) {
      var channel = new MessageChannel();
      channel.port1.onmessage = function () { resolve(); };
      worker.postMessage(message, [channel.port2]);
      setTimeout(resolve, 1000);
    });
  }

  var previous = null;
  try { previous = localStorage.getItem(KEY); } catch (e) { previous = null; }
  if (previous !== account) {
    if (previous) { forget(false); }   // another account's data: not for this one
    try { localStorage.setItem(KEY, account); } catch (e) { /* storage off */ }
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute("data-forget-device")) { return; }
    event.preventDefault();
    if (!document.dispatchEvent(new CustomEvent("device:forget", {cancelable: true}))) { return; }
    var sent = false;
    var send = function () {
      if (sent) { return; }
      sent = true;
      form.submit();
    };
    forget(true).then(send, send);
    setTimeout(send, 3000);   // never keep anyone from logging out
  });
})();
