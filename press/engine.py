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
   read nothing.  Output-only settings (``press_download_dir``, paper, fonts)
   are registered with ``rebuild="html"`` or ``""`` so switching builders never
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
import ctypes
import fcntl
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util.docutils import docutils_namespace, patch_docutils

from .typst.builder import compile_in_background, finish_pending, resume_pending, take_pending

BUILDERS = {"html": "html", "epub": "epub", "pdf": "typst"}
ARTIFACT = {"epub": "*.epub", "pdf": "*.pdf"}
#: Build order: the web book links copies of the PDF and EPUB of the same build.
ORDER = ("pdf", "epub", "html")
STATE = ".press"


# ---- small helpers -------------------------------------------------------------------------

def _say(message: str) -> None:
    print(f"press: {message}", flush=True)


def _fail(message: str) -> None:
    print(f"press: {message}", file=sys.stderr, flush=True)


def parse_jobs(jobs: int | str | None) -> int:
    """``-j`` value: a positive int, ``"auto"`` (the CPU count) or ``None`` (1)."""
    if jobs in (None, "", 0):
        return 1
    if isinstance(jobs, str) and jobs.strip().lower() == "auto":
        return os.cpu_count() or 1
    value = int(jobs)
    if value < 1:
        raise ValueError(f"-j must be a positive number or 'auto', got {jobs!r}")
    return value


def _no_copy(discard: bool = False) -> None:
    """The waiter of a copy that is already done (or had nothing to copy)."""


