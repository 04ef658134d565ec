"""A complete ``sitemap.xml`` after incremental builds too.

sphinx-sitemap collects a page's URL when the page is written (``html-page-context``)
and writes the sitemap of those at ``build-finished``, so after an incremental build,
which writes only the pages that changed, the sitemap would list only those.  Just
before it writes, this module adds every page of the web book that was not written this
time (the documents and the tag pages kept from the last good build), through
sphinx-sitemap's own :func:`sphinx_sitemap.add_html_link` (so its URL scheme and
``sitemap_excludes`` apply), and sorts the list, so an incremental build and a clean
build give the same file.
"""

from __future__ import annotations

import queue
from typing import Any

from sphinx.application import Sphinx

from .. import adapters
from . import is_web, tags


def complete(app: Sphinx, exception: Exception | None) -> None:
    links = adapters.sitemap_queue(app)
    if exception is not None or links is None or not is_web(app.builder):
        return
    found: dict[str, Any] = {}
    pending: list[tuple[str, Any]] = []

    def drain() -> None:
        while True:
            try:
                link, updated = links.get_nowait()
            except queue.Empty:
                return
            pending.append((link, updated))

    drain()
    written = {link for link, _ in pending}
    pages = sorted(app.env.found_docs) + tags.pagenames(app.builder)
    for page in pages:  # sphinx-sitemap makes the link (and drops excluded pages)
        adapters.add_sitemap_page(app, page)
    drain()
    for link, updated in pending:
        if link not in found or (link in written and updated):
            found[link] = updated
    for link in sorted(found):
        links.put((link, found[link]))


def setup(app: Sphinx) -> dict[str, Any]:
    """Complete sphinx-sitemap's list before it writes (``build-finished``, priority 450)."""
    app.connect("build-finished", complete, priority=450)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
