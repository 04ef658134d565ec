"""Per-document data kept on the build environment (``env.<attr>[docname]``).

:func:`register` wires one such store into Sphinx's life cycle through Sphinx's public
:class:`~sphinx.environment.collectors.EnvironmentCollector`: created before reading,
purged when a document is re-read (``clear_doc``), merged back from parallel readers
(``merge_other``, for ``-j``).  The transforms that fill a store write
``env.<attr>[env.docname]`` while the page is read.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.environment.collectors import EnvironmentCollector


class DocumentStore(EnvironmentCollector):
    """The life cycle of one ``{docname: value}`` store on the environment (``attr``)."""

    attr = ""

    def clear_doc(self, app: Sphinx, env: BuildEnvironment, docname: str) -> None:
        getattr(env, self.attr, {}).pop(docname, None)

    def merge_other(self, app: Sphinx, env: BuildEnvironment, docnames: set[str], other: BuildEnvironment) -> None:
        mine = _create(env, self.attr)
        theirs = getattr(other, self.attr, {})
        mine.update({d: theirs[d] for d in docnames if d in theirs})

    def process_doc(self, app: Sphinx, doctree: nodes.document) -> None:
        pass  # filled by the transforms that read the page


def _create(env: BuildEnvironment, attr: str) -> dict[str, Any]:
    if not hasattr(env, attr):
        setattr(env, attr, {})
    return getattr(env, attr)


def register(app: Sphinx, attr: str) -> None:
    """Keep ``env.<attr>``, a ``{docname: value}`` dict, in step with the documents."""
    app.add_env_collector(type(f"DocumentStore_{attr}", (DocumentStore,), {"attr": attr}))
    app.connect("env-before-read-docs", lambda app, env, docnames: _create(env, attr), priority=100)
