"""Web-book extras on top of sphinx-book-theme.

For now: the ``press.css`` stylesheet for the page metadata block.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sphinx.application import Sphinx

STATIC = Path(__file__).with_name("static") / "html"


def _add_static(app: Sphinx) -> None:
    if app.builder.format == "html":
        app.config.html_static_path.append(str(STATIC))
        app.add_css_file("press.css")


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the press stylesheet for HTML builders."""
    app.connect("builder-inited", _add_static)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
