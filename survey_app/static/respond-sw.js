/* Service worker for the resident form: keeps the pages a resident opened, and the
   form's CSS and JS, so the form still opens and completes with no connection. */
var CACHE = "respond-v1";
self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

function isAsset(url) { return url.pathname.indexOf("/static/respond") === 0 || url.pathname === "/static/showif.js"; }
function isPage(url) { return url.pathname.indexOf("/s/") === 0 && url.pathname !== "/s/csrf" && url.pathname !== "/s/sw.js"; }

self.addEventListener("fetch", function (event) {
  var request = event.request, url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname === "/s/csrf") return;  // always live
  if (isAsset(url)) {
    event.respondWith(caches.open(CACHE).then(function (cache) {
      return fetch(request).then(function (response) {
        if (response.ok) cache.put(request, response.clone());
        return response;
      }).catch(function () { return cache.match(request); });
    }));
  } else if (request.mode === "navigate" && isPage(url)) {
    event.respondWith(fetch(request).then(function (response) {
      // Clone now, before the page starts reading the body: a clone made after the cache
      // opens fails with "body already used", and the page would never be kept.
      if (response.ok) {
        var copy = response.clone();
        event.waitUntil(caches.open(CACHE).then(function (cache) { return cache.put(request, copy); }));
      }
      return response;
    }).catch(function () {
      return caches.open(CACHE).then(function (cache) { return cache.match(request); });
    }));
  }
});

/* The first visit's page was loaded before this worker controlled it, so nothing above saw
   it: the page sends its own address and files ({keep: [urls]}), and they are kept now,
   while there is a connection. A QR-code visit is often the only one. */
self.addEventListener("message", function (event) {
  var urls = (event.data && event.data.keep || []).filter(function (href) {
    var url = new URL(href, self.location.href);
    return url.origin === self.location.origin && (isAsset(url) || isPage(url));
  });
  if (!urls.length) return;
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return Promise.all(urls.map(function (href) {
      return cache.match(href).then(function (hit) { return hit ? true : cache.add(href).then(function () { return true; }); })
        .catch(function () { return false; });
    }));
  }).then(function (kept) {
    // Tell the page once everything is stored (not merely listed): it may now be reopened offline.
    if (event.source && kept.every(Boolean)) event.source.postMessage({ kept: true });
  }));
});
