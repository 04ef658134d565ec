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

/* Figure zoom: a click (or Enter/Space) on a figure's image opens it enlarged in a
 * modal <dialog>; Escape, the Close button or a click on the backdrop closes it and
 * focus returns to the figure.  No library, no request: works from file://. */
(() => {
  "use strict";
  const ready = (fn) =>
    document.readyState !== "loading" ? fn() : document.addEventListener("DOMContentLoaded", fn);
  ready(() => {
    const images = document.querySelectorAll("article.bd-article figure img");
    if (!images.length || typeof HTMLDialogElement === "undefined") return;
    const dialog = document.createElement("dialog");
    dialog.className = "press-lightbox";
    dialog.setAttribute("aria-label", "Enlarged figure");
    dialog.innerHTML =
      '<button type="button" class="press-lightbox__close">Close</button>' +
      '<p class="press-lightbox__caption"></p>';
    document.body.appendChild(dialog);
    const caption = dialog.querySelector("p");
    let big = null; // made on opening, removed on closing: no empty <img> in the page
    let opener = null;
    const open = (img, from) => {
      opener = from;
      big = document.createElement("img");
      big.className = "press-lightbox__img";
      big.alt = img.alt || "";
      big.src = img.currentSrc || img.src;
      caption.before(big);
      const cap = img.closest("figure").querySelector("figcaption");
      const text = cap ? cap.cloneNode(true) : null;
      if (text) text.querySelectorAll(".headerlink").forEach((el) => el.remove());
      caption.textContent = text ? text.textContent.trim() : "";
      dialog.showModal();
      dialog.querySelector("button").focus();
    };
    dialog.querySelector("button").addEventListener("click", () => dialog.close());
    dialog.addEventListener("click", (e) => { if (e.target === dialog) dialog.close(); });
    dialog.addEventListener("close", () => {
      if (big) big.remove();
      big = null;
      if (opener) opener.focus();
    });
    for (const img of images) {
      const link = img.closest("a");
      if (link && !link.classList.contains("image-reference")) continue; // a figure that links elsewhere
      let trigger = link;
      if (!trigger) {
        trigger = document.createElement("button");
        trigger.type = "button";
        img.replaceWith(trigger);
        trigger.appendChild(img);
      }
      trigger.classList.add("press-zoom");
      trigger.setAttribute("aria-label", "Enlarge figure: " + (img.alt || "image"));
      trigger.setAttribute("aria-haspopup", "dialog");
      trigger.addEventListener("click", (e) => { e.preventDefault(); open(img, trigger); });
    }
  });
})();

/* Link previews (press.web.previews): hover or focus a citation or a cross-reference
 * in the text and a small popup shows the reference, or the target's title and first
 * paragraph.  The data is a script in _static (window.PRESS_PREVIEWS), so it works
 * offline and from file://.  Escape or moving away closes the popup. */
(() => {
  "use strict";
  const script = document.currentScript;
  const ready = (fn) =>
    document.readyState !== "loading" ? fn() : document.addEventListener("DOMContentLoaded", fn);
  ready(() => {
    const src = (script && script.src) || "";
    const root = src.slice(0, src.lastIndexOf("/_static/") + 1);
    if (!root) return;
    const tip = document.createElement("div");
    tip.className = "press-preview";
    tip.id = "press-preview";
    tip.setAttribute("role", "tooltip");
    tip.hidden = true;
    document.body.appendChild(tip);
    let current = null;
    let timer = 0;
    const key = (a) => {
      const url = new URL(a.getAttribute("href"), document.baseURI);
      const page = url.href.split("#")[0];
      if (!page.startsWith(root)) return "";
      return decodeURIComponent(page.slice(root.length)) + decodeURIComponent(url.hash);
    };
    const hide = () => {
      clearTimeout(timer);
      if (current) current.removeAttribute("aria-describedby");
      current = null;
      tip.hidden = true;
    };
    const show = (a) => {
      const data = window.PRESS_PREVIEWS || {};
      const item = data[key(a)];
      if (!item) return;
      clearTimeout(timer);
      if (current && current !== a) current.removeAttribute("aria-describedby");
      current = a;
      tip.replaceChildren();
      if (item.t) {
        const t = document.createElement("p");
        t.className = "press-preview__title";
        t.textContent = item.t;
        tip.appendChild(t);
      }
      if (item.x) {
        const x = document.createElement("p");
        x.textContent = item.x;
        tip.appendChild(x);
      }
      tip.hidden = false;
      a.setAttribute("aria-describedby", tip.id);
      const r = a.getBoundingClientRect();
      const width = Math.min(420, document.documentElement.clientWidth - 16);
      tip.style.width = width + "px";
      const left = Math.max(8, Math.min(r.left + window.scrollX, window.scrollX + document.documentElement.clientWidth - width - 8));
      tip.style.left = left + "px";
      const below = r.bottom + window.scrollY + 6;
      tip.style.top = below + "px";
      const h = tip.offsetHeight;
      if (r.bottom + 6 + h > window.innerHeight && r.top - 6 - h > 0) tip.style.top = r.top + window.scrollY - 6 - h + "px";
    };
    const links = document.querySelectorAll("article.bd-article a.reference.internal[href]");
    for (const a of links) {
      if (a.closest(".toctree-wrapper, nav")) continue;
      a.addEventListener("mouseenter", () => { timer = setTimeout(() => show(a), 200); });
      a.addEventListener("mouseleave", () => { clearTimeout(timer); timer = setTimeout(hide, 250); });
      a.addEventListener("focus", () => show(a));
      a.addEventListener("blur", hide);
    }
    tip.addEventListener("mouseenter", () => clearTimeout(timer));
    tip.addEventListener("mouseleave", hide);
    document.addEventListener("keydown", (e) => { if (e.key === "Escape" && !tip.hidden) hide(); });
  });
})();
