"""What a one-page edit does not do again (issue 25): sphinxcontrib-bibtex's citations are
formatted once per build, not once per format (press/references.py ``_citations``).

The zip entries copied from the last web book's zip: tests/test_reprozip.py; the PDF's
pieces: tests/test_pdf_pieces.py; whole builds after an edit equal to a clean one:
tests/test_engine.py.
"""

from __future__ import annotations

import shutil
from io import StringIO
from types import SimpleNamespace

from sphinx.testing.util import SphinxTestApp
from sphinxcontrib.bibtex import env_updated as bibtex_env_updated

from conftest import ROOTS
from press import references
from press.state import ATTRIBUTE, BookBuild


def test_citations_are_formatted_once_per_build(monkeypatch):
    calls = []
    monkeypatch.setattr(references, "bibtex_env_updated", lambda app, env: calls.append(app) or ["doc"])
    build = BookBuild()

    def app() -> SimpleNamespace:
        return SimpleNamespace(**{ATTRIBUTE: build})

    first, env = app(), SimpleNamespace()
    references._before_read(first, env, ["a/page"])
    assert references._citations(first, env) == ["doc"] and calls == [first]
    # the next format loads the environment the first one saved: nothing to format again
    second = app()
    references._before_read(second, env, [])
    assert references._citations(second, env) == [] and calls == [first]
    # ... unless it read or removed a page itself
    third = app()
    references._changed(third, env, "a/page")
    assert references._citations(third, env) == ["doc"] and calls == [first, third]
    # an environment saved by another build: formatted again
    other = SimpleNamespace(**{ATTRIBUTE: BookBuild()})
    assert references._citations(other, env) == ["doc"] and calls == [first, third, other]


def test_bibtex_env_updated_handler_is_replaced(tmp_path):
    src = tmp_path / "src"
    shutil.copytree(ROOTS / "test-book", src)
    app = SphinxTestApp("html", srcdir=src, status=StringIO(), warning=StringIO())
    try:
        handlers = [x.handler for x in app.events.listeners["env-updated"]]
    finally:
        app.cleanup()
    assert bibtex_env_updated not in handlers and references._citations in handlers
