// CrampCare's service worker: keeps the app shell (the offline page, the style sheet, the
// scripts, the icon) so the night log and the relief steps open with no network. Nothing else
// is ever stored: pages and API answers with health data are no-store, and go to the network
// only. A navigation that cannot reach the server gets the offline page.
"use strict";
var VERSION = "{{version}}";
var SHELL = "crampcare-shell-" + VERSION;
var FILES = ["/offline", "/static/style.css", "/static/app.js", "/static/relieve.js", "/static/icon-192.png", "/manifest.webmanifest"];

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(SHELL).then(function (cache) {
    // Past the browser's own cache, so a new version never keeps an old copy.
    return cache.addAll(FILES.map(function (url) { return new Request(url, { cache: "reload" }); }));
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (key) { return key !== SHELL; }).map(function (key) { return caches["delete"](key); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    event.respondWith(fetch(request).catch(function () {
      return caches.match("/offline").then(function (page) {
        return page || new Response("You are offline. If you think it is an emergency, call your emergency number now.",
          { status: 503, headers: { "Content-Type": "text/plain; charset=utf-8" } });
      });
    }));
    return;
  }
  if (FILES.indexOf(url.pathname) >= 0 && url.search === "") {
    event.respondWith(caches.match(url.pathname).then(function (hit) { return hit || fetch(request); }));
  }
  // Everything else (the API, any page's data) is left to the network, and never stored.
});
