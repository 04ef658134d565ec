"""Clearer messages: ERROR when a warning fails the build, and "did you mean …?".

* When warnings are errors (``-W``, as ``press build`` always runs), every
  warning is labelled ``ERROR`` — it does fail the build.  This is a
  :class:`logging.Filter` added to the ``WarningStreamHandler`` of Sphinx's logger
  (:mod:`sphinx.util.logging`, no hook of Sphinx's own): it changes the level of other
  packages' records, and below adds hints to their messages, so it depends on their wording.
* Misspelt targets get the closest existing names (:mod:`difflib`):
  glossary terms, documents and numbered references through Sphinx's
  ``warn-missing-reference`` event; ``{ref}`` labels, bibtex keys and MyST
  cross-references by adding the suggestion to the message their own code
  logs (same type and subtype, so ``suppress_warnings`` still works); site
  links in :mod:`press.sitelinks`.
* Messages last: a page that drew a message while it was read is read again
  by the next build (``env-get-outdated``), so a failed strict build is not
  followed by one that passes only because the page's doctree was cached and
  its messages were not repeated.
* One problem, one message: once a page's front matter error is reported, MyST's
  ``myst.topmatter`` and Sphinx's ``toc.no_title`` about the same page are not
  printed again (they still count, so the build still fails).
"""

from __future__ import annotations

import difflib
import logging
import re
from collections.abc import Iterable
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.domains import Domain
from sphinx.environment import BuildEnvironment
from sphinx.util import logging as sphinx_logging

from . import adapters
from . import envstore

#: ``env.press_read_messages[docname]``: the page drew a message while it was read.
WARNED = "press_read_messages"

logger = sphinx_logging.getLogger(__name__)


def did_you_mean(word: str, candidates: Iterable[str], n: int = 3) -> str:
    """`` (did you mean 'a' or 'b'?)`` for the closest candidates, or ``""``."""
    pool = sorted({c for c in candidates if c})
    close = difflib.get_close_matches(word, pool, n=n, cutoff=0.6)
    if not close and word.casefold() in {c.casefold() for c in pool}:
        close = [c for c in pool if c.casefold() == word.casefold()][:n]
    if not close:
        return ""
    return " (did you mean " + " or ".join(repr(c) for c in close) + "?)"


def _labels(env) -> set[str]:
    std = env.get_domain("std")
    return set(std.labels) | set(std.anonlabels)  # type: ignore[attr-defined]


def _terms(env) -> set[str]:
    std = env.get_domain("std")
    return {name for (objtype, name) in std.objects if objtype == "term"}  # type: ignore[attr-defined]


#: Sphinx's own messages for the reference types we replace (``ref`` is left to the
#: standard domain's handler, which always logs; the message filter adds its hint).
_DEFAULT = {
    "numref": "undefined label: {!r}",
    "term": "term not in glossary: {!r}",
    "doc": "unknown document: {!r}",
}


def on_warn_missing_reference(app: Sphinx, domain: Domain, node: nodes.Element) -> bool | None:
    """Sphinx's message for a missing label, term or document, plus the closest names."""
    reftype = node.get("reftype", "")
    if (domain is not None and domain.name != "std") or reftype not in _DEFAULT:
        return None
    target = node.get("reftarget", "")
    if reftype == "term":
        pool = _terms(app.env)
        target_key = target.lower()
    elif reftype == "doc":
        pool = set(app.env.found_docs)
        target_key = target.lstrip("/")
    else:
        pool = _labels(app.env)
        target_key = target.lower()
    hint = did_you_mean(target_key, pool)
    if not hint:
        return None
    logger.warning(_DEFAULT[reftype].format(target) + hint, location=node, type="ref", subtype=reftype)
    return True


