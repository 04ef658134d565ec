"""The output folder as a transaction: lock, staged copy of the last good state, atomic swap.

Part of :mod:`press.engine` (its steps 1, 2 and 4): the file-system side of one build and
nothing else — no Sphinx, no processes but ``cp``/``rm`` helpers.  :class:`Staging` is the
engine's view of the folders; the functions are the primitives it uses.
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
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from ..formats import ARTIFACT, ORDER
from ..progress import line_start

STATE = ".press"


def _say(message: str) -> None:
    print(f"{line_start(sys.stdout)}press: {message}", flush=True)


def _fail(message: str) -> None:
    print(f"{line_start(sys.stderr)}press: {message}", file=sys.stderr, flush=True)


def _no_copy(discard: bool = False) -> None:
    """The waiter of a copy that is already done (or had nothing to copy)."""


def _copy(src: Path, dest: Path) -> None:
    """Copy a file or a folder in this process (modification times kept)."""
    if src.is_dir():
        shutil.rmtree(dest, ignore_errors=True)
        shutil.copytree(src, dest, symlinks=True)
    else:
        shutil.copy2(src, dest)


def _in_background(args: list[str], sources: list[Path], dest: Path, into: bool) -> Any:
    """``cp`` of ``sources`` (to ``dest``, or ``into`` it) in a child process while the build
    goes on (on Linux; elsewhere copied at once); the returned function waits for it
    (``discard=True``: stops it), and copies in this process if ``cp`` failed."""
    def redo() -> None:
        for src in sources:
            _copy(src, dest / src.name if into else dest)

    if not (sys.platform.startswith("linux") and shutil.which("cp")):
        redo()
        return _no_copy
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def wait(discard: bool = False) -> None:
        if discard:
            proc.kill()
            proc.wait()
        elif proc.wait() != 0:
            redo()
    return wait


def start_copy(src: Path, dest: Path) -> Any:
    """Copy a folder, keeping modification times (Sphinx compares them), sharing blocks with
    the source where the file system can (copy-on-write), never sharing inodes, in the
    background (:func:`_in_background`)."""
    if not src.exists():
        return _no_copy
    dest.parent.mkdir(parents=True, exist_ok=True)
    return _in_background(["cp", "-a", "--reflink=auto", str(src), str(dest)], [src], dest, into=False)


#: the doctree folder's entries shared, not copied, by a staged build: the PDF's pieces, one
#: file per content hash, each written once under its name (:mod:`press.typst.pieces`, which
#: replaces files, never writes into one)
LINKED = ("press-pdf-pieces",)
#: the environment, copied first and alone: an application reads it as it starts
ENVIRONMENT = "environment.pickle"


def _link(src: str, dest: str) -> None:
    try:
        os.link(src, dest)
    except OSError:  # (a file system without hard links)
        shutil.copy2(src, dest)


def start_doctrees_copy(src: Path, dest: Path) -> Any:
    """The doctree folder staged: the environment copied and the PDF's pieces linked at once,
    the rest in the background (:func:`_in_background`; the first application waits for it
    once it has loaded the environment: :meth:`press.state.BookBuild.doctrees_ready`)."""
    dest.mkdir(parents=True, exist_ok=True)
    if not src.is_dir():
        return _no_copy
    rest = []
    for path in sorted(src.iterdir()):
        if path.name == ENVIRONMENT:
            shutil.copy2(path, dest / path.name)
        elif path.name in LINKED and path.is_dir():
            shutil.copytree(path, dest / path.name, copy_function=_link)
        else:
            rest.append(path)
    if not rest:
        return _no_copy
    return _in_background(["cp", "-a", "--reflink=auto", "-t", str(dest), "--", *map(str, rest)], rest, dest,
                          into=True)


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


class Staging:
    """The staged folders of one build and how they are published (a base of
    :class:`press.engine.Engine`, which sets ``out``, ``state``, ``stage``, ``formats``,
    ``copies``)."""

    out: Path
    state: Path
    stage: Path
    formats: list[str]
    copies: dict[str, Any]
    parallel_formats: Callable[[], bool]  # (press.engine.processes.WebProcess)

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
        self.stage.mkdir(parents=True)
        # The doctrees and the outputs are copied in the background: the first application
        # waits for the doctrees, each format's build for its own output.  The doctrees'
        # copy goes first, alone: the first application needs it at once.
        self.copies["doctrees"] = start_doctrees_copy(self.state / "doctrees", self.stage / "doctrees")
        for fmt in self.formats:
            if fmt == "html" and self.parallel_formats():
                continue  # the web book's process copies its own (processes.py), off this one's way
            if fmt == "epub":
                self.copies[fmt] = start_copy(self.state / "epub-work", self.workdir("epub"))
            else:
                self.copies[fmt] = start_copy(self.out / fmt, self.staged(fmt))
        pending = self.state / "pending.json"
        try:
            return json.loads(pending.read_text(encoding="utf-8")) if pending.is_file() else {}
        except (OSError, ValueError):
            return {}

    def download_dir(self) -> Path | None:
        """The folder whose ``pdf/`` and ``epub/`` the web book copies: the staging
        folder holding this build's files or links to the published ones."""
        if "html" not in self.formats:
            return None
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
            return self.stage
        return None

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
