"""Driving Sphinx: one application per format, and which pages each must write.

Part of :mod:`press.engine` (its step 3): :class:`Tracker` decides, through public Sphinx
events only, which documents each builder writes; :class:`SphinxRuns` runs one format as a
:class:`press.state.BookApp` carrying the build's state, with the event handlers that finish
the PDF's compile at the right moment.
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys
import time
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util.docutils import docutils_namespace, patch_docutils

from .. import adapters
from .. import state
from ..formats import BUILDERS, DOWNLOADS_PRIORITY
from ..state import BookApp
from .staging import _fail, _no_copy, _say


def _finish_compiles(app: Sphinx, exception: Exception | None) -> None:
    """At the end of the format written after the PDF (``build-finished``), unless the
    web book did it first (it links the PDF): wait for the PDF's Typst compile, report
    its errors and warnings through this build, write the PDF."""
    if exception is None:
        state.of(app).finish_compiles(app)


def _finish_before_forking(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    """With ``-j``, Sphinx reads pages in forked processes: finish the compile thread first.
    (After the PDF's build nothing is left to read, and the web book, whose writing may
    fork, finishes the compile before it writes: the overlap stays.)"""
    if docnames:
        state.of(app).finish_compiles(app)


#: from this many pages to read on, the application that reads the book splits them over
#: the cores (Sphinx's own forked readers, as with ``-j``); fewer are read in the build's
#: process: forking and sending the environment back would cost more than they save
PARALLEL_READ_FROM = 24


#: extensions that do not declare whether they are safe for parallel reading, and are:
#: press vouches for them (:func:`press.adapters.vouch_parallel_read`)
READ_SAFE = {
    "sphinx_multitoc_numbering": "replaces TocTreeCollector.assign_section_numbers, which Sphinx runs in the "
                                 "main process once the readers' environments are merged; it reads no page",
}

#: domains whose extension declares parallel reading safe but whose class does not merge the
#: readers' data (Sphinx's default raises), although the domain holds none: press gives them
#: a merge of nothing (:func:`press.adapters.merge_nothing`)
MERGE_NOTHING = {
    "prf": "sphinx-proof keeps its proofs in env.proof_list, which its own env-merge-info handler merges; "
           "the domain's data is only Sphinx's version key",
}


class _ReadWithTheCores:
    """Read the book with every core while nothing else can run yet (the PDF's compile and
    the other formats wait for the read), then write in one process as before: the reading
    application's ``Sphinx.parallel`` is the cores from ``env-before-read-docs`` to
    ``env-updated``.  Only with ``-j 1`` (the default), forking allowed, two or more cores,
    :data:`PARALLEL_READ_FROM` pages to read, no compile running (no fork beside a compile
    thread), every extension declared safe for parallel reading (else Sphinx would warn and
    read in one process anyway) and every domain able to merge the readers' data (a
    Jupyter Book with sphinx-proof, whose domain cannot, is read in one process)."""

    def __init__(self, cores: int) -> None:
        self.cores = cores

    def before_read(self, app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
        if len(docnames) < PARALLEL_READ_FROM or state.of(app).compiles:
            return
        adapters.vouch_parallel_read(app, READ_SAFE)
        adapters.merge_nothing(app, MERGE_NOTHING)
        if adapters.declare_all(app, "parallel_read_safe") and adapters.domains_merge(app):
            adapters.set_parallel(app, self.cores)

    def after_read(self, app: Sphinx, env: BuildEnvironment) -> None:
        adapters.set_parallel(app, 1)


def _finish_before_writing(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """With ``-j``, before the web book's writers fork (whether or not press.web is loaded)."""
    state.of(app).finish_compiles(app)
    return []


