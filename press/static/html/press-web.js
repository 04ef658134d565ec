/* Web-book fixes (press.web).
 *
 * Sidebar toggles: pydata-sphinx-theme and sphinx-book-theme attach their
 * handlers to the FIRST .primary-toggle / .secondary-toggle of the page only,
 * which is the one in the top navbar; on phones that navbar is hidden and the
 * visible toggle (in the article header) did nothing.  Every other toggle now
 * hands its click to the first one, so the navigation drawer opens.
 */
(() => {
  "use strict";
  const ready = (fn) =>
    document.readyState !== "loading" ? fn() : document.addEventListener("DOMContentLoaded", fn);
  ready(() => {
    for (const selector of [".primary-toggle", ".secondary-toggle"]) {
      const [first, ...others] = document.querySelectorAll(selector);
      for (const button of others) {
        button.addEventListener("click", (event) => {
          event.preventDefault();
          event.stopPropagation();
          first.click();
        });
      }
    }
  });
})();
