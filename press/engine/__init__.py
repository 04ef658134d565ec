"""The build engine: read the book once, write every format, lose nothing.

One ``press build`` is one transaction over the output folder ``OUT``:

1. **Lock.** ``OUT/.press/lock`` (``flock``): a second build in the same folder
   waits for the first and says so; two builds never write the same files.
2. **Stage.** The state of the last good build — the doctrees and pickled
   environment, the EPUB builder's working folder and the published outputs of
   the formats asked for — is copied into ``OUT/.press/staging/`` (a plain copy,
   ``cp --reflink=auto`` where the file system can share blocks: Sphinx rewrites
   files in place, so hard links would leak the new build into the old output).
3. **Build.** One Sphinx application per format, in one process, all sharing
   the staged doctree folder: the first reads the pages that changed (all of
   them the first time) and pickles the environment; the others load it and
   read nothing.  What the formats share — the PDF's compile, its page map,
   the output folders, the site URL — is one :class:`press.state.BookBuild`,
   reachable from each application (:func:`press.state.of`).  Output-only
   settings (paper, fonts) are registered with ``rebuild="html"`` or ``""`` so switching builders never
   forces a re-read.  Pages to rewrite are those read in this build, plus every
   page when the navigation (order or a title) changed, plus pages read by an
   earlier build of another format only (kept in ``pending.json``); they are
   handed to each builder through the public ``env-get-updated`` event.
4. **Swap.** Only if every format succeeded (warnings are errors), each staged
   folder is exchanged with the published one atomically (``renameat2`` with
   ``RENAME_EXCHANGE`` on Linux; two renames elsewhere), outputs first and the
   doctrees last.  A failed, interrupted or killed build leaves every published
   output as it was; the next build clears the staging folder and starts over
   from the last good state.

The parts, one job each: :mod:`press.engine.staging` (lock, staging, swap),
:mod:`press.engine.processes` (the web book's forked process and its pipe),
:mod:`press.engine.sphinx_run` (one Sphinx application per format, which pages to write);
:class:`Engine` puts them in order (:meth:`Engine.run`).

=========  ===========  ====================================
format     builder      result
=========  ===========  ====================================
``html``   ``html``     ``OUT/html/``
``epub``   ``epub``     ``OUT/epub/<slug>.epub``
``pdf``    ``typst``    ``OUT/pdf/<slug>.pdf`` (+ ``.typ``)
=========  ===========  ====================================
"""

from __future__ import annotations

import contextlib
import gc
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Any

from ..formats import ARTIFACT, BUILDERS, ORDER, parse_jobs
from ..memo import SharedMemo
from ..progress import Progress
from ..state import BookBuild
from .processes import WebProcess
from .sphinx_run import SphinxRuns, Tracker
from .staging import (  # noqa: F401 (the engine's primitives, re-exported for tests and tools)
    STATE,
    TRASH,
    Staging,
    _fail,
    _say,
    copy_tree,
    discard,
    exchange,
    locked,
    no_interrupts,
    start_copy,
)

#: The cyclic garbage collector's thresholds during a build.  A book's doctrees are millions
#: of small objects that live for a whole phase; with Python's defaults (700, 10, 10) the
#: collector runs thousands of times and scans them again and again: 2.6 s of the 17 s of CPU
#: of a cold web book + EPUB of the heavy 200-page benchmark book.  With these it runs about
#: a hundred times (0.7-1.2 s) for 15 MB more peak memory (measured: benchmarks, issue 25).
GC_THRESHOLDS = (20_000, 20, 50)


@contextlib.contextmanager
def fewer_collections():
    """:data:`GC_THRESHOLDS` for the duration of a build; the process's own afterwards."""
    old = gc.get_threshold()
    gc.set_threshold(*(max(a, b) for a, b in zip(old, GC_THRESHOLDS)))
    try:
        yield
    finally:
        gc.set_threshold(*old)


__all__ = ["ARTIFACT", "BUILDERS", "ORDER", "STATE", "TRASH", "Engine", "Tracker", "build_book", "parse_jobs"]


