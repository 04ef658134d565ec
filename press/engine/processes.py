"""The web book's process: fork, pipe protocol, stop.

Part of :mod:`press.engine`: with two or more cores the EPUB is written here while the web
book is written by a forked child, and the PDF's Typst compile runs in a thread of this
process.  The child waits on a pipe for two lines: the pages this build read, then whether
the PDF and the EPUB were made (``ok``) before it copies them.  Nothing here drives Sphinx
itself: the child calls the engine's :meth:`~press.engine.Engine.run_one`.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import shutil
import signal
import sys
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx

from .sphinx_run import Tracker
from .staging import _say, start_copy


def _wait_for_parent(from_parent: Any) -> Any:
    """``build-finished`` of the web book's process: wait until the parent has made the
    PDF and the EPUB (or failed, or died: then stop at once, the parent reports it)."""
    def wait(app: Sphinx, exception: Exception | None) -> None:
        if from_parent.readline().strip() != b"ok":
            _child_exit(3)
    return wait


def _child_exit(code: int) -> None:
    """End the web book's process.  ``os._exit`` (the parent's exit handlers are not ours to
    run), after stopping what this process started — sphinx-sitemap's manager process —
    which is in this process's own group."""
    sys.stdout.flush()
    sys.stderr.flush()
    with contextlib.suppress(OSError):
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        os.killpg(0, signal.SIGTERM)
    os._exit(code)


#: modules every format's application imports (besides press's own: :data:`press.SUBMODULES`):
#: imported before the web book's process is forked (:func:`_preload`)
PRELOAD = ("sphinx.builders.html", "sphinx.builders.epub3", "myst_parser", "sphinx_design", "sphinxcontrib.bibtex",
           "sphinx_copybutton", "notfound.extension", "sphinx_sitemap")
#: what only the web book imports: imported by its process while it waits for the book to be
#: read (before the fork, its 0.1 s came before the PDF's application started)
WEB_ONLY = ("sphinx_book_theme",)


#: what an extension's ``setup`` imports itself (not on importing the extension): myst-nb's
#: Sphinx side, about 1.2 s of the web book's start on a Jupyter Book
LAZY = {"myst_nb": ("myst_nb.sphinx_ext",)}


def _preload(conf: Path) -> None:
    """Import what the applications of both processes import, once, before the fork: the web
    book's process then starts with them (0.4 s of CPU it no longer spends on a one-page
    edit), and with the book's own ``extensions`` (those of ``conf.py`` in ``conf``, or of a
    Jupyter Book's generated one: myst-nb alone took the web book 2 s to import, after the
    EPUB had started).  Importing runs no extension's ``setup``: no docutils registry is
    touched; a module that fails to import is left for Sphinx to report as it loads it."""
    from .. import SUBMODULES

    from sphinx.application import builtin_extensions

    extensions = _extensions(conf)
    lazy = [m for e in extensions for m in LAZY.get(e, ())]
    for name in (*PRELOAD, *builtin_extensions, *(f"press.{m}" for m in SUBMODULES), *extensions, *lazy):
        with contextlib.suppress(Exception):
            importlib.import_module(name)
    from .. import references

    references.register_once()  # pybtex's plugins found once, not again in the web book's process


def _extensions(conf: Path) -> list[str]:
    """The ``extensions`` that ``conf.py`` in ``conf`` lists (read as Sphinx reads it), or
    none if it cannot be read (Sphinx reports why when it reads it itself)."""
    from sphinx.config import Config
    from sphinx.util.tags import Tags

    try:
        names = Config.read(conf, overrides={}, tags=Tags()).extensions
    except Exception:  # noqa: BLE001 - reported by the application that reads it next
        return []
    return [n for n in names if isinstance(n, str)] if isinstance(names, (list, tuple)) else []


