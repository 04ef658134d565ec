"""Search result snippets that work from ``file://`` too.

Sphinx's search page shows, under each result, a snippet of the page around
the search words; it gets the text by fetching the page's HTML, which browsers
refuse on ``file://``.  At the end of a web build this module writes
``_static/press-search-text.js``: for every document, the text of its
``[role="main"]`` block, reduced to plain text plus the elements that carry an
``id`` (so section results still find their anchor).  ``press-search.js``,
loaded before ``searchtools.js`` on the search page only, answers the search's
page requests from that data, so snippets appear from disk and over HTTP alike,
with no extra request.
"""

from __future__ import annotations

import html
import json
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx

from . import is_web

DATA = "press-search-text.js"
SHIM = "press-search.js"
VOID = frozenset("area base br col embed hr img input link meta source track wbr".split())
SKIP = frozenset({"script", "style", "template", "noscript"})
#: Parts of the theme's main block that are not the page's text.
SKIP_CLASSES = frozenset(
    {"headerlink", "bd-header-article", "bd-sidebar-secondary", "prev-next-area", "bd-footer-article", "bd-footer-content",
     "onlyprint"}  # the theme's print-only contents list: not a snippet
)
BLOCK = frozenset(
    "address article aside blockquote dd details dialog div dl dt figcaption figure footer form "
    "h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section table tbody td tfoot th thead tr ul".split()
)


class MainText(HTMLParser):
    """Reduce the ``[role="main"]`` element of a page to text and id'd ``<div>``s."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.stack: list[tuple[str, bool, bool]] = []  # open elements in main: (tag, wrote a <div>, skipped)
        self.done = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID or self.done:
            if tag == "br" and self.stack and not self.stack[-1][2]:
                self.out.append(" ")
            return
        a = dict(attrs)
        if not self.stack:
            if a.get("role") == "main":
                self.stack.append((tag, False, False))
            return
        skipped = self.stack[-1][2] or tag in SKIP or not SKIP_CLASSES.isdisjoint((a.get("class") or "").split())
        wrote = bool(a.get("id")) and not skipped
        if wrote:
            self.out.append(f'<div id="{html.escape(a["id"] or "", quote=True)}">')
        self.stack.append((tag, wrote, skipped))

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or tag in VOID or all(t != tag for t, _, _ in self.stack):
            return
        while self.stack:
            open_tag, wrote, skipped = self.stack.pop()
            if wrote:
                self.out.append("</div>")
            if open_tag in BLOCK and not skipped:
                self.out.append("\n")
            if open_tag == tag:
                break
        if not self.stack:
            self.done = True  # one main block per page

    def handle_data(self, data: str) -> None:
        if self.stack and not self.stack[-1][2]:
            self.out.append(html.escape(data, quote=False))

    def result(self) -> str:
        text = "".join(self.out)
        lines = (" ".join(line.split()) for line in text.split("\n"))
        return '<div role="main">' + "\n".join(line for line in lines if line) + "</div>"


def main_text(page: str) -> str:
    """The reduced ``[role="main"]`` block of one page's HTML."""
    parser = MainText()
    parser.feed(page)
    parser.close()
    return parser.result()


PREFIX = "window.PRESS_SEARCH_TEXT = "


def previous_data(path: Path) -> tuple[dict[str, str], int]:
    """The data an earlier build of this output wrote, and when (0: none)."""
    try:
        text = path.read_text(encoding="utf-8")
        payload = text[text.index(PREFIX) + len(PREFIX):].rstrip().rstrip(";")
        return json.loads(payload), path.stat().st_mtime_ns
    except (OSError, ValueError):
        return {}, 0


def write_data(app: Sphinx, exception: Exception | None) -> None:
    """At ``build-finished``: the snippet data of every document.  An incremental build
    parses only the pages written since the data was (the engine keeps modification
    times when it stages the last good output); the others keep their entry."""
    if exception is not None or not is_web(app.builder):
        return
    outdir = Path(app.outdir)
    static = outdir / "_static"
    old, written = previous_data(static / DATA)
    data = {}
    for doc in sorted(app.env.found_docs):
        page = outdir / app.builder.get_target_uri(doc)
        if not page.is_file():
            continue
        if doc in old and page.stat().st_mtime_ns < written:
            data[doc] = old[doc]
        else:
            data[doc] = main_text(page.read_text(encoding="utf-8"))
    payload = json.dumps(data, ensure_ascii=True, sort_keys=True, separators=(",", ":"))
    static.mkdir(exist_ok=True)
    (static / DATA).write_text(
        "// Page text for search snippets (press.web.search); generated, do not edit.\n"
        f"{PREFIX}{payload};\n",
        encoding="utf-8",
    )


def page_context(app: Sphinx, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    """Load the data and the shim on the search page only, before ``searchtools.js``."""
    if pagename == "search" and is_web(app.builder):
        app.add_js_file(DATA)
        app.add_js_file(SHIM)


def setup(app: Sphinx) -> dict[str, Any]:
    """Write the snippet data at the end of web builds; load it on the search page."""
    app.connect("html-page-context", page_context)
    app.connect("build-finished", write_data)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
