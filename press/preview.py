"""``press serve``'s fast path: the saved page rendered by a warm web-book application.

After the first build, :class:`PagePreview` keeps one Sphinx application of the web book
(``html`` builder) alive in the server's process, on a copy of the published doctrees
(``OUT/.press/preview/``).  When only pages of the book were saved (prose edits), it reads
those pages again and writes only them, the way Sphinx writes a page (the same read, the
same transforms, the same templates), and hands their bytes to the server, which shows them
at once in place of the published files.  What depends on the whole book — numbering of
the other pages, the other pages' templates, the search index, the sitemap, the web zip,
the offline precache, the PDF and the EPUB — is left to the full incremental build that
the server starts right after (:func:`press.engine.build_book`, in its own process); when
that build is published, the preview's pages are dropped and the published ones are
served again, byte for byte those of a cold build.

The preview refuses (returns ``None``) whatever it cannot show faithfully: a page added or
removed, ``conf.py`` or another file changed (a bibliography, an image, an include), a
warning while reading or writing the page.  The full build then shows the change, and its
messages are the build's own.
"""

from __future__ import annotations

import contextlib
import gc
import io
import re
import shutil
from pathlib import Path

from docutils import nodes
from sphinx import addnodes
from sphinx.util.docutils import docutils_namespace, patch_docutils

from .engine.staging import STATE, copy_tree
from .state import BookApp, BookBuild


_VERSIONED = re.compile(r'(_static/[^"?]+)\?v=([0-9a-f]{8})"')


def _same_versions(page: str, published: Path) -> str:
    """The ``?v=`` checksums of the published page (the full build writes some static files,
    e.g. ``pygments.css``, after its pages; the next full build gives the same ones)."""
    try:
        known = dict(_VERSIONED.findall(published.read_text(encoding="utf-8")))
    except OSError:
        return page
    return _VERSIONED.sub(lambda m: f'{m.group(1)}?v={known.get(m.group(1), m.group(2))}"', page)


def _citations(doctree: nodes.document) -> tuple[list[str], bool]:
    """The citation keys a page cites, in order, and whether it holds a bibliography."""
    keys = [str(n.get("reftarget", "")) for n in doctree.findall(addnodes.pending_xref) if n.get("refdomain") == "cite"]
    return keys, any(type(n).__name__ == "bibliography" for n in doctree.findall(nodes.Element))