#: the web book's doctree folder, beside the build's (``staging/doctrees``)
WEB_DOCTREES = "doctrees-web"
#: what the web book never reads: the PDF's pieces (:data:`press.typst.pieces.CACHE`)
NOT_FOR_THE_WEB = ("press-pdf-pieces",)
#: what the web book's process writes into its folder and the next build must not keep: the
#: environment (the parent's applications save it) and doctrees (read by the parent)
NOT_KEPT = ("environment.pickle",)


def _web_doctrees(shared: Path, own: Path) -> dict[str, int]:
    """The web book's doctree folder: a copy of the build's as its first application saved
    it (the environment, the doctrees, the records of the last build), so that the web book
    starts while the parent writes the PDF and the EPUB, and neither process ever reads a
    file the other writes: the parent's applications save the environment again (and may
    read a page); the web book saves its own and writes its records (tags, previews, the
    index's link, its compiled templates).  Copied, not linked: Sphinx writes those files in
    place.  Returns each copied file's modification time (ns), by relative path, to find what
    the web book wrote (:func:`_keep_web_records`)."""
    shutil.rmtree(own, ignore_errors=True)
    shutil.copytree(shared, own, ignore=shutil.ignore_patterns(*NOT_FOR_THE_WEB))
    return {str(p.relative_to(own)): p.stat().st_mtime_ns for p in own.rglob("*") if p.is_file()}


def _keep_web_records(own: Path, shared: Path, copied: dict[str, int]) -> None:
    """The files the web book's process wrote in its folder (new, or changed since the copy),
    moved into the build's, which the next build starts from; the rest goes."""
    for path in sorted(own.rglob("*")):
        if not path.is_file() or path.name in NOT_KEPT or path.suffix == ".doctree":
            continue
        rel = str(path.relative_to(own))
        if copied.get(rel) == path.stat().st_mtime_ns:
            continue
        target = shared / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, target)
    shutil.rmtree(own, ignore_errors=True)