@contextlib.contextmanager
def _loaded_out_of_the_collectors_way():
    """An application's construction (extensions, the pickled environment: hundreds of
    thousands of objects that live as long as the application) with the cyclic collector
    off, then those objects frozen (:func:`gc.freeze`, no scan): a collection of the young
    generations in the middle of unpickling the environment cost 1.1 s of a 7 s one-page
    edit of the light 200-page benchmark book.  :func:`_release` unfreezes them once the
    application is dropped."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was:
            gc.enable()


def _release() -> None:
    """The frozen objects back to the collector's oldest generation (no collection now: the
    application's cycles are collected by the next full collection)."""
    gc.unfreeze()


class Tracker:
    """Which documents each builder must (re)write, through public Sphinx events only."""

    def __init__(self, pending: dict[str, list[str]]) -> None:
        self.updated: set[str] = set()
        self.read: set[str] = set()
        self.total = 0
        self.pending = {fmt: set(docs) for fmt, docs in pending.items()}
        self.fmt = ""
        self._order: Any = None
        self._titles: dict[str, str] = {}
        self._numbers: tuple[dict, dict] = ({}, {})

    def connect(self, app: Sphinx, fmt: str) -> None:
        self.fmt = fmt
        app.connect("env-before-read-docs", self._before_scan, priority=400)
        app.connect("env-before-read-docs", self._before_read, priority=900)
        app.connect("env-updated", self._after_read)
        app.connect("env-get-updated", self._to_write)

    def _before_scan(self, app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
        self._order = getattr(env, "press_order", None)
        self._numbers = (dict(env.toc_secnumbers), dict(env.toc_fignumbers))

    def _before_read(self, app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
        self.total = len(env.found_docs)
        self._titles = {d: env.titles[d].astext() for d in docnames if d in env.titles}
        if docnames:
            self.read.update(docnames)
            _say(f"reading {len(docnames)} of {self.total} pages"
                 + (f" with {app.parallel} processes" if app.parallel > 1 else ""))

    def _after_read(self, app: Sphinx, env: BuildEnvironment) -> None:
        if not self._titles and not self.read:
            return
        self.updated |= self.read
        changed_nav = getattr(env, "press_order", None) != self._order or any(
            d in env.titles and env.titles[d].astext() != title for d, title in self._titles.items()
        )
        if changed_nav:  # the navigation on every page shows the order and the titles
            self.updated |= set(env.found_docs)
        self._titles = {}

    def _to_write(self, app: Sphinx, env: BuildEnvironment) -> list[str]:
        # (after Sphinx's toctree collector renumbered the book: numbers change after env-updated)
        old_sec, old_fig = self._numbers
        self.updated |= {d for d, n in env.toc_secnumbers.items() if old_sec.get(d) != n}
        self.updated |= {d for d, n in env.toc_fignumbers.items() if old_fig.get(d) != n}
        docs = (self.updated | self.pending.get(self.fmt, set())) & set(env.found_docs)
        return sorted(docs)

    def pending_after(self, built: list[str]) -> dict[str, list[str]]:
        """Documents read now that a format not built now must still rewrite later."""
        result = {}
        for fmt in BUILDERS:
            docs = set() if fmt in built else self.pending.get(fmt, set()) | self.updated
            if docs:
                result[fmt] = sorted(docs)
        return result


class SphinxRuns:
    """Run one format (a base of :class:`press.engine.Engine`, which sets ``source``,
    ``conf``, ``stage``, ``strict``, ``jobs``, ``tty``, ``formats``, ``copies``, ``book``,
    ``child``)."""

    def run_one(self, fmt: str, tracker: Tracker, overrides: dict[str, Any], wait_for_parent: Any = None,
                last: bool = False, doctrees: Path | None = None) -> int:
        """Build one format.  ``wait_for_parent``: in the web book's process of a parallel build, the
        ``build-finished`` handler that waits on the pipe on which the parent says whether
        the PDF and the EPUB were made (the web book waits for it before it copies them;
        :mod:`press.engine.processes`); ``last``: this build finishes the PDF's
        background compile at the latest."""
        # the last good state's doctrees, staged: waited for by the application once it has
        # loaded the environment (press.state.BookBuild.doctrees_ready)
        if "doctrees" in self.copies:
            self.book.doctrees_copied = self.copies.pop("doctrees")
        self.copies.pop(fmt, _no_copy)()  # the last good output of this format, staged
        outdir = self.workdir(fmt)
        outdir.mkdir(parents=True, exist_ok=True)
        status = sys.stdout if self.verbosity else None  # else press.progress's line
        app = None
        started = time.perf_counter()
        try:
            with patch_docutils(self.conf), docutils_namespace():
                with _loaded_out_of_the_collectors_way():
                    app = BookApp(
                        book=self.book, srcdir=self.source, confdir=self.conf, outdir=outdir,
                        doctreedir=doctrees or self.stage / "doctrees", buildername=BUILDERS[fmt],
                        confoverrides=dict(overrides), status=status, warning=sys.stderr,
                        warningiserror=self.strict, parallel=self.jobs, verbosity=max(0, self.verbosity - 1),
                    )
                self.book.doctrees_ready()  # (an application without press: now)
                tracker.connect(app, fmt)
                if self.progress is not None and os.getpid() == self.pid:  # (not in the web book's process)
                    self.progress.connect(app, fmt)
                # The PDF compiled in the background is finished (and reported) by the EPUB
                # before it places its print page markers, by the web book before it copies
                # the PDF, or at the end of the last format at the latest; with -j, before
                # the next format's Sphinx forks workers (no fork mid-compile).
                if fmt != "pdf" and (last or fmt == self.formats[-1]):
                    app.connect("build-finished", _finish_compiles, priority=100)
                if wait_for_parent is not None:  # (after what needs no PDF or EPUB: search data, previews, pruning, the security policy)
                    app.connect("build-finished", wait_for_parent, priority=DOWNLOADS_PRIORITY - 50)
                # The web book needs no PDF to start: it starts once the book is read and its
                # environment saved (the first application's write-started: the PDF's, or the
                # EPUB's in a build without a PDF), on a copy of the doctree folder of its own
                # (processes.py): the two processes never write one environment or doctree,
                # and the web book never loads one half written.
                if fmt in ("pdf", "epub") and self.child is not None:
                    app.connect("write-started", lambda app, builder: self.release_web(tracker))
                cores = os.cpu_count() or 1
                if self.jobs == 1 and self.fork and hasattr(os, "fork") and cores > 1:
                    reader = _ReadWithTheCores(cores)
                    app.connect("env-before-read-docs", reader.before_read, priority=850)  # (before the count is shown)
                    app.connect("env-updated", reader.after_read, priority=1)
                if fmt != "pdf" and self.jobs > 1:
                    app.connect("env-before-read-docs", _finish_before_forking, priority=1)
                    if app.builder.allow_parallel:  # the EPUB builder never forks its writers
                        app.connect("env-get-updated", _finish_before_writing, priority=1)
                if wait_for_parent is None:  # (the parent announced the web book's process)
                    _say(f"writing {fmt}...")
                if fmt == "pdf" and len(self.formats) > 1:
                    # the wheel releases the GIL: overlap the writes (started after the fork
                    # when the EPUB and the web book are written by two processes: at once if
                    # the web book's process was forked before this application)
                    self.book.defer_compiles = True
                    self.book.start_deferred = not self.parallel_formats() or self.child is not None
                try:
                    app.build()
                finally:
                    self.book.defer_compiles = False
                code = app.statuscode
        except KeyboardInterrupt:
            raise
        except Exception as exc:  # what build_main does: Sphinx's report, no traceback
            from ..config import describe as user_mistake
            from ..envfail import describe

            message = user_mistake(exc, self.conf)  # a configuration mistake: one line each, no report
            if message:
                print(message, file=sys.stderr, flush=True)
            elif describe(exc):  # a full or read-only disk: one line, no crash report
                _fail(describe(exc, outdir))
            else:
                adapters.report_crash(app, exc, sys.stderr)
            code = 2
        finally:
            del app  # freed by Python's own collector while the next format builds
            _release()
        if code == 0:
            _say(f"{fmt} written in {time.perf_counter() - started:.1f} s")
        return code
