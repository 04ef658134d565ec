"""Each chapter ends with the works it cites.

At read time a page that cites anything gets a final "References" section (so
it is in the page's table of contents, the EPUB nav and the PDF outline)
holding a :class:`chapter_references` placeholder with the cited keys.  After
sphinxcontrib-bibtex has formatted the bibliography, a post-transform replaces
the placeholder with the same formatted entries and labels as the full
bibliography, each label linking to the entry there.  Pages that hold a
``bibliography`` directive are left alone.
"""

from __future__ import annotations

from typing import Any

import pybtex_docutils
from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.transforms import SphinxTransform
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinxcontrib.bibtex.citation_target import parse_citation_targets
from sphinxcontrib.bibtex.nodes import bibliography as bibliography_node

TITLE = "References"


class chapter_references(nodes.General, nodes.Element):
    """Placeholder for the list of works a page cites (replaced before writing)."""


def _cited_keys(document: nodes.document) -> list[str]:
    keys: list[str] = []
    for xref in document.findall(addnodes.pending_xref):
        if xref.get("refdomain") != "cite":
            continue
        for target in parse_citation_targets(xref["reftarget"]):
            if target.key not in keys:
                keys.append(target.key)
    return keys


class AddReferencesSection(SphinxTransform):
    default_priority = 880

    def apply(self, **kwargs: Any) -> None:
        if next(iter(self.document.findall(bibliography_node)), None) is not None:
            return
        keys = _cited_keys(self.document)
        top = next(iter(self.document.findall(nodes.section)), None)
        if not keys or top is None:
            return
        section = nodes.section(ids=[f"references-{self.env.docname.replace('/', '-')}", "references"], names=["references"], classes=["press-references"])
        section += nodes.title(TITLE, TITLE)
        section += chapter_references(keys=keys)
        top += section


class FillReferences(SphinxPostTransform):
    default_priority = 20  # after bibtex and Sphinx have resolved references

    def run(self, **kwargs: Any) -> None:
        placeholders = list(self.document.findall(chapter_references))
        if not placeholders:
            return
        domain = self.env.get_domain("cite")
        by_key = {}
        for citation in domain.citations:
            by_key.setdefault(citation.key, citation)
        builder = self.env._app.builder
        backend = pybtex_docutils.Backend()
        fromdoc = self.env.docname
        for node in placeholders:
            items = nodes.bullet_list(classes=["press-chapter-references"])
            for key in sorted(node["keys"], key=lambda k: by_key[k].formatted_entry.label if k in by_key else k):
                citation = by_key.get(key)
                if citation is None:
                    continue  # already reported by sphinxcontrib-bibtex
                para = nodes.paragraph()
                label_text = f"[{citation.formatted_entry.label}]"
                try:
                    uri = builder.get_relative_uri(fromdoc, citation.bibliography_key.docname)
                    ref = nodes.reference("", "", internal=True, refuri=f"{uri}#{citation.citation_id}")
                    ref += nodes.Text(label_text)
                    para += ref
                except Exception:  # the target is outside this output (NoUri)
                    para += nodes.Text(label_text)
                para += nodes.Text(" ")
                para += citation.formatted_entry.text.render(backend)
                items += nodes.list_item("", para)
            node.replace_self(items if len(items) else [])


def _skip(self: Any, node: nodes.Node) -> None:
    raise nodes.SkipNode


def setup(app: Sphinx) -> dict[str, Any]:
    """Register :class:`chapter_references`, its read transform and its post-transform."""
    app.add_node(chapter_references, html=(_skip, None), text=(_skip, None), latex=(_skip, None), typst=(_skip, None))
    app.add_transform(AddReferencesSection)
    app.add_post_transform(FillReferences)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