class Engine(Staging, WebProcess, SphinxRuns):
    """One ``press build``: the folders (:class:`~press.engine.staging.Staging`), the web
    book's process (:class:`~press.engine.processes.WebProcess`) and the Sphinx runs
    (:class:`~press.engine.sphinx_run.SphinxRuns`), put in order by :meth:`run`."""

    def __init__(self, formats: list[str], source: Path, conf: Path, out: Path, strict: bool, jobs: int,
                 fork: bool = True, *, site_url: str | None = None, compilers: dict | None = None,
                 verbosity: int = 0) -> None:
        unknown = [f for f in formats if f not in BUILDERS]
        if unknown:
            raise ValueError(f"unknown format(s) {unknown}: choose from {sorted(BUILDERS)}")
        self.formats = [f for f in ORDER if f in formats]
        self.source, self.conf, self.out = source.resolve(), conf.resolve(), out.resolve()
        self.strict, self.jobs = strict, jobs
        self.state = self.out / STATE
        self.stage = self.state / "staging"
        self.tty = sys.stdout.isatty() and not os.environ.get("CI")
        self.copies: dict[str, Any] = {}
        self.fork = fork
        self.child: int | None = None
        self.to_web: int | None = None  # the pipe to the web book's process (processes.py)
        self.released = False
        self.verbosity = verbosity  # -v: Sphinx's own messages; else press.progress's line
        self.progress = Progress(live=self.tty) if not verbosity else None
        self.pid = os.getpid()
        #: what this build's formats share (press.state): compiles, page map, outputs, site URL
        self.book = BookBuild(site_url=site_url, compilers=compilers)
        self.book.first_builder = BUILDERS[self.formats[0]] if self.formats else None

    def abandon(self) -> None:
        """Stop what runs beside a build that will not be (or was) published: the web book's
        process, the PDF's compile thread and the background copies.  Idempotent."""
        self.stop_child()
        self.book.abandon_compiles()  # never leave a thread reading the staging folder we remove
        for wait in self.copies.values():
            wait(discard=True)
        self.copies.clear()
        if self.book.doctrees_copied is not None:
            self.book.doctrees_copied(discard=True)
            self.book.doctrees_copied = None

    # The staged layout mirrors the published one.
    def run(self) -> int:
        started = time.perf_counter()
        with locked(self.state), fewer_collections():
            try:
                tracker = Tracker(self.prepare())
                if {"epub", "html"} <= set(self.formats):  # (one of them alone has nobody to share with)
                    self.book.memo = SharedMemo(self.stage / "memo")
                self.book.outputs.folders = {fmt: self.workdir(fmt) for fmt in self.formats}
                self.book.outputs.downloads = self.download_dir()
                overrides: dict[str, Any] = {}
                if self.strict:
                    overrides["nitpicky"] = True
                status = 0
                if "pdf" in self.formats and self.parallel_formats():
                    self.fork_web(tracker, overrides)
                for fmt in self.formats:
                    if fmt == "epub" and self.parallel_formats():
                        status = self.run_epub_and_html(tracker, overrides)
                        break
                    status = self.run_one(fmt, tracker, overrides)
                    if status == 0 and fmt == "epub":
                        status = self.publish_epub()
                    if status != 0:
                        break
                if status != 0:
                    for fmt in self.formats:
                        _fail(f"the {fmt} build failed (see the messages above); "
                              f"the previous {self.out / fmt} is left untouched.")
                    self.abandon()
                    shutil.rmtree(self.stage, ignore_errors=True)
                    return status or 1
                self.swap(tracker.pending_after(self.formats))
            except KeyboardInterrupt:
                self.abandon()
                shutil.rmtree(self.stage, ignore_errors=True)
                _fail("interrupted; every previous output is left untouched.")
                return 130
            finally:
                self.abandon()  # e.g. a build that failed before finishing the PDF's compile
                if self.progress is not None:
                    self.progress.stop()
        took = time.perf_counter() - started
        _say(f"built {', '.join(self.formats)} in {took:.1f} s -> {self.where()}")
        return 0


def build_book(
    formats: list[str] | None,
    source: Path,
    conf: Path,
    out: Path,
    strict: bool = True,
    jobs: int | str | None = None,
    fork: bool = True,
    *,
    site_url: str | None = None,
    compilers: dict | None = None,
    verbosity: int = 0,
) -> int:
    """Build ``formats`` (``None`` or ``[]``: all three) from one read of ``source``;
    return the exit status.  The CLI's, ``make``'s and :mod:`press.serve`'s entry point
    (``fork=False``: one process, as a server with threads of its own needs).
    ``site_url``: the public URL decided by the host (overrides ``press_site_url``);
    ``compilers``: a dict kept across builds to reuse the Typst compilers (``press serve``)."""
    return Engine(list(formats or ORDER), Path(source), Path(conf), Path(out), strict, parse_jobs(jobs), fork,
                  site_url=site_url, compilers=compilers, verbosity=verbosity).run()
