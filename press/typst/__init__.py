"""The PDF route: a Sphinx builder that writes Typst and compiles it in-process.

* :mod:`press.typst.translator` — docutils visitor, doctree -> Typst markup; its visitors
  by concern in :mod:`~press.typst.inline`, :mod:`~press.typst.lists`,
  :mod:`~press.typst.blocks` (listings, quotes, admonitions), :mod:`~press.typst.tables`
  (a ``Table`` state per open table), :mod:`~press.typst.equations` and
  :mod:`~press.typst.elements`;
* :mod:`press.typst.builder` — assembles the book, writes ``<slug>.typ``, copies
  images, compiles ``<slug>.pdf`` with the ``typst`` wheel (no network, no
  ``@preview`` packages, fonts passed explicitly);
* :mod:`press.typst.math` — LaTeX math -> Typst math with ``tex2typst`` (strict mode);
* ``book.typ`` — the book template: title and copyright pages, contents, part pages,
  chapter openers with the page description, running heads (none on openers), footnoted
  URLs, "see X, p. N" links, numbered figures/tables/listings/equations, sphinx-design
  components, an index built from index entries and ``{term}`` references.

Fonts: Libertinus Serif and DejaVu Sans Mono are embedded in the ``typst`` wheel;
Source Sans Pro (headings) comes from the pinned ``font-source-sans-pro`` package (SIL
OFL 1.1, licence in its ``files/LICENSE.txt``).  System fonts are never used, and the
PDF's dates come from ``SOURCE_DATE_EPOCH``, so two builds are byte-identical.
"""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the ``typst`` builder."""
    app.setup_extension("press.config")  # validated press_* settings, whichever part is loaded
    app.setup_extension("press.booktree")  # the book's shape from the toctrees (parts, chapters)
    from . import equations
    from .builder import TypstBuilder

    app.add_builder(TypstBuilder)
    equations.setup(app)  # formulas converted as their page is read
    return {"parallel_read_safe": True, "parallel_write_safe": True}
