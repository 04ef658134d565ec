"""What a build says while it runs: colours only where they show, and a sign of life.

* :func:`colour_wanted` / :func:`set_colour`: ANSI colours only on a terminal, never under
  ``NO_COLOR`` (https://no-color.org) or in CI (``CI`` set), always under ``FORCE_COLOR``.
* :class:`Progress`: connected to each format's Sphinx application (public events only), it
  counts the pages read and written and names the phase; on a terminal it keeps one live
  line up to date (``\\r``), elsewhere (CI, a pipe) it prints a plain line when the phase
  changes and at most every :data:`EVERY` seconds while one lasts (the PDF's Typst layout
  runs in one call: the line then says how long it has been running).
"""

from __future__ import annotations

import os
import sys
import threading
import time
import weakref
from typing import Any, TextIO

#: Seconds between two plain progress lines (CI) or two refreshes of the live line.
EVERY = 2.0


def colour_wanted(stream: TextIO | None = None, environ: dict[str, str] | None = None) -> bool:
    """Whether to colour what goes to ``stream`` (default: stderr, where messages go)."""
    env = os.environ if environ is None else environ
    if env.get("NO_COLOR", ""):
        return False
    if env.get("FORCE_COLOR", ""):
        return True
    if env.get("CI", "").lower() not in ("", "0", "false"):
        return False
    stream = sys.stderr if stream is None else stream
    try:
        tty = stream.isatty()
    except (AttributeError, ValueError):
        return False
    return tty and env.get("TERM", "").lower() not in ("", "dumb")


def set_colour() -> None:
    """Turn Sphinx's colours off unless both stdout and stderr are terminals that want them."""
    from sphinx.util import console

    if colour_wanted(sys.stderr) and colour_wanted(sys.stdout):
        console.coloron()
    else:
        console.nocolor()


def live_wanted(stream: TextIO | None = None) -> bool:
    """A live (rewritten) line: on a terminal, outside CI."""
    stream = sys.stdout if stream is None else stream
    try:
        tty = stream.isatty()
    except (AttributeError, ValueError):
        tty = False
    return tty and os.environ.get("CI", "").lower() in ("", "0", "false") and os.environ.get("TERM", "") != "dumb"


#: Back to the start of the line and erase it (where the live line was).
ERASE = "\r\x1b[K"


def line_start(stream: TextIO) -> str:
    """What a message printed to ``stream`` starts with: :data:`ERASE` where a live line may be."""
    return ERASE if live_wanted(stream) else ""


def _forked(ref: "weakref.ReferenceType[Progress]") -> None:
    progress = ref()
    if progress is not None:
        progress.forked()


