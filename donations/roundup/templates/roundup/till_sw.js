/* Solidaire — the till's service worker: keeps the page /caisse and its assets for offline use.
 * Pages and assets: from the network when it answers (and kept), else from the cache.
 * The API is never cached: round-ups wait in the page's own queue, not here. */
"use strict";
var CACHE = "solidaire-caisse-{{ version }}";
var URLS = {{ urls|tojson }};

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) { return cache.addAll(URLS); })
    .then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf("solidaire-caisse-") === 0 && name !== CACHE;
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (event) {
  var request = event.request, url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin || url.pathname.indexOf("/api/") === 0) {
    return;
  }
  var path = url.pathname;
  if (URLS.indexOf(path) === -1) { return; }
  event.respondWith(fetch(request).then(function (response) {
    if (response.ok) {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { cache.put(path, copy); });
    }
    return response;
  }).catch(function () {
    return caches.match(path).then(function (cached) { return cached || Response.error(); });
  }));
});
