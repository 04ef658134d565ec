"""EPUB polish on top of Sphinx's EPUB 3 builder.

For now: the EPUB file is named ``<slug>.epub`` (set in :mod:`press.config`)
and uses Sphinx's plain ``epub`` theme, never the web-book theme.
"""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx


def setup(app: Sphinx) -> dict[str, Any]:
    """Nothing registered yet beyond the defaults set by :mod:`press.config`."""
    return {"parallel_read_safe": True, "parallel_write_safe": True}