class PagePreview:
    """One warm web-book application (state of one ``press serve``; no module globals)."""

    def __init__(self, source: Path, conf: Path, out: Path) -> None:
        self.source, self.conf, self.out = source, conf, out
        self.folder = out / STATE / "preview"
        self.app: BookApp | None = None
        self.stack: contextlib.ExitStack | None = None
        self.warnings = io.StringIO()

    # -- the application ------------------------------------------------------------------
    def open(self) -> bool:
        """Make the application from the published build (its doctrees); False if there is none."""
        self.close()
        published = self.out / STATE / "doctrees"
        if not (published / "environment.pickle").is_file():
            return False
        shutil.rmtree(self.folder, ignore_errors=True)
        copy_tree(published, self.folder / "doctrees")
        (self.folder / "html").mkdir(parents=True, exist_ok=True)
        # the published static files, for the same ``?v=`` checksums in the page's links
        (self.folder / "html" / "_static").symlink_to(self.out / "html" / "_static", target_is_directory=True)
        stack = contextlib.ExitStack()
        # Sphinx registers directives and roles in docutils' process-wide tables: they stay
        # registered while the application lives (the full builds run in another process).
        stack.enter_context(patch_docutils(self.conf))
        stack.enter_context(docutils_namespace())
        self.warnings = io.StringIO()
        book = BookBuild()
        book.outputs.downloads = self.out  # the published PDF and EPUB, for the download links
        try:
            app = BookApp(book=book, srcdir=self.source, confdir=self.conf, outdir=self.folder / "html",
                          doctreedir=self.folder / "doctrees", buildername="html",
                          confoverrides={"nitpicky": True}, status=None, warning=self.warnings,
                          warningiserror=False)
            app.events.emit("write-started", app.builder)
            app.builder.prepare_writing(set(app.env.found_docs))
            # one page written now (into the scratch folder): templates compiled, caches warm,
            # so that the first save is as quick as the next ones
            root = app.config.root_doc
            doctree = app.env.get_and_resolve_doctree(root, app.builder, tags=app.builder.tags)
            app.builder.write_doc_serialized(root, doctree)
            app.builder.write_doc(root, doctree)
        except Exception:
            stack.close()
            return False
        self.app, self.stack = app, stack
        # The environment's objects live as long as the application: out of the collector's
        # way (a full collection of them costs more than rendering the page)
        gc.collect()
        gc.freeze()
        return True

    def close(self) -> None:
        if self.app is not None:
            gc.unfreeze()
        self.app = None
        if self.stack is not None:
            self.stack.close()
            self.stack = None

    # -- one save -----------------------------------------------------------------------------
    def docnames(self, changed: list[str]) -> list[str] | None:
        """The documents behind ``changed`` paths, or None if anything else changed."""
        app = self.app
        if app is None or not changed:
            return None
        docs = []
        for path in changed:
            doc = app.env.path2doc(path)
            if doc is None or doc not in app.env.found_docs or not Path(path).is_file():
                return None
            docs.append(doc)
        return sorted(set(docs))

    def render(self, changed: list[str]) -> dict[str, bytes] | None:
        """The new pages (URL path → bytes) for the saved files ``changed``, or None when
        the fast path cannot show them faithfully (the full build will)."""
        docs = self.docnames(changed)
        if docs is None:
            return None
        try:
            return self._render(docs)
        except Exception:  # anything unexpected: the full build reports it at the author's line
            self.close()
            return None

    def _render(self, docs: list[str]) -> dict[str, bytes] | None:
        app = self.app
        assert app is not None
        env, builder = app.env, app.builder
        start = self.warnings.tell()
        titles = {d: env.titles[d].astext() for d in docs if d in env.titles}
        cites = {d: _citations(env.get_doctree(d)) for d in docs}
        numbers = {d: (env.toc_secnumbers.get(d), env.toc_fignumbers.get(d)) for d in docs}
        to_read = list(docs)
        app.events.emit("env-before-read-docs", env, to_read)
        if sorted(set(to_read)) != docs:
            return None  # the navigation changed (order, an index page): every page changes
        for doc in docs:
            app.events.emit("env-purge-doc", env, doc)
            env.clear_doc(doc)
            builder.read_doc(doc)
            sec, fig = numbers[doc]
            # the numbers of the book are the full build's (deferred); keep the page's old ones
            if sec is not None:
                env.toc_secnumbers.setdefault(doc, sec)
            if fig is not None:
                env.toc_fignumbers.setdefault(doc, fig)
        if any(_citations(env.get_doctree(d)) != cites[d] for d in docs):
            # sphinxcontrib-bibtex numbers the book's citations when every page is read
            # (0.1-0.3 s on 200 pages): only when the page's citations changed
            app.events.emit("env-updated", env)
        if any(env.titles[d].astext() != titles.get(d) for d in docs if d in env.titles):
            builder.__dict__.pop("press_nav_cache", None)  # the sidebar shows titles (press.web.nav)
        pages = {}
        for doc in docs:
            doctree = env.get_and_resolve_doctree(doc, builder, tags=builder.tags)
            builder.write_doc_serialized(doc, doctree)
            builder.write_doc(doc, doctree)
            target = Path(builder.get_outfilename(doc))
            page = _same_versions(target.read_text(encoding="utf-8"),
                                  self.out / "html" / target.relative_to(self.folder / "html"))
            policy = getattr(builder, "press_page_policy", None)  # press.web.csp, as at build-finished
            pages["/" + builder.get_target_uri(doc)] = (policy(page) if policy else page).encode("utf-8")
        self.warnings.seek(start)
        if self.warnings.read().strip():
            return None  # the full build says what is wrong, at the author's line
        return pages
