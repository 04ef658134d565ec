"""Typst compile errors reported at the author's ``file:line``, never at the generated ``.typ``.

The translator writes a source marker, a Typst block comment ``/*@ path:line */``, in front of
every doctree element that knows its source line (only when the position changes, so the
markers stay sparse).  Comments are invisible to Typst, so the PDF does not change; they are
also legal in markup, code and math mode, so a marker never breaks the generated file.

When the compiler fails, :func:`fail` finds the error's span in the diagnostic (the generated
book's ``.typ`` line and column), walks back to the nearest marker before it and reports the
message there as a typed ``press.typst_compile`` ERROR and sets the application's status code:
the build fails (non-zero exit) with or without ``-W``, without Sphinx's crash report, and no
PDF is written.

An error inside the template (``press-book.typ``), e.g. a link to a label that no element
carries, has no span in the book's file; then the label (or other quoted name) in the message
is looked up in the ``.typ`` and the nearest marker before its first use is the location.
"""

from __future__ import annotations

import functools
import os
import re
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.util import logging

from ..warnings_ import PressWarning, warn

MARKER = re.compile(r"/\*@ (.+?):(\d+) \*/")
_SPAN = re.compile(r"┌─ (.+?):(\d+):(\d+)")
_QUOTED = re.compile(r"`(<[^`>]+>)`")


_logger = logging.getLogger(__name__)


def marker(node: nodes.Node, srcdir: str | os.PathLike[str]) -> tuple[str, int] | None:
    """The ``(path, line)`` a node comes from, path relative to the source folder if inside."""
    source, line = getattr(node, "source", None), getattr(node, "line", None)
    if not source or not line:
        return None
    return _relative(source, os.fspath(srcdir)), int(line)


@functools.lru_cache(maxsize=4096)
def _relative(source: str, srcdir: str) -> str:
    """``source`` relative to ``srcdir`` if inside (a pure function: every node of a page
    asks for the same path, and ``os.path.relpath`` is the translator's costliest call)."""
    try:
        rel = os.path.relpath(source, srcdir)
    except ValueError:
        rel = source
    if rel.startswith(".."):
        rel = source
    return rel.replace("*/", "*_/")


def comment(path: str, line: int) -> str:
    """The marker comment for ``path:line``."""
    return f"/*@ {path}:{line} */"


def strip_markers(text: str) -> str:
    """The generated Typst without source markers (for golden files and reading)."""
    return MARKER.sub("", text)


def locate(typ_text: str, line: int, column: int = 0, srcdir: str = "") -> str | None:
    """The author's ``file:line`` for a (1-based) line and column of the generated file."""
    lines = typ_text.splitlines()
    if not 1 <= line <= len(lines):
        return None
    head = lines[line - 1][: column or None]
    for text in [head, *reversed(lines[: line - 1])]:
        found = MARKER.findall(text)
        if found:
            path, lineno = found[-1]
            full = path if os.path.isabs(path) or not srcdir else os.path.join(srcdir, path)
            return f"{full}:{lineno}"
    return None


def _span_in(diagnostic: str, typ_path: Path) -> tuple[int, int] | None:
    for path, line, column in _SPAN.findall(diagnostic):
        if Path(path).name == typ_path.name:
            return int(line), int(column)
    return None


def source_location(exc: Any, typ_path: Path, srcdir: str) -> str | None:
    """Where in the author's sources a Typst error or warning comes from."""
    typ_text = typ_path.read_text(encoding="utf-8")
    diagnostic = getattr(exc, "diagnostic", "") or ""
    for text in [diagnostic, *(getattr(exc, "trace", None) or [])]:
        span = _span_in(text, typ_path)
        if span is not None:
            return locate(typ_text, span[0], span[1], srcdir)
    # The span is in the template: find the quoted label in the book's file instead.
    for name in _QUOTED.findall(getattr(exc, "message", "") or ""):
        pos = typ_text.find(name)
        if pos >= 0:
            line = typ_text.count("\n", 0, pos) + 1
            column = pos - (typ_text.rfind("\n", 0, pos) + 1)
            return locate(typ_text, line, column, srcdir)
    return None


def _text(exc: Any) -> str:
    message = getattr(exc, "message", None) or str(exc)
    hints = getattr(exc, "hints", None) or []
    return message + "".join(f" (hint: {h})" for h in hints)


def fail(exc: Any, typ_path: str | os.PathLike[str], srcdir: str | os.PathLike[str], app: Any) -> None:
    """Report a Typst compile error at the author's file:line as an ERROR and fail the build
    (``app.statuscode``, as Sphinx's own linkcheck builder does): a non-zero exit with or
    without ``-W``, and no crash report, since the author's page is what needs fixing."""
    typ_path = Path(typ_path)
    where = source_location(exc, typ_path, str(srcdir))
    message = f"Typst could not compile the PDF: {_text(exc)}"
    if where is None:
        message += f"\n{getattr(exc, 'diagnostic', '')}"
    _logger.error(message, type="press", subtype=PressWarning.TYPST_COMPILE.value, location=where)
    app.statuscode = 1


def warning(w: Any, typ_path: str | os.PathLike[str], srcdir: str | os.PathLike[str]) -> None:
    """Report a Typst compiler warning at the author's file:line."""
    typ_path = Path(typ_path)
    where = source_location(w, typ_path, str(srcdir))
    message = f"Typst warning: {_text(w)}"
    if where is None:
        message += f"\n{getattr(w, 'diagnostic', '')}"
    warn(PressWarning.TYPST_COMPILE, message, location=where)
