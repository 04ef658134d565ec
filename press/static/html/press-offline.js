/* The web book as an offline web app (press.web.offline): register the service worker
 * that stores the whole book on first visit. Only over HTTP(S): from disk (file://)
 * every page is already there. */
(() => {
  "use strict";
  if (!("serviceWorker" in navigator) || !/^https?:$/.test(location.protocol)) return;
  const root = new URL(document.documentElement.dataset.content_root || "./", location.href);
  navigator.serviceWorker.register(new URL("sw.js", root), { scope: root.pathname }).catch((error) => {
    console.warn("press: offline copy unavailable:", error);
  });
})();