def start_copy(src: Path, dest: Path) -> Any:
    """Copy a folder, keeping modification times (Sphinx compares them), sharing blocks with
    the source where the file system can (copy-on-write), never sharing inodes.  On Linux
    ``cp`` does it in a child process while the build goes on; the returned function waits
    for it (``discard=True``: stops it), and copies in this process if ``cp`` failed."""
    if not src.exists():
        return _no_copy
    dest.parent.mkdir(parents=True, exist_ok=True)
    if not (sys.platform.startswith("linux") and shutil.which("cp")):
        shutil.copytree(src, dest, symlinks=True)
        return _no_copy
    proc = subprocess.Popen(["cp", "-a", "--reflink=auto", str(src), str(dest)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def wait(discard: bool = False) -> None:
        if discard:
            proc.kill()
            proc.wait()
        elif proc.wait() != 0:
            shutil.rmtree(dest, ignore_errors=True)
            shutil.copytree(src, dest, symlinks=True)
    return wait


def copy_tree(src: Path, dest: Path) -> None:
    """:func:`start_copy`, waited for."""
    start_copy(src, dest)()


TRASH = "trash-"


def discard(folder: Path, state: Path) -> None:
    """Remove ``folder`` (after a swap: the previous outputs) off the critical path: it is
    renamed into the state folder at once and deleted by a detached ``rm`` (the next build
    removes whatever a killed ``rm`` left)."""
    if not folder.exists():
        return
    trash = state / f"{TRASH}{os.getpid()}-{time.monotonic_ns()}"
    try:
        os.replace(folder, trash)
        subprocess.Popen(["rm", "-rf", "--", str(trash)], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, start_new_session=True)
    except OSError:
        shutil.rmtree(trash if trash.exists() else folder, ignore_errors=True)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _renameat2() -> Any:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        func = libc.renameat2
    except (OSError, AttributeError):
        return None
    func.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    return func


def exchange(new: Path, final: Path) -> None:
    """Put ``new`` at ``final``; afterwards the old ``final`` (if any) is at ``new``.

    Atomic where the kernel offers ``RENAME_EXCHANGE``: ``final`` always exists, with
    either the old or the new content, whatever moment the process is killed."""
    if not final.exists():
        os.replace(new, final)
        return
    func = _renameat2()
    if func is not None:
        if func(_AT_FDCWD, os.fsencode(new), _AT_FDCWD, os.fsencode(final), _RENAME_EXCHANGE) == 0:
            return
    # Fallback: two renames (a kill between them leaves the old tree at ``new``'s name).
    aside = new.with_name(new.name + ".old")
    os.replace(final, aside)
    os.replace(new, final)
    os.replace(aside, new)


@contextlib.contextmanager
def no_interrupts() -> Iterator[None]:
    """Hold SIGINT/SIGTERM back while the swap runs (they are delivered right after)."""
    blocked = {signal.SIGINT, signal.SIGTERM}
    old = signal.pthread_sigmask(signal.SIG_BLOCK, blocked)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


@contextlib.contextmanager
def locked(state: Path) -> Iterator[None]:
    """One build at a time in one output folder; a second one waits, and says why."""
    state.mkdir(parents=True, exist_ok=True)
    path = state / "lock"
    with open(path, "a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            owner = handle.read().strip() or "?"
            _fail(f"another build is running in {state.parent} (pid {owner}); waiting for it to finish "
                  f"(lock file {path})")
            fcntl.flock(handle, fcntl.LOCK_EX)
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle, fcntl.LOCK_UN)


def _finish_compiles(app: Sphinx, exception: Exception | None) -> None:
    """At the end of the format written after the PDF (``build-finished``), unless the
    web book did it first (it links the PDF): wait for the PDF's Typst compile, report
    its errors and warnings through this build, write the PDF."""
    if exception is None:
        finish_pending(app)


def _finish_before_forking(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    """With ``-j``, Sphinx reads pages in forked processes: finish the compile thread first.
    (After the PDF's build nothing is left to read, and the web book, whose writing may
    fork, finishes the compile before it writes: the overlap stays.)"""
    if docnames:
        finish_pending(app)


def _finish_before_writing(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """With ``-j``, before the web book's writers fork (whether or not press.web is loaded)."""
    finish_pending(app)
    return []


def _gate(news: Any) -> Any:
    """``build-finished`` of the web book's process: wait until the parent has made the
    PDF and the EPUB (or failed, or died: then stop at once, the parent reports it)."""
    def wait(app: Sphinx, exception: Exception | None) -> None:
        if news.readline().strip() != b"ok":
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


# ---- what to write -------------------------------------------------------------------------

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
        old_sec, old_fig = self._numbers
        self.updated |= {d for d, n in env.toc_secnumbers.items() if old_sec.get(d) != n}
        self.updated |= {d for d, n in env.toc_fignumbers.items() if old_fig.get(d) != n}
        self._titles = {}

    def _to_write(self, app: Sphinx, env: BuildEnvironment) -> list[str]:
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


# ---- the build -----------------------------------------------------------------------------

class Engine:
    def __init__(self, formats: list[str], source: Path, conf: Path, out: Path, strict: bool, jobs: int,
                 fork: bool = True) -> None:
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
        self.say: int | None = None
        self.html_copy: Any = None

    def abandon(self) -> None:
        """Stop what runs beside a build that will not be (or was) published: the web book's
        process, the PDF's compile thread and the background copies.  Idempotent."""
        self.stop_child()
        for job in take_pending():
            job.wait()  # never leave a thread reading the staging folder we remove
        for wait in self.copies.values():
            wait(discard=True)
        self.copies.clear()

    # The staged layout mirrors the published one.
    def staged(self, fmt: str) -> Path:
        return self.stage / fmt

    def workdir(self, fmt: str) -> Path:
        """Where the builder writes: the published folder itself, except for the EPUB
        (its unzipped files stay in the state; only the ``.epub`` is published)."""
        return self.stage / "epub-work" if fmt == "epub" else self.staged(fmt)

    def prepare(self) -> dict[str, list[str]]:
        shutil.rmtree(self.stage, ignore_errors=True)
        for old in self.state.glob(f"{TRASH}*"):  # left by a build whose remover was killed
            shutil.rmtree(old, ignore_errors=True)
        for old in (self.out / ".staging", self.out / ".doctrees"):  # layout of earlier versions
            shutil.rmtree(old, ignore_errors=True)
        self.stage.mkdir(parents=True)
        copy_tree(self.state / "doctrees", self.stage / "doctrees")
        # The outputs are copied in the background; each build waits for its own copy.
        for fmt in self.formats:
            if fmt == "epub":
                self.copies[fmt] = start_copy(self.state / "epub-work", self.workdir("epub"))
            else:
                self.copies[fmt] = start_copy(self.out / fmt, self.staged(fmt))
        pending = self.state / "pending.json"
        try:
            return json.loads(pending.read_text(encoding="utf-8")) if pending.is_file() else {}
        except (OSError, ValueError):
            return {}

    def download_dir(self) -> str:
        """The folder whose ``pdf/`` and ``epub/`` the web book copies: the staging
        folder (one fixed path, so the HTML build info does not change between builds),
        holding this build's files or links to the published ones."""
        if "html" not in self.formats:
            return ""
        if "epub" in self.formats:  # the web book links the EPUB before it is packaged
            self.staged("epub").mkdir(parents=True, exist_ok=True)
        for fmt in ("pdf", "epub"):
            published = self.out / fmt
            if fmt not in self.formats and published.is_dir():
                target = self.staged(fmt)
                target.mkdir(parents=True, exist_ok=True)
                for f in published.glob(ARTIFACT[fmt]):
                    os.link(f, target / f.name)  # read only: never written through
        if any((self.out / f).is_dir() or f in self.formats for f in ("pdf", "epub")):
            return str(self.stage)
        return ""

    def run_one(self, fmt: str, tracker: Tracker, overrides: dict[str, Any], gate: Any = None,
                last: bool = False) -> int:
        """Build one format.  ``gate``: in the web book's process of a parallel build, the
        pipe on which the parent says whether the PDF and the EPUB were made (the web book
        waits for it before it copies them); ``last``: this build finishes the PDF's
        background compile at the latest."""
        self.copies.pop(fmt, _no_copy)()  # the last good output of this format, staged
        outdir = self.workdir(fmt)
        outdir.mkdir(parents=True, exist_ok=True)
        status = sys.stdout if self.tty else None
        app = None
        started = time.perf_counter()
        try:
            with patch_docutils(self.conf), docutils_namespace():
                app = Sphinx(
                    srcdir=self.source, confdir=self.conf, outdir=outdir,
                    doctreedir=self.stage / "doctrees", buildername=BUILDERS[fmt],
                    confoverrides=dict(overrides), status=status, warning=sys.stderr,
                    warningiserror=self.strict, parallel=self.jobs,
                )
                tracker.connect(app, fmt)
                # The PDF compiled in the background is finished (and reported) by the EPUB
                # before it places its print page markers, by the web book before it copies
                # the PDF, or at the end of the last format at the latest; with -j, before
                # the next format's Sphinx forks workers (no fork mid-compile).
                if fmt != "pdf" and (last or fmt == self.formats[-1]):
                    app.connect("build-finished", _finish_compiles, priority=100)
                if gate is not None:
                    app.connect("build-finished", _gate(gate), priority=50)
                if fmt == "pdf" and self.child is not None:  # the web book needs no PDF to start
                    app.connect("write-started", lambda app, builder: self.release_web(tracker))
                if fmt != "pdf" and self.jobs > 1:
                    app.connect("env-before-read-docs", _finish_before_forking, priority=1)
                    if app.builder.allow_parallel:  # the EPUB builder never forks its writers
                        app.connect("env-get-updated", _finish_before_writing, priority=1)
                if gate is None:  # (the parent announced the web book's process)
                    _say(f"writing {fmt}...")
                if fmt == "pdf" and len(self.formats) > 1:
                    # the wheel releases the GIL: overlap the writes (started after the fork
                    # when the EPUB and the web book are written by two processes)
                    with compile_in_background(start=not self.parallel_formats()):
                        app.build()
                else:
                    app.build()
                code = app.statuscode
        except KeyboardInterrupt:
            raise
        except Exception as exc:  # what build_main does: Sphinx's report, no traceback
            from sphinx.cmd.build import handle_exception

            from .envfail import describe

            if describe(exc):  # a full or read-only disk: one line, no crash report
                _fail(describe(exc))
            else:
                handle_exception(app, SimpleNamespace(pdb=False, verbosity=0, traceback=False), exc, sys.stderr)
            code = 2
        finally:
            del app  # freed by Python's own collector while the next format builds
        if code == 0:
            _say(f"{fmt} written in {time.perf_counter() - started:.1f} s")
        return code

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
        html_copy = self.copies.pop("html", _no_copy)  # ``cp`` is the parent's child
        gate, say = os.pipe()
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # the web book, in a process group of its own (see _child_exit)
            code = 1
            try:
                os.setpgid(0, 0)
                os.close(say)
                news = os.fdopen(gate, "rb")
                line = news.readline()
                if not line:
                    _child_exit(3)  # the parent failed or died while reading the book
                tracker.updated |= set(json.loads(line))
                code = self.run_one("html", tracker, overrides, gate=news)
            except KeyboardInterrupt:
                code = 130
            except BaseException:  # noqa: BLE001 - the parent reports the failed format
                import traceback

                traceback.print_exc()
            finally:
                _child_exit(code)
        os.close(gate)
        self.child, self.say, self.html_copy = pid, say, html_copy

    def release_web(self, tracker: Tracker) -> None:
        """The book is read and its environment saved: let the web book's process start."""
        if self.say is None or self.html_copy is None:
            return
        self.html_copy()
        self.html_copy = None
        _say("writing html (in a second process)...")
        os.write(self.say, json.dumps(sorted(tracker.updated)).encode() + b"\n")

    def run_epub_and_html(self, tracker: Tracker, overrides: dict[str, Any]) -> int:
        """The EPUB here, the web book in the forked child; the child waits, before it
        copies the PDF and the EPUB, for the parent to say (on a pipe) that both exist."""
        if self.child is None:  # no PDF in this build: the book was read by the EPUB's build
            self.fork_web(tracker, overrides)
        pid = self.child
        assert self.say is not None and pid is not None
        try:
            jobs = take_pending()  # the PDF's compile, not started before the fork
            for job in jobs:
                job.start()
            resume_pending(jobs)
            status = self.run_one("epub", tracker, overrides, last=True)
            if status == 0:
                status = self.publish_epub()
            if status != 0:
                self.stop_child()  # nothing will be published: no need to finish the web book
                return status
            self.release_web(tracker)  # (when the EPUB's build read the book)
            os.write(self.say, b"ok\n")
        finally:
            if self.say is not None:
                os.close(self.say)
                self.say = None
        _, wait_status = os.waitpid(pid, 0)
        self.child = None
        code = os.waitstatus_to_exitcode(wait_status)
        return 1 if code != 0 else 0

    def stop_child(self) -> None:
        """Kill the web book's process and whatever it started (its process group)."""
        if self.html_copy is not None:
            self.html_copy(discard=True)
            self.html_copy = None
        if self.say is not None:
            with contextlib.suppress(OSError):
                os.close(self.say)
            self.say = None
        if self.child is not None:
            with contextlib.suppress(OSError):
                os.killpg(self.child, signal.SIGKILL)
            with contextlib.suppress(OSError):
                os.waitpid(self.child, 0)
            self.child = None

    def publish_epub(self) -> int:
        found = sorted(self.workdir("epub").glob(ARTIFACT["epub"]))
        if not found:
            _fail("the epub build produced no .epub file")
            return 1
        target = self.staged("epub")
        target.mkdir(parents=True, exist_ok=True)
        for f in found:
            shutil.copy2(f, target / f.name)
        return 0

    def swap(self, pending: dict[str, list[str]]) -> None:
        (self.stage / "pending.json").write_text(json.dumps(pending, sort_keys=True), encoding="utf-8")
        moves = [(self.staged(f), self.out / f) for f in self.formats]
        if "epub" in self.formats:
            moves.append((self.workdir("epub"), self.state / "epub-work"))
        moves += [(self.stage / "pending.json", self.state / "pending.json"),
                  (self.stage / "doctrees", self.state / "doctrees")]
        with no_interrupts():
            for new, final in moves:
                if new.exists():
                    exchange(new, final)
        discard(self.stage, self.state)

    def where(self) -> str:
        parts = []
        for fmt in ORDER:
            final = self.out / fmt
            if fmt not in self.formats:
                continue
            if fmt in ARTIFACT:
                parts += [str(p) for p in sorted(final.glob(ARTIFACT[fmt]))]
            else:
                parts.append(str(final / "index.html"))
        return ", ".join(parts)

    def run(self) -> int:
        started = time.perf_counter()
        with locked(self.state):
            try:
                tracker = Tracker(self.prepare())
                overrides: dict[str, Any] = {"press_download_dir": self.download_dir()}
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
) -> int:
    """Build ``formats`` (``None`` or ``[]``: all three) from one read of ``source``;
    return the exit status.  The CLI's, ``make``'s and :mod:`press.serve`'s entry point
    (``fork=False``: one process, as a server with threads of its own needs)."""
    return Engine(list(formats or ORDER), Path(source), Path(conf), Path(out), strict, parse_jobs(jobs), fork).run()


def build(fmt: str, source: Path, conf: Path, out: Path, strict: bool = True, extra: list[str] | None = None) -> int:
    """Build one format (kept for callers of the earlier API; ``extra`` is ignored)."""
    return build_book([fmt], source, conf, out, strict=strict)
