"""Citations as EPUB notes: a tap on ``[8]`` shows the reference in a pop-up.

Runs as a post-transform of the ``epub`` builder only, after the chapter's
References list has been filled (``press.references``, priority 20):

* the chapter's References section becomes the chapter's **endnotes**
  (``epub:type="endnotes"``, ``role="doc-endnotes"``), each entry an
  ``epub:type="footnote"`` (``endnote`` and the ARIA role ``doc-endnote`` are
  deprecated in EPUB 3.3 and DPUB-ARIA 1.1) with its own id and a
  back link (``role="doc-backlink"``) to where the text first cites it;
* every citation link in the text that points at an entry of that list now
  points at the entry in the same file and is marked ``epub:type="noteref"``
  / ``role="doc-noteref"``, so reading systems (Apple Books, Kobo, Thorium,
  calibre) show the reference as a pop-up and offer the way back.

Links from other places (the bibliography, other chapters) are left alone.
The translator (:mod:`press.epub.translator`) writes the attributes from the
``press_note`` markers set here.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform

REFERENCES_CLASS = "press-references"
BACK_TEXT = "\u21a9"  # ↩


class CitationNotes(SphinxPostTransform):
    """Turn the chapter References list into endnotes and citations into note references."""

    default_priority = 60  # after press.references.FillReferences (20), before press.epub.design (150)
    builders = ("epub",)

    def run(self, **kwargs: Any) -> None:
        for section in list(self.document.findall(nodes.section)):
            if REFERENCES_CLASS in section.get("classes", ()):
                self.notes(section)

    def notes(self, section: nodes.section) -> None:
        entries: dict[str, nodes.list_item] = {}
        for item in section.findall(nodes.list_item):
            ref = next(iter(item.findall(nodes.reference)), None)
            if ref is None or not ref.get("refuri"):
                continue
            entries.setdefault(ref["refuri"], item)
        if not entries:
            return
        section["press_note"] = "endnotes"
        slug = (section.get("ids") or ["references"])[0]
        note_ids: dict[str, str] = {}
        for n, (uri, item) in enumerate(entries.items(), 1):
            note_id = f"{slug}-note-{n}"
            item["ids"].append(note_id)
            item["press_note"] = "endnote"
            note_ids[uri] = note_id
        first_call: dict[str, str] = {}
        serial = 0
        for ref in list(self.document.findall(nodes.reference)):
            uri = ref.get("refuri", "")
            if uri not in note_ids or _inside(ref, section):
                continue
            serial += 1
            call_id = f"{slug}-ref-{serial}"
            ref["ids"].append(call_id)
            del ref["refuri"]
            ref["refid"] = note_ids[uri]
            ref["internal"] = True
            ref["press_note"] = "noteref"
            first_call.setdefault(uri, call_id)
        for uri, item in entries.items():
            if uri not in first_call:
                continue
            para = item.children[-1] if item.children and isinstance(item.children[-1], nodes.paragraph) else item
            back = nodes.reference("", BACK_TEXT, refid=first_call[uri], internal=True, classes=["press-backlink"])
            back["press_note"] = "backlink"
            para += nodes.Text(" ")
            para += back


def _inside(node: nodes.Node, ancestor: nodes.Node) -> bool:
    current = node.parent
    while current is not None:
        if current is ancestor:
            return True
        current = current.parent
    return False