class WebProcess:
    """The forked web book (a base of :class:`press.engine.Engine`, which sets ``fork``,
    ``jobs``, ``formats``, ``copies``, ``book``, ``child``, ``to_web``, ``released``)."""

    fork: bool
    jobs: int
    conf: Path
    formats: list[str]
    copies: dict[str, Any]
    book: Any
    child: int | None
    to_web: int | None  # the parent's end of the pipe to the web book's process
    released: bool  # the web book's process was told the book is read
    stage: Path
    #: the parent's end of the pipe on which the web book's process says it copied the doctrees
    from_web: int | None = None

    def parallel_formats(self) -> bool:
        """Write the EPUB and the web book at the same time, in two processes (the web book
        in a forked child), while Typst lays out the PDF in a thread of the parent: with
        two or more cores, ``-j 1`` (Sphinx's own workers would fork again) and both formats
        asked for.  ``PRESS_SERIAL=1`` (and :mod:`press.serve`) keep one process."""
        return (
            self.fork and self.jobs == 1 and {"epub", "html"} <= set(self.formats) and hasattr(os, "fork")
            and (os.cpu_count() or 1) > 1 and os.environ.get("PRESS_SERIAL", "") in ("", "0")
        )

    def fork_web(self, tracker: Tracker, overrides: dict[str, Any]) -> None:
        """Fork the web book's process, before any Sphinx application exists here (so the
        child's starts from clean docutils registries) and before any thread.  The child
        waits for two lines on a pipe: the pages this build read (sent by
        :meth:`release_web` once the book is read and its environment saved), then, before
        it copies the PDF and the EPUB, whether the parent made them."""
        _preload(self.conf)
        read_end, write_end = os.pipe()
        copied_read, copied_write = os.pipe()  # the child's word that it copied the doctrees
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # the web book, in a process group of its own (see _child_exit)
            code = 1
            try:
                os.setpgid(0, 0)
                os.close(write_end)
                os.close(copied_read)
                self.copies = {}  # (the parent's copies are the parent's to wait for)
                for name in WEB_ONLY:
                    with contextlib.suppress(Exception):  # (Sphinx reports a failed import itself)
                        importlib.import_module(name)
                from_parent = os.fdopen(read_end, "rb")
                line = from_parent.readline()
                if not line:
                    _child_exit(3)  # the parent failed or died while reading the book
                tracker.updated |= set(json.loads(line))
                # the last good web book, staged by this process while the parent writes the
                # PDF (not sooner: the parent's copy of the doctrees, which it reads first, is
                # then alone on the disk)
                self.copies["html"] = start_copy(self.out / "html", self.staged("html"))
                shared, own = self.stage / "doctrees", self.stage / WEB_DOCTREES
                copied = _web_doctrees(shared, own)
                os.write(copied_write, b"c")
                os.close(copied_write)
                code = self.run_one("html", tracker, overrides, wait_for_parent=_wait_for_parent(from_parent),
                                    doctrees=own)
                if code == 0:  # (the parent waits for this process meanwhile)
                    _keep_web_records(own, shared, copied)
            except KeyboardInterrupt:
                code = 130
            except BaseException:  # noqa: BLE001 - the parent reports the failed format
                import traceback

                traceback.print_exc()
            finally:
                _child_exit(code)
        os.close(read_end)
        os.close(copied_write)
        self.child, self.to_web, self.from_web, self.released = pid, write_end, copied_read, False

    def release_web(self, tracker: Tracker) -> None:
        """The book is read and its environment saved: let the web book's process start, on a
        copy of the doctree folder of its own, which it makes (:func:`_web_doctrees`) while
        this process writes the PDF (no file of that folder but the PDF's pieces, which the
        web book does not copy, is written meanwhile); :meth:`web_copied` waits for it."""
        if self.to_web is None or self.released:
            return
        self.released = True
        _say("writing html (in a second process)...")
        os.write(self.to_web, json.dumps(sorted(tracker.updated)).encode() + b"\n")

    def web_copied(self) -> None:
        """Wait until the web book's process has copied the doctree folder (or ended): before
        this process writes into that folder again (the EPUB's application)."""
        if self.from_web is not None:
            try:
                os.read(self.from_web, 1)  # (nothing: it ended; its exit status says how)
            except OSError:
                pass
            finally:
                os.close(self.from_web)
                self.from_web = None

    def run_epub_and_html(self, tracker: Tracker, overrides: dict[str, Any]) -> int:
        """The EPUB here, the web book in the forked child; the child waits, before it
        copies the PDF and the EPUB, for the parent to say (on a pipe) that both exist."""
        if self.child is None:  # no PDF in this build: the book was read by the EPUB's build
            self.fork_web(tracker, overrides)
        else:
            self.web_copied()  # (the PDF's build released it)
        pid = self.child
        assert self.to_web is not None and pid is not None
        try:
            self.book.start_compiles()  # the PDF's compile, not started before the fork
            status = self.run_one("epub", tracker, overrides, last=True)
            if status == 0:
                status = self.publish_epub()
            if status != 0:
                self.stop_child()  # nothing will be published: no need to finish the web book
                return status
            self.release_web(tracker)  # (when the EPUB's build read the book)
            os.write(self.to_web, b"ok\n")
        finally:
            if self.to_web is not None:
                os.close(self.to_web)
                self.to_web = None
        self.web_copied()
        _, wait_status = os.waitpid(pid, 0)
        self.child = None
        code = os.waitstatus_to_exitcode(wait_status)
        return 1 if code != 0 else 0

    def stop_child(self) -> None:
        """Kill the web book's process and whatever it started (its process group)."""
        if self.from_web is not None:
            with contextlib.suppress(OSError):
                os.close(self.from_web)
            self.from_web = None
        if self.to_web is not None:
            with contextlib.suppress(OSError):
                os.close(self.to_web)
            self.to_web = None
        if self.child is not None:
            with contextlib.suppress(OSError):
                os.killpg(self.child, signal.SIGKILL)
            with contextlib.suppress(OSError):
                os.waitpid(self.child, 0)
            self.child = None
