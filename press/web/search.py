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
from pathlib import Path
from typing import Any

import lxml.html
from lxml import etree

from sphinx.application import Sphinx

from . import is_web

DATA = "press-search-text.js"
SHIM = "press-search.js"
VOID = frozenset("area base br col embed hr img input link meta source track wbr".split())
SKIP = frozenset({"script", "style", "template", "noscript"})
#: Parts of the theme's main block that are not the page's text.
SKIP_CLASSES = frozenset(
    {"headerlink", "bd-header-article", "bd-sidebar-secondary", "prev-next-area", "bd-footer-article", "bd-footer-content",
     "onlyprint",  # the theme's print-only contents list: not a snippet
     "press-byline"}  # a page's date and tags (press.pagemeta): not its text
)
BLOCK = frozenset(
    "address article aside blockquote dd details dialog div dl dt figcaption figure footer form "
    "h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section table tbody td tfoot th thead tr ul".split()
)


def _inline_ids(block: Any) -> list[str]:
    """The ids of the inline elements of ``block`` (not inside a nested block)."""
    ids = []
    for child in block:
        tag = child.tag if isinstance(child.tag, str) else ""
        if not tag or tag in BLOCK or tag in SKIP:
            continue
        if child.get("id"):
            ids.append(child.get("id"))
        ids += _inline_ids(child)
    return ids


def _walk(element: Any, out: list[str], skipped: bool) -> None:
    """Append ``element``'s children (text, id'd ``<div>``s, line breaks) to ``out``.

    A block starts and ends a line (a date and the tag after it are not run together).  An
    id on an inline element (an index anchor on a word) is put on its block: a result that
    lands there shows the paragraph around the word, not the word alone."""
    if element.text and not skipped:
        out.append(html.escape(element.text, quote=False))
    for child in element:
        tag = child.tag if isinstance(child.tag, str) else ""  # comments and PIs: only their tail
        if tag in VOID:
            if tag == "br" and not skipped:
                out.append(" ")
        elif tag:
            skip = skipped or tag in SKIP or not SKIP_CLASSES.isdisjoint((child.get("class") or "").split())
            block = tag in BLOCK
            idents = []
            if not skip and (block or element.tag == "main" or element.get("role") == "main"):
                idents = [child.get("id")] if child.get("id") else []
                idents += _inline_ids(child) if block else []
            if block and not skip:
                out.append("\n")
            out += [f'<div id="{html.escape(i, quote=True)}">' for i in idents]
            _walk(child, out, skip)
            out += ["</div>"] * len(idents)
            if block and not skip:
                out.append("\n")
        if child.tail and not skipped:
            out.append(html.escape(child.tail, quote=False))


def main_text(page: str) -> str:
    """The reduced ``[role="main"]`` block of one page's HTML (parsed with lxml: the
    standard library's parser took ~1.5 s of a 200-page build)."""
    out: list[str] = []
    try:
        root = lxml.html.document_fromstring(page)
    except (etree.ParserError, ValueError):
        root = None
    main = root.find('.//*[@role="main"]') if root is not None else None
    if main is not None:
        _walk(main, out, False)
    text = "".join(out)
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return '<div role="main">' + "\n".join(line for line in lines if line) + "</div>"


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
