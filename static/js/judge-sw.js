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
//
// The judge's queue page asks for every sheet assigned to the judge and its
// documents to be kept ahead (message "precache"), so that the whole day's
// sheets open without a connection, not only those opened before. A judge page
// that is not on the tablet answers the offline page (/judge/offline, in the
// judge's language, kept at install) with status 503.
"use strict";
var STATIC = "judge-static-v3";   // v3: the save queue moved to judge-queue.js
var PAGES = "judge-pages-v2:";
var OFFLINE_URL = new URL("offline", self.registration.scope).href;

self.addEventListener("install", function (event) {
  self.skipWaiting();
  event.waitUntil(keepOfflinePage().catch(function () { /* kept on the next precache */ }));
});

function keepOfflinePage() {
  return fetch(OFFLINE_URL, {credentials: "same-origin"}).then(function (response) {
    if (!response.ok) { return null; }
    return caches.open(STATIC).then(function (cache) { return cache.put(OFFLINE_URL, response); });
  });
}

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

// The offline page kept at install; if even that is gone (another account
// signed in since), a line in Vietnamese and English.
function offline() {
  var headers = {"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store"};
  return caches.open(STATIC).then(function (cache) { return cache.match(OFFLINE_URL); }).then(function (kept) {
    if (kept) { return kept.text().then(function (body) { return new Response(body, {status: 503, headers: headers}); }); }
    return new Response('<!doctype html><html lang="vi"><meta charset="utf-8"><meta name="viewport" ' +
      'content="width=device-width, initial-scale=1"><title>Không có kết nối mạng</title><main>' +
      '<h1>Không có kết nối mạng</h1><p lang="en">No connection.</p></main></html>', {status: 503, headers: headers});
  });
}

function fromCache(request, failed) {
  return pagesCache().then(function (name) {
    if (!name) { return null; }
    var account = name.slice(PAGES.length);
    return caches.open(name).then(function (cache) { return cache.match(request, {ignoreVary: true}); }).then(function (cached) {
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

// Pages of one account, one after the other (a hall of tablets should not
// all hit the server at once), each kept for the account the server names.
// Answers how many pages were kept.
function precache(pages, assets) {
  var kept = 0;
  var chain = Promise.resolve();
  pages.forEach(function (url) {
    chain = chain.then(function () {
      return fetch(url, {credentials: "same-origin", redirect: "manual"}).then(function (response) {
        var account = response.headers.get("X-Account");
        if (!response.ok || !account) { return null; }
        return forgetOtherAccounts(account).then(function () {
          return caches.open(PAGES + account);
        }).then(function (cache) { return cache.put(url, response); }).then(function () { kept += 1; });
      }).catch(function () { /* this one waits for the next visit */ });
    });
  });
  return chain.then(function () {
    return caches.open(STATIC);
  }).then(function (cache) {
    return Promise.all(assets.map(function (url) {
      return cache.match(url).then(function (cached) {
        return cached || fetch(url).then(function (response) { return response.ok ? cache.put(url, response) : null; });
      }).catch(function () { return null; });
    }));
  }).then(keepOfflinePage).catch(function () { return null; }).then(function () { return kept; });
}

function same(url) {
  try { return new URL(url, self.location.href).origin === self.location.origin; } catch (e) { return false; }
}

// {type: "forget"}: log-out, forget everything. {type: "account", account}: the
// account signed in now; forget the others'. {type: "precache", pages, assets}:
// keep these ahead. Answered on the message's port.
self.addEventListener("message", function (event) {
  var data = event.data || {};
  var done;
  if (data.type === "forget") {
    done = deleteCaches(function () { return false; });
  } else if (data.type === "account" && data.account) {
    done = forgetOtherAccounts(String(data.account));
  } else if (data.type === "precache") {
    done = precache((data.pages || []).filter(same), (data.assets || []).filter(same));
  } else { return; }
  event.waitUntil(done.then(function (answer) {
    if (event.ports && event.ports[0]) { event.ports[0].postMessage({done: true, kept: answer}); }
  }));
});
