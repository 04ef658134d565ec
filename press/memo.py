"""Work two formats of one build would each do, done once: code highlighting and MathML.

The EPUB and the web book are written by two processes at once (the web book's is forked,
:mod:`press.engine.processes`), and each highlights every code block with Pygments and
converts every formula to MathML: the same input, the same output, twice.  On the pbdl
Jupyter Book, highlighting alone was 2.9 s of the EPUB's process and 2.1 s of the web
book's (py-spy), MathML about 1.2 s in each.

:class:`SharedMemo` keeps each result as a file in a folder of this build's staging area
(``BookBuild.memo``, made by the engine when a build writes both; gone with the staging folder, so nothing outlives
the build and nothing needs pruning): whichever process comes to a block first computes
it, the other reads it.  A result is a pure function of its key (the input and everything
that shapes the output: formatter and its options, lexer options, Pygments' version;
LaTeX after the book's macros, display or inline, the alternative text), so the pages are
the same bytes with or without the memo.  A computation that warns (a lexing error) or
fails (math MathML cannot show) is not kept: each process reports it as before.

An application the engine did not make (``sphinx-build``, the tests' apps) has no memo and
computes everything itself.
"""

from __future__ import annotations

import hashlib
import logging
import os
from pathlib import Path
from typing import Any, Callable

from sphinx.application import Sphinx

from . import __version__
from . import state


class SharedMemo:
    """Results by key, as files under ``folder`` (one per result, written atomically)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.hits = 0  # results read, not made

    def path(self, kind: str, key: str) -> Path:
        digest = hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=20).hexdigest()
        return self.folder / kind / digest[:2] / digest[2:]

    def get(self, kind: str, key: str, make: Callable[[], tuple[str, bool]]) -> str:
        """The result for ``key``: read, or made by ``make() -> (result, keep)`` and kept if
        ``keep``.  ``make`` may raise: nothing is kept."""
        path = self.path(kind, key)
        try:
            value = path.read_text(encoding="utf-8", errors="surrogatepass")
            self.hits += 1
            return value
        except (FileNotFoundError, NotADirectoryError):
            pass
        value, keep = make()
        if keep:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
                tmp.write_text(value, encoding="utf-8", errors="surrogatepass")
                os.replace(tmp, path)
            except OSError:  # a full disk: the other process computes it too
                pass
        return value


#: the builder's attribute that holds the build's memo (set at ``builder-inited``): a
#: translator reaches it through its builder (``Builder.app`` is deprecated)
ATTRIBUTE = "press_memo"


def of(builder: Any) -> SharedMemo | None:
    """The build's memo, if the engine made one, from a builder."""
    return getattr(builder, ATTRIBUTE, None)


class _Warned(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.seen = False

    def emit(self, record: logging.LogRecord) -> None:
        self.seen = True


#: where Sphinx's highlighter reports a block it could not lex
_HIGHLIGHT_LOGGER = logging.getLogger("sphinx.sphinx.highlighting")


class SharedHighlighter:
    """Sphinx's ``PygmentsBridge`` for HTML (the EPUB's and the web book's ``highlighter``),
    its ``highlight_block`` results shared through the build's memo."""

    def __init__(self, inner: Any, memo: SharedMemo) -> None:
        self._inner, self._memo = inner, memo
        import pygments

        self._shape = repr((pygments.__version__, __version__, type(inner).__name__, getattr(inner, "dest", None),
                            sorted((k, repr(v)) for k, v in getattr(inner, "formatter_args", {}).items()),
                            getattr(getattr(inner, "formatter", None), "__name__", None)))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def highlight_block(self, source: str, lang: str, opts: dict[str, Any] | None = None, force: bool = False,
                        location: Any = None, **kwargs: Any) -> str:
        key = repr((self._shape, source, lang, sorted((k, repr(v)) for k, v in (opts or {}).items()), force,
                    sorted((k, repr(v)) for k, v in kwargs.items())))
        if " at 0x" in key:  # an option object without a stable form: not shared
            return self._inner.highlight_block(source, lang, opts, force, location, **kwargs)

        def make() -> tuple[str, bool]:
            warned = _Warned()
            _HIGHLIGHT_LOGGER.addHandler(warned)
            try:
                out = self._inner.highlight_block(source, lang, opts, force, location, **kwargs)
            finally:
                _HIGHLIGHT_LOGGER.removeHandler(warned)
            return out, not warned.seen

        return self._memo.get("highlight", key, make)


def mathml(builder: Any, latex: str, display: bool, macros: Any = None) -> str:
    """:func:`press.mathml.convert` through the build's memo (``ValueError`` as it raises)."""
    from . import mathml as press_mathml

    memo = of(builder)
    if memo is None:
        return press_mathml.convert(latex, display, macros)
    prepared = press_mathml.macros_prepass(latex, macros)  # (once: the key, and the conversion)
    key = repr((__version__, prepared, bool(display), " ".join(latex.split())))
    return memo.get("mathml", key, lambda: (press_mathml.from_prepared(prepared, display, latex), True))


def _share_highlighting(app: Sphinx) -> None:
    memo = state.of(app).memo
    setattr(app.builder, ATTRIBUTE, memo)
    highlighter = getattr(app.builder, "highlighter", None)
    if memo is not None and highlighter is not None and not isinstance(highlighter, SharedHighlighter):
        app.builder.highlighter = SharedHighlighter(highlighter, memo)


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("builder-inited", _share_highlighting)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