class PressMessages(logging.Filter):
    """Label warnings ERROR when they fail the build; add suggestions to bibtex/MyST misses."""

    _BIBKEY = re.compile(r'could not find bibtex key "([^"]+)"')
    _MYST = re.compile(r"not found: '([^']+)'")
    _LABEL = re.compile(r"undefined label: '([^']+)'")
    _UNDECODABLE = re.compile(r"error reading file: (?P<path>.+?)\n.*codec can't decode byte", re.S)

    def __init__(self, app: Sphinx) -> None:
        super().__init__("press.messages")
        self.app = app

    _NO_TITLE = re.compile(r"reference to document '([^']+)' that doesn't have a title")

    def filter(self, record: logging.LogRecord) -> bool:
        if self._consequence(record):
            return False
        self._remember(record)
        if record.levelno == logging.WARNING and adapters.fails_on_warnings(self.app):
            record.levelno, record.levelname = logging.ERROR, "ERROR"
        kind = (getattr(record, "type", None), getattr(record, "subtype", None))
        try:
            if kind == ("bibtex", "key_not_found"):
                self._hint(record, self._BIBKEY, self._bibkeys)
            elif isinstance(record.msg, str) and "codec can't decode" in record.msg:
                self._encoding(record)
            elif kind == ("ref", "ref"):
                self._hint(record, self._LABEL, lambda: _labels(self.app.env))
            elif kind == ("myst", "xref_missing"):
                self._hint(record, self._MYST, self._myst_targets)
        except Exception:  # a suggestion must never break a message
            pass
        return True

    def _consequence(self, record: logging.LogRecord) -> bool:
        """A message that only repeats a front matter error press already reported for that page.

        A page whose header is missing or broken has no title, so MyST's own header parse
        (``myst.topmatter``) and every toctree that lists it (``toc.no_title``) would add
        messages about the same problem; the page's ``press.frontmatter_*`` message is the one.
        """
        kind = (getattr(record, "type", None), getattr(record, "subtype", None))
        if kind not in (("toc", "no_title"), ("myst", "topmatter")):
            return False
        env = getattr(self.app, "env", None)
        seen = getattr(env, WARNED, None) if env is not None else None
        if not seen:
            return False
        if kind == ("toc", "no_title"):
            m = self._NO_TITLE.search(str(record.msg % record.args if record.args else record.msg))
            docname = m.group(1) if m else None
        else:
            location = getattr(record, "location", None)
            path, _, line = str(location).rpartition(":")
            try:
                docname = env.path2doc(path if line.isdigit() else str(location))
            except Exception:
                docname = None
        kinds = seen.get(docname, ()) if docname else ()
        return isinstance(kinds, set) and any(k.startswith("press.frontmatter") for k in kinds)

    def _remember(self, record: logging.LogRecord) -> None:
        """Note the page a message is about, so the next build reads it (and says it) again."""
        env = getattr(self.app, "env", None)
        location = getattr(record, "location", None)
        if env is None or not isinstance(location, str) or not hasattr(env, WARNED):
            return
        path, _, line = location.rpartition(":")
        try:
            docname = env.path2doc(path if line.isdigit() else location)
        except Exception:  # a location that is no path of the book
            return
        if docname:
            kind = f"{getattr(record, 'type', '')}.{getattr(record, 'subtype', '')}"
            getattr(env, WARNED).setdefault(docname, set()).add(kind)

    def _encoding(self, record: logging.LogRecord) -> None:
        """An included file that is not UTF-8: one line naming its encoding and the fix."""
        from pathlib import Path

        from .encoding import problem

        text = record.msg % record.args if record.args else record.msg
        m = self._UNDECODABLE.search(text)
        if not m:
            return
        found = problem(Path(m["path"].strip()))
        if found:
            line, message = found
            tail = re.search(r" \[[\w.]+\]$", text)
            record.msg = f"included file {m['path'].strip()}:{line}: " + message.replace("the page is", "is") + (tail.group(0) if tail else "")
            record.args = ()

    def _myst_targets(self) -> set[str]:
        docs = set(self.app.env.found_docs)
        names = {d.rsplit("/", 1)[-1] for d in docs}
        return _labels(self.app.env) | docs | {f"{d}.md" for d in docs | names}

    def _bibkeys(self) -> set[str]:
        domain = self.app.env.get_domain("cite")
        return set(domain.bibdata.data.entries.keys())  # type: ignore[attr-defined]

    def _hint(self, record: logging.LogRecord, pattern: re.Pattern, pool) -> None:
        if not isinstance(record.msg, str) or "did you mean" in record.msg:
            return
        m = pattern.search(record.msg % record.args if record.args else record.msg)
        if not m:
            return
        hint = did_you_mean(m.group(1), pool())
        if hint:
            text = record.msg % record.args if record.args else record.msg
            tail = re.search(r" \[[\w.]+\]$", text)  # Sphinx's " [type.subtype]" stays last
            record.msg = text[: tail.start()] + hint + tail.group(0) if tail else text + hint
            record.args = ()


def install_filter(app: Sphinx, *args: Any) -> None:
    """Add :class:`PressMessages` to the handlers of Sphinx's logger that print warnings."""
    for handler in logging.getLogger(sphinx_logging.NAMESPACE).handlers:
        if isinstance(handler, sphinx_logging.WarningStreamHandler) and not any(
            isinstance(f, PressMessages) for f in handler.filters
        ):
            handler.addFilter(PressMessages(app))


#: ``env.press_read_by[docname]``: the build (:attr:`press.state.BookBuild.token`) that read the page.
READ_BY = "press_read_by"


def note_reader(app: Sphinx, doctree: Any) -> None:
    """Record which build read this page (``doctree-read``: after its old data was purged)."""
    from . import state

    getattr(app.env, READ_BY)[app.env.docname] = state.of(app).token


def reread_warned(app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str], removed: set[str]) -> list[str]:
    """Pages that drew a message when last read are read again, by the next build (not by
    the next format of the build that read them: its messages were said once)."""
    from . import state

    token, read_by = state.of(app).token, getattr(env, READ_BY, {})
    return sorted(d for d in getattr(env, WARNED, {})
                  if d in env.found_docs and d not in removed and read_by.get(d) != token)


def setup(app: Sphinx) -> dict[str, Any]:
    """Install the message filter and the missing-reference suggestions."""
    install_filter(app)
    envstore.register(app, WARNED)
    envstore.register(app, READ_BY)
    app.connect("doctree-read", note_reader)
    app.connect("env-get-outdated", reread_warned)
    app.connect("warn-missing-reference", on_warn_missing_reference, priority=400)  # before the std domain's own
    return {"parallel_read_safe": True, "parallel_write_safe": True}
