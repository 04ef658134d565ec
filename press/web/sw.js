/* Service worker of the web book (press.web.offline); generated at build time, do not edit.
 * Install: store every file of the book in a cache named after the book's address and the
 * build's version. Activate: delete this book's older caches. Fetch: the cache first (query
 * strings such as ?v=… ignored, "folder/" served as "folder/index.html"), else the network. */
"use strict";
const VERSION = "@VERSION@";
const FILES = ["@FILES@"];
const SCOPE = self.registration.scope;
const PREFIX = "press-book " + SCOPE + " ";
const CACHE = PREFIX + VERSION;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE)
      .then((cache) => cache.addAll(FILES.map((f) => new Request(new URL(f, SCOPE), { cache: "reload" }))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith(PREFIX) && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

async function answer(request) {
  const cache = await caches.open(CACHE);
  const url = new URL(request.url);
  url.hash = "";
  url.search = "";
  const candidates = url.pathname.endsWith("/") ? [url.href + "index.html", url.href] : [url.href];
  for (const candidate of candidates) {
    const hit = await cache.match(candidate, { ignoreSearch: true });
    if (hit) return hit;
  }
  try {
    return await fetch(request);
  } catch (error) {
    if (request.mode === "navigate") {
      const missing = await cache.match(new URL("404.html", SCOPE).href);
      if (missing) return missing;
    }
    throw error;
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET" || !request.url.startsWith(SCOPE)) return;
  event.respondWith(answer(request));
});
