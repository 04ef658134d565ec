"""Field Guide Press: the Sphinx extensions that publish the guide.

``extensions = ["press"]`` in ``conf.py`` sets up the book profile:

* the seed stack: ``myst_parser``, ``sphinx_design``, ``sphinxcontrib.bibtex``;
* :mod:`press.config` — the validated ``press_*`` settings (unknown keys are errors);
* :mod:`press.frontmatter` — page front matter, mojibake, the title heading;
* :mod:`press.structure` — navigation from folders and weights (no toctrees by hand);
* :mod:`press.sitelinks` — ``/section/page.html#slug`` links as internal references;
* :mod:`press.pagemeta` — description/date/tags under each title; meta description;
* :mod:`press.references` — the works each chapter cites, at its end;
* :mod:`press.indexterms` — index entries from ``press_index_terms`` (PDF, EPUB, web);
* :mod:`press.cover` — the designed cover (PDF, EPUB) and the web book's social card;
* :mod:`press.typst` — the ``typst`` builder (PDF in-process);
* :mod:`press.epub` — EPUB polish on top of Sphinx's ``epub`` builder;
* :mod:`press.web` — web-book extras;
* :mod:`press.encoding` — a page that is not UTF-8 is one file:line error;
* :mod:`press.containment` — paths a page names stay inside the book;
* :mod:`press.sanitize` — raw HTML and SVG under ``press_raw_html``;
* :mod:`press.suggest` — ERROR labels and "did you mean …?";
* :mod:`press.notebooks` — myst-nb outputs in every format (kept, chosen per format, tables);
* :mod:`press.ecosystem` — the Jupyter Book ecosystem's extensions in the PDF;
* :mod:`press.numbering` — figure and section numbers assigned once per read, not per format;
* :mod:`press.templatecache` — the theme's templates compiled once, kept with the doctrees;
* :mod:`press.untrusted` — a budget per page, no ``:url:`` fetches, no page from outside the book.

It returns ``version``, ``env_version``, ``parallel_read_safe`` and
``parallel_write_safe``.
"""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx
from sphinx.config import Config
from . import adapters

__version__ = "0.2.0"

#: Bump when the data stored in the build environment changes shape.
ENV_VERSION = 2

#: MyST settings the page format needs; conf.py may set them, press fills the rest.
MYST_DEFAULTS: dict[str, Any] = {
    "myst_title_to_header": True,
    "myst_enable_extensions": ["colon_fence", "deflist", "dollarmath", "substitution", "attrs_inline", "attrs_block"],
    # Heading anchors come from MyST itself (GitHub-style slugs as ids), so
    # ``page.md#slug``, ``/page.html#slug`` and ``{ref}`` resolve the same way.
    "myst_heading_anchors": 6,
    "myst_heading_slug_func": "github",
}

SUBMODULES = ("config", "frontmatter", "structure", "sitelinks", "pagemeta", "references", "indexterms", "cover", "typst", "epub", "web")
#: Bad and hostile input (issue 12): encodings, path containment, raw HTML/SVG, clearer messages.
SUBMODULES += ("encoding", "containment", "sanitize", "suggest")
#: Notebooks (myst-nb) in every format: outputs kept by the build, print and EPUB fallbacks.
SUBMODULES += ("notebooks", "ecosystem")
#: Fast and lean (issue 25): numbers assigned once per read, not once per format.
SUBMODULES += ("numbering", "templatecache")
#: Untrusted content, round two (issue 21): budgets, no network, no page from outside the book.
SUBMODULES += ("untrusted",)


def _book_defaults(app: Sphinx, config: Config) -> None:
    for name, value in MYST_DEFAULTS.items():
        if not adapters.set_in_conf(config, name):
            config[name] = value
    if not config.myst_title_to_header:
        from .warnings_ import PressWarning, warn

        warn(PressWarning.CONFIG, "myst_title_to_header must be True: page titles come from the front matter")
    if getattr(config, "bibtex_bibfiles", ()) is None:
        # sphinxcontrib-bibtex refuses to start without bibtex_bibfiles; a project
        # without a bibliography simply has none (``{cite}`` then reports unknown keys).
        config.bibtex_bibfiles = []
    if not adapters.set_in_conf(config, "numfig"):
        config.numfig = True
    if not adapters.set_in_conf(config, "html_theme"):
        config.html_theme = "sphinx_book_theme"


def _doctrees_ready(app: Sphinx) -> None:
    from . import state

    state.of(app).doctrees_ready()


def setup(app: Sphinx) -> dict[str, Any]:
    """Set up the seed extensions and every press module (see the module docstring)."""
    for ext in ("myst_parser", "sphinx_design", "sphinxcontrib.bibtex"):
        if ext == "myst_parser" and "myst_nb" in app.extensions:
            continue  # myst-nb (listed before press) reads Markdown with MyST-Parser already
        app.setup_extension(ext)
    app.connect("config-inited", _book_defaults, priority=50)
    # the staged doctree folder whole before any handler here may read it (press.state)
    app.connect("builder-inited", _doctrees_ready, priority=1)
    for name in SUBMODULES:
        app.setup_extension(f"press.{name}")
    return {
        "version": __version__,
        "env_version": ENV_VERSION,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
