"""EPUB: a valid, accessible, reproducible EPUB 3 from Sphinx's EPUB builder.

``setup()`` registers

* :class:`press.epub.builder.PressEpubBuilder` under the name ``epub``,
  replacing Sphinx's (the CLI's ``_build/epub/<slug>.epub`` is unchanged);
* the ``press_epub`` theme (``press/static/epub/``): a minimal XHTML layout
  and our own e-ink and dark-mode friendly stylesheet;
* :class:`press.epub.design.StaticDesign`: sphinx-design components as
  static blocks (tab sets as labelled sections, dropdowns open, cards as boxes);
* :mod:`press.epub.portable`: remote images as links, MyST task-list
  checkboxes as characters;
* :class:`press.epub.notes.CitationNotes`: citations as note references to
  the chapter's References, shown as pop-ups by reading systems;
* the XHTML translator (:mod:`press.epub.translator`): MathML, footnote
  asides, EPUB semantics, alt-text warnings.

See :mod:`press.epub.builder` for the package, navigation, cover and zip.
"""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx
from sphinx.builders import epub3

from .. import adapters
from . import design, notes, portable
from .builder import THEME, THEME_DIR, PressEpubBuilder


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the press ``epub`` builder, its theme, nodes and post-transform."""
    app.setup_extension("press.config")  # validated press_* settings, whichever part is loaded
    app.setup_extension("press.memo")  # highlighting and MathML shared with the web book's process
    app.setup_extension("press.booktree")  # the book's shape from the toctrees (parts, chapters)
    app.add_builder(PressEpubBuilder, override=True)
    app.add_html_theme(THEME, str(THEME_DIR))
    app.add_node(design.epub_block, html=(design.visit_block, design.depart_block))
    app.add_node(design.epub_label, html=(design.visit_label, design.depart_label))
    app.add_post_transform(design.StaticDesign)
    app.add_post_transform(portable.RemoteImages)
    app.add_post_transform(portable.TaskListCheckboxes)
    app.add_post_transform(notes.CitationNotes)
    # Sphinx's checks of epub_uid/epub_identifier/version/contributor are about
    # metadata this builder no longer takes from those settings: drop them.
    adapters.disconnect(app, "builder-inited", epub3.validate_config_values)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
