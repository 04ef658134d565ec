"""Figure and section numbers assigned once per read, not once per format, and not again
for a page whose numbering did not change.

Sphinx's toctree collector renumbers every figure, table, listing and numbered section
of the book at each build (``env-get-updated``), loading every page's doctree to do so:
about 2.6 s on a 200-page book.  :mod:`press.engine` runs one Sphinx application per
format on one environment; the second and third formats read no page, and their
environment, saved by the first, already holds the numbers the first assigned.  So when
an application reads no page and removes none, the collector's renumbering is switched off
for that application (:func:`press.adapters.disconnect_methods`): the numbers stay those of
the environment.

When pages are read (an edit) and none is added or removed, the collector's section
numbers are assigned as usual (they come from the environment's tables of contents, no
doctree is loaded), and its figure numbering — which loads every page's doctree, 0.15-0.2 s
of a one-page edit of a 200-page book — runs only if a read page's numbering could have
changed: :func:`signature` is what Sphinx's figure numbering sees of one page (its
sections' numbers, its numbered figures, tables and listings with their ids, its toctrees'
entries, in order), taken of the page's last doctree before it is read again and of the new
one after; the same signature for every read page, and no other page's section numbers
changed, means the same walk and the same numbers for every page, so the read pages keep
theirs.  Otherwise Sphinx renumbers as usual.
"""

from __future__ import annotations

import copy
import pickle
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.domains.std import StandardDomain
from sphinx.environment import BuildEnvironment
from sphinx.environment.collectors.toctree import TocTreeCollector

from . import adapters


def _figtype(env: BuildEnvironment, node: nodes.Node) -> str | None:
    """The node's numbered kind as Sphinx's figure numbering finds it (an uncaptioned figure
    has none)."""
    for domain in env.domains.sorted():
        figtype = domain.get_enumerable_node_type(node)
        if isinstance(domain, StandardDomain) and not domain.get_numfig_title(node):
            continue
        if figtype:
            return figtype
    return None


def signature(env: BuildEnvironment, docname: str, doctree: nodes.Node) -> list[tuple[Any, ...]]:
    """What Sphinx's figure numbering (``TocTreeCollector.assign_figure_numbers``) sees of one
    page, in its order: each section's number, each numbered element's kind, id and section
    number, each toctree's entries."""
    secnumbers = env.toc_secnumbers.get(docname, {})
    depth = env.config.numfig_secnum_depth
    out: list[tuple[Any, ...]] = []

    def walk(node: nodes.Element, secnum: tuple[int, ...]) -> None:
        for sub in node.children:
            if isinstance(sub, nodes.section):
                anchor = "#" + sub["ids"][0]
                number = tuple(secnumbers.get(anchor) if anchor in secnumbers else secnumbers.get("") or ())
                out.append(("section", number))
                walk(sub, number or secnum)
            elif isinstance(sub, addnodes.toctree):
                out.append(("toctree", tuple(ref for _title, ref in sub["entries"])))
            elif isinstance(sub, nodes.Element):
                figtype = _figtype(env, sub)
                if figtype and sub["ids"]:
                    out.append(("numbered", figtype, sub["ids"][0], secnum[:depth]))
                walk(sub, secnum)

    walk(doctree, ())  # type: ignore[arg-type]
    return out


class _Reads:
    """What one application read or removed (state of one application, set up per app)."""

    def __init__(self) -> None:
        self.purged: set[str] = set()
        #: the pages to be read, with their signature and figure numbers before (when the
        #: collector's numbering is ours to run: :meth:`get_updated`)
        self.before: dict[str, tuple[list[tuple[Any, ...]], Any]] | None = None

    def purge(self, app: Sphinx, env: BuildEnvironment, docname: str) -> None:
        self.purged.add(docname)

    def before_read(self, app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
        if not docnames and not self.purged:
            # pages change: Sphinx numbers them (a saved environment was numbered before it was saved)
            adapters.disconnect_methods(app, "env-get-updated", TocTreeCollector)
            return
        if self.purged or not env.config.numfig:
            return  # a page removed: Sphinx numbers
        before = {}
        for doc in docnames:
            if doc not in env.all_docs:
                return  # a new page: Sphinx numbers
            try:  # (not env.get_doctree: it would keep the old page's bytes for the rest of the build)
                tree = pickle.loads((Path(env.doctreedir) / f"{doc}.doctree").read_bytes())
            except Exception:  # noqa: BLE001 - no last doctree to compare with: Sphinx numbers
                return
            before[doc] = (signature(env, doc, tree), copy.deepcopy(env.toc_fignumbers.get(doc)))
        adapters.disconnect_methods(app, "env-get-updated", TocTreeCollector)
        self.before = before

    def get_updated(self, app: Sphinx, env: BuildEnvironment) -> list[str]:
        """The collector's ``env-get-updated``, when :meth:`before_read` took it over."""
        if self.before is None:
            return []
        before, self.before = self.before, None
        collector = TocTreeCollector()
        changed = collector.assign_section_numbers(env)
        same = set(changed) <= set(before) and self.purged <= set(before) and all(
            signature(env, doc, env.get_doctree(doc)) == sig for doc, (sig, _) in before.items())
        if not same:
            return changed + collector.assign_figure_numbers(env)
        for doc, (_, numbers) in before.items():
            if numbers:
                env.toc_fignumbers[doc] = numbers
        return changed


def setup(app: Sphinx) -> dict[str, Any]:
    reads = _Reads()
    app.connect("env-purge-doc", reads.purge)
    app.connect("env-before-read-docs", reads.before_read, priority=900)  # after press.structure
    app.connect("env-get-updated", reads.get_updated)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
