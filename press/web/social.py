"""Description, OpenGraph and Twitter card tags for every web page.

``sphinxext-opengraph`` writes the ``og:*`` tags of documents; this module
feeds it the front matter ``description`` (instead of the first paragraph),
and adds what it leaves out: Twitter card tags on every page, and ``og:*`` plus
``<meta name="description">`` on generated pages (the tag pages), which have
no doctree.
"""

from __future__ import annotations

import html
import re
from typing import Any
from urllib.parse import urljoin

from sphinx.application import Sphinx

from .. import frontmatter
from . import is_web, site_url

OG_DESCRIPTION = re.compile(r'<meta property="og:description" content="([^"]*)"')
TAGS = re.compile(r"<[^>]+>")


def _meta(name: str, content: str, attr: str = "name") -> str:
    return f'\n    <meta {attr}="{name}" content="{html.escape(content, quote=True)}" />'


def _plain_title(context: dict) -> str:
    return html.unescape(TAGS.sub("", context.get("title") or "")).strip()


def feed_opengraph(app: Sphinx, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    """Before opengraph runs: the front matter description becomes ``og:description``."""
    if not is_web(app.builder):
        return
    meta = frontmatter.page(app.env, pagename)
    if meta is not None and meta.description:
        # A copy: context["meta"] is the environment's own dict.
        context["meta"] = {**(context.get("meta") or {}), "og:description": meta.description}


def add_tags(app: Sphinx, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    """After opengraph runs: Twitter card tags; ``og:*`` for generated pages."""
    if not is_web(app.builder):
        return
    metatags = context.get("metatags", "")
    title = _plain_title(context)
    description = context.get("press_description", "")
    found = OG_DESCRIPTION.search(metatags)
    if found and not description:
        description = html.unescape(found.group(1))
    extra = []
    if doctree is None and 'property="og:title"' not in metatags and pagename != "404":
        url = site_url(app.config)
        extra.append(_meta("og:title", title, "property"))
        extra.append(_meta("og:type", app.config.ogp_type, "property"))
        if url:
            extra.append(_meta("og:url", urljoin(url, app.builder.get_target_uri(pagename)), "property"))
        extra.append(_meta("og:site_name", app.config.project, "property"))
        if description:
            extra.append(_meta("og:description", description, "property"))
    if description and 'name="description"' not in metatags:
        extra.append(_meta("description", description))
    # a page with a (landscape) og:image gets the large card; otherwise the small one
    large = 'property="og:image"' in metatags or any('property="og:image"' in e for e in extra)
    extra.append(_meta("twitter:card", "summary_large_image" if large else "summary"))
    if title:
        extra.append(_meta("twitter:title", title))
    if description:
        extra.append(_meta("twitter:description", description))
    context["metatags"] = metatags + "".join(extra)


def setup(app: Sphinx) -> dict[str, Any]:
    """Connect the two ``html-page-context`` handlers around sphinxext-opengraph's."""
    app.connect("html-page-context", feed_opengraph, priority=400)
    app.connect("html-page-context", add_tags, priority=650)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
