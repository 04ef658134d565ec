"""Book structure: navigation built from folders and front matter weights.

Sections are folders with an ``index.md``.  Pages in a folder, and the
sub-sections, are ordered by ``weight`` then title.  No author writes a
toctree: before reading, this module scans every page's front matter and
appends a hidden ``toctree`` to each index page (at the end of the source, so
line numbers do not move).  When a page is added, removed or re-weighted,
every index page is read again, so the navigation, the PDF and the EPUB put
the new page in its place.

This is our convention, not a rule for every project: a project that writes
its own navigation (a ``toctree`` directive on its root page, Markdown or
reStructuredText) keeps it exactly as written, and only Markdown index pages
without a toctree of their own ever get a generated one.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment

from .frontmatter import PageMeta, read_meta

INDEX = "index"

#: a hand-written toctree, in MyST (```{toctree} / :::{toctree}) or reStructuredText
OWN_TOCTREE = re.compile(r"^\s*(?:(?:`{3,}|~{3,}|:{3,})\s*\{toctree\}|\.\.\s+toctree::)", re.M)


def folder_of(docname: str) -> str:
    """The folder of a document (``""`` for top-level)."""
    return docname.rpartition("/")[0]


def index_of(folder: str) -> str:
    return f"{folder}/{INDEX}" if folder else INDEX


def compute_order(docs: dict[str, PageMeta], root: str = INDEX) -> dict[str, list[str]]:
    """Map each index document to its ordered children.

    A page ``a/b`` is a child of ``a/index``; a section ``a/b/index`` is a
    child of ``a/index``.  Pages whose folder has no index climb to the
    nearest folder that has one.
    """
    children: dict[str, list[str]] = {d: [] for d in docs if d == root or d.endswith(f"/{INDEX}")}
    for doc in docs:
        if doc == root:
            continue
        folder = folder_of(doc)
        if doc.endswith(f"/{INDEX}") or doc == INDEX:
            folder = folder_of(folder)
        parent = index_of(folder)
        while parent not in children and parent != root:
            if not folder:  # no index page above it (root_doc is not ``index``): the root's
                parent = root
                break
            folder = folder_of(folder)
            parent = index_of(folder)
        if parent == root and root not in children:
            continue
        children[parent].append(doc)
    for parent, kids in children.items():
        kids.sort(key=lambda d: docs[d].sort_key(d))
    return children


def toctree_markup(children: list[str]) -> str:
    entries = "\n".join(f"/{c}" for c in children)
    return f"\n\n```{{toctree}}\n:hidden:\n:maxdepth: 3\n\n{entries}\n```\n"


def _scan(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    srcdir = Path(app.srcdir)
    metas = {}
    excluded = set(getattr(env, "press_not_in_book", ()))
    own_toctrees = False
    for doc in sorted(env.found_docs):
        if doc in excluded:
            continue
        path = Path(env.doc2path(doc))
        path = path if path.is_absolute() else srcdir / path
        if doc == app.config.root_doc:
            try:
                own_toctrees = bool(OWN_TOCTREE.search(path.read_text(encoding="utf-8")))
            except (OSError, UnicodeDecodeError):
                pass
        metas[doc] = read_meta(path, doc)
    # A project whose root page has a toctree keeps its navigation as written; so does one
    # whose toctrees come from a _toc.yml (sphinx-external-toc).
    own_toctrees = own_toctrees or "sphinx_external_toc" in app.extensions
    order = {} if own_toctrees else compute_order(metas, app.config.root_doc)
    previous = getattr(env, "press_order", None)
    if order != previous:
        # The tree changed: every index page (now or before) must be read again.
        for doc in [*order, *(d for d in previous or {} if d not in order and d in env.found_docs)]:
            if doc not in docnames:
                docnames.append(doc)
    env.press_order = order  # type: ignore[attr-defined]


def _append_toctree(app: Sphinx, docname: str, source: list[str]) -> None:
    children = getattr(app.env, "press_order", {}).get(docname)
    if not children or OWN_TOCTREE.search(source[0]):
        return
    suffix = Path(app.env.doc2path(docname)).suffix
    if app.config.source_suffix.get(suffix) != "markdown" and not (
            suffix == ".md" and app.config.source_suffix.get(suffix) == "myst-nb"):
        return
    source[0] = source[0].rstrip("\n") + toctree_markup(children)


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the pre-read scan and the generated toctrees of index pages."""
    app.connect("env-before-read-docs", _scan, priority=600)
    app.connect("source-read", _append_toctree, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