class Progress:
    """Pages read, format being written, time spent; a heartbeat thread fills silent gaps."""

    def __init__(self, stream: TextIO | None = None, live: bool | None = None, every: float = EVERY) -> None:
        self.stream = sys.stdout if stream is None else stream
        self.live = live_wanted(self.stream) if live is None else live
        self.every = every
        self.phase = ""
        self.done = 0
        self.total = 0
        self.since = time.monotonic()
        self.last = 0.0
        self.shown = ""
        self.fmt = ""
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        # A process forked from this one (Sphinx's parallel readers, the web book) draws
        # nothing and never waits on a lock the heartbeat held at the fork.
        if hasattr(os, "register_at_fork"):
            ref = weakref.ref(self)
            os.register_at_fork(after_in_child=lambda: _forked(ref))

    def forked(self) -> None:
        """In a process forked from this one: a new lock (the heartbeat may have held the old
        one at the fork, and no thread of this process will release it) and nothing drawn."""
        self._lock = threading.Lock()
        self._thread = None
        self.live, self.phase = False, ""

    # ---- Sphinx events ----------------------------------------------------------------------

    def connect(self, app: Any, fmt: str) -> None:
        """Follow one format's build (``fmt``: pdf, epub or html)."""
        with self._lock:  # (said by the heartbeat only: the engine has just said "writing …")
            self.phase, self.done, self.total, self.since = f"{fmt}: loading the book", 0, 0, time.monotonic()
            self.fmt = fmt
        app.connect("env-before-read-docs", self._reading)
        app.connect("source-read", self._read_one)
        app.connect("env-updated", lambda app, env: self.set(f"{fmt}: pages read", self.done, self.total)
                    if self.total else None)
        app.connect("write-started", lambda app, builder: self.set(f"{fmt}: writing", 0, 0))
        app.connect("doctree-resolved", self._wrote_one)
        app.connect("build-finished", lambda app, exc: self.set(f"{fmt}: finishing"), priority=1)
        app.connect("build-finished", lambda app, exc: self.clear(), priority=900)
        if self.live:  # a warning starts on a line of its own
            import logging

            from sphinx.util import logging as sphinx_logging

            for handler in logging.getLogger(sphinx_logging.NAMESPACE).handlers:
                if isinstance(handler, sphinx_logging.WarningStreamHandler):
                    handler.addFilter(self._before_message)
        self.start()

    def _before_message(self, record: Any) -> bool:
        self.clear(keep=True)
        return True

    def _reading(self, app: Any, env: Any, docnames: list[str]) -> None:
        if not docnames:  # nothing changed since the last read: the saved book is used
            return
        with self._lock:  # shown from the first page on (the engine says "reading N of M pages")
            self.phase, self.done, self.total, self.since = "reading pages", 0, len(docnames), time.monotonic()

    def _read_one(self, app: Any, docname: str, source: list[str]) -> None:
        self.step()

    def _wrote_one(self, app: Any, doctree: Any, docname: str) -> None:
        self.step()

    # ---- state ------------------------------------------------------------------------------

    def set(self, phase: str, done: int = 0, total: int = 0) -> None:
        with self._lock:
            changed = phase != self.phase
            self.phase, self.done, self.total = phase, done, total
            if changed:
                self.since = time.monotonic()
        if changed:
            self.show(force=True)

    def step(self) -> None:
        with self._lock:
            self.done += 1
        self.show()

    def text(self) -> str:
        with self._lock:
            count = f" {self.done}/{self.total}" if self.total else f" {self.done}" if self.done else ""
            took = time.monotonic() - self.since
        return f"press: {self.phase}{count}" + (f" ({took:.0f} s)" if took >= self.every else "")

    def show(self, force: bool = False, beat: bool = False) -> None:
        """Draw the live line (at most ten times a second); plain lines come from the heartbeat only,
        in a phase that has lasted :attr:`every` seconds without a line."""
        now = time.monotonic()
        if not self.phase or (not self.live and not beat) or (not force and now - self.last < 0.1):
            return
        self.last = now
        line = self.text()
        try:
            if self.live:
                try:
                    width = max(20, os.get_terminal_size(self.stream.fileno()).columns - 1)
                except (OSError, ValueError):
                    width = 79
                self.stream.write(ERASE + line[:width])
                self.shown = line
            elif line != self.shown:
                self.stream.write(line + "\n")
                self.shown = line
            self.stream.flush()
        except (OSError, ValueError):
            pass

    def clear(self, keep: bool = False) -> None:
        """Erase the live line (before a message; ``keep``: the phase goes on) or end the phase."""
        if self.live and self.shown:
            try:
                self.stream.write(ERASE)
                self.stream.flush()
            except (OSError, ValueError):
                pass
        self.shown = ""
        if not keep:
            self.phase = ""

    # ---- heartbeat --------------------------------------------------------------------------

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._beat, name="press-progress", daemon=True)
            self._thread.start()

    def _beat(self) -> None:
        while not self._stop.wait(self.every / 4):
            if self.phase and time.monotonic() - max(self.last, self.since) >= self.every:
                self.show(force=True, beat=True)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=1)
            self._thread = None
        self.clear()
