"""Accessibility fixes to the theme's markup (axe: 0 serious, 0 critical).

* The sidebar's expand/collapse toggles are ``<summary>`` elements holding only
  an icon (pydata-sphinx-theme): each gets an ``aria-label`` naming its section.
* Bibliography entries: docutils writes ``role="doc-biblioentry"`` (deprecated in
  DPUB-ARIA 1.1, not allowed on a ``div``) inside a ``role="list"`` that then has no
  list items (axe ``aria-required-children``, critical): they become ``listitem``.
* Pages without a title of their own (the 404 page) keep the theme's print heading
  filled (axe ``empty-heading``); the front page's ``<title>`` is the book's title once,
  not "Title — Title".
* A hyphenated compound in a heading, the sidebar navigation or the book's name in
  the sidebar ("AI-Assisted") never breaks after its hyphen: it is wrapped in
  ``<span class="press-nowrap">`` (``white-space: nowrap``; a non-breaking hyphen,
  U+2011, is missing from many system fonts).
"""

from __future__ import annotations

import html
import re
from typing import Any

from markupsafe import Markup
from sphinx.application import Sphinx

from . import is_web


def label_toggles(soup: Any) -> Any:
    """Give every text-less ``<summary>`` of a toctree soup an ``aria-label``."""
    for summary in soup.select("li > details > summary"):
        if summary.get_text(strip=True) or summary.get("aria-label"):
            continue
        link = summary.parent.parent.find("a", recursive=False)
        title = link.get_text(" ", strip=True) if link else ""
        summary["aria-label"] = f"Show or hide the pages in {title}" if title else "Show or hide the pages"
    return soup


BIBLIOENTRY = ' role="doc-biblioentry"'


def page_context(app: Sphinx, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    """Wrap the theme's ``generate_toctree_html`` (after the theme has set it); fix the
    bibliography's roles, the 404 page's print heading and the front page's title."""
    if not is_web(app.builder):
        return
    body = context.get("body")
    if isinstance(body, str) and BIBLIOENTRY in body:
        context["body"] = body.replace(BIBLIOENTRY, ' role="listitem"')
    if not context.get("pagetitle") and context.get("title"):
        context["pagetitle"] = context["title"]
    docstitle = context.get("docstitle") or ""
    if pagename == app.config.root_doc and docstitle and _plain(context.get("title", "")) == _plain(docstitle):
        context["press_title_alone"] = True  # templates/layout.html
    if isinstance(context.get("body"), str):
        context["body"] = _HEADING.sub(lambda m: m.group(1) + nowrap_compounds(m.group(2)) + m.group(3), context["body"])
    context["press_nowrap"] = lambda text: Markup(nowrap_compounds(str(Markup.escape(text))))
    nav = context.get("press_sidebar_nav")
    if callable(nav):  # press.web.nav
        context["press_sidebar_nav"] = lambda **kwargs: nowrap_compounds(nav(**kwargs))
    original = context.get("generate_toctree_html")
    if not callable(original):
        return

    def generate_toctree_html(*args: Any, **kwargs: Any) -> Any:
        out = original(*args, **kwargs)
        return label_toggles(out) if hasattr(out, "select") else out

    context["generate_toctree_html"] = generate_toctree_html


_HEADING = re.compile(r"(<h[1-6][^>]*>)(.*?)(</h[1-6]>)", re.S)
_TAG = re.compile(r"(<[^>]*>)")
_COMPOUND = re.compile(r"(?<![\w-])(\w[\w’']*(?:-\w[\w’']*)+)(?![\w-])")


def nowrap_compounds(markup: str) -> str:
    """Wrap each hyphenated compound in the text of ``markup`` (not in its tags) in a
    ``press-nowrap`` span."""
    parts = _TAG.split(markup)
    for i in range(0, len(parts), 2):  # the text between tags
        parts[i] = _COMPOUND.sub(r'<span class="press-nowrap">\1</span>', parts[i])
    return "".join(parts)


def _plain(title: str) -> str:
    return re.sub(r"<[^>]+>", "", html.unescape(str(title))).strip()


def setup(app: Sphinx) -> dict[str, Any]:
    """Connect the markup fixes after the theme's own ``html-page-context`` handlers."""
    app.connect("html-page-context", page_context, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
