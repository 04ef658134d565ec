"""Figure and section numbers assigned once per read, not once per format.

Sphinx's toctree collector renumbers every figure, table, listing and numbered section
of the book at each build (``env-get-updated``), loading every page's doctree to do so:
about 2.6 s on a 200-page book.  :mod:`press.engine` runs one Sphinx application per
format on one environment; the second and third formats read no page, and their
environment, saved by the first, already holds the numbers the first assigned.  So when
an application reads no page and removes none, the collector's renumbering is switched off
for that application (:func:`press.adapters.disconnect_methods`): the numbers stay those of the environment.
Whenever a page is read or removed, Sphinx renumbers as usual.
"""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.environment.collectors.toctree import TocTreeCollector

from . import adapters


class _Reads:
    """What one application read or removed (state of one application, set up per app)."""

    def __init__(self) -> None:
        self.purged = False

    def purge(self, app: Sphinx, env: BuildEnvironment, docname: str) -> None:
        self.purged = True

    def before_read(self, app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
        if docnames or self.purged:
            return  # pages change: Sphinx numbers them (a saved environment was numbered before it was saved)
        adapters.disconnect_methods(app, "env-get-updated", TocTreeCollector)


def setup(app: Sphinx) -> dict[str, Any]:
    reads = _Reads()
    app.connect("env-purge-doc", reads.purge)
    app.connect("env-before-read-docs", reads.before_read, priority=900)  # after press.structure
    return {"parallel_read_safe": True, "parallel_write_safe": True}
