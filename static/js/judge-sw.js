// Service worker for the judges' pages (/judge/): the pages and their assets
// stay on the tablet, so a page reloaded without a connection still opens.
// Scores themselves never go through here: the page queues them on the device
// and sends them to /api/ itself, each with an idempotency key.
//
// Pages and team documents belong to one account: the server names it in the
// X-Account header of every judge page, and they are kept in that account's
// own cache ("judge-pages-v2:<account>"). When a page comes from another
// account, or a page of this site says another account has signed in, the
// other accounts' caches are deleted first, so a cached page is only ever
// served to the account it was made for. Log-out deletes every cache
// (message "forget", sent by the log-out form; and the Clear-Site-Data header).
"use strict";
var STATIC = "judge-static-v2";
var PAGES = "judge-pages-v2:";

self.addEventListener("install", function () { self.skipWaiting(); });

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k !== STATIC && k.indexOf(PAGES) !== 0; })
      .map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

function deleteCaches(keep) {
  return caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return !keep(k); }).map(function (k) { return caches.delete(k); }));
  });
}

// Keep the static assets and this account's pages; forget every other account's.
function forgetOtherAccounts(account) {
  return deleteCaches(function (k) { return k === STATIC || k === PAGES + account; });
}

// The one account whose pages are kept, or null.
function pagesCache() {
  return caches.keys().then(function (keys) {
    var name = keys.filter(function (k) { return k.indexOf(PAGES) === 0; })[0];
    return name || null;
  });
}

function offline() {
  return new Response("Offline", {status: 503, headers: {"Content-Type": "text/plain; charset=utf-8"}});
}

function fromCache(request, failed) {
  return pagesCache().then(function (name) {
    if (!name) { return null; }
    var account = name.slice(PAGES.length);
    return caches.open(name).then(function (cache) { return cache.match(request); }).then(function (cached) {
      // Only what the server made for this very account.
      return cached && cached.headers.get("X-Account") === account ? cached : null;
    });
  }).then(function (cached) { return cached || failed || offline(); });
}

function networkFirst(event) {
  var request = event.request;
  var network = fetch(request);
  // Kept for the account the server named; a redirect to log in names none.
  event.waitUntil(network.then(function (response) {
    var account = response.headers.get("X-Account");
    if (!account || response.status >= 500) { return null; }
    var copy = response.ok ? response.clone() : null;
    return forgetOtherAccounts(account).then(function () {
      if (copy) { return caches.open(PAGES + account).then(function (cache) { return cache.put(request, copy); }); }
      return null;
    });
  }).catch(function () { /* offline, or the cache is full: the page still opens */ }));
  return network.then(function (response) {
    return response.status >= 500 ? fromCache(request, response) : response;   // the server is restarting
  }, function () {
    return fromCache(request, null);
  });
}

function cacheFirst(event) {
  var request = event.request;
  var fresh = fetch(request).then(function (response) {
    if (!response.ok) { return response; }
    var copy = response.clone();
    return caches.open(STATIC).then(function (cache) { return cache.put(request, copy); })
      .then(function () { return response; }, function () { return response; });
  });
  event.waitUntil(fresh.catch(function () { /* offline: the cached copy serves */ }));
  return caches.open(STATIC).then(function (cache) { return cache.match(request); }).then(function (cached) {
    return cached || fresh;
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (url.pathname.indexOf("/static/") === 0) { event.respondWith(cacheFirst(event)); return; }
  if (url.pathname.indexOf("/judge/") === 0 && url.pathname !== "/judge/csrf") {
    event.respondWith(networkFirst(event));
  }
});

// {type: "forget"}: log-out, forget everything. {type: "account", account}: the
// account signed in now; forget the others'. Answered on the message's port.
self.addEventListener("message", function (event) {
  var data = event.data || {};
  var done;
  if (data.type === "forget") {
    done = deleteCaches(function () { return false; });
  } else if (data.type === "account" && data.account) {
    done = forgetOtherAccounts(String(data.account));
  } else { return; }
  event.waitUntil(done.then(function () {
    if (event.ports && event.ports[0]) { event.ports[0].postMessage({done: true}); }
  }));
});
