"""The PDF route: a Sphinx builder that writes Typst and compiles it in-process.

* :mod:`press.typst.translator` — docutils visitor, doctree -> Typst markup;
* :mod:`press.typst.builder` — assembles the book, writes ``<slug>.typ``, copies
  images, compiles ``<slug>.pdf`` with the ``typst`` wheel (no network, no
  ``@preview`` packages, fonts passed explicitly);
* ``book.typ`` — the book template (page, fonts, headings, title page).
"""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the ``typst`` builder."""
    from .builder import TypstBuilder

    app.add_builder(TypstBuilder)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
