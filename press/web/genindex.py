"""The web book's index page (``genindex.html``) and its link in the sidebar.

Sphinx's index page lists the glossary terms and ``index`` entries.  This adds the
names and tools of ``press_index_terms`` (with their sub-entries), each linked to its
first mention in every page, from the anchors :mod:`press.indexterms` placed when the
pages were read (kept in the environment, so an incremental build that rewrites one
page still lists the mentions in all the others).  They are merged into Sphinx's own
index entries before Sphinx groups and sorts them (``IndexEntries.create_index``), so
the page keeps Sphinx's order, letters and markup; the EPUB's index has the same entries.

Every page's sidebar links the index (``press_index_href``, ``sbt-sidebar-nav.html``)
when the book has one; when that changes, every page is rewritten (a stamp in the
doctree folder, like :mod:`press.web.downloads`).
"""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.environment.adapters.indexentries import IndexEntries

from .. import indexterms
from ..stamps import Stamp
from . import is_web

PAGE = "genindex"
#: In the doctree folder (staged and published with the pages): whether the pages link an index.
STAMP = "press-genindex.json"


def _extra(env: BuildEnvironment) -> dict[str, list[tuple[str, str, str, str, None]]]:
    """The mentions as Sphinx index entries (``single``, entry, anchor id), per page."""
    return {
        doc: [("single", entry, anchor, "", None) for entry, anchor in found]
        for doc, found in indexterms.mentions(env).items() if doc in env.all_docs and found
    }


def has_index(app: Sphinx) -> bool:
    """Whether this web build writes an index page with at least one entry."""
    env = app.env
    if not getattr(app.builder, "use_index", False):
        return False
    return any(env.get_domain("index").entries.values()) or bool(_extra(env))  # type: ignore[attr-defined]


def create_index(app: Sphinx) -> list:
    """Sphinx's index (``genindexentries``) with the mentions of ``press_index_terms``
    added as ``single`` entries before Sphinx sorts and groups them.  The index domain's
    entries are extended only for the call and restored after."""
    domain = app.env.get_domain("index")
    entries = domain.entries  # type: ignore[attr-defined]
    extra = _extra(app.env)
    saved = {doc: entries.get(doc) for doc in extra}
    try:
        for doc, more in extra.items():
            entries[doc] = [*(saved[doc] or []), *more]
        return IndexEntries(app.env).create_index(app.builder)
    finally:
        for doc, old in saved.items():
            if old is None:
                entries.pop(doc, None)
            else:
                entries[doc] = old


def _index(app: Sphinx) -> list:
    builder = app.builder
    if getattr(builder, "press_genindex", None) is None:
        builder.press_genindex = create_index(app)  # type: ignore[attr-defined]
    return builder.press_genindex  # type: ignore[attr-defined]


def page_context(app: Sphinx, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    """The sidebar's link to the index on every page; the merged entries on the index page(s)."""
    if not is_web(app.builder):
        return
    if has_index(app):
        context["press_index_href"] = context["pathto"](PAGE)
        context["press_index_current"] = pagename == PAGE or pagename.startswith(f"{PAGE}-")
    if "genindexentries" in context and (pagename == PAGE or pagename.startswith(f"{PAGE}-")):
        index = _index(app)
        context["genindexentries"] = index
        context["genindexcounts"] = [sum(1 + len(subs) for _, (_, subs, _) in entries) for _, entries in index]
        if "key" in context:  # html_split_index: one letter's page
            for (key, entries), count in zip(index, context["genindexcounts"], strict=True):
                if key == context["key"]:
                    context["entries"], context["count"] = entries, count


def _stamp(app: Sphinx) -> Stamp:
    return Stamp(app.doctreedir, STAMP)


def rewrite_if_changed(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """``env-get-updated``: every page's sidebar shows the index link or not, so when that
    changes (or was never recorded) every page is rewritten."""
    if not is_web(app.builder):
        return []
    previous = _stamp(app).data()
    return sorted(env.found_docs) if {"index": has_index(app)} != previous else []


def _save(app: Sphinx, exception: Exception | None) -> None:
    if exception is None and is_web(app.builder):
        _stamp(app).write_data({"index": has_index(app)})


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the index page's entries, the sidebar link and its stamp (web builders)."""
    app.connect("html-page-context", page_context)
    app.connect("env-get-updated", rewrite_if_changed)
    app.connect("build-finished", _save)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
