"""The print edition's page map: where the PDF's pages begin, for the EPUB's page list.

The ``typst`` builder writes it right after compiling the PDF; the ``epub`` builder of the
same ``press build`` (which runs after the PDF) reads it to place page-break markers and
to write a ``page-list`` (:mod:`press.epub.pages`).

**What is measured.** Every element of the book that has an id gets a Typst label
(``<d.doc:id>``, :func:`press.typstmarkup.label`), and each document's own content
ends with ``<d.doc:press-end>``.  One ``context`` at the very end of the book
(``press-page-map()`` in ``book.typ``) queries the labelled elements once and records each
one's page and vertical position, plus each page's printed number (roman in the front
matter).  No element of the body gets a context or state of its own: on the 200-chapter
benchmark (623 pages) the query adds no measurable memory and about 0.1 s.  The map is read
from the compiler that made the PDF (``Compiler.query``: its layout is memoised, nothing is
laid out twice).

**Where it is kept.** On the build's state (:attr:`press.state.BookBuild.page_map`: a
``press build`` that makes the PDF and then the EPUB) and as ``press-pages.json`` in the doctree folder, the shared state of the last good
build.  A later ``press build epub`` alone reuses that file only when nothing the print
layout depends on changed since: the same documents read at the same times (Sphinx's
record of every page), the same ``press_*`` settings, title, release and language, and the
same Typst templates (:func:`fingerprint`).  Otherwise the EPUB has no page list, and the
build says so in an info line.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from pathlib import Path
from typing import Any

from sphinx.config import Config
from sphinx.environment import BuildEnvironment
from sphinx.util import logging

from . import config as press_config
from . import state
from .stamps import Stamp
from .state import BookBuild

logger = logging.getLogger(__name__)

MAP_FILE = "press-pages.json"
QUERY = "<press-page-map>"
TEMPLATES = [Path(__file__).with_name("typst") / name for name in ("book.typ", "elements.typ")]

def fingerprint(env: BuildEnvironment, config: Config) -> str:
    """What the print layout depends on, as one digest (see the module docstring)."""
    h = hashlib.sha256()
    for doc in sorted(env.all_docs):
        h.update(f"{doc}\0{env.all_docs[doc]}\n".encode())
    settings = dataclasses.asdict(press_config.get(config))
    settings.pop("download_dir", None)  # where the web book copies downloads from
    h.update(json.dumps(settings, sort_keys=True, default=str).encode())
    h.update(repr((config.project, config.release, config.version, config.language, config.today,
                   config.root_doc, config.numfig, config.numfig_format)).encode())
    for template in TEMPLATES:
        h.update(template.read_bytes())
    return h.hexdigest()


def parse(raw: str | None) -> dict[str, Any] | str:
    """Right after the compile: the page map from the answer to the :data:`QUERY` query (in
    the compile process: ``None`` if it failed, e.g. an older template), or why there is
    none; never a failure."""
    if raw is None:
        return "no answer to the page map's query"
    try:
        value = json.loads(raw)
    except ValueError as exc:
        return str(exc)
    return value if isinstance(value, dict) else f"the page map is a {type(value).__name__}"


def record(book: BookBuild, env: BuildEnvironment, config: Config, doctreedir: Path, raw: dict[str, Any] | str,
           pdf_name: str) -> None:
    """Keep the page map :func:`parse` read from the compiler that made ``pdf_name``."""
    if not isinstance(raw, dict):
        logger.info("press: no page map of the PDF for the EPUB's page list (%s)", raw)
        forget(book, doctreedir)
        return
    data = {"fingerprint": fingerprint(env, config), "pdf": pdf_name, **raw}
    book.page_map = data
    Stamp(doctreedir, MAP_FILE).write_data(data)


def refresh(book: BookBuild, env: BuildEnvironment, config: Config, doctreedir: Path) -> bool:
    """The PDF was not recompiled (same Typst source): keep the stored map, with the current
    fingerprint.  ``False`` if there is no stored map to keep."""
    stamp = Stamp(doctreedir, MAP_FILE)
    data = stamp.data()
    if not isinstance(data, dict):
        return False
    data["fingerprint"] = fingerprint(env, config)
    book.page_map = data
    stamp.write_data(data)
    return True


def forget(book: BookBuild, doctreedir: Path) -> None:
    book.page_map = None
    Stamp(doctreedir, MAP_FILE).forget()


def for_epub(app: Any) -> tuple[dict[str, Any] | None, str]:
    """The PDF's page map for the EPUB's page list of ``app``'s build: ``(map, "")`` or
    ``(None, why not)``.  A compile of this build still running gives its map as soon as
    its layout is known (the map :func:`record` will keep; the compile is finished, its
    errors reported, at the end of the format that finishes it); else it is finished first
    (its errors are reported through ``app``)."""
    book = state.of(app)
    early = book.early_page_map()
    if early is not None:
        raw, pdf_name = early
        return {"fingerprint": fingerprint(app.env, app.config), "pdf": pdf_name, **raw}, ""
    book.finish_compiles(app)
    return load(book, app.env, app.config, Path(app.doctreedir))


def load(book: BookBuild, env: BuildEnvironment, config: Config, doctreedir: Path) -> tuple[dict[str, Any] | None, str]:
    """The page map for an EPUB build: ``(map, "")``, or ``(None, why there is none)``:
    this build's (``book``), else the one kept in the doctree folder."""
    data = book.page_map
    if data is None:
        stamp = Stamp(doctreedir, MAP_FILE)
        if stamp.text() is None:
            return None, "no PDF has been built in this output folder yet"
        data = stamp.data()
        if not isinstance(data, dict):
            return None, f"{MAP_FILE} is unreadable"
    if data.get("fingerprint") != fingerprint(env, config):
        return None, "the sources or settings changed since the last PDF build"
    return data, ""
