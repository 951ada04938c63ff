// The service worker: pages and files a cadre needs in a village without signal.
// Static files: cache first (their names carry no hash, so they are refreshed in the
// background). The diary entry page and the household search answers: network first,
// the last copy when there is no connection. Nothing else is kept.
var CACHE = "liaison-v1";
var OFFLINE_PAGES = ["/diary/new/", "/diary/households/"];

self.addEventListener("install", function (event) { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

function keep(request, response) {
  if (response && response.ok && response.type === "basic") {
    var copy = response.clone();
    caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
  }
  return response;
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.indexOf("/static/") === 0) {
    event.respondWith(caches.match(request).then(function (hit) {
      var fresh = fetch(request).then(function (response) { return keep(request, response); });
      return hit || fresh;
    }));
    return;
  }
  if (OFFLINE_PAGES.some(function (path) { return url.pathname === path; })) {
    event.respondWith(fetch(request).then(function (response) {
      return keep(request, response);
    }).catch(function () {
      return caches.match(request, { ignoreSearch: url.pathname === "/diary/new/" });
    }));
  }
});
