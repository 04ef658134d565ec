"""Web-book extras on top of sphinx-book-theme.

``press.web`` turns the HTML build into the published online book:

* :mod:`press.web.social` — ``<meta name="description">``, OpenGraph (via
  ``sphinxext-opengraph``) and Twitter card tags; canonical links
  (``html_baseurl``), ``sitemap.xml`` (``sphinx-sitemap``) and the 404 page
  (``sphinx-notfound-page``) get their settings from ``press_site_url``;
* :mod:`press.web.tags` — a tag index and one page per tag, generated from the
  front matter; web-only (never documents, so never in the PDF or EPUB);
* :mod:`press.web.genindex` — the index page with the names and tools of
  ``press_index_terms`` (as in the PDF and EPUB), linked from the sidebar;
* :mod:`press.web.downloads` — copies of the PDF and EPUB of the same build,
  linked from every page;
* :mod:`press.web.search` — search result snippets that work from ``file://``;
* :mod:`press.web.nav` — the sidebar navigation rendered once per build;
* :mod:`press.web.offline` — a zip of the web book beside the PDF and EPUB, and
  an installable web app whose service worker keeps the whole book offline;
* :mod:`press.web.mathml` — math rendered to MathML at build time (no MathJax,
  no CDN);
* :mod:`press.web.previews` — citation and cross-reference previews on hover
  and focus, from a data file written at build time (works from ``file://``);
* :mod:`press.web.csp` — a Content-Security-Policy in every page (the theme's own inline
  code by hash, nothing else inline);
* :mod:`press.web.prune` — pages the author deleted or renamed leave the output.

Every setting below is a default: ``conf.py`` may set any of them itself.
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from sphinx.application import Sphinx
from sphinx.builders import Builder
from sphinx.config import Config

from .. import config as press_config

STATIC = Path(__file__).resolve().parents[1] / "static" / "html"
TEMPLATES = Path(__file__).resolve().with_name("templates")

#: Builders that make the web book (the EPUB builder is an HTML builder too, but not these).
WEB_BUILDERS = frozenset({"html", "dirhtml"})

EXTENSIONS = ("sphinx_copybutton", "sphinxext.opengraph", "notfound.extension")


def is_web(builder: Builder | None) -> bool:
    """Whether ``builder`` makes the web book (HTML, not EPUB or single-page)."""
    return builder is not None and builder.name in WEB_BUILDERS


def site_url(config: Config) -> str:
    """``press_site_url`` with exactly one trailing slash (or ``""``)."""
    url = press_config.get(config).site_url.strip()
    return url.rstrip("/") + "/" if url else ""


def _has_site_url(config: Config) -> bool:
    """Whether conf.py (or a ``-D`` override) gives the site URL, read before config-inited."""
    given = {**config._raw_config, **config.overrides}
    if press_config.site_url_override():
        return True
    return bool(str(given.get("press_site_url") or given.get("html_baseurl") or "").strip())


def _defaults(app: Sphinx, config: Config) -> None:
    raw = config._raw_config

    def default(name: str, value: Any) -> None:
        if name not in raw:
            config[name] = value

    url = site_url(config)
    if url:
        default("html_baseurl", url)
        default("ogp_site_url", url)
    default("notfound_urls_prefix", (urlparse(url).path or "/") if url else "/")
    default("sitemap_url_scheme", "{link}")
    default("sitemap_excludes", ["search.html", "genindex.html", "404.html"])
    default("html_math_renderer", "press_mathml")
    context = dict(config.html_context or {})
    context.setdefault("default_mode", "auto")  # pydata theme: no "invalid theme mode" console error
    config.html_context = context
    options = dict(config.html_theme_options or {})
    options.setdefault("navbar_persistent", [])  # one search box: the sidebar's (press.css hides the empty top bar)
    config.html_theme_options = options
    config.templates_path = [*config.templates_path, str(TEMPLATES)]


def _add_static(app: Sphinx) -> None:
    if app.builder.format == "html":
        app.config.html_static_path.append(str(STATIC))
        app.add_css_file("press.css")
    if is_web(app.builder):
        app.add_js_file("press-web.js")
        if "html_favicon" not in app.config._raw_config:  # else browsers ask servers for /favicon.ico
            app.config.html_favicon = str(STATIC / "favicon.svg")


def setup(app: Sphinx) -> dict[str, Any]:
    """Set up the web extensions, their defaults and the press web modules."""
    app.setup_extension("press.config")  # validated press_* settings, whichever part is loaded
    with contextlib.redirect_stdout(io.StringIO()):  # opengraph prints a note about matplotlib
        for ext in EXTENSIONS:
            app.setup_extension(ext)
    if _has_site_url(app.config):  # a sitemap needs absolute URLs
        app.setup_extension("sphinx_sitemap")
        app.setup_extension("press.web.sitemap")  # complete after incremental builds
    app.connect("config-inited", _defaults, priority=150)
    app.connect("builder-inited", _add_static)
    for name in ("mathml", "social", "tags", "genindex", "downloads", "search", "a11y", "nav", "offline", "previews", "csp", "prune"):
        app.setup_extension(f"press.web.{name}")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
