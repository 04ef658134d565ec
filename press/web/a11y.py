"""Accessibility fixes to the theme's markup (axe: 0 serious, 0 critical).

* The sidebar's expand/collapse toggles are ``<summary>`` elements holding only
  an icon (pydata-sphinx-theme): each gets an ``aria-label`` naming its section.
"""

from __future__ import annotations

from typing import Any

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


def page_context(app: Sphinx, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    """Wrap the theme's ``generate_toctree_html`` (after the theme has set it)."""
    original = context.get("generate_toctree_html")
    if not is_web(app.builder) or not callable(original):
        return

    def generate_toctree_html(*args: Any, **kwargs: Any) -> Any:
        out = original(*args, **kwargs)
        return label_toggles(out) if hasattr(out, "select") else out

    context["generate_toctree_html"] = generate_toctree_html


def setup(app: Sphinx) -> dict[str, Any]:
    """Connect the markup fixes after the theme's own ``html-page-context`` handlers."""
    app.connect("html-page-context", page_context, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
