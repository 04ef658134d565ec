"""Index entries from a list of terms in ``conf.py`` (``press_index_terms``), in every format.

``press_index_terms`` maps an index entry to the words that mark a mention of it::

    press_index_terms = {
        "Karpathy, Andrej": ["Karpathy"],          # entry: the words in the text
        "Claude Code": [],                          # empty: the entry itself is the word
        "METR; randomized controlled trial": ["randomized controlled trial"],  # a sub-entry
    }

A word may be limited to some pages with ``" @ "`` and a glob of document names, so that
mentions in different chapters go under different sub-entries (an index's "Karpathy, Andrej:
on vibe coding, 97–103")::

        "Karpathy, Andrej; on vibe coding": ["Karpathy @ debates/*"],

An entry is Sphinx's single-entry form (``"term"`` or ``"term; sub-entry"``).  A word is
matched whole and case-sensitively in running text and inline code, never in headings,
code blocks, math, reference lists or the bibliography.  No page is edited:

* when a page is **read** (``doctree-read``, for every builder: the engine reads once for
  all formats), the first mention of each entry in the page gets an empty anchor
  ``<span id="press-ix-<key>">`` (``key``: :func:`entry_key`; class ``press-ix``) in the
  stored doctree, and the environment keeps ``{docname: [(entry, anchor id), ...]}``
  (:func:`mentions`; purged and merged per document, so it survives incremental and
  parallel builds).  Text inside ``only`` directives is not anchored (it may not be in the
  output);
* the **web book**'s ``genindex.html`` (:mod:`press.web.genindex`) and the **EPUB**'s index
  page (:meth:`press.epub.builder.PressEpubBuilder.write_index`) list these entries beside
  the glossary terms and ``index`` entries, each linked to its first mention in every
  page, from that environment data;
* for the ``typst`` builder a post-transform removes the anchors and inserts ordinary
  ``index`` nodes at every mention, so the PDF's index lists all their pages.
"""

from __future__ import annotations

import fnmatch
import hashlib
import re
from collections.abc import Iterator
from typing import Any

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.transforms.post_transforms import SphinxPostTransform

from . import config as press_config
from . import envstore

#: Where a mention is not indexed: headings, code, math, the works cited and the bibliography.
SKIP = (nodes.title, nodes.literal_block, nodes.raw, nodes.comment, addnodes.index, nodes.citation,
        nodes.caption, nodes.rubric, addnodes.toctree, nodes.target, nodes.footnote,
        nodes.math, nodes.math_block)

#: The class of a mention's anchor, and the environment attribute of the mentions.
MARK = "press-ix"
STORE = "press_index_mentions"


def entry_key(entry: str) -> str:
    """A short, stable key of an index entry (for anchor ids)."""
    return hashlib.sha1(entry.encode("utf-8")).hexdigest()[:10]


def anchor_id(entry: str) -> str:
    """The id of the anchor at an entry's first mention in a page."""
    return f"{MARK}-{entry_key(entry)}"


def patterns(terms: dict[str, list[str]]) -> list[tuple[str, re.Pattern[str], str]]:
    """One whole-word regular expression per entry and page glob (longest words first;
    ``"*"``: every page)."""
    out = []
    for entry, words in terms.items():
        scoped: dict[str, list[str]] = {}
        for word in list(words) or [entry.split(";")[0].strip()]:
            word, _, glob = word.partition(" @ ")
            scoped.setdefault(glob.strip() or "*", []).append(word.strip())
        for glob, ws in scoped.items():
            alternatives = "|".join(re.escape(w) for w in sorted(ws, key=len, reverse=True))
            out.append((entry, re.compile(rf"(?<![\w.])(?:{alternatives})(?![\w])"), glob))
    return out


def _docname(node: nodes.Node, default: str) -> str:
    """The document a node comes from (in the PDF's assembled book, Sphinx's
    ``inline_all_toctrees`` marks the sections of each included document with its name;
    their parent links still lead to that document's own tree, not to its ``start_of_file``)."""
    current = node.parent
    while current is not None:
        if isinstance(current, (addnodes.start_of_file, nodes.section)) and current.get("docname"):
            return current["docname"]
        current = current.parent
    return default


def _skipped(node: nodes.Node, skip: tuple[type, ...] = SKIP) -> bool:
    current = node.parent
    while current is not None:
        if isinstance(current, skip):
            return True
        if isinstance(current, nodes.Element) and {"press-references", "press-chapter-references"} & set(
            current.get("classes", ())
        ):
            return True
        current = current.parent
    return False


def _mentions(doctree: nodes.Node, terms: dict[str, list[str]], skip: tuple[type, ...] = SKIP,
              docname: str = "") -> Iterator[tuple[nodes.Element, nodes.Node, list[str]]]:
    """``(home, before, entries)`` for each text that mentions entries, in document order:
    an anchor or index node goes into ``home`` just before ``before``."""
    found = patterns(terms)
    scoped = any(glob != "*" for _, _, glob in found)
    for text in list(doctree.findall(nodes.Text)):
        parent = text.parent
        if parent is None or _skipped(text, skip):
            continue
        doc = _docname(text, docname) if scoped else docname
        hits = list(dict.fromkeys(entry for entry, rx, glob in found
                                  if (glob == "*" or fnmatch.fnmatchcase(doc, glob)) and rx.search(text.astext())))
        if not hits:
            continue
        before = parent if isinstance(parent, nodes.literal) else text
        home = before.parent
        # an unresolved reference keeps its content as its only child: go outside it
        while isinstance(home, addnodes.pending_xref):
            before, home = home, home.parent
        if home is not None:
            yield home, before, hits


def mark_mentions(app: Sphinx, doctree: nodes.document) -> None:
    """``doctree-read``: an anchor at the first mention of each entry in the page, and the
    page's ``[(entry, anchor id), ...]`` in the environment."""
    terms = press_config.get(app.config).index_terms
    if not terms:
        return
    first: dict[str, str] = {}
    for home, before, hits in _mentions(doctree, terms, SKIP + (addnodes.only,), app.env.docname):
        for entry in hits:
            if entry in first:
                continue
            first[entry] = anchor_id(entry)
            home.insert(home.index(before), nodes.inline("", "", ids=[first[entry]], classes=[MARK]))
    if first:
        getattr(app.env, STORE)[app.env.docname] = list(first.items())


def mentions(env: BuildEnvironment) -> dict[str, list[tuple[str, str]]]:
    """``{docname: [(entry, anchor id), ...]}``: the first mention of each entry per page."""
    return getattr(env, STORE, {})


class IndexTerms(SphinxPostTransform):
    """For print: drop the anchors, insert an ``index`` node before each mention."""

    default_priority = 30  # after press.references has filled the reference lists
    builders = ("typst",)

    def run(self, **kwargs: Any) -> None:
        for mark in list(self.document.findall(nodes.inline)):
            if MARK in mark["classes"] and not mark.children:
                mark.parent.remove(mark)
        terms = press_config.get(self.config).index_terms
        if not terms:
            return
        for home, before, hits in _mentions(self.document, terms, docname=self.env.docname):
            index = addnodes.index(entries=[("single", entry, "", "", None) for entry in hits], inline=True)
            home.insert(home.index(before), index)


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the read-time anchors and their store, and the print post-transform (both
    do nothing unless ``press_index_terms`` is set)."""
    envstore.register(app, STORE)
    app.connect("doctree-read", mark_mentions)
    app.add_post_transform(IndexTerms)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
