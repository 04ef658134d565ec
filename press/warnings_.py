"""Typed, suppressible warnings for the press extensions.

Every message the pipeline emits goes through :func:`warn`, so each one has a
``type`` (always ``"press"``) and a ``subtype`` from :class:`PressWarning`,
and a location (``docname``/node/``(docname, line)``) so Sphinx prints
``file:line``.  Any of them can be silenced with
``suppress_warnings = ["press.<subtype>"]`` in ``conf.py``.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

from sphinx.util import logging

logger = logging.getLogger("press")


class PressWarning(Enum):
    """All warning subtypes the press package can emit."""

    CONFIG = "config"
    """An unknown or invalid ``press_*`` setting in ``conf.py``."""
    FRONTMATTER_YAML = "frontmatter_yaml"
    """The YAML front matter block cannot be parsed."""
    FRONTMATTER_FIELD = "frontmatter_field"
    """A front matter field is missing or has the wrong type."""
    HEADING = "heading"
    """A body ``#`` heading that differs from the front matter title."""
    MOJIBAKE = "mojibake"
    """Text that was UTF-8 once decoded as cp1252 (detected by ftfy)."""
    SITELINK_PAGE = "sitelink_page"
    """A site-absolute link to a page that does not exist."""
    SITELINK_ANCHOR = "sitelink_anchor"
    """A site-absolute link to a heading anchor that does not exist."""
    TYPST_NODE = "typst_node"
    """A doctree node the Typst writer cannot render."""
    TYPST_MATH = "typst_math"
    """A LaTeX construct that cannot be converted for Typst."""
    TYPST_COMPILE = "typst_compile"
    """The Typst compiler reported an error or a warning."""
    RAW = "raw"
    """A ``raw`` block in a format the current builder skips."""
    EPUB = "epub"
    """A problem found while polishing the EPUB."""
    IMAGE_ALT = "image_alt"
    """An image without alternative text."""
    EPUB_MATH = "epub_math"
    """A LaTeX formula that cannot be converted to MathML for the EPUB."""
    WEB = "web"
    """A problem in the web-book extras (tags, downloads)."""
    MATHML = "mathml"
    """A formula that cannot be converted to MathML (web book)."""
    ENCODING = "encoding"
    """A page that is not UTF-8 (the message names the likely encoding and the command to convert it)."""
    CONTAINMENT = "containment"
    """A path an author wrote (include, literalinclude, image, csv-table :file:, …) that leaves the project."""
    RAW_HTML = "raw_html"
    """Raw HTML from which the sanitiser removed something (scripts, event handlers, ``javascript:`` URLs)."""
    SVG = "svg"
    """An SVG image with active content (scripts, event handlers, external references)."""
    JUPYTERBOOK_CONFIG = "jupyterbook_config"
    """A key of a Jupyter Book ``_config.yml`` that press does not know (it is not used)."""
    NOTEBOOK = "notebook"
    """A notebook output that a format cannot show as it is (interactive, raw HTML)."""
    UNSAFE_URL = "unsafe_url"
    """A link whose URL scheme is not allowed (``javascript:``, ``data:`` …): kept as text."""
    ACTIVE_FILE = "active_file"
    """A file offered for download (or shown as an image) that could run script: left out."""
    NETWORK = "network"
    """An option that makes the build fetch something over the network (``:url:``)."""
    LIMIT = "limit"
    """A page over one of the build's budgets (size, nesting, table rows, YAML aliases)."""
    BIBTEX = "bibtex"
    """A bibliography file that cannot be parsed."""
    FRONTMATTER_KEY = "frontmatter_key"
    """A front matter key nothing reads (``wieght:``, ``tag:``): a did-you-mean names the closest known key."""
    STRUCTURE = "structure"
    """A page listed in more than one toctree (the book shows it once, where it is first listed)."""
    GLYPH = "glyph"
    """A character no font of the PDF can print (a placeholder is printed instead)."""
    CONTROL_CHAR = "control_char"
    """A control character (an ESC of coloured terminal output, ...) removed from the text."""
    RAW_TYPST = "raw_typst"
    """Raw Typst content, refused or dropped by ``press_raw_typst``."""
    REFERENCE = "reference"
    """A cross-reference (``{ref}``, ``{numref}``, ``{term}``, ``{doc}``, a MyST link) whose target does not exist."""
    CITATION = "citation"
    """A ``{cite}`` key that no bibliography of the book lists."""


def warn(kind: PressWarning, message: str, location: Any = None, **kwargs: Any) -> None:
    """Emit one typed warning (``type="press"``, ``subtype=kind.value``)."""
    logger.warning(message, type="press", subtype=kind.value, location=location, **kwargs)
