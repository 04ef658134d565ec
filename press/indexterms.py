"""Index entries from a list of terms in ``conf.py`` (``press_index_terms``), for print.

``press_index_terms`` maps an index entry to the words that mark a mention of it::

    press_index_terms = {
        "Karpathy, Andrej": ["Karpathy"],          # entry: the words in the text
        "Claude Code": [],                          # empty: the entry itself is the word
        "METR; randomized controlled trial": ["randomized controlled trial"],  # a sub-entry
    }

An entry is Sphinx's single-entry form (``"term"`` or ``"term; sub-entry"``).  A word is
matched whole and case-sensitively in running text and inline code, never in headings,
code blocks, reference lists or the bibliography.  A post-transform (no page is edited):

* for the ``typst`` builder it inserts ordinary ``index`` nodes where the words occur, so
  the PDF's index lists those pages;
* for the ``epub`` builder it inserts an empty anchor ``<span id="press-ix-<key>-<n>">``
  per mention (``key``: :func:`entry_key`), which the EPUB's index page
  (:meth:`press.epub.builder.PressEpubBuilder.write_index`) finds in the written pages and
  links, beside the glossary terms and ``index`` entries, so both indexes have the same
  entries.

The web book is untouched (its index page lists glossary terms and ``index`` entries).
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.transforms.post_transforms import SphinxPostTransform

from . import config as press_config

#: Where a mention is not indexed: headings, code, the works cited and the bibliography.
SKIP = (nodes.title, nodes.literal_block, nodes.raw, nodes.comment, addnodes.index, nodes.citation,
        nodes.caption, nodes.rubric, addnodes.toctree, nodes.target, nodes.footnote)


#: the id of an EPUB anchor of a mention: ``press-ix-<entry key>-<n>``
ANCHOR = re.compile(r"press-ix-([0-9a-f]{10})-\d+")


def entry_key(entry: str) -> str:
    """A short, stable key of an index entry (for anchor ids)."""
    return hashlib.sha1(entry.encode("utf-8")).hexdigest()[:10]


def patterns(terms: dict[str, list[str]]) -> list[tuple[str, re.Pattern[str]]]:
    """One whole-word regular expression per entry (longest words first)."""
    out = []
    for entry, words in terms.items():
        words = list(words) or [entry.split(";")[0].strip()]
        alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
        out.append((entry, re.compile(rf"(?<![\w.])(?:{alternatives})(?![\w])")))
    return out


def _skipped(node: nodes.Node) -> bool:
    current = node.parent
    while current is not None:
        if isinstance(current, SKIP):
            return True
        if isinstance(current, nodes.Element) and {"press-references", "press-chapter-references"} & set(
            current.get("classes", ())
        ):
            return True
        current = current.parent
    return False


class IndexTerms(SphinxPostTransform):
    """Insert an ``index`` node before each text or inline code that mentions a term."""

    default_priority = 30  # after press.references has filled the reference lists
    builders = ("typst", "epub")

    def run(self, **kwargs: Any) -> None:
        terms = press_config.get(self.config).index_terms
        if not terms:
            return
        found = patterns(terms)
        epub = self.app.builder.name == "epub"
        counter = 0
        for text in list(self.document.findall(nodes.Text)):
            parent = text.parent
            if parent is None or _skipped(text):
                continue
            hits = [entry for entry, rx in found if rx.search(text.astext())]
            if not hits:
                continue
            anchor = parent if isinstance(parent, nodes.literal) else text
            home = anchor.parent
            if home is None:
                continue
            if epub:
                for entry in hits:
                    counter += 1
                    home.insert(home.index(anchor), nodes.inline("", "", ids=[f"press-ix-{entry_key(entry)}-{counter}"]))
                continue
            index = addnodes.index(entries=[("single", entry, "", "", None) for entry in hits], inline=True)
            home.insert(home.index(anchor), index)


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the post-transform (it does nothing unless ``press_index_terms`` is set)."""
    app.add_post_transform(IndexTerms)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
