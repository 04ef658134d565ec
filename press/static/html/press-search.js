/* Search snippets from disk (press.web.search).
 *
 * Sphinx's searchtools.js fetches each result's page to cut a snippet from its
 * [role="main"] text; on file:// browsers block that request.  The text of every
 * page is in window.PRESS_SEARCH_TEXT (press-search-text.js), so requests for
 * those pages are answered from it, from disk and over HTTP alike.
 */
(() => {
  "use strict";
  const pages = window.PRESS_SEARCH_TEXT;
  const realFetch = window.fetch ? window.fetch.bind(window) : null;
  if (!pages || !realFetch) return;
  const pageText = (input) => {
    let url;
    try {
      url = new URL(typeof input === "string" ? input : input.url, document.baseURI);
    } catch (e) {
      return undefined;
    }
    const root = new URL(document.documentElement.dataset.content_root || "./", document.baseURI);
    if (url.origin !== root.origin || !url.pathname.startsWith(root.pathname)) return undefined;
    const suffix = (window.DOCUMENTATION_OPTIONS && DOCUMENTATION_OPTIONS.FILE_SUFFIX) || ".html";
    let doc = decodeURIComponent(url.pathname.slice(root.pathname.length));
    if (!doc.endsWith(suffix)) return undefined;
    doc = doc.slice(0, -suffix.length);
    return Object.prototype.hasOwnProperty.call(pages, doc) ? pages[doc] : undefined;
  };
  window.fetch = (input, init) => {
    const text = pageText(input);
    if (text === undefined) return realFetch(input, init);
    return Promise.resolve(
      new Response(text, { status: 200, headers: { "Content-Type": "text/html; charset=utf-8" } }),
    );
  };
})();
