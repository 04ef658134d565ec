"""Clearer messages: ERROR when a warning fails the build, and "did you mean …?".

* When warnings are errors (``-W``, as ``press build`` always runs), every
  warning is labelled ``ERROR`` — it does fail the build.  This is a
  :class:`logging.Filter` added to the ``WarningStreamHandler`` of Sphinx's logger
  (:mod:`sphinx.util.logging`, no hook of Sphinx's own): it changes the level of a record,
  never its text.  (One exception remains: Sphinx's "error reading file … codec can't
  decode" about an included file is reworded to name the file's encoding and the fix.)
* Misspelt targets get the closest existing names (:mod:`difflib`), in our own
  records (``press.reference``, ``press.citation``): ``{ref}``, ``{numref}``, ``{term}`` and
  ``{doc}`` through Sphinx's ``warn-missing-reference`` event (returning True: Sphinx logs
  nothing); MyST links and ``{cite}`` keys through :class:`MissingTargets`, a post-transform
  that runs before MyST's and Sphinx's resolvers and asks the same public data.  The other
  package's own message about a node press reported is not printed (:class:`ReportedOnce`).
  A user who silenced the other package's message (``suppress_warnings = ["ref.term"]``,
  ``["myst.xref_missing"]``, MyST's ``nitpick_ignore``) gets none from press either.  Site
  links are checked in :mod:`press.sitelinks`.
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
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.domains import Domain
from sphinx.environment import BuildEnvironment
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import docname_join
from sphinx.util import logging as sphinx_logging

from . import adapters
from . import envstore
from . import warnings_
from .warnings_ import PressWarning

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


#: Sphinx's wording for the reference types of the standard domain.
_DEFAULT = {
    "ref": "undefined label: {!r}",
    "numref": "undefined label: {!r}",
    "term": "term not in glossary: {!r}",
    "doc": "unknown document: {!r}",
}

#: A pending cross-reference press already reported (our own record): the value lists the
#: ``type.subtype`` of the other package's message about the same node, which is not printed again.
REPORTED = "press_reported"


def _place(node: nodes.Element, target: str) -> nodes.Element | str:
    """Where to report a reference: the node, or the line of its paragraph that holds ``target``.

    Inline nodes have no line of their own, so Sphinx names the paragraph's first line; the
    reference's own line is the first line from there that holds its target.
    """
    location = sphinx_logging.get_node_location(node)
    path, _, line = (location or "").rpartition(":")
    if not (path and line.isdigit() and target):
        return node
    from pathlib import Path

    try:
        lines = Path(path).read_text(encoding="utf-8", errors="replace").split("\n")
    except OSError:
        return node
    first = int(line) - 1
    for i in range(first, min(len(lines), first + 200)):
        if i > first and not lines[i].strip():
            break  # the end of the paragraph
        if target in lines[i]:
            return node if i == first else f"{path}:{i + 1}"
    return node


def _suppressed(config: Any, kind: str, target: str = "") -> bool:
    """The user silenced the other package's message (``suppress_warnings``, MyST's ``nitpick_ignore``)."""
    typ, _, sub = kind.partition(".")
    if sphinx_logging.is_suppressed_warning(typ, sub, config.suppress_warnings):
        return True
    if typ == "myst" and target:
        if ("myst", target) in (config.nitpick_ignore or ()):
            return True
        return any(re.fullmatch(t, "myst") and re.fullmatch(x, target) for t, x in config.nitpick_ignore_regex or ())
    return False


def on_warn_missing_reference(app: Sphinx, domain: Domain, node: nodes.Element) -> bool | None:
    """Our own message for a missing label, term or document, with the closest names.

    ``warn-missing-reference`` is Sphinx's hook for exactly this: returning True means the
    reference was reported, so Sphinx logs nothing.  Every handler of the event runs, though:
    the standard domain's own (after this one, for ``ref``) still logs ``ref.ref``, which
    :class:`ReportedOnce` does not print (the node is marked).  A ``ref`` to a label without a
    title is left to Sphinx.
    """
    reftype = node.get("reftype", "")
    if (domain is not None and domain.name != "std") or reftype not in _DEFAULT:
        return None
    target = node.get("reftarget", "")
    if _suppressed(app.config, f"ref.{reftype}") or (
            reftype == "ref" and target in app.env.get_domain("std").anonlabels):  # type: ignore[attr-defined]
        return None
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
    warnings_.warn(PressWarning.REFERENCE, _DEFAULT[reftype].format(target) + hint, location=_place(node, target))
    node[REPORTED] = ("ref.ref",)  # the standard domain's handler logs its own for `ref` all the same
    return True


class MissingTargets(SphinxPostTransform):
    """Report MyST links and ``{cite}`` keys that will not resolve, with the closest names.

    Runs before MyST's resolver (priority 9) and Sphinx's (10), asking the same public data they
    do (the domains' ``resolve_any_xref``, the standard domain's labels, the bibtex domain's
    citations).  It only reports what surely fails (anything it cannot decide is left to
    the other package).  The node it reported is marked (:data:`REPORTED`), and
    :class:`ReportedOnce` does not print the other package's message about that node again.
    """

    default_priority = 8

    def run(self, **kwargs: Any) -> None:
        listed: set[str] | None = None  # the keys the bibliographies list, asked once per page
        for node in list(self.document.findall(addnodes.pending_xref)):
            try:
                if node.get("refdomain") == "cite":
                    if listed is None:
                        listed = self._listed_keys()
                    self._cite(node, listed)
                elif node.get("reftype") == "myst":
                    self._myst(node)
            except (ValueError, KeyError, AttributeError):  # an odd node: its package reports it
                continue

    def _listed_keys(self) -> set[str]:
        """The keys a ``{cite}`` resolves to: those of citations in a citation-list bibliography
        (what the bibtex domain's ``resolve_xref`` looks for)."""
        if "cite" not in self.env.domains:
            return set()
        domain = self.env.get_domain("cite")
        bibliographies = domain.bibliographies  # type: ignore[attr-defined]
        return {c.key for c in domain.citations  # type: ignore[attr-defined]
                if bibliographies[c.bibliography_key].list_ == "citation"}

    def _cite(self, node: addnodes.pending_xref, listed: set[str]) -> None:
        if _suppressed(self.config, "bibtex.key_not_found") or "cite" not in self.env.domains:
            return
        from sphinxcontrib.bibtex.citation_target import parse_citation_targets

        domain = self.env.get_domain("cite")
        missing = [t.key for t in parse_citation_targets(node["reftarget"]) if t.key not in listed]
        for key in missing:
            hint = did_you_mean(key, domain.bibdata.data.entries.keys())  # type: ignore[attr-defined]
            warnings_.warn(PressWarning.CITATION, f'could not find bibtex key "{key}"{hint}',
                           location=_place(node, key))
        if missing:
            node[REPORTED] = ("bibtex.key_not_found",)

    def _myst(self, node: addnodes.pending_xref) -> None:
        target = node.get("reftarget", "")
        if _suppressed(self.config, "myst.xref_missing", target):
            return
        env = self.env
        if node.get("refdomain") == "doc":
            if target in env.all_docs:
                return
            message = f"unknown document: {target!r}" + did_you_mean(target, env.found_docs)
        else:
            if self._resolves(node, target):
                return
            message = f"cross-reference target not found: {target!r}" + did_you_mean(target, self._myst_targets())
        warnings_.warn(PressWarning.REFERENCE, message, location=_place(node, target))
        node[REPORTED] = ("myst.xref_missing",)

    def _resolves(self, node: addnodes.pending_xref, target: str) -> bool:
        """Whether MyST could resolve the link (True whenever in doubt)."""
        env = self.env
        if node.get("reflocalid") or "sphinx.ext.intersphinx" in self.config.extensions:
            return True
        refdoc = node.get("refdoc", env.docname)
        std = env.get_domain("std")
        if target.lower() in _labels(env) or docname_join(refdoc, target) in env.all_docs:
            return True
        if any(key in std.objects for key in  # type: ignore[attr-defined]
               [(t, target) for t in std.object_types] + [("term", target.lower())]):
            return True
        contnode = node[0].deepcopy() if len(node) else nodes.inline()
        builder = adapters.builder_of(env)
        for domain in env.domains.values():
            if domain.name == "std":
                continue
            try:
                if domain.resolve_any_xref(env, refdoc, builder, target, node, contnode):
                    return True
            except NotImplementedError:  # as MyST does: each of the domain's roles
                if any(isinstance(res, nodes.Element) for role in domain.roles
                       for res in [domain.resolve_xref(env, refdoc, builder, role, target, node, contnode)]):
                    return True
            except Exception:  # a domain that fails: MyST decides
                return True
        return False

    def _myst_targets(self) -> set[str]:
        docs = set(self.env.found_docs)
        names = {d.rsplit("/", 1)[-1] for d in docs}
        return _labels(self.env) | docs | {f"{d}.md" for d in docs | names}


class ReportedOnce(logging.Filter):
    """One problem, one message: another package's message about a node press already reported.

    The record is not changed, only not printed; it sits first on the handler, where its
    ``location`` is still the node (Sphinx turns it into ``path:line`` further on).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        location = getattr(record, "location", None)
        if not isinstance(location, nodes.Element) or REPORTED not in location:
            return True
        return f"{getattr(record, 'type', '')}.{getattr(record, 'subtype', '')}" not in location[REPORTED]


class PressMessages(logging.Filter):
    """Label warnings ERROR when they fail the build; one message per front matter problem."""

    _UNDECODABLE = re.compile(r"error reading file: (?P<path>.+?)\n.*codec can't decode byte", re.S)

    def __init__(self, app: Sphinx) -> None:
        super().__init__("press.messages")
        self.app = app

    def filter(self, record: logging.LogRecord) -> bool:
        if self._consequence(record):
            return False
        self._remember(record)
        if record.levelno == logging.WARNING and adapters.fails_on_warnings(self.app):
            record.levelno, record.levelname = logging.ERROR, "ERROR"
        if isinstance(record.msg, str) and "codec can't decode" in record.msg:
            self._encoding(record)
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
            # the document is the message's argument (Sphinx logs ``msg % ref`` lazily)
            args = record.args if isinstance(record.args, tuple) else ()
            docname = args[0] if len(args) == 1 and isinstance(args[0], str) else None
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


def install_filter(app: Sphinx, *args: Any) -> None:
    """Add :class:`ReportedOnce` (first) and :class:`PressMessages` to the handlers of Sphinx's
    logger that print warnings."""
    for handler in logging.getLogger(sphinx_logging.NAMESPACE).handlers:
        if isinstance(handler, sphinx_logging.WarningStreamHandler) and not any(
            isinstance(f, PressMessages) for f in handler.filters
        ):
            handler.filters.insert(0, ReportedOnce("press.reported"))
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
    app.add_post_transform(MissingTargets)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
