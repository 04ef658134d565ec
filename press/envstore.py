"""Per-document data kept on the build environment (``env.<attr>[docname]``).

:func:`register` wires one such store into Sphinx's life cycle: created before
reading, purged when a document is re-read, merged back from parallel readers.
"""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment


def register(app: Sphinx, attr: str) -> None:
    """Keep ``env.<attr>``, a ``{docname: value}`` dict, in step with the documents."""

    def init(app: Sphinx, env: BuildEnvironment, *args: Any) -> None:
        if not hasattr(env, attr):
            setattr(env, attr, {})

    def purge(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
        getattr(env, attr, {}).pop(docname, None)

    def merge(app: Sphinx, env: BuildEnvironment, docnames: set[str], other: BuildEnvironment) -> None:
        init(app, env)
        theirs = getattr(other, attr, {})
        getattr(env, attr).update({d: theirs[d] for d in docnames if d in theirs})

    app.connect("env-before-read-docs", init, priority=100)
    app.connect("env-purge-doc", purge)
    app.connect("env-merge-info", merge)
