/* The web book as an offline web app (press.web.offline).
 *
 * Registers the service worker that stores the whole book on first visit; only over
 * HTTP(S): from disk (file://) every page is already there.  Offline, a browser sends
 * <a download> links past the service worker and the download fails, so while offline
 * the "Download PDF/EPUB" links are answered from the worker's copy instead. */
(() => {
  "use strict";
  if (!("serviceWorker" in navigator) || !/^https?:$/.test(location.protocol)) return;
  const root = new URL(document.documentElement.dataset.content_root || "./", location.href);
  navigator.serviceWorker.register(new URL("sw.js", root), { scope: root.pathname }).catch((error) => {
    console.warn("press: offline copy unavailable:", error);
  });
  document.addEventListener("click", async (event) => {
    const link = event.target.closest && event.target.closest("a[download]");
    if (!link || link.protocol === "blob:" || navigator.onLine || !navigator.serviceWorker.controller) return;
    event.preventDefault();
    const response = await fetch(link.href);
    if (!response.ok) return;
    const url = URL.createObjectURL(await response.blob());
    const copy = Object.assign(document.createElement("a"), { href: url, download: link.getAttribute("download") });
    document.body.append(copy);
    copy.click();
    copy.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  });
})();
