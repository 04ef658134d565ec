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
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from sphinx.application import Sphinx
from sphinx.builders import Builder
from sphinx.config import Config

from .. import adapters
from .. import config as press_config

STATIC = Path(__file__).resolve().parents[1] / "static" / "html"
TEMPLATES = Path(__file__).resolve().with_name("templates")

#: Builders that make the web book (the EPUB builder is an HTML builder too, but not these).
WEB_BUILDERS = frozenset({"html", "dirhtml"})

EXTENSIONS = ("sphinx_copybutton", "sphinxext.opengraph", "notfound.extension")


def is_web(builder: Builder | None) -> bool:
    """Whether ``builder`` makes the web book (HTML, not EPUB or single-page)."""
    return builder is not None and builder.name in WEB_BUILDERS


#: Scripts of data the web build writes at its end (download sizes, link previews, search
#: snippets): a page written before them must not carry Sphinx's ``?v=<checksum>`` of the
#: previous build's file (a clean build, which has none yet, writes none: an incremental
#: build or a format built alone must give the same bytes).
GENERATED_SCRIPTS = frozenset({"press-download-sizes.js", "press-previews-data.js", "press-search-text.js"})
_CHECKSUM = re.compile(r"\?v=[0-9a-f]{8}(?=\")")


def _unversioned_scripts(app: Sphinx, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    """Wrap the page's ``js_tag`` (public page context) so :data:`GENERATED_SCRIPTS` are
    linked without a checksum."""
    js_tag = context.get("js_tag")
    if js_tag is None or not is_web(app.builder):
        return

    def tag(js: Any) -> str:
        out = js_tag(js)
        name = str(getattr(js, "filename", js) or "").rpartition("/")[2]
        return _CHECKSUM.sub("", out) if name in GENERATED_SCRIPTS else out

    context["js_tag"] = tag


def downloads_of(app: Sphinx) -> list[Any]:
    """The PDF/EPUB copies this web build offers (:mod:`press.web.downloads` finds them at
    ``builder-inited``; :mod:`press.web.offline` offers the zip beside them)."""
    return getattr(app.builder, "press_downloads", [])


def site_url(config: Config) -> str:
    """``press_site_url`` with exactly one trailing slash (or ``""``)."""
    url = press_config.get(config).site_url.strip()
    return url.rstrip("/") + "/" if url else ""


#: themes built on the PyData theme, whose options press sets
PYDATA_THEMES = ("sphinx_book_theme", "pydata_sphinx_theme")


def _has_site_url(app: Sphinx, config: Config) -> bool:
    """Whether conf.py (or a ``-D`` override, or the build's state) gives the site URL, read
    before config-inited."""
    given = {name: adapters.conf_value(config, name) for name in ("press_site_url", "html_baseurl")}
    given.update(config.overrides)
    if press_config.site_url_override(app):
        return True
    return bool(str(given.get("press_site_url") or given.get("html_baseurl") or "").strip())


def _defaults(app: Sphinx, config: Config) -> None:
    def default(name: str, value: Any) -> None:
        if not adapters.set_in_conf(config, name):
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
    if config.html_theme in PYDATA_THEMES:  # another theme (alabaster) rejects the option
        options.setdefault("navbar_persistent", [])  # one search box: the sidebar's (press.css hides the empty top bar)
    config.html_theme_options = options


def _own_templates_first(app: Sphinx, config: Config) -> None:
    """press's templates (the one place they are added) after the book's own but before any
    theme's ``components`` folder.
    sphinx-book-theme listed in ``extensions`` (every Jupyter Book 1 book) adds its folder at
    config-inited, before ours: its ``sbt-sidebar-nav.html`` then hid press's (no tags,
    index or download links, and the theme's navigation rebuilt for every page instead of
    once per build, :mod:`press.web.nav`)."""
    ours = str(TEMPLATES)
    paths = [p for p in config.templates_path if str(p) != ours]
    at = next((i for i, p in enumerate(paths) if _theme_components(Path(p))), len(paths))
    config.templates_path = [*paths[:at], ours, *paths[at:]]


def _theme_components(path: Path) -> bool:
    return path.name == "components" and any((path.parent / n).is_file() for n in ("theme.conf", "theme.toml"))


def _add_static(app: Sphinx) -> None:
    if app.builder.format == "html":
        app.config.html_static_path.append(str(STATIC))
        app.add_css_file("press.css")
    if is_web(app.builder):
        app.add_js_file("press-web.js")
        if not adapters.set_in_conf(app.config, "html_favicon"):  # else browsers ask servers for /favicon.ico
            app.config.html_favicon = str(STATIC / "favicon.svg")


def setup(app: Sphinx) -> dict[str, Any]:
    """Set up the web extensions, their defaults and the press web modules."""
    app.setup_extension("press.config")  # validated press_* settings, whichever part is loaded
    app.setup_extension("press.memo")  # highlighting and MathML shared with the EPUB's process
    with contextlib.redirect_stdout(io.StringIO()):  # opengraph prints a note about matplotlib
        for ext in EXTENSIONS:
            app.setup_extension(ext)
    if _has_site_url(app, app.config):  # a sitemap needs absolute URLs
        app.setup_extension("sphinx_sitemap")
        app.setup_extension("press.web.sitemap")  # complete after incremental builds
    app.connect("config-inited", _defaults, priority=150)
    app.connect("config-inited", _own_templates_first, priority=900)  # after the themes' own handlers
    app.connect("builder-inited", _add_static)
    app.connect("html-page-context", _unversioned_scripts)
    for name in ("mathml", "social", "tags", "genindex", "downloads", "search", "a11y", "nav", "offline", "previews", "csp", "prune"):
        app.setup_extension(f"press.web.{name}")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
