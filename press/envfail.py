"""Errors of the machine, not of the book: a read-only or full disk, a missing permission.

They are reported as one line naming the path and the cause (``press: ERROR: cannot write
'…/_build/html/index.html': No space left on device``), never as a traceback or a Sphinx crash
report; the last good output is left as it was (the engine swaps nothing in after a failure).
"""

from __future__ import annotations

import errno
import os

#: The causes that are the machine's (the rest are bugs and keep Sphinx's full report).
CAUSES = frozenset({
    errno.EROFS, errno.ENOSPC, errno.EDQUOT, errno.EACCES, errno.EPERM, errno.EIO,
    errno.EMFILE, errno.ENFILE, errno.EFBIG, errno.ENAMETOOLONG,
})


def _chain(exc: BaseException | None):
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = getattr(exc, "orig_exc", None) or exc.__cause__ or exc.__context__


def describe(exc: BaseException, where: str | os.PathLike[str] | None = None) -> str | None:
    """One line for an environment error anywhere in ``exc``'s chain, else ``None``; ``where``
    (the folder being written) names the place when the error itself names none."""
    for e in _chain(exc):
        if isinstance(e, OSError) and e.errno in CAUSES:
            path = e.filename2 if e.filename2 is not None else e.filename  # a copy: the target
            if path is None:
                path = where
            where = f" {os.fspath(path)!r}" if path is not None else ""
            return f"ERROR: cannot write{where}: {os.strerror(e.errno)} (the previous output is left untouched)"
    return None
